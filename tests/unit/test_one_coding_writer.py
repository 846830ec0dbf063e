"""One coding write path: ``codings add``/``remove`` and the coding screen both write with ``write_codings``."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.unit.test_coding_ops import _build, _ids
from trivselkode.domain.undo import CodingFact
from trivselkode.errors import TrivselError
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.codings import CodingRef, add_coding, remove_coding
from trivselkode.storage.models import Coder, Coding


@pytest.fixture()
def project(tmp_path):  # noqa: ANN001, ANN201
    project = _build(tmp_path / "p.db")
    yield project
    project.dispose()


def _memos(project) -> list[str | None]:  # noqa: ANN001
    with project.read() as s:
        return [c.memo for c in s.exec(select(Coding))]


def test_the_screen_cannot_code_as_the_consensus(project):
    pids, codes = _ids(project)
    for write in (
        lambda: ops.apply_change(project, "konsensus", [CodingFact(pids[1], codes["T1"])]),
        lambda: ops.toggle_code(project, "konsensus", pids[1], codes["T1"]),
        lambda: ops.narrow_to_span(project, "konsensus", pids[1], codes["T1"], 0, 5),
    ):
        with pytest.raises(TrivselError, match="consensus settle"):
            write()
    with project.read() as s:
        assert s.exec(select(Coder).where(Coder.name == "konsensus")).first() is None
        assert s.exec(select(Coding)).first() is None


def test_names_and_ids_meet_in_one_writer(project):
    pids, codes = _ids(project)
    ref = CodingRef(source="alfa", passage=2, code="T1", coder="ann")
    assert add_coding(project, ref) == "added"
    # What the command line stored, the screen sees and toggles off.
    assert ops.load_source_view(project, "alfa", "ann").mine == {pids[1]: [CodingFact(pids[1], codes["T1"])]}
    assert ops.toggle_code(project, "ann", pids[1], codes["T1"]) == ([], [CodingFact(pids[1], codes["T1"])])
    # What the screen stored, the command line finds and removes.
    ops.narrow_to_span(project, "ann", pids[1], codes["T2"], 0, 6)
    assert add_coding(project, CodingRef("alfa", 2, "T2", "ann", 0, 6)) == "exists"
    remove_coding(project, CodingRef("alfa", 2, "T2", "ann", 0, 6))
    with pytest.raises(TrivselError, match=r"har ikke kodet udsagn 2 i 'alfa' med T2 \(0–6\)"):
        remove_coding(project, CodingRef("alfa", 2, "T2", "ann", 0, 6))


def test_add_sets_the_memo_of_a_coding_that_is_there(project):
    ref = CodingRef(source="alfa", passage=2, code="T1", coder="ann", memo="")
    assert add_coding(project, ref) == "added"
    assert _memos(project) == [None]
    ref.memo = "tryg"
    assert add_coding(project, ref) == "updated"
    assert _memos(project) == ["tryg"]
    ref.memo = None
    assert add_coding(project, ref) == "exists"
    ref.memo = "tryg"
    assert add_coding(project, ref) == "exists"
    ref.memo = ""
    assert add_coding(project, ref) == "updated"
    assert _memos(project) == [None]


def test_retired_codes_and_bad_spans_are_refused_by_either_path(project):
    pids, codes = _ids(project)
    with pytest.raises(TrivselError, match="udgået"):
        add_coding(project, CodingRef("alfa", 2, "OLD", "ann"))
    with pytest.raises(TrivselError, match="udgået"):
        ops.apply_change(project, "ann", [CodingFact(pids[1], codes["OLD"])])
    with pytest.raises(TrivselError, match="ligger ikke inden for"):
        add_coding(project, CodingRef("alfa", 2, "T1", "ann", 5, 999))
    with pytest.raises(TrivselError, match="ligger ikke inden for"):
        ops.apply_change(project, "ann", [CodingFact(pids[1], codes["T1"], 5, 999)])
