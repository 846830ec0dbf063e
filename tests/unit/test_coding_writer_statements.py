"""The coding writer's statements (``write_codings``): what a toggle stores and refuses, row by row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.unit.test_coding_ops import _build, _codings, _ids
from trivselkode.domain.undo import CodingFact
from trivselkode.errors import TrivselError
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.models import Code, Coder, Coding


@pytest.fixture()
def project(tmp_path):  # noqa: ANN001, ANN201
    project = _build(tmp_path / "p.db")
    yield project
    project.dispose()


def _coders(project) -> list[str]:  # noqa: ANN001
    with project.read() as s:
        return list(s.exec(select(Coder.name)))


def test_a_toggle_stores_one_row_with_its_time_and_no_memo(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    before = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=5)
    assert ops.toggle_code(project, "ann", pids[1], codes["T1"]) == ([CodingFact(pids[1], codes["T1"])], [])
    with project.read() as s:
        row = s.exec(select(Coding)).one()
    assert (row.passage_id, row.code_id, row.start, row.end, row.memo) == (pids[1], codes["T1"], None, None, None)
    assert isinstance(row.created_at, datetime) and row.created_at.replace(tzinfo=None) >= before
    assert _coders(project) == ["ann"]


def test_a_toggle_on_a_passage_or_code_that_is_gone_is_refused_and_stores_nothing(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    with pytest.raises(TrivselError, match="udsagnet findes ikke længere"):
        ops.toggle_code(project, "ann", 999_999, codes["T1"])
    with pytest.raises(TrivselError, match="koden findes ikke længere"):
        ops.toggle_code(project, "ann", pids[1], 999_999)
    with pytest.raises(TrivselError, match="udgået"):
        ops.toggle_code(project, "ann", pids[1], codes["OLD"])
    with pytest.raises(TrivselError, match="kodernavn"):
        ops.toggle_code(project, "a b", pids[1], codes["T1"])
    assert _codings(project) == set() and _coders(project) == []  # the coder's creation rolled back too


def test_a_code_retired_after_loading_is_refused(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    with project.write() as s:
        code = s.get(Code, codes["T2"])
        code.retired = True
        s.add(code)
    with pytest.raises(TrivselError, match="'T2' er udgået"):
        ops.toggle_code(project, "ann", pids[1], codes["T2"])
    assert _codings(project) == set()


def test_a_toggle_off_returns_each_removed_span_with_its_memo(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    t2 = codes["T2"]
    ops.write_codings(
        project, "ann", lambda _s: ([CodingFact(pids[1], t2, 0, 10, "første"), CodingFact(pids[1], t2)], [])
    )
    ops.toggle_code(project, "bo", pids[1], t2)  # another coder's coding stays
    added, removed = ops.toggle_code(project, "ann", pids[1], t2)
    assert added == []
    assert {(f.start, f.end, f.memo) for f in removed} == {(None, None, None), (0, 10, "første")}
    assert _codings(project) == set() and _codings(project, "bo") == {(pids[1], t2, None, None)}


def test_removing_a_coding_twice_in_one_change_removes_it_once(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    fact = CodingFact(pids[1], codes["T1"], 0, 10)
    ops.apply_change(project, "ann", added=[fact])
    change = ops.write_codings(project, "ann", lambda _s: ([], [fact, fact]))
    assert change.removed == [fact] and _codings(project) == set()


def test_memos_update_a_span_that_is_there(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    fact = CodingFact(pids[1], codes["T1"], 0, 10)
    ops.apply_change(project, "ann", added=[fact])
    change = ops.write_codings(
        project, "ann", lambda _s: ([CodingFact(pids[1], codes["T1"], 0, 10, "tryg")], []), memos=True
    )
    assert change.added == [] and [(f.start, f.end, f.memo) for f in change.updated] == [(0, 10, "tryg")]
    with project.read() as s:
        assert [c.memo for c in s.exec(select(Coding))] == ["tryg"]
    change = ops.write_codings(
        project, "ann", lambda _s: ([CodingFact(pids[1], codes["T1"], 0, 10, "")], []), memos=True
    )
    assert [f.memo for f in change.updated] == [None]
    with project.read() as s:
        assert [c.memo for c in s.exec(select(Coding))] == [None]
