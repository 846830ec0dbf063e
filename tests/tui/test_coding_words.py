"""Kodning on a long turn: coding any run of words, paging through a tall passage, ``n`` at the end.

Every test drives the real app with Pilot on a real SQLite project (a
transcript with a 1,504-character turn) and checks the database.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import code_ids, codings, make_app, passage_ids, settle
from tests.tui.long_turn import LONG_TURN, SOURCE, build_long_project
from tests.tui.test_coding import list_text, notes, open_source
from trivselkode.storage import coding_ops as ops
from trivselkode.tui.coding.passage_list import PassageList
from trivselkode.tui.coding.screen import CodingScreen
from trivselkode.tui.coding.span_mode import SpanMode
from trivselkode.tui.coding.words import word_spans
from trivselkode.tui.common.confirm import ConfirmDialog
from trivselkode.tui.common.picker import CodePickerDialog

pytestmark = pytest.mark.anyio
WORDS = word_spans(LONG_TURN)


@pytest.fixture()
def long_project(tmp_path):  # noqa: ANN001, ANN201
    project = build_long_project(tmp_path / "lang.db")
    yield project
    project.dispose()


def selection_line_visible(screen: CodingScreen) -> bool:
    """Whether the line holding the end of the selection is on screen."""
    plist = screen.query_one(PassageList)
    start, end = screen.cursor.selection()
    line = plist.block_region(plist.cursor).y + plist.row_of(plist.cursor, end - 1)
    top = int(plist.scroll_offset.y)
    return top <= line < top + plist.scrollable_content_region.height


def word_index_at(offset: int) -> int:
    return next(i for i, (s, _e) in enumerate(WORDS) if s >= offset)


async def test_three_words_in_the_middle_of_a_long_turn(long_project) -> None:  # noqa: ANN001
    app = make_app(long_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_source(pilot, SOURCE)
        assert screen.passage.number == 2 and len(screen.passage.text) >= 1500
        await pilot.press("s", "shift+right", "shift+right", "shift+right")  # the start at sentence 4
        sentence4 = screen.passage.sentence_spans()[3][0]
        await pilot.press("W")  # the start a word on: the sentence's second word
        first = word_index_at(sentence4) + 1
        assert screen.cursor.selection()[0] == WORDS[first][0]
        await pilot.press(*["b"] * 40)  # the end back to the start's word: never less than one word
        assert screen.cursor.selection() == WORDS[first]
        await pilot.press("w", "ctrl+right")  # two words more, by either key
        start, end = WORDS[first][0], WORDS[first + 2][1]
        assert screen.cursor.selection() == (start, end)
        assert "3 ord" in str(screen.query_one(SpanMode).render())
        assert selection_line_visible(screen)
        await pilot.press("enter")  # no code used here yet: the picker asks which
        assert isinstance(app.screen, CodePickerDialog)
        await pilot.press("t", "3", "enter")
        await settle(pilot)
        assert codings(long_project) == {(2, "T3", start, end)}
        assert screen.span is None  # the s mode is over once it is stored


async def test_word_keys_are_code_shortcuts_outside_the_span_mode(long_project) -> None:  # noqa: ANN001
    app = make_app(long_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_source(pilot, SOURCE)
        await pilot.press("b")  # B.social's shortcut, as ever
        await settle(pilot)
        assert codings(long_project) == {(2, "B.social", None, None)}
        await pilot.press("s", "b", "escape")  # in the mode, b shrinks the selection: nothing is coded
        await settle(pilot)
        assert codings(long_project) == {(2, "B.social", None, None)}


async def test_page_down_reads_a_tall_turn_to_its_end_before_moving_on(long_project) -> None:  # noqa: ANN001
    app = make_app(long_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_source(pilot, SOURCE)
        plist = screen.query_one(PassageList)
        view_h = plist.scrollable_content_region.height
        assert plist.block_region(screen.cursor.index).height > view_h  # taller than the list at 80×24
        assert "Jeg kommer her næsten" in list_text(screen)
        tops = [int(plist.scroll_offset.y)]
        while "noget af mig." not in list_text(screen):
            await pilot.press("pagedown")
            assert screen.passage.number == 2  # still in the long turn
            tops.append(int(plist.scroll_offset.y))
            assert tops[-1] > tops[-2] and tops[-1] - tops[-2] <= view_h  # a page at most: no line skipped
        await pilot.press("pagedown")  # at its end: on to the next participant's turn
        assert screen.passage.number == 4
        await pilot.press("pageup")  # back: the long turn's end is shown
        assert screen.passage.number == 2
        assert "noget af mig." in list_text(screen)
        await pilot.press("pageup")
        assert screen.passage.number == 2 and int(plist.scroll_offset.y) < tops[-1]


async def test_growing_a_selection_keeps_its_end_on_screen(long_project) -> None:  # noqa: ANN001
    app = make_app(long_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_source(pilot, SOURCE)
        await pilot.press("s")
        for _sentence in screen.passage.sentence_spans()[1:]:
            await pilot.press("right")
            assert selection_line_visible(screen)
        assert screen.cursor.selection()[1] == len(LONG_TURN)
        assert "noget af mig." in list_text(screen)
        await pilot.press("pageup", "pagedown")  # paging within the turn keeps the selection
        assert screen.span is not None
        for _word in range(12):
            await pilot.press("b")
            assert selection_line_visible(screen)
        await pilot.press("enter", "t", "1", "enter")
        await settle(pilot)
        ((number, key, start, end),) = codings(long_project)
        assert (number, key, start, end) == (2, "T1", 0, WORDS[-13][1])  # twelve words off the end
        assert LONG_TURN[:end].endswith("jeg mener")


async def test_n_at_the_end_offers_the_next_unfinished_source(long_project) -> None:  # noqa: ANN001
    pids, codes = passage_ids(long_project), code_ids(long_project)
    for number in (2, 4, 5, 7):  # every participant's passage of holstebro-1
        ops.toggle_code(long_project, "ann", pids["holstebro-1"][number - 1], codes["T1"])
    app = make_app(long_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_source(pilot, "holstebro-1")
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "intet mere at kode i holstebro-1" in app.screen.question
        assert "lang-tur (0 af 2 kodet)" in app.screen.question
        await pilot.press("escape")  # stay
        await settle(pilot)
        assert app.screen is screen and screen.source_name == "holstebro-1"
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("enter")  # open it
        for _round in range(50):
            await settle(pilot)
            if isinstance(app.screen, CodingScreen) and app.screen.loaded and app.screen is not screen:
                break
        assert isinstance(app.screen, CodingScreen) and app.screen.source_name == SOURCE
        assert app.screen.passage.number == 2


async def test_n_with_nothing_left_anywhere_says_so(long_project) -> None:  # noqa: ANN001
    pids, codes = passage_ids(long_project), code_ids(long_project)
    for ids in pids.values():
        for pid in ids:
            ops.toggle_code(long_project, "ann", pid, codes["T1"])
    app = make_app(long_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_source(pilot, SOURCE)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
        assert any("ingen anden kilde mangler" in msg for _s, msg in notes(app))
