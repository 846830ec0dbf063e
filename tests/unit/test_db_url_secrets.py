"""A database URL's password is never shown: not in a refusal, an error, ``status`` or the TUI's title.

A URL whose password holds an unencoded ``@`` or ``:`` is refused before any connection (a real
listening socket shows that nothing connected), with a message that names no part of it and says
how to mend it. A failed connection (a port where nothing listens) is reported with the password
masked, whatever the driver's message holds.
"""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy.exc import OperationalError

from tests.conftest import Cli
from trivselkode.errors import Refused
from trivselkode.storage.db import check_url, display_url, explain_failure, mask_url, open_project

SECRET_PARTS = ("Hq7x", "Zw9y", "Kp4v")


@contextmanager
def listener():
    """A socket listening on loopback: its port, and a function telling whether anyone connected.

    Every connection is closed at once, so a client that did connect fails fast instead of waiting.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.05)
    seen: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:  # the timeout, or the socket closed
                continue
            seen.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1], lambda: bool(seen)
    finally:
        stop.set()
        thread.join()
        sock.close()


def free_port() -> int:
    """A loopback port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shows_no_secret(text: str) -> bool:
    return not any(part in text for part in SECRET_PARTS)


BAD_PASSWORDS = [
    "Hq7x@Zw9y",  # today: host "Zw9y@127.0.0.1", printed twice
    "Hq7x:Zw9y",
    "Hq7x@Zw9y:Kp4v",  # today: a ValueError on the port, with the rest of the password
    "Hq7x:Zw9y@Kp4v",
    "Hq7x/Zw9y@Kp4v",
    "@Hq7x",
    "Hq7x:",
]


@pytest.mark.parametrize("password", BAD_PASSWORDS)
def test_an_unencoded_at_or_colon_is_refused_before_connecting(password: str) -> None:
    with listener() as (port, connected):
        url = f"postgresql+psycopg://anna:{password}@127.0.0.1:{port}/projekt"
        result = Cli(url)("status")
        assert not connected()
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert shows_no_secret(result.stderr), result.stderr
    assert "ikke er kodet" in result.stderr
    assert (
        "%40" in result.stderr
        and "%3A" in result.stderr
        and "PGPASSWORD" in result.stderr
        and ".pgpass" in result.stderr
    )


def test_the_refusal_holds_for_the_environment_variable_and_merge(tmp_path) -> None:
    from typer.testing import CliRunner

    from trivselkode.cli.main import app

    url = f"postgresql+psycopg://anna:Hq7x@Zw9y@127.0.0.1:{free_port()}/projekt"
    result = CliRunner().invoke(app, ["status"], env={"TRIVSELKODE_DB": url})
    assert result.exit_code == 2 and "ikke er kodet" in result.stderr and shows_no_secret(result.stderr), result.stderr
    result = Cli(tmp_path / "projekt.db")("merge", url, "--dry-run")
    assert result.exit_code == 2 and "ikke er kodet" in result.stderr and shows_no_secret(result.stderr), result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://anna:Hq7x%40Zw9y%3AKp4v@127.0.0.1:{port}/projekt",
        "postgresql+psycopg://anna:Hq7x@127.0.0.1:{port}/projekt",
        "postgresql+psycopg://anna@127.0.0.1:{port}/projekt?password=Hq7x",
    ],
)
def test_a_failed_connection_masks_the_password(url: str) -> None:
    result = Cli(url.format(port=free_port()))("status")
    assert result.exit_code == 2
    assert "kan ikke forbinde til postgresql+psycopg://anna" in result.stderr
    assert "***" in result.stderr
    assert shows_no_secret(result.stderr), result.stderr


def test_the_refusal_comes_from_open_project_itself() -> None:
    with pytest.raises(Refused) as info:
        open_project(f"postgresql+psycopg://anna:Hq7x:Zw9y@127.0.0.1:{free_port()}/projekt")
    assert shows_no_secret(str(info.value))


@pytest.mark.parametrize(
    "db",
    [
        "postgresql+psycopg://anna:Hq7x@h/db",
        "postgresql+psycopg://anna:Hq7x%40Zw9y@h:5432/db",
        "postgresql+psycopg://anna@h/db",
        "projekt@2025.db",
        "sqlite:///mappe/med@snabel@a.db",
        "postgresql+psycopg://h/db?sslmode=require",
    ],
)
def test_good_urls_and_paths_pass(db: str) -> None:
    check_url(db if "://" in db else f"sqlite:///{db}")


def test_what_is_shown_of_a_url() -> None:
    assert display_url("postgresql+psycopg://anna:Hq7x%40Zw9y@h:5432/db") == "postgresql+psycopg://anna:***@h:5432/db"
    assert display_url("postgresql+psycopg://anna@h/db?password=Hq7x&sslmode=require") == (
        "postgresql+psycopg://anna@h/db?password=***&sslmode=require"
    )
    assert display_url("postgresql+psycopg://anna:Hq7x/db") == "postgresql+psycopg://…"
    # In free text: up to the URL's last "@", and a password parameter.
    assert mask_url("kan ikke nå postgresql://anna:Hq7x@Zw9y@h/db nu") == "kan ikke nå postgresql://anna:***@h/db nu"
    assert mask_url("host=h user=anna password=Hq7x dbname=db") == "host=h user=anna password=*** dbname=db"
    assert mask_url("password='hem mel ig' host=h") == "password=*** host=h"


def test_a_driver_message_holding_the_password_is_masked_in_the_one_line_error() -> None:
    """SQLAlchemy's and the driver's text reach the user only through explain_failure (CLI, TUI, Eksport)."""
    for text in (
        'connection to "postgresql://anna:Hq7x@Zw9y@h/db" failed',
        "invalid connection option in: host=h password=Hq7x",
    ):
        line = explain_failure(OperationalError("SELECT 1", {}, Exception(text)))
        assert "databasen svarede ikke" in line
        assert shows_no_secret(line), line


# ---------------------------------------------------------------- on a real server


@pytest.mark.postgres
def test_status_and_the_tui_title_show_no_password(pg_url: str) -> None:
    """The test cluster trusts loopback, so a password (encoded @ and :) is accepted and ignored."""
    import asyncio

    from trivselkode.config import Settings
    from trivselkode.tui.app import TrivselApp

    url = pg_url.replace("postgresql+psycopg://postgres@", "postgresql+psycopg://postgres:Hq7x%40Zw9y%3AKp4v@")
    assert url != pg_url
    cli = Cli(url)
    assert cli("init").exit_code == 0
    result = cli("status")
    assert result.exit_code == 0, result.stderr
    assert "***" in result.stdout + result.stderr
    assert shows_no_secret(result.stdout + result.stderr)

    project, _ = open_project(url)
    try:
        assert shows_no_secret(project.display_name) and "***" in project.display_name

        async def title() -> str:
            app = TrivselApp(project, Settings(db=url, coder="anne"))
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                return f"{app.title} {app.sub_title} {app.screen.title} {app.screen.sub_title}"

        shown = asyncio.run(title())
        assert "***" in shown and shows_no_secret(shown), shown
    finally:
        project.dispose()


def test_the_settings_do_not_show_the_url() -> None:
    from trivselkode.config import Settings

    assert shows_no_secret(repr(Settings(db="postgresql+psycopg://anna:Hq7x@h/db", coder="anne")))
