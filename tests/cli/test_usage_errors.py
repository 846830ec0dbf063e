"""Commands behave like command-line tools: usage errors, help, and the exit code of every kind of failure.

A usage error (an unknown option or command, a missing argument, a bad
choice) prints the usage and one Danish ``fejl:`` line and exits 2, before
any work: the project is not even created. A group without a command prints
its help (exit 2, as click does). ``--help`` exits 0 everywhere. Every command
and group is found by walking the real typer app, so a new one is covered too;
a sample runs as the installed ``trivselkode`` in a subprocess.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from enum import Enum
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from trivselkode.cli.main import app

ROOT = typer.main.get_command(app)


def _walk(cmd, path: tuple[str, ...] = ()):  # noqa: ANN001, ANN202
    yield path, cmd
    if hasattr(cmd, "list_commands"):
        ctx = typer.Context(cmd)
        for name in cmd.list_commands(ctx):
            yield from _walk(cmd.get_command(ctx, name), (*path, name))


ALL = list(_walk(ROOT))
GROUPS = [path for path, cmd in ALL if path and hasattr(cmd, "list_commands")]
COMMANDS = [path for path, cmd in ALL if not hasattr(cmd, "list_commands")]
REQUIRED = [path for path, cmd in ALL if not hasattr(cmd, "list_commands") and any(p.required for p in cmd.params)]
NO_ARGUMENTS = [
    path
    for path, cmd in ALL
    if not hasattr(cmd, "list_commands") and all(p.param_type_name == "option" and not p.required for p in cmd.params)
]


def _choices(param) -> list[str]:  # noqa: ANN001
    """An option's choices, where typer keeps them (its annotation from 0.29, a Choice type before)."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(m.value) for m in annotation]
    return [str(getattr(c, "value", c)) for c in getattr(getattr(param, "type", None), "choices", None) or []]


CHOICES = [
    (path, param.opts[0], _choices(param))
    for path, cmd in ALL
    for param in cmd.params
    if param.param_type_name == "option" and _choices(param)
]


def _id(path: tuple[str, ...]) -> str:
    return " ".join(path) or "trivselkode"


def invoke(db: Path, *args: str):  # noqa: ANN201
    return CliRunner().invoke(app, ["--db", str(db), *args], catch_exceptions=False, prog_name="trivselkode")


def assert_usage_error(result, path: tuple[str, ...], db: Path) -> str:  # noqa: ANN001
    """Usage, the help hint, one ``fejl:`` line last; exit 2; nothing on stdout; no project made."""
    command = " ".join(("trivselkode", *path))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[0].startswith(f"Brug: {command} "), result.stderr
    assert f"Prøv '{command} --help' for hjælp." in lines
    assert lines[-1].startswith("fejl: ") and sum(line.startswith("fejl:") for line in lines) == 1
    assert "Traceback" not in result.output and "uventet fejl" not in result.output
    assert not db.exists(), "a usage error must not create or touch the project"
    return lines[-1]


def test_the_walk_finds_the_command_groups() -> None:
    assert {("report",), ("codebook",), ("sources",), ("participants",), ("codings",), ("refi",)} <= set(GROUPS)
    assert ("report", "frequencies") in COMMANDS and ("status",) in NO_ARGUMENTS and ("backup",) in REQUIRED
    assert (("report", "frequencies"), "--format", ["table", "csv", "tsv", "xlsx", "md", "json"]) in CHOICES


@pytest.mark.parametrize("path", GROUPS, ids=_id)
def test_a_group_without_a_command_prints_its_help(path, tmp_path) -> None:  # noqa: ANN001
    db = tmp_path / "p.db"
    result = invoke(db, *path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Brug: trivselkode {' '.join(path)} [TILVALG] KOMMANDO [ARG]...")
    group = dict(ALL)[path]
    for name in group.list_commands(typer.Context(group)):
        assert f"\n  {name} " in result.stderr, f"{name} missing from the help of {_id(path)}"
    assert "\nfejl:" not in result.stderr and not db.exists()


@pytest.mark.parametrize("path", [(), *GROUPS, *COMMANDS], ids=_id)
def test_help_everywhere_exits_0(path, tmp_path) -> None:  # noqa: ANN001
    db = tmp_path / "p.db"
    for flag in ("--help", "-h"):
        result = invoke(db, *path, flag)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"Brug: {' '.join(('trivselkode', *path))} ")
        assert result.stderr == "" and not db.exists()


@pytest.mark.parametrize("path", COMMANDS, ids=_id)
def test_an_unknown_option_is_a_usage_error(path, tmp_path) -> None:  # noqa: ANN001
    db = tmp_path / "p.db"
    line = assert_usage_error(invoke(db, *path, "--no-such-option"), path, db)
    assert line == "fejl: ukendt tilvalg: --no-such-option"


@pytest.mark.parametrize("path", NO_ARGUMENTS, ids=_id)
def test_an_extra_argument_is_a_usage_error(path, tmp_path) -> None:  # noqa: ANN001
    db = tmp_path / "p.db"
    line = assert_usage_error(invoke(db, *path, "ekstra", "argument"), path, db)
    assert line == "fejl: for mange argumenter: ekstra argument"


@pytest.mark.parametrize("path", REQUIRED, ids=_id)
def test_a_missing_argument_or_option_is_a_usage_error(path, tmp_path) -> None:  # noqa: ANN001
    db = tmp_path / "p.db"
    line = assert_usage_error(invoke(db, *path), path, db)
    assert line.startswith(("fejl: mangler argumentet '", "fejl: mangler tilvalget '")), line


@pytest.mark.parametrize(("path", "option", "choices"), CHOICES, ids=[f"{_id(p)} {o}" for p, o, _ in CHOICES])
def test_a_bad_choice_is_a_usage_error_naming_the_choices(path, option, choices, tmp_path) -> None:  # noqa: ANN001
    db = tmp_path / "p.db"
    line = assert_usage_error(invoke(db, *path, option, "ingen-af-dem"), path, db)
    assert line == f"fejl: ugyldig værdi for '{option}' – vælg en af: {', '.join(choices)}"


@pytest.mark.parametrize("path", [(), *GROUPS], ids=_id)
def test_an_unknown_command_is_a_usage_error(path, tmp_path) -> None:  # noqa: ANN001
    db = tmp_path / "p.db"
    line = assert_usage_error(invoke(db, *path, "no-such-command"), path, db)
    assert line == "fejl: ukendt kommando: no-such-command"


def test_a_misspelt_command_or_option_names_the_nearest(tmp_path) -> None:  # noqa: ANN001
    db = tmp_path / "p.db"
    assert assert_usage_error(invoke(db, "staus"), (), db) == "fejl: ukendt kommando: staus (mente du status?)"
    line = assert_usage_error(invoke(db, "report", "frequncies"), ("report",), db)
    assert line == "fejl: ukendt kommando: frequncies (mente du frequencies?)"
    line = assert_usage_error(invoke(db, "status", "--formt", "json"), ("status",), db)
    assert line == "fejl: ukendt tilvalg: --formt (mente du --format?)"


def test_the_top_level_options_are_checked_too(tmp_path) -> None:  # noqa: ANN001
    db = tmp_path / "p.db"
    line = assert_usage_error(invoke(db, "--no-such-option", "status"), (), db)
    assert line.startswith("fejl: ukendt tilvalg: --no-such-option")
    result = CliRunner().invoke(
        app, ["status", "--db"], catch_exceptions=False, prog_name="trivselkode"
    )  # --db belongs before the command
    assert result.exit_code == 2 and result.stderr.strip().endswith("fejl: ukendt tilvalg: --db")
    result = CliRunner().invoke(app, ["--db"], catch_exceptions=False, prog_name="trivselkode")
    assert result.exit_code == 2 and result.stderr.strip() == "fejl: tilvalget --db skal have en værdi"


# --------------------------------------------------------------- the installed command


def _installed() -> str:
    found = shutil.which("trivselkode", path=str(Path(sys.executable).parent))
    assert found, "the `trivselkode` script is not installed beside this Python (pip install -e .)"
    return found


SAMPLES = [
    *(([*group], None) for group in GROUPS),  # every group without a command: its help
    (["status", "--bogus"], "fejl: ukendt tilvalg: --bogus"),
    (["report", "frequencies", "--formt", "json"], "fejl: ukendt tilvalg: --formt (mente du --format eller --out?)"),
    (["codebook", "show", "--format", "xml"], "fejl: ugyldig værdi for '--format' – vælg en af: table, json"),
    (["backup"], "fejl: mangler argumentet 'out'"),
    (["codings", "add", "--source", "x"], "fejl: mangler tilvalget '--passage' / '-p'"),
    (["staus"], "fejl: ukendt kommando: staus (mente du status?)"),
    (["status", "ekstra"], "fejl: for mange argumenter: ekstra"),
    (["codings", "export", "--format", "yaml"], "fejl: ugyldig værdi for '--format' – vælg en af: csv, tsv, json"),
    (["--db"], "fejl: tilvalget --db skal have en værdi"),
]


@pytest.mark.parametrize(("args", "error"), SAMPLES, ids=[" ".join(args) for args, _ in SAMPLES])
def test_the_installed_command_exits_2_on_a_usage_error(args, error, tmp_path) -> None:  # noqa: ANN001
    db = tmp_path / "p.db"
    argv = [_installed(), *args] if args == ["--db"] else [_installed(), "--db", str(db), *args]
    result = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, env=_env())
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    if error is None:  # a group without a command: its help
        assert result.stderr.startswith(f"Brug: trivselkode {' '.join(args)} [TILVALG] KOMMANDO [ARG]...")
        assert "Kommandoer:" in result.stderr and "\nfejl:" not in result.stderr
    else:
        # (typer names an argument 'OUT' before 0.29, 'out' from 0.29)
        assert result.stderr.rstrip("\n").splitlines()[-1].lower() == error.lower()
    assert not db.exists() and not (tmp_path / "trivselkode.db").exists()


def test_the_installed_command_help_exits_0(tmp_path) -> None:  # noqa: ANN001
    for args in (["--help"], ["report", "--help"], ["codings", "add", "-h"], ["--version"]):
        result = subprocess.run([_installed(), *args], capture_output=True, text=True, cwd=tmp_path, env=_env())
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(("Brug: trivselkode", "trivselkode ")) and result.stderr == ""


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k not in ("TRIVSELKODE_DB", "TRIVSELKODE_CODER")}


# --------------------------------------------------------- the other kinds of failure


def test_a_mendable_error_is_one_line_with_its_exit_code(tmp_path) -> None:  # noqa: ANN001
    db = tmp_path / "p.db"
    assert invoke(db, "init").exit_code == 0
    result = CliRunner().invoke(
        app, ["--db", str(db), "--coder", "anne", "sources", "done", "-s", "ingen-sådan-kilde"], prog_name="trivselkode"
    )
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("fejl: ") and "ingen-sådan-kilde" in lines[0]

    not_a_db = tmp_path / "noter.db"
    not_a_db.write_text("ikke en database\n" * 200)
    result = invoke(not_a_db, "status")
    assert result.exit_code == 2, result.output  # Refused: the file is left alone
    assert [line for line in result.stderr.splitlines() if line.strip()][-1].startswith("fejl: ")
    assert "Brug:" not in result.stderr
    assert not_a_db.read_text() == "ikke en database\n" * 200


@pytest.mark.parametrize(
    ("raised", "code", "says"),
    [
        (KeyboardInterrupt(), 130, "afbrudt"),
        (typer.Abort(), 1, "afbrudt"),
        (ZeroDivisionError("division by zero"), 3, "fejl: uventet fejl: ZeroDivisionError: division by zero"),
    ],
    ids=["ctrl+c", "abort", "bug"],
)
def test_interrupts_and_bugs_are_one_line_with_their_exit_code(raised, code, says, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from trivselkode.storage import status

    def fail(project):  # noqa: ANN001, ANN202
        raise raised

    monkeypatch.setattr(status, "project_status", fail)
    result = invoke(tmp_path / "p.db", "status")
    assert result.exit_code == code, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("Nyt, tomt projekt")]
    assert len(lines) == 1 and lines[0].startswith(says), result.stderr
    assert "Traceback" not in result.output and "Brug:" not in result.output
