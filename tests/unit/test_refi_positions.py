"""Position units: code points, UTF-16 units, CRLF as one or two; widening; choosing a reading."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trivselkode.domain.positions import (
    READINGS,
    PositionMap,
    Reading,
    boundary_score,
    choose_reading,
    codepoint_to_utf16,
    is_word_boundary,
    utf16_length,
    utf16_to_codepoint,
    widen_codepoint_span,
)
from trivselkode.importers.encoding import normalise

# Pieces of raw text that stay whole under normalisation.
ATOMS = [
    "a",
    "b",
    "æ",
    "ø",
    "Å",
    " ",
    "\n",
    "\r\n",
    "\r",
    "😀",
    "🙂",
    "𝄞",
    "e\u0301",
    "A\u030a",
    "\t",
    ".",
    "ﬁ",
    "\u1100\u1161",
]


def _width(atom: str, reading: Reading) -> int:
    units = 0
    for ch in atom:
        units += 2 if reading.unit == "utf16" and ord(ch) > 0xFFFF else 1
    if atom == "\r\n" and reading.crlf == 1:
        units -= 1
    return units


def _join(atoms: list[str]) -> list[str]:
    """Atoms with a lone CR never directly before an LF (that would be a CRLF)."""
    out: list[str] = []
    for atom in atoms:
        if out and out[-1] == "\r" and atom.startswith("\n"):
            out[-1] = "\r\n"
            atom = atom[1:]
            if not atom:
                continue
        out.append(atom)
    return out


def test_utf16_conversions():
    text = "a😀b𝄞c"
    assert utf16_length(text) == 7
    assert [codepoint_to_utf16(text, i) for i in range(6)] == [0, 1, 3, 4, 6, 7]
    assert utf16_to_codepoint(text, 3) == 2
    # inside the emoji: a start widens back, an end forward
    assert utf16_to_codepoint(text, 2) == 1
    assert utf16_to_codepoint(text, 2, end=True) == 2
    with pytest.raises(ValueError):
        utf16_to_codepoint(text, 8)


@given(st.text(alphabet=st.sampled_from(["a", "😀", "ø", "𝄞", " "]), max_size=30), st.data())
def test_utf16_round_trip(text, data):
    pos = data.draw(st.integers(0, len(text)))
    assert utf16_to_codepoint(text, codepoint_to_utf16(text, pos)) == pos
    assert codepoint_to_utf16(text, len(text)) == utf16_length(text) == len(text.encode("utf-16-le")) // 2


def test_widen_codepoint_span_keeps_combining_marks():
    text = "Cafe\u0301 ok"
    assert widen_codepoint_span(text, 4, 4) == (3, 5)


@settings(max_examples=200)
@given(st.lists(st.sampled_from(ATOMS), max_size=25).map(_join), st.booleans())
def test_normalised_text_is_what_every_source_stores(atoms, bom):
    raw = ("\ufeff" if bom else "") + "".join(atoms)
    assert PositionMap(raw).text == normalise(raw)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=25).map(_join), st.sampled_from(READINGS), st.data())
def test_every_reading_maps_to_the_same_normalised_text(atoms, reading, data):
    raw = "".join(atoms)
    i = data.draw(st.integers(0, len(atoms)))
    j = data.draw(st.integers(i, len(atoms)))
    start = sum(_width(a, reading) for a in atoms[:i])
    end = start + sum(_width(a, reading) for a in atoms[i:j])
    pmap = PositionMap(raw)
    span = pmap.span(start, end, reading)
    assert span is not None
    assert pmap.text[span[0] : span[1]] == normalise("".join(atoms[i:j])).lstrip("\ufeff") or i == j
    assert pmap.length(reading) == sum(_width(a, reading) for a in atoms)


@settings(max_examples=200)
@given(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=20).map(_join), st.sampled_from(READINGS), st.data())
def test_any_position_maps_inside_the_text_and_in_order(atoms, reading, data):
    raw = "".join(atoms)
    pmap = PositionMap(raw)
    total = pmap.length(reading)
    a = data.draw(st.integers(0, total))
    b = data.draw(st.integers(a, total))
    span = pmap.span(a, b, reading)
    assert span is not None
    assert 0 <= span[0] <= span[1] <= len(pmap.text)
    assert pmap.span(-1, b, reading) is None and pmap.span(a, total + 1, reading) is None


def test_half_a_surrogate_pair_widens_to_the_whole_character():
    pmap = PositionMap("ab😀cd")
    utf16 = Reading("utf16", 2)
    assert pmap.span(3, 3, utf16) == (2, 3)  # start widened back, end forward
    assert pmap.span(0, 3, utf16) == (0, 3)
    assert pmap.span(3, 5, utf16) == (2, 4)


def test_crlf_counted_once_or_twice():
    raw = "\ufeffab\r\ncd\r\nef"
    pmap = PositionMap(raw)
    assert pmap.text == "ab\ncd\nef"
    assert pmap.span(4, 6, Reading("codepoint", 2)) == (3, 5)  # "cd"
    assert pmap.span(3, 5, Reading("codepoint", 1)) == (3, 5)
    assert pmap.text[slice(*pmap.span(8, 10, Reading("utf16", 2)))] == "ef"
    assert pmap.text[slice(*pmap.span(6, 8, Reading("utf16", 1)))] == "ef"
    # between CR and LF: both sides land on the line end
    assert pmap.span(3, 3, Reading("codepoint", 2)) == (2, 2)


def test_nfc_composition_widens():
    pmap = PositionMap("Cafe\u0301 ok")
    assert pmap.text == "Café ok"
    assert pmap.span(4, 7, Reading("codepoint", 2)) == (3, 6)  # start inside "é" → its start
    assert pmap.span(0, 4, Reading("codepoint", 2)) == (0, 4)  # end inside "é" → its end


def test_word_boundaries():
    assert is_word_boundary("hej du", 3) and is_word_boundary("hej du", 0) and is_word_boundary("hej du", 6)
    assert not is_word_boundary("hej du", 2)
    assert not is_word_boundary("Cafe\u0301", 4)  # before a combining mark
    assert boundary_score("hej du", [(0, 3), (1, 2)]) == 2


def _positions(text: str, spans: list[tuple[int, int]], reading: Reading) -> list[tuple[int, int, None]]:
    """Code point spans of ``text`` (LF only) as a program counting ``reading`` writes them for CRLF text."""
    raw = text.replace("\n", "\r\n")

    def units(pos: int) -> int:
        prefix = text[:pos]
        n = len(prefix) + (prefix.count("\n") if reading.crlf == 2 else 0)
        if reading.unit == "utf16":
            n += sum(1 for c in prefix if ord(c) > 0xFFFF)
        return n

    assert len(raw) >= len(text)
    return [(units(a), units(b), None) for a, b in spans]


TEXT = "\n".join(
    [
        "@anna 😀😀 Nem értem, miért 🙂 kellene ez.",
        "@bo Det er 🎉 dejligt på biblioteket 👍 hver uge.",
        "Æbler 😀 og øl 🙂 og 𝄞 musik og kaffe ☕ om morgenen.",
    ]
    * 4
)


def _word_spans(text: str) -> list[tuple[int, int]]:
    import re

    words = [m.span() for m in re.finditer(r"\w+(?: \w+){0,3}", text)]
    return words[3::4]


@pytest.mark.parametrize("reading", READINGS, ids=lambda r: r.name)
def test_choose_reading_finds_the_unit_of_word_aligned_selections(reading):
    raw = TEXT.replace("\n", "\r\n")
    pmap = PositionMap(raw)
    spans = _word_spans(TEXT)
    choice = choose_reading(pmap, _positions(TEXT, spans, reading))
    assert choice.reading == reading
    assert choice.on_boundary == len(spans)
    assert [pmap.span(a, b, choice.reading) for a, b, _ in _positions(TEXT, spans, reading)] == spans


def test_choose_reading_uses_names_as_quoted_text():
    # ATLAS.ti names a selection by its text: that settles a tie.
    text = "ab 😀 cd ef"
    pmap = PositionMap(text)
    choice = choose_reading(pmap, [(6, 8, "cd")])  # UTF-16: "cd" starts at 6
    assert choice.reading.unit == "utf16"


def test_reading_names():
    for reading in READINGS:
        assert Reading.from_name(reading.name) == reading
        assert reading.describe()
    with pytest.raises(ValueError):
        Reading("bytes", 2)
