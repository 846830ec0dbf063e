"""Character positions in the units other programs count in.

Our stored text is normalised (Unicode NFC, ``\\n`` line ends, no BOM) and
every offset in the database is a Python ``str`` index: a Unicode code point.
REFI-QDA files from other programs count ``startPosition``/``endPosition``
into *their* text file in whatever unit the program happens to use:

* code points, or UTF-16 code units (NVivo, and anything built on .NET or
  Java strings: a character outside the Basic Multilingual Plane, such as an
  emoji, counts two);
* with a CRLF line end counted as two units (as it stands in the file) or as
  one (when the program normalised line ends before counting).

A :class:`Reading` is one such combination. A :class:`PositionMap` is built
from the raw text of a file (decoded, BOM removed, nothing else changed) and
maps a position in any reading to an offset into the normalised text. A
position that falls inside a character (half a surrogate pair, or inside a
CRLF or an NFC composition) widens to the whole character: a start moves to
the character's start, an end to its end.

:func:`choose_reading` picks the reading under which a file's selections sit
best: each start and end on a word boundary scores a point, a selection whose
``name`` is its own text (ATLAS.ti writes the quoted text there) scores
more, and a selection outside the text costs a lot. Ties go to the order of
:data:`READINGS`, code points first.

Pure: the standard library only.
"""

from __future__ import annotations

import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from trivselkode.i18n import _

__all__ = [
    "READINGS",
    "PositionMap",
    "Reading",
    "ReadingChoice",
    "boundary_score",
    "choose_reading",
    "codepoint_to_utf16",
    "is_word_boundary",
    "normalise_text",
    "utf16_length",
    "utf16_to_codepoint",
    "widen_codepoint_span",
]


@dataclass(frozen=True)
class Reading:
    """How a program counts positions: ``unit`` and how many units a CRLF is."""

    unit: str  # "codepoint" or "utf16"
    crlf: int = 2  # a CR LF pair counts 2 units (as in the file) or 1

    def __post_init__(self) -> None:
        if self.unit not in ("codepoint", "utf16") or self.crlf not in (1, 2):
            raise ValueError(f"unknown reading {self.unit}/{self.crlf}")

    @property
    def name(self) -> str:
        return f"{self.unit}-crlf{self.crlf}"

    @classmethod
    def from_name(cls, name: str) -> Reading:
        unit, _, crlf = name.partition("-crlf")
        return cls(unit, int(crlf or 2))

    def describe(self) -> str:
        """A short Danish description for messages."""
        unit = _("Unicode-tegn (kodepunkter)") if self.unit == "codepoint" else _("UTF-16-enheder")
        return _("{unit}, CRLF talt som {crlf}").format(unit=unit, crlf=self.crlf)


CODEPOINTS = Reading("codepoint", 2)
#: Every reading tried, in order of preference when they score the same.
READINGS: tuple[Reading, ...] = (
    Reading("codepoint", 2),
    Reading("codepoint", 1),
    Reading("utf16", 2),
    Reading("utf16", 1),
)


# --------------------------------------------------------------------------- small conversions


def utf16_length(text: str) -> int:
    """The length of ``text`` in UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def codepoint_to_utf16(text: str, pos: int) -> int:
    """The UTF-16 offset of the code point offset ``pos`` in ``text``."""
    if not 0 <= pos <= len(text):
        raise ValueError(f"position {pos} outside a text of {len(text)} code points")
    return pos + sum(1 for ch in text[:pos] if ord(ch) > 0xFFFF)


def utf16_to_codepoint(text: str, pos: int, *, end: bool = False) -> int:
    """The code point offset of the UTF-16 offset ``pos`` in ``text``.

    An offset between the two halves of a surrogate pair widens: to the
    character's start (a start, ``end=False``) or its end (``end=True``).
    """
    units = 0
    for index, ch in enumerate(text):
        if units >= pos:
            return index
        width = 2 if ord(ch) > 0xFFFF else 1
        if units + width > pos:  # inside this character
            return index + 1 if end else index
        units += width
    if units >= pos >= 0:
        return len(text)
    raise ValueError(f"UTF-16 position {pos} outside a text of {units} units")


def widen_codepoint_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` widened so that it does not split a combining sequence.

    A start before a combining mark moves back to its base character; an end
    before a combining mark moves forward past the marks.
    """
    while 0 < start < len(text) and _is_mark(text[start]):
        start -= 1
    while 0 < end < len(text) and _is_mark(text[end]):
        end += 1
    return start, end


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def normalise_text(raw: str) -> str:
    """The stored form: no leading BOM, CRLF and CR as LF, NFC."""
    return PositionMap(raw).text


# --------------------------------------------------------------------------- word boundaries


def _is_word(ch: str) -> bool:
    return ch.isalnum() or _is_mark(ch)


def is_word_boundary(text: str, pos: int) -> bool:
    """Whether ``pos`` is not inside a word (between two word characters)."""
    if pos <= 0 or pos >= len(text):
        return True
    return not (_is_word(text[pos - 1]) and _is_word(text[pos]))


def boundary_score(text: str, spans: Iterable[tuple[int, int]]) -> int:
    """How many of the spans' starts and ends lie on word boundaries."""
    return sum(is_word_boundary(text, s) + is_word_boundary(text, e) for s, e in spans)


# --------------------------------------------------------------------------- NFC composition


@lru_cache(maxsize=1)
def _composing_seconds() -> frozenset[str]:
    """Characters that may compose with the character before them (NFC_QC=Maybe)."""
    seconds: set[str] = set()
    for cp in range(0x110000):
        decomposition = unicodedata.decomposition(chr(cp))
        if not decomposition or decomposition.startswith("<"):
            continue
        parts = decomposition.split()
        if len(parts) == 2:
            seconds.add(chr(int(parts[1], 16)))
    seconds.update(chr(cp) for cp in range(0x1161, 0x1176))  # Hangul vowels (V)
    seconds.update(chr(cp) for cp in range(0x11A8, 0x11C3))  # Hangul trailing consonants (T)
    return frozenset(seconds)


def _starts_segment(ch: str) -> bool:
    """Whether NFC can never join ``ch`` to what comes before it."""
    return unicodedata.combining(ch) == 0 and ch not in _composing_seconds()


# --------------------------------------------------------------------------- the map


class PositionMap:
    """Positions in a raw text (in any :class:`Reading`) as offsets into its normalised form.

    ``raw`` is the decoded file text with the BOM removed; :attr:`text` is its
    normalised form (see :func:`normalise_text`).
    """

    def __init__(self, raw: str) -> None:
        if raw.startswith("\ufeff"):
            raw = raw[1:]
        self.raw = raw
        self.has_cr = "\r" in raw
        self.has_astral = not raw.isascii() and any(ord(ch) > 0xFFFF for ch in raw)
        self._prefix: dict[tuple[str, int], array | None] = {}
        # raw code point index -> normalised index, for starts and for ends
        # (they differ only inside an NFC composition). None: the identity.
        self._to_text_start: array | None = None
        self._to_text_end: array | None = None
        self.text = self._normalise()

    # -- normalisation ------------------------------------------------------

    def _normalise(self) -> str:
        raw = self.raw
        if not self.has_cr and (raw.isascii() or unicodedata.is_normalized("NFC", raw)):
            return raw
        # Line ends: CRLF -> LF (the CR is dropped), a lone CR -> LF.
        if self.has_cr:
            pieces: list[str] = []
            lf_map = array("q")
            out = 0
            n = len(raw)
            i = 0
            while i < n:
                j = raw.find("\r", i)
                if j < 0:
                    j = n
                # plain run raw[i:j]
                lf_map.extend(range(out, out + (j - i)))
                pieces.append(raw[i:j])
                out += j - i
                if j == n:
                    break
                lf_map.append(out)  # the CR stands where the "\n" will be
                if j + 1 < n and raw[j + 1] == "\n":
                    i = j + 1  # the LF is kept
                else:
                    pieces.append("\n")
                    out += 1
                    i = j + 1
            lf_map.append(out)
            lf_text = "".join(pieces)
        else:
            lf_map = None
            lf_text = raw
        if lf_text.isascii() or unicodedata.is_normalized("NFC", lf_text):
            self._to_text_start = self._to_text_end = lf_map
            return lf_text
        text, nfc_start, nfc_end = _nfc_with_maps(lf_text)
        if lf_map is None:
            self._to_text_start, self._to_text_end = nfc_start, nfc_end
        else:
            self._to_text_start = array("q", (nfc_start[k] for k in lf_map))
            self._to_text_end = array("q", (nfc_end[k] for k in lf_map))
        return text

    # -- units ----------------------------------------------------------------

    def effective(self, reading: Reading) -> Reading:
        """The simplest reading that counts the same as ``reading`` in this text."""
        unit = reading.unit if self.has_astral else "codepoint"
        crlf = reading.crlf if self.has_cr else 2
        return Reading(unit, crlf)

    def _units(self, reading: Reading) -> array | None:
        """Prefix sums: units before each raw code point index (None: the identity)."""
        reading = self.effective(reading)
        key = (reading.unit, reading.crlf)
        if key not in self._prefix:
            if reading == CODEPOINTS:
                self._prefix[key] = None
            else:
                raw = self.raw
                utf16 = reading.unit == "utf16"
                widths = [2 if utf16 and ord(ch) > 0xFFFF else 1 for ch in raw]
                if reading.crlf == 1:
                    start = 0
                    while True:
                        j = raw.find("\r\n", start)
                        if j < 0:
                            break
                        widths[j] = 0  # the pair counts once, at its LF
                        start = j + 2
                prefix = array("q", [0])
                prefix.extend(accumulate(widths))
                self._prefix[key] = prefix
        return self._prefix[key]

    def length(self, reading: Reading) -> int:
        """The raw text's length in ``reading``'s units."""
        prefix = self._units(reading)
        return len(self.raw) if prefix is None else prefix[-1]

    def to_raw(self, pos: int, reading: Reading, *, end: bool = False) -> int | None:
        """The raw code point index of ``pos`` (None when outside the text)."""
        prefix = self._units(reading)
        if prefix is None:
            return pos if 0 <= pos <= len(self.raw) else None
        if pos < 0 or pos > prefix[-1]:
            return None
        index = bisect_left(prefix, pos)
        if prefix[index] == pos:
            return index
        # inside the character index-1 (half a surrogate pair)
        return index if end else index - 1

    def raw_to_text(self, index: int, *, end: bool = False) -> int:
        """The normalised offset of the raw code point index ``index``."""
        table = self._to_text_end if end else self._to_text_start
        return index if table is None else table[index]

    def span(self, start: int, end: int, reading: Reading) -> tuple[int, int] | None:
        """``(start, end)`` in ``reading`` as a span of :attr:`text`; None if outside or inverted."""
        if end < start:
            return None
        raw_start = self.to_raw(start, reading)
        raw_end = self.to_raw(end, reading, end=True)
        if raw_start is None or raw_end is None:
            return None
        return self.raw_to_text(raw_start), self.raw_to_text(raw_end, end=True)


def _nfc_with_maps(text: str) -> tuple[str, array, array]:
    """NFC of ``text`` with index maps (start side, end side) from ``text`` to the result.

    The text is cut into segments NFC never joins across; each is normalised
    on its own. An index inside a segment that changed maps to the segment's
    start (start side) or end (end side).
    """
    pieces: list[str] = []
    to_start = array("q")
    to_end = array("q")
    out = 0
    n = len(text)
    i = 0
    while i < n:
        j = i + 1
        while j < n and not _starts_segment(text[j]):
            j += 1
        segment = text[i:j]
        normal = unicodedata.normalize("NFC", segment)
        pieces.append(normal)
        if normal == segment:
            to_start.extend(range(out, out + len(segment)))
            to_end.extend(range(out, out + len(segment)))
        else:
            to_start.append(out)
            to_end.append(out)
            to_start.extend([out] * (len(segment) - 1))
            to_end.extend([out + len(normal)] * (len(segment) - 1))
        out += len(normal)
        i = j
    to_start.append(out)
    to_end.append(out)
    return "".join(pieces), to_start, to_end


# --------------------------------------------------------------------------- choosing a reading


@dataclass
class ReadingChoice:
    """The reading chosen for one file, and how every candidate scored."""

    reading: Reading
    scores: dict[str, int] = field(default_factory=dict)
    on_boundary: int = 0  # selections whose start and end both lie on word boundaries
    selections: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "reading": self.reading.name,
            "scores": dict(self.scores),
            "on_word_boundary": self.on_boundary,
            "selections": self.selections,
        }


_NAME_BONUS = 4
_OUTSIDE_PENALTY = 1000


def _name_matches(text: str, span: tuple[int, int], name: str | None) -> bool:
    if not name:
        return False
    quoted = " ".join(text[span[0] : span[1]].split())
    wanted = " ".join(name.rstrip("…").split())
    return bool(wanted) and len(wanted) >= 3 and quoted.startswith(wanted)


def choose_reading(
    pmap: PositionMap,
    selections: Sequence[tuple[int, int, str | None]],
    readings: Sequence[Reading] = READINGS,
) -> ReadingChoice:
    """The reading that puts ``selections`` (start, end, name) best into ``pmap``'s text."""
    best: tuple[int, int] | None = None
    chosen = readings[0]
    scores: dict[str, int] = {}
    tried: dict[Reading, int] = {}
    for order, reading in enumerate(readings):
        effective = pmap.effective(reading)
        if effective in tried:
            scores[reading.name] = tried[effective]
            continue
        score = 0
        for start, end, name in selections:
            span = pmap.span(start, end, reading)
            if span is None:
                score -= _OUTSIDE_PENALTY
                continue
            score += is_word_boundary(pmap.text, span[0]) + is_word_boundary(pmap.text, span[1])
            if _name_matches(pmap.text, span, name):
                score += _NAME_BONUS
        tried[effective] = score
        scores[reading.name] = score
        if best is None or score > best[0]:
            best = (score, order)
            chosen = reading
    on_boundary = 0
    for start, end, _name in selections:
        span = pmap.span(start, end, chosen)
        if span is not None and is_word_boundary(pmap.text, span[0]) and is_word_boundary(pmap.text, span[1]):
            on_boundary += 1
    return ReadingChoice(chosen, scores, on_boundary, len(selections))
