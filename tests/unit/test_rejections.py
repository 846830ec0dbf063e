"""A coder's rejected suggestions: stored at once, per coder, read back, taken back."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.conftest import Cli
from trivselkode.errors import TrivselError
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Passage, SuggestionRejection
from trivselkode.storage.rejections import reject, rejected_passages, unreject

SOURCE = "holstebro-interview-01"


@pytest.fixture
def project(db_url: str, interview_file):
    cli = Cli(db_url)
    assert cli("init").exit_code == 0
    assert cli("import", str(interview_file)).exit_code == 0
    proj, _ = open_project(db_url)
    yield proj
    proj.dispose()


def passage_ids(project) -> list[int]:
    with project.read() as s:
        return list(s.exec(select(Passage.id).order_by(Passage.number)))


def test_rejections_are_stored_at_once_per_coder_and_read_back(project, db_url):
    two, four = passage_ids(project)[1], passage_ids(project)[3]
    assert reject(project, "anne", two, "T1") is True
    assert reject(project, "anne", two, "T1") is False  # already
    assert reject(project, "anne", four, "T1") is True
    assert reject(project, "bo", four, "T1") is True
    assert reject(project, "bo", two, "T3") is True
    # Another connection sees them: each was committed when the call returned.
    other, _ = open_project(db_url)
    try:
        assert rejected_passages(other, "anne", "T1") == {two, four}
        assert rejected_passages(other, "bo", "T1") == {four}
        assert rejected_passages(other, None, "T1") == {two, four}
        assert rejected_passages(other, "bo", "T3") == {two}
        assert rejected_passages(other, "carl", "T1") == set()
        with other.read() as s:
            assert len(s.exec(select(SuggestionRejection)).all()) == 4
    finally:
        other.dispose()


def test_unreject_takes_one_coders_rejection_back(project):
    four = passage_ids(project)[3]
    reject(project, "anne", four, "T1")
    reject(project, "bo", four, "T1")
    assert unreject(project, "anne", four, "T1") is True
    assert unreject(project, "anne", four, "T1") is False
    assert unreject(project, "nobody", four, "T1") is False
    assert unreject(project, "anne", four, "NOPE") is False
    assert rejected_passages(project, "anne", "T1") == set()
    assert rejected_passages(project, "bo", "T1") == {four}


def test_unknown_code_or_passage_is_refused_and_nothing_written(project):
    two = passage_ids(project)[1]
    with pytest.raises(TrivselError, match="koden 'T99' findes ikke"):
        reject(project, "anne", two, "T99")
    with pytest.raises(TrivselError, match="udsagnet med id 99999 findes ikke"):
        reject(project, "anne", 99999, "T1")
    with project.read() as s:
        assert s.exec(select(SuggestionRejection)).all() == []


def test_a_rejection_goes_with_its_passage(project):
    from sqlalchemy import delete

    from trivselkode.storage.models import Source

    two = passage_ids(project)[1]
    reject(project, "anne", two, "T1")
    with project.write() as s:
        s.execute(delete(Source))
    assert rejected_passages(project, None, "T1") == set()
