"""Citatvalg (ctrl+o in Eksport): picking, ordering and dropping quotes, checked in the database and the export.

The project is :func:`tests.unit.test_export_jobs.build_export_project`: T3
has two candidates, viborg-voxpop#1 (bo's) and viborg-voxpop#2 (anne's and
bo's); B.social has holstebro-1#5 and viborg-voxpop#1.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from tests.tui.test_export_screen import Host, choose, export_to, screen_of, settle, status
from tests.unit.test_export_jobs import build_export_project
from trivselkode.storage.backup import restore
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.models import Code, Passage, QuoteChoice, Source
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.export.quote_choice import QuoteChoiceScreen

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("quote-choice") / "projekt.db"
    build_export_project(path).dispose()
    return path


@pytest.fixture
def project(template: Path, tmp_path: Path, tui_db: str):  # noqa: ANN201
    if tui_db.startswith("postgresql"):
        proj, _ = open_project(tui_db)
        restore(proj, template)
    else:
        folder = tmp_path / "db"
        folder.mkdir()
        shutil.copy(template, folder / "projekt.db")
        proj, _ = open_project(str(folder / "projekt.db"))
    yield proj
    proj.dispose()


def choices(project: Project) -> list[tuple[str, str, int, str, int, str]]:
    """(code, source, passage, state, position, chosen_by) of every QuoteChoice row, read fresh."""
    with project.read() as s:
        rows = s.exec(
            select(
                Code.key, Source.name, Passage.number, QuoteChoice.state, QuoteChoice.position, QuoteChoice.chosen_by
            )
            .join(Code, Code.id == QuoteChoice.code_id)
            .join(Passage, Passage.id == QuoteChoice.passage_id)
            .join(Source, Source.id == Passage.source_id)
        ).all()
    return sorted((tuple(r) for r in rows), key=lambda r: (r[0], r[3], r[4], r[2]))


def choice_screen(pilot: Pilot) -> QuoteChoiceScreen:
    screen = pilot.app.screen
    assert isinstance(screen, QuoteChoiceScreen)
    return screen


def listed(screen: QuoteChoiceScreen) -> list[tuple[int | None, str, str]]:
    """(rank, state, ref) of the candidates the screen shows for its code."""
    group = screen.group()
    assert group is not None
    return [(r["rank"], r["state"], r["ref"]) for r in group["candidates"]]


async def open_choice(pilot: Pilot, codes: str, n: str) -> QuoteChoiceScreen:
    await settle(pilot)
    export = await choose(pilot, "quotes")
    export.query_one("#ex-codes", Input).value = codes
    export.query_one("#ex-n", Input).value = n
    await pilot.press("ctrl+o")
    await settle(pilot)
    screen = choice_screen(pilot)
    assert screen.focused is screen.query_one("#qc-candidates", OptionList)
    return screen


async def test_pick_reorder_and_drop_are_stored_and_the_next_export_keeps_them(project, tmp_path):
    async with Host(project).run_test(size=(80, 24)) as pilot:
        screen = await open_choice(pilot, "T3", "1")
        assert screen.code == "T3"
        # The automatic choice: the passage both coders agree on.
        assert listed(screen) == [(1, "auto", "viborg-voxpop#2"), (None, "candidate", "viborg-voxpop#1")]
        detail = str(screen.query_one("#qc-detail", Static).render())
        assert "viborg-voxpop, udsagn 2" in detail and "– Mand, 71 år, Viborg" in detail

        await pilot.press("down", "space")  # pick viborg-voxpop#1
        await settle(pilot)
        assert choices(project) == [("T3", "viborg-voxpop", 1, "picked", 1, "anne")]
        assert listed(screen) == [(1, "picked", "viborg-voxpop#1"), (None, "candidate", "viborg-voxpop#2")]
        assert screen.highlighted_row()["ref"] == "viborg-voxpop#1"  # the cursor stays on the passage

        await pilot.press("down", "enter")  # Enter picks too: viborg-voxpop#2 second
        await settle(pilot)
        assert choices(project) == [
            ("T3", "viborg-voxpop", 1, "picked", 1, "anne"),
            ("T3", "viborg-voxpop", 2, "picked", 2, "anne"),
        ]
        await pilot.press("left_square_bracket")  # move viborg-voxpop#2 up
        await settle(pilot)
        assert choices(project) == [
            ("T3", "viborg-voxpop", 2, "picked", 1, "anne"),
            ("T3", "viborg-voxpop", 1, "picked", 2, "anne"),
        ]
        assert listed(screen) == [(1, "picked", "viborg-voxpop#2"), (2, "picked", "viborg-voxpop#1")]
        await pilot.press("alt+down")  # and down again, then up with alt+↑
        await settle(pilot)
        assert [r[2] for r in choices(project)] == [1, 2]
        await pilot.press("alt+up")
        await settle(pilot)
        assert [r[2] for r in choices(project)] == [2, 1]

        await pilot.press("down", "x")  # drop viborg-voxpop#1
        await settle(pilot)
        assert choices(project) == [
            ("T3", "viborg-voxpop", 1, "dropped", 0, "anne"),
            ("T3", "viborg-voxpop", 2, "picked", 1, "anne"),
        ]
        assert listed(screen) == [(1, "picked", "viborg-voxpop#2"), (None, "dropped", "viborg-voxpop#1")]

        await pilot.press("escape")
        await pilot.pause()
        export = screen_of(pilot)
        export.query_one("#ex-fmt").value = "md"
        export.query_one("#ex-n", Input).value = "2"  # room for both: the dropped one stays out all the same
        await export_to(pilot, tmp_path / "citater.md")
        assert status(export).startswith("✓"), status(export)
    text = (tmp_path / "citater.md").read_text(encoding="utf-8")
    assert "(viborg-voxpop, udsagn 2)" in text
    assert "udsagn 1)" not in text and "Foredraget i aftes" not in text
    assert text.count("> “") == 1


async def test_take_back_and_release_and_refused_moves(project):
    async with Host(project).run_test(size=(80, 24)) as pilot:
        screen = await open_choice(pilot, "", "5")  # every coded code
        codes = [o.id for o in screen.query_one("#qc-codes", OptionList).options]
        assert "T3" in codes and "B.social" in codes
        screen.query_one("#qc-codes", OptionList).highlighted = codes.index("B.social")
        await pilot.pause()
        assert screen.code == "B.social"
        await pilot.press("x")  # drop the first
        await settle(pilot)
        first = choices(project)
        assert [(r[0], r[3]) for r in first] == [("B.social", "dropped")]
        await pilot.press("x")  # x again takes it back: no row
        await settle(pilot)
        assert choices(project) == []
        await pilot.press("left_square_bracket")  # not picked: nothing moves, it says why
        await settle(pilot)
        assert choices(project) == []
        assert any("Kun et valgt citat kan flyttes" in n for _, n in pilot.app.notes)
        await pilot.press("space", "u")  # picked, then back to the automatic choice
        await settle(pilot)
        assert choices(project) == []
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is screen


async def test_a_refused_change_is_said_and_stores_nothing(project):
    async with Host(project).run_test(size=(80, 24)) as pilot:
        screen = await open_choice(pilot, "T3", "1")
        with project.write() as s:  # another coder removes the codings under the screen's feet
            for c in s.exec(select(Code).where(Code.key == "T3")):
                s.delete(c)
        await pilot.press("space")
        await settle(pilot)
        assert choices(project) == []
        assert any(sev == "error" and "T3" in n for sev, n in pilot.app.notes)
        assert "✗" in str(screen.query_one("#qc-status", Static).render())


def test_snapshot_80x24(snap_compare, template, tmp_path):  # noqa: ANN001
    """Citatvalg at 80×24 on B.social: a picked quote first, then the automatic choice; the detail below."""
    shutil.copy(template, tmp_path / "projekt.db")
    proj, _ = open_project(str(tmp_path / "projekt.db"))
    from trivselkode.storage import quote_choices

    quote_choices.pick(proj, "B.social", "viborg-voxpop", 1, "anne")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await choose(pilot, "quotes")
        screen = screen_of(pilot)
        screen.query_one("#ex-codes", Input).value = "B.social,T3"
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("shift+tab", "down", "tab")  # to the codes, B.social, back to its candidates
        await settle(pilot)
        assert choice_screen(pilot).code == "B.social"

    try:
        assert snap_compare(Host(proj), terminal_size=(80, 24), run_before=run_before)
    finally:
        proj.dispose()


async def test_in_the_app_x_then_ctrl_o_opens_citatvalg_and_the_coder_is_recorded(tui_project):
    from tests.tui.conftest import code_ids, make_app, passage_ids
    from trivselkode.storage import coding_ops as ops

    pids, codes = passage_ids(tui_project), code_ids(tui_project)
    for number in (2, 4):  # P1's two passages in holstebro-1, coded T2 by bo
        ops.toggle_code(tui_project, "bo", pids["holstebro-1"][number - 1], codes["T2"])
    async with make_app(tui_project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("X")
        await settle(pilot)
        export = screen_of(pilot)
        await pilot.press("ctrl+o")  # from the first export (Temafrekvenser): switches to Citater
        await settle(pilot)
        assert export.kind == "quotes"
        screen = choice_screen(pilot)
        assert screen.code == "T2" and len(screen.group()["candidates"]) == 2
        second = listed(screen)[1]
        assert second[:2] == (2, "auto")  # n=5: both in the export, the second after the first
        await pilot.press("down", "space")
        await settle(pilot)
        number = int(second[2].split("#")[1])
        assert choices(tui_project) == [("T2", "holstebro-1", number, "picked", 1, "ann")]
        assert listed(screen)[0] == (1, "picked", second[2])
        await pilot.press("X")  # the Eksport key goes back to the screen on the stack
        await settle(pilot)
        assert pilot.app.screen is export
