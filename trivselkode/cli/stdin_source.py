"""``trivselkode import -``: one source from standard input.

``cat interview.txt | trivselkode import - --name holstebro-5`` imports what
standard input holds as a text transcript named ``holstebro-5``. A name ending
in a suffix the importer reads gives the format (``--name holstebro-5.vtt``:
WebVTT, source ``holstebro-5``). The bytes are written to a private temporary
file, imported as any file is (encoding detected, front matter read), and the
file is removed afterwards. ``--name`` is required: standard input has none.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from trivselkode.errors import TrivselError
from trivselkode.i18n import _

STDIN = "-"


@contextmanager
def stdin_source(paths: list[Path], name: str | None) -> Iterator[tuple[list[Path], str | None]]:
    """``paths`` and ``name`` as given, or, for ``-``, a temporary file holding standard input and its name."""
    if not any(str(p) == STDIN for p in paths):
        yield paths, name
        return
    if len(paths) > 1:
        raise TrivselError(
            _("- (standard-input) er én kilde og importeres alene"), _("importér de andre filer for sig")
        )
    if not name or not name.strip():
        raise TrivselError(
            _("en kilde fra standard-input skal have et navn"), _("angiv --name NAVN, fx --name holstebro-5")
        )
    from trivselkode.importers.formats import SUPPORTED_SUFFIXES

    stem, suffix = name.strip(), Path(name.strip()).suffix.lower()
    if suffix in SUPPORTED_SUFFIXES:
        stem = stem[: -len(suffix)]
    else:
        suffix = ".txt"
    if sys.stdin is None or sys.stdin.isatty():
        raise TrivselError(
            _("standard-input er terminalen, ikke en fil"),
            _("send en fil ind: trivselkode import - --name {name} < fil.txt").format(name=stem),
        )
    folder = Path(tempfile.mkdtemp(prefix="trivselkode-stdin-"))
    try:
        # Named after the source, so that a warning's "FILE:LINE" says which source it is about.
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:100] or "stdin"
        target = folder / f"{safe}{suffix}"
        stream = getattr(sys.stdin, "buffer", None)
        with open(target, "wb") as handle:
            if stream is not None:
                shutil.copyfileobj(stream, handle)
            else:
                handle.write(sys.stdin.read().encode("utf-8"))
        yield [target], stem
    finally:
        shutil.rmtree(folder, ignore_errors=True)
