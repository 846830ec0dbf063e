"""The ``.qdpx`` archive: ``project.qde`` streamed into a zip, then ``sources/<GUID>.txt``, written atomically."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from trivselkode.export.refi.common import ExportReport, Pseudonymizer
from trivselkode.export.refi.data import open_data
from trivselkode.export.refi.project import write_project
from trivselkode.export.refi.spool import Spool
from trivselkode.storage.db import Project
from trivselkode.storage.files import check_target, replace_atomically

#: Every entry's date, so that the same project gives the same bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _zip_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def export_project(
    project: Project, out: str | Path, *, pseudonymizer: Pseudonymizer | None = None, lang: str | None = None
) -> ExportReport:
    """Write the whole project to the ``.qdpx`` file ``out`` (whole, or not at all).

    ``lang`` (None: the interface's): the language of code names and descriptions (the
    codebook's English, else the Danish, with a warning in ``report.warnings``).
    """
    size, report = replace_atomically(
        check_target(Path(out)), lambda tmp: write_qdpx(project, tmp, pseudonymizer=pseudonymizer, lang=lang)
    )
    report.path = str(out)
    report.bytes = size
    return report


def write_qdpx(
    project: Project, path: Path, *, pseudonymizer: Pseudonymizer | None = None, lang: str | None = None
) -> ExportReport:
    """Write the project as a ``.qdpx`` archive straight to ``path`` (no temporary file of its own).

    ``project.qde`` is streamed into the archive as it is written, a source at
    a time; the sources' texts (whose entries follow it) and the passages'
    boundaries (for the ``trivselkode`` note at its end) are put aside in
    unnamed temporary files beside ``path`` meanwhile, so memory stays small
    however large the project is. The entries: ``project.qde``, then the
    sources by file name.
    """
    with (
        open_data(project) as data,
        tempfile.TemporaryFile(dir=path.parent) as texts_file,
        tempfile.TemporaryFile(dir=path.parent) as aside_file,
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
    ):
        texts = Spool(texts_file)
        with zf.open(_zip_entry("project.qde"), "w") as stream:
            report = write_project(data, pseudonymizer, stream, lang, texts=texts, aside=Spool(aside_file))
        for name in sorted(texts.keys()):
            zf.writestr(_zip_entry(f"sources/{name}"), texts.get_bytes(name))
    return report
