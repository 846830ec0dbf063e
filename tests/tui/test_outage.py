"""The database going away mid-session: said in one line, the session kept, work resumed.

Real faults, not stand-ins: a PostgreSQL database that stops taking
connections (its sessions ended, new ones refused), and an SQLite file
that another process holds locked.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.tui.conftest import build_project, codings, make_app, settle
from trivselkode.storage.db import open_project
from trivselkode.tui.coding.screen import CodingScreen
from trivselkode.tui.overview.screen import OverviewScreen

pytestmark = pytest.mark.anyio


def _recording(app) -> list[tuple[str, str]]:  # noqa: ANN001
    """The app's notifications, as (severity, text)."""
    notes: list[tuple[str, str]] = []
    notify = app.notify

    def record(message, **kwargs):  # noqa: ANN001, ANN202
        notes.append((kwargs.get("severity", "information"), str(message)))
        return notify(message, **kwargs)

    app.notify = record
    return notes


async def _go_to(pilot, number: int) -> None:  # noqa: ANN001
    """Move the coding screen's cursor to passage ``number`` with j/k."""
    for _ in range(20):
        current = pilot.app.screen.passage.number
        if current == number:
            return
        await pilot.press("j" if current < number else "k")
        await settle(pilot)
    raise AssertionError(f"passage {number} was not reached")


@contextmanager
def _server_gone(url: str):
    """The project's PostgreSQL database refuses connections, and its sessions are ended."""
    import psycopg

    from tests.conftest import TEST_PG

    name = url.rsplit("/", 1)[1]
    admin = TEST_PG.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
    try:
        yield
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


@pytest.mark.postgres
async def test_the_server_going_away_keeps_the_session(pg_url: str) -> None:
    project = build_project(pg_url)
    app = make_app(project)
    notes = _recording(app)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, CodingScreen)
            await _go_to(pilot, 2)
            await pilot.press("1")
            await settle(pilot)
            assert codings(project) == {(2, "T1", None, None)}
            with _server_gone(pg_url):
                await _go_to(pilot, 4)
                await pilot.press("2")  # not stored, and said so
                await settle(pilot)
                assert any(sev == "error" and "Ikke gemt: databasen svarede ikke" in text for sev, text in notes)
                screen = app.screen
                assert screen.passage.id not in screen.view.mine  # the screen does not show it as coded
                await pilot.press("escape")  # the overview reloads: that fails too
                await settle(pilot)
                assert app.is_running and isinstance(app.screen, OverviewScreen)
                await pilot.press("r")
                await settle(pilot)
                await pilot.press("enter")  # opening a source fails, the overview stays
                await settle(pilot)
                assert app.is_running
                assert all("\n" not in text for _sev, text in notes)  # one line each
                assert all("Traceback" not in text and "sqlalche.me" not in text for _sev, text in notes)
            # the server is back: the same keys work, nothing restarted
            if not isinstance(app.screen, CodingScreen):
                await pilot.press("escape")
                await settle(pilot)
                await pilot.press("r", "enter")
                await settle(pilot)
            assert isinstance(app.screen, CodingScreen)
            await _go_to(pilot, 4)
            await pilot.press("2")
            await settle(pilot)
        assert codings(project) == {(2, "T1", None, None), (4, "T2", None, None)}
    finally:
        project.dispose()


async def test_a_locked_sqlite_file_is_said_and_the_next_try_stores(tmp_path: Path) -> None:
    path = tmp_path / "låst.db"
    build_project(path).dispose()
    project, _ = open_project(str(path), busy_timeout_s=0.2)
    app = make_app(project)
    notes = _recording(app)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await _go_to(pilot, 2)
            other.execute("BEGIN EXCLUSIVE")  # another process holds the file
            await pilot.press("1")
            await settle(pilot)
            assert codings(project) == set()
            assert any(sev == "error" and "databasen er optaget af en anden proces" in text for sev, text in notes)
            assert app.screen.passage.id not in app.screen.view.mine  # nor does the screen
            other.execute("ROLLBACK")
            await pilot.press("1")
            await settle(pilot)
            assert app.is_running
        assert codings(project) == {(2, "T1", None, None)}
    finally:
        other.close()
        project.dispose()


@pytest.mark.postgres
def test_the_cli_says_the_server_is_gone_in_one_line(pg_url: str) -> None:
    from tests.conftest import Cli

    cli = Cli(pg_url)
    assert cli("init").exit_code == 0
    with _server_gone(pg_url):
        result = cli("status")
        assert result.exit_code != 0
        lines = result.stderr.strip().splitlines()
        assert (
            len(lines) == 1
            and "kan ikke forbinde til" in lines[0]
            and "not currently accepting connections" in lines[0]
        )
    assert cli("status").exit_code == 0
