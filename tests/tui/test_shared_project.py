"""Two coders' terminal sessions on one project, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import Cli
from tests.tui.conftest import codings, make_app, settle
from tests.tui.test_overview import table_rows
from trivselkode.storage.db import open_project
from trivselkode.tui.coding.screen import CodingScreen

pytestmark = pytest.mark.anyio


async def test_two_sessions_see_each_other_after_a_refresh(db_url, interview_file) -> None:  # noqa: ANN001
    cli = Cli(db_url)
    assert cli("init").exit_code == 0
    assert cli("import", str(interview_file)).exit_code == 0
    project_a, _ = open_project(db_url)
    project_b, _ = open_project(db_url)
    app_a = make_app(project_a, coder="anne")
    app_b = make_app(project_b, coder="bo")
    try:
        async with app_a.run_test(size=(120, 40)) as pilot_a:
            await settle(pilot_a)
            row = table_rows(app_a)[0]
            assert row[0] == "holstebro-interview-01" and row[6] == ""
            async with app_b.run_test(size=(120, 40)) as pilot_b:
                await settle(pilot_b)
                await pilot_b.press("enter")  # open the source
                await settle(pilot_b)
                assert isinstance(app_b.screen, CodingScreen)
                await pilot_b.press("1")  # T1 on the first participant passage
                await settle(pilot_b)
                await pilot_b.press("d")  # done; one passage is still uncoded, so it asks
                await settle(pilot_b)
                await pilot_b.press("j")  # ja
                await settle(pilot_b)
            assert codings(project_a, "bo") == {(2, "T1", None, None)}
            assert cli.json("status")["done"] == {"bo": ["holstebro-interview-01"]}
            # A sees nothing new until it refreshes, then bo's done-mark without a restart
            await pilot_a.press("r")
            await settle(pilot_a)
            row = table_rows(app_a)[0]
            assert row[6] == "bo", row
    finally:
        project_a.dispose()
        project_b.dispose()
