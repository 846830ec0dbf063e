"""Word frequencies of coded passages: lemmas, stop words and annotations left out, keyword in context."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from tests.unit.test_frequencies import build_project
from trivselkode.analysis.words import kwic, stop_words, word_frequencies, words_of
from trivselkode.export.words import kwic_records, kwic_table, render_table, words_records, words_table


def spec() -> dict:
    return {
        "coders": ["anne"],
        "sources": [
            {
                "name": "holstebro-1",
                "site": "Holstebro",
                "participants": [{"label": "I", "role": "interviewer"}, {"label": "P1"}, {"label": "P2"}],
                "passages": [
                    ("I", "Hvad betyder biblioteket for dig?"),
                    ("P1", "Biblioteket er mit frirum (griner). Jeg elsker biblioteket."),
                    ("P2", "Øh, bøgerne og bibliotekerne [pause] giver mig ro."),
                    ("P1", "Ikke kodet: biblioteket biblioteket biblioteket."),
                ],
            },
            {
                "name": "viborg-1",
                "site": "Viborg",
                "participants": [{"label": "P1"}],
                "passages": [("P1", "Her er ro og stille, ro til at læse.")],
            },
        ],
        "codings": [
            ("holstebro-1", 1, "T1", "anne"),  # the interviewer's: not counted
            ("holstebro-1", 2, "T1", "anne"),
            ("holstebro-1", 3, "T2", "anne"),
            ("viborg-1", 1, "T2", "anne"),
        ],
    }


def test_lemmas_of_the_coded_passages_without_stop_words_and_annotations():
    project = build_project(spec())
    result = word_frequencies(project, top=0)
    counts = {w.lemma: w.count for w in result.words}
    assert result.passages == 3  # the interviewer's turn and the uncoded passage left out
    assert counts["bibliotek"] == 3  # Biblioteket, biblioteket, bibliotekerne
    assert counts["ro"] == 3
    assert "griner" not in counts and "pause" not in counts  # annotations
    assert not set(counts) & {"jeg", "og", "er", "mig", "øh", "til", "at"}  # stop words and fillers
    # An independent count: the same words, tokenised by a regular expression, minus the stop words.
    stops = stop_words()
    texts = [
        "Biblioteket er mit frirum. Jeg elsker biblioteket.",
        "Øh, bøgerne og bibliotekerne giver mig ro.",
        "Her er ro og stille, ro til at læse.",
    ]
    forms = [w.lower() for t in texts for w in re.findall(r"[^\W\d_]+", t)]
    kept = [f for f in forms if f not in stops and len(f) > 1]
    lemmas = {f: lemma for t in texts for f, lemma, _s, _e in words_of(t)}
    assert result.tokens == len([f for f in kept if lemmas[f] not in stops])
    assert Counter(lemmas[f] for f in kept if lemmas[f] not in stops) == Counter(counts)
    bib = next(w for w in result.words if w.lemma == "bibliotek")
    assert bib.passages == 2 and bib.forms[0] == "biblioteket"


def test_one_code_and_groups():
    project = build_project(spec())
    t2 = word_frequencies(project, code="T2", by="site", top=5)
    assert [c.key for c in t2.codes] == ["T2"] and t2.passages == 2
    assert [(g.value, g.passages) for g in t2.groups] == [("Holstebro", 1), ("Viborg", 1)]
    viborg = {w.lemma: w.count for w in t2.groups[1].words}
    assert viborg["ro"] == 2 and "bibliotek" not in viborg
    doc = json.loads(json.dumps(words_records(t2)))
    assert set(doc) == {"code", "codes", "by", "basis", "top", "passages", "tokens", "words", "groups"}
    assert doc["code"] == "T2" and doc["groups"][1]["value"] == "Viborg"
    assert set(doc["words"][0]) == {"lemma", "count", "passages", "forms"}
    text = render_table(words_table(t2), "table")
    assert "Holstebro (n=1)" in text and "Ord (lemma)" in text
    tsv = render_table(words_table(t2), "tsv").splitlines()
    assert tsv[0].split("\t")[0] == "Bibliotek" and len(tsv) == 1 + sum(len(g.words) for g in t2.groups)


def test_top_limits_the_list():
    project = build_project(spec())
    assert len(word_frequencies(project, top=2).words) == 2


def test_kwic_finds_every_form_of_the_lemma_with_its_context():
    project = build_project(spec())
    result = kwic(project, "bibliotek")
    assert result.lemma == "bibliotek"
    assert [(x.source, x.passage, x.word) for x in result.lines] == [
        ("holstebro-1", 2, "Biblioteket"),
        ("holstebro-1", 2, "biblioteket"),
        ("holstebro-1", 3, "bibliotekerne"),
    ]
    first = result.lines[0]
    assert first.left == "" and first.right.startswith("er mit frirum")
    assert result.lines[1].left.endswith("Jeg elsker") and result.lines[1].right == "."
    doc = kwic_records(result)
    assert set(doc) == {"kwic", "lemma", "code", "codes", "basis", "lines"}
    assert set(doc["lines"][0]) == {"left", "word", "right", "source", "passage"}
    table = render_table(kwic_table(result), "csv")
    assert "bibliotekerne" in table


def test_kwic_takes_one_word():
    from trivselkode.errors import TrivselError

    project = build_project(spec())
    with pytest.raises(TrivselError):
        kwic(project, "to ord")
