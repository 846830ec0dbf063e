"""``?`` on every screen at 80×24: the one help dialog, whose keys scroll to their last line.

The keys scroll with End, ↓, PageDown and the mouse wheel in a box that fits
the terminal; the last key line of the last section is then on the screen
(its bottom row inside the terminal, not clipped by the box).
"""

from __future__ import annotations

import pytest
from textual import events
from textual.containers import VerticalScroll
from textual.widgets import Static

from tests.tui.conftest import make_app, settle
from tests.tui.reach import SCREEN_CLASSES, disagreeing_project, reach
from trivselkode.tui.common.help import HelpDialog

pytestmark = pytest.mark.anyio


@pytest.fixture
def project(tmp_path):  # noqa: ANN001, ANN201
    project = disagreeing_project(tmp_path / "test.db")
    yield project
    project.dispose()


def last_line_visible(dialog: HelpDialog) -> bool:
    """Whether the bottom row of the last section of keys is drawn inside the box and the terminal."""
    last = dialog.query(".help-section").last(Static)
    geometry = dialog.find_widget(last)
    shown = geometry.region.intersection(geometry.clip)
    return (
        shown.height > 0
        and shown.bottom == geometry.region.bottom  # its last row is not clipped
        and shown.bottom <= dialog.size.height
    )


async def open_help(pilot, name: str) -> HelpDialog:  # noqa: ANN001
    await reach(pilot, name)
    await pilot.press("question_mark")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, HelpDialog), f"? on {name} showed {dialog!r}"
    return dialog


@pytest.mark.parametrize("name", list(SCREEN_CLASSES))
async def test_end_shows_the_last_key_line(project, name) -> None:  # noqa: ANN001
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_help(pilot, name)
        keys = dialog.query_one("#help-scroll", VerticalScroll)
        box = dialog.query_one("#help-box")
        assert box.region.bottom <= 24 and keys.region.bottom <= box.region.bottom  # the box fits the terminal
        assert keys.max_scroll_y > 0, f"{name}: the keys fit at 80×24, nothing to scroll"
        assert not last_line_visible(dialog)
        await pilot.press("end")
        await settle(pilot)
        assert dialog.at_end and last_line_visible(dialog), name
        last_key, last_what = dialog.sections[-1][1][-1]
        assert last_what in {"afslut (alt er allerede gemt)", "afslut", "tilbage"}, (name, last_key, last_what)
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == SCREEN_CLASSES[name]  # Escape closed the help, nothing else


async def test_down_and_pagedown_reach_the_end(project) -> None:  # noqa: ANN001
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_help(pilot, "Kodning")
        keys = dialog.query_one("#help-scroll", VerticalScroll)
        await pilot.press("down")
        await settle(pilot)
        assert keys.scroll_y == 1
        for _ in range(keys.max_scroll_y):
            if dialog.at_end:
                break
            await pilot.press("pagedown")
            await settle(pilot)
        assert dialog.at_end and last_line_visible(dialog)
        await pilot.press("home")
        await settle(pilot)
        assert keys.scroll_y == 0


async def test_the_mouse_wheel_scrolls_the_keys(project) -> None:  # noqa: ANN001
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_help(pilot, "Oversigt")
        keys = dialog.query_one("#help-scroll", VerticalScroll)
        for _ in range(keys.max_scroll_y):
            keys.post_message(events.MouseScrollDown(keys, 2, 2, 0, 1, 0, False, False, False))
            await settle(pilot)
        assert dialog.at_end and last_line_visible(dialog)


async def test_the_box_follows_the_terminal(project) -> None:  # noqa: ANN001
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_help(pilot, "Kodning")
        keys = dialog.query_one("#help-scroll", VerticalScroll)
        short = keys.size.height
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert keys.size.height > short
        assert dialog.query_one("#help-box").region.bottom <= 40
        await pilot.resize_terminal(80, 16)
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        assert dialog.query_one("#help-box").region.bottom <= 16 and last_line_visible(dialog)
