"""The import's shortcuts give what the long way gives: word counts, front matter, sentences' JSON."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from trivselkode.domain.nlp import (
    _latin_finals_only,
    _sentence_starts,
    sentence_json,
    sentence_pipeline,
    sentence_spans,
)
from trivselkode.domain.text import marks, words_of_marks
from trivselkode.domain.yamlguard import check_yaml
from trivselkode.importers.metadata_yaml import (
    _SAFE_LOADER,
    MAX_YAML_DEPTH,
    _line_finder,
    _plain_line_finder,
    _plain_mapping,
    load_yaml_mapping,
)

# --------------------------------------------------------------------------- word counts and digits

SPACES = [" ", "\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u1680", "\u2003", "\u2028", "\u3000"]
DIGITS = ["0", "7", "9", "٣", "０", "²", "½"]  # ASCII, Arabic-Indic and full-width decimal digits; not decimal: ² ½
OTHERS = ["a", "Æ", "ø", "–", "…", "🙂", "\x00", "\u200b", "\ufeff", "\udc80", "."]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SPACES + DIGITS + OTHERS), max_size=40).map("".join))
@example("")
@example(" ")
@example("ord")
@example(" 123456 ")
@example("12345٦")
def test_word_count_and_six_digits_as_split_and_the_regex(text):
    marked = marks(text)
    assert len(marked) == len(text)
    assert words_of_marks(marked) == len(text.split())
    assert (b"111111" in marked) == (re.search(r"\d\d\d\d\d\d", text) is not None)


# --------------------------------------------------------------------------- front matter

KEYS = ["title", "kind", "site", "id", "role", "age", "gender", "yes", "on", "null", "Null", "x_1", "_k", "True"]
VALUES = ["interview", "Benchmark 1, Randers", "P1", "I", "1", "0", "34", "012", "0o7", "1_000", "0x1F", "+1", "-1",
          "1.5", "1e5", "1.", ".5", ".inf", "1:20", "12:30", "2024-01-02", "2024-01-02 10:00", "yes", "No", "ON", "y",
          "null", "~", "true", "False", "a b", "a  b", "a, b", "a: b", "a:b", "a #b", "a#b", "'q'", '"q"', "it's",
          "[x]", "{x}", "*x", "&x", "!x", "|", "> x", "%x", "@x", "`x", "-x", "- x", "x -", "?x", "x?", "Ø", "æble",
          "søndag", "=", "<<", "a\tb", "a ", " a", "", "a\\b", "1,5", "kl. 10", "10 år", "a\u2028b", "a\xa0b", "€"]  # fmt: skip
keys = st.sampled_from(KEYS)
values = st.one_of(st.sampled_from(VALUES), st.text(alphabet="ab1 :,#-.'\"{}[]\t", max_size=6))
indent = st.integers(1, 4).map(" ".__mul__)
entries = st.lists(st.tuples(keys, values), min_size=1, max_size=4).map(lambda e: ", ".join(f"{k}: {v}" for k, v in e))
lines = st.one_of(
    st.tuples(keys, values).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    keys.map("{}:".format),
    st.just("participants:"),
    st.tuples(indent, entries).map(lambda ie: f"{ie[0]}- {{{ie[1]}}}"),
    st.tuples(indent, keys, values).map(lambda ikv: f"{ikv[0]}- {ikv[1]}: {ikv[2]}"),
    st.tuples(indent, keys, values).map(lambda ikv: f"{ikv[0]}{ikv[1]}: {ikv[2]}"),
    st.sampled_from(["", " ", "# note", "---", "  - P1", "- {id: I}", "  -  {id: I}", "  - { id: I }", "  a: &x b"]),
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Front matter mostly in the shape the shortcut reads (keys, a list of participants), with tricky values
    now and then (and a key twice, a misplaced line)."""
    out: list[str] = []
    simple = st.sampled_from(["interview", "P1", "I", "34", "0", "a b", "æble", "Benchmark 1, Randers", "x-y"])
    plain = st.one_of(simple, simple, simple, simple, values)
    some_keys = st.one_of(st.sampled_from(["title", "kind", "site", "id", "role", "age", "gender", "x_1"]), keys)
    for key in draw(st.lists(some_keys, min_size=1, max_size=5, unique=True)):
        if draw(st.integers(0, 2)):
            out.append(f"{key}: {draw(plain)}")
            continue
        out.append(f"{key}:")
        spaces = draw(indent)
        for _ in range(draw(st.integers(1, 3))):
            pairs = draw(st.lists(st.tuples(some_keys, plain), min_size=1, max_size=3, unique_by=lambda kv: kv[0]))
            if draw(st.booleans()):
                out.append(f"{spaces}- {{{', '.join(f'{k}: {v}' for k, v in pairs)}}}")
            else:
                out.append(f"{spaces}- {pairs[0][0]}: {pairs[0][1]}")
                out.extend(f"{spaces}  {k}: {v}" for k, v in pairs[1:])
            if draw(st.integers(0, 5)) == 0:
                out.append(
                    draw(st.sampled_from(["", "# x", spaces + "  x: y", spaces + "   x: y", " x: y", "title: z"]))
                )
    return "\n".join(out)


PATHS = [(), ("title",), ("kind",), ("participants",), ("participants", 0), ("participants", 1), ("participants", 9),
         ("participants", -1), ("participants", True), ("participants", "id"), ("participants", 0, "id"),
         ("participants", 0, "age"), ("participants", 1, "role"), ("participants", 0, "id", 0), ("title", 0), ("no",)]  # fmt: skip


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (``1 == True == 1.0`` are not the same value here)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def loaded(text: str) -> tuple[Any, Any] | None:
    """What the YAML loader makes of ``text``: (data, node), or None when it refuses it."""
    loader = _SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


BENCH = (
    "title: Benchmark 1, Randers\nkind: interview\nsite: Randers\ncontext: bibliotek\nround: 1\n"
    "participants:\n  - {id: I, role: interviewer}\n  - {id: P1, gender: mand, age: 82}\n"
)
BLOCK = (
    "\ntitle: Samtale\n\nparticipants:\n\n  - id: I\n    role: interviewer\n\n  - id: P1\n    age: 34\nkind: voxpop\n"
)


@settings(max_examples=800, deadline=None)
@given(st.one_of(documents(), st.lists(lines, min_size=1, max_size=9).map("\n".join)), st.sampled_from(["", "\n"]))
@example(BENCH, "")
@example(BLOCK, "")
@example("participants:\n  - {id: I}\n  - {id: I}\n  - {id: P1, id: P2}", "")
@example("title: a\ntitle: b", "\n")
@example("participants:\n  - id: I\n     role: x", "")
@example("participants:\n  - id: I\n  role: x", "")
@example("participants:\n   - {id: I}\n  - {id: P1}", "")
@example("title: a\n  b", "")
def test_plain_front_matter_reads_as_the_yaml_loader_reads_it(text, end):
    """Whatever the shortcut reads is what the YAML loader reads, typed alike, with the same lines; it reads
    nothing the loader refuses, and all of it passes the limits of yamlguard."""
    text += end
    fast = _plain_mapping(text)
    if fast is None:
        return
    slow = loaded(text)
    assert slow is not None, text
    data, node = slow
    assert isinstance(data, dict)
    assert same(fast[0], data), (text, fast[0], data)
    fast_line, slow_line = _plain_line_finder(fast[1], 2), _line_finder(node, 2)
    assert [fast_line(p) for p in PATHS] == [slow_line(p) for p in PATHS], text
    check_yaml(text, max_depth=MAX_YAML_DEPTH, max_extra=0)
    # and what load_yaml_mapping returns is the loader's, but for the shortcut
    mapping, line_of = load_yaml_mapping(text, "f.txt", 2)
    assert same(mapping, data)
    assert [line_of(p) for p in PATHS] == [slow_line(p) for p in PATHS]


def test_the_common_front_matter_takes_the_shortcut_and_anything_else_the_loader():
    assert _plain_mapping(BENCH) is not None
    assert _plain_mapping(BLOCK) is not None
    assert same(_plain_mapping(BENCH)[0]["participants"][1], {"id": "P1", "gender": "mand", "age": 82})  # type: ignore[index]
    for text in ("round: 1.5\n", "date: 2024-01-02\n", "title: 'x'\n", "a: &x b\nc: *x\n", "a:\n", "a: yes\n"):
        assert _plain_mapping(text) is None, text
        assert same(load_yaml_mapping(text, "f.txt")[0], loaded(text)[0])  # type: ignore[index]


# --------------------------------------------------------------------------- sentences


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["Ja.", "Nej!", "Hm", "kl.", "…", "–", "。", "x", "\n", "?"]), max_size=150).map(
            " ".join
        ),
        min_size=1,
        max_size=6,
    )
)
def test_sentence_json_of_many_sentences_is_the_spans(texts):
    """The JSON written by templates (kept up to a few dozen sentences, built beyond) is the spans' JSON."""
    spans = sentence_spans(texts)
    assert sentence_json(texts) == [json.dumps(s or [[0, len(t)]], separators=(",", ":")) for s, t in zip(spans, texts)]


def test_a_final_character_beyond_latin_1_is_seen_wherever_it_is():
    sentence_spans(["x"])  # loads the pipeline and its final characters
    assert _latin_finals_only("Hej. Med – dig… 🙂 ja")
    assert not _latin_finals_only("Hej – dig。Ja")
    assert not _latin_finals_only("🙂‼")
    nlp = sentence_pipeline()
    for text in ("Hej – dig。 Ja! Nej", "Hej–dig。Ja! Nej", "Ja… nej‼ Hm"):
        assert _sentence_starts(text) == [s.start_char for s in nlp(text).sents]


def test_parallel_import_parses_only_a_few_files_ahead_of_the_one_stored():
    """The parsed files waiting for the (slower) storing stay a bounded few, however many files there are."""
    from concurrent.futures import Future
    from pathlib import Path

    from trivselkode.importers import pipeline

    submitted: list[Path] = []

    class Pool:  # what _in_order asks of a ProcessPoolExecutor: submit
        def submit(self, fn, job):
            submitted.append(job[0])
            done: Future = Future()
            done.set_result(f"parsed {job[0].name}")
            return done

    jobs = [(Path(f"f{i}.txt"),) for i in range(100)]
    taken = []
    for path, result in pipeline._in_order(Pool(), jobs, window=6):
        assert len(submitted) <= len(taken) + 1 + 6
        taken.append((path, result))
    assert taken == [(Path(f"f{i}.txt"), f"parsed f{i}.txt") for i in range(100)]
    assert submitted == [p for (p,) in jobs]
