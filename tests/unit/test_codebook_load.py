"""Loading a codebook into a project: adds and updates; removes nothing unless asked (``prune``)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from trivselkode.domain.codebook import Codebook, CodeSpec
from trivselkode.importers.base import ParsedParticipant, ParsedSource, ParsedTurn
from trivselkode.storage.codebook import load_codebook
from trivselkode.storage.lookup import get_or_create_coder
from trivselkode.storage.models import Code, Coding, Memo, Meta, Passage


def book(*specs: CodeSpec, name: str = "Bog") -> Codebook:
    return Codebook(
        name=name, version=1, codes=[CodeSpec(**{**s.__dict__, "position": n}) for n, s in enumerate(specs)]
    )


START = book(
    CodeSpec(key="T1", name="Tryghed", shortcut="1", kind="tema"),
    CodeSpec(key="T2", name="Ro", shortcut="2", kind="tema"),
    CodeSpec(key="B", name="Behov"),
    CodeSpec(key="B.social", name="Sociale behov", parent="B"),
    CodeSpec(key="M", name="Miljø", shortcut="m"),
    CodeSpec(key="X", name="Med notat"),
    name="Start",
)


def rows(project) -> dict[str, tuple]:
    with project.read() as s:
        codes = list(s.exec(select(Code)))
    key_of = {c.id: c.key for c in codes}
    return {c.key: (c.name, key_of.get(c.parent_id), c.shortcut, c.position, c.retired, c.description) for c in codes}


@pytest.fixture
def proj(project):
    """The START codebook; T1 coded on a passage, a memo on X."""
    load_codebook(project, START)
    from trivselkode.storage.source_store import insert_source as _insert_source

    text = "Jeg føler mig tryg her."
    with project.write() as s:
        _insert_source(
            s,
            ParsedSource(
                name="kilde",
                text=text,
                file_name="k.txt",
                participants=[ParsedParticipant("P1")],
                turns=[ParsedTurn("P1", 0, len(text), text)],
            ),
            "h",
            [f"[[0,{len(text)}]]"],
        )
        codes = {c.key: c for c in s.exec(select(Code))}
        anne = get_or_create_coder(s, "anne")
        passage = s.exec(select(Passage)).one()
        s.add(Coding(passage_id=passage.id, code_id=codes["T1"].id, coder_id=anne.id))
        s.add(Memo(code_id=codes["X"].id, coder_id=anne.id, text="Et notat om koden"))
    return project


FOREIGN = book(
    CodeSpec(key="ny", name="Ny kode"), CodeSpec(key="ny.barn", name="Barn", parent="ny", shortcut="1"), name="Fremmed"
)


def test_codes_the_file_lacks_are_kept_and_listed(proj):
    report = load_codebook(proj, FOREIGN)
    assert report.added == ["ny", "ny.barn"]
    assert report.kept == ["T1", "T2", "B", "B.social", "M", "X"]
    assert report.retired == report.deleted == [] and not report.prune
    after = rows(proj)
    assert set(after) == {"T1", "T2", "B", "B.social", "M", "X", "ny", "ny.barn"}
    assert not any(r[4] for r in after.values())  # nothing retired
    assert after["B.social"][1] == "B"
    # the file's codes first, the kept ones after them in their old order
    order = sorted(after, key=lambda k: after[k][3])
    assert order == ["ny", "ny.barn", "T1", "T2", "B", "B.social", "M", "X"]
    # the file gives shortcut 1 to its own code: T1 gives it up, and says so
    assert report.shortcuts_freed == {"T1": "1"}
    assert after["ny.barn"][2] == "1" and after["T1"][2] is None and after["T2"][2] == "2"
    with proj.read() as s:
        assert s.get(Meta, "codebook_name").value == "Fremmed"


def test_prune_retires_what_is_used_and_deletes_the_rest(proj):
    report = load_codebook(proj, FOREIGN, prune=True)
    assert report.kept == []
    assert report.retired == ["T1", "X"]  # coded; a memo on the code (deleting would take it along)
    assert report.deleted == ["T2", "B", "B.social", "M"]
    after = rows(proj)
    assert set(after) == {"T1", "X", "ny", "ny.barn"}
    assert after["T1"][4] and after["X"][4] and after["T1"][2] is None
    with proj.read() as s:
        assert len(list(s.exec(select(Coding)))) == 1 and len(list(s.exec(select(Memo)))) == 1


def test_codes_already_retired_are_left_alone_with_or_without_prune(proj):
    load_codebook(proj, FOREIGN, prune=True)
    again = book(CodeSpec(key="ny", name="Ny kode"))
    report = load_codebook(proj, again)
    assert report.kept == ["ny.barn"] and report.retired == report.deleted == []
    report = load_codebook(proj, again, prune=True)
    assert report.retired == [] and report.deleted == ["ny.barn"]
    assert set(rows(proj)) == {"T1", "X", "ny"}


def test_dry_run_changes_nothing_and_says_the_same_as_the_real_run(proj):
    before = rows(proj)
    for prune in (False, True):
        plan = load_codebook(proj, FOREIGN, prune=prune, dry_run=True)
        assert plan.dry_run and rows(proj) == before
    plan = load_codebook(proj, FOREIGN, prune=True, dry_run=True)
    done = load_codebook(proj, FOREIGN, prune=True)
    assert {**plan.as_dict(), "dry_run": False} == done.as_dict()


def test_reloading_the_same_codebook_changes_nothing(proj):
    report = load_codebook(proj, START)
    assert report.added == report.updated == report.kept == [] and len(report.unchanged) == 6


def test_a_code_back_in_the_file_comes_back_from_retirement(proj):
    load_codebook(proj, FOREIGN, prune=True)
    report = load_codebook(proj, START)
    assert "T1" in report.updated and not rows(proj)["T1"][4]


def test_a_failed_load_leaves_the_codebook_as_it_was(proj, monkeypatch):
    import trivselkode.storage.codebook as module

    before = rows(proj)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, "Meta", broken)  # the last step of the transaction fails
    with pytest.raises(RuntimeError):
        load_codebook(proj, FOREIGN, prune=True)
    assert rows(proj) == before
