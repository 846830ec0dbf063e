"""Code suggestions from codebook keywords."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from trivselkode.analysis.suggest import KeywordIndex, LemmaProcess, Suggestion, simple_words, suggest


@dataclass
class C:
    key: str
    keywords: list[str] = field(default_factory=list)
    retired: bool = False


CODES = [
    C("T1", ["tryg", "tryghed", "velkommen", "dømme"]),
    C("T2", ["ro", "fordybelse", "stille"]),
    C("T6", ["arrangement", "foredrag", "mental ro"]),
    C("OLD", ["tryghed"], retired=True),
    C("EMPTY"),
]


def keys(found: list[Suggestion]) -> list[str]:
    return [s.code_key for s in found]


def test_compound_matches_keyword_prefix() -> None:
    found = suggest("Jeg har en stor tryghedsfølelse her.", CODES, lemmatize=simple_words)
    assert keys(found) == ["T1"]
    assert found[0].matched_words == ("tryghedsfølelse",)


def test_exact_beats_compound_and_ranks_by_score() -> None:
    found = suggest("Her er stille og ro, og jeg er tryg.", CODES, lemmatize=simple_words)
    assert keys(found) == ["T2", "T1"]
    assert found[0].score == pytest.approx(2.0)
    assert found[1].score == pytest.approx(1.0)


def test_inflected_compound_tail() -> None:
    found = suggest("Børnearrangementerne er gode", CODES, lemmatize=simple_words)
    assert keys(found) == ["T6"]
    # a keyword inside a longer word with more than an inflection after it is no match
    assert suggest("Et arrangementsformat", [C("X", ["arrangement"])], lemmatize=simple_words)[0].score == 0.8
    assert suggest("Et børnearrangementsformat", [C("X", ["arrangement"])], lemmatize=simple_words) == []


def test_short_keyword_only_exact() -> None:
    # "ro" must not match "rolig" or "bro" (too short for compounds)
    assert suggest("Broen var rolig", CODES, lemmatize=simple_words) == []


def test_phrase_keyword() -> None:
    found = suggest("Det giver mental ro at være her", CODES, lemmatize=simple_words)
    t6 = next(s for s in found if s.code_key == "T6")
    assert "mental ro" in t6.matched_words


def test_fuzzy_misspelling_of_a_long_keyword() -> None:
    found = suggest("Jeg følte mig velkomen", CODES, lemmatize=simple_words)  # a typo
    assert keys(found) == ["T1"]
    assert 0 < found[0].score < 1


def test_words_shorter_than_seven_letters_are_never_fuzzy() -> None:
    assert suggest("en mand", [C("B", ["mad"])], lemmatize=simple_words) == []
    # once fuzzy at five letters: two different ordinary words a letter apart
    assert suggest("det samme", [C("T3", ["sammen"])], lemmatize=simple_words) == []
    assert suggest("på fredag", [C("T6", ["foredrag"])], lemmatize=simple_words) == []
    assert suggest("meget stile", [C("T2", ["stille"])], lemmatize=simple_words) == []


def test_retired_and_keywordless_codes_are_skipped() -> None:
    index = KeywordIndex(CODES)
    assert "OLD" not in index.order and index.single["tryghed"] == ["T1"]


def test_dict_codes_and_limit() -> None:
    codes = [{"key": "A", "keywords": ["bog"]}, {"key": "B", "keywords": ["bibliotek"]}]
    found = suggest("bog bog bibliotek bibliotek bibliotekar", codes, lemmatize=simple_words, limit=1)
    assert keys(found) == ["B"]
    assert found[0].why == ("nøgleord: bibliotek, bibliotekar",)


def test_no_keywords_no_lemmatizer_call() -> None:
    def boom(text: str):  # noqa: ANN202
        raise AssertionError("must not lemmatize")

    assert suggest("tekst", [C("X")], lemmatize=boom) == []


def test_with_spacy_lemmas_from_the_helper_process() -> None:
    """The real lookup lemmatizer, loaded in the helper process the TUI uses."""
    lemmas = LemmaProcess()
    try:
        found = suggest("Vi blev dømt af ingen, og jeg følte mig velkommen og tryg.", CODES, lemmatize=lemmas)
        assert keys(found)[0] == "T1"
        assert {"dømt", "velkommen", "tryg"} <= set(found[0].matched_words)
        words = lemmas("Jeg følte mig tryg")
        assert ("følte", "føle", 4, 9) in words  # forms, lemmas and offsets come through the pipe
        analyzed = lemmas.analyze("Jeg følte mig velkomen på biblioteket")
        assert ("følte", "føle", 4, 9) in analyzed.words
        assert {"følte", "biblioteket"} <= analyzed.known and "velkomen" not in analyzed.known
    finally:
        lemmas.close()
    assert lemmas._proc is None
