"""Shared fixtures: a fresh project file per test and a CLI runner."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from trivselkode.cli.project import demo_source_files

REPO = Path(__file__).resolve().parent.parent
DEMO_SOURCES = len(demo_source_files())  # the sources `trivselkode demo` imports
# A PostgreSQL server URL (its maintenance database); `.ci/run` starts a throw-away cluster.
TEST_PG = os.environ.get("TRIVSELKODE_TEST_PG")
NO_PG = "TRIVSELKODE_TEST_PG is not set"

# No test depends on the machine's speed: no per-example deadline, no "too slow" health check
# (a loaded 2-core machine runs the suite as well as an idle one). A test's own @settings
# inherits these unless it sets them itself.
settings.register_profile("trivselkode", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("trivselkode")

# Tests never read the developer's environment.
for _var in ("TRIVSELKODE_DB", "TRIVSELKODE_CODER", "TRIVSELKODE_LANG"):
    os.environ.pop(_var, None)
# Nor the developer's saved choices (the interface language): a settings folder of the test run's own.
os.environ["XDG_CONFIG_HOME"] = str(Path(os.environ.get("TMPDIR", "/tmp")) / f"trivselkode-test-config-{os.getpid()}")


@pytest.fixture(autouse=True)
def _danish_after_each_test():
    """Every test starts and ends in the default language, whatever a test switched to.

    And with no terminal size left behind in the environment by an earlier test of the same
    worker (a table printed to a pipe is as wide as its content unless COLUMNS says otherwise).
    """
    from trivselkode.i18n import set_language

    for var in ("COLUMNS", "LINES"):
        os.environ.pop(var, None)
    set_language("da")
    yield
    set_language("da")


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr  # (path, line, "Skipped: reason"); a list once xdist has carried it over
    if isinstance(longrepr, (tuple, list)) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ANN001, ANN201
    """After the short summary: how many tests wanted PostgreSQL, and how to run them.

    On the xdist controller the workers' reports are in ``stats`` too.
    """
    result = yield
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if NO_PG in _skip_reason(r)]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} test{'s' if len(skipped) != 1 else ''} skipped for want of PostgreSQL (TRIVSELKODE_TEST_PG); "
            'run `.ci/run` (or `eval "$(.ci/pg start)"; make test`) to include them.',
            yellow=True,
        )
    return result


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "projekt.db"


def _pg_admin():
    import psycopg

    url = TEST_PG.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(url, autocommit=True), url


def _fresh_pg_database():
    """A fresh, empty PostgreSQL database, dropped afterwards (skipped without a server)."""
    if not TEST_PG:
        pytest.skip(NO_PG)
    name = f"tk_{uuid.uuid4().hex[:16]}"
    conn, admin_url = _pg_admin()
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = TEST_PG.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    conn, _ = _pg_admin()
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database for one test (skipped without a server)."""
    yield from _fresh_pg_database()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path: Path) -> str:
    """The project database: an SQLite file, and a PostgreSQL database when a server is given."""
    if request.param == "sqlite":
        return str(tmp_path / "projekt.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def module_db_url(request, tmp_path_factory):
    """As ``db_url``, shared by a module's tests (for a project that is slow to build)."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("module-db") / "projekt.db")
    else:
        yield from _fresh_pg_database()


@pytest.fixture
def project(db_url: str):
    from trivselkode.storage.db import open_project

    proj, _ = open_project(db_url)
    yield proj
    proj.dispose()


@pytest.fixture
def sqlite_project(db_path: Path):
    from trivselkode.storage.db import open_project

    proj, _ = open_project(str(db_path))
    yield proj
    proj.dispose()


class Cli:
    """Runs ``trivselkode`` in-process against one project file."""

    def __init__(self, db: Path | str) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, coder: str | None = None):
        from trivselkode.cli.main import app

        env = {"TRIVSELKODE_CODER": coder} if coder else {}
        return self.runner.invoke(app, ["--db", str(self.db), *args], input=input, env=env, catch_exceptions=False)

    def json(self, *args: str, coder: str | None = None):
        result = self(*args, "--format", "json", coder=coder)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture
def cli(db_url: str) -> Cli:
    return Cli(db_url)


@pytest.fixture
def sqlite_cli(db_path: Path) -> Cli:
    return Cli(db_path)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path


INTERVIEW = """---
title: Interview 1, Holstebro
kind: interview
site: Holstebro
context: bibliotek
round: 1
date: 2025-03-14
participants:
  - {id: I, role: interviewer}
  - {id: P1, gender: kvinde, age: 67}
---
I: Hvad betyder biblioteket for dig?
P1: Jeg får lidt tro på verden, hver gang jeg går herfra. Her er altid nogen, der hilser.
I: Hvordan har du det, når du går herfra?
P1: Jeg bliver et roligere menneske.
Det er som om tempoet falder.
I: Tak.
"""


@pytest.fixture
def interview_file(tmp_path: Path) -> Path:
    return write(tmp_path / "data" / "holstebro-interview-01.txt", INTERVIEW)


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project (:data:`DEMO_SOURCES` sources, anne's and bo's codings), built once per test process; tests copy it."""
    from trivselkode.cli.project import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path)
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path):  # noqa: ANN201
    """A fresh copy of the demo project for one test, open."""
    from trivselkode.storage.db import open_project
    from trivselkode.storage.migrations import copy_sqlite_file

    path = tmp_path / "demo.db"
    copy_sqlite_file(demo_file, path)
    project, _ = open_project(str(path))
    yield project
    project.dispose()
