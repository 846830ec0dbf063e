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


# Turns are segmented a group at a time: a few dozen turns per spaCy document
# cost far less than one document per turn. They are joined by a separator
# that ends any sentence and then starts one of its own (" . x "), so each
# turn begins in the sentencizer's start state, as its own document would;
# a sentence boundary is then set at each turn's first token, and each
# sentence clipped to its turn. The result is the per-turn segmentation
# (a test compares them). The separator is plain space-separated words:
# line breaks would glue words into strings spaCy's tokenizer cannot cache.
_GROUP = 20
_SEPARATOR = " . x "


def sentence_spans(texts: Iterable[str]) -> list[list[list[int]]]:
    """For each text, its sentences as ``[start, end]`` character offsets.

    Offsets index the text itself; whitespace at either end of a sentence
    (a line break inside a turn, say) is not part of it. The boundaries are
    spaCy's sentencizer's, read from the documents' token arrays rather than
    ``doc.sents`` (which builds a Python object per token and sentence).
    """
    import numpy as np
    from spacy.attrs import IDX, IS_SPACE, LENGTH, SENT_START

    texts = list(texts)
    out: list[list[list[int]]] = [[] for _ in texts]
    groups = [texts[i : i + _GROUP] for i in range(0, len(texts), _GROUP)]
    nlp = sentence_pipeline()
    for g, doc in enumerate(nlp.pipe((_SEPARATOR.join(group) for group in groups), batch_size=64)):
        if len(doc) == 0:
            continue
        group = groups[g]
        # where each text of the group starts and ends in the joined document
        lengths = np.fromiter((len(t) for t in group), dtype=np.int64, count=len(group))
        starts = np.concatenate(([0], np.cumsum(lengths + len(_SEPARATOR))[:-1]))
        ends = starts + lengths
        arr = doc.to_array([SENT_START, IDX, LENGTH, IS_SPACE]).astype(np.int64)
        new_sentence = arr[:, 0] == 1
        first_tokens = np.searchsorted(arr[:, 1], starts)
        new_sentence[first_tokens[first_tokens < len(arr)]] = True
        sentence = np.cumsum(new_sentence)
        word = arr[:, 3] == 0
        sid, first_char, last_char = sentence[word], arr[word, 1], arr[word, 1] + arr[word, 2]
        if sid.size == 0:
            continue
        first = np.flatnonzero(np.diff(sid, prepend=sid[0] - 1))
        last = np.append(first[1:] - 1, sid.size - 1)
        s_start, s_end = first_char[first], last_char[last]
        which = np.searchsorted(starts, s_start, side="right") - 1
        s_end = np.minimum(s_end, ends[which])  # the separator is not the turn's
        keep = s_start < s_end  # sentences of the separator itself fall out here
        base = g * _GROUP
        for t, a, b in zip(which[keep].tolist(), (s_start - starts[which])[keep].tolist(), (s_end - starts[which])[keep].tolist()):
            out[base + t].append([a, b])
    for text, spans in zip(texts, out):
        # clipping at the end may leave trailing whitespace inside a turn
        for span in spans:
            while span[1] > span[0] and text[span[1] - 1].isspace():
                span[1] -= 1
    return out


def lemmas(text: str) -> list[tuple[str, str, int, int]]:
    """The words of ``text`` as ``(lower-case form, lemma, start, end)``."""
    nlp = lemma_pipeline()
    doc = nlp(text)
    out = []
    for tok in doc:
        if tok.is_alpha:
            out.append((tok.lower_, (tok.lemma_ or tok.text).lower(), tok.idx, tok.idx + len(tok.text)))
    return out
