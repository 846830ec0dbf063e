"""The README's pictures of the screens, made by the test suite from the demo project.

``docs/overview.svg`` (the overview) and ``docs/kodning.svg`` (Kodning on the
first interview) are what the terminal UI shows anne, one of the demo's two
coders, at 100×30. Each test draws its screen as the snapshot tests do and
fails when the committed picture differs: after an intended change of the
look, run ``TRIVSELKODE_UPDATE_DOCS=1 pytest tests/tui/test_readme_screenshots.py``
and look at the pictures before committing. Nothing depends on time or the
machine: the demo is built the same way every time, cursors do not blink
(conftest), no notification is on screen and the SVG's ids come from its content.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.tui.conftest import make_app, settle

pytestmark = pytest.mark.anyio

DOCS = Path(__file__).resolve().parents[2] / "docs"
SIZE = (100, 30)


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path):  # noqa: ANN201
    from trivselkode.storage.db import open_project
    from trivselkode.storage.migrations import copy_sqlite_file

    path = tmp_path / "demo.db"
    copy_sqlite_file(demo_file, path)
    project, _ = open_project(str(path))
    yield project
    project.dispose()


def _stable(svg: str) -> str:
    """The picture without what names the machine (the temporary project path in a title)."""
    return re.sub(r"/[^\s<>\"']*/demo\.db", "demo.db", svg)


async def _picture(app, open_source: str | None) -> str:  # noqa: ANN001
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if open_source is not None:
            app.open_coding(open_source, None)
            await settle(pilot)
        await pilot.pause()
        return _stable(app.export_screenshot())


def _check(name: str, svg: str) -> None:
    target = DOCS / name
    if os.environ.get("TRIVSELKODE_UPDATE_DOCS") == "1":
        DOCS.mkdir(exist_ok=True)
        target.write_text(svg, encoding="utf-8")
    assert target.exists(), f"{target} is missing: run TRIVSELKODE_UPDATE_DOCS=1 pytest {__file__}"
    assert target.read_text(encoding="utf-8") == svg, (
        f"{target} is stale: run TRIVSELKODE_UPDATE_DOCS=1 pytest {__file__} and look at the picture"
    )


async def test_readme_overview_picture(demo_copy) -> None:  # noqa: ANN001
    svg = await _picture(make_app(demo_copy, coder="anne"), None)
    assert "holstebro-interview-01" in svg.replace("&#160;", " ")
    _check("overview.svg", svg)


async def test_readme_coding_picture(demo_copy) -> None:  # noqa: ANN001
    svg = await _picture(make_app(demo_copy, coder="anne"), "holstebro-interview-02")
    _check("kodning.svg", svg)
