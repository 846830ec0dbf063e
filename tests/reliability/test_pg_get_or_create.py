"""PostgreSQL: processes that create the same coder or import the same folder at once.

Real processes, released together by a barrier after each has opened the
project, run the real CLI; every round uses a new coder and a new folder. All
must end at exit 0 (the import's files "imported" in one process and
"uændret" in the others), and the project holds each coder and source once.
"""

from __future__ import annotations

import json
import multiprocessing

import pytest

from tests.conftest import INTERVIEW, Cli

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PROCESSES = 6
ROUNDS = 4


def _run_cli(url: str, args: list[str], barrier, results) -> None:  # noqa: ANN001
    """One process: import the CLI and open the project, wait for the others, then run the command."""
    from typer.testing import CliRunner

    from trivselkode.cli.main import app
    from trivselkode.storage.db import open_project

    project, _ = open_project(url)  # connect and load everything before the start
    project.dispose()
    runner = CliRunner()
    barrier.wait(timeout=120)
    result = runner.invoke(app, ["--db", url, *args], catch_exceptions=True)
    results.put((result.exit_code, result.stdout, result.stderr + (repr(result.exception) if result.exception else "")))


def _all_at_once(url: str, args: list[str]) -> list[tuple[int, str, str]]:
    # fork: the children start at once with everything imported (the test process holds no connection now)
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [ctx.Process(target=_run_cli, args=(url, args, barrier, results)) for _ in range(PROCESSES)]
    for proc in procs:
        proc.start()
    out = [results.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return out


def test_same_new_coder_from_many_processes_at_once(pg_url, tmp_path, interview_file):
    cli = Cli(pg_url)
    assert cli("init").exit_code == 0
    assert cli("import", str(interview_file)).exit_code == 0
    for round_ in range(ROUNDS):
        coder = f"ny{round_}"
        results = _all_at_once(
            pg_url, ["codings", "add", "-s", "holstebro-interview-01", "-p", "2", "-c", "T1", "--coder", coder]
        )
        for code, _out, err in results:
            assert code == 0, err
            assert "IntegrityError" not in err
        rows = [r for r in cli.json("codings", "export") if r["coder"] == coder]
        assert len(rows) == 1, rows
    assert cli.json("status")["coders"] == ROUNDS


def test_same_folder_imported_by_many_processes_at_once(pg_url, tmp_path):
    cli = Cli(pg_url)
    assert cli("init").exit_code == 0
    for round_ in range(ROUNDS):
        folder = tmp_path / f"runde{round_}"
        folder.mkdir()
        names = [f"r{round_}-interview-{i}" for i in range(3)]
        for i, name in enumerate(names):
            text = INTERVIEW.replace("Tak.", f"Tak for runde {round_}, fil {i}.")
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        results = _all_at_once(pg_url, ["import", str(folder), "--format", "json"])
        imported: dict[str, int] = {}
        for code, out, err in results:
            assert code == 0, err
            assert "IntegrityError" not in err
            for f in json.loads(out)["files"]:
                assert f["status"] in ("imported", "unchanged"), f
                imported[f["source"]] = imported.get(f["source"], 0) + (f["status"] == "imported")
        assert imported == {name: 1 for name in names}  # each file stored by exactly one process
    status = cli.json("status")
    assert status["sources"] == 3 * ROUNDS


def test_grants_of_coder_roles_survive_a_migration(pg_url, tmp_path, interview_file):
    """A coder role set up as the README said (rights on the tables that existed) keeps working on
    a table that a later migration adds."""
    import psycopg
    from sqlalchemy import text

    from tests.conftest import TEST_PG
    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import SCHEMA_VERSION

    db = pg_url.rsplit("/", 1)[1]
    owner_role, coder_role = f"ejer_{db[-8:]}", f"koder_{db[-8:]}"
    admin = TEST_PG.replace("+psycopg", "").rsplit("/", 1)[0]
    with psycopg.connect(f"{admin}/{db}", autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{owner_role}" LOGIN')
        conn.execute(f'ALTER DATABASE "{db}" OWNER TO "{owner_role}"')
        conn.execute(f'ALTER SCHEMA public OWNER TO "{owner_role}"')
    owner_url = pg_url.replace("://postgres@", f"://{owner_role}@")
    coder_url = pg_url.replace("://postgres@", f"://{coder_role}@")
    try:
        owner = Cli(owner_url)
        assert owner("init").exit_code == 0
        assert owner("import", str(interview_file)).exit_code == 0
        for name in ("anne", "bo"):
            assert (
                owner("codings", "add", "-s", "holstebro-interview-01", "-p", "2", "-c", "T1", coder=name).exit_code
                == 0
            )
        # Make it a schema-1 project: without the decision table a later schema added.
        project, _ = open_project(owner_url)
        with project.engine.begin() as conn:
            conn.execute(text("DROP TABLE decision"))
            conn.execute(text("UPDATE meta SET value = '1' WHERE key = 'schema_version'"))
        project.dispose()
        # The README's coder set-up, run while the project had schema 1.
        with psycopg.connect(f"{admin}/{db}", autocommit=True) as conn:
            conn.execute(f'CREATE ROLE "{coder_role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
            conn.execute(f'GRANT CONNECT ON DATABASE "{db}" TO "{coder_role}"')
            conn.execute(f'GRANT USAGE ON SCHEMA public TO "{coder_role}"')
            conn.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{coder_role}"')
            conn.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{coder_role}"')
        # A newer tool opens it as the owner and migrates.
        assert owner.json("status")["schema_version"] == SCHEMA_VERSION
        coder = Cli(coder_url)
        result = coder(
            "consensus",
            "settle",
            "-s",
            "holstebro-interview-01",
            "-p",
            "2",
            "-c",
            "T1",
            "--take",
            "both",
            "--coders",
            "anne,bo",
            coder="anne",
        )
        assert result.exit_code == 0, result.stderr
        assert len(coder.json("consensus", "list")) == 1
    finally:
        with psycopg.connect(f"{admin}/{db}", autocommit=True) as conn:
            for role in (coder_role, owner_role):
                conn.execute(f'REASSIGN OWNED BY "{role}" TO postgres')
                conn.execute(f'DROP OWNED BY "{role}"')
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            for role in (coder_role, owner_role):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_a_writer_waits_for_the_write_lock_at_most_the_busy_timeout(pg_url):
    """A writer that holds the project's write lock too long: the next writer gives up with a clear line."""
    import psycopg
    from sqlalchemy.exc import OperationalError

    from trivselkode.storage.db import _PG_WRITE_LOCK, explain_failure, open_project
    from trivselkode.storage.models import Coder

    project, _ = open_project(pg_url, busy_timeout_s=1)
    try:
        with psycopg.connect(pg_url.replace("+psycopg", "")) as holder:
            holder.execute(f"SELECT pg_advisory_xact_lock({_PG_WRITE_LOCK})")  # in its open transaction
            with pytest.raises(OperationalError) as info:
                with project.write() as session:
                    session.add(Coder(name="venter"))
            assert "optaget af en anden proces" in explain_failure(info.value)
        with project.write() as session:  # the lock is free again
            session.add(Coder(name="venter"))
    finally:
        project.dispose()
