"""Grouped segmentation gives exactly spaCy's per-turn sentences."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from trivselkode.cli.project import demo_source_files
from trivselkode.domain.nlp import sentence_json, sentence_pipeline, sentence_spans
from trivselkode.importers.formats import parse_file

TRICKY = ["Ja.", '"Ja."', "- Nej", "„Hej“", "...", "?", "!", "x", "Dr.", "kl.", "10:30", "æble", "\n", "(pause)",
          "–", "«Nej»", "Hm", "…", "🙂", " . x ", "I:", "ØL!"]  # fmt: skip


def per_turn(texts: list[str]) -> list[list[list[int]]]:
    """spaCy's sentences of each text as its own document (trimmed of whitespace)."""
    out = []
    for doc in sentence_pipeline().pipe(texts):
        spans = []
        for sent in doc.sents:
            a, b = sent.start_char, sent.end_char
            piece = doc.text[a:b]
            a += len(piece) - len(piece.lstrip())
            b -= len(piece) - len(piece.rstrip())
            if a < b:
                spans.append([a, b])
        out.append(spans)
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(TRICKY), min_size=1, max_size=10).map(" ".join), min_size=1, max_size=45))
def test_same_as_one_document_per_turn(texts):
    texts = [t.strip() or "a" for t in texts]
    assert sentence_spans(texts) == per_turn(texts)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(TRICKY + [" ", "\t", "\xa0", "\n\n"]), min_size=1, max_size=8).map("".join),
        min_size=1,
        max_size=45,
    )
)
def test_unstripped_texts_and_the_stored_json(texts):
    """Texts with space at either end (or nothing else) segment as on their own, and the
    JSON the passages table stores says the same (a text without a sentence is one whole)."""
    spans = sentence_spans(texts)
    assert spans == per_turn(texts)
    assert sentence_json(texts) == [json.dumps(s or [[0, len(t)]], separators=(",", ":")) for s, t in zip(spans, texts)]


def test_same_on_the_demo_transcripts():
    texts = []
    for path in demo_source_files():
        texts += [t.text for t in parse_file(path, text_column="svar").turns]
    assert len(texts) > 400
    assert sentence_spans(texts) == per_turn(texts)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(
                TRICKY
                + [" ", "\t", "\xa0", "\n\n", "  ", "(", ")", '"', "»", "Nej!?", "1.", "。", "‼", "؟", "！", "Ja。"]
            ),
            min_size=0,
            max_size=14,
        ).map("".join),
        min_size=1,
        max_size=20,
    )
)
def test_by_chunks_as_spacy_in_any_spacing(texts):
    """Segmenting chunk by chunk finds spaCy's sentences however the words are glued or spaced."""
    assert sentence_spans(texts) == per_turn(texts)


def test_by_chunks_is_taken_and_the_token_arrays_remain_the_fallback(monkeypatch):
    import trivselkode.domain.nlp as nlp

    assert nlp._chunks_work()  # spaCy's Danish tokenizer works chunk by chunk
    texts = []
    for path in demo_source_files():
        texts += [t.text for t in parse_file(path, text_column="svar").turns]
    by_chunks = sentence_spans(texts)
    monkeypatch.setattr(nlp, "_by_chunks", False)
    assert sentence_spans(texts) == by_chunks == per_turn(texts)


def test_a_text_longer_than_spacys_limit_by_chunks():
    """No piece-wise reading is needed by chunks: the sentences of a whole long text are spaCy's in its pieces."""
    text = " ".join(["Jeg kommer her hver uge, og (pause) det er godt. Ja!"] * 30_000)  # 1.6M characters
    spans = sentence_spans([text])[0]
    assert len(spans) == 60_000
    assert spans[:3] == per_turn([text[:200]])[0][:3]
    assert all(text[a:b] in ("Jeg kommer her hver uge, og (pause) det er godt.", "Ja!") for a, b in spans)
