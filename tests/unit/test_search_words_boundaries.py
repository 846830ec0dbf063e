"""Search matches words, not strings across word boundaries — the headline cases of issue 14.

``ensom`` (in no demo transcript) finds nothing rather than "sidst**e som**mer";
a misspelt or inflected word still finds its word; a quoted phrase is matched
word for word; every word of a query must be found; participants rank above
the interviewer; the CLI's JSON says which words matched, where and how.
"""

from __future__ import annotations

import json
import unicodedata

import pytest

from tests.unit.test_search import make_corpus
from trivselkode.analysis.search import SearchIndex
from trivselkode.storage.db import open_project

RANDERS = [
    ("I", "Hvad gjorde du sidste sommer?"),
    ("P1", "Sidste sommer sad jeg ligesom en som ingen kendte, men nu kommer jeg her hver uge."),
    ("P1", "Tryghed er vigtigt for mig, og personalet er  søde."),
    ("I", "Er personalet søde?"),
    ("P2", "Søde er personalet ikke altid, men personalet er så søde om morgenen."),
    ("P2", "Biblioteket er mit andet hjem, og strikkecaféen om tirsdagen er det bedste."),
    ("P2", "Caféen har god kaffe, og børnene leger på gulvet."),
    ("P1", "Et barn græd, og jeg blev rolig igen."),
]
VIBORG = [
    ("P1", "Jeg var ensom, før jeg begyndte at komme her."),
    ("I", "Føler du dig tryg på biblioteket?"),
    ("P2", "Ja, jeg føler mig tryg på biblioteket."),
]


def where(hits) -> list[tuple[str, int]]:  # noqa: ANN001
    return [(h.source, h.number) for h in hits]


def words(hit) -> list[str]:  # noqa: ANN001
    return [hit.text[m.start : m.end] for m in hit.matches]


@pytest.fixture
def index(project):  # noqa: ANN001
    make_corpus(project, sources={"randers-1": ("Randers", RANDERS)}, codes=False)
    return SearchIndex(project).build()


@pytest.fixture
def both(project):  # noqa: ANN001
    make_corpus(project, sources={"randers-1": ("Randers", RANDERS), "viborg-1": ("Viborg", VIBORG)}, codes=False)
    return SearchIndex(project).build()


def test_a_word_in_no_passage_finds_nothing_not_strings_across_words(index) -> None:  # noqa: ANN001
    # "sidste sommer", "ligesom", "en som" all hold "e som"/"esom" across or inside words.
    assert index.search("ensom") == []
    assert index.search("ensomheden") == []
    assert index.search("esom") == []


def test_every_match_is_a_whole_word(both) -> None:  # noqa: ANN001
    for query in ("ensom", "sommer", "tryg", "søde", "café", "bibloteket", "tryhed", "barn"):
        for hit in both.search(query):
            for m in hit.matches:
                assert m.start == 0 or not hit.text[m.start - 1].isalnum(), (query, hit.text)
                assert m.end == len(hit.text) or not hit.text[m.end].isalnum(), (query, hit.text)
                assert hit.text[m.start : m.end].isalnum(), (query, hit.text)  # one word, not "sidste sommer"


def test_an_inflected_or_derived_query_finds_its_word(both) -> None:  # noqa: ANN001
    hits = both.search("ensomheden")
    assert where(hits) == [("viborg-1", 1)]
    assert words(hits[0]) == ["ensom"] and hits[0].matches[0].kind == "derivation"
    assert where(both.search("ensom")) == [("viborg-1", 1)]  # and only there: not "sommer", "ligesom"


def test_a_misspelt_word_finds_its_word(both) -> None:  # noqa: ANN001
    hits = both.search("tryhed")
    assert where(hits)[0] == ("randers-1", 3)
    assert words(hits[0]) == ["Tryghed"] and hits[0].matches[0].kind == "spelling"
    # "tryg" is of the word's family ("tryghed" derives from it): found too, below it.
    assert {w for h in hits[1:] for w in words(h)} == {"tryg"} and hits[1].score < hits[0].score
    hits = both.search("bibloteket")
    assert {("randers-1", 6), ("viborg-1", 3)} <= set(where(hits))
    assert {w.lower() for h in hits for w in words(h)} == {"biblioteket"}
    # An accent left out: "cafe" finds "Caféen" and, below it, the compound "strikkecaféen".
    cafe = {(h.source, h.number): (h.score, words(h)) for h in both.search("cafe")}
    assert cafe[("randers-1", 7)][1] == ["Caféen"] and cafe[("randers-1", 6)][1] == ["strikkecaféen"]
    assert cafe[("randers-1", 7)][0] > cafe[("randers-1", 6)][0]


def test_a_word_of_the_transcripts_is_taken_as_meant(index) -> None:  # noqa: ANN001
    # "sommer" is in the transcripts: it is not "kommer" misspelt.
    assert {w for h in index.search("sommer") for w in words(h)} == {"sommer"}


def test_compounds_match_below_the_word_itself(both) -> None:  # noqa: ANN001
    hits = both.search("café")
    found = {(h.source, h.number): (h.score, words(h), h.matches[0].kind) for h in hits}
    assert found[("randers-1", 7)][:2] == (95.0, ["Caféen"])  # an inflected form
    assert found[("randers-1", 6)] == (80.0, ["strikkecaféen"], "compound")


def test_the_lemmatizer_joins_irregular_forms(both) -> None:  # noqa: ANN001
    # "børnene" and "barn": one lemma, no shared stem.
    hits = both.search("børn")
    assert {("randers-1", 7), ("randers-1", 8)} <= set(where(hits))


def test_short_words_match_only_themselves(index) -> None:  # noqa: ANN001
    assert {w.lower() for h in index.search("som") for w in words(h)} == {"som"}
    assert index.search("rol") == []  # not "rolig"


def test_a_quoted_phrase_is_matched_word_for_word(index) -> None:  # noqa: ANN001
    hits = index.search('"personalet er søde"')
    # Case and the double space do not matter; "søde er personalet" and "er så søde" do not match.
    assert where(hits) == [("randers-1", 3)]
    assert words(hits[0]) == ["personalet er  søde"] and hits[0].matches[0].kind == "phrase"
    assert index.search('"PERSONALET  er\tsøde"') == hits
    assert index.search(unicodedata.normalize("NFD", '"personalet er søde"')) == hits
    assert index.search("“personalet er søde”") == hits  # typographic quotes
    assert index.search('"personalet er søde"', exact=True) == hits
    assert index.search('"er personalet"') and index.search('"søde er personalet ikke"')
    assert index.search('"personalet er sode"') == []


def test_every_word_of_a_query_must_match(index) -> None:  # noqa: ANN001
    hits = index.search("personalet søde")
    assert set(where(hits)) == {("randers-1", 3), ("randers-1", 4), ("randers-1", 5)}
    assert index.search("personalet xylofon") == []
    assert where(index.search("kaffe børnene")) == [("randers-1", 7)]


def test_participants_rank_above_the_interviewer_at_the_same_score(both) -> None:  # noqa: ANN001
    hits = both.search("tryg")
    assert [h.score for h in hits[:2]] == [100.0, 100.0]
    assert where(hits[:2]) == [("viborg-1", 3), ("viborg-1", 2)]
    assert not hits[0].is_interviewer and hits[1].is_interviewer
    assert where(both.search("personalet søde")) == [("randers-1", 3), ("randers-1", 5), ("randers-1", 4)]
    # Among equals, a passage where the query's words stand together in order comes first.
    assert where(both.search("er personalet")) == [("randers-1", 5), ("randers-1", 3), ("randers-1", 4)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> SearchIndex:  # noqa: ANN001
    """The bundled demo transcripts, imported through the real pipeline."""
    from trivselkode.cli.project import demo_source_files
    from trivselkode.importers.pipeline import import_paths

    project, _ = open_project(str(tmp_path_factory.mktemp("demo") / "demo.db"))
    report = import_paths(project, demo_source_files(), text_column="svar")
    assert not report.failed
    yield SearchIndex(project).build()
    project.dispose()


def test_on_the_demo_transcripts(demo) -> None:  # noqa: ANN001
    # Only the word's own forms: before, 34 passages matched through "sidste sommer", "ligesom", "en sms".
    ensom = demo.search("ensom", limit=500)
    assert ensom and {w.lower() for h in ensom for w in words(h)} == {"ensomt"}
    ensomheden = demo.search("ensomheden", limit=500)  # "ensomt" as a derivation, nothing else
    assert [h.number for h in ensomheden] == [h.number for h in ensom]
    assert {m.kind for h in ensomheden for m in h.matches} == {"derivation"}
    hits = demo.search("strikkecaféen")
    assert hits and all("strikkecaféen" in " ".join(words(h)).lower() for h in hits)
    assert not hits[0].is_interviewer  # the questionnaire's answer before the interviewer's questions
    bøger = {w.lower() for h in demo.search("bøger", limit=500) for w in words(h)}
    assert {"bøger", "lydbøger", "billedbøgerne"} <= bøger


def test_the_cli_json_says_which_words_matched_where_and_how(sqlite_cli) -> None:  # noqa: ANN001
    project, _ = open_project(str(sqlite_cli.db))
    make_corpus(project, sources={"randers-1": ("Randers", RANDERS), "viborg-1": ("Viborg", VIBORG)}, codes=False)
    project.dispose()
    result = sqlite_cli("search", "tryhed", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["query"], doc["mode"], doc["count"]) == ("tryhed", "fuzzy", 3)
    hit = doc["hits"][0]
    assert (hit["source"], hit["passage"], hit["speaker"], hit["role"]) == ("randers-1", 3, "P1", "participant")
    assert hit["matches"] == [
        {"word": "Tryghed", "start": 0, "end": 7, "term": "tryhed", "kind": "spelling", "how": "ligner 'tryhed'"}
    ]
    assert hit["text"][hit["matches"][0]["start"] : hit["matches"][0]["end"]] == "Tryghed"
    result = sqlite_cli("search", "tryg", "--exact", "--format", "json")
    assert [h["passage"] for h in json.loads(result.stdout)["hits"]] == [2, 3]
    table = sqlite_cli("search", "ensomheden")
    assert table.exit_code == 0 and "»ensom«" in table.stdout and "afledt af 'ensomheden'" in table.stdout
    nothing = sqlite_cli("search", "xylofon")
    assert nothing.exit_code == 0 and nothing.stdout == "" and "Ingen udsagn" in nothing.stderr
    for bad in (["search", "?!"], ["search", "tryg", "--limit", "0"]):
        refused = sqlite_cli(*bad)
        assert refused.exit_code == 1 and "Traceback" not in refused.output
        assert refused.stdout == "" and refused.stderr.startswith("fejl:")


def test_the_helper_process_gives_the_lemmas_the_table_gives() -> None:
    """The terminal UI's lemmas come from a helper process; they are the in-process table's."""
    from trivselkode.analysis.search_lemmas import ProcessLemmas, TableLemmas

    words = ["børnene", "trygheden", "gik", "xylofonerne-ikke-et-ord"]
    helper = ProcessLemmas()
    try:
        assert helper(words) == TableLemmas()(words) == ["barn", "tryghed", "gå", None]
        assert helper([]) == []
    finally:
        helper.close()


def test_a_failing_lemmatizer_is_said_and_search_goes_on(project) -> None:  # noqa: ANN001
    """The lemmas only widen what a word finds: without them search still works, and says why."""

    def broken(words):  # noqa: ANN001, ANN202
        raise RuntimeError("hjælpeprocessen stoppede")

    make_corpus(project, sources={"randers-1": ("Randers", RANDERS)}, codes=False)
    index = SearchIndex(project, lemmas=broken).build()
    assert index.lemma_problem and "hjælpeprocessen stoppede" in index.lemma_problem
    assert where(index.search("tryhed")) == [("randers-1", 3)]
    assert SearchIndex(project, lemmas=None).build().lemma_problem is None
