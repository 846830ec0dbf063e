"""Word documents (``.docx``): paragraph text in the turn syntax of plain text.

The paragraphs are joined with ``\\n`` (a line break inside a paragraph is a
``\\n`` too) and parsed exactly like the body of a ``.txt`` transcript (see
:mod:`trivselkode.importers.text`). Tables, headers and footers are not read.
Metadata comes from a sidecar ``X.yaml`` beside the document.

python-docx gets an in-memory copy of the document whose members have been
unpacked within limits and whose XML parts have no DTD
(:func:`trivselkode.importers.safety.checked_office_file`): a zip bomb or an
entity in a paragraph is refused with one line, never read or cut silently.
"""

from __future__ import annotations

import re
from pathlib import Path

from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _
from trivselkode.importers.base import ParsedSource
from trivselkode.importers.encoding import normalise
from trivselkode.importers.metadata import SourceMetadata, load_sidecar
from trivselkode.importers.safety import UnpackLimit, checked_office_file
from trivselkode.importers.text import parse_transcript

__all__ = ["docx_text", "parse_docx"]


_SAVE_AGAIN = N_("åbn den i Word og gem den igen som .docx (ikke .doc)")


def docx_text(path: str | Path, max_unpacked: UnpackLimit | int | str | None = None) -> str:
    """The normalised paragraph text of the document at ``path`` (unpacked within ``max_unpacked``)."""
    path = Path(path)
    if not path.is_file():
        raise TrivselError(_("{path}: filen findes ikke").format(path=path), hint=_("tjek stien"))
    checked = checked_office_file(path, max_unpacked, hint=_SAVE_AGAIN)
    import docx  # python-docx; imported here so that other commands start fast

    try:
        document = docx.Document(checked)
        paragraphs = [paragraph.text for paragraph in document.paragraphs]
    except Exception as exc:  # a damaged or mislabelled file: python-docx, zipfile and lxml raise many kinds
        raise TrivselError(
            _("{path} kan ikke læses som et Word-dokument (.docx): {name__}").format(
                path=path, name__=type(exc).__name__
            ),
            hint=_(_SAVE_AGAIN),
        ) from None
    finally:
        checked.close()
    text = normalise("\n".join(paragraphs))
    if not text.strip():
        raise TrivselError(_("{path} er tom").format(path=path), hint=_("vælg et dokument med indhold"))
    return text


def parse_docx(
    path: str | Path,
    meta: SourceMetadata | None = None,
    *,
    speaker_pattern: re.Pattern[str] | None = None,
    max_unpacked: UnpackLimit | int | str | None = None,
) -> ParsedSource:
    """Parse a ``.docx`` transcript; ``meta`` defaults to the sidecar beside it."""
    path = Path(path)
    text = docx_text(path, max_unpacked)
    if meta is None:
        meta = load_sidecar(path)
    return parse_transcript(text, path, meta, speaker_pattern=speaker_pattern)
