"""The keyword rules of issue 15: annotations, misspellings, negation, common words, why and shown."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from trivselkode.analysis.keyword_rules import common_factor, is_misspelling
from trivselkode.analysis.suggest import (
    KEYWORD_SHOWN,
    Analyzed,
    KeywordIndex,
    LemmaProcess,
    Suggestion,
    simple_analyze,
    simple_words,
    spacy_analyze,
    suggest,
)
from trivselkode.config import bundled_codebook
from trivselkode.domain.codebook import load_codebook_file


@dataclass
class C:
    key: str
    keywords: list[str] = field(default_factory=list)
    retired: bool = False


def keys(found: list[Suggestion]) -> list[str]:
    return [s.code_key for s in found]


@pytest.fixture(scope="module")
def bundled() -> KeywordIndex:
    return KeywordIndex(load_codebook_file(bundled_codebook()).codes)


@pytest.fixture(scope="module")
def helper() -> LemmaProcess:
    process = LemmaProcess()
    yield process  # type: ignore[misc]
    process.close()


ANNOTATED = "Jeg kommer her (griner) hver dag (pause) og [latter] sådan."
ANNOTATION_CODES = [C("X", ["grine", "griner", "pause", "latter"])]


def test_annotations_are_no_words_in_any_analysis(helper: LemmaProcess) -> None:
    assert suggest(ANNOTATED, ANNOTATION_CODES, lemmatize=simple_words) == []
    assert suggest(ANNOTATED, ANNOTATION_CODES, lemmatize=helper) == []
    index = KeywordIndex(ANNOTATION_CODES)
    for analyzed in (simple_analyze(ANNOTATED), helper.analyze(ANNOTATED), spacy_analyze(ANNOTATED)):
        forms = {w[0] for w in analyzed.words}
        assert not forms & {"griner", "pause", "latter"}
        assert index.suggest(analyzed.words, known=analyzed.known) == []
    # the same words spoken do count
    assert keys(suggest("Han griner og holder pause.", ANNOTATION_CODES, lemmatize=helper)) == ["X"]


def test_analyzed_knows_the_words_of_the_lemma_table(helper: LemmaProcess) -> None:
    text = "Hvornår åbner biblioteket om søndagen? Jeg sidder og føler mig velkomen."
    for analyzed in (helper.analyze(text), spacy_analyze(text)):
        assert isinstance(analyzed, Analyzed)
        assert {"biblioteket", "søndagen", "sidder", "føler"} <= analyzed.known
        assert "velkomen" not in analyzed.known
    assert simple_analyze(text).known == frozenset()


def test_misspelling_rule() -> None:
    assert is_misspelling("velkomen", "velkommen")
    assert is_misspelling("koncentartion", "koncentration")  # two letters swapped
    assert not is_misspelling("biblioteket", "bibliotekar")  # same stem, another ending
    assert not is_misspelling("fredag", "foredrag")  # two letters off
    assert not is_misspelling("samme", "sammen")  # keyword under seven letters
    assert not is_misspelling("stile", "stille")


def test_no_fuzzy_match_between_two_known_words(helper: LemmaProcess) -> None:
    staff = [C("T4", ["bibliotekar"]), C("T6", ["foredrag"]), C("T3", ["sammen"])]
    for text in ("Hvornår åbner biblioteket om søndagen?", "Vi ses på fredag.", "Det er det samme."):
        assert suggest(text, staff, lemmatize=helper) == [], text
    # a word the lemma table knows is never read as a misspelling, whatever it looks like
    index = KeywordIndex([C("T1", ["velkommen"])])
    words = simple_words("velkomen")
    assert keys(index.suggest(words)) == ["T1"]
    assert index.suggest(words, known={"velkomen"}) == []


def test_the_bundled_codebook_makes_no_false_matches_of_ordinary_words(
    bundled: KeywordIndex, helper: LemmaProcess
) -> None:
    for text, code in [
        ("Hvornår åbner biblioteket om søndagen?", "T4"),
        ("Jeg kommer om fredagen.", "T6"),
        ("Vi ses på fredag.", "T2"),  # keyword "fred"
        ("Vi mødtes på et værtshus.", "T4"),  # keyword "vært"
        ("Hvor er der en stikkontakt?", "T3"),  # keyword "kontakt"
        ("Det er det samme hver gang.", "T3"),
        ("Jeg sidder her tit.", "B.fysiologisk"),
        ("Det vil jeg tro.", "L.optimisme"),
        ("Det tror jeg nok.", "L.optimisme"),
        ("Hun gik hen mod døren.", "L.optimisme"),
    ]:
        analyzed = helper.analyze(text)
        found = bundled.suggest(analyzed.words, known=analyzed.known)
        assert code not in keys(found), (text, found)
    analyzed = helper.analyze("Jeg har fået troen på mig selv igen.")
    assert "L.optimisme" in keys(bundled.suggest(analyzed.words, known=analyzed.known))
    # the bundled codebook's theme keywords after a negation: "ingen dømmer", "uden krav"
    analyzed = helper.analyze("Her er der ingen der dømmer en, og uden krav om noget.")
    assert {"T1", "T7"} <= set(keys(bundled.suggest(analyzed.words, known=analyzed.known)))


def test_a_negated_keyword_does_not_count() -> None:
    codes = [C("T5", ["klog"]), C("T7", ["ikke-krav"])]
    assert suggest("Man behøver ikke være klog", codes, lemmatize=simple_words) == []
    assert suggest("Aldrig klog", codes, lemmatize=simple_words) == []
    assert keys(suggest("Man bliver klog her", codes, lemmatize=simple_words)) == ["T5"]
    # more than three words after the negation, or past a comma, it counts again
    assert keys(suggest("ikke det, men klog", codes, lemmatize=simple_words)) == ["T5"]
    assert keys(suggest("ikke noget med at man er klog", codes, lemmatize=simple_words)) == ["T5"]


@pytest.mark.parametrize("written", ["ikke-krav", "ikke krav", "ingen-krav"])
def test_a_keyword_written_after_a_negation_counts_only_there(written: str) -> None:
    codes = [C("T7", [written, "gratis"])]
    found = suggest("Der er ingen krav, og det er gratis", codes, lemmatize=simple_words)
    assert found[0].matched_words == ("krav", "gratis")
    assert suggest("Der er mange krav", codes, lemmatize=simple_words) == []
    assert keys(suggest("uden at stille krav", codes, lemmatize=simple_words)) == ["T7"]
    assert KeywordIndex(codes).after_negation == {"krav": ["T7"]}


def test_common_words_weigh_little_and_smoothly() -> None:
    index = KeywordIndex([C("T5", ["bog"]), C("B.fysiologisk", ["sidde"])])
    words = simple_words("en bog")
    scores = [index.suggest(words, share={"bog": s})[0].score for s in (0.01, 0.1, 0.2, 0.4, 0.7)]
    assert scores[0] == 1.0
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)
    assert scores[-1] < 0.25
    assert index.suggest(words, share={"bog": 1.0}) == []
    # looked up by lemma
    sits = [("sidder", "sidde", 0, 6)]
    assert index.suggest(sits, share={"sidde": 0.8})[0].score < 0.1
    assert common_factor(None) == 1.0


def test_each_suggestion_says_why_and_whether_it_is_shown() -> None:
    index = KeywordIndex([C("T1", ["tryg", "tryghed"]), C("T6", ["arrangement"])])
    found = index.suggest(simple_words("Jeg er tryg, en tryghedsfølelse; børnearrangementer"))
    t1, t6 = found
    assert (t1.code_key, t1.why, t1.shown) == ("T1", ("nøgleord: tryg, tryghedsfølelse",), True)
    assert t1.score == pytest.approx(1.8)
    # a single compound tail (0.7) is below the threshold: listed, not shown
    assert t6.code_key == "T6" and t6.score < KEYWORD_SHOWN and not t6.shown
    assert t6.why == ("nøgleord: børnearrangementer",)
    assert all(s.shown == (s.score >= KEYWORD_SHOWN) for s in found)


def test_a_capitalised_word_gets_the_lemma_of_its_lower_case_form(helper: LemmaProcess) -> None:
    """spaCy looks the table up as written: "Personalet" first in a sentence was left as it stood."""
    text = "Personalet er søde. Medarbejderne hjælper, og Stilheden er god."
    codes = [{"key": "T4", "keywords": ["personale", "medarbejder"]}, {"key": "T2", "keywords": ["stilhed"]}]
    index = KeywordIndex(codes)
    for analyzed in (helper.analyze(text), spacy_analyze(text)):
        lemma = {form: lemma for form, lemma, _s, _e in analyzed.words}
        assert (lemma["personalet"], lemma["medarbejderne"], lemma["stilheden"]) == (
            "personale",
            "medarbejder",
            "stilhed",
        )
        # each keyword matches in full (a fuzzy match of the form would weigh less than 1 per word)
        found = {s.code_key: s.score for s in index.suggest(analyzed.words, known=analyzed.known)}
        assert found["T4"] >= 2.0 and found["T2"] >= 1.0
