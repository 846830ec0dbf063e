"""Merging a coder's project carries their rejected suggestions, each once, for the same coder."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from tests.cli.test_agreement_cli import _laptop
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Passage
from trivselkode.storage.rejections import reject, rejected_passages


def _passage(db: Path, number: int) -> int:
    project, _ = open_project(str(db), create=False)
    try:
        with project.read() as s:
            return int(s.exec(select(Passage.id).where(Passage.number == number)).one())
    finally:
        project.dispose()


def _reject(db: Path, coder: str, number: int, code: str) -> None:
    project, _ = open_project(str(db), create=False)
    try:
        assert reject(project, coder, _passage(db, number), code)
    finally:
        project.dispose()


def _rejected(db: Path, coder: str | None, code: str) -> set[int]:
    project, _ = open_project(str(db), create=False)
    try:
        return rejected_passages(project, coder, code)
    finally:
        project.dispose()


def test_rejections_travel_with_a_merge_once(tmp_path: Path) -> None:
    a = _laptop(tmp_path, "a", "anne", [2])
    b = _laptop(tmp_path, "b", "bo", [2, 6])
    _reject(b.db, "bo", 4, "T1")
    _reject(b.db, "bo", 8, "T2")
    _reject(a.db, "anne", 4, "T1")
    first = a.json("merge", str(b.db))
    assert first["added"]["rejections"] == 2
    p4, p8 = _passage(a.db, 4), _passage(a.db, 8)
    assert _rejected(a.db, "bo", "T1") == {p4} and _rejected(a.db, "bo", "T2") == {p8}
    assert _rejected(a.db, "anne", "T1") == {p4}  # ours kept, per coder
    assert "rejections" not in a.json("merge", str(b.db))["added"]  # twice: nothing more
