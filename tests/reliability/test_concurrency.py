"""Four coders at once on one project; coder processes killed mid-write.

Every acknowledged coding must be there exactly once, no process may see
"database is locked", and the database must check clean afterwards.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from tests.conftest import REPO, Cli
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Code, Coder, Coding, Passage, Source

WORKER = Path(__file__).with_name("worker.py")
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _big_source(folder: Path, turns: int) -> Path:
    lines = [f"P{i % 7 + 1}: Jeg kommer på biblioteket for roen og for at møde folk, nummer {i}." for i in range(turns)]
    path = folder / "stor.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _project(db: str, tmp_path: Path, turns: int = 200) -> None:
    cli = Cli(db)
    assert cli("init").exit_code == 0
    assert cli("import", str(_big_source(tmp_path, turns))).exit_code == 0


def _stored(db: str) -> list[tuple[str, int, str]]:
    project, _ = open_project(db)
    try:
        with project.read() as s:
            rows = s.exec(
                select(Coder.name, Passage.number, Code.key)
                .join(Coding, Coding.coder_id == Coder.id)
                .join(Passage, Coding.passage_id == Passage.id)
                .join(Code, Coding.code_id == Code.id)
            ).all()
    finally:
        project.dispose()
    return [tuple(r) for r in rows]


def _acks(output: str, coder: str) -> list[tuple[str, int, str]]:
    out = []
    for line in output.splitlines():
        if line.startswith("ok "):
            _, number, key = line.split()
            out.append((coder, int(number), key))
    return out


def _integrity_ok(db: str) -> None:
    if db.startswith("postgresql"):
        return
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.slow
def test_four_coders_at_once(db_url, tmp_path):
    _project(db_url, tmp_path)
    count = (
        300  # 1,200 write transactions from four processes at once: contention enough to find a lost or doubled coding
    )
    procs = {
        f"k{i}": subprocess.Popen(
            [sys.executable, str(WORKER), db_url, f"k{i}", str(count), str(i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        for i in range(4)
    }
    acked: list[tuple[str, int, str]] = []
    for coder, proc in procs.items():
        out, err = proc.communicate(timeout=600)
        assert "locked" not in out + err, (out[-500:], err[-500:])
        assert proc.returncode == 0, (out[-500:], err[-500:])
        acked += _acks(out, coder)
    assert len(acked) == 4 * count
    stored = _stored(db_url)
    assert sorted(stored) == sorted(acked)  # each exactly once
    _integrity_ok(db_url)


def test_killed_coder_loses_no_acknowledged_coding(sqlite_cli, db_path, tmp_path):
    db = str(db_path)
    _project(db, tmp_path)
    rng = random.Random(7)
    acked: list[tuple[str, int, str]] = []
    for round_ in range(4):
        coder = f"kill{round_}"
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), db, coder, "100000", str(round_)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        # wait until it is writing, then kill it at a random moment
        first = proc.stdout.readline()
        assert first.startswith("ok"), first + proc.stderr.read()
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate()
        acked += _acks(first + rest, coder)
    stored = set(_stored(db))
    assert acked and set(acked) <= stored
    # at most one unacknowledged coding per killed process (stored, then killed before printing)
    assert len(stored) - len(set(acked)) <= 4
    _integrity_ok(db)


def test_killed_codings_import_leaves_nothing(sqlite_cli, db_path, tmp_path):
    db = str(db_path)
    _project(db, tmp_path, turns=2000)
    codes = [f"T{i}" for i in range(1, 8)] + ["B.social", "B.sikkerhed", "L.mening"]
    rows = ["source,passage,code,coder,start,end,memo"]
    rows += [f"stor,{n},{c},importør,,," for n in range(1, 2001) for c in codes]
    csv_file = tmp_path / "mange.csv"
    csv_file.write_text("\n".join(rows) + "\n", encoding="utf-8")
    for delay in (0.3, 0.8, 1.5, 2.5):
        proc = subprocess.Popen(
            [sys.executable, "-m", "trivselkode", "--db", db, "codings", "import", str(csv_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=ENV,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        count = len([r for r in _stored(db) if r[0] == "importør"])
        assert count in (0, 20000), count  # all or nothing
        _integrity_ok(db)
        if count:
            break


def test_killed_file_import_leaves_nothing(sqlite_cli, db_path, tmp_path):
    db = str(db_path)
    assert sqlite_cli("init").exit_code == 0
    folder = tmp_path / "filer"
    folder.mkdir()
    files = 12
    for i in range(files):
        lines = [
            f"P{j % 5}: Her er en replik med nogle ord om biblioteket og roen, nr. {j} i fil {i}." for j in range(6000)
        ]
        (folder / f"f{i:02d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "trivselkode", "--db", db, "import", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    # Kill it while it writes: as soon as the first file is stored.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        with sqlite3.connect(db, timeout=30) as conn:
            if conn.execute("SELECT count(*) FROM source").fetchone()[0] >= 1:
                break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    project, _ = open_project(db)
    with project.read() as s:
        sources = list(s.exec(select(Source)))
        assert 1 <= len(sources) < files, "the import was not cut off while writing; the test proves nothing"
        for source in sources:
            passages = list(s.exec(select(Passage).where(Passage.source_id == source.id)))
            assert len(passages) == 6000, (source.name, len(passages))  # whole files only
    project.dispose()
    _integrity_ok(db)
