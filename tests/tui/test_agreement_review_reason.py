"""Enighed's researcher side, driven by Pilot and checked in the database: settle with a reason,
change and undo a settlement, the audit log, a coder correcting their own coding (only when the
project allows it), the source × code table (``s``) and what a span figure means.

The project is :func:`tests.tui.test_agreement_screen.build`: anne and bo disagree on T1 at
holstebro-1 #4 (bo only) and #6 (anne only), on B.social at viborg-voxpop #2, and (span units
only) on T3 at holstebro-1 #5.
"""

from __future__ import annotations

import pytest
from sqlmodel import select
from textual.app import App
from textual.widgets import DataTable, Input

from tests.tui.test_agreement_screen import (
    build,
    codings_of,
    expected_rows,
    open_review,
    settle_workers,
    table_rows,
    text_of,
    without_name,
)
from trivselkode.analysis.agreement_by_source import agreement_by_source
from trivselkode.analysis.icr import agreement_report
from trivselkode.storage.db import Project
from trivselkode.storage.models import Decision, DecisionEvent
from trivselkode.storage.project_settings import set_allow_own_fix
from trivselkode.tui.agreement.audit import AuditScreen
from trivselkode.tui.agreement.by_source import BySourcePane
from trivselkode.tui.agreement.dialogs import ReasonDialog
from trivselkode.tui.agreement.review import DisagreementReviewScreen
from trivselkode.tui.agreement.screen import AgreementScreen
from trivselkode.tui.agreement.words import number

pytestmark = pytest.mark.anyio


class Host(App):
    """Pushes Enighed for ``coder``; remembers what was notified."""

    ENABLE_COMMAND_PALETTE = False

    def __init__(self, project: Project, coder: str = "forsker") -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.said: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(AgreementScreen(self.project, self.coder))

    def notify(self, message, **kwargs) -> None:  # noqa: ANN001
        self.said.append(str(message))
        super().notify(message, **kwargs)


@pytest.fixture
def project(tui_db: str):
    project = build(tui_db)
    yield project
    project.dispose()


def stored(project: Project) -> tuple[list[tuple[int, str, str | None, str]], list[tuple[str, str | None, str | None]]]:
    """(passage id, choice, reason, by) of the decisions and (choice, previous, reason) of the audit rows."""
    with project.read() as s:
        decisions = [(d.passage_id, d.choice, d.reason, d.settled_by) for d in s.exec(select(Decision))]
        events = [(e.choice, e.previous, e.reason) for e in s.exec(select(DecisionEvent).order_by(DecisionEvent.id))]
    return decisions, events


@pytest.mark.both_backends
async def test_settle_with_a_reason_change_it_and_undo_it(project: Project) -> None:
    app = Host(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(pilot)
        review = await open_review(pilot, "T1")
        assert [(it.source, it.number) for it in review.items] == [("holstebro-1", 4), ("holstebro-1", 6)]
        assert "r: afgør med begrundelse" in text_of(review, "#review-decision")

        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"roen", "escape")  # Escape: nothing is stored
        await pilot.pause()
        assert app.screen is review and stored(project) == ([], [])

        await pilot.press("r")
        await pilot.pause()
        await pilot.press(*"tryg i roen", "down", "enter")  # ↓: B (bo)
        await settle_workers(pilot)
        decisions, events = stored(project)
        assert [(c, r, by) for _p, c, r, by in decisions] == [("b", "tryg i roen", "forsker")]
        assert events == [("b", None, "tryg i roen")]
        assert codings_of(project, "konsensus") == {("holstebro-1", 4, "T1", None, None, "tryg i roen")}
        assert review.index == 1  # on to the next unsettled one, as after a settle key

        await pilot.press("left")
        assert "Begrundelse: tryg i roen" in text_of(review, "#review-decision")
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReasonDialog)
        assert dialog.query_one(Input).value == "tryg i roen"  # the reason given, to edit
        await pilot.press("down", "enter")  # from B to begge, same reason
        await settle_workers(pilot)
        decisions, events = stored(project)
        assert [(c, r) for _p, c, r, _by in decisions] == [("both", "tryg i roen")]
        assert events[-1] == ("both", "b", "tryg i roen")

        await pilot.press("left", "x")  # undo #4's settlement
        await settle_workers(pilot)
        decisions, events = stored(project)
        assert decisions == [] and events[-1] == ("undone", "both", None)
        assert codings_of(project, "konsensus") == set()
        assert "ikke afgjort endnu" in text_of(review, "#review-decision")
        assert "Ophævet: T1 · holstebro-1 #4" in text_of(review, "#review-decision")
        await pilot.press("x")  # nothing left to undo here: said, nothing stored
        await settle_workers(pilot)
        assert any("intet at ophæve" in m for m in app.said)
        assert len(stored(project)[1]) == 3


async def test_audit_view_lists_each_event_with_the_passage(project: Project) -> None:
    app = Host(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(pilot)
        review = await open_review(pilot, "T1")
        await pilot.press("r")
        await pilot.pause()
        await pilot.press(*"ro, ikke tryghed", "enter")  # #4: A (anne), the first choice
        await settle_workers(pilot)
        await pilot.press("0")  # #6: neither, no reason
        await settle_workers(pilot)
        await pilot.press("h")
        await settle_workers(pilot)
        audit = app.screen
        assert isinstance(audit, AuditScreen)
        table = audit.query_one(DataTable)
        assert table.row_count == len(stored(project)[1]) == 2
        details = text_of(audit, "#audit-details")  # the newest first: #6, no reason
        assert "Afgjort af forsker" in details and "udsagn 6" in details and "ingen givet" in details
        assert "Personalet er altid venlige." in details
        await pilot.press("down")
        details = text_of(audit, "#audit-details")
        assert "Begrundelse: ro, ikke tryghed" in details and "Jeg læser aviser i ro og fred." in details
        assert table.get_row_at(1)[3].plain == "A (anne)" and table.get_row_at(0)[3].plain == "ingen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is review


async def test_own_fix_needs_the_project_setting_and_says_how(project: Project) -> None:
    anne = codings_of(project, "anne")
    app = Host(project, coder="anne")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(pilot)
        await open_review(pilot, "T1")
        await pilot.press("o")
        await settle_workers(pilot)
        assert any("trivselkode consensus settings --allow-own-fix" in m for m in app.said)
        assert codings_of(project, "anne") == anne


async def test_own_fix_corrects_only_ones_own_coding_and_recomputes(project: Project) -> None:
    set_allow_own_fix(project, True)
    anne, bo = codings_of(project, "anne"), codings_of(project, "bo")
    app = Host(project, coder="anne")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(pilot)
        review = await open_review(pilot, "T1")
        assert review.current is not None and review.current.number == 4  # bo's T1, not anne's
        await pilot.press("o")
        await settle_workers(pilot)
        assert codings_of(project, "anne") == anne | {("holstebro-1", 4, "T1", None, None, None)}
        assert codings_of(project, "bo") == bo and stored(project) == ([], [])  # no settlement, no audit row
        t1 = agreement_report(project, ["anne", "bo"], ["T1"]).codes[0]
        assert t1.disagreements == 1
        decision = text_of(review, "#review-decision")
        assert "Ikke længere uenige" in decision
        assert f"T1 nu: enighed {number(t1.agreement)} · κ {number(t1.cohen_kappa)}" in decision
        assert "1 uenige" in decision
        await pilot.press("o")  # and back again
        await settle_workers(pilot)
        assert codings_of(project, "anne") == anne
        assert "Ikke længere uenige" not in text_of(review, "#review-decision")
        await pilot.press("o", "escape")
        await settle_workers(pilot)
        table = app.screen
        assert isinstance(table, AgreementScreen)
        assert without_name(table_rows(table)) == expected_rows(project)  # recomputed
        assert table_rows(table)[0]["disagreements"] == "1"


async def test_own_fix_is_refused_for_someone_not_in_the_pair(project: Project) -> None:
    set_allow_own_fix(project, True)
    app = Host(project, coder="forsker")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(pilot)
        await open_review(pilot, "T1")
        await pilot.press("o")
        await settle_workers(pilot)
        assert any("ikke en af de to kodere" in m for m in app.said)
        assert codings_of(project, "forsker") == set()


async def test_by_source_table_and_review_of_one_cell(project: Project) -> None:
    app = Host(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(pilot)
        screen = app.screen
        await pilot.press("s")
        await settle_workers(pilot)
        assert screen.has_class("-by-source")
        pane = screen.query_one(BySourcePane)
        table = pane.query_one(DataTable)
        report = agreement_by_source(project, ["anne", "bo"])
        assert [str(c.label) for c in table.ordered_columns] == [
            "Kilde",
            "Enh.",
            "T1",
            "T2",
            "T3",
            "B.social",
            "samlet",
        ]
        for r, src in enumerate(report.sources):
            cells = [str(getattr(c, "plain", c)) for c in table.get_row_at(r)]
            assert cells[0] == src.source and cells[1] == str(src.units)
            for cell, figures in zip(cells[2:], [*src.codes, src.pooled]):
                assert cell.startswith(f"{number(figures.krippendorff_alpha)} ({figures.disagreements})")
        assert pane.current() == ("holstebro-1", "T1")
        details = text_of(screen, "#by-source-details")
        assert "holstebro-1 · T1" in details and "2 uenige" in details
        await pilot.press("enter")
        await settle_workers(pilot)
        review = app.screen
        assert isinstance(review, DisagreementReviewScreen) and review.sources == ["holstebro-1"]
        assert [(it.source, it.number, it.code) for it in review.items] == [
            ("holstebro-1", 4, "T1"),
            ("holstebro-1", 6, "T1"),
        ]
        await pilot.press("escape")
        await settle_workers(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert not screen.has_class("-by-source")
        assert without_name(table_rows(screen)) == expected_rows(project)


async def test_span_units_say_what_the_figure_means_under_the_table(project: Project) -> None:
    app = Host(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(pilot)
        screen = app.screen
        await pilot.press("u")
        await settle_workers(pilot)
        details = text_of(screen, "#agreement-details")
        assert "Spænd-enheder" in details and "90 %" in details and "systematisk uenighed" in details
        report = agreement_report(project, ["anne", "bo"], unit="span")
        assert report.codes[0].note and report.codes[0].note in details  # T1: few span units
        await pilot.press("u")
        await settle_workers(pilot)
        assert "Spænd-enheder" not in text_of(screen, "#agreement-details")
