"""Udtræk driven by its keys, with what it stores read back from the database."""

from __future__ import annotations

import pytest
from sqlmodel import select
from textual.widgets import Input

from tests.tui.conftest import code_ids, codings, make_app, passage_ids, settle
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.models import Coder, Star

pytestmark = pytest.mark.anyio


@pytest.fixture
def coded(tui_project):  # noqa: ANN001, ANN201
    """T1 by ann and bo on holstebro-1 #2, by ann on #4, by bo on the voxpop's #1; B.social by bo on #2."""
    pids, codes = passage_ids(tui_project), code_ids(tui_project)
    h, v = pids["holstebro-1"], pids["viborg-voxpop"]
    ops.toggle_code(tui_project, "ann", h[1], codes["T1"])
    ops.toggle_code(tui_project, "bo", h[1], codes["T1"])
    ops.toggle_code(tui_project, "bo", h[1], codes["B.social"])
    ops.toggle_code(tui_project, "ann", h[3], codes["T1"])
    ops.toggle_code(tui_project, "bo", v[0], codes["T1"])
    return tui_project


async def open_on(pilot, code: str = "T1"):  # noqa: ANN001, ANN201
    await settle(pilot)
    pilot.app.open_retrieval(code)
    await settle(pilot)
    screen = pilot.app.screen
    assert type(screen).__name__ == "RetrievalScreen"
    return screen


def shown(screen) -> list[tuple[str, int]]:  # noqa: ANN001
    return [(s.source, s.number) for s in screen.rows]


def where_coded(project, coder: str = "ann") -> set[tuple[str, int, str]]:  # noqa: ANN001
    """(source, passage number, code key) of a coder's codings, read fresh from the database."""
    from trivselkode.storage.models import Code, Coding, Passage, Source

    with project.read() as s:
        rows = s.exec(
            select(Source.name, Passage.number, Code.key)
            .join(Passage, Passage.source_id == Source.id)
            .join(Coding, Coding.passage_id == Passage.id)
            .join(Code, Coding.code_id == Code.id)
            .join(Coder, Coding.coder_id == Coder.id)
            .where(Coder.name == coder)
        ).all()
    return {tuple(r) for r in rows}


def stars(project, coder: str = "ann") -> set[int]:  # noqa: ANN001
    with project.read() as s:
        return set(s.exec(select(Star.passage_id).join(Coder, Coder.id == Star.coder_id).where(Coder.name == coder)))


@pytest.mark.both_backends
async def test_r_asks_for_a_code_and_lists_its_passages(coded) -> None:  # noqa: ANN001
    app = make_app(coded)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert type(app.screen).__name__ == "CodePickerDialog"
        await pilot.press(*"t1", "enter")
        await settle(pilot)
        screen = app.screen
        assert shown(screen) == [("holstebro-1", 2), ("holstebro-1", 4), ("viborg-voxpop", 1)]
        assert screen.rows[0].coders == ("ann", "bo")
        await pilot.press("escape")
        assert type(app.screen).__name__ == "OverviewScreen"


async def test_closing_the_picker_without_a_code_goes_back(coded) -> None:  # noqa: ANN001
    app = make_app(coded)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_other_screen("retrieval")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "OverviewScreen"


@pytest.mark.both_backends
async def test_code_keys_recode_and_uncode_the_row_undoably(coded) -> None:  # noqa: ANN001
    app = make_app(coded)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_on(pilot)
        await pilot.press("2")  # T2 on holstebro-1 #2
        await settle(pilot)
        assert codings(coded) == {(2, "T1", None, None), (2, "T2", None, None), (4, "T1", None, None)}
        assert [c.key for c in screen._mine[screen.rows[0].passage_id]] == ["T1", "T2"]
        await pilot.press("1")  # ann's T1 off #2: bo's stays, so the row stays with bo alone
        await settle(pilot)
        assert codings(coded) == {(2, "T2", None, None), (4, "T1", None, None)}
        assert screen.rows[0].coders == ("bo",)
        await pilot.press("j", "1")  # #4 was ann's alone: its row goes
        await settle(pilot)
        assert codings(coded) == {(2, "T2", None, None)}
        assert shown(screen) == [("holstebro-1", 2), ("viborg-voxpop", 1)]
        await pilot.press("u")
        await settle(pilot)
        assert codings(coded) == {(2, "T2", None, None), (4, "T1", None, None)}
        assert shown(screen) == [("holstebro-1", 2), ("holstebro-1", 4), ("viborg-voxpop", 1)]
        await pilot.press("u", "u")
        await settle(pilot)
        assert codings(coded) == {(2, "T1", None, None), (4, "T1", None, None)}
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert codings(coded) == {(2, "T1", None, None), (2, "T2", None, None), (4, "T1", None, None)}


async def test_any_code_from_the_picker_and_no_coding_of_interviewers(coded) -> None:  # noqa: ANN001
    pids, codes = passage_ids(coded), code_ids(coded)
    ops.toggle_code(coded, "bo", pids["holstebro-1"][0], codes["T1"])  # an interviewer's turn, coded by hand
    app = make_app(coded)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_on(pilot)
        assert shown(screen)[0] == ("holstebro-1", 1)
        await pilot.press("2")
        await settle(pilot)
        assert codings(coded) == {(2, "T1", None, None), (4, "T1", None, None)}  # refused
        await pilot.press("j", "space", *"sikker", "enter")
        await settle(pilot)
        assert (2, "B.sikkerhed", None, None) in codings(coded)


@pytest.mark.both_backends
async def test_star_from_a_row(coded) -> None:  # noqa: ANN001
    pids = passage_ids(coded)
    app = make_app(coded)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_on(pilot)
        await pilot.press("j", "asterisk")
        await settle(pilot)
        assert stars(coded) == {pids["holstebro-1"][3]}
        assert screen.rows[1].starred_by == ("ann",)
        await pilot.press("asterisk")
        await settle(pilot)
        assert stars(coded) == set()


async def test_enter_opens_kodning_at_the_passage_and_escape_comes_back(coded) -> None:  # noqa: ANN001
    app = make_app(coded)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_on(pilot)
        await pilot.press("G", "enter")
        await settle(pilot)
        coding = app.screen
        assert type(coding).__name__ == "CodingScreen"
        assert coding.source_name == "viborg-voxpop" and coding.passage.number == 1
        await pilot.press("3")  # coded there …
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        back = app.screen
        assert type(back).__name__ == "RetrievalScreen"
        assert shown(back)[-1] == ("viborg-voxpop", 1)
        assert [c.key for c in back._mine[back.rows[-1].passage_id]] == ["T3"]  # … and shown here


@pytest.mark.both_backends
async def test_typing_a_filter_narrows_the_rows(coded) -> None:  # noqa: ANN001
    app = make_app(coded)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_on(pilot)
        await pilot.press("slash", *"viborg")
        assert shown(screen) == [("viborg-voxpop", 1)]
        await pilot.press(*["backspace"] * 6, *"køn:kvinde")
        assert shown(screen) == [("holstebro-1", 2), ("holstebro-1", 4), ("viborg-voxpop", 1)]
        await pilot.press(*["backspace"] * 10, *"koder:ann")
        assert shown(screen) == [("holstebro-1", 2), ("holstebro-1", 4)]
        assert screen.rows[0].coders == ("ann",)
        await pilot.press(" ", *"alder:4")
        assert shown(screen) == []
        await pilot.press("escape")  # to the rows, the filter kept
        assert not isinstance(app.focused, Input) and screen.query_one(Input).value == "koder:ann alder:4"
        await pilot.press("slash", "end", *["backspace"] * 8, "enter")
        assert shown(screen) == [("holstebro-1", 2), ("holstebro-1", 4)]
        await pilot.press("2")  # a code key on the rows codes again (the field has let go)
        await settle(pilot)
        assert (2, "T2", None, None) in codings(coded)


async def test_combinations_and_order(coded) -> None:  # noqa: ANN001
    app = make_app(coded)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_on(pilot)
        await pilot.press("A", *"B.social", "enter")
        await settle(pilot)
        assert screen.request.all_of == ("B.social",) and shown(screen) == [("holstebro-1", 2)]
        await pilot.press("A", *"B.social", "enter")  # again: off
        await settle(pilot)
        await pilot.press("n", *"B.social", "enter")
        await settle(pilot)
        assert screen.request.none_of == ("B.social",)
        assert shown(screen) == [("holstebro-1", 4), ("viborg-voxpop", 1)]
        await pilot.press("o")
        lengths = [s.length for s in screen.rows]
        assert lengths == sorted(lengths, reverse=True) and screen.order == "length"
        await pilot.press("p", *"T2", "enter")
        await settle(pilot)
        assert screen.request.code == "T2" and shown(screen) == []


async def test_enter_on_a_code_in_kodebog_opens_its_rows_and_space_still_folds(coded) -> None:  # noqa: ANN001
    from textual.widgets import Tree

    app = make_app(coded)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_other_screen("codebook")
        await settle(pilot)
        tree = app.screen.query_one(Tree)
        tree.cursor_line = app.screen.order.index("B")
        await pilot.press("space")
        assert not tree.cursor_node.is_expanded
        tree.cursor_line = app.screen.order.index("T1")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert type(screen).__name__ == "RetrievalScreen" and screen.request.code == "T1"
        assert len(screen.rows) == 3


async def test_a_long_turn_is_read_to_its_end_in_the_box_below(tui_project) -> None:  # noqa: ANN001
    from sqlalchemy import insert

    from trivselkode.storage.models import Participant, Passage, Source

    long = " ".join(f"Sætning nummer {n} om at komme på biblioteket og møde de andre." for n in range(1, 25))
    with tui_project.write() as s:
        src = Source(name="randers-lang", text="", site="Randers")
        s.add(src)
        s.flush()
        person = Participant(source_id=src.id, label="P1", gender="kvinde", age=70)
        s.add(person)
        s.flush()
        s.execute(insert(Passage), [dict(source_id=src.id, number=1, participant_id=person.id, start=0,
                                         end=len(long), text=long, sentences=[])])  # fmt: skip
    ops.toggle_code(tui_project, "ann", passage_ids(tui_project)["randers-lang"][0], code_ids(tui_project)["T3"])
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_on(pilot, "T3")
        box = screen.query_one("#retrieval-detail")
        assert box.line_count > box.content_region.height  # longer than the box …
        assert "linjer mere" in box.render_line(box.content_region.height - 1).text
        await pilot.press("tab")
        assert app.focused is box
        for _ in range(10):
            await pilot.press("pagedown")
        assert box.offset_y == box.line_count - box.content_region.height  # … and read to its last line
        last = " ".join(box.render_line(y).text.strip() for y in range(box.content_region.height))
        assert last.endswith("Sætning nummer 24 om at komme på biblioteket og møde de andre.")
        await pilot.press("j")  # the row keys still move the rows
        assert screen.query_one("#retrieval-list").cursor == 0 and len(screen.rows) == 1


async def test_u_here_undoes_what_was_coded_in_kodning_and_the_rows_follow(coded) -> None:  # noqa: ANN001
    app = make_app(coded)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_coding("viborg-voxpop", 2)
        await settle(pilot)
        await pilot.press("1")  # T1 on the voxpop's #2, in Kodning
        await settle(pilot)
        assert ("viborg-voxpop", 2, "T1") in where_coded(coded)
        screen = await open_on(pilot)
        assert ("viborg-voxpop", 2) in shown(screen)
        await pilot.press("u")
        await settle(pilot)
        assert ("viborg-voxpop", 2, "T1") not in where_coded(coded)
        assert ("viborg-voxpop", 2) not in shown(screen)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert ("viborg-voxpop", 2) in shown(screen) and ("viborg-voxpop", 2, "T1") in where_coded(coded)
