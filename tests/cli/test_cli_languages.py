"""The command line speaks Danish or English all the way through: help, usage errors, error lines.

Every command's and group's ``--help`` is found by walking the real click tree
(a new command is covered without touching this file) and read in English
(``--lang en``, and ``TRIVSELKODE_LANG=en``) for Danish words left behind, and
in Danish for English ones — click's own "Usage:", "Options:" and "Show this
message and exit." among them. Usage errors and a project error are read in
both languages, and one run goes through ``python -m trivselkode``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.i18n_words import danish_leaks, english_leaks
from trivselkode.cli.main import app
from trivselkode.i18n import set_language

ROOT = typer.main.get_command(app)
REPO = Path(__file__).resolve().parents[2]

# Names, not words of either language: the product, the formats and the tools the help names.
PROPER = frozenset({"trivselkode"})
# Danish help names the English values a script passes ("--format table", "--unit passage", "source"):
# those are the machine's words, not the interface's.
MACHINE = frozenset(
    """
    table json csv tsv xlsx md docx html png svg pdf da en share passages participants codings passage span
    source length both neither all themes needs qualities environment site kind context gender age band round
    title date name role label a b
    """.split()
)


def _walk(cmd, path: tuple[str, ...] = ()):  # noqa: ANN001, ANN202
    yield path, cmd
    if hasattr(cmd, "list_commands"):
        ctx = typer.Context(cmd)
        for name in cmd.list_commands(ctx):
            yield from _walk(cmd.get_command(ctx, name), (*path, name))


ALL = [path for path, _cmd in _walk(ROOT)]


def _id(path: tuple[str, ...]) -> str:
    return " ".join(path) or "trivselkode"


def _run(*args: str, env: dict[str, str] | None = None):  # noqa: ANN202
    try:
        return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False, prog_name="trivselkode")
    finally:
        set_language("da")


# The command line's own words are neither language: command names, options, and commands quoted in `…`.
COMMANDS = frozenset(word for path in ALL for name in path for word in re.split(r"[-_]", name))
# Also environment variables (TRIVSELKODE_CODER), URL schemes (file://) and lists a script writes (source,passage,code).
_SYNTAX = re.compile(r"`[^`]*`|(?<![\w])--?[\w][\w/-]*|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\w+://|\w+(?:,\w+)+")


def _words(text: str) -> str:
    return _SYNTAX.sub(" ", text)


def _english(text: str) -> list[str]:
    """Danish words in English text ("standard input/output" is English, the word list's "standard" Danish)."""
    return danish_leaks(re.sub(r"\bstandard\s+(?=input|output)", " ", _words(text)), PROPER)


def _danish(text: str) -> list[str]:
    return english_leaks(_words(text), PROPER | MACHINE | COMMANDS)


def test_the_walk_finds_the_commands() -> None:
    assert len(ALL) > 40
    assert ("report", "frequencies") in ALL and ("consensus", "settle") in ALL


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_help_in_english(path: tuple[str, ...]) -> None:
    result = _run("--lang", "en", *path, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: trivselkode"), result.output
    assert "Show this message and exit." in result.output
    assert _english(result.output) == [], result.output


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_help_in_danish(path: tuple[str, ...]) -> None:
    result = _run(*path, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Brug: trivselkode"), result.output
    assert "Vis denne hjælp, og afslut." in result.output
    assert _danish(result.output) == [], result.output


def test_help_follows_the_environment() -> None:
    result = _run("codings", "--help", env={"TRIVSELKODE_LANG": "en"})
    assert result.output.startswith("Usage: trivselkode codings [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in result.output and _english(result.output) == []


def test_lang_option_wins_over_the_environment() -> None:
    result = _run("--lang", "da", "codings", "--help", env={"TRIVSELKODE_LANG": "en"})
    assert result.output.startswith("Brug: trivselkode codings [TILVALG] KOMMANDO [ARG]...")


def test_language_switches_back_and_forth_in_one_process() -> None:
    """The help is translated from the Danish kept on each command, every time it is shown."""
    for lang, first in (("en", "Usage:"), ("da", "Brug:"), ("en", "Usage:")):
        result = _run("--lang", lang, "report", "quotes", "--help")
        assert result.output.startswith(first), result.output


USAGE_ERRORS = [
    (("sources", "list", "--bogus"), "ukendt tilvalg: --bogus", "unknown option: --bogus"),
    (("codebook", "validate"), "fejl: mangler argumentet 'fil'", "error: missing argument 'file'"),
    (("sources", "list", "--format", "xml"), "vælg en af: table, json", "choose one of: table, json"),
    (("search", "tryghed", "--limit", "many"), "skal være af typen heltal", "must be a valid integer"),
    (("sourcs",), "ukendt kommando: sourcs (mente du sources?)", "unknown command: sourcs (did you mean sources?)"),
    (("codebook", "validate", "a", "b"), "for mange argumenter: b", "too many arguments: b"),
]


@pytest.mark.parametrize(("args", "danish", "english"), USAGE_ERRORS, ids=[" ".join(a) for a, _d, _e in USAGE_ERRORS])
def test_usage_errors_in_both_languages(tmp_path: Path, args: tuple[str, ...], danish: str, english: str) -> None:
    db = str(tmp_path / "p.db")
    da = _run("--db", db, *args)
    assert da.exit_code == 2 and danish in da.stderr, da.stderr
    assert da.stderr.startswith("Brug: ") and "Prøv '" in da.stderr and _danish(da.stderr) == [], da.stderr
    en = _run("--lang", "en", "--db", db, *args)
    assert en.exit_code == 2 and english in en.stderr, en.stderr
    assert en.stderr.startswith("Usage: ") and "Try '" in en.stderr and _english(en.stderr) == [], en.stderr
    assert not Path(db).exists()


def test_a_group_without_a_command_shows_its_help_in_english() -> None:
    result = _run("--lang", "en", "report")
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: trivselkode report") and "Commands:" in result.stderr
    assert _english(result.stderr) == []


@pytest.mark.parametrize(
    "args",
    [
        ("search", " "),  # the command's own error
        ("init", "--codebook", "x.yaml"),  # the codebook's (a file that is not there)
    ],
    ids=["search", "init"],
)
def test_a_project_error_in_english(tmp_path: Path, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """A TrivselError is one English line, its hint included; in Danish one Danish line."""
    monkeypatch.chdir(tmp_path)
    en = _run("--lang", "en", "--db", str(tmp_path / "p.db"), *args)
    assert en.exit_code == 1 and en.stdout == ""
    assert en.stderr.startswith("error: ") and len(en.stderr.strip().splitlines()) == 1, en.stderr
    assert _english(en.stderr) == [], en.stderr
    da = _run("--db", str(tmp_path / "p.db"), *args)
    assert da.exit_code == 1 and da.stderr.startswith("fejl: ") and _danish(da.stderr) == [], da.stderr


def test_the_installed_command_speaks_english(tmp_path: Path) -> None:
    """A real process: the environment chooses English, usage errors included."""
    env = {**os.environ, "TRIVSELKODE_LANG": "en", "TRIVSELKODE_DB": str(tmp_path / "p.db")}
    helped = subprocess.run(
        [sys.executable, "-m", "trivselkode", "--help"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert helped.returncode == 0 and helped.stdout.startswith("Usage: trivselkode [OPTIONS] COMMAND [ARGS]...")
    assert _english(helped.stdout) == [], helped.stdout
    wrong = subprocess.run(
        [sys.executable, "-m", "trivselkode", "--lang", "en", "sources", "list", "--bogus"],
        capture_output=True,
        text=True,
        env={**env, "TRIVSELKODE_LANG": "da"},
        cwd=tmp_path,
    )
    assert wrong.returncode == 2 and "error: unknown option: --bogus" in wrong.stderr, wrong.stderr
