"""The codebook's own words as weak examples of their codes."""

from __future__ import annotations

import random

from tests.unit.test_learn import FILLER, TOPICS, corpus, words
from trivselkode.analysis.learn import Example, train
from trivselkode.analysis.learn_prior import codebook_examples
from trivselkode.analysis.suggest import simple_analyze

CODES = [
    {"key": "T", "parent": None, "description": "", "include": "", "characteristics": [], "examples": []},
    {
        "key": "KAFFE",
        "parent": "T",
        "description": "Samvær over en kop: sludder og selskab",
        "include": "",
        "characteristics": ["selskab ved bordet"],
        "examples": ["Vi sidder altid i selskab ved bordet"],
    },
    {
        "key": "BOG",
        "parent": "T",
        "description": "Lån og læsning",
        "include": "",
        "characteristics": [],
        "examples": [],
    },
    {"key": "RO", "parent": "T", "description": "", "include": "", "characteristics": [], "examples": []},
]


def test_each_text_is_an_example_of_its_code_and_no_example_of_its_siblings() -> None:
    found = codebook_examples(CODES, simple_analyze)
    kaffe = [e for e in found if e.codes == {"KAFFE"}]
    assert len(kaffe) == 3  # the description, the characteristic and the example
    assert all(e.rejected == {"BOG", "RO"} for e in kaffe)
    assert [e.codes for e in found if e.codes != {"KAFFE"}] == [{"BOG"}]  # T and RO have no text
    assert " ".join(w[0] for w in kaffe[0].words) == "samvær over en kop sludder og selskab"


def test_the_codebook_teaches_a_word_the_codings_leave_open() -> None:
    """'selskab' occurs once under every code in the codings; the codebook says it means KAFFE."""
    rng = random.Random(3)
    examples = corpus()
    for topic in TOPICS:
        examples.append(
            Example(words(f"selskab {' '.join(rng.sample(FILLER, 5))} {TOPICS[topic][0]}"), frozenset({topic}))
        )
    plain = train(examples, list(TOPICS))
    taught = train(examples, list(TOPICS), codebook=codebook_examples(CODES, simple_analyze))
    for text in (words("selskab"), words("selskab her")):
        assert taught.probabilities(text)["KAFFE"] > plain.probabilities(text)["KAFFE"] + 0.1
        assert taught.probabilities(text)["BOG"] < plain.probabilities(text)["BOG"]
