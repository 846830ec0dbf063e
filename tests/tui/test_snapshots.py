"""Screenshots of the overview and the coding screen at fixed terminal sizes.

Run ``pytest tests/tui/test_snapshots.py --snapshot-update`` after an
intended change of the look, and look at the report before committing.
Nothing here depends on time: cursors do not blink (conftest), the project
is built the same way every time, and no notification is on screen.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.tui.conftest import build_project, code_ids, make_app, passage_ids, settle
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.models import Code


@pytest.fixture
def snap_project(tmp_path):  # noqa: ANN001, ANN201
    project = build_project(tmp_path / "test.db")
    with project.write() as s:  # no "shortcut taken" toast in the pictures
        clash = s.exec(select(Code).where(Code.key == "X.clash")).one()
        clash.shortcut = None
        s.add(clash)
    pids, codes = passage_ids(project), code_ids(project)
    ops.toggle_code(project, "ann", pids["holstebro-1"][1], codes["T1"])
    ops.toggle_code(project, "bo", pids["holstebro-1"][1], codes["T1"])
    ops.toggle_code(project, "bo", pids["holstebro-1"][3], codes["T2"])
    ops.toggle_code(project, "bo", pids["viborg-voxpop"][0], codes["T6"])
    yield project
    project.dispose()


def _open(source: str, *keys: str):  # noqa: ANN202
    async def run_before(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        pilot.app.open_coding(source, None)
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run_before


async def _settled(pilot) -> None:  # noqa: ANN001
    await settle(pilot)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_overview(snap_compare, snap_project, size) -> None:  # noqa: ANN001
    assert snap_compare(make_app(snap_project), terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_coding(snap_compare, snap_project, size) -> None:  # noqa: ANN001
    app = make_app(snap_project)
    assert snap_compare(app, terminal_size=size, run_before=_open("holstebro-1", "j", "2", "b"))


def test_coding_span_mode(snap_compare, snap_project) -> None:  # noqa: ANN001
    app = make_app(snap_project)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_open("holstebro-1", "s", "shift+right", "right"))


def test_coding_help(snap_compare, snap_project) -> None:  # noqa: ANN001
    app = make_app(snap_project)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_open("holstebro-1", "question_mark"))


def test_code_picker(snap_compare, snap_project) -> None:  # noqa: ANN001
    app = make_app(snap_project)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_open("holstebro-1", "space", "r", "o"))
