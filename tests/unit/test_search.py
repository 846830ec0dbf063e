"""Search across every passage: fuzzy (inflections, misspellings), ranking, limits, exact words."""

from __future__ import annotations

import unicodedata

import pytest

from trivselkode.analysis.search import SearchIndex, normalize, snippet
from trivselkode.storage.models import Code, Participant, Passage, Source

HOLSTEBRO = [
    ("I", "Hvad betyder biblioteket for dig?"),
    ("P1", "Jeg føler mig tryg her på biblioteket, og trygheden betyder meget for mig."),
    ("I", "Hvad laver du, når du er her?"),
    ("P1", "Jeg drikker kaffe og læser avisen. Der er altid nogen, der hilser."),
    ("P2", "Det er et roligt sted, hvor jeg kan være mig selv uden krav."),
    ("P2", "Jeg var utryg første gang, men nu er jeg tryg."),
]
VIBORG = [
    ("I", "Fortæl om arrangementet."),
    ("P1", "Strikkeklubben er et fællesskab uden pres, vi snakker bare."),
    ("P1", "Personalet er så venlige og hjælpsomme, de kender mit navn."),
    ("P2", "Bibliotekaren fandt en lydbog til mig."),
]


def make_corpus(project, sources=None, codes=True) -> None:
    """Two sources with participants and passages, plus a small codebook, stored directly."""
    sources = sources or {"holstebro-1": ("Holstebro", HOLSTEBRO), "viborg-1": ("Viborg", VIBORG)}
    with project.write() as session:
        for name, (site, turns) in sources.items():
            text = "\n".join(f"{label}: {t}" for label, t in turns)
            source = Source(name=name, kind="interview", site=site, text=text, content_hash=name)
            session.add(source)
            session.flush()
            people = {}
            for label in dict.fromkeys(label for label, _ in turns):
                people[label] = Participant(
                    source_id=source.id,
                    label=label,
                    role="interviewer" if label == "I" else "participant",
                    gender={"P1": "kvinde", "P2": "mand"}.get(label),
                    age={"P1": 67, "P2": 34}.get(label),
                )
                session.add(people[label])
            session.flush()
            at = 0
            for number, (label, turn) in enumerate(turns, start=1):
                start = at + len(label) + 2
                session.add(
                    Passage(
                        source_id=source.id,
                        number=number,
                        participant_id=people[label].id,
                        start=start,
                        end=start + len(turn),
                        text=turn,
                    )
                )
                at = start + len(turn) + 1
        if codes:
            session.add(
                Code(key="T1", name="Psykologisk tryghed", kind="tema", shortcut="1", color="#2e7d32", position=0)
            )
            session.add(Code(key="T2", name="Mental ro", kind="tema", shortcut="2", color="#1565c0", position=1))
            session.add(Code(key="B", name="Behov", kind="behov", position=2))
            session.flush()
            parent = session.exec(__import__("sqlmodel").select(Code).where(Code.key == "B")).one()
            session.add(
                Code(key="B.social", name="Sociale behov", kind="behov", shortcut="x", parent_id=parent.id, position=3)
            )


@pytest.fixture
def index(project):
    make_corpus(project)
    return SearchIndex(project).build()


def _where(hits):
    return [(h.source, h.number) for h in hits]


def test_normalize_keeps_offsets():
    text = "Jeg er TRYG, her – på Biblioteket!"
    norm = normalize(text)
    assert len(norm) == len(text)
    assert norm.split() == ["jeg", "er", "tryg", "her", "på", "biblioteket"]


def test_finds_inflected_forms(index):
    hits = index.search("bibliotek")
    assert ("holstebro-1", 1) in _where(hits)
    assert ("holstebro-1", 2) in _where(hits)
    assert ("viborg-1", 4) in _where(hits)  # "Bibliotekaren"
    tryg = index.search("tryghed")
    assert ("holstebro-1", 2) in _where(tryg)  # "trygheden"


def test_finds_misspelt_words(index):
    hits = index.search("bibloteket")
    assert ("holstebro-1", 2) in _where(hits)
    assert hits[0].score >= 85
    assert _where(index.search("felesskab"))[0] == ("viborg-1", 2)
    assert _where(index.search("personalt er venlig"))[0] == ("viborg-1", 3)


def test_words_need_not_stand_together(index):
    hits = index.search("kaffe hilser")
    assert _where(hits)[0] == ("holstebro-1", 4)
    first = hits[0]
    marked = [first.text[a:b] for a, b in first.spans]
    assert marked == ["kaffe", "hilser"]


def test_ranks_by_score_whole_words_first(index):
    hits = index.search("tryg")
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    # "tryg" as a word ranks above "utryg"/"trygheden" only passages.
    assert _where(hits)[:2] == [("holstebro-1", 2), ("holstebro-1", 6)]
    assert all(h.score >= 70 for h in hits)


def test_weak_matches_are_left_out(index):
    assert index.search("xylofon") == []


def test_limit(index):
    assert len(index.search("er", limit=2)) == 2
    assert index.search("er", limit=0) == []
    assert len(index.search("er")) > 2


def test_empty_query(index):
    assert index.search("") == []
    assert index.search("   ") == []
    assert index.search("?!…") == []
    assert index.search("", exact=True) == []
    assert index.search("*", exact=True) == []


def test_exact_words_only(index):
    hits = index.search("tryg", exact=True)
    assert _where(hits) == [("holstebro-1", 2), ("holstebro-1", 6)]
    assert all(h.score == 100 for h in hits)
    # Not "utryg" and not "trygheden": the marked spans are the word itself.
    for hit in hits:
        assert {hit.text[a:b].lower() for a, b in hit.spans} == {"tryg"}
    assert index.search("bibloteket", exact=True) == []
    assert index.search("TRYG", exact=True) == hits


def test_exact_all_words_and_prefix(index):
    assert _where(index.search("kaffe avisen", exact=True)) == [("holstebro-1", 4)]
    assert index.search("kaffe avis", exact=True) == []
    prefix = index.search("tryg*", exact=True)
    assert _where(prefix) == [("holstebro-1", 2), ("holstebro-1", 6)]
    assert {prefix[0].text[a:b] for a, b in prefix[0].spans} == {"tryg", "trygheden"}


def test_hit_metadata(index):
    hit = index.search("trygheden")[0]
    assert (hit.source, hit.number, hit.speaker) == ("holstebro-1", 2, "P1")
    assert hit.attribution == "kvinde, 67 år, Holstebro"
    assert hit.speaker_line == "P1 (kvinde, 67 år, Holstebro)"
    assert hit.text[hit.start : hit.end] == "trygheden"
    before, match, after = hit.snippet(context=15)
    assert match == "trygheden"
    assert before.startswith("…") and after.endswith("…")
    interviewer = index.search("arrangementet")[0]
    assert interviewer.is_interviewer and interviewer.speaker_line == "I (interviewer, Viborg)"


def test_snippet_without_match_and_newlines():
    assert snippet("kort tekst", None, None) == ("kort tekst", "", "")
    before, match, after = snippet("linje et\nlinje to", 9, 14)
    assert (before, match, after) == ("linje et ", "linje", " to")


def test_index_follows_changes(project):
    make_corpus(project, codes=False)
    index = SearchIndex.for_project(project)
    assert SearchIndex.for_project(project) is index
    assert index.search("strikkeklubben", exact=True)
    assert not index.ensure_fresh()
    make_corpus(
        project, sources={"randers-1": ("Randers", [("P1", "Sofaerne ved vinduet er de bedste.")])}, codes=False
    )
    hits = index.search("sofaerne")  # rebuilt by itself
    assert _where(hits) == [("randers-1", 1)]
    assert hits[0].site == "Randers"
    # An attribute changed after the build shows at once.
    with project.write() as session:
        participant = session.exec(__import__("sqlmodel").select(Participant).where(Participant.label == "P1")).first()
        participant.age = 70
        session.add(participant)
    assert index.search("strikkeklubben")[0].age in (67, 70)


def test_empty_project(project):
    index = SearchIndex(project).build()
    assert index.passage_count == 0
    assert index.search("bibliotek") == []


# ---------------------------------------------------------------- decomposed (NFD) queries

ÅRHUS = {
    "aarhus-1": ("Aarhus", [("P1", "Åbningstiderne på Hovedbiblioteket i Århus passer mig, og caféen er en god idé.")])
}


def nfd(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text  # the test means something only if the query really changes
    return decomposed


@pytest.mark.parametrize("query", ["på", "Århus", "åbningstiderne på", "café*", "idé", "å*"])
def test_a_decomposed_exact_query_finds_what_the_composed_one_finds(project, query):
    """A query typed or pasted in NFD ("a" + a combining ring) is composed like the stored text."""
    make_corpus(project, sources={**ÅRHUS, "holstebro-1": ("Holstebro", HOLSTEBRO)}, codes=False)
    index = SearchIndex(project).build()
    composed = index.search(query, exact=True)
    assert composed
    assert index.search(nfd(query), exact=True) == composed


@pytest.mark.parametrize("query", ["på biblioteket", "Århus", "hovedbibliotket i århus", "caféen er en god idé"])
def test_a_decomposed_fuzzy_query_finds_what_the_composed_one_finds(project, query):
    make_corpus(project, sources={**ÅRHUS, "holstebro-1": ("Holstebro", HOLSTEBRO)}, codes=False)
    index = SearchIndex(project).build()
    composed = index.search(query)
    assert ("aarhus-1", 1) in _where(composed)
    assert index.search(nfd(query)) == composed
