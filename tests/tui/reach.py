"""How the key tests reach each screen of the app: a project with two coders who disagree, and the keys to get there.

Shared by the help, key and narrow-overview tests (``test_help_scroll``,
``test_keys_everywhere``, ``test_snapshots_help``).
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tests.tui.conftest import build_project, code_ids, passage_ids, settle
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.codings import mark_done
from trivselkode.storage.db import Project

# The screens by the name the help test gives them, and the class each one is.
SCREEN_CLASSES = {
    "Oversigt": "OverviewScreen",
    "Kodning": "CodingScreen",
    "Søgning": "SearchScreen",
    "Kodebog": "CodebookScreen",
    "Enighed": "AgreementScreen",
    "Enighedens gennemgang": "DisagreementReviewScreen",
    "Eksport": "ExportScreen",
}


def disagreeing_project(path: Path | str) -> Project:
    """The conftest project where ann and bo (both done with holstebro-1) disagree on T1 and T2."""
    project = build_project(path)
    pids, codes = passage_ids(project), code_ids(project)
    ops.toggle_code(project, "ann", pids["holstebro-1"][1], codes["T1"])
    ops.toggle_code(project, "bo", pids["holstebro-1"][1], codes["T1"])
    ops.toggle_code(project, "bo", pids["holstebro-1"][3], codes["T2"])
    ops.toggle_code(project, "ann", pids["holstebro-1"][4], codes["T1"])
    for coder in ("ann", "bo"):
        mark_done(project, "holstebro-1", coder)
    return project


async def reach(pilot: Pilot, name: str) -> None:
    """From the overview (as the app starts), go to the screen called ``name`` in :data:`SCREEN_CLASSES`."""
    app = pilot.app
    await settle(pilot)
    if name == "Kodning":
        app.open_coding("holstebro-1", None)
    elif name in ("Søgning", "Kodebog", "Enighed", "Eksport"):
        await pilot.press({"Søgning": "f2", "Kodebog": "f3", "Enighed": "f4", "Eksport": "f5"}[name])
    elif name == "Enighedens gennemgang":
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("end", "enter")  # the pooled line: every disagreement
    await settle(pilot)
    assert type(app.screen).__name__ == SCREEN_CLASSES[name], f"{name}: {app.screen!r}"
