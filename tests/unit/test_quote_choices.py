"""The researcher's choice of quotes: the stored choices, and the picker following them."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.unit.test_quotes import build_ranking, ranking_spec, verify_verbatim
from trivselkode.analysis.quotes import collect_quotes, source_reference
from trivselkode.errors import NotFound, TrivselError
from trivselkode.export.pseudonymize import Pseudonymizer
from trivselkode.storage import quote_choices as qc
from trivselkode.storage.models import QuoteChoice, Source


@pytest.fixture
def project():  # noqa: ANN201
    """Three sources of a participant pair each, every participant passage coded T1 by anne;
    holstebro-1#4 starred; viborg-1#2 and randers-1#4 coded by bo too; randers-1#3 settled."""
    proj = build_ranking(ranking_spec())
    yield proj
    proj.dispose()


def stored(project) -> list[tuple[str, str, int, str, int]]:  # noqa: ANN001
    return [(r.code, r.source, r.passage, r.state, r.position) for r in qc.list_choices(project)]


def refs(collection) -> list[str]:  # noqa: ANN001
    return [f"{q.source}#{q.passage}" for q in collection.quotes]


# ---------------------------------------------------------------- storage


def test_pick_appends_inserts_and_keeps_its_place(project):
    assert qc.pick(project, "T1", "viborg-1", 3, by="anne") == 1
    assert qc.pick(project, "T1", "randers-1", 2, by="anne") == 2
    assert qc.pick(project, "T1", "holstebro-1", 2, by="bo", at=1) == 1
    assert qc.pick(project, "T1", "viborg-1", 3, by="anne") == 2  # picked again: where it was
    assert stored(project) == [
        ("T1", "holstebro-1", 2, "picked", 1),
        ("T1", "viborg-1", 3, "picked", 2),
        ("T1", "randers-1", 2, "picked", 3),
    ]
    rows = qc.list_choices(project)
    assert rows[0].chosen_by == "bo" and rows[1].chosen_by == "anne" and rows[0].chosen_at is not None


def test_drop_release_move_order_and_reset_keep_positions_without_gaps(project):
    for src, n in [("viborg-1", 3), ("randers-1", 2), ("holstebro-1", 2)]:
        qc.pick(project, "T1", src, n)
    qc.drop(project, "T1", "randers-1", 2)  # a picked one dropped: out of the order
    assert stored(project) == [
        ("T1", "viborg-1", 3, "picked", 1),
        ("T1", "holstebro-1", 2, "picked", 2),
        ("T1", "randers-1", 2, "dropped", 0),
    ]
    assert qc.move(project, "T1", "holstebro-1", 2, -1) == 1
    assert qc.move(project, "T1", "holstebro-1", 2, -5) == 1  # clamped at the top
    assert qc.move(project, "T1", "holstebro-1", 2, +9) == 2  # and at the bottom
    with pytest.raises(TrivselError, match="er ikke valgt"):
        qc.move(project, "T1", "randers-1", 2, -1)
    qc.order(project, "T1", [("randers-1", 4), ("holstebro-1", 2)])  # an unpicked one is picked on the way
    assert [(s, n, p) for _, s, n, st, p in stored(project) if st == "picked"] == [
        ("randers-1", 4, 1),
        ("holstebro-1", 2, 2),
        ("viborg-1", 3, 3),
    ]
    assert qc.release(project, "T1", "randers-1", 4) is True
    assert qc.release(project, "T1", "randers-1", 4) is False
    assert qc.release(project, "T1", "randers-1", 2) is True  # a dropped one back to automatic
    assert stored(project) == [("T1", "holstebro-1", 2, "picked", 1), ("T1", "viborg-1", 3, "picked", 2)]
    assert qc.reset(project, "T1") == 2
    assert stored(project) == []


def test_refusals_change_nothing(project):
    qc.pick(project, "T1", "viborg-1", 3)
    before = stored(project)
    with pytest.raises(TrivselError, match="intervieweren"):
        qc.pick(project, "T1", "viborg-1", 1)
    with pytest.raises(TrivselError, match="ikke kodet med T2"):
        qc.drop(project, "T2", "viborg-1", 3)
    with pytest.raises(NotFound, match="koden 'T9' findes ikke"):
        qc.pick(project, "T9", "viborg-1", 3)
    with pytest.raises(NotFound, match="kilden 'viborg-2' findes ikke"):
        qc.pick(project, "T1", "viborg-2", 3)
    with pytest.raises(NotFound, match="intet udsagn nr. 99"):
        qc.pick(project, "T1", "viborg-1", 99)
    with pytest.raises(TrivselError, match="spændet"):
        qc.pick(project, "T1", "viborg-1", 2, start=5, end=999)
    # Several changes in one transaction: a bad one takes the good ones back with it.
    with pytest.raises(NotFound):
        with qc.edit_choices(project, "T1", "anne") as writer:
            writer.pick("randers-1", 2)
            writer.drop("holstebro-1", 2)
            writer.pick("randers-1", 42)
    assert stored(project) == before


def test_a_deleted_passage_or_code_takes_its_choices_with_it(project):
    qc.pick(project, "T1", "viborg-1", 3)
    with project.write() as s:
        s.delete(s.exec(select(Source).where(Source.name == "viborg-1")).one())
    with project.read() as s:
        assert s.exec(select(QuoteChoice)).all() == []


# ---------------------------------------------------------------- the picker follows the choice


def test_picked_come_first_in_their_order_dropped_never_and_the_rest_fills_up_to_n(project):
    auto = collect_quotes(project, codes="T1", n=3)
    assert refs(auto)[0] == "holstebro-1#4"  # the starred passage leads the automatic choice
    qc.pick(project, "T1", "randers-1", 2)
    qc.pick(project, "T1", "viborg-1", 3)
    qc.drop(project, "T1", "holstebro-1", 4)  # starred, but dropped: never
    chosen = collect_quotes(project, codes="T1", n=3)
    assert refs(chosen)[:2] == ["randers-1#2", "viborg-1#3"]
    assert len(chosen.quotes) == 3 and "holstebro-1#4" not in refs(chosen)
    assert [q.picked for q in chosen.quotes] == [True, True, False]
    everything = collect_quotes(project, codes="T1", n=50)
    assert "holstebro-1#4" not in refs(everything) and len(everything.quotes) == 8
    verify_verbatim(project, everything)
    qc.move(project, "T1", "viborg-1", 3, -1)
    assert refs(collect_quotes(project, codes="T1", n=3))[:2] == ["viborg-1#3", "randers-1#2"]
    # Ignoring the choice gives the automatic choice back.
    assert refs(collect_quotes(project, codes="T1", n=3, choices=False)) == refs(auto)


def test_every_pick_is_quoted_even_beyond_n_and_a_short_one_whole(project):
    for src, n in [("randers-1", 2), ("viborg-1", 3), ("holstebro-1", 5)]:  # holstebro-1#5: "Kort svar."
        qc.pick(project, "T1", src, n)
    quotes = collect_quotes(project, codes="T1", n=1).quotes
    assert [(q.source, q.passage) for q in quotes] == [("randers-1", 2), ("viborg-1", 3), ("holstebro-1", 5)]
    assert quotes[2].text == "Kort svar."


def test_a_picked_span_is_quoted_as_it_is(project):
    with project.read() as s:
        from trivselkode.storage.lookup import passage_by_number, source_by_name

        text = passage_by_number(s, source_by_name(s, "viborg-1"), 3).text
    start = text.index("bibliotekaren")
    qc.pick(project, "T1", "viborg-1", 3, start=start, end=len(text))
    quote = collect_quotes(project, codes="T1", n=1).quotes[0]
    assert quote.text == text[start:] and quote.pieces == [(start, len(text))]


def test_a_pick_the_basis_does_not_carry_is_left_out_with_a_warning(project):
    qc.pick(project, "T1", "holstebro-1", 2)  # only anne coded it
    bo = collect_quotes(project, codes="T1", n=2, coder="bo")
    assert "holstebro-1#2" not in refs(bo)
    assert bo.warnings == ["holstebro-1#2 er valgt til T1, men bærer ikke koden med dette grundlag og er ikke med"]
    assert collect_quotes(project, codes="T1", n=2).warnings == []


def test_the_listing_shows_every_candidate_with_its_choice(project):
    qc.pick(project, "T1", "viborg-1", 3)
    qc.drop(project, "T1", "holstebro-1", 4)
    listed = collect_quotes(project, codes="T1", n=2, listing=True).codes[0].listed
    states = [(item.state, item.rank, item.position, item.ref) for item in listed]
    assert states[0] == ("picked", 1, 1, "viborg-1#3")
    assert states[1][:3] == ("auto", 2, None)
    assert states[-1] == ("dropped", None, None, "holstebro-1#4")
    assert {s for s, *_ in states[2:-1]} == {"candidate"}
    assert len(listed) == 12  # every participant passage of the three sources, once each
    short = next(item for item in listed if item.ref == "holstebro-1#5")
    assert short.quotable is False and short.quote.text == "Kort svar."
    assert all(item.quote.reference for item in listed)


# ---------------------------------------------------------------- references


def test_source_reference_in_danish_and_english():
    assert source_reference("holstebro-interview-03", "Interview 3, Holstebro", "Holstebro", 14) == (
        "Interview 3, Holstebro, udsagn 14"
    )
    assert source_reference("randers-03", "Interview 3", "Randers", 2) == "Interview 3, Randers, udsagn 2"
    assert source_reference("randers-03", "", "Randers", 2, "en") == "randers-03, passage 2"  # the name says it
    assert source_reference("x", "", None, 1) == "x, udsagn 1"


def test_quotes_carry_their_reference_and_it_is_pseudonymised(project):
    with project.write() as s:
        src = s.exec(select(Source).where(Source.name == "viborg-1")).one()
        src.title = "Samtale med Karen Holm"
        src.extra = {"names": ["Karen Holm"]}
        s.add(src)
    qc.pick(project, "T1", "viborg-1", 3)
    plain = collect_quotes(project, codes="T1", n=1).quotes[0]
    assert plain.reference == "Samtale med Karen Holm, Viborg, udsagn 3"
    assert plain.row()["reference"] == plain.reference
    pseudo = collect_quotes(project, codes="T1", n=1, pseudonymizer=Pseudonymizer.from_project(project)).quotes[0]
    assert pseudo.reference == "Kilde 1, Viborg, udsagn 3" and pseudo.source == "Kilde 1"
    en = collect_quotes(project, codes="T1", n=1, lang="en", pseudonymizer=Pseudonymizer.from_project(project, "en"))
    assert en.quotes[0].reference == "Source 1, Viborg, passage 3"
