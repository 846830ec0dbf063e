"""Deleting asks in the interface's language, on a real terminal (click's own confirm says "[y/N]")."""

from __future__ import annotations

import os
import select
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Cli

pty = pytest.importorskip("pty", reason="needs a pseudo-terminal (POSIX)")


def _run_on_a_terminal(args: list[str], answer: bytes, cwd: Path) -> str:
    """Runs the CLI on a pseudo-terminal, answers its question once, returns what it wrote."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI on the terminal
        os.chdir(cwd)
        os.execv(sys.executable, [sys.executable, "-m", "trivselkode", *args])
    out, sent = b"", False
    deadline = time.monotonic() + 120  # a bound on a hung child, not a speed check
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:  # the child has closed the terminal
            break
        if not data:
            break
        out += data
        if not sent and out.rstrip().endswith(b":"):
            os.write(fd, answer)
            sent = True
    os.waitpid(pid, 0)
    return out.decode("utf-8", errors="replace")


def test_delete_asks_in_danish_and_in_english(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "p.db")
    assert cli("init").exit_code == 0
    (tmp_path / "a.txt").write_text("I: Hej\nP1: Jeg kommer for roen.\n", encoding="utf-8")
    assert cli("import", str(tmp_path / "a.txt")).exit_code == 0
    db = ["--db", str(tmp_path / "p.db")]
    danish = _run_on_a_terminal([*db, "sources", "remove", "-s", "a"], b"n\n", tmp_path)
    assert "[j/N]" in danish and "intet er slettet" in danish and "[y/N]" not in danish
    english = _run_on_a_terminal([*db, "--lang", "en", "sources", "remove", "-s", "a"], b"yes\n", tmp_path)
    assert "[y/N]" in english and "deleted" in english
    assert cli.json("sources", "list") == []
