"""Screenshots of a long turn in Kodning, narrowed to some words and scrolled inside itself.

As :mod:`tests.tui.test_snapshots`: run with ``--snapshot-update`` after an
intended change of the look, and look at the pictures before committing.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.tui.conftest import make_app, settle
from tests.tui.long_turn import SOURCE, build_long_project
from trivselkode.storage.models import Code


@pytest.fixture
def long_snap_project(tmp_path):  # noqa: ANN001, ANN201
    project = build_long_project(tmp_path / "lang.db")
    with project.write() as s:  # no "shortcut taken" toast in the pictures
        clash = s.exec(select(Code).where(Code.key == "X.clash")).one()
        clash.shortcut = None
        s.add(clash)
    yield project
    project.dispose()


async def _narrowed(pilot) -> None:  # noqa: ANN001
    """The long turn, its selection grown by sentences to its tenth, then three words off its end."""
    await settle(pilot)
    pilot.app.open_coding(SOURCE, None)
    await settle(pilot)
    await pilot.press("s", *["right"] * 9, "b", "b", "b")
    await settle(pilot)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_long_turn_narrowed_to_words(snap_compare, long_snap_project, size) -> None:  # noqa: ANN001
    assert snap_compare(make_app(long_snap_project), terminal_size=size, run_before=_narrowed)
