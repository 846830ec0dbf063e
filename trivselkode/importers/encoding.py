"""Bytes to normalised text: encoding detection and normalisation.

Detection order (SPEC §4): UTF-8 with BOM, UTF-16 LE/BE with BOM, valid
UTF-8, otherwise cp1252. UTF-16 without a BOM is recognised by its pattern
of NUL bytes (Windows tools sometimes write it). Anything else that contains
NUL bytes, does not decode as cp1252 or is full of control characters is
refused as binary.

A file that is UTF-8 but for a few bytes (a line pasted from an old Windows
document, say) is not read as cp1252 as a whole, which would turn every
``æ`` of it into ``Ã¦``: the bytes that are not UTF-8 are read as cp1252 and
the rest as UTF-8, with a warning naming the lines. Only a file that is
mostly not UTF-8 is read as cp1252 throughout, with a warning when some of
its lines looked like UTF-8.

:func:`normalise` makes the stored form: Unicode NFC and ``\\n`` line ends.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from trivselkode.errors import TrivselError
from trivselkode.i18n import _

__all__ = ["decode_bytes", "normalise", "read_text"]

# C0 control characters that do not belong in text (tab, line feed, vertical
# tab, form feed and carriage return do), plus DEL.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_MAX_CONTROL_RATIO = 0.01
# Bytes that are not UTF-8, as ``surrogateescape`` decodes them.
_ESCAPED = re.compile("[\udc80-\udcff]+")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_ASCII_BYTES = bytes(range(128))
# Read as mostly UTF-8 when at least one in this many foreign characters is valid UTF-8.
_UTF8_SHARE = 10
_SHOWN_LINES = 5


def normalise(text: str) -> str:
    """Unicode NFC, ``\\r\\n`` and ``\\r`` turned into ``\\n``, no leading BOM."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


def _binary(where: str) -> TrivselError:
    return TrivselError(
        _("{where} ser ud til at være en binær fil, ikke tekst").format(where=where),
        hint=_("gem den som ren tekst (UTF-8) eller vælg den rigtige fil"),
    )


def _looks_utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when NULs sit in every other byte, else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nul >= 0.4 * half and even_nul == 0:
        return "utf-16-le"
    if even_nul >= 0.4 * half and odd_nul == 0:
        return "utf-16-be"
    return None


def _too_many_controls(text: str) -> bool:
    if _CONTROL.search(text) is None:
        return False
    count = len(_CONTROL.findall(text))
    return count > max(2, len(text) * _MAX_CONTROL_RATIO)


def _lines_of(text: str, positions: list[int]) -> list[int]:
    """The 1-based line of each position (in increasing order) in ``text``, each line once."""
    lines: list[int] = []
    line, last = 1, 0
    for pos in positions:
        line += text.count("\n", last, pos)
        last = pos
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def _line_list(where: str, lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:_SHOWN_LINES])
    more = _(" og {value} andre").format(value=len(lines) - _SHOWN_LINES) if len(lines) > _SHOWN_LINES else ""
    if len(lines) == 1:
        return _("{where}:{line}: linjen").format(where=where, line=lines[0])
    return _("{where}:{line}: linje {shown}{more}").format(where=where, line=lines[0], shown=shown, more=more)


def _cp1252(run: re.Match[str]) -> str:
    return run.group().encode("utf-8", "surrogateescape").decode("cp1252", "replace")


def _decode_mixed(data: bytes, where: str, warnings: list[str] | None) -> str | None:
    """``data`` that is not all UTF-8, read UTF-8 where it is and cp1252 where it is not.

    None when the file is mostly not UTF-8 (then it is cp1252 as a whole).
    """
    text = data.decode("utf-8", "surrogateescape")
    runs = list(_ESCAPED.finditer(text))
    foreign = sum(run.end() - run.start() for run in runs)
    valid = len(data.translate(None, _ASCII_BYTES)) - foreign  # bytes of valid UTF-8 characters
    if valid * _UTF8_SHARE < foreign * 2:  # a character of Danish UTF-8 is two bytes
        if valid and warnings is not None:
            utf8 = [m.start() for m in _NON_ASCII.finditer(text) if not "\udc80" <= m.group() <= "\udcff"]
            warnings.append(
                _(
                    "{line_list} ligner UTF-8, men filen er ellers Windows-1252 og er læst sådan – tjek æ, ø og å dér, og gem filen som UTF-8"
                ).format(line_list=_line_list(where, _lines_of(text, utf8)))
            )
        return None
    if warnings is not None:
        lines = _lines_of(text, [run.start() for run in runs])
        warnings.append(
            _(
                "{line_list} er ikke gyldig UTF-8; de tegn er læst som Windows-1252 (cp1252), resten som UTF-8 – tjek æ, ø og å dér, og gem filen som UTF-8"
            ).format(line_list=_line_list(where, lines))
        )
    return _ESCAPED.sub(_cp1252, text)


def decode_bytes(data: bytes, where: str, warnings: list[str] | None = None) -> str:
    """Decode ``data`` (from the file ``where``) and normalise it.

    Notes on how the text was read (a UTF-8 file with some lines in cp1252)
    are added to ``warnings`` when given. Does not check for emptiness;
    :func:`read_text` does.
    """
    text: str | None = None
    try:
        if data.startswith(codecs.BOM_UTF8):
            body = data[len(codecs.BOM_UTF8) :]
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text = _decode_mixed(body, where, warnings)
                if text is None:
                    raise
        elif data.startswith(codecs.BOM_UTF16_LE) and not data.startswith(codecs.BOM_UTF32_LE):
            text = data[2:].decode("utf-16-le")
        elif data.startswith(codecs.BOM_UTF16_BE):
            text = data[2:].decode("utf-16-be")
    except UnicodeDecodeError:
        raise TrivselError(
            _("{where} begynder som Unicode-tekst (BOM), men indeholder ugyldige tegn").format(where=where),
            hint=_("gem filen igen som UTF-8"),
        ) from None
    if text is None:
        if b"\x00" in data:
            guess = _looks_utf16_without_bom(data)
            if guess is None:
                raise _binary(where)
            try:
                text = data.decode(guess)
            except UnicodeDecodeError:
                raise _binary(where) from None
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = _decode_mixed(data, where, warnings)
                if text is None:
                    try:
                        text = data.decode("cp1252")
                    except UnicodeDecodeError:
                        raise _binary(where) from None
    if "\x00" in text or _too_many_controls(text):
        raise _binary(where)
    return normalise(text)


def read_text(path: str | Path, warnings: list[str] | None = None) -> str:
    """The normalised text of the file at ``path``.

    Raises :class:`TrivselError` when the file cannot be read, is binary, or
    holds nothing but whitespace; notes on its encoding go to ``warnings``.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TrivselError(_("{path}: filen findes ikke").format(path=path), hint=_("tjek stien")) from None
    except IsADirectoryError:
        raise TrivselError(_("{path} er en mappe, ikke en fil").format(path=path)) from None
    except OSError as exc:
        raise TrivselError(
            _("{path} kan ikke læses: {value}").format(path=path, value=exc.strerror or exc),
            hint=_("tjek at filen findes og at du har adgang til den"),
        ) from None
    text = decode_bytes(data, str(path), warnings)
    if not text.strip():
        raise TrivselError(_("{path} er tom").format(path=path), hint=_("vælg en fil med indhold"))
    return text
