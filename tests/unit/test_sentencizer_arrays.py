"""The import's sentence starts on token arrays are spaCy's sentencizer's, token for token."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.attrs import IS_PUNCT, LENGTH, ORTH

from trivselkode.domain.nlp import _sentencizer_starts, sentence_pipeline

PIECES = ["Ja", ".", "!", "?", "...", "!!", '"', "»", "(", ")", "-", "–", "Dr.", "kl.", "10:30", "æble", "\n", "x",
          "。", "‼", "؟", ",", ":", ";", "🙂", "Nej", "ØL"]  # fmt: skip


def spacy_starts(texts: list[str]) -> list[bool]:
    """The sentencizer's own starts of each text as its own document, one list for all."""
    out: list[bool] = []
    for doc in sentence_pipeline().pipe(texts):
        out.extend(bool(t.is_sent_start) for t in doc)
    return out


def array_starts(texts: list[str]) -> list[bool]:
    tokenizer = sentence_pipeline().tokenizer
    docs = [tokenizer(t) for t in texts]
    docs = [d for d in docs if len(d)]
    if not docs:
        return []
    tokens = np.concatenate([d.to_array([ORTH, IS_PUNCT, LENGTH]) for d in docs])
    sizes = [len(d) for d in docs]
    doc_starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    with_length = _sentencizer_starts(tokens[:, 0], tokens[:, 1], doc_starts, tokens[:, 2]).tolist()
    assert with_length == _sentencizer_starts(tokens[:, 0], tokens[:, 1], doc_starts).tolist()
    return with_length


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), min_size=0, max_size=12).map(" ".join), min_size=1, max_size=8))
def test_same_starts_as_the_sentencizer(texts):
    """Documents that end on a full stop and documents that open with punctuation, side by side:
    a sentence-final character starts no sentence in the next document."""
    assert array_starts(texts) == spacy_starts(texts)


def test_a_full_stop_at_a_document_end_starts_nothing_in_the_next():
    texts = ["Det var godt.", '" og så videre', "Ja", "!", "!! Nej"]
    assert array_starts(texts) == spacy_starts(texts)
    assert array_starts(texts)[: len(sentence_pipeline().tokenizer(texts[0]))] == [True, False, False, False]
