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


def _doc_sentences(doc) -> list[list[int]]:  # noqa: ANN001 (spacy Doc)
    """A doc's sentences as ``[start, end]`` characters, whitespace tokens trimmed off.

    Read from one token array per doc: far cheaper than ``doc.sents``, which
    builds a Token and a Span object for every token and sentence.
    """
    from spacy.attrs import IDX, IS_SPACE, LENGTH, SENT_START

    spans: list[list[int]] = []
    first = last = -1
    for sent_start, idx, length, space in doc.to_array([SENT_START, IDX, LENGTH, IS_SPACE]).tolist():
        if sent_start == 1 and first >= 0:
            spans.append([first, last])
            first = -1
        if not space:
            if first < 0:
                first = idx
            last = idx + length
    if first >= 0:
        spans.append([first, last])
    return spans


def sentence_spans(texts: Iterable[str], batch_size: int = 1000) -> Iterator[list[list[int]]]:
    """For each text, its sentences as ``[start, end]`` character offsets.

    Offsets index the text itself; whitespace at either end of a sentence
    (a line break inside a turn, say) is not part of it. One document per
    text: spaCy's tokenizer is several times faster on turns than on whole
    transcripts.
    """
    nlp = sentence_pipeline()
    for doc in nlp.pipe(texts, batch_size=batch_size):
        yield _doc_sentences(doc)


def lemmas(text: str) -> list[tuple[str, str, int, int]]:
    """The words of ``text`` as ``(lower-case form, lemma, start, end)``."""
    nlp = lemma_pipeline()
    doc = nlp(text)
    out = []
    for tok in doc:
        if tok.is_alpha:
            out.append((tok.lower_, (tok.lemma_ or tok.text).lower(), tok.idx, tok.idx + len(tok.text)))
    return out
