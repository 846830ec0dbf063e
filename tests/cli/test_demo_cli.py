"""`trivselkode demo`: an existing --out file is refused unless --force, and ending the demo says
where the project is and how to open it again (also after quitting the terminal UI, driven
through a real pseudo-terminal)."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DEMO_SOURCES
from trivselkode.cli import project as cli_project
from trivselkode.cli.main import app


def demo(*args: str):  # noqa: ANN201
    return CliRunner().invoke(app, ["demo", *args], catch_exceptions=False, prog_name="trivselkode")


def last_line(text: str) -> str:
    return [line for line in text.splitlines() if line.strip()][-1]


def test_an_existing_out_file_is_refused_and_left_alone(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    built = []
    monkeypatch.setattr(cli_project, "build_demo", built.append)
    mine = tmp_path / "trivselkode.db"
    mine.write_bytes(b"my own project, not to be lost")
    result = demo("--out", str(mine))
    assert result.exit_code == 1, result.output
    assert (
        last_line(result.stderr)
        == f"fejl: {mine} findes allerede – vælg et andet filnavn, eller erstat filen med --force"
    )
    assert mine.read_bytes() == b"my own project, not to be lost" and built == []


def test_out_is_checked_before_the_build(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    built = []
    monkeypatch.setattr(cli_project, "build_demo", built.append)
    result = demo("--out", str(tmp_path / "ingen-mappe" / "demo.db"))
    assert result.exit_code == 1 and "findes ikke" in last_line(result.stderr)
    result = demo("--out", str(tmp_path), "--force")
    assert result.exit_code == 1 and "er en mappe" in last_line(result.stderr)
    assert built == []


def test_force_replaces_the_file_and_the_end_says_where_it_is(tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "demo.db"
    out.write_bytes(b"an old file")
    Path(f"{out}-wal").write_bytes(b"an old project's journal")  # must not be applied to the new file
    result = demo("--out", str(out), "--force")
    assert result.exit_code == 0, result.output
    # not on a terminal: the overview is printed instead of the UI, then where the project is
    assert f"{DEMO_SOURCES} kilder" in result.stdout
    assert last_line(result.stderr) == f"Demoprojektet ligger i {out} – åbn det igen med `trivselkode --db {out}`."
    assert not Path(f"{out}-wal").exists() and not list(tmp_path.glob(".demo.db.tmp*"))
    with sqlite3.connect(out) as conn:
        assert conn.execute("SELECT count(*) FROM source").fetchone()[0] == DEMO_SOURCES
    again = CliRunner().invoke(app, ["--db", str(out), "status", "--format", "json"], catch_exceptions=False)
    assert json.loads(again.stdout)["codings"] > 0


def test_a_failed_build_leaves_the_old_file(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    out = tmp_path / "demo.db"
    out.write_bytes(b"an old file")

    def half_built(path: Path) -> None:
        path.write_bytes(b"half a project")
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_project, "_fill_demo", half_built)
    result = demo("--out", str(out), "--force")
    assert result.exit_code == 130
    assert out.read_bytes() == b"an old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db"]


def test_the_default_copy_is_said_to_be_temporary(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    built = []
    monkeypatch.setattr(cli_project, "build_demo", lambda path: built.append(path) or _empty_project(path))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    result = demo()
    assert result.exit_code == 0, result.output
    (path,) = built
    assert path.parent.parent == tmp_path and path.parent.name.startswith("trivselkode-demo-")
    assert last_line(result.stderr) == (
        f"Demoprojektet ligger i {path} – en midlertidig kopi, der bliver liggende, til systemet rydder op. "
        f"Åbn det igen med `trivselkode --db {path}`, eller gem en kopi, du beholder, med `trivselkode demo --out demo.db`."
    )


def test_a_path_with_a_space_is_quoted_in_the_command(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "mine projekter" / "demo.db"
    message = cli_project.demo_farewell(path, temporary=False)
    quoted = f'"{path}"' if os.name == "nt" else f"'{path}'"
    assert message == f"Demoprojektet ligger i {path} – åbn det igen med `trivselkode --db {quoted}`."


def _empty_project(path: Path) -> None:
    from trivselkode.storage.db import open_project

    project, _ = open_project(str(path))
    project.dispose()


# ------------------------------------------------------------ the UI, on a real terminal

ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[()][0-9A-Za-z]|.)")
LEAVE_ALT_SCREEN = b"\x1b[?1049l"


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_quitting_the_demo_ui_says_where_the_project_is(tmp_path) -> None:  # noqa: ANN001
    import fcntl
    import pty
    import struct
    import termios

    script = shutil.which("trivselkode", path=str(Path(sys.executable).parent))
    assert script, "the `trivselkode` script is not installed beside this Python (pip install -e .)"
    out = tmp_path / "demo.db"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("TRIVSELKODE_DB", "TEXTUAL")}
    env.update(TERM="xterm-256color", TRIVSELKODE_CODER="anne", COLUMNS="100", LINES="24")
    proc = subprocess.Popen(
        [script, "demo", "--out", str(out)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=tmp_path,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    screen = b""
    quit_sent = False
    try:
        while True:
            # a hang guard, not a speed check: the UI is waited for by what it draws
            ready, _, _ = select.select([master], [], [], 600)
            assert ready, f"no output for 10 minutes; last: {ANSI.sub(b'', screen)[-400:]!r}"
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed: every writer has gone
                break
            if not chunk:
                break
            screen += chunk
            if not quit_sent and b"Oversigt" in ANSI.sub(b"", screen):
                os.write(master, b"\x11")  # ctrl+q
                quit_sent = True
        assert proc.wait(timeout=600) == 0, ANSI.sub(b"", screen)[-800:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert quit_sent, "the UI never showed the overview"
    assert LEAVE_ALT_SCREEN in screen
    after_ui = ANSI.sub(b"", screen.rsplit(LEAVE_ALT_SCREEN, 1)[1]).decode("utf-8")
    assert f"Demoprojektet ligger i {out} – åbn det igen med `trivselkode --db {out}`." in after_ui
    assert out.exists()
