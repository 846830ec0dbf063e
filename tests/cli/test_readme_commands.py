"""Every shell command in the README runs, in a scratch project, and every documented JSON shape holds.

How the README is read (the convention its authors follow):

* Fenced blocks marked ``sh``, ``bash`` or ``console`` hold commands, one a
  line (a line ending in ``\\`` goes on; ``$`` prompts and ``#`` comments are
  left out). A command's synopsis with ``[--options]`` and ``A|B`` belongs in a
  ``text`` block, which is not run.
* The commands run in the order they stand, in one scratch folder that holds a
  copy of the demo's ``transcripts/`` and nothing else, so the README's own
  walk-through makes the project: its first ``trivselkode init`` starts it,
  ``trivselkode import transcripts/`` and ``trivselkode codings import
  transcripts/codings-demo.csv`` fill it with the demo. A file the README shows
  (a ``text`` block whose first line is ``# file: NAME``, or the line just
  above the block says ``<!-- file: NAME -->``) is written into the folder
  when the reading reaches it.
* A command beginning ``trivselkode`` runs through the real command line
  (``typer``'s runner, in-process, with ``TRIVSELKODE_DB`` and
  ``TRIVSELKODE_CODER`` unset) and must end with exit 0. ``< FILE``, ``> FILE``
  and ``cat FILE |`` in front of it work as in a shell.
* Every other command, and every ``trivselkode`` line that opens the terminal
  UI, is skipped by design; :data:`SKIPPED` says why for each kind, and a
  command of a kind not listed there fails the test.
* A ``json`` block documents the shape of what a command prints: the line
  above it (blank lines between are fine) is ``<!-- shape: COMMAND -->``.
  The command is run at that point and the keys of every object in the
  documented JSON must be the keys of the object at the same place in what it
  printed (for a list, its first element is compared with the first printed
  one; a bare ``…`` element is a placeholder). ``<!-- shape: COMMAND | .KEY -->``
  compares the block (``"KEY": {...}``) with that member only;
  ``<!-- shape: COMMAND; data: KEY -->`` says the keys of member ``KEY`` are
  data (coders' names, say), not a shape, and are not compared.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

#: Commands the test does not run, by their first word, and why.
SKIPPED: dict[str, str] = {
    "make": "builds the virtual environment and runs the suite or the terminal UI (this test is part of `make test`)",
    "py": "creates a virtual environment on Windows",
    "python3.11": "creates a virtual environment",
    "python": "creates a virtual environment",
    ".venv\\Scripts\\pip": "installs the package (the test runs in the installed package)",
    ".venv\\Scripts\\trivselkode": "the Windows path of the command; the same command is run under its own name",
    ".venv/bin/pip": "installs the package (the test runs in the installed package)",
    "pip": "installs packages",
    "git": "works on a checkout, not on a project",
    "export": "points the command line at a PostgreSQL server (the rest of its block needs that server)",
    "psql": "needs a PostgreSQL server",
    "createdb": "needs a PostgreSQL server",
}
#: Why a ``trivselkode`` line without a command is not run.
TUI = "opens the terminal UI, which waits for keys (its screens are tested in tests/tui)"
SHELLS = ("sh", "bash", "console", "shell")
GLOBAL_OPTIONS = {"--db", "--coder", "--lang"}


@dataclass
class Step:
    line: int
    kind: str  # "run", "file", "shape"
    command: str = ""
    text: str = ""
    select: str | None = None
    skipped: str | None = None
    data: tuple[str, ...] = ()


@dataclass
class Reading:
    steps: list[Step] = field(default_factory=list)


def _commands(block: list[str]) -> list[str]:
    commands, pending = [], ""
    for raw in block:
        line = raw.rstrip()
        if line.lstrip().startswith("$ "):
            line = line.lstrip()[2:]
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        if line.strip() and not line.strip().startswith("#"):
            commands.append(line.strip())
    return commands


def read_readme(text: str) -> Reading:
    reading = Reading()
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        fence = re.match(r"^```(\w*)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        lang, start = fence[1], i
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        body = lines[i + 1 : end]
        above = next((lines[j].strip() for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        if lang in SHELLS:
            skip_rest = None
            for command in _commands(body):
                why = skip_rest or _skipped(command)
                if command.split()[0] == "export":
                    skip_rest = f"after `{command}`: " + SKIPPED["export"]
                reading.steps.append(Step(start + 1, "run", command, skipped=why))
        elif lang == "json":
            shape = re.fullmatch(r"<!--\s*shape:\s*(.+?)\s*-->", above)
            assert shape, f"README.md:{start + 1}: a json block without <!-- shape: COMMAND --> above it"
            spec, _semi, data = shape[1].partition("; data:")
            command, _bar, select = spec.partition(" | .")
            keys = tuple(k.strip() for k in data.split(",") if k.strip())
            reading.steps.append(Step(start + 1, "shape", command.strip(), "\n".join(body), select or None, data=keys))
        elif lang == "text":
            marker = re.fullmatch(r"<!--\s*file:\s*(\S+)\s*-->", above)
            name = marker[1] if marker else None
            if body and body[0].startswith("# file: "):
                name, body = body[0][len("# file: ") :].strip(), body[1:]
            if name:
                reading.steps.append(Step(start + 1, "file", name, "\n".join(body) + "\n"))
        i = end + 1
    return reading


def _skipped(command: str) -> str | None:
    words = command.split()
    if words[0] == "cat" and len(words) > 3 and words[2] == "|":  # cat FILE | trivselkode …
        words = words[3:]
    first = words[0]  # a Windows path (.venv\\Scripts\\pip) as written
    if first != "trivselkode":
        if first not in SKIPPED:
            pytest.fail(f"README: `{command}`: neither run nor skipped by design (add its kind to SKIPPED)")
        return SKIPPED[first]
    rest = shlex.split(" ".join(words), comments=True)[1:]
    while rest and rest[0] in GLOBAL_OPTIONS:
        rest = rest[2:]
    if not rest or rest[0] == "open":
        return TUI
    return None


# ---------------------------------------------------------------- running


def _run(command: str, folder: Path) -> tuple[int, str, str]:
    from trivselkode.cli.main import app

    words = shlex.split(command, comments=True)
    stdin: bytes | None = None
    out_file: str | None = None
    if "|" in words:
        head, _bar, words = words[: words.index("|")], "|", words[words.index("|") + 1 :]
        assert head[0] == "cat" and len(head) == 2, f"only `cat FILE | trivselkode …` is read: {command}"
        stdin = (folder / head[1]).read_bytes()
    if "<" in words:
        at = words.index("<")
        stdin = (folder / words[at + 1]).read_bytes()
        words = words[:at] + words[at + 2 :]
    if ">" in words:
        at = words.index(">")
        out_file = words[at + 1]
        words = words[:at] + words[at + 2 :]
    assert words[0] == "trivselkode", command
    result = CliRunner().invoke(app, words[1:], input=stdin, catch_exceptions=False)
    if out_file is not None:
        (folder / out_file).write_bytes(result.stdout_bytes)
    return result.exit_code, result.stdout, result.stderr


def _without_placeholders(text: str, select: str | None) -> Any:
    text = re.sub(r",\s*…\s*(?=[\]}])", "", text)
    if select:
        text = "{" + text + "}"
    return json.loads(text)


def shape_problems(documented: Any, printed: Any, where: str = "$", data: tuple[str, ...] = ()) -> list[str]:
    """Where the keys of the documented JSON and the printed JSON part (members named in ``data`` hold data)."""
    if where.rsplit(".", 1)[-1] in data and where != "$":
        return []
    if isinstance(documented, dict) and isinstance(printed, dict):
        problems = []
        if set(documented) != set(printed):
            missing, extra = sorted(set(documented) - set(printed)), sorted(set(printed) - set(documented))
            problems.append(f"{where}: documented but not printed {missing}, printed but not documented {extra}")
        for key in set(documented) & set(printed):
            problems += shape_problems(documented[key], printed[key], f"{where}.{key}", data)
        return problems
    if isinstance(documented, list) and isinstance(printed, list) and documented and printed:
        return shape_problems(documented[0], printed[0], f"{where}[0]", data)
    return []


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from trivselkode.config import data_dir

    folder = tmp_path / "scratch"
    folder.mkdir()
    shutil.copytree(data_dir("transcripts"), folder / "transcripts")
    monkeypatch.chdir(folder)
    for name in ("TRIVSELKODE_DB", "TRIVSELKODE_CODER", "TRIVSELKODE_LANG", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # the user's settings: never the real ones
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    return folder


def test_every_readme_command_runs_and_every_json_shape_holds(scratch: Path) -> None:
    reading = read_readme(README.read_text(encoding="utf-8"))
    ran = [s for s in reading.steps if s.kind == "run" and s.skipped is None]
    assert len(ran) >= 30, "the README's commands were not found"
    failures: list[str] = []
    for step in reading.steps:
        if step.kind == "file":
            (scratch / step.command).write_text(step.text, encoding="utf-8")
            continue
        if step.kind == "run" and step.skipped:
            continue
        code, out, err = _run(step.command, scratch)
        if code != 0:
            failures.append(f"README.md:{step.line}: `{step.command}` ended with {code}: {err.strip()[-400:]}")
            continue
        if step.kind == "shape":
            try:
                printed = json.loads(out)
            except ValueError:
                failures.append(f"README.md:{step.line}: `{step.command}` printed no JSON: {out[:200]}")
                continue
            if step.select:
                printed = printed[step.select]
            documented = _without_placeholders(step.text, step.select)
            if step.select:
                documented = documented[step.select]
            problems = shape_problems(documented, printed, data=step.data)
            failures += [f"README.md:{step.line}: `{step.command}`: {p}" for p in problems]
    assert not failures, "\n".join(failures)


def test_every_skipped_command_says_why() -> None:
    reading = read_readme(README.read_text(encoding="utf-8"))
    skipped = [s for s in reading.steps if s.kind == "run" and s.skipped]
    assert skipped, "the README's quick start (make demo, make test) is gone"
    assert {s.command.split()[0] for s in skipped} >= {"make"}
    assert all(s.skipped for s in skipped)


def test_every_json_block_names_its_command() -> None:
    reading = read_readme(README.read_text(encoding="utf-8"))
    shapes = [s for s in reading.steps if s.kind == "shape"]
    assert len(shapes) >= 8
    assert all(s.command.startswith("trivselkode ") for s in shapes)


def test_shape_problems() -> None:
    assert shape_problems({"a": 1, "b": [{"c": 1}]}, {"a": 2, "b": [{"c": 3}, {"c": 4}]}) == []
    assert shape_problems({"a": 1}, {"a": 1, "b": 2}) == [
        "$: documented but not printed [], printed but not documented ['b']"
    ]
    assert shape_problems({"x": [{"c": 1}]}, {"x": [{"d": 1}]})[0].startswith("$.x[0]")
    assert _without_placeholders('[{"a": 1}, …]', None) == [{"a": 1}]
    assert shape_problems({"done": {"anne": []}}, {"done": {"bo": []}}, data=("done",)) == []
