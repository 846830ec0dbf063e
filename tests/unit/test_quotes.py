"""Representative quotes: ranking, trimming, spread, verbatim text and attribution."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from tests.unit.test_frequencies import build_project
from trivselkode.analysis.quotes import ELLIPSIS, collect_quotes, keyword_pattern, near_duplicate, trim
from trivselkode.errors import TrivselError
from trivselkode.export.pseudonymize import Pseudonymizer
from trivselkode.storage.consensus import settle
from trivselkode.storage.models import Passage, Source

LONG = (
    "Jeg kommer her næsten hver dag, fordi jeg føler mig tryg og velkommen. "
    "Om morgenen læser jeg avisen ved vinduet og drikker en kop kaffe fra automaten. "
    "Bagefter går jeg en tur i parken, hvis vejret er godt, og så handler jeg ind. "
    "Min datter siger, at jeg skulle melde mig til et hold, men det gider jeg ikke. "
    "Her behøver jeg ikke at præstere noget, og ingen dømmer mig for at sidde alene."
)


def person(label: str, gender: str | None = None, age: int | None = None, **more: Any) -> dict[str, Any]:
    return {"label": label, "gender": gender, "age": age, **more}


VARIED = [
    "Når jeg træder ind her, kan jeg mærke at tempoet falder og skuldrene går ned.",
    "Personalet kender mit navn og spørger altid hvordan det går med min mand.",
    "Det er det eneste offentlige sted hvor jeg aldrig er nervøs for at være alene.",
    "Børnene elsker lørdagsværkstedet, de har lavet robotter af gamle mælkekartoner.",
    "Jeg låner mest krimier, men bibliotekaren fik mig til at prøve digte i vinter.",
    "Foredraget om stjernehimlen gav mig lyst til at købe en kikkert til haven.",
    "Om vinteren er læsesalen varm og lys, så sidder jeg der hele formiddagen.",
    "Man behøver ikke at købe noget eller præstere noget for at være velkommen.",
    "Strikkeklubben mødes hver tirsdag, og vi snakker om alt mellem himmel og jord.",
    "Efter min skilsmisse var det her, jeg fandt ro til at tænke tingene igennem.",
]


def verify_verbatim(project, collection) -> None:
    """Every piece of every quote is a substring of its passage and of its source text."""
    with project.read() as s:
        for q in collection.quotes:
            src = s.exec(select(Source).where(Source.name == q.source)).one()
            passage = s.exec(select(Passage).where(Passage.source_id == src.id, Passage.number == q.passage)).one()
            pieces = q.text.split(ELLIPSIS)
            assert len(pieces) == len(q.pieces)
            for piece, (a, b) in zip(pieces, q.pieces):
                assert passage.text[a:b] == piece
                assert src.text[passage.start + a : passage.start + b] == piece
                assert piece == piece.strip() and piece


# ---------------------------------------------------------------- trimming


def test_trim_keeps_a_short_passage_whole_and_refuses_too_short_ones():
    text = "Her er der ro. Jeg kan tænke mine egne tanker i fred."
    sents = [[0, 14], [15, len(text)]]
    assert trim(text, sents, None, None, 8, 60).pieces == [(0, len(text))]
    assert trim(text, sents, None, None, 20, 60) is None
    assert trim(text, sents, None, None, 20, 60, lenient=True).pieces == [(0, len(text))]


def test_trim_widens_a_sub_span_to_its_sentences():
    text = "Første sætning er her. Anden sætning handler om ro og fred i hovedet. Tredje."
    sents = [[0, 22], [23, 69], [70, 77]]
    out = trim(text, sents, (35, 40), None, 3, 60)
    assert out.pieces == [(23, 69)]


def test_trim_long_passage_to_keyword_sentences():
    sents = []
    start = 0
    for m in re.finditer(r"\. ?", LONG):
        sents.append([start, m.start() + 1])
        start = m.end()
    pattern = keyword_pattern(("tryg", "dømme", "alene"))
    out = trim(LONG, sents, None, pattern, 8, 40)
    text = ELLIPSIS.join(LONG[a:b] for a, b in out.pieces)
    assert text.startswith("Jeg kommer her næsten hver dag")
    assert text.endswith("ingen dømmer mig for at sidde alene.")
    assert ELLIPSIS in text and len(out.pieces) == 2
    assert out.words <= 40
    # Without keywords: the longest run of whole sentences that fits.
    plain = trim(LONG, sents, None, None, 8, 30)
    assert len(plain.pieces) == 1 and plain.words <= 30


def test_trim_drops_edge_fragments_and_focuses_long_passages_on_keywords():
    text = "Lyset. Her er der ro, og jeg kan tænke mine egne tanker i fred. Ja."
    sents = [[0, 6], [7, 63], [64, 67]]
    assert trim(text, sents, None, None, 8, 60).pieces == [(7, 63)]
    # Kept when the rest would be too short (the middle sentence has 13 words).
    assert trim(text, sents, None, None, 14, 60).pieces == [(7, 67)]
    assert trim(text, sents, None, None, 15, 60).pieces == [(0, 67)]
    sents = []
    start = 0
    for m in re.finditer(r"\. ?", LONG):
        sents.append([start, m.start() + 1])
        start = m.end()
    out = trim(LONG, sents, None, keyword_pattern(("avis",)), 8, 60)
    text = LONG[out.pieces[0][0] : out.pieces[0][1]]
    assert text.startswith("Om morgenen læser jeg avisen") and 20 <= out.words <= 35


def test_trim_mends_a_bracket_split_from_its_sentence_and_leaves_notes_off_the_edges():
    text = "Åh, det må du ikke sige. (pause) Jeg ville savne tirsdagene og kaffen her. Det er virkelig dejligt (griner)"
    # The sentencizer left "(" at the end of the first sentence.
    sents = [[0, 26], [26, 74], [75, len(text)]]
    out = trim(text, sents, (40, 50), None, 3, 60)
    assert [text[a:b] for a, b in out.pieces] == ["Jeg ville savne tirsdagene og kaffen her."]
    whole = trim(text, sents, None, None, 3, 60)
    assert text[whole.pieces[0][0] : whole.pieces[0][1]].endswith("Det er virkelig dejligt")


def test_keyword_prefix_rule():
    pattern = keyword_pattern(("tryg", "ro", "dømme", "velkommen"))
    assert pattern.findall("Trygt, trygge, tryghed, roen, ro.") == ["Trygt", "trygge", "tryghed", "roen", "ro"]
    assert pattern.findall("dømmer dømmende velkomne") == ["dømmer", "dømmende"]
    assert pattern.findall("En roman om roser.") == []
    assert keyword_pattern(()) is None


def test_near_duplicates():
    assert near_duplicate("Jeg føler mig tryg her på biblioteket.", "jeg føler mig  tryg her på biblioteket")
    assert near_duplicate("Jeg føler mig tryg her", "Og så sagde hun: jeg føler mig tryg her, altid.")
    assert not near_duplicate("Jeg føler mig tryg her.", "Personalet er altid venlige og hjælpsomme.")


# ---------------------------------------------------------------- ranking and spread


def ranking_spec() -> dict[str, Any]:
    sites = ["Holstebro", "Viborg", "Randers"]
    sources = []
    for s, site in enumerate(sites):
        sources.append(
            {
                "name": f"{site.lower()}-1",
                "site": site,
                "kind": "interview",
                "participants": [
                    {"label": "I", "role": "interviewer"},
                    person("P1", "kvinde", 60 + s),
                    person("P2", "mand", 30 + s),
                ],
                "passages": [
                    ("I", "Hvad betyder biblioteket for dig, og hvorfor kommer du her så tit?"),
                    ("P1", VARIED[3 * s]),
                    ("P2", VARIED[3 * s + 1]),
                    ("P1", VARIED[3 * s + 2]),
                    ("P2", "Kort svar."),
                ],
            }
        )
    codings = []
    for src in ("holstebro-1", "viborg-1", "randers-1"):
        for number in (1, 2, 3, 4, 5):
            codings.append((src, number, "T1", "anne"))
    # Agreement: bo agrees on viborg-1#2 and randers-1#4; anne's randers-1#3 is settled into the consensus.
    codings += [("viborg-1", 2, "T1", "bo"), ("randers-1", 4, "T1", "bo")]
    return {
        "coders": ["anne", "bo"],
        "sources": sources,
        "codings": codings,
        "stars": [("holstebro-1", 4, "bo")],
        "decisions": [("randers-1", 3, "T1", "a")],
    }


def build_ranking(spec: dict[str, Any]):
    """``build_project`` and the spec's decisions settled between anne and bo."""
    project = build_project(spec)
    for src, number, key, take in spec.get("decisions", []):
        settle(project, src, number, key, take, ("anne", "bo"), "lead")
    return project


def test_ranking_stars_then_consensus_then_agreement():
    project = build_ranking(ranking_spec())
    quotes = collect_quotes(project, codes="T1", n=4).quotes
    refs = [f"{q.source}#{q.passage}" for q in quotes]
    assert refs[0] == "holstebro-1#4"  # starred
    assert set(refs[1:3]) == {"viborg-1#2", "randers-1#4"}  # in the consensus: both coders coded it
    assert refs[3] == "randers-1#3"  # in the consensus: settled
    verify_verbatim(project, collect_quotes(project, codes="T1", n=10))


def test_interviewers_and_too_short_passages_are_never_quoted():
    project = build_ranking(ranking_spec())
    quotes = collect_quotes(project, codes="T1", n=50).quotes
    assert all(q.passage not in (1, 5) for q in quotes)
    assert len(quotes) == 9


def test_one_per_participant_before_anyone_gets_a_second_turn():
    project = build_ranking(ranking_spec())
    quotes = collect_quotes(project, codes="T1", n=9).quotes
    first_round = [(q.source, q.participant) for q in quotes[:6]]
    assert len(set(first_round)) == 6
    # The seventh is a second passage of someone already quoted.
    assert (quotes[6].source, quotes[6].participant) in first_round


def test_spread_over_libraries_and_genders():
    spec = ranking_spec()
    spec["stars"] = []
    spec["codings"] = [c for c in spec["codings"] if c[3] == "anne"]
    project = build_project(spec)
    quotes = collect_quotes(project, codes="T1", n=3).quotes
    assert {q.attribution.rsplit(", ", 1)[1] for q in quotes} == {"Holstebro", "Viborg", "Randers"}
    assert {q.attribution.split(",")[0] for q in quotes[:2]} == {"– Kvinde", "– Mand"}


def test_pin_and_exclude():
    project = build_ranking(ranking_spec())
    quotes = collect_quotes(project, codes="T1", n=2, pins=["viborg-1#3"], excludes=["holstebro-1#4"]).quotes
    assert [f"{q.source}#{q.passage}" for q in quotes] == ["viborg-1#3", "randers-1#4"]
    with pytest.raises(TrivselError):
        collect_quotes(project, pins=["viborg-1#99"])
    with pytest.raises(TrivselError):
        collect_quotes(project, pins=["ingen-kilde#1"])
    with pytest.raises(TrivselError):
        collect_quotes(project, pins=["viborg-1"])
    with pytest.raises(TrivselError):
        collect_quotes(project, pins=["viborg-1#3"], excludes=["viborg-1#3"])


def test_near_duplicate_passages_are_quoted_once():
    spec = ranking_spec()
    same = "Jeg føler mig altid velkommen her, også de dage hvor jeg ikke har det så godt."
    for src in spec["sources"]:
        src["passages"][1] = ("P1", same)
    project = build_project(spec)
    texts = [q.text for q in collect_quotes(project, codes="T1", n=9).quotes]
    assert texts.count(same) == 1


def test_coder_selection_and_words_limits():
    project = build_ranking(ranking_spec())
    # The consensus counts the open disagreements as the union does, its firm part first ...
    consensus = collect_quotes(project, codes="T1", consensus=True, n=50, min_words=2).quotes
    unstarred = [q.open for q in consensus if not q.starred]
    assert unstarred == sorted(unstarred) and unstarred.count(False) == 3
    # ... and once every other disagreement is settled "neither", it is the agreed and settled passages only.
    settled = build_ranking(ranking_spec())
    for src in ("holstebro-1", "viborg-1", "randers-1"):
        for number in (1, 2, 3, 4, 5):
            if (src, number) not in {("viborg-1", 2), ("randers-1", 4), ("randers-1", 3)}:
                settle(settled, src, number, "T1", "neither", ("anne", "bo"), "lead")
    for options in ({"consensus": True}, {}):  # nothing open: the default is the consensus
        quotes = collect_quotes(settled, codes="T1", n=50, **options).quotes
        assert {f"{q.source}#{q.passage}" for q in quotes} == {"viborg-1#2", "randers-1#4", "randers-1#3"}
    bo = collect_quotes(project, codes="T1", coder="bo").quotes
    assert {f"{q.source}#{q.passage}" for q in bo} == {"viborg-1#2", "randers-1#4"}
    assert collect_quotes(project, codes="T1", n=50, min_words=2).quotes[-1].text == "Kort svar."
    # Utterances are single sentences: only those of at most ten words, and the starred one.
    short = collect_quotes(project, codes="T1", n=50, max_words=10).quotes
    assert [(q.source, q.passage) for q in short if q.starred] == [("holstebro-1", 4)]
    assert [(q.source, q.passage) for q in short if not q.starred] == [("viborg-1", 2)]
    with pytest.raises(TrivselError):
        collect_quotes(project, min_words=30, max_words=10)


def test_attribution_in_danish_and_english_and_pseudonymized_text():
    spec = ranking_spec()
    spec["sources"][0]["participants"][1] = person("Karen", "kvinde", 67)
    spec["sources"][0]["passages"][1] = ("Karen", "Jeg hedder Karen, ring på 12 34 56 78 hvis du vil høre mere om det.")
    spec["sources"][0]["passages"][3] = ("Karen", VARIED[9])
    spec["stars"] = [("holstebro-1", 2, "anne")]
    project = build_ranking(spec)
    da = collect_quotes(project, codes="T1", n=1).quotes[0]
    assert da.attribution == "– Kvinde, 67 år, Holstebro"
    assert "Karen" in da.text
    en = collect_quotes(project, codes="T1", n=1, lang="en").quotes[0]
    assert en.attribution == "– Woman, 67, Holstebro"
    pseudo = collect_quotes(project, codes="T1", n=1, pseudonymizer=Pseudonymizer.from_project(project)).quotes[0]
    assert pseudo.text == "Jeg hedder [Navn 1], ring på [Telefon] hvis du vil høre mere om det."
    assert pseudo.participant == "[Navn 1]"


def test_a_passage_quoted_for_one_code_is_not_repeated_for_the_next():
    spec = ranking_spec()
    spec["codings"] += [(c[0], c[1], "T2", c[3]) for c in spec["codings"] if c[2] == "T1"]
    project = build_project(spec)
    collection = collect_quotes(project, codes="T1,T2", n=3)
    first = {(q.source, q.passage) for q in collection.codes[0].quotes}
    second = {(q.source, q.passage) for q in collection.codes[1].quotes}
    assert len(first) == 3 and len(second) == 3 and not first & second
    # With nothing else left, a passage may serve two codes.
    again = collect_quotes(project, codes="T1,T2", n=9)
    assert len(again.codes[1].quotes) == 9


def test_quotes_are_deterministic():
    spec = ranking_spec()
    a = collect_quotes(build_project(spec), n=5).rows()
    b = collect_quotes(build_project(spec), n=5).rows()
    assert a == b and a


# ---------------------------------------------------------------- random projects

WORDS = "jeg du vi her der biblioteket ro tryg venlig personalet læse bog snakke kaffe stille hjem dag".split()


@st.composite
def quote_specs(draw) -> dict[str, Any]:
    sources = []
    for s in range(draw(st.integers(1, 3))):
        people = [
            person(f"P{i + 1}", draw(st.sampled_from(["kvinde", "mand", None])), draw(st.sampled_from([None, 20, 70])))
            for i in range(draw(st.integers(1, 3)))
        ]
        people.append({"label": "I", "role": "interviewer"})
        passages = []
        for _ in range(draw(st.integers(1, 6))):
            sents = []
            for _ in range(draw(st.integers(1, 5))):
                words = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=14))
                sents.append(" ".join(words).capitalize() + draw(st.sampled_from([".", "!", "?"])))
            passages.append((draw(st.sampled_from([p["label"] for p in people])), " ".join(sents)))
        sources.append(
            {
                "name": f"k{s}",
                "site": draw(st.sampled_from(["Randers", "Viborg"])),
                "participants": people,
                "passages": passages,
            }
        )
    slots = [(src["name"], n + 1, len(src["passages"][n][1])) for src in sources for n in range(len(src["passages"]))]
    codings, seen = [], set()
    for (src, number, length), key, coder, narrow in draw(
        st.lists(
            st.tuples(
                st.sampled_from(slots), st.sampled_from(["T1", "T2"]), st.sampled_from(["anne", "bo"]), st.booleans()
            ),
            min_size=1,
            max_size=30,
        )
    ):
        span = (length // 3, length // 3 + max(1, length // 4)) if narrow else ()
        if (src, number, key, coder, span) not in seen:
            seen.add((src, number, key, coder, span))
            codings.append((src, number, key, coder, *span))
    stars = [(src, n, "anne") for src, n, _ in draw(st.lists(st.sampled_from(slots), max_size=3, unique=True))]
    return {"coders": ["anne", "bo"], "sources": sources, "codings": codings, "stars": stars}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    spec=quote_specs(),
    n=st.integers(1, 6),
    min_words=st.sampled_from([1, 4, 8]),
    max_words=st.sampled_from([10, 25, 60]),
)
def test_random_projects_give_verbatim_spread_deterministic_quotes(spec, n, min_words, max_words):
    project = build_project(spec)
    try:
        collection = collect_quotes(project, n=n, min_words=min_words, max_words=max_words)
        verify_verbatim(project, collection)
        for group in collection.codes:
            quotes = group.quotes
            assert len(quotes) <= n
            refs = [(q.source, q.passage) for q in quotes]
            assert len(set(refs)) == len(refs)
            # A participant appears a second time only after every quotable participant had a turn.
            people = [(q.source, q.participant) for q in quotes]
            if len(set(people)) < len(people):
                first_repeat = next(i for i, p in enumerate(people) if p in people[:i])
                assert set(people[:first_repeat]) == set(people)
            for q in quotes:
                words = len(q.text.replace(ELLIPSIS, " ").split())
                assert q.starred or min_words <= words
                assert q.starred or words <= max_words
            for i, a in enumerate(quotes):
                for b in quotes[:i]:
                    assert not near_duplicate(a.text, b.text)
        assert collect_quotes(project, n=n, min_words=min_words, max_words=max_words).rows() == collection.rows()
    finally:
        project.dispose()


def _round_robin_reference(cands: list[tuple]) -> list[int]:
    """The round-robin order written out one candidate at a time: (participant, bucket, source,
    number) per candidate; the positions in the order the tier is visited."""
    by_reading = sorted(range(len(cands)), key=lambda i: (cands[i][2], cands[i][3]))
    seen: dict[int, int] = {}
    bucket_seen: dict[tuple, int] = {}
    keys = []
    for i in by_reading:
        person, bucket, source, number = cands[i]
        k = seen.get(person, 0)
        seen[person] = k + 1
        b = bucket_seen.get((k, bucket), 0)
        bucket_seen[(k, bucket)] = b + 1
        keys.append(((k, b, tuple("" if v is None else str(v) for v in bucket), (source, number)), i))
    return [i for _, i in sorted(keys, key=lambda ki: ki[0])]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),  # participant
            st.sampled_from([("Randers", "kvinde"), ("Randers", None), (None, "mand"), (None, None), ("1", 1)]),
            st.sampled_from(["a", "b", "B", "æ"]),  # the participant's source name
            st.integers(1, 40),  # passage number
        ),
        max_size=40,
        unique_by=lambda c: (c[2], c[3]),  # one candidate per passage
    )
)
def test_round_robin_order_is_the_one_written_out(cands):
    import numpy as np

    from trivselkode.analysis.quote_pick import round_robin_order

    # As in a project: a participant belongs to one source and has one bucket.
    first = {}
    cands = [(p, *first.setdefault(p, (b, s))[:1], first[p][1], n) for p, b, s, n in cands]
    cands = list({(c[2], c[3]): c for c in cands}.values())
    sources = sorted({c[2] for c in cands})
    buckets = list(dict.fromkeys(c[1] for c in cands))
    as_text = sorted({tuple("" if v is None else str(v) for v in b) for b in buckets})
    order = np.array([sources.index(c[2]) * 100 + c[3] for c in cands], dtype=np.int64)
    person = np.array([c[0] for c in cands], dtype=np.int64)
    bucket = np.array([buckets.index(c[1]) for c in cands], dtype=np.int64)
    rank = np.array([as_text.index(tuple("" if v is None else str(v) for v in c[1])) for c in cands], dtype=np.int64)
    assert round_robin_order(order, person, bucket, rank).tolist() == _round_robin_reference(cands)
