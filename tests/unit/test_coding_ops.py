"""The coding screen's core functions, against a real SQLite project."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlmodel import select

from trivselkode.domain.undo import CodingFact
from trivselkode.errors import TrivselError
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.codings import mark_done
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Code, Coder, Coding, Memo, Participant, Passage, Position, Source, Star


def _build(path: Path, n: int = 6):  # noqa: ANN202
    project, _ = open_project(str(path))
    with project.write() as s:
        for i in range(1, 4):
            s.add(Code(key=f"T{i}", name=f"Tema {i}", kind="tema", shortcut=str(i), color="#2e7d32", position=i))
        s.add(Code(key="B", name="Behov", kind="behov", position=10))
        s.add(Code(key="OLD", name="Udgået", kind="tema", position=11, retired=True))
        s.flush()
        b = s.exec(select(Code).where(Code.key == "B")).one()
        s.add(Code(key="B.social", name="Sociale behov", kind="behov", parent_id=b.id, shortcut="b", position=12))
        for name, site in (("alfa", "Holstebro"), ("beta", "Viborg")):
            src = Source(name=name, title=name.title(), kind="interview", site=site, context="bibliotek", text="")
            s.add(src)
            s.flush()
            iv = Participant(source_id=src.id, label="I", role="interviewer")
            p1 = Participant(source_id=src.id, label="P1", gender="kvinde", age=67)
            s.add_all([iv, p1])
            s.flush()
            rows = []
            for k in range(1, n + 1):
                who = iv if k % 2 == 1 else p1
                text = f"Udsagn {k}. Anden sætning her."
                rows.append(
                    dict(
                        source_id=src.id,
                        number=k,
                        participant_id=who.id,
                        start=0,
                        end=len(text),
                        text=text,
                        sentences=[[0, 10], [11, len(text)]],
                    )
                )
            s.execute(insert(Passage), rows)
    return project


@pytest.fixture()
def project(tmp_path: Path):  # noqa: ANN201
    project = _build(tmp_path / "p.db")
    yield project
    project.dispose()


def _ids(project, source: str = "alfa") -> tuple[list[int], dict[str, int]]:  # noqa: ANN001
    with project.read() as s:
        src = s.exec(select(Source).where(Source.name == source)).one()
        pids = list(s.exec(select(Passage.id).where(Passage.source_id == src.id).order_by(Passage.number)))
        codes = {c.key: c.id for c in s.exec(select(Code))}
    return pids, codes


def _codings(project, coder: str = "ann") -> set[tuple[int, int, int | None, int | None]]:  # noqa: ANN001
    with project.read() as s:
        return {
            (c.passage_id, c.code_id, c.start, c.end)
            for c in s.exec(select(Coding).join(Coder, Coding.coder_id == Coder.id).where(Coder.name == coder))
        }


def test_view_of_a_new_coder(project) -> None:  # noqa: ANN001
    view = ops.load_source_view(project, "alfa", "ann")
    assert view.coder_id is None and view.mine == {} and view.position is None
    assert [p.number for p in view.passages] == [1, 2, 3, 4, 5, 6]
    assert view.passages[0].is_interviewer and not view.passages[1].is_interviewer
    assert view.passages[1].describe_speaker() == "Kvinde, 67 år, Holstebro"  # site inherited
    assert view.start_index() == 1  # the first participant passage
    assert [(c.key, c.depth) for c in view.codes][:5] == [("T1", 0), ("T2", 0), ("T3", 0), ("B", 0), ("B.social", 1)]
    # reading creates no coder
    with project.read() as s:
        assert s.exec(select(Coder)).all() == []


def test_toggle_adds_then_removes_and_creates_coder(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    added, removed = ops.toggle_code(project, "ann", pids[1], codes["T1"])
    assert added == [CodingFact(pids[1], codes["T1"])] and removed == []
    assert _codings(project) == {(pids[1], codes["T1"], None, None)}
    added, removed = ops.toggle_code(project, "ann", pids[1], codes["T1"])
    assert added == [] and removed == [CodingFact(pids[1], codes["T1"])]
    assert _codings(project) == set()


def test_toggle_removes_spans_of_the_code_too(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    ops.apply_change(project, "ann", added=[CodingFact(pids[1], codes["T2"], 0, 10), CodingFact(pids[1], codes["T2"])])
    added, removed = ops.toggle_code(project, "ann", pids[1], codes["T2"])
    assert added == [] and len(removed) == 2
    assert _codings(project) == set()


def test_retired_code_is_refused_and_nothing_stored(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    with pytest.raises(TrivselError, match="udgået"):
        ops.toggle_code(project, "ann", pids[1], codes["OLD"])
    assert _codings(project) == set()


def test_narrow_to_span_replaces_whole_coding(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    ops.toggle_code(project, "ann", pids[1], codes["T1"])
    added, removed = ops.narrow_to_span(project, "ann", pids[1], codes["T1"], 11, 28)
    assert removed == [CodingFact(pids[1], codes["T1"])]
    assert added == [CodingFact(pids[1], codes["T1"], 11, 28)]
    assert _codings(project) == {(pids[1], codes["T1"], 11, 28)}
    # a span over the whole passage is the whole passage
    text_len = len(ops.load_source_view(project, "alfa", "ann").passages[1].text)
    added, _ = ops.narrow_to_span(project, "ann", pids[1], codes["T3"], 0, text_len)
    assert added == [CodingFact(pids[1], codes["T3"])]
    with pytest.raises(TrivselError):
        ops.narrow_to_span(project, "ann", pids[1], codes["T3"], 5, 500)


def test_apply_change_is_one_transaction(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    ops.toggle_code(project, "ann", pids[1], codes["T1"])
    with pytest.raises(TrivselError):
        ops.apply_change(
            project,
            "ann",
            added=[CodingFact(pids[1], codes["OLD"])],
            removed=[CodingFact(pids[1], codes["T1"])],
        )
    assert _codings(project) == {(pids[1], codes["T1"], None, None)}  # the removal was rolled back


def test_undo_redo_round_trip_via_apply_change(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    added, removed = ops.toggle_code(project, "ann", pids[1], codes["T1"])
    ops.apply_change(project, "ann", added=removed, removed=added)  # undo
    assert _codings(project) == set()
    ops.apply_change(project, "ann", added=added, removed=removed)  # redo
    assert _codings(project) == {(pids[1], codes["T1"], None, None)}


def test_view_shows_mine_and_others_separately(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    ops.toggle_code(project, "ann", pids[1], codes["T1"])
    ops.toggle_code(project, "bo", pids[1], codes["T2"])
    ops.toggle_code(project, "bo", pids[3], codes["T2"])
    view = ops.load_source_view(project, "alfa", "ann")
    assert view.mine == {pids[1]: [CodingFact(pids[1], codes["T1"])]}
    assert view.others[pids[1]] == [("bo", CodingFact(pids[1], codes["T2"]))]
    assert view.counts() == {codes["T1"]: 1}
    assert view.counts(mine=False) == {codes["T1"]: 1, codes["T2"]: 2}
    view.apply(added=[CodingFact(pids[3], codes["T3"])], removed=[CodingFact(pids[1], codes["T1"])])
    assert view.mine == {pids[3]: [CodingFact(pids[3], codes["T3"])]}


def test_star_memo_position_round_trip(project) -> None:  # noqa: ANN001
    pids, _ = _ids(project)
    ops.set_star(project, "ann", pids[1], True)
    ops.set_star(project, "ann", pids[1], True)  # idempotent
    assert ops.set_memo(project, "ann", pids[1], "Godt citat.\n\n") == "Godt citat."
    ops.set_memo(project, "ann", pids[1], "Godt citat, men langt.")
    ops.save_position(project, "ann", ops.load_source_view(project, "alfa", "ann").source_id, 4)
    view = ops.load_source_view(project, "alfa", "ann")
    assert view.stars == {pids[1]}
    assert view.memos == {pids[1]: "Godt citat, men langt."}
    assert ops.get_memo(project, "ann", pids[1]) == "Godt citat, men langt."
    assert ops.get_memo(project, "bo", pids[1]) == ""
    assert view.position == 4 and view.start_index() == 3
    ops.set_star(project, "ann", pids[1], False)
    ops.set_memo(project, "ann", pids[1], "   ")
    with project.read() as s:
        assert s.exec(select(Star)).all() == [] and s.exec(select(Memo)).all() == []
        assert len(s.exec(select(Position)).all()) == 1


def test_position_of_a_coder_who_never_coded_is_not_stored(project) -> None:  # noqa: ANN001
    view = ops.load_source_view(project, "alfa", "ann")
    assert ops.save_position(project, "ann", view.source_id, 4, create_coder=False) is False
    with project.read() as s:
        assert s.exec(select(Coder)).all() == [] and s.exec(select(Position)).all() == []
    ops.set_star(project, "ann", view.passages[1].id, True)  # now ann exists
    assert ops.save_position(project, "ann", view.source_id, 4, create_coder=False) is True
    assert ops.load_source_view(project, "alfa", "ann").position == 4


def test_position_of_a_vanished_passage_falls_back(project) -> None:  # noqa: ANN001
    view = ops.load_source_view(project, "alfa", "ann")
    ops.save_position(project, "ann", view.source_id, 99)
    assert ops.load_source_view(project, "alfa", "ann").start_index() == 1


def test_overview_rows_progress_and_done(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    ops.toggle_code(project, "ann", pids[1], codes["T1"])
    ops.toggle_code(project, "ann", pids[1], codes["T2"])
    ops.toggle_code(project, "ann", pids[0], codes["T2"])  # an interviewer turn: not progress
    ops.toggle_code(project, "bo", pids[3], codes["T2"])
    mark_done(project, "beta", "bo")
    rows = {r.name: r for r in ops.overview_rows(project, "ann")}
    assert (rows["alfa"].passages, rows["alfa"].participant_passages, rows["alfa"].coded) == (6, 3, 1)
    assert rows["beta"].done_by == ["bo"] and not rows["beta"].done_by_me
    assert ops.overview_rows(project, "bo")[1].done_by_me
    assert ops.overview_rows(project, None)[0].coded == 0


def test_theme_frequencies_read_the_default_basis(project) -> None:  # noqa: ANN001
    from trivselkode.analysis.frequencies import theme_frequencies

    pids, codes = _ids(project)
    ops.toggle_code(project, "ann", pids[1], codes["T1"])
    ops.toggle_code(project, "bo", pids[1], codes["T1"])  # same passage: counted once
    ops.toggle_code(project, "bo", pids[3], codes["T1"])
    ops.toggle_code(project, "bo", pids[3], codes["B.social"])  # not a theme
    freq = theme_frequencies(project)
    assert [(t.key, t.passages) for t in freq.themes] == [("T1", 2), ("T2", 0), ("T3", 0)]
    assert freq.basis == "foreningsmængden af ann, bo"


def test_large_source_loads_whole(tmp_path: Path) -> None:
    """3,000 passages and a coder's 1,000 codings in one view (its speed is bench/tui_bench.py's)."""
    project = _build(tmp_path / "big.db", n=3000)
    try:
        pids, codes = _ids(project)
        with project.write() as s:
            coder = Coder(name="ann")
            s.add(coder)
            s.flush()
            s.execute(insert(Coding), [dict(passage_id=p, code_id=codes["T1"], coder_id=coder.id) for p in pids[::3]])
        view = ops.load_source_view(project, "alfa", "ann")
        assert len(view.passages) == 3000 and len(view.mine) == 1000
        assert [p.number for p in view.passages] == list(range(1, 3001))
    finally:
        project.dispose()
