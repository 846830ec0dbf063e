"""The ``.qdpx`` archive: ``project.qde`` streamed into a zip, then ``sources/<GUID>.txt``, written atomically."""

from __future__ import annotations

import queue
import tempfile
import threading
import zipfile
from pathlib import Path
from typing import IO

from trivselkode.export.refi.common import ExportReport, Pseudonymizer
from trivselkode.export.refi.data import open_data
from trivselkode.export.refi.project import write_project
from trivselkode.export.refi.spool import Spool
from trivselkode.storage.db import Project
from trivselkode.storage.files import check_target, replace_atomically

#: Every entry's date, so that the same project gives the same bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class BackgroundWriter:
    """A binary stream whose writes are done by a thread of their own, a few megabytes behind.

    Deflating ``project.qde`` into the archive is a sixth of the export's work,
    and zlib lets go of the interpreter while it deflates: a thread does it on
    the second core while the next source's XML is made. At most
    :data:`QUEUED` pieces wait (each about a megabyte, see ``XmlOut``). A
    failed write (a full disk) is raised by the next ``write`` or by
    ``close``; the thread reads on to the end so that no ``write`` waits forever.
    """

    QUEUED = 4

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.pieces: queue.Queue[bytes | None] = queue.Queue(self.QUEUED)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="qdpx-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (piece := self.pieces.get()) is not None:
            if self.error is None:
                try:
                    self.stream.write(piece)
                except BaseException as exc:  # noqa: BLE001  raised again in the caller's thread
                    self.error = exc

    def write(self, piece: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.pieces.put(piece)

    def close(self) -> None:
        """Wait until every piece is written; raise what failed."""
        if self.thread.is_alive():
            self.pieces.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        elif self.thread.is_alive():  # the export failed: let the thread finish, keep the first error
            self.pieces.put(None)
            self.thread.join()


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
        with zf.open(_zip_entry("project.qde"), "w") as stream, BackgroundWriter(stream) as out:
            report = write_project(data, pseudonymizer, out, lang, texts=texts, aside=Spool(aside_file))
        for name in sorted(texts.keys()):
            zf.writestr(_zip_entry(f"sources/{name}"), texts.get_bytes(name))
    return report
