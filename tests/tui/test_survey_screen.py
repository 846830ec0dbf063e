"""Spørgeskema: the survey's dimensions and, for the dimension under the cursor, the joint display.

A real SQLite project with a survey imported (``tests.survey_fixtures.survey_project``: three
dimensions, two rounds, theme codings by two coders on the open answers), the real app and its
keys. What the screen shows is checked against the core's own report and joint display
(:func:`build_survey_report`, :func:`build_joint_display`) computed beside it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import DataTable, Static

from tests.survey_fixtures import survey_project, write_survey_files
from tests.tui.conftest import build_project, make_app, settle
from trivselkode.analysis.survey_joint import build_joint_display
from trivselkode.analysis.survey_report import build_survey_report, plain_line
from trivselkode.i18n import set_language
from trivselkode.importers.survey import import_survey
from trivselkode.storage.db import Project
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.overview.screen import OverviewScreen
from trivselkode.tui.survey.screen import SurveyScreen
from trivselkode.tui.survey.tables import mean_ci, num, points, share

pytestmark = pytest.mark.anyio


@pytest.fixture
def project(tmp_path: Path):  # noqa: ANN201
    project = survey_project(tmp_path)
    yield project
    project.dispose()


@pytest.fixture
def closed_project(tmp_path: Path):  # noqa: ANN201
    """A survey without open answers: the dimension table, no joint display."""
    project = survey_project(tmp_path, open_answers=False)
    yield project
    project.dispose()


@pytest.fixture
def empty_project(tmp_path: Path):  # noqa: ANN201
    """The TUI tests' small project: sources and codes, no survey."""
    project = build_project(tmp_path / "plain.db")
    yield project
    project.dispose()


@pytest.fixture
def english():  # noqa: ANN201
    set_language("en")
    yield
    set_language("da")


def plain(widget: Static) -> str:
    """What a Static shows, as plain text (whatever renderable it holds)."""
    console = Console(width=400, record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


def cells(table: DataTable, row: int) -> list[str]:
    return [str(getattr(c, "plain", c)) for c in table.get_row_at(row)]


def headings(table: DataTable) -> list[str]:
    return [str(getattr(c.label, "plain", c.label)) for c in table.columns.values()]


async def open_survey(pilot, key: str = "P") -> SurveyScreen:  # noqa: ANN001
    await settle(pilot)
    assert isinstance(pilot.app.screen, OverviewScreen)
    await pilot.press(key)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SurveyScreen), screen
    return screen


# ------------------------------------------------------------------------------------------- the table


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_p_opens_every_dimension_with_the_reports_figures(project: Project, size) -> None:  # noqa: ANN001
    report = build_survey_report(project)
    assert report.by == "round" and len(report.dimensions) >= 3
    app = make_app(project)
    async with app.run_test(size=size) as pilot:
        screen = await open_survey(pilot)
        dims = screen.dimensions
        assert dims.row_count == len(report.dimensions)
        heads = headings(dims)
        groups = [g.label for g in report.dimensions[0].groups]
        assert len(groups) == 2 and all(label in heads for label in groups)  # "1. runde", "2. runde"
        for i, dim in enumerate(report.dimensions):
            row = cells(dims, i)
            assert row[0] == dim.name
            assert row[1] == str(len(dim.items))
            assert row[2] == f"{num(dim.alpha.alpha)} ({dim.alpha.n})"
            for group in dim.groups:
                assert mean_ci(group.summary.mean, group.summary.ci) in row
        title = plain(screen.query_one("#survey-title", Static))
        assert "Spørgeskema" in title and f"{report.respondents} respondenter" in title
        verdict = " ".join(plain(screen.query_one("#survey-verdict", Static)).split())
        first = report.comparisons[0]
        assert first.dimension == report.dimensions[0].key
        assert "statistisk signifikant forskel mellem 1. og 2. runde" in verdict
        assert verdict == plain_line(first, "da")  # the report's own plain-language line


async def test_f7_opens_it_too_and_escape_goes_back(project: Project) -> None:
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_survey(pilot, "f7")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)


async def test_the_overview_footer_and_help_list_the_key(project: Project) -> None:
    app = make_app(project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        bound = app.screen.active_bindings
        assert bound["P"].binding.action == "open_survey" and bound["P"].binding.show
        assert bound["f7"].binding.action == "open_survey"
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)
        rows = [row for _title, section in app.screen.sections for row in section]
        assert ("P F7", "Spørgeskema: skalaernes dimensioner og de kodede åbne svar side om side") in rows


# ------------------------------------------------------------------------------------ the joint display


async def test_moving_the_cursor_changes_the_joint_display(project: Project) -> None:
    report = build_survey_report(project)
    first, second = report.dimensions[0], report.dimensions[1]
    joints = {d.key: build_joint_display(project, d.key) for d in (first, second)}
    app = make_app(project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_survey(pilot)
        for dim in (first, second):
            joint = joints[dim.key]
            heading = plain(screen.query_one("#survey-joint-title", Static))
            assert dim.name in heading and num(joint.split) in heading
            themes = screen.themes
            assert themes.row_count == len(joint.themes)
            for i, theme in enumerate(joint.themes):
                row = cells(themes, i)
                assert row[0].startswith(theme.key)
                assert row[1:] == [
                    share(theme.low_share, theme.low_count),
                    share(theme.high_share, theme.high_count),
                    points(theme.difference),
                ]
            await pilot.press("down")
            await settle(pilot)
        assert screen.current_dimension() == report.dimensions[2].key
        # the two differ somewhere (else this test could not see the display follow the cursor)
        a, b = (joints[d.key] for d in (first, second))
        assert [t.low_share for t in a.themes] != [t.low_share for t in b.themes] or a.split != b.split


async def test_keys_faster_than_the_figures_end_on_the_right_display(project: Project) -> None:
    report = build_survey_report(project)
    last = report.dimensions[-1]
    joint = build_joint_display(project, last.key)
    app = make_app(project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_survey(pilot)
        screen.compute(keep_shown=False)  # the figures once more, and this time the keys do not wait for them
        await pilot.press("down", "down", "up", "down", "r", "down")
        await settle(pilot)
        assert screen.current_dimension() == last.key
        assert last.name in plain(screen.query_one("#survey-joint-title", Static))
        assert [cells(screen.themes, i)[1] for i in range(screen.themes.row_count)] == [
            share(t.low_share, t.low_count) for t in joint.themes
        ]


async def test_the_quotes_follow_the_theme_and_enter_opens_retrieval(project: Project) -> None:
    report = build_survey_report(project)
    joint = build_joint_display(project, report.dimensions[0].key)
    quoted = [i for i, t in enumerate(joint.themes) if t.low_quote or t.high_quote]
    assert quoted, "the fixture's codings give at least one theme a quote"
    index = quoted[-1]
    theme = joint.themes[index]
    app = make_app(project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_survey(pilot)
        await pilot.press("enter")  # to the themes of the first dimension
        await settle(pilot)
        assert app.focused is screen.themes
        for _step in range(index):
            await pilot.press("down")
        await settle(pilot)
        quotes = plain(screen.query_one("#survey-quotes", Static))
        assert theme.key in quotes
        for quote in (theme.low_quote, theme.high_quote):
            if quote is not None:
                assert quote.text[:40] in " ".join(quotes.split())
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "RetrievalScreen"
        assert app.screen.request is not None and app.screen.request.code == theme.key
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and app.focused is screen.themes
        assert screen.current_theme() == theme.key  # recomputed on return, the cursor where it was
        await pilot.press("escape")  # from the themes: back to the dimensions
        await settle(pilot)
        assert app.screen is screen and app.focused is screen.dimensions
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)


async def test_o_turns_to_the_reverse_view_and_back(project: Project) -> None:
    report = build_survey_report(project)
    joint = build_joint_display(project, report.dimensions[0].key)
    app = make_app(project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_survey(pilot)
        low_high = headings(screen.themes)
        await pilot.press("o")
        await settle(pilot)
        assert headings(screen.themes) != low_high and "Med: gns. (n)" in headings(screen.themes)
        for i, row in enumerate(joint.reverse):
            shown = cells(screen.themes, i)
            assert shown[0].startswith(row.key)
            assert shown[1] == f"{num(row.with_mean)} ({row.with_n})"
            assert shown[2] == f"{num(row.without_mean)} ({row.without_n})"
        await pilot.press("o")
        await settle(pilot)
        assert headings(screen.themes) == low_high


async def test_no_key_waits_for_the_figures(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report is computed in a worker: while it runs, the screen answers keys (its help opens and closes)."""
    import trivselkode.analysis.survey_report as survey_report

    release = threading.Event()
    started = threading.Event()
    real = survey_report.build_survey_report

    def slow(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        started.set()
        release.wait(timeout=30)
        return real(*args, **kwargs)

    monkeypatch.setattr(survey_report, "build_survey_report", slow)
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SurveyScreen)
        assert started.wait(timeout=30)
        assert "beregner" in plain(screen.query_one("#survey-title", Static))
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.table is None
        release.set()
        await settle(pilot)
        assert screen.table is not None and screen.dimensions.row_count == len(real(project).dimensions)


# ------------------------------------------------------------------------------------ without a survey


async def test_a_project_without_a_survey_says_how_to_import_one(empty_project: Project) -> None:
    app = make_app(empty_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_survey(pilot)
        message = screen.query_one("#survey-message", Static)
        assert message.display and screen.has_class("-empty")
        assert "trivselkode survey import" in plain(message)
        assert not screen.dimensions.display


async def test_a_survey_without_open_answers_shows_the_table_and_says_why_no_joint(closed_project: Project) -> None:
    report = build_survey_report(closed_project)
    app = make_app(closed_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_survey(pilot)
        assert screen.dimensions.row_count == len(report.dimensions)
        assert "kræver åbne svar" in plain(screen.query_one("#survey-joint-title", Static))
        assert not screen.themes.display
        await pilot.press("enter")  # nothing to go to
        await settle(pilot)
        assert app.focused is screen.dimensions
        shown = {b.binding.action for b in screen.active_bindings.values() if b.enabled and b.binding.show}
        assert "choose" not in shown and "toggle_reverse" not in shown  # the footer offers no joint display


async def test_v_turns_to_the_next_survey(project: Project, tmp_path: Path) -> None:
    responses, definition = write_survey_files(tmp_path / "second", rows=12, rounds=1, seed=7)
    import_survey(project, responses, definition, name="andet")
    second = build_survey_report(project, survey="andet")
    app = make_app(project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_survey(pilot)
        assert screen.names == ["andet", "responses"] and screen.survey == "andet"
        assert "skema 1 af 2" in plain(screen.query_one("#survey-title", Static))
        assert screen.table is not None and screen.table.respondents == second.respondents == 12
        assert headings(screen.dimensions)[3] == "Gns. (95 % KI)"  # one round: no groups
        await pilot.press("v")
        await settle(pilot)
        assert screen.survey == "responses" and screen.table is not None
        assert screen.table.respondents == build_survey_report(project, survey="responses").respondents
        assert "skema 2 af 2" in plain(screen.query_one("#survey-title", Static))


# --------------------------------------------------------------------------------------------- English


async def test_english_labels(project: Project, english) -> None:  # noqa: ANN001
    report = build_survey_report(project, lang="en")
    app = make_app(project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_survey(pilot)
        heads = headings(screen.dimensions)
        assert heads[:3] == ["Dimension", "Items", "α (n)"]
        assert [g.label for g in report.dimensions[0].groups] == heads[3:5]  # "round 1", "round 2"
        assert "Questionnaire" in plain(screen.query_one("#survey-title", Static))
        assert headings(screen.themes) == ["Theme", "Low", "High", "Difference"]
        assert cells(screen.dimensions, 0)[0] == report.dimensions[0].name


async def test_the_language_switch_redraws_the_screen(project: Project, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    app = make_app(project)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_survey(pilot)
            assert headings(screen.themes)[0] == "Tema"
            app.switch_language("en", save=False)
            await settle(pilot)
            assert headings(screen.themes)[0] == "Theme"
            assert headings(screen.dimensions)[1] == "Items"
            assert "Questionnaire" in plain(screen.query_one("#survey-title", Static))
            verdict = plain(screen.query_one("#survey-verdict", Static))
            assert "round" in verdict and "runde" not in verdict
    finally:
        set_language("da")


async def test_english_without_a_survey(empty_project: Project, english) -> None:  # noqa: ANN001
    app = make_app(empty_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_survey(pilot)
        message = " ".join(plain(screen.query_one("#survey-message", Static)).split())
        assert message.startswith("The project has no questionnaire.") and "trivselkode survey import" in message
