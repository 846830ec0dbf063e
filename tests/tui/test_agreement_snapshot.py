"""Enighed's side-by-side review at 80×24: the span disagreement on T3 (a quoted sub-span and a memo)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from tests.tui.test_agreement_screen import Host, build, settle_workers


def test_review_of_a_span_disagreement(snap_compare, tmp_path: Path) -> None:
    project = build(tmp_path / "snapshot.db")

    async def open_t3_in_span_units(pilot) -> None:
        await settle_workers(pilot)
        await pilot.press("u")
        await settle_workers(pilot)
        table = pilot.app.screen.query_one(DataTable)
        table.move_cursor(row=2)  # T3
        await pilot.press("enter")
        await settle_workers(pilot)

    try:
        assert snap_compare(Host(project), terminal_size=(80, 24), run_before=open_t3_in_span_units)
    finally:
        project.dispose()
