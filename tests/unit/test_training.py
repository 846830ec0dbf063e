"""What the learned suggestions learn from: participants' coded or rejected passages, per coder or all."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from tests.conftest import INTERVIEW, Cli, write
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.models import Code, Passage, Source
from trivselkode.storage.rejections import reject
from trivselkode.storage.training import TrainingPassage, participant_passages, training_passages

FIRST, SECOND = "holstebro-interview-01", "viborg-interview-02"
# Passages 1, 3 and 5 are the interviewer's; 2 and 4 a participant's.


@pytest.fixture
def built(db_url: str, tmp_path: Path):
    """Two interviews; anne and bo have coded, one of them on an interviewer's turn."""
    cli = Cli(db_url)
    assert cli("init").exit_code == 0
    for name, text in ((FIRST, INTERVIEW), (SECOND, INTERVIEW.replace("roligere", "gladere"))):
        assert cli("import", str(write(tmp_path / "data" / f"{name}.txt", text))).exit_code == 0
    for coder, source, number, code in [
        ("anne", FIRST, 2, "T1"),
        ("anne", FIRST, 2, "B.sikkerhed"),
        ("anne", FIRST, 1, "T2"),  # the interviewer's question: never learnt from
        ("anne", SECOND, 4, "T5"),
        ("bo", FIRST, 2, "T3"),
        ("bo", FIRST, 4, "T1"),
    ]:
        result = cli("codings", "add", "-s", source, "-p", str(number), "-c", code, coder=coder)
        assert result.exit_code == 0, result.stderr
    project, _ = open_project(db_url)
    yield cli, project
    project.dispose()


def ids(project: Project) -> dict[tuple[str, int], int]:
    with project.read() as s:
        rows = s.exec(select(Source.name, Passage.number, Passage.id).join(Source)).all()
    return {(name, number): pid for name, number, pid in rows}


def by_place(project: Project, rows: list[TrainingPassage]) -> dict[tuple[str, int], tuple[set[str], set[str]]]:
    place = {pid: key for key, pid in ids(project).items()}
    return {place[r.passage_id]: (set(r.codes), set(r.rejected)) for r in rows}


def test_every_coder_is_the_union_and_interviewer_turns_never_count(built):
    _, project = built
    rows = training_passages(project)
    assert by_place(project, rows) == {
        (FIRST, 2): ({"T1", "B.sikkerhed", "T3"}, set()),
        (FIRST, 4): ({"T1"}, set()),
        (SECOND, 4): ({"T5"}, set()),
    }
    first = next(r for r in rows if r.passage_id == ids(project)[(FIRST, 2)])
    assert first.text.startswith("Jeg får lidt tro på verden") and first.source_id
    assert [r.passage_id for r in rows] == sorted(r.passage_id for r in rows)


def test_one_coder_reads_only_their_codings_and_rejections(built):
    _, project = built
    place = ids(project)
    assert reject(project, "bo", place[(SECOND, 2)], "T4")
    assert reject(project, "anne", place[(FIRST, 4)], "T2")
    assert by_place(project, training_passages(project, coder="anne")) == {
        (FIRST, 2): ({"T1", "B.sikkerhed"}, set()),
        (FIRST, 4): (set(), {"T2"}),
        (SECOND, 4): ({"T5"}, set()),
    }
    assert by_place(project, training_passages(project, coder="bo")) == {
        (FIRST, 2): ({"T3"}, set()),
        (FIRST, 4): ({"T1"}, set()),
        (SECOND, 2): (set(), {"T4"}),
    }
    assert training_passages(project, coder="nogen-ny") == []
    # Every coder: everybody's rejections are negatives too.
    assert by_place(project, training_passages(project))[(FIRST, 4)] == ({"T1"}, {"T2"})


def test_a_rejection_of_a_code_the_passage_carries_is_no_negative(built):
    _, project = built
    place = ids(project)
    assert reject(project, "bo", place[(FIRST, 2)], "T1")  # anne coded T1 there
    assert by_place(project, training_passages(project))[(FIRST, 2)] == ({"T1", "B.sikkerhed", "T3"}, set())
    assert by_place(project, training_passages(project, coder="bo"))[(FIRST, 2)] == ({"T3"}, {"T1"})


def test_the_consensus_counts_where_it_settled_a_passage(built):
    cli, project = built
    settle = ("consensus", "settle", "-s", FIRST, "--coders", "anne,bo", "--by", "mette")
    assert cli(*settle, "-p", "2", "-c", "T1", "--take", "b").exit_code == 0  # off: bo did not code T1 there
    assert cli(*settle, "-p", "2", "-c", "T3", "--take", "b").exit_code == 0  # on
    assert cli(*settle, "-p", "4", "-c", "T1", "--take", "both").exit_code == 0  # on
    rows = by_place(project, training_passages(project))
    assert rows[(FIRST, 2)] == ({"B.sikkerhed", "T3"}, {"T1"})  # B.sikkerhed: not settled, the union
    assert rows[(FIRST, 4)] == ({"T1"}, set())
    # One coder's own view is not changed by the consensus.
    assert by_place(project, training_passages(project, coder="anne"))[(FIRST, 2)] == ({"T1", "B.sikkerhed"}, set())
    # Undone: the union again.
    assert cli("consensus", "undo", "-s", FIRST, "-p", "2", "-c", "T1", "--by", "mette").exit_code == 0
    assert by_place(project, training_passages(project))[(FIRST, 2)] == ({"T1", "B.sikkerhed", "T3"}, set())


def test_excluded_sources_and_retired_codes_are_left_out(built):
    _, project = built
    with project.read() as s:
        second = s.exec(select(Source.id).where(Source.name == SECOND)).one()
    assert {k for k in by_place(project, training_passages(project, exclude_source_ids=[second]))} == {
        (FIRST, 2),
        (FIRST, 4),
    }
    with project.write() as s:
        code = s.exec(select(Code).where(Code.key == "T5")).one()
        code.retired = True
        s.add(code)
    assert (SECOND, 4) not in by_place(project, training_passages(project))


def test_participant_passages_in_source_and_number_order(built):
    _, project = built
    rows = participant_passages(project)
    place = {pid: key for key, pid in ids(project).items()}
    assert [place[pid] for pid, _, _, _ in rows] == [(FIRST, 2), (FIRST, 4), (SECOND, 2), (SECOND, 4)]
    assert [n for _, _, n, _ in rows] == [2, 4, 2, 4]
    one = rows[0][1]
    assert [place[pid] for pid, *_ in participant_passages(project, source_ids=[one])] == [(FIRST, 2), (FIRST, 4)]
    assert participant_passages(project, source_ids=[]) == []


def test_a_passage_read_and_left_uncoded_is_a_negative_for_every_code(built):
    """Marked done, a source's uncoded participant passages say "nothing here" (and only then)."""
    from trivselkode.storage.codings import mark_done

    _, project = built
    assert by_place(project, training_passages(project, coder="anne")) == {
        (FIRST, 2): ({"T1", "B.sikkerhed"}, set()),
        (SECOND, 4): ({"T5"}, set()),
    }
    mark_done(project, FIRST, "anne")
    # anne read FIRST to the end: its passage 4, which she left uncoded, carries nothing for her.
    assert by_place(project, training_passages(project, coder="anne"))[(FIRST, 4)] == (set(), set())
    assert all(codes for codes, _ in by_place(project, training_passages(project, coder="bo")).values())  # bo: not done
    # Every coder's work: bo coded passage 4, so it is no empty passage there.
    assert by_place(project, training_passages(project))[(FIRST, 4)] == ({"T1"}, set())
    mark_done(project, SECOND, "bo")
    every = by_place(project, training_passages(project))
    assert every[(SECOND, 2)] == (set(), set())  # nobody coded it, and bo read it
    assert (SECOND, 1) not in every and (SECOND, 3) not in every  # interviewer turns never
    assert (SECOND, 2) not in by_place(project, training_passages(project, exclude_source_ids=[_source_id(project)]))


def _source_id(project: Project) -> int:
    with project.read() as s:
        return s.exec(select(Source.id).where(Source.name == SECOND)).one()
