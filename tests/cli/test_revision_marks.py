"""A revised transcript carries a coder's marks on its passages: stars and rejected suggestions."""

from __future__ import annotations

from sqlmodel import select

from tests.conftest import INTERVIEW
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Passage, Source
from trivselkode.storage.rejections import reject, rejected_passages


def _passage_id(project, number: int) -> int:  # noqa: ANN001
    with project.read() as s:
        source = s.exec(select(Source).where(Source.name == "holstebro-interview-01")).one()
        return s.exec(select(Passage.id).where(Passage.source_id == source.id, Passage.number == number)).one()


def _text_of(project, passage_id: int) -> str:  # noqa: ANN001
    with project.read() as s:
        return s.exec(select(Passage.text).where(Passage.id == passage_id)).one()


def test_rejections_follow_their_passage_through_a_revision(cli, interview_file):
    assert cli("init").exit_code == 0
    assert cli("import", str(interview_file)).exit_code == 0
    project, _ = open_project(str(cli.db))
    try:
        kept = _passage_id(project, 2)  # "Jeg får lidt tro på verden …"
        gone = _passage_id(project, 4)  # "Jeg bliver et roligere menneske …"
        assert reject(project, "anne", kept, "T1")
        assert reject(project, "anne", gone, "T2")
        assert reject(project, "bo", kept, "T1")
    finally:
        project.dispose()

    revised = INTERVIEW.replace(
        "I: Hvad betyder biblioteket for dig?\n", "I: Velkommen.\nI: Hvad betyder biblioteket for dig?\n"
    )
    revised = revised.replace("P1: Jeg bliver et roligere menneske.\nDet er som om tempoet falder.\n", "")
    interview_file.write_text(revised, encoding="utf-8")
    result = cli("import", str(interview_file), "--format", "json")
    assert result.exit_code == 0, result.stderr

    project, _ = open_project(str(cli.db))
    try:
        anne = rejected_passages(project, "anne", "T1")
        assert len(anne) == 1 and _text_of(project, next(iter(anne))).startswith("Jeg får lidt tro på verden")
        assert rejected_passages(project, "bo", "T1") == anne
        assert rejected_passages(project, "anne", "T2") == set()  # its passage is gone, and so is the rejection
    finally:
        project.dispose()
