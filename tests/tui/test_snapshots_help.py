"""Screenshots of the help dialog scrolled to its end, at 80×24 and 120×40 (Kodning's help: the longest).

Run ``pytest tests/tui/test_snapshots_help.py --snapshot-update`` after an
intended change of the look, and look at the pictures before committing: the
last section ("Overalt", ending with ctrl+q) and the hint below the box must
both be on screen.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.tui.conftest import make_app, settle
from tests.tui.reach import disagreeing_project
from trivselkode.storage.models import Code


@pytest.fixture
def snap_project(tmp_path):  # noqa: ANN001, ANN201
    project = disagreeing_project(tmp_path / "test.db")
    with project.write() as s:  # no "shortcut taken" toast in the pictures
        clash = s.exec(select(Code).where(Code.key == "X.clash")).one()
        clash.shortcut = None
        s.add(clash)
    yield project
    project.dispose()


async def _help_at_end(pilot) -> None:  # noqa: ANN001
    await settle(pilot)
    pilot.app.open_coding("holstebro-1", None)
    await settle(pilot)
    await pilot.press("question_mark")
    await settle(pilot)
    await pilot.press("end")
    await settle(pilot)
    assert pilot.app.screen.at_end


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_help_scrolled_to_the_end(snap_compare, snap_project, size) -> None:  # noqa: ANN001
    assert snap_compare(make_app(snap_project), terminal_size=size, run_before=_help_at_end)
