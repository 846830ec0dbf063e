"""No command destroys a project or a file it was not asked to write.

Real SQLite project files, the real CLI (typer's CliRunner, or a subprocess
where a process's rights or limits matter): the project's own files as an
export target, devices, pipes and symlinks as targets, a database of another
application, a damaged project, a read-only project and a full disk.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import REPO, Cli, write

ENV = {**os.environ, "PYTHONPATH": str(REPO)}

TURNS = 240
CODERS = ("anne", "bo", "cecilie")
CODES = ("T1", "T3")


def _refused(result, exit_code: int = 2) -> str:  # noqa: ANN001
    """One Danish line on standard error, the exit code, no traceback."""
    assert result.exit_code == exit_code, (result.exit_code, result.stdout[-300:], result.stderr)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("fejl: "), result.stderr
    return lines[0]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _codings_in_file(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM coding NOT INDEXED").fetchone()[0]  # the table itself


def _build_project(db: Path, folder: Path) -> int:
    """A real project: the bundled codebook, one long interview, three coders' codings; returns the codings."""
    cli = Cli(db)
    assert cli("init").exit_code == 0
    lines = [f"P{i % 5 + 1}: Jeg kommer på biblioteket for roen og for at møde folk, nummer {i}." for i in range(TURNS)]
    source = write(folder / "stor.txt", "\n".join(lines) + "\n")
    assert cli("import", str(source)).exit_code == 0
    rows = ["source,passage,code,coder,start,end,memo"]
    rows += [f"stor,{n},{c},{k},,," for k in CODERS for n in range(1, TURNS + 1) for c in CODES]
    csv_file = write(folder / "kodninger.csv", "\n".join(rows) + "\n")
    result = cli("codings", "import", str(csv_file))
    assert result.exit_code == 0, result.stderr
    with sqlite3.connect(db) as conn:  # everything in the main file, no write-ahead log left
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return len(rows) - 1


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, int]:
    folder = tmp_path_factory.mktemp("bygget")
    db = folder / "projekt.db"
    return db, _build_project(db, folder)


@pytest.fixture
def proj(built, tmp_path) -> tuple[Path, int]:
    """A fresh copy of the built project for one test."""
    src, count = built
    db = tmp_path / "projekt.db"
    shutil.copy(src, db)
    return db, count


# --------------------------------------------------------------------------- the project's own files


EXPORTS = {
    "codings export": lambda out: ["codings", "export", "--out", out],
    "report frequencies": lambda out: ["report", "frequencies", "--union", "--out", out],
    "refi export": lambda out: ["refi", "export", out],
    "refi export-codebook": lambda out: ["refi", "export-codebook", out],
    "codebook export": lambda out: ["codebook", "export", "--out", out],
    "backup": lambda out: ["backup", out],
}


def _project_targets(db: Path) -> dict[str, Path]:
    link = db.with_name("genvej.db")
    link.symlink_to(db.name)
    hard = db.with_name("haardt-link.db")
    os.link(db, hard)
    return {
        "itself": db,
        "-wal": Path(f"{db}-wal"),
        "-shm": Path(f"{db}-shm"),
        "symlink": link,
        "hard link": hard,
        "relative": Path(os.path.relpath(db)),
    }


@pytest.mark.parametrize("command", sorted(EXPORTS))
def test_out_naming_the_project_itself_is_refused(proj, command):
    db, count = proj
    before = _digest(db)
    cli = Cli(db)
    for name, target in _project_targets(db).items():
        line = _refused(cli(*EXPORTS[command](str(target))))
        assert "projektets" in line and "overskrives ikke" in line, (name, line)
        assert _digest(db) == before, name
        assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    assert stat.S_ISLNK(os.lstat(db.with_name("genvej.db")).st_mode)
    assert cli.json("status")["codings"] == count
    assert [p.name for p in db.parent.iterdir() if ".tmp" in p.name] == []


def test_out_in_other_letter_case_is_refused_where_the_file_system_ignores_case(proj):
    db, _ = proj
    upper = db.with_name(db.name.upper())
    if not upper.exists():
        pytest.skip("this file system tells letter case apart: PROJEKT.DB is another file")
    before = _digest(db)
    _refused(Cli(db)("codings", "export", "--out", str(upper)))
    assert _digest(db) == before


def test_an_export_job_of_the_terminal_ui_refuses_the_project_file(proj):
    from trivselkode.errors import Refused
    from trivselkode.export.jobs import ReportRequest, run_report
    from trivselkode.storage.db import open_project

    db, _ = proj
    project, _ = open_project(str(db))
    try:
        before = _digest(db)
        for kind, target in (("codings", db), ("refi", db), ("codebook", Path(f"{db}-wal"))):
            with pytest.raises(Refused, match="overskrives ikke"):
                run_report(project, ReportRequest(kind, target))
        assert _digest(db) == before
    finally:
        project.dispose()


# --------------------------------------------------------------------------- devices, pipes, symlinks


def _read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def reader() -> None:
        with open(path, "rb") as fh:
            into.append(fh.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    return thread


def test_out_naming_a_fifo_writes_into_it_and_leaves_it_a_fifo(proj, tmp_path):
    db, count = proj
    cli = Cli(db)
    expected = cli("codings", "export").stdout.encode()
    fifo = tmp_path / "roer"
    os.mkfifo(fifo)
    link = tmp_path / "roer-genvej"
    link.symlink_to(fifo)
    for target in (fifo, link):
        got: list[bytes] = []
        reader = _read_fifo(fifo, got)
        result = cli("codings", "export", "--out", str(target))
        reader.join(timeout=60)
        assert result.exit_code == 0, result.stderr
        assert got == [expected]
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)
        assert stat.S_ISLNK(os.lstat(link).st_mode)
    assert len(expected.decode().splitlines()) == count + 1
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []


def test_backup_into_a_fifo_is_a_whole_project(proj, tmp_path):
    db, count = proj
    fifo = tmp_path / "kopi-roer"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    result = Cli(db)("backup", str(fifo))
    reader.join(timeout=60)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    copy = tmp_path / "modtaget.db"
    copy.write_bytes(got[0])
    assert Cli(copy).json("status")["codings"] == count


def test_out_naming_an_open_descriptor_writes_through_it(proj):
    db, count = proj
    read_end, write_end = os.pipe()
    got: list[bytes] = []

    def reader() -> None:
        with os.fdopen(read_end, "rb") as fh:
            got.append(fh.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        result = Cli(db)("codings", "export", "--out", f"/proc/self/fd/{write_end}")
    finally:
        os.close(write_end)
    thread.join(timeout=60)
    assert result.exit_code == 0, result.stderr
    assert len(got[0].decode().splitlines()) == count + 1


def test_standard_streams_are_written_through_never_renamed_over():
    from trivselkode.storage.files import _special_target

    for name in ("/dev/stdout", "/dev/stderr", "/dev/fd/1", "/proc/self/fd/1"):
        assert _special_target(Path(name)) == "fd", name


def test_out_naming_a_symlink_replaces_the_file_it_points_to_and_keeps_the_link(proj, tmp_path):
    db, count = proj
    real = tmp_path / "data" / "kodninger.csv"
    real.parent.mkdir()
    real.write_text("gammelt\n")
    real.chmod(0o640)
    link = tmp_path / "seneste.csv"
    link.symlink_to(real)
    result = Cli(db)("codings", "export", "--out", str(link))
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISLNK(os.lstat(link).st_mode) and os.readlink(link) == str(real)
    assert len(real.read_text().splitlines()) == count + 1
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the replaced file keeps its permissions


# --------------------------------------------------------------------------- another application's database


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_a_database_of_another_application_is_refused_before_a_byte_is_written(tmp_path, journal):
    other = tmp_path / "kunder.db"
    conn = sqlite3.connect(other)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE kunde (id INTEGER PRIMARY KEY, navn TEXT)")
    conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")  # even with a table called meta
    conn.execute("INSERT INTO kunde (navn) VALUES ('Hansen')")
    conn.commit()
    conn.close()
    before = _digest(other)
    files = sorted(p.name for p in tmp_path.iterdir())
    cli = Cli(other)
    for args in (("status",), ("init",), ("codings", "add", "-s", "x", "-p", "1", "-c", "T1", "--coder", "anne")):
        line = _refused(cli(*args))
        assert "ikke en trivselkode-database" in line
        assert _digest(other) == before, args
        assert sorted(p.name for p in tmp_path.iterdir()) == files  # no -wal, -shm or journal left


# --------------------------------------------------------------------------- a damaged project


def _page_size_and_root(db: Path, table: str) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = ?", (table,)).fetchone()[0]
    return page, root


def _first_child(db: Path, page_size: int, root: int) -> int:
    data = db.read_bytes()[(root - 1) * page_size : root * page_size]
    assert data[0] == 0x05, "the coding table must span several pages (an interior root page)"
    cell = int.from_bytes(data[12:14], "big")
    return int.from_bytes(data[cell : cell + 4], "big")


def _overwrite_page(db: Path, page_size: int, number: int, data: bytes) -> None:
    with open(db, "r+b") as fh:
        fh.seek((number - 1) * page_size)
        fh.write(data)


def _damage_silently(db: Path) -> None:
    """Copy a leaf of the coding table over its root: SQLite reads on without an error, rows missing."""
    page_size, root = _page_size_and_root(db, "coding")
    child = _first_child(db, page_size, root)
    data = db.read_bytes()[(child - 1) * page_size : child * page_size]
    _overwrite_page(db, page_size, root, data)


def _damage_loudly(db: Path) -> None:
    """Zero a page of the coding table: SQLite says "database disk image is malformed"."""
    page_size, root = _page_size_and_root(db, "coding")
    _overwrite_page(db, page_size, _first_child(db, page_size, root), b"\0" * page_size)


def test_silent_damage_really_loses_rows_in_plain_sqlite(proj):
    """The premise of the next test: without quick_check, a reader sees fewer codings and no error."""
    db, count = proj
    _damage_silently(db)
    assert 0 < _codings_in_file(db) < count


@pytest.mark.parametrize("damage", [_damage_silently, _damage_loudly], ids=["silent", "malformed"])
def test_a_damaged_project_is_named_and_nothing_is_written_or_exported(proj, tmp_path, damage):
    db, _ = proj
    damage(db)
    before = _digest(db)
    cli = Cli(db)
    out = tmp_path / "ud"
    out.mkdir()
    commands = [
        ("codings", "export"),
        ("codings", "export", "--out", str(out / "k.csv")),
        ("report", "frequencies", "--union"),
        ("report", "frequencies", "--union", "--out", str(out / "f.xlsx")),
        ("refi", "export", str(out / "p.qdpx")),
        ("backup", str(out / "kopi.db")),
        ("agreement", "--coders", "anne,bo"),
        ("codings", "add", "-s", "stor", "-p", "1", "-c", "T2", "--coder", "anne"),
        ("import", str(write(tmp_path / "ny.txt", "P1: En helt ny replik.\n"))),
    ]
    for args in commands:
        result = cli(*args)
        line = _refused(result)
        assert "beskadiget" in line and "sikkerhedskopi" in line, (args, line)
        assert result.stdout == "", args
        assert _digest(db) == before, args
    assert list(out.iterdir()) == []


def test_a_damaged_project_is_named_in_an_export_job_of_the_terminal_ui(proj, tmp_path):
    from trivselkode.errors import Refused
    from trivselkode.export.jobs import ReportRequest, run_report
    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Coder

    db, _ = proj
    _damage_silently(db)
    project, _ = open_project(str(db))  # opening stays fast: no check yet
    try:
        with pytest.raises(Refused, match="beskadiget"):
            run_report(project, ReportRequest("codings", tmp_path / "k.csv"))
        with pytest.raises(Refused, match="beskadiget"):
            with project.write() as session:
                session.add(Coder(name="ny"))
    finally:
        project.dispose()
    assert not (tmp_path / "k.csv").exists()


# --------------------------------------------------------------------------- a read-only project


_libc = ctypes.CDLL(None, use_errno=True)
_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 24, 1, 2


def _without_root_override() -> None:
    """In the child before exec: root loses the right to ignore file permissions."""
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if _libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _as_ordinary_user(db: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    preexec = _without_root_override if os.geteuid() == 0 else None
    return subprocess.run(
        [sys.executable, "-m", "trivselkode", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=ENV,
        preexec_fn=preexec,
        timeout=300,
        cwd=cwd,
    )


def _permissions_apply(folder: Path) -> bool:
    """Whether a read-only file is read-only to the test's child processes."""
    probe = folder / "skrivebeskyttet-probe"
    probe.write_text("")
    probe.chmod(0o444)
    try:
        done = subprocess.run(
            [sys.executable, "-c", "import sys; open(sys.argv[1], 'w')", str(probe)],
            capture_output=True,
            preexec_fn=_without_root_override if os.geteuid() == 0 else None,
        )
    finally:
        probe.unlink()
    return done.returncode != 0 and b"PermissionError" in done.stderr


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_project_says_so_and_leaves_no_journal(proj, tmp_path, what):
    if not _permissions_apply(tmp_path):
        pytest.skip("file permissions do not bind this process (root without a way to drop CAP_DAC_OVERRIDE)")
    db, count = proj
    folder = db.parent
    out = folder / "ud"
    out.mkdir()
    if what == "file":
        db.chmod(0o444)
    else:
        folder.chmod(0o555)
    try:
        before = _digest(db)
        listing = sorted(p.name for p in folder.iterdir())
        result = _as_ordinary_user(db, "codings", "add", "-s", "stor", "-p", "1", "-c", "T2", "--coder", "anne")
        assert result.returncode == 2, result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "skrivebeskyttet" in lines[0], result.stderr
        assert "serveren" not in lines[0] and "Traceback" not in result.stderr
        # reading still works
        status = _as_ordinary_user(db, "status", "--format", "json")
        assert status.returncode == 0, status.stderr
        assert f'"codings": {count}' in status.stdout
        export = _as_ordinary_user(db, "codings", "export", "--out", str(out / "k.csv"))
        assert export.returncode == 0, export.stderr
        assert len((out / "k.csv").read_text().splitlines()) == count + 1
        assert _digest(db) == before
        assert sorted(p.name for p in folder.iterdir()) == listing  # no -wal or -shm left behind
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)
    # once writable again, it works
    assert Cli(db)("codings", "add", "-s", "stor", "-p", "1", "-c", "T2", "--coder", "anne").exit_code == 0


# --------------------------------------------------------------------------- a full disk


def _small_tmpfs(mount_point: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)], capture_output=True
    )
    return done.returncode == 0


def test_backup_and_export_onto_a_full_disk_leave_nothing(proj, tmp_path):
    db, count = proj
    small = tmp_path / "lille"
    if not _small_tmpfs(small, "64k"):
        pytest.skip("no small file system to fill (mounting a tmpfs needs root); see the size-limit test")
    try:
        cli = Cli(db)
        for args in (("backup", str(small / "kopi.db")), ("refi", "export", str(small / "p.qdpx"))):
            line = _refused(cli(*args), exit_code=1)
            assert "ikke plads på disken" in line, line
            assert list(small.iterdir()) == [], args
        assert cli.json("status")["codings"] == count
    finally:
        if subprocess.run(["umount", str(small)]).returncode != 0:
            subprocess.run(["umount", "-l", str(small)], check=True)  # never leave a mount behind


def test_backup_stopped_by_a_file_size_limit_leaves_nothing(proj, tmp_path):
    """The write call fails (EFBIG, as a full disk fails it with ENOSPC) in a real process."""
    db, count = proj
    limit = max(64 * 1024, db.stat().st_size // 2)
    assert db.stat().st_size > limit

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    out = tmp_path / "kopier"
    out.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "trivselkode", "--db", str(db), "backup", str(out / "kopi.db")],
        capture_output=True,
        text=True,
        env=ENV,
        preexec_fn=limited,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("fejl: kan ikke skrive"), result.stderr
    assert list(out.iterdir()) == []
    assert Cli(db).json("status")["codings"] == count


def test_a_damaged_project_is_not_merged_into_another(proj, tmp_path):
    db, _ = proj
    _damage_silently(db)
    target = Cli(tmp_path / "samlet.db")
    assert target("init").exit_code == 0
    before = _digest(tmp_path / "samlet.db")
    line = _refused(target("merge", str(db)))
    assert "beskadiget" in line
    assert _digest(tmp_path / "samlet.db") == before
