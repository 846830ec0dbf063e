"""Bytes to normalised text: encoding detection and normalisation.

Detection order (SPEC §4): UTF-8 with BOM, UTF-16 LE/BE with BOM, valid
UTF-8, otherwise cp1252. UTF-16 without a BOM is recognised by its pattern
of NUL bytes (Windows tools sometimes write it). Anything else that contains
NUL bytes, does not decode as cp1252 or is full of control characters is
refused as binary.

:func:`normalise` makes the stored form: Unicode NFC and ``\\n`` line ends.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from trivselkode.errors import TrivselError

__all__ = ["decode_bytes", "normalise", "read_text"]

# C0 control characters that do not belong in text (tab, line feed, vertical
# tab, form feed and carriage return do), plus DEL.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_MAX_CONTROL_RATIO = 0.01


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
        f"{where} ser ud til at være en binær fil, ikke tekst",
        hint="gem den som ren tekst (UTF-8) eller vælg den rigtige fil",
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


def decode_bytes(data: bytes, where: str) -> str:
    """Decode ``data`` (from the file ``where``) and normalise it.

    Does not check for emptiness; :func:`read_text` does.
    """
    text: str | None = None
    try:
        if data.startswith(codecs.BOM_UTF8):
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
        elif data.startswith(codecs.BOM_UTF16_LE) and not data.startswith(codecs.BOM_UTF32_LE):
            text = data[2:].decode("utf-16-le")
        elif data.startswith(codecs.BOM_UTF16_BE):
            text = data[2:].decode("utf-16-be")
    except UnicodeDecodeError:
        raise TrivselError(
            f"{where} begynder som Unicode-tekst (BOM), men indeholder ugyldige tegn",
            hint="gem filen igen som UTF-8",
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
                try:
                    text = data.decode("cp1252")
                except UnicodeDecodeError:
                    raise _binary(where) from None
    if "\x00" in text or _too_many_controls(text):
        raise _binary(where)
    return normalise(text)


def read_text(path: str | Path) -> str:
    """The normalised text of the file at ``path``.

    Raises :class:`TrivselError` when the file cannot be read, is binary, or
    holds nothing but whitespace.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TrivselError(f"{path}: filen findes ikke", hint="tjek stien") from None
    except IsADirectoryError:
        raise TrivselError(f"{path} er en mappe, ikke en fil") from None
    except OSError as exc:
        raise TrivselError(
            f"{path} kan ikke læses: {exc.strerror or exc}", hint="tjek at filen findes og at du har adgang til den"
        ) from None
    text = decode_bytes(data, str(path))
    if not text.strip():
        raise TrivselError(f"{path} er tom", hint="vælg en fil med indhold")
    return text
