"""Danish text processing with spaCy, loaded lazily.

Only ``spacy.blank("da")`` with the rule-based sentencizer, and the lookup
lemmatizer whose tables come from the ``spacy-lookups-data`` package: no
model is ever downloaded. The import finds spaCy's sentences with that
pipeline's tokenizer and the sentencizer's rule, reading only the chunks of
text (between whitespace) around sentence-final characters, each distinct
chunk tokenized once (:func:`_sentence_starts`): the same sentences, at a
fraction of the cost. Where spaCy's tokenizer is set up so that this would
not hold, the rule is worked out on the token arrays of whole documents
(:func:`_sentencizer_starts`). spaCy is imported on first use, so commands
that do not segment text start fast.

spaCy refuses a document longer than ``nlp.max_length`` (1,000,000
characters); that is no limit for the user. By chunks a text of any length
is read whole; on token arrays a text longer than :data:`PIECE` is segmented
a piece at a time (see :func:`_long_sentences`), with the same sentences as
spaCy would find in it whole.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from typing import TYPE_CHECKING, Any

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
# The longest text segmented in one go; a group of _GROUP of them stays well
# under spaCy's max_length (1,000,000 characters).
PIECE = 40_000
# Documents per batch when spaCy's own ``nlp.pipe`` segments these documents:
# the import's yardstick (bench/import_bench.py), as the import piped them
# before it ran the tokenizer and the sentencizer's rule itself.
BATCH = 64


def sentence_documents(texts: Sequence[str]) -> Iterator[str]:
    """The documents spaCy tokenizes for ``texts`` (each at most :data:`PIECE` long): groups of
    :data:`_GROUP` texts joined by :data:`_SEPARATOR`.

    What the import hands to spaCy, and so what the import's benchmark hands to
    spaCy's own ``nlp.pipe`` as its yardstick.
    """
    return (_SEPARATOR.join(texts[i : i + _GROUP]) for i in range(0, len(texts), _GROUP))


_punct: Any = None
_punct_single = False  # every sentence-final character is one character long (spaCy's default ones are)


def _punct_hashes() -> Any:
    """The hashes of the sentencizer's sentence-final characters (its ``punct_chars``), sorted."""
    global _punct, _punct_single
    if _punct is None:
        import numpy as np

        nlp = sentence_pipeline()
        chars = nlp.get_pipe("sentencizer").punct_chars  # type: ignore[attr-defined]
        _punct = np.array(sorted(nlp.vocab.strings[c] for c in chars), dtype=np.uint64)  # a str's hash
        _punct_single = all(len(c) == 1 for c in chars)
    return _punct


def _sentencizer_starts(orth: Any, punct: Any, doc_starts: Any, length: Any = None) -> Any:
    """Whether spaCy's sentencizer starts a sentence, for several documents' tokens at once.

    ``orth`` and ``punct`` are the tokens' ``ORTH`` and ``IS_PUNCT``;
    ``doc_starts`` the index of each document's first token; ``length``,
    the tokens' ``LENGTH`` when known, narrows the look for a sentence-final
    character to the one-character tokens (when they all are one). The rule is
    :meth:`spacy.pipeline.Sentencizer.predict`'s, on arrays: a document's
    first token starts a sentence, and so does the first token after a
    sentence-final character (one of its ``punct_chars``) that is neither
    punctuation nor such a character, in the same document (a test compares
    the two). Worked out on the arrays rather than by the sentencizer's
    loop, which builds a Python object per token. True where a sentence starts.
    """
    import numpy as np

    table = _punct_hashes()
    if length is None or not _punct_single:
        final = table[np.minimum(np.searchsorted(table, orth), len(table) - 1)] == orth
    else:
        single = np.flatnonzero(length == 1)
        final = np.zeros(len(orth), dtype=bool)
        final[single] = table[np.minimum(np.searchsorted(table, orth[single]), len(table) - 1)] == orth[single]
    words = np.flatnonzero((punct == 0) & ~final)
    finals = np.flatnonzero(final)
    after = np.searchsorted(words, finals)
    finals, after = finals[after < len(words)], words[after[after < len(words)]]
    # the state starts anew in each document: a character in one starts no sentence in the next
    same_doc = np.searchsorted(doc_starts, finals, side="right") == np.searchsorted(doc_starts, after, side="right")
    starts = np.zeros(len(orth), dtype=bool)
    starts[doc_starts] = True
    starts[after[same_doc]] = True
    return starts


def _sentence_arrays(texts: list[str]) -> tuple[Any, Any, Any]:
    """Every sentence of ``texts`` as three arrays: its text's index, start and end.

    Offsets index the text itself and are sorted by text, then start;
    whitespace at either end of a sentence (a line break inside a turn, say)
    is not part of it. The documents are tokenized by spaCy's tokenizer and
    the boundaries are spaCy's sentencizer's (:func:`_sentencizer_starts`),
    read from the documents' token arrays rather than ``doc.sents`` (which
    builds a Python object per token and sentence), and worked out for all
    groups at once.
    """
    import numpy as np
    from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, ORTH

    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    # Where each text starts in one imagined string of all groups joined by the
    # separator: group g's document then starts at starts[g * _GROUP].
    starts = np.concatenate(([0], np.cumsum(lengths + len(_SEPARATOR))[:-1])) if len(texts) else lengths
    ends = starts + lengths
    arrays, offsets, sizes = [], [], []
    tokenizer = sentence_pipeline().tokenizer
    for g, text in enumerate(sentence_documents(texts)):
        doc = tokenizer(text)
        if len(doc):
            arrays.append(doc.to_array([ORTH, IS_PUNCT, IS_SPACE, IDX, LENGTH]))
            offsets.append(starts[g * _GROUP])
            sizes.append(len(doc))
    empty = np.zeros(0, dtype=np.int64)
    if not arrays:
        return empty, empty, empty
    tokens = np.concatenate(arrays) if len(arrays) > 1 else arrays[0]
    doc_starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    idx = tokens[:, 3].astype(np.int64) + np.repeat(offsets, sizes)
    # a sentence starts where spaCy's sentencizer says, and at each text's
    # first token (as it would in a document of its own)
    new_sentence = _sentencizer_starts(tokens[:, 0], tokens[:, 1], doc_starts, tokens[:, 4])
    first_tokens = np.searchsorted(idx, starts)
    new_sentence[first_tokens[first_tokens < len(idx)]] = True
    sentences = np.flatnonzero(new_sentence)
    # each sentence from its first word to its last (whitespace tokens are no words)
    words = np.flatnonzero(tokens[:, 2] == 0)
    first = np.searchsorted(words, sentences)
    last = np.searchsorted(words, np.append(sentences[1:], len(idx))) - 1
    keep = first <= last
    if not keep.any():
        return empty, empty, empty
    first, last = words[first[keep]], words[last[keep]]
    s_start = idx[first]
    s_end = idx[last] + tokens[last, 4].astype(np.int64)
    which = np.searchsorted(starts, s_start, side="right") - 1
    s_end = np.minimum(s_end, ends[which])  # the separator is not the text's
    keep = s_start < s_end  # sentences of the separator itself fall out here
    which, s_start, s_end = which[keep], s_start[keep], s_end[keep]
    return which, s_start - starts[which], s_end - starts[which]


# --------------------------------------------------------------------------- by chunks
#
# spaCy's tokenizer splits a text at whitespace into chunks and tokenizes each
# chunk on its own (its cache is keyed by the chunk), so the sentencizer's
# rule needs the tokens of few chunks only: those holding a sentence-final
# character, and after each such character the chunks up to the first token
# that is neither punctuation nor final. Those chunks' tokens are spaCy's
# tokenizer's, worked out once per distinct chunk; every other chunk is
# never tokenized. The sentences are the ones spaCy finds in each text as a
# document of its own (the tests compare the two).

#: chunk → what the sentencizer's rule needs of its tokens (see :func:`_chunk_info`).
_chunk_cache: dict[str, tuple[tuple[int, ...], bool, int | None]] = {}
_CHUNK_CACHE_LIMIT = 50_000  # distinct chunks kept (a few MB); a new start once full
_final_char: Any = None  # a regex: a sentence-final character and the rest of its chunk (None: not by chunks)
_final_latin: Any = None  # the same for the sentence-final characters up to U+00FF (fast to look for)
_final_other: frozenset[str] = frozenset()  # the other sentence-final characters
_by_chunks: bool | None = None
_SPACE = re.compile(r"\s")


class _OtherFinal(Exception):
    """A text holds a sentence-final character beyond U+00FF (see :func:`_latin_finals_only`)."""


def _look_for_other_finals(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: what Latin-1 cannot encode is skipped, unless it holds a final character."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    if not _final_other.isdisjoint(error.object[error.start : error.end]):
        raise _OtherFinal
    return "", error.end


_OTHER_FINALS = "trivselkode.nlp.other-finals"
codecs.register_error(_OTHER_FINALS, _look_for_other_finals)


def _latin_finals_only(text: str) -> bool:
    """Whether no sentence-final character of ``text`` lies beyond U+00FF.

    Encoding to Latin-1 finds the characters beyond it (in runs) in C, many
    times faster than a regular expression looks for them.
    """
    try:
        text.encode("latin-1", _OTHER_FINALS)
    except _OtherFinal:
        return False
    return True


def _chunks_work() -> bool:
    """Whether spaCy's tokenization here is chunk by chunk as described above.

    It is unless a tokenizer exception holds whitespace inside a longer
    string, or a sentence-final character is longer than one character.
    """
    global _by_chunks, _final_char, _final_latin, _final_other
    if _by_chunks is None:
        nlp = sentence_pipeline()
        chars = sorted(nlp.get_pipe("sentencizer").punct_chars)  # type: ignore[attr-defined]
        rules = nlp.tokenizer.rules or {}  # type: ignore[union-attr]
        spaced = any(len(k) > 1 and any(c.isspace() for c in k) for k in rules)
        latin = [c for c in chars if c <= "\xff"]
        if latin and not spaced and all(len(c) == 1 and not c.isspace() for c in chars):
            # a class of many characters beyond U+00FF is ten times slower to look for
            _final_char = re.compile("[" + "".join(re.escape(c) for c in chars) + r"]\S*")
            _final_latin = re.compile("[" + "".join(re.escape(c) for c in latin) + r"]\S*")
            _final_other = frozenset(chars) - frozenset(latin)
        _by_chunks = _final_char is not None
    return _by_chunks


def _chunk_info(chunk: str) -> tuple[tuple[int, ...], bool, int | None]:
    """For one chunk (no whitespace in it), from spaCy's tokens of it: the offsets at which a sentence
    begins after a final token of the chunk, whether a final token is still waiting for its next
    sentence at the chunk's end, and the offset of its first token that is neither punctuation nor
    final (None: there is none).
    """
    found = _chunk_cache.get(chunk)
    if found is None:
        nlp = sentence_pipeline()
        finals = nlp.get_pipe("sentencizer").punct_chars  # type: ignore[attr-defined]
        inside: list[int] = []
        first: int | None = None
        waiting = False
        for token in nlp.tokenizer(chunk):
            if token.text in finals:
                waiting = True
            elif not token.is_punct:
                if first is None:
                    first = token.idx
                if waiting:
                    inside.append(token.idx)
                    waiting = False
        found = (tuple(inside), waiting, first)
        if len(_chunk_cache) >= _CHUNK_CACHE_LIMIT:
            _chunk_cache.clear()
        _chunk_cache[chunk] = found
    return found


def _after_chunk(text: str, end: int) -> int:
    """Where the next sentence begins when a final token waits at the end of the chunk ending at ``end``.

    A whitespace token (any whitespace but the one space that follows a
    token) begins it; else the first token of the next chunks that is
    neither punctuation nor final. ``len(text)``: no token follows.
    """
    size = len(text)
    while end < size:
        if text[end] != " ":
            return end  # a whitespace token
        start = end + 1
        if start >= size:
            return size  # a single space at the end is no token
        char = text[start]
        if char.isspace():
            return end  # more than one space: a whitespace token
        if char.isalnum():
            return start  # a token beginning with a letter or digit is no punctuation
        found = _SPACE.search(text, start)
        end = found.start() if found is not None else size
        first = _chunk_info(text[start:end])[2]
        if first is not None:
            return start + first
    return size


def _sentence_starts(text: str) -> list[int]:
    """Where spaCy's sentencizer begins a sentence in ``text`` (a document), by chunks: sorted offsets.

    A sentence that begins with whitespace begins at its first word once trimmed.
    """
    starts = [0]
    append = starts.append
    done = 0  # the end of the chunk last read
    size = len(text)
    cache = _chunk_cache
    finals = _final_latin if _latin_finals_only(text) else _final_char
    # Each match is a final character and the rest of its chunk (up to the
    # next whitespace), so the next match lies in a chunk not yet read.
    for match in finals.finditer(text):
        at, end = match.span()
        start = at
        while start > done and not text[start - 1].isspace():
            start -= 1
        done = end
        chunk = text[start:end]
        found = cache.get(chunk)
        inside, waiting, _first = found if found is not None else _chunk_info(chunk)
        for offset in inside:
            append(start + offset)
        if waiting:
            after = end + 1
            # the common case of _after_chunk: one space, then a letter or digit
            if after < size and text[end] == " " and text[after].isalnum():
                append(after)
            else:
                append(_after_chunk(text, end))
    return starts


def _chunk_sentence_lists(texts: list[str]) -> tuple[list[int], list[int], list[int]]:
    """Every sentence of ``texts`` as three lists (its text's index, start, end), by chunks.

    The texts are read as one, joined by line breaks: a line break is a
    whitespace token, which begins a sentence after a final character, so no
    text's sentences run on into the next; each text's first word begins a
    sentence, and each sentence is trimmed of whitespace.
    """
    if not texts:
        return [], [], []
    joined = "\n".join(texts)
    offsets = list(accumulate([len(text) + 1 for text in texts[:-1]], initial=0))
    # (an offset found twice makes an empty sentence between the two, which is left out below)
    starts = sorted(_sentence_starts(joined) + offsets)
    starts.append(len(joined))
    which: list[int] = []
    a: list[int] = []
    b: list[int] = []
    t, last = 0, len(texts) - 1
    following = offsets[1] if last else len(joined) + 1
    for start, end in zip(starts, starts[1:]):
        while start < end and joined[start].isspace():
            start += 1
        while end > start and joined[end - 1].isspace():
            end -= 1
        if start < end:
            while start >= following:
                t += 1
                following = offsets[t + 1] if t < last else len(joined) + 1
            which.append(t)
            a.append(start - offsets[t])
            b.append(end - offsets[t])
    return which, a, b


def _sentence_lists(texts: list[str]) -> tuple[list[int], list[int], list[int]]:
    """``_sentence_arrays`` as lists, each end moved back over any whitespace it holds.

    Segmented by chunks (:func:`_chunk_sentence_lists`) where spaCy's
    tokenizer works so; otherwise texts longer than :data:`PIECE` are
    segmented by :func:`_long_sentences`.
    """
    if texts and _chunks_work():
        return _chunk_sentence_lists(texts)
    if not texts or max(map(len, texts)) <= PIECE:
        return _short_sentence_lists(texts)
    long = [i for i, t in enumerate(texts) if len(t) > PIECE]
    is_long = set(long)
    short = [i for i in range(len(texts)) if i not in is_long]
    which, a, b = _short_sentence_lists([texts[i] for i in short])
    rows = [(short[w], s, e) for w, s, e in zip(which, a, b)]
    for i in long:
        rows.extend((i, s, e) for s, e in _long_sentences(texts[i]))
    rows.sort()
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def _cut(text: str, start: int, stop: int) -> int:
    """Where to end a piece ``text[start:stop]``: at its last space in the second half, else at ``stop``."""
    half = start + (stop - start) // 2
    space = max(text.rfind(" ", half, stop), text.rfind("\n", half, stop), text.rfind("\t", half, stop))
    return space if space > start else stop


def _long_sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of a text of any length, segmented a piece of at most :data:`PIECE` characters at a time.

    Each piece ends at a space. Its last sentence may go on in the next
    piece, so the next piece begins where that sentence begins and reads it
    again: the sentencizer decides a boundary from the tokens before it, so
    every other sentence of the piece is the one spaCy would find in the
    whole text. Only a stretch of more than a piece without any sentence
    boundary is joined across the cut.
    """
    out: list[tuple[int, int]] = []
    size = len(text)
    pos = 0
    open_start: int | None = None  # a sentence begun in an earlier piece that goes on
    open_end = 0
    while pos < size:
        end = size if size - pos <= PIECE else _cut(text, pos, pos + PIECE)
        _which, a, b = _short_sentence_lists([text[pos:end]])
        spans = [(pos + s, pos + e) for s, e in zip(a, b)]
        if spans and open_start is not None:
            spans[0] = (open_start, spans[0][1])
            open_start = None
        if end == size:
            out.extend(spans)
            break
        if len(spans) >= 2:
            out.extend(spans[:-1])
            pos = spans[-1][0]  # read the last sentence again with what follows it
        else:
            if spans:
                open_start, open_end = spans[0]
            pos = end
    if open_start is not None:
        out.append((open_start, open_end))
    return out


def _short_sentence_lists(texts: list[str]) -> tuple[list[int], list[int], list[int]]:
    """``_sentence_arrays`` as lists, each end moved back over any whitespace it holds.

    A sentence ends at the end of a word token, or, clipped, at its text's
    end: only a text that ends in whitespace can leave some inside a sentence.
    """
    which, a, b = (x.tolist() for x in _sentence_arrays(texts))
    if any(t[-1:].isspace() for t in texts):
        for i, (t, start, end) in enumerate(zip(which, a, b)):
            text = texts[t]
            while end > start and text[end - 1].isspace():
                end -= 1
            b[i] = end
    return which, a, b


def sentence_spans(texts: Iterable[str]) -> list[list[list[int]]]:
    """For each text, its sentences as ``[start, end]`` character offsets (see ``_sentence_arrays``)."""
    texts = list(texts)
    out: list[list[list[int]]] = [[] for _ in texts]
    for t, start, end in zip(*_sentence_lists(texts)):
        out[t].append([start, end])
    return out


def sentence_json(texts: Sequence[str]) -> list[str]:
    """For each text, its sentences as the compact JSON the passages table stores.

    ``sentence_spans`` written as ``[[0,12],[13,40]]``; a text without a
    sentence (only punctuation or space, say) is one sentence of its own.
    """
    texts = list(texts)
    which, a, b = _sentence_lists(texts)
    # Every text's JSON written by one %-formatting of all offsets, its
    # template chosen by its number of sentences: no call per sentence.
    counts = [0] * len(texts)
    for t in which:
        counts[t] += 1
    values: list[int] = [0] * (2 * len(a))
    values[0::2] = a
    values[1::2] = b
    templates = _SENTENCE_TEMPLATES
    parts = []
    for text, count in zip(texts, counts):
        if count:
            template = templates.get(count)
            if template is None:
                template = "[" + ",".join(["[%d,%d]"] * count) + "]"
                if count <= _TEMPLATES_KEPT:
                    templates[count] = template
            parts.append(template)
        else:
            parts.append(f"[[0,{len(text)}]]")
    return ("\n".join(parts) % tuple(values)).split("\n") if texts else []


#: Sentence count → the %-template of a text's JSON with that many sentences (up to a few dozen).
_SENTENCE_TEMPLATES: dict[int, str] = {}
_TEMPLATES_KEPT = 64


def lemmas(text: str) -> list[tuple[str, str, int, int]]:
    """The words of ``text`` as ``(lower-case form, lemma, start, end)``.

    The lemma of a capitalised word the table knows only in lower case
    (``Personalet`` first in a sentence) is that of its lower-case form.
    Annotations (``(griner)``, ``[pause]``) are no words; a text of any
    length is read a piece at a time.
    """
    from trivselkode.domain.annotations import mask

    nlp = lemma_pipeline()
    table = _lemma_table()
    text = mask(text)
    out = []
    pos = 0
    while pos < len(text):
        end = len(text) if len(text) - pos <= PIECE else _cut(text, pos, pos + PIECE)
        for tok in nlp(text[pos:end]):
            if tok.is_alpha:
                start = pos + tok.idx
                form = tok.lower_
                lemma = (tok.lemma_ or tok.text).lower()
                if lemma == form:  # the table is looked up as written: "Personalet" first in a sentence
                    lemma = str(table.get(form) or lemma).lower()
                out.append((form, lemma, start, start + len(tok.text)))
        pos = end
    return out


_known_lemmas: frozenset[str] | None = None


def _lemma_table() -> Any:
    """The lookup lemmatizer's ``lemma_lookup`` table (inflected form -> lemma; keys are hashed)."""
    return lemma_pipeline().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]


def known_forms(forms: Iterable[str]) -> frozenset[str]:
    """The lower-case word forms among ``forms`` that the lemma table knows.

    A form is known when the table lists it as an inflected form or as a
    lemma: ``biblioteket``, ``sidder`` and ``fredag`` are known words, a
    misspelling like ``velkomen`` or a new compound like
    ``tryghedsfølelse`` is not. Loads spaCy on first use, so it runs in the
    helper process or a CLI, never in the TUI's own process.
    """
    global _known_lemmas
    table = _lemma_table()
    with _lock:
        if _known_lemmas is None:
            _known_lemmas = frozenset(str(v).lower() for v in table.values())
        lemmas = _known_lemmas
    return frozenset(f for f in forms if f in lemmas or f in table)


def analyze(text: str) -> tuple[list[tuple[str, str, int, int]], frozenset[str]]:
    """:func:`lemmas` of ``text`` and the forms among them the lemma table knows (:func:`known_forms`)."""
    words = lemmas(text)
    return words, known_forms({w[0] for w in words})
