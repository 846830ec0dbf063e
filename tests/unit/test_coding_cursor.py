"""The coding screen's cursor and sub-span, as a plain class (no Textual, no Pilot)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from trivselkode.storage.coding_ops import PassageInfo
from trivselkode.storage.models import INTERVIEWER
from trivselkode.tui.coding.cursor import PassageCursor


def passage(
    number: int, text: str, *, interviewer: bool = False, sentences: list[list[int]] | None = None
) -> PassageInfo:
    return PassageInfo(
        id=100 + number,
        number=number,
        participant_id=1 if interviewer else 2,
        label="I" if interviewer else "P1",
        role=INTERVIEWER if interviewer else "participant",
        gender=None,
        age=None,
        site=None,
        attributes={},
        text=text,
        sentences=sentences if sentences is not None else [],
    )


THREE = "Jeg føler mig tryg. Ingen dømmer mig. Jeg kommer hver uge."
THREE_SENTENCES = [[0, 19], [20, 37], [38, len(THREE)]]


@pytest.fixture
def cursor() -> PassageCursor:
    passages = [
        passage(1, "Hvordan har du det?", interviewer=True),
        passage(2, THREE, sentences=THREE_SENTENCES),
        passage(3, "Og biblioteket?", interviewer=True),
        passage(4, "Jeg låner bøger."),
        passage(5, "Jeg mødes med andre."),
        passage(6, "Tak for snakken.", interviewer=True),
    ]
    return PassageCursor(passages, 1)


def test_an_empty_cursor_has_no_passage() -> None:
    empty = PassageCursor()
    assert empty.passage is None
    assert empty.step(1) is None
    assert empty.find("jeg", 1) is None
    assert empty.selection() is None
    assert empty.clamp(5) == 0


def test_steps_skip_the_interviewer(cursor: PassageCursor) -> None:
    assert cursor.passage is not None and cursor.passage.number == 2
    assert cursor.step(1) == 3  # passage 4, over the interviewer's 3
    assert cursor.step(-1) is None  # only the interviewer before
    cursor.index = 4
    assert cursor.step(1) is None
    assert cursor.step(-1) == 3


def test_steps_with_a_predicate(cursor: PassageCursor) -> None:
    uncoded = {104, 105}.__contains__
    assert cursor.step(1, lambda p: uncoded(p.id)) == 3
    cursor.index = 3
    assert cursor.step(1, lambda p: p.number == 2) is None
    assert cursor.step(-1, lambda p: p.number == 2) == 1


def test_first_last_and_page_targets(cursor: PassageCursor) -> None:
    assert cursor.first() == 1
    assert cursor.last() == 4
    assert cursor.participant_from(2, 1) == 3
    assert cursor.participant_from(2, -1) == 1
    assert cursor.participant_from(5, 1) is None
    only_interviewer = PassageCursor([passage(1, "Hej?", interviewer=True)])
    assert only_interviewer.first() == 0 and only_interviewer.last() == 0


def test_clamp_keeps_the_index_in_the_source(cursor: PassageCursor) -> None:
    assert cursor.clamp(-3) == 0
    assert cursor.clamp(99) == 5
    assert cursor.clamp(2) == 2


def test_find_goes_round_and_says_so(cursor: PassageCursor) -> None:
    assert cursor.find("JEG", 1) == (3, False)  # any case
    cursor.index = 4
    assert cursor.find("jeg", 1) == (1, True)  # from the beginning again
    assert cursor.find("jeg", -1) == (3, False)
    cursor.index = 1
    assert cursor.find("jeg", -1) == (4, True)  # from the end again
    assert cursor.find("tryg", 1) == (1, True)  # only the passage itself
    assert cursor.find("xyzzy", 1) is None


def test_span_widens_narrows_and_moves_its_start(cursor: PassageCursor) -> None:
    assert cursor.span is None and cursor.selection() is None
    cursor.span_end(1)  # outside the s mode: nothing
    assert cursor.span is None
    cursor.start_span()
    assert cursor.span == (0, 0)
    assert cursor.selection() == (0, 19)
    cursor.span_end(1)
    cursor.span_end(1)
    cursor.span_end(1)  # no further than the last sentence
    assert cursor.span == (0, 2)
    cursor.span_end(-1)
    assert cursor.span == (0, 1)
    cursor.span_start(1)
    assert cursor.span == (1, 1)
    cursor.span_start(1)  # the end follows the start
    assert cursor.span == (2, 2)
    cursor.span_end(-1)  # never before the start
    assert cursor.span == (2, 2)
    cursor.span_start(-5)
    assert cursor.span == (0, 2)
    assert cursor.selection() == (0, len(THREE))
    assert cursor.sentence_count() == 3
    assert cursor.cancel_span() is True
    assert cursor.cancel_span() is False
    assert cursor.span is None


def test_a_passage_without_sentences_is_one(cursor: PassageCursor) -> None:
    cursor.index = 3
    cursor.start_span()
    cursor.span_end(1)
    cursor.span_start(1)
    assert cursor.span == (0, 0)
    assert cursor.selection() == (0, len("Jeg låner bøger."))


def test_a_reload_keeps_the_span(cursor: PassageCursor) -> None:
    cursor.start_span()
    passages = list(cursor.passages)
    cursor.load(passages, 1)
    assert cursor.span == (0, 0) and cursor.passages is passages


def test_the_cursor_needs_no_textual() -> None:
    code = "import sys, trivselkode.tui.coding.cursor; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_words_hold_danish_letters_hyphens_and_their_punctuation() -> None:
    from trivselkode.tui.coding.words import word_spans

    text = "„Tryg” – æblerne på IT-kurset, rock'n'roll… (ofte)."
    assert [text[s:e] for s, e in word_spans(text)] == [
        "„Tryg”",
        "æblerne",
        "på",
        "IT-kurset,",
        "rock'n'roll…",
        "(ofte).",
    ]
    assert word_spans("") == [] and word_spans(" – ") == []


def test_the_selection_grows_and_shrinks_by_words(cursor: PassageCursor) -> None:
    cursor.word_end(1)  # outside the s mode: nothing
    assert cursor.selection() is None
    cursor.start_span()  # "Jeg føler mig tryg."
    for _ in range(4):
        cursor.word_end(-1)  # never less than the first word
    assert cursor.selection() == (0, 3) and cursor.selected_text() == "Jeg"
    cursor.word_end(1)
    cursor.word_end(1)
    assert cursor.selected_text() == "Jeg føler mig"
    assert cursor.span == (0, 0)
    for _ in range(3):
        cursor.word_end(1)  # on into the next sentence
    assert cursor.selected_text() == "Jeg føler mig tryg. Ingen dømmer"
    assert cursor.span == (0, 1)
    cursor.span_end(1)  # a sentence move from a word: to the end of this sentence
    assert cursor.selected_text().endswith("dømmer mig.")
    cursor.span_end(-1)
    assert cursor.selection() == (0, 19)
    for _ in range(8):
        cursor.word_end(1)
    assert cursor.selection() == (0, len(THREE))  # no further than the text


def test_the_start_moves_by_words_and_the_end_follows(cursor: PassageCursor) -> None:
    cursor.start_span()
    cursor.word_start(1)
    cursor.word_start(1)
    assert cursor.selected_text() == "mig tryg."
    cursor.word_start(1)
    cursor.word_start(1)  # past the end: the end follows to the start's word
    assert cursor.selected_text() == "Ingen"
    cursor.word_start(-1)
    assert cursor.selected_text() == "tryg. Ingen"
    cursor.span_start(-1)  # a sentence move from a word: to the start of this sentence
    assert cursor.selected_text() == "Jeg føler mig tryg. Ingen"


def test_s_again_keeps_only_the_first_word(cursor: PassageCursor) -> None:
    cursor.first_word()  # outside the s mode: nothing
    assert cursor.selection() is None
    cursor.start_span()
    cursor.span_end(1)
    cursor.word_start(1)
    cursor.first_word()
    assert cursor.selected_text() == "føler"
