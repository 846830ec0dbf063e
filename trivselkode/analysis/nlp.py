"""Danish text processing with spaCy, loaded lazily.

Only ``spacy.blank("da")`` with the rule-based sentencizer, and the lookup
lemmatizer whose tables come from the ``spacy-lookups-data`` package: no
model is ever downloaded. spaCy is imported on first use, so commands that
do not segment text start fast.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

_lock = threading.Lock()
_sentencizer: Language | None = None
_lemmatizer: Language | None = None


def sentence_pipeline() -> Language:
    """``spacy.blank("da")`` + sentencizer (built once per process)."""
    global _sentencizer
    with _lock:
        if _sentencizer is None:
            import spacy

            nlp = spacy.blank("da")
            nlp.add_pipe("sentencizer")
            _sentencizer = nlp
        return _sentencizer


def lemma_pipeline() -> Language:
    """``spacy.blank("da")`` + the lookup lemmatizer (tables from spacy-lookups-data)."""
    global _lemmatizer
    with _lock:
        if _lemmatizer is None:
            import spacy

            nlp = spacy.blank("da")
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            nlp.initialize()
            _lemmatizer = nlp
        return _lemmatizer


def sentence_spans(texts: Iterable[str], batch_size: int = 512) -> Iterator[list[list[int]]]:
    """For each text, its sentences as ``[start, end]`` character offsets.

    Offsets index the text itself; whitespace at either end of a sentence
    (a line break inside a turn, say) is not part of it. Read from the
    token arrays rather than ``doc.sents``, which is several times slower.
    """
    import numpy as np
    from spacy.attrs import IDX, IS_SPACE, LENGTH, SENT_START

    nlp = sentence_pipeline()
    for doc in nlp.pipe(texts, batch_size=batch_size):
        if len(doc) == 0:
            yield []
            continue
        arr = doc.to_array([SENT_START, IDX, LENGTH, IS_SPACE]).astype(np.int64)
        starts = np.flatnonzero(arr[:, 0] == 1)
        if starts.size == 0 or starts[0] != 0:
            starts = np.concatenate(([0], starts))
        ends = np.append(starts[1:], len(doc))  # token index past each sentence
        word = arr[:, 3] == 0
        spans = []
        for a, b in zip(starts.tolist(), ends.tolist()):
            words = np.flatnonzero(word[a:b])
            if words.size == 0:
                continue
            first, last = a + int(words[0]), a + int(words[-1])
            spans.append([int(arr[first, 1]), int(arr[last, 1] + arr[last, 2])])
        yield spans


def lemmas(text: str) -> list[tuple[str, str, int, int]]:
    """The words of ``text`` as ``(lower-case form, lemma, start, end)``."""
    nlp = lemma_pipeline()
    doc = nlp(text)
    out = []
    for tok in doc:
        if tok.is_alpha:
            out.append((tok.lower_, (tok.lemma_ or tok.text).lower(), tok.idx, tok.idx + len(tok.text)))
    return out
