"""Merging carries the researcher's judgements: settlement reasons, the audit trail and chosen quotes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from tests.cli.test_agreement_cli import _laptop
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Code, Decision, DecisionEvent, Passage, QuoteChoice


def _ids(db: Path, number: int, key: str) -> tuple[int, int]:
    project, _ = open_project(str(db), create=False)
    try:
        with project.read() as s:
            passage = s.exec(select(Passage).where(Passage.number == number)).one()
            code = s.exec(select(Code).where(Code.key == key)).one()
            return int(passage.id or 0), int(code.id or 0)
    finally:
        project.dispose()


def _add(db: Path, *rows: object) -> None:
    project, _ = open_project(str(db), create=False)
    try:
        with project.write() as s:
            for row in rows:
                s.add(row)
    finally:
        project.dispose()


def _rows(db: Path, model: type) -> list:
    project, _ = open_project(str(db), create=False)
    try:
        with project.read() as s:
            return list(s.exec(select(model)))
    finally:
        project.dispose()


def test_reasons_audit_rows_and_quote_choices_travel_once(tmp_path: Path) -> None:
    a = _laptop(tmp_path, "a", "anne", [2, 4])
    b = _laptop(tmp_path, "b", "bo", [2, 6])
    at = datetime(2026, 11, 3, 10, 15, tzinfo=UTC)
    p4, t1 = _ids(b.db, 4, "T1")
    p6, _ = _ids(b.db, 6, "T1")
    _add(
        b.db,
        Decision(passage_id=p4, code_id=t1, choice="a", coders="anne,bo", settled_by="forsker", reason="Klart tryghed"),
        DecisionEvent(passage_id=p4, code_id=t1, choice="both", coders="anne,bo", by="forsker", at=at),
        DecisionEvent(
            passage_id=p4,
            code_id=t1,
            choice="a",
            previous="both",
            coders="anne,bo",
            reason="Klart tryghed",
            by="forsker",
            at=at,
        ),
        QuoteChoice(code_id=t1, passage_id=p6, state="picked", position=0, chosen_by="forsker"),
        QuoteChoice(code_id=t1, passage_id=p4, state="dropped", position=1, chosen_by="forsker"),
    )
    # a quote chosen here already: ours stays and theirs come after it
    q2, _ = _ids(a.db, 2, "T1")
    q4, a_t1 = _ids(a.db, 4, "T1")
    _add(a.db, QuoteChoice(code_id=a_t1, passage_id=q4, state="picked", position=0, chosen_by="anne"))

    first = a.json("merge", str(b.db))
    assert first["added"]["decision_events"] == 2 and first["added"]["quote_choices"] == 1
    assert any("citat er valgt anderledes" in c for c in first["conflicts"])
    [decision] = _rows(a.db, Decision)
    assert (decision.choice, decision.reason) == ("a", "Klart tryghed")
    events = sorted(_rows(a.db, DecisionEvent), key=lambda e: e.choice)
    assert [(e.choice, e.previous, e.reason) for e in events] == [("a", "both", "Klart tryghed"), ("both", None, None)]
    choices = sorted(_rows(a.db, QuoteChoice), key=lambda c: c.position)
    assert [(c.passage_id, c.state, c.position, c.chosen_by) for c in choices] == [
        (q4, "picked", 0, "anne"),
        (_ids(a.db, 6, "T1")[0], "picked", 1, "forsker"),
    ]
    assert q2 not in {c.passage_id for c in choices}

    second = a.json("merge", str(b.db))
    assert second["added"] == {}
    assert len(_rows(a.db, DecisionEvent)) == 2 and len(_rows(a.db, QuoteChoice)) == 2
