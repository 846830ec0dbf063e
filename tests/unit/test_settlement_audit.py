"""Settlements with reasons, changed and undone, and the audit trail they leave (SPEC §6, issue 14).

Real project files; every assertion reads the database back: the decision,
the ``konsensus`` coder's codings, the ``DecisionEvent`` rows, how the
consensus counts the disagreement (settled or open), the methods paragraph's
appendix, and the project setting that lets a coder correct their own coding.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlmodel import select

from trivselkode.analysis.icr import agreement_report, methods_paragraph
from trivselkode.analysis.methods_text import settlement_appendix
from trivselkode.analysis.review import settled_counts
from trivselkode.errors import TrivselError
from trivselkode.storage.codings import CodingRef, add_coding, mark_done
from trivselkode.storage.consensus import decisions, settle, unsettle
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.decisions import audit
from trivselkode.storage.models import Code, Coder, Coding, Decision, DecisionEvent, Meta, Participant, Passage, Source
from trivselkode.storage.project_settings import ALLOW_OWN_FIX, allow_own_fix, set_allow_own_fix

TURNS = [
    ("I", "Hvad betyder biblioteket for dig?"),
    ("P1", "Jeg føler mig tryg her."),
    ("P1", "Her er der ro til at læse."),
    ("P1", "Jeg møder naboen ved avisholderne."),
]
PAIR = ("anne", "bo")


@pytest.fixture
def project(tmp_path: Path):
    project, _ = open_project(str(tmp_path / "settle.db"))
    with project.write() as s:
        for pos, key in enumerate(["T1", "T2", "T3"]):
            s.add(Code(key=key, name=f"Kode {key}", kind="tema", position=pos))
        src = Source(name="k1", title="Interview 1", kind="interview", text="")
        s.add(src)
        s.flush()
        ids = {}
        for label in ("I", "P1"):
            part = Participant(source_id=src.id, label=label, role="interviewer" if label == "I" else None)
            s.add(part)
            s.flush()
            ids[label] = part.id
        s.execute(
            insert(Passage),
            [dict(source_id=src.id, number=n, participant_id=ids[who], start=0, end=len(t), text=t, sentences=[])
             for n, (who, t) in enumerate(TURNS, start=1)],
        )  # fmt: skip
    for coder, number, code in [
        ("anne", 2, "T1"),
        ("bo", 2, "T1"),
        ("anne", 3, "T1"),
        ("bo", 4, "T3"),
        ("anne", 3, "T2"),
    ]:
        add_coding(project, CodingRef("k1", number, code, coder))
    for coder in PAIR:
        mark_done(project, "k1", coder)
    yield project
    project.dispose()


def consensus_codings(project: Project) -> set[tuple[int, str]]:
    with project.read() as s:
        return set(
            s.exec(
                select(Passage.number, Code.key)
                .join(Coding, Coding.passage_id == Passage.id)
                .join(Code, Coding.code_id == Code.id)
                .join(Coder, Coding.coder_id == Coder.id)
                .where(Coder.name == "konsensus")
            ).all()
        )


def events(project: Project) -> list[tuple[str, str | None, str | None, str]]:
    with project.read() as s:
        rows = s.exec(select(DecisionEvent).order_by(DecisionEvent.id)).all()
    return [(e.choice, e.previous, e.reason, e.by) for e in rows]


def test_settle_with_a_reason_change_it_and_undo_it(project: Project) -> None:
    assert settled_counts(project, PAIR)[1] == (3, 0)  # T1 on 3, T2 on 3, T3 on 4
    done = settle(project, "k1", 3, "T1", "a", PAIR, "mette", reason="  læser = ro, men også tryghed  ")
    assert (done.previous, done.reason, done.codings) == (None, "læser = ro, men også tryghed", 1)
    assert decisions(project)[0]["reason"] == "læser = ro, men også tryghed"
    assert consensus_codings(project) == {(3, "T1")}
    assert settled_counts(project, PAIR)[1] == (3, 1)

    # Changed without a reason: the reason stays; with "": it goes.
    changed = settle(project, "k1", 3, "T1", "neither", PAIR, "lars")
    assert (changed.previous, changed.reason) == ("a", "læser = ro, men også tryghed")
    assert consensus_codings(project) == set()
    settle(project, "k1", 3, "T1", "neither", PAIR, "lars", reason="")
    with project.read() as s:
        decision = s.exec(select(Decision)).one()
    assert (decision.choice, decision.reason, decision.settled_by) == ("neither", None, "lars")

    undone = unsettle(project, "k1", 3, "T1", "mette", reason="forkert kode")
    assert (undone.choice, undone.previous) == ("undone", "neither")
    with project.read() as s:
        assert s.exec(select(Decision)).all() == []
    assert consensus_codings(project) == set()
    assert settled_counts(project, PAIR)[1] == (3, 0)  # open again
    assert events(project) == [
        ("a", None, "læser = ro, men også tryghed", "mette"),
        ("neither", "a", "læser = ro, men også tryghed", "lars"),
        ("neither", "neither", None, "lars"),
        ("undone", "neither", "forkert kode", "mette"),
    ]


def test_undo_removes_the_consensus_coding_so_the_disagreement_is_open(project: Project) -> None:
    settle(project, "k1", 4, "T3", "b", PAIR, "mette")
    assert consensus_codings(project) == {(4, "T3")}
    unsettle(project, "k1", 4, "T3", "mette")
    assert consensus_codings(project) == set()
    per_code, total = settled_counts(project, PAIR)
    assert per_code["T3"] == (1, 0) and total == (3, 0)


def test_undo_of_nothing_is_refused_and_changes_nothing(project: Project) -> None:
    with pytest.raises(TrivselError, match="ikke afgjort") as caught:
        unsettle(project, "k1", 3, "T1", "mette")
    assert "consensus list" in str(caught.value)
    assert events(project) == []
    with pytest.raises(TrivselError, match="ukendt afgørelse"):
        settle(project, "k1", 3, "T1", "maybe", PAIR, "mette", reason="x")
    assert events(project) == [] and decisions(project) == []


def test_undo_of_a_legacy_consensus_coding_without_a_decision(project: Project) -> None:
    settle(project, "k1", 3, "T2", "a", PAIR, "mette")
    with project.write() as s:  # as a version before decisions were recorded left it
        for d in s.exec(select(Decision)):
            s.delete(d)
    assert settled_counts(project, PAIR)[0]["T2"] == (1, 1)
    result = unsettle(project, "k1", 3, "T2", "mette")
    assert result.previous == "manual"
    assert consensus_codings(project) == set()
    assert settled_counts(project, PAIR)[0]["T2"] == (1, 0)


def test_audit_lists_who_settled_what_when_with_the_passage(project: Project) -> None:
    settle(project, "k1", 3, "T1", "a", PAIR, "mette", reason="tryghed")
    settle(project, "k1", 4, "T3", "both", PAIR, "lars")
    settle(project, "k1", 3, "T1", "b", PAIR, "lars")
    unsettle(project, "k1", 4, "T3", "mette")
    rows = audit(project)
    assert [(r.action, r.by, r.passage, r.code, r.previous, r.choice) for r in rows] == [
        ("afgjort", "mette", 3, "T1", None, "a"),
        ("afgjort", "lars", 4, "T3", None, "both"),
        ("ændret", "lars", 3, "T1", "a", "b"),
        ("ophævet", "mette", 4, "T3", "both", "undone"),
    ]
    assert rows[0].text == "Her er der ro til at læse." and rows[0].speaker == "P1" and rows[0].coders == list(PAIR)
    assert all(a.at <= b.at for a, b in zip(rows, rows[1:]))
    assert [r.passage for r in audit(project, code="T3")] == [4, 4]
    assert audit(project, source="k1") == rows
    doc = rows[3].as_dict()
    assert doc["action"] == "undone" and doc["text"] == "Jeg møder naboen ved avisholderne."
    assert doc["at"].startswith(str(rows[3].at.year))


def test_methods_appendix_lists_settlements_with_their_reasons(project: Project) -> None:
    report = agreement_report(project, list(PAIR))
    settle(project, "k1", 4, "T3", "b", PAIR, "lars")
    assert settlement_appendix(project, report.coders, ["T1", "T2", "T3"]) == ""  # no reason given: no appendix
    assert "Bilag" not in methods_paragraph(project, report)
    settle(project, "k1", 3, "T1", "a", PAIR, "mette", reason="tryghed, ikke ro")
    da = methods_paragraph(project, report)
    assert da.endswith(
        "Bilag: afgjorte uenigheder og begrundelserne for dem\n\n"
        "- k1, udsagn 3, T1: A (anne) (afgjort af mette): tryghed, ikke ro\n"
        "- k1, udsagn 4, T3: B (bo) (afgjort af lars) – ingen begrundelse givet"
    )
    en = methods_paragraph(project, report, "en")
    assert "- k1, turn 3, T1: A (anne) (settled by mette): tryghed, ikke ro" in en
    # Settlements of codes outside the report, or between other coders, are not listed.
    assert settlement_appendix(project, report.coders, ["T2"]) == ""
    assert settlement_appendix(project, ["anne", "cai"], ["T1", "T3"]) == ""


def test_allow_own_fix_is_a_stored_project_setting(project: Project) -> None:
    assert allow_own_fix(project) is False
    assert set_allow_own_fix(project, True) is True
    with project.read() as s:
        assert s.exec(select(Meta.value).where(Meta.key == ALLOW_OWN_FIX)).one() == "1"
    assert allow_own_fix(project) is True
    set_allow_own_fix(project, False)
    assert allow_own_fix(project) is False
