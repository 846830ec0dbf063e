"""The start of the terminal UI: what is imported before the overview is shown, and what is left for later.

The checks of what a start imports run in a fresh interpreter, so nothing
imported by other tests hides a stray import.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from tests.unit.test_import_hygiene import run_fresh
from trivselkode.analysis.suggest import LemmaProcess, simple_analyze
from trivselkode.config import Settings
from trivselkode.storage.db import Project
from trivselkode.tui.app import TrivselApp

#: Not needed to show the overview: the coding screen (the suggestions, the learned model, numpy), the
#: dialogs (the code picker), spaCy's helper's module (the keyword rules), spaCy itself.
NOT_BEFORE_THE_OVERVIEW = (
    "trivselkode.tui.coding.screen",
    "trivselkode.tui.common.dialogs",
    "trivselkode.tui.common.picker",
    "trivselkode.analysis.suggest",
    "numpy",
    "spacy",
)


def test_the_overview_is_shown_without_the_modules_it_does_not_need(tmp_path: Path) -> None:
    """The app as ``trivselkode`` starts it (the default suggester, the learner), run until the overview
    has its sources and themes; then the coding screen's module is imported ahead of the first Enter."""
    code = """
        import asyncio, sys
        from trivselkode.config import Settings, bundled_codebook
        from trivselkode.domain.codebook import load_codebook_file
        from trivselkode.storage.codebook import load_codebook
        from trivselkode.storage.db import open_project
        from trivselkode.tui.app import CODING_SCREEN_MODULE, TrivselApp

        watched = sys.argv[2].split(",")
        project, _ = open_project(sys.argv[1])
        load_codebook(project, load_codebook_file(bundled_codebook()))
        app = TrivselApp(project, Settings(db=sys.argv[1]), coder="anne")

        async def main():
            async with app.run_test(size=(120, 40)) as pilot:
                for _ in range(3000):
                    if type(app.screen).__name__ == "OverviewScreen" and app.screen.loaded:
                        break
                    await pilot.pause(0.01)
                assert app.screen.loaded and app.screen.themes is not None
                print("SHOWN:" + ",".join(m for m in watched if m in sys.modules))
                for _ in range(3000):  # the warm-up: a moment after the overview is shown
                    if CODING_SCREEN_MODULE in sys.modules:
                        break
                    await pilot.pause(0.01)
                print("LATER:" + ",".join(m for m in watched if m in sys.modules))
                app.exit()

        asyncio.run(main())
        project.dispose()
    """
    result = run_fresh(code, str(tmp_path / "p.db"), ",".join(NOT_BEFORE_THE_OVERVIEW), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines() if line.startswith(("SHOWN:", "LATER:")))
    assert lines["SHOWN"] == "", f"imported before the overview was shown: {lines['SHOWN']}"
    assert "trivselkode.tui.coding.screen" in lines["LATER"].split(",")  # the warm-up still imports it
    assert "spacy" not in lines["LATER"].split(",")  # spaCy only ever in its helper process


def test_run_tui_freezes_what_is_alive_and_pauses_the_collector_while_the_app_starts(tmp_path: Path) -> None:
    """The collector leaves the start's objects (modules, models) out of its full collections, and is off
    until the app turns it on again (the overview shown), or the app has ended."""
    code = """
        import gc, sys
        from trivselkode.config import Settings
        from trivselkode.storage.db import open_project
        from trivselkode.tui import app as tui_app

        def run(self):
            print("RUNNING:", gc.get_freeze_count(), gc.isenabled(), self.collector_paused)
        tui_app.TrivselApp.run = run
        project, _ = open_project(sys.argv[1])
        tui_app.run_tui(project, Settings(db=sys.argv[1], coder="anne"))
        print("AFTER:", gc.isenabled())
        project.dispose()
    """
    result = run_fresh(code, str(tmp_path / "p.db"), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    said = {line.split(":")[0]: line.split()[1:] for line in result.stdout.splitlines() if ":" in line}
    frozen, enabled, paused = said["RUNNING"]
    assert int(frozen) > 10_000 and enabled == "False" and paused == "True"
    assert said["AFTER"] == ["True"]


@pytest.mark.anyio
async def test_the_collector_is_on_again_once_the_overview_is_shown(sqlite_project: Project) -> None:
    app = TrivselApp(sqlite_project, Settings(db=sqlite_project.display_name), coder="anne", suggester=None)
    app.collector_paused = True
    gc.disable()
    frozen_before = gc.get_freeze_count()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(3000):  # bounded: a hang fails instead of stalling
                if getattr(app.screen, "loaded", False) and gc.isenabled():
                    break
                await pilot.pause(0.01)
            assert getattr(app.screen, "loaded", False) and gc.isenabled() and not app.collector_paused
            # what the start made is left out of later collections (the first one would go through it all)
            assert gc.get_freeze_count() > frozen_before
            app.resume_collector()  # once only: nothing to do now
            assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_spacys_helper_is_made_on_first_use(sqlite_project: Project) -> None:
    settings = Settings(db=sqlite_project.display_name)
    app = TrivselApp(sqlite_project, settings, coder="anne")
    assert app._lemma_process is None
    lemmas = app._lemmas
    assert isinstance(lemmas, LemmaProcess) and app._lemmas is lemmas and lemmas._proc is None
    assert TrivselApp(sqlite_project, settings, coder="anne", analyze=simple_analyze)._lemmas is None
    assert TrivselApp(sqlite_project, settings, coder="anne", suggester=None)._lemmas is None
    app.stop_helpers()
    with pytest.raises(RuntimeError):
        lemmas.ask("hej")  # closed: no helper is started


def test_a_helper_first_asked_for_after_the_helpers_were_stopped_starts_none(sqlite_project: Project) -> None:
    app = TrivselApp(sqlite_project, Settings(db=sqlite_project.display_name), coder="anne")
    app.stop_helpers()
    lemmas = app._lemmas
    assert isinstance(lemmas, LemmaProcess)
    with pytest.raises(RuntimeError):
        lemmas.ask("hej")
    assert lemmas._proc is None
