"""Oversigt: sources, progress, filter, theme bars, opening a source; the start dialog and global keys."""

from __future__ import annotations

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input

from tests.tui.conftest import code_ids, make_app, passage_ids, settle
from trivselkode.storage import coding_ops as ops
from trivselkode.storage import consensus
from trivselkode.storage.codings import mark_done
from trivselkode.storage.models import Coder
from trivselkode.tui.coding.screen import CodingScreen
from trivselkode.tui.common.dialogs import CoderDialog
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.messages import JumpToPassage
from trivselkode.tui.overview.screen import OverviewScreen
from trivselkode.tui.overview.theme_bars import ThemeBars, bar

SIZES = [(120, 40), (80, 24)]
pytestmark = pytest.mark.anyio


def table_rows(app) -> list[list[str]]:  # noqa: ANN001
    table = app.screen.query_one("#sources", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.both_backends
async def test_sources_with_progress_and_done(tui_project, size) -> None:  # noqa: ANN001
    pids, codes = passage_ids(tui_project), code_ids(tui_project)
    ops.toggle_code(tui_project, "ann", pids["holstebro-1"][1], codes["T1"])  # passage 2, a participant
    ops.toggle_code(tui_project, "ann", pids["holstebro-1"][0], codes["T2"])  # passage 1, the interviewer: no progress
    mark_done(tui_project, "viborg-voxpop", "bo")
    app = make_app(tui_project)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        rows = table_rows(app)
        assert [r[0] for r in rows] == ["holstebro-1", "viborg-voxpop"]
        assert rows[0][1:6] == ["interview", "Holstebro", "bibliotek", "7", "1/4"]
        assert rows[1][5:] == ["0/2", "bo"]


@pytest.mark.both_backends
async def test_theme_bars_read_the_union_until_the_consensus_is_settled(tui_project) -> None:  # noqa: ANN001
    pids, codes = passage_ids(tui_project), code_ids(tui_project)
    ops.toggle_code(tui_project, "ann", pids["holstebro-1"][1], codes["T1"])
    ops.toggle_code(tui_project, "bo", pids["holstebro-1"][1], codes["T1"])  # same passage: once
    ops.toggle_code(tui_project, "bo", pids["holstebro-1"][3], codes["T1"])
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        bars = app.screen.query_one(ThemeBars)
        assert [(t.key, t.passages) for t in bars.themes][:2] == [("T1", 2), ("T2", 0)]
        assert bars.label == "Temaer – udsagn med temaet; grundlag: foreningsmængden af ann, bo"
        # bo's lone T1 settled "neither": nothing is open, the bars read the consensus.
        consensus.settle(tui_project, "holstebro-1", 4, "T1", "neither", ("ann", "bo"), "lead")
        await pilot.press("r")
        await settle(pilot)
        assert [(t.key, t.passages) for t in bars.themes][:2] == [("T1", 1), ("T2", 0)]
        assert bars.label == "Temaer – udsagn med temaet; grundlag: konsensus af ann og bo"
        rendered = "\n".join(bars.lines_in_view())
        assert "T1" in rendered and "█" in rendered and "T7" in rendered


def test_bar_is_drawn_in_eighths() -> None:
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██"
    assert bar(1, 16, 4) == "▎"  # 2 of 32 eighths
    assert bar(0, 10, 4) == "" and bar(3, 0, 4) == ""


async def test_typing_filters_and_escape_clears(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("v", "o", "x")
        assert app.screen.query_one("#filter", Input).value == "vox"
        assert [r[0] for r in table_rows(app)] == ["viborg-voxpop"]
        await pilot.press("backspace", "backspace", "backspace", "h", "o", "l", "s")
        assert [r[0] for r in table_rows(app)] == ["holstebro-1"]
        await pilot.press("escape")
        assert app.screen.query_one("#filter", Input).value == ""
        assert len(table_rows(app)) == 2
        assert isinstance(app.focused, DataTable)


async def test_filter_enter_opens_the_match(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "v", "i", "b", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CodingScreen)
        assert app.screen.source_name == "viborg-voxpop"


async def test_enter_opens_source_and_escape_returns(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CodingScreen) and app.screen.source_name == "viborg-voxpop"
        await pilot.press("1")  # code something, so progress changes
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert table_rows(app)[1][5] == "1/2"


async def test_help_from_table_and_from_filter(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpDialog)
        assert any("Søgning" in what for _title, rows in app.screen.sections for _k, what in rows)
        await pilot.press("escape")
        assert isinstance(app.screen, OverviewScreen)
        await pilot.press("slash", "question_mark")
        assert isinstance(app.screen, HelpDialog)
        await pilot.press("question_mark")  # ? again closes it
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.query_one("#filter", Input).value == ""


@pytest.mark.both_backends
async def test_coder_dialog_asks_once_and_creates_nothing(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project, coder=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CoderDialog)
        await pilot.press("a", "space", "b", "enter")  # not a valid name
        assert isinstance(app.screen, CoderDialog)
        assert "ugyldigt" in str(app.screen.query_one("#coder-error").render())
        for _ in range(3):
            await pilot.press("backspace")
        await pilot.press("k", "i", "m", "enter")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert app.coder == "kim"
        with tui_project.read() as s:
            assert s.exec(select(Coder)).all() == []  # created on the first coding only
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        with tui_project.read() as s:
            assert [c.name for c in s.exec(select(Coder))] == ["kim"]


async def test_coder_dialog_refuses_consensus_and_escape_quits(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project, coder=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"konsensus", "enter")
        assert isinstance(app.screen, CoderDialog)
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 0 or app.return_code is None
    assert not app.is_running


async def test_jump_to_passage_message_opens_coding_there(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.post_message(JumpToPassage("holstebro-1", 5))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        assert screen.passage.number == 5
        # a second jump into the same source moves the cursor, no new screen
        app.post_message(JumpToPassage("holstebro-1", 7))
        await settle(pilot)
        assert app.screen is screen and screen.passage.number == 7
        assert len([s for s in app.screen_stack if isinstance(s, CodingScreen)]) == 1


async def test_other_screens_missing_module_is_a_notification(tui_project, monkeypatch) -> None:  # noqa: ANN001
    from trivselkode.tui import app as app_module

    monkeypatch.setitem(app_module.OTHER_SCREENS, "search", ("trivselkode.tui.screens.nowhere", "X", "Søgning"))
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
        assert any("Søgning" in n.message and n.severity == "warning" for n in app._notifications)


async def test_codebook_and_search_keys_open_screens(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        assert type(app.screen).__name__ == "CodebookScreen" or any("Kodebog" in n.message for n in app._notifications)


@pytest.mark.both_backends
async def test_reload_shows_changes_by_others(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert table_rows(app)[0][6] == ""
        mark_done(tui_project, "holstebro-1", "bo")
        await pilot.press("r")
        await settle(pilot)
        assert table_rows(app)[0][6] == "bo"


@pytest.mark.parametrize(
    ("key", "screen", "title"), [("E", "AgreementScreen", "Enighed"), ("X", "ExportScreen", "Eksport")]
)
async def test_keys_open_enighed_and_eksport(tui_project, key, screen, title) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        assert type(app.screen).__name__ == screen or any(title in n.message for n in app._notifications)
        if type(app.screen).__name__ == screen:
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, OverviewScreen)


async def test_screen_with_its_own_keys_dialog_gets_the_question_mark(tui_project) -> None:  # noqa: ANN001
    from textual.binding import Binding
    from textual.screen import Screen

    class OwnKeys(Screen):
        BINDINGS = [Binding("question_mark", "own_keys", "Taster")]
        shown = 0

        def action_own_keys(self) -> None:
            OwnKeys.shown += 1

    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(OwnKeys())
        await pilot.pause()
        await pilot.press("question_mark")
        assert OwnKeys.shown == 1 and not isinstance(app.screen, HelpDialog)


@pytest.mark.both_backends
async def test_codings_changed_elsewhere_reloads_the_coding_screen(tui_project) -> None:  # noqa: ANN001
    from textual.screen import Screen

    from trivselkode.tui.messages import CodingsChanged

    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_coding("holstebro-1", None)
        await settle(pilot)
        coding = app.screen
        app.push_screen(Screen())  # e.g. Søgning coding straight from its results
        await pilot.pause()
        pids, codes = passage_ids(tui_project), code_ids(tui_project)
        ops.toggle_code(tui_project, "ann", pids["holstebro-1"][1], codes["T3"])
        app.post_message(CodingsChanged("holstebro-1"))
        await pilot.pause()
        app.pop_screen()
        await settle(pilot)
        assert app.screen is coding
        assert any(f.code_id == codes["T3"] for f in coding.view.mine.get(pids["holstebro-1"][1], []))


async def test_fast_typing_with_bound_letters_goes_to_the_filter(tui_project) -> None:  # noqa: ANN001
    """Keys that arrive before the focus lands on the filter are part of the filter, even r and q."""
    from textual import events

    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for char in "vibor":  # queued at once, as a terminal delivers fast typing
            app.post_message(events.Key(char, char))
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#filter", Input).value == "vibor"
        assert [r[0] for r in table_rows(app)] == ["viborg-voxpop"]
        await pilot.press("q")  # the filter has focus now: typed, not quit
        assert app.is_running and app.screen.query_one("#filter", Input).value == "viborq"


def test_cli_prints_the_overview_when_not_on_a_terminal(tui_project) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from trivselkode.cli.main import app as cli

    result = CliRunner().invoke(cli, ["--db", tui_project.display_name])
    assert result.exit_code == 0, result.output
    assert "2 kilder · 9 udsagn" in result.output and "Kilde" in result.output


def test_cli_opens_the_tui_on_a_terminal(tui_project, monkeypatch) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from trivselkode.cli import project as cli_project
    from trivselkode.cli.main import app as cli
    from trivselkode.tui import app as tui_app

    opened = []
    monkeypatch.setattr(cli_project, "on_terminal", lambda: True)
    monkeypatch.setattr(tui_app, "run_tui", lambda project, settings: opened.append((project.display_name, settings)))
    result = CliRunner().invoke(cli, ["--db", tui_project.display_name, "--coder", "kim"])
    assert result.exit_code == 0, result.output
    assert opened == [(tui_project.display_name, opened[0][1])] and opened[0][1].coder == "kim"
    assert "kilder" not in result.output  # the UI, not the printed overview
