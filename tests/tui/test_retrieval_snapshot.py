"""Udtræk at 80×24 and 120×40: T1's rows (a whole passage coded by two coders, starred, with a memo; a span;
a voxpop), the first row in full below them.

Run ``pytest tests/tui/test_retrieval_snapshot.py --snapshot-update`` after an intended change of the look,
and look at the report before committing. Nothing here depends on time (cursors do not blink; no
notification is on screen when the picture is taken).
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import build_project, code_ids, make_app, passage_ids, settle
from trivselkode.storage import coding_ops as ops


@pytest.fixture
def snap_project(tmp_path):  # noqa: ANN001, ANN201
    project = build_project(tmp_path / "test.db")
    pids, codes = passage_ids(project), code_ids(project)
    h, v = pids["holstebro-1"], pids["viborg-voxpop"]
    ops.toggle_code(project, "ann", h[1], codes["T1"])
    ops.toggle_code(project, "bo", h[1], codes["T1"])
    ops.toggle_code(project, "ann", h[1], codes["B.social"])
    ops.narrow_to_span(project, "bo", h[3], codes["T1"], 0, 21)
    ops.toggle_code(project, "ann", h[3], codes["T2"])
    ops.toggle_code(project, "bo", v[0], codes["T1"])
    ops.set_memo(project, "bo", h[1], "Godt citat om tryghed")
    ops.set_star(project, "ann", h[1], True)
    yield project
    project.dispose()


async def _open_t1(pilot) -> None:  # noqa: ANN001
    await settle(pilot)
    pilot.app.open_retrieval("T1")
    await settle(pilot)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_retrieval(snap_compare, snap_project, size) -> None:  # noqa: ANN001
    assert snap_compare(make_app(snap_project), terminal_size=size, run_before=_open_t1)
