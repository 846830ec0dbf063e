"""Backups while others work, restoring them, and the network-drive warning."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from tests.conftest import Cli
from trivselkode.storage.db import network_warning


def _fill(cli: Cli, interview_file: Path) -> None:
    assert cli("init").exit_code == 0
    assert cli("import", str(interview_file)).exit_code == 0
    assert cli("codings", "add", "-s", "holstebro-interview-01", "-p", "2", "-c", "T1", coder="anne").exit_code == 0
    assert (
        cli(
            "codings",
            "add",
            "-s",
            "holstebro-interview-01",
            "-p",
            "4",
            "-c",
            "T2",
            "--start",
            "0",
            "--end",
            "10",
            coder="bo",
        ).exit_code
        == 0
    )
    assert cli("sources", "done", "-s", "holstebro-interview-01", coder="anne").exit_code == 0


def test_backup_is_a_project_that_opens(cli, interview_file, tmp_path):
    _fill(cli, interview_file)
    out = tmp_path / "kopi.db"
    result = cli("backup", str(out), "--format", "json")
    assert result.exit_code == 0, result.stderr
    copy = Cli(out)
    assert copy.json("status") == cli.json("status")
    assert copy.json("codings", "export") == cli.json("codings", "export")
    with sqlite3.connect(out) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_restore_into_empty_database_gives_the_same_project(cli, interview_file, tmp_path, db_url):
    _fill(cli, interview_file)
    out = tmp_path / "kopi.db"
    assert cli("backup", str(out)).exit_code == 0
    target_url = db_url + "-restored" if not db_url.startswith("postgresql") else None
    if target_url is None:
        # restore into a second fresh PostgreSQL database
        import psycopg

        from tests.conftest import TEST_PG

        name = db_url.rsplit("/", 1)[1] + "_r"
        with psycopg.connect(TEST_PG.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        target_url = db_url.rsplit("/", 1)[0] + "/" + name
    target = Cli(target_url)
    result = target("restore", str(out))
    assert result.exit_code == 0, result.stderr
    assert target.json("status") == cli.json("status")
    assert target.json("codings", "export") == cli.json("codings", "export")
    # the restored project keeps working: new rows get fresh ids
    assert target("codings", "add", "-s", "holstebro-interview-01", "-p", "2", "-c", "T4", coder="carl").exit_code == 0
    assert target.json("status")["codings"] == 3
    # restoring again into a non-empty database is refused
    again = target("restore", str(out))
    assert again.exit_code != 0 and "ikke tom" in again.stderr
    if target_url.startswith("postgresql"):
        import psycopg

        from tests.conftest import TEST_PG

        with psycopg.connect(TEST_PG.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target_url.rsplit("/", 1)[1]}" WITH (FORCE)')


def test_backup_while_another_process_writes(sqlite_cli, db_path, interview_file, tmp_path):
    _fill(sqlite_cli, interview_file)
    stop = threading.Event()

    def writer() -> None:
        conn = sqlite3.connect(db_path, isolation_level=None, timeout=30)
        i = 0
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO coder (name, created_at) VALUES (?, '2026-01-01')", (f"k{i}",))
            conn.execute("COMMIT")
            i += 1
        conn.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        for n in range(3):
            out = tmp_path / f"kopi{n}.db"
            assert sqlite_cli("backup", str(out)).exit_code == 0
            with sqlite3.connect(out) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                assert conn.execute("SELECT count(*) FROM coding").fetchone()[0] == 2
    finally:
        stop.set()
        t.join()


def test_backup_refuses_bad_path(sqlite_cli, tmp_path, interview_file):
    _fill(sqlite_cli, interview_file)
    result = sqlite_cli("backup", str(tmp_path / "mangler" / "k.db"))
    assert result.exit_code == 1 and "findes ikke" in result.stderr


def test_network_drive_warns(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/sda1 / ext4 rw 0 0\n"
        f"//server/share {tmp_path}/share cifs rw 0 0\n"
        f"nas:/export {tmp_path}/nfs nfs4 rw 0 0\n"
    )
    (tmp_path / "share").mkdir()
    (tmp_path / "nfs").mkdir()
    assert "PostgreSQL" in network_warning(tmp_path / "share" / "p.db", str(mounts))
    assert "nfs4" in network_warning(tmp_path / "nfs" / "p.db", str(mounts))
    assert network_warning(tmp_path / "lokal.db", str(mounts)) is None
