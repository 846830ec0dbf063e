"""Kodning makes codes while coding: in vivo (``v`` in the ``s`` mode) and from the picker.

Each is one step: the new code (and the "In vivo" group, made on demand)
and the coding with it are in the database at once, one ``u`` takes both
away, ``ctrl+r`` brings both back.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.tui.conftest import codings, make_app, settle
from tests.tui.long_turn import LONG_TURN, SOURCE, build_long_project
from tests.tui.test_coding import list_text, open_source
from trivselkode.storage.models import Code
from trivselkode.tui.coding.words import word_spans
from trivselkode.tui.common.picker import CodePickerDialog

pytestmark = pytest.mark.anyio
WORDS = word_spans(LONG_TURN)
BASE_CODES = 12  # the test codebook's codes


@pytest.fixture()
def long_project(tmp_path):  # noqa: ANN001, ANN201
    project = build_long_project(tmp_path / "lang.db")
    yield project
    project.dispose()


def made_codes(project) -> dict[str, tuple[str, str | None, str]]:  # noqa: ANN001
    """Key -> (name, parent key, kind) of the codes beyond the test codebook's, read fresh."""
    with project.read() as s:
        codes = list(s.exec(select(Code)))
    keys = {c.id: c.key for c in codes}
    assert len(codes) >= BASE_CODES
    base = {"T1", "T2", "T3", "T4", "T5", "T6", "T7", "B", "OLD", "B.social", "B.sikkerhed", "X.clash"}
    return {c.key: (c.name, keys.get(c.parent_id), c.kind) for c in codes if c.key not in base}


async def select_words(pilot, first: int, count: int) -> None:  # noqa: ANN001
    """In the s mode on the long turn: select ``count`` words from word ``first`` (within sentence 1)."""
    await pilot.press("s", *["W"] * first, "s", *["w"] * (count - 1))  # s again: the start's word alone


async def test_in_vivo_makes_the_code_under_the_confirmed_parent_and_codes_the_words(long_project) -> None:  # noqa: ANN001
    app = make_app(long_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_source(pilot, SOURCE)
        await select_words(pilot, 2, 3)  # "her næsten hver"
        span = (WORDS[2][0], WORDS[4][1])
        assert screen.cursor.selection() == span
        await pilot.press("v")
        dialog = app.screen
        assert isinstance(dialog, CodePickerDialog)
        assert "»her næsten hver«" in dialog.title_text
        assert dialog.shown[0].key == "+"  # no in-vivo code yet: a new "In vivo" group is the default
        await pilot.press("enter")
        await settle(pilot)
        assert made_codes(long_project) == {
            "IV": ("In vivo", None, "in vivo"),
            "IV.her-næsten-hver": ("her næsten hver", "IV", "in vivo"),
        }
        assert codings(long_project) == {(2, "IV.her-næsten-hver", *span)}
        assert screen.span is None
        assert " IV.her-næsten-hver [1] " in list_text(screen)  # the chip, with the new code's key

        await pilot.press("u")  # one step: the coding, the code and the group made for it
        await settle(pilot)
        assert codings(long_project) == set() and made_codes(long_project) == {}
        await pilot.press("ctrl+r")  # and back again
        await settle(pilot)
        assert codings(long_project) == {(2, "IV.her-næsten-hver", *span)}
        assert set(made_codes(long_project)) == {"IV", "IV.her-næsten-hver"}
        await pilot.press("u")  # the redone step undoes too (the codes have new ids now)
        await settle(pilot)
        assert codings(long_project) == set() and made_codes(long_project) == {}


async def test_in_vivo_under_another_parent_is_remembered(long_project) -> None:  # noqa: ANN001
    app = make_app(long_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_source(pilot, SOURCE)
        await select_words(pilot, 0, 2)  # "Jeg kommer"
        await pilot.press("v", *"sociale", "enter")  # under B.social, found by typing
        await settle(pilot)
        assert made_codes(long_project) == {"B.social.jeg-kommer": ("Jeg kommer", "B.social", "in vivo")}
        await select_words(pilot, 0, 2)  # the same words again: a second code, its name made unique
        await pilot.press("v")
        assert app.screen.shown[0].key == "B.social"  # where the last in-vivo code went
        await pilot.press("enter")
        await settle(pilot)
        assert made_codes(long_project)["B.social.jeg-kommer-2"] == ("Jeg kommer (2)", "B.social", "in vivo")
        assert {key for _n, key, _s, _e in codings(long_project)} == {"B.social.jeg-kommer", "B.social.jeg-kommer-2"}
        await select_words(pilot, 0, 1)
        await pilot.press("v", "escape")  # cancelled: nothing made, the selection stays
        await settle(pilot)
        assert len(made_codes(long_project)) == 2


async def test_the_picker_makes_a_code_and_applies_it_one_undo_removes_both(long_project) -> None:  # noqa: ANN001
    app = make_app(long_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_source(pilot, SOURCE)
        await pilot.press("space", *"Enkesorg")
        picker = app.screen
        assert isinstance(picker, CodePickerDialog)
        assert picker.shown[-1].label == "Enkesorg"  # "Opret kode 'Enkesorg' under …", last (or only)
        await pilot.press("ctrl+o", "b", "enter")  # under B (an exact key first)
        assert app.screen is picker and picker.parent_key == "B"
        await pilot.press(*["down"] * len(picker.shown), "enter")
        await settle(pilot)
        assert made_codes(long_project) == {"B.enkesorg": ("Enkesorg", "B", "")}
        assert codings(long_project) == {(2, "B.enkesorg", None, None)}
        assert screen.passage.number == 2
        await pilot.press("u")
        await settle(pilot)
        assert codings(long_project) == set() and made_codes(long_project) == {}
        await pilot.press("space", *"Savn")  # the parent chosen last is the default now
        assert app.screen.parent_key == "B"
        await pilot.press("escape")


async def test_the_span_picker_makes_a_code_for_the_span(long_project) -> None:  # noqa: ANN001
    app = make_app(long_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_source(pilot, SOURCE)
        await select_words(pilot, 1, 4)
        await pilot.press("enter", *"xqzv")  # matches no code: the new code is the only choice
        assert [c.label for c in app.screen.shown] == ["xqzv"]
        await pilot.press("enter")
        await settle(pilot)
        assert codings(long_project) == {(2, "xqzv", WORDS[1][0], WORDS[4][1])}
        assert made_codes(long_project) == {"xqzv": ("xqzv", None, "")}
        await pilot.press("space", *"xqzv")  # its own name now picks it: nothing more to make
        assert [c.key for c in app.screen.shown] == ["xqzv"]


async def test_the_apps_undo_from_another_screen_takes_the_code_too(long_project) -> None:  # noqa: ANN001
    """Undo and redo asked for away from Kodning (the retrieval screen's ``u``) treat the step as Kodning does."""
    app = make_app(long_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_source(pilot, SOURCE)
        await select_words(pilot, 2, 3)
        span = (WORDS[2][0], WORDS[4][1])
        await pilot.press("v", "enter")
        await settle(pilot)
        assert set(made_codes(long_project)) == {"IV", "IV.her-næsten-hver"}
        await pilot.press("escape")  # back to the overview: the app's own undo
        await settle(pilot)
        app.undo()
        await settle(pilot)
        assert codings(long_project) == set() and made_codes(long_project) == {}
        app.redo()
        await settle(pilot)
        assert codings(long_project) == {(2, "IV.her-næsten-hver", *span)}
        app.undo()  # the history holds the codes' new ids
        await settle(pilot)
        assert codings(long_project) == set() and made_codes(long_project) == {}
