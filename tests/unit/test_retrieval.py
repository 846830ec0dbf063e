"""Retrieval by code without a user interface: rows, combinations, filters, orders, documents."""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import insert
from sqlmodel import select

from tests.tui.conftest import build_project, code_ids, passage_ids
from trivselkode.analysis.retrieval import (
    RetrievalQuery,
    context,
    head,
    load_retrieval,
    retrieve,
    select_segments,
    tail,
)
from trivselkode.analysis.retrieval_filter import (
    apply_filter,
    group_segments,
    parse_filter,
    replace_rows,
    sort_segments,
)
from trivselkode.domain.undo import CodingFact
from trivselkode.errors import TrivselError
from trivselkode.export.retrieval_docs import build_document, render
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.models import Participant, Passage, Source


@pytest.fixture
def proj(db_url):  # noqa: ANN001, ANN201
    """The screens' small project, coded: T1 by ann and bo on holstebro-1 #2, a span by bo on #4 …"""
    project = build_project(db_url)
    pids, codes = passage_ids(project), code_ids(project)
    h, v = pids["holstebro-1"], pids["viborg-voxpop"]
    ops.toggle_code(project, "ann", h[1], codes["T1"])
    ops.toggle_code(project, "bo", h[1], codes["T1"])
    ops.toggle_code(project, "bo", h[1], codes["B.social"])
    ops.narrow_to_span(project, "bo", h[3], codes["T1"], 0, 21)  # "Jeg læser aviser i ro"
    ops.toggle_code(project, "ann", h[3], codes["T1"])
    ops.toggle_code(project, "ann", h[3], codes["T2"])
    ops.toggle_code(project, "bo", v[0], codes["T1"])
    ops.write_codings(project, "ann", lambda _s: ([CodingFact(v[1], codes["T3"], memo="fællesskab")], []))
    ops.set_memo(project, "bo", v[0], "husk dette")
    ops.set_star(project, "ann", h[1], True)
    yield project
    project.dispose()


def rows(segments) -> list[tuple]:  # noqa: ANN001
    return [(s.source, s.number, s.start, s.end, s.coders) for s in segments]


def test_every_coded_stretch_is_a_row_with_its_coders(proj) -> None:  # noqa: ANN001
    found = retrieve(proj, RetrievalQuery("T1"))
    assert rows(found) == [
        ("holstebro-1", 2, None, None, ("ann", "bo")),
        ("holstebro-1", 4, None, None, ("ann",)),
        ("holstebro-1", 4, 0, 21, ("bo",)),
        ("viborg-voxpop", 1, None, None, ("bo",)),
    ]
    first, _whole, span, voxpop = found
    assert first.speaker == "P1" and first.attrs["site"] == "Holstebro" and first.attrs["age_band"] == "60–74"
    assert first.starred_by == ("ann",) and first.codes == ("T1", "B.social")
    assert span.text == "Jeg læser aviser i ro" and span.is_span
    assert voxpop.memos == (("bo", "husk dette"),)
    assert retrieve(proj, RetrievalQuery("T3"))[0].memos == (("ann", "fællesskab"),)  # a coding's own memo


def test_combinations_and_not_on_the_same_passage(proj) -> None:  # noqa: ANN001
    assert rows(retrieve(proj, RetrievalQuery("T1", ("B.social",)))) == [("holstebro-1", 2, None, None, ("ann", "bo"))]
    assert [s.number for s in retrieve(proj, RetrievalQuery("T1", ("T2",)))] == [4, 4]
    assert [(s.source, s.number) for s in retrieve(proj, RetrievalQuery("T1", (), ("T2", "B.social")))] == [
        ("viborg-voxpop", 1)
    ]
    assert retrieve(proj, RetrievalQuery("T1", ("T2",), ("T2",))) == []


def test_a_coder_narrows_the_code_and_the_combination(proj) -> None:  # noqa: ANN001
    assert rows(retrieve(proj, RetrievalQuery("T1"), coders=["ann"])) == [
        ("holstebro-1", 2, None, None, ("ann",)),
        ("holstebro-1", 4, None, None, ("ann",)),
    ]
    # B.social on #2 is bo's: for ann alone the combination finds nothing, for bo it does.
    assert retrieve(proj, RetrievalQuery("T1", ("B.social",)), coders=["ann"]) == []
    assert len(retrieve(proj, RetrievalQuery("T1", ("B.social",)), coders=["bo"])) == 1
    # "not T2": T2 is ann's, so for bo the span on #4 stays.
    assert (4, 0) in {(s.number, s.start) for s in retrieve(proj, RetrievalQuery("T1", (), ("T2",)), coders=["bo"])}
    assert retrieve(proj, RetrievalQuery("T1"), coders=[]) == []


def test_codes_by_key_any_case_and_an_unknown_one_says_where_to_look(proj) -> None:  # noqa: ANN001
    data = load_retrieval(proj, RetrievalQuery("t1", ("b.social",)))
    assert data.query == RetrievalQuery("T1", ("B.social",))
    with pytest.raises(TrivselError) as err:
        retrieve(proj, RetrievalQuery("T1", (), ("T99",)))
    assert "'T99' findes ikke" in str(err.value) and "trivselkode codebook show" in str(err.value)


def test_context_is_the_turns_around_a_passage_or_the_passage_around_a_span(proj) -> None:  # noqa: ANN001
    whole, _w4, span, voxpop = retrieve(proj, RetrievalQuery("T1"))
    assert context(whole) == ("I: Hvad betyder biblioteket for dig?", "I: Hvad laver du, når du er her?")
    assert context(span) == ("", "og fred. Det er stille.")
    assert context(voxpop) == ("", "V2: Jeg kom for fællesskabet.")  # the first turn has none before it
    assert context(whole, 0) == ("", "")
    before, after = context(whole, 20)
    assert before == "I: … for dig?" and after.endswith("…") and len(after) <= 22


def test_cuts_fall_between_words() -> None:
    text = "Jeg kommer her hver uge og læser avisen i ro"
    assert head(text, 20) == "Jeg kommer her hver …"
    assert tail(text, 20) == "… og læser avisen i ro"
    assert head("kort", 20) == tail("kort", 20) == "kort"


def test_a_stored_change_moves_the_rows(proj) -> None:  # noqa: ANN001
    data = load_retrieval(proj, RetrievalQuery("T1"))
    codes, pids = code_ids(proj), passage_ids(proj)
    gone = CodingFact(pids["viborg-voxpop"][0], codes["T1"])
    data.apply("bo", [], [gone])
    assert ("viborg-voxpop", 1) not in {(s.source, s.number) for s in select_segments(data)}
    data.apply("ann", [CodingFact(pids["holstebro-1"][1], codes["T2"])], [])
    assert [s.number for s in select_segments(data) if "T2" in s.codes] == [2, 4, 4]
    data.set_star(pids["holstebro-1"][1], "bo", True)
    assert select_segments(data)[0].starred_by == ("ann", "bo")


def test_the_filter_as_typed() -> None:
    f = parse_filter("Viborg køn:k,m alder:60-7 foo:bar koder: runde:2")
    assert f.fields == {"gender": ("k", "m"), "age_band": ("60–7",), "round": ("2",)}
    assert f.words == ("viborg", "foo", "bar") and f.unknown == ("foo",)
    assert parse_filter("").empty and parse_filter("bibliotek:").empty
    assert parse_filter("koder:an").coder_scope(["anne", "bo", "annika"]) == {"anne", "annika"}
    assert parse_filter("koder:zed").coder_scope(["anne"]) == set()
    assert parse_filter("randers").coder_scope(["anne"]) is None


def test_the_filter_narrows_by_attributes_source_speaker_and_coders(proj) -> None:  # noqa: ANN001
    found = retrieve(proj, RetrievalQuery("T1"))

    def kept(text: str) -> list[tuple[str, int]]:
        return [(s.source, s.number) for s in apply_filter(found, parse_filter(text))]

    assert kept("viborg") == [("viborg-voxpop", 1)]
    assert kept("bibliotek:holstebro alder:60") == [("holstebro-1", 2), ("holstebro-1", 4), ("holstebro-1", 4)]
    assert kept("kontekst:arr køn:kvinde") == [("viborg-voxpop", 1)]
    assert kept("holstebro ann") == [("holstebro-1", 2), ("holstebro-1", 4)]  # free words: source and coder
    assert kept("bibliotek:randers") == [] and kept("runde:1") == []
    assert kept("kilde:vib,hol taler:v1") == [("viborg-voxpop", 1)]


def test_orders_and_groups(proj) -> None:  # noqa: ANN001
    found = retrieve(proj, RetrievalQuery("T1"))
    longest = sort_segments(found, "length")
    assert [s.length for s in longest] == sorted((s.length for s in found), reverse=True)
    assert sort_segments(longest, "source") == found
    groups = group_segments(found, ["age_band"])
    assert [(values, len(g)) for values, g in groups] == [(("45–59",), 1), (("60–74",), 3)]
    assert group_segments(found, []) == [((), found)]


@pytest.mark.parametrize("order", ["source", "length"])
def test_a_change_replaces_only_its_passage_rows_in_order(proj, order) -> None:  # noqa: ANN001
    data = load_retrieval(proj, RetrievalQuery("T1"))
    before = sort_segments(select_segments(data), order)
    codes, pids = code_ids(proj), passage_ids(proj)
    changed = {pids["holstebro-1"][3]}
    data.apply("ann", [], [CodingFact(pids["holstebro-1"][3], codes["T1"])])
    data.apply("ann", [CodingFact(pids["holstebro-1"][3], codes["T1"], 5, 21)], [])
    after = replace_rows(before, changed, select_segments(data, None, changed), order)
    assert after == sort_segments(select_segments(data), order)
    assert [(s.number, s.start, s.coders) for s in after if s.number == 4] == [(4, 0, ("bo",)), (4, 5, ("ann",))]


def test_json_document_shape(proj) -> None:  # noqa: ANN001
    doc, pseudo = build_document(proj, RetrievalQuery("T1", (), ("T2",)), by="site", order="length")
    assert pseudo is None
    document = json.loads(render(doc, "json"))
    assert document["query"] == {
        "code": "T1", "name": "Biblioteket som et psykologisk tryghedssystem", "and": [], "not": ["T2"],
        "coder": None, "by": ["site"], "order": "length", "context": 300,
    }  # fmt: skip
    assert document["count"] == 2
    assert document["groups"] == [
        {"values": {"site": "Holstebro"}, "count": 1},
        {"values": {"site": "Viborg"}, "count": 1},
    ]
    first = document["segments"][0]
    assert set(first) == {
        "source", "passage", "speaker", "role", "attributes", "attribution", "code", "coders", "start", "end",
        "text", "before", "after", "memos", "starred_by", "codes", "group",
    }  # fmt: skip
    assert first["attribution"] == "– Kvinde, 67 år, Holstebro" and first["starred_by"] == ["ann"]
    assert document["segments"][1]["memos"] == [{"coder": "bo", "text": "husk dette"}]


def test_refusals_before_anything_is_written(proj) -> None:  # noqa: ANN001
    with pytest.raises(TrivselError, match="koderen 'zed' findes ikke"):
        build_document(proj, RetrievalQuery("T1"), coder="zed")
    with pytest.raises(TrivselError, match="ukendt egenskab 'planet'"):
        build_document(proj, RetrievalQuery("T1"), by="planet")
    with pytest.raises(TrivselError, match="negativ"):
        build_document(proj, RetrievalQuery("T1"), context_chars=-1)


def test_markdown_csv_and_docx(proj) -> None:  # noqa: ANN001
    doc, _ = build_document(proj, RetrievalQuery("T1"), by=["site"])
    md = render(doc, "md")
    assert md.startswith("# Udsnit kodet T1 Biblioteket som et psykologisk tryghedssystem\n")
    assert "## Bibliotek: Holstebro (3)" in md and "### holstebro-1 · udsagn 4 · P1 – Kvinde, 67 år, Holstebro" in md
    assert "> Jeg læser aviser i ro" in md and "Efter: og fred. Det er stille." in md
    assert "Notat (bo): husk dette" in md
    csv = render(doc, "csv")
    assert csv.splitlines()[0].startswith("source,passage,speaker,site,kind,context,round,gender,age,age_band,code")
    from docx import Document

    body = "\n".join(p.text for p in Document(io.BytesIO(render(doc, "docx"))).paragraphs)
    assert "Jeg føler mig tryg her. Ingen dømmer mig. Jeg kommer hver uge." in body and "husk dette" in body


def test_csv_cells_are_never_formulas(proj) -> None:  # noqa: ANN001
    codes = code_ids(proj)
    with proj.write() as s:
        src = Source(name="=HYPERLINK(1)", text="", site="Randers")
        s.add(src)
        s.flush()
        part = Participant(source_id=src.id, label="P1")
        s.add(part)
        s.flush()
        s.execute(insert(Passage), [dict(source_id=src.id, number=1, participant_id=part.id, start=0, end=9,
                                         text="=1+2 sagt", sentences=[])])  # fmt: skip
        pid = s.exec(select(Passage.id).where(Passage.source_id == src.id)).one()
    ops.toggle_code(proj, "ann", pid, codes["T6"])
    doc, _ = build_document(proj, RetrievalQuery("T6"))
    assert "'=HYPERLINK(1),1,P1" in render(doc, "csv") and "'=1+2 sagt" in render(doc, "csv")
    assert json.loads(render(doc, "json"))["segments"][0]["text"] == "=1+2 sagt"


def test_pseudonymised_names_texts_and_spans(proj) -> None:  # noqa: ANN001
    codes = code_ids(proj)
    text = "Karen Hansen siger: jeg er tryg her."
    with proj.write() as s:
        src = Source(name="interview-karen", text="", site="Randers", extra={"names": ["Karen Hansen"]})
        s.add(src)
        s.flush()
        iv = Participant(source_id=src.id, label="I", role="interviewer")
        karen = Participant(source_id=src.id, label="Karen")
        s.add_all([iv, karen])
        s.flush()
        s.execute(insert(Passage), [
            dict(source_id=src.id, number=1, participant_id=iv.id, start=0, end=12, text="Hej Karen, …", sentences=[]),
            dict(source_id=src.id, number=2, participant_id=karen.id, start=0, end=len(text), text=text, sentences=[]),
        ])  # fmt: skip
        pid = s.exec(select(Passage.id).where(Passage.source_id == src.id, Passage.number == 2)).one()
    ops.narrow_to_span(proj, "ann", pid, codes["T7"], 20, len(text))
    ops.toggle_code(proj, "bo", pid, codes["T7"])
    ops.set_memo(proj, "bo", pid, "Karen er glad")
    doc, pseudo = build_document(proj, RetrievalQuery("T7"), pseudonymize=True)
    assert pseudo is not None
    dumped = render(doc, "json")
    assert "Karen" not in dumped and "karen" not in dumped
    whole, span = json.loads(dumped)["segments"]
    assert whole["source"] == "Kilde 1" and whole["speaker"].startswith("[Navn")
    name = whole["text"].split(" siger")[0]
    assert re.fullmatch(r"\[Navn \d+\]", name) and re.fullmatch(r"I: Hej \[Navn \d+\], …", whole["before"])
    assert span["text"] == "jeg er tryg her." and span["start"] == len(f"{name} siger: ")
    assert re.fullmatch(r"\[Navn \d+\] er glad", whole["memos"][0]["text"])
