"""Quitting the app: nothing waits for a helper process, none is left alive, no write asked for is lost."""

from __future__ import annotations

import signal
import time

import pytest

from tests.tui.conftest import codings, make_app, settle
from trivselkode.analysis.learn_process import LearnerProcess
from trivselkode.analysis.suggest import LemmaProcess, simple_analyze
from trivselkode.storage.db import Project
from trivselkode.tui.coding.screen import CodingScreen

pytestmark = pytest.mark.anyio


async def _until(pilot, test, rounds: int = 3000) -> None:  # noqa: ANN001
    for _round in range(rounds):  # bounded: a hang fails instead of stalling
        if test():
            return
        await pilot.pause(0.01)
    raise AssertionError("never happened")


def _reaped(proc, seconds: float = 30.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds  # generous: a bound against hanging, not a speed check
    while proc.returncode is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return proc.returncode is not None


async def test_quitting_with_the_coding_screen_open_leaves_no_helper_alive(tui_project: Project) -> None:
    """spaCy's helper (the suggestions' words) and the learner are both running, busy, when the coder quits."""
    app = make_app(tui_project, suggester="default", learn=True)
    assert isinstance(app._lemmas, LemmaProcess) and isinstance(app.learner, LearnerProcess)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: app.screen.__class__.__name__ == "OverviewScreen" and app.screen.loaded)
        app.open_coding("holstebro-1", None)
        await _until(pilot, lambda: isinstance(app.screen, CodingScreen) and app.screen.loaded)
        await pilot.press("j")  # a participant's passage: its suggestions ask spaCy's helper
        await _until(pilot, lambda: app._lemmas._proc is not None and app.learner._proc is not None)
        helpers = [app._lemmas._proc, app.learner._proc]
        assert all(p.poll() is None for p in helpers)  # loading spaCy, training: seconds
        await pilot.press("ctrl+q")
    for proc in helpers:
        assert _reaped(proc)
        assert proc.returncode == -signal.SIGKILL  # told to stop, not waited for to finish
    assert app._lemmas._proc is None and app.learner._proc is None


async def test_quitting_right_after_a_toggle_stores_it(tui_project: Project) -> None:
    """The write a key asked for is stored before the app is gone, however soon the coder quits."""
    app = make_app(tui_project, suggester=None, analyze=simple_analyze)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_coding("holstebro-1", None)
        await _until(pilot, lambda: isinstance(app.screen, CodingScreen) and app.screen.loaded)
        await pilot.press("j", "1", "ctrl+q")  # no settling between the toggle and the quit
    assert len(codings(tui_project)) == 1
