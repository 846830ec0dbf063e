"""Word frequencies of coded passages: the most frequent lemmas, and keyword in context.

Which passages: those carrying the code (``code``; with ``rollup`` a code
below it too), else every coded passage, under the report's selection of
codings (the consensus by default when none of its disagreements is open,
else the union). Only participants' turns count: an interviewer's question
is not what the people studied said.

Which words: spaCy's words of the passage (:func:`trivselkode.domain.nlp.lemmas`:
letters only, transcription annotations such as ``(griner)`` and ``[pause]``
left out), lemmatised with the lookup table (``biblioteket`` and
``Biblioteket`` count as ``bibliotek``), Danish stop words (spaCy's list: og,
jeg, det …; and speech's fillers: øh, ja, bare) and one-letter words left out. Per lemma: ``count`` (how often),
``passages`` (in how many passages) and its most frequent ``forms``.

With ``by`` the same per group of one attribute (the speaker's value;
``None`` is the unknown value, a group of its own).

:func:`kwic` lists every occurrence of a word's lemma (or the word itself)
with its left and right context, its source and passage number.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trivselkode.analysis.arrays import raw_rows, unique_sorted
from trivselkode.analysis.attributes import AgeBands, known_attributes, parse_by, sort_key
from trivselkode.analysis.basis import Selection
from trivselkode.analysis.frequencies import CodeInfo, load_project_data
from trivselkode.errors import TrivselError
from trivselkode.i18n import _

#: How many characters of context each side of a keyword.
CONTEXT = 40


@dataclass
class WordCount:
    lemma: str
    count: int
    passages: int
    forms: list[str]

    def record(self) -> dict[str, Any]:
        return {"lemma": self.lemma, "count": self.count, "passages": self.passages, "forms": self.forms}


@dataclass
class WordGroup:
    value: Any  # the attribute's value; None: unknown
    passages: int  # coded passages of the group
    words: list[WordCount]


@dataclass
class CodedText:
    passage_id: int
    source: str
    number: int
    text: str
    group: Any


@dataclass
class WordsResult:
    codes: list[CodeInfo]  # the code asked for (and with rollup the codes below it); empty: every coded passage
    by: str | None
    selection: Selection
    passages: int  # coded passages read (participants' turns)
    tokens: int  # words counted (stop words and annotations left out)
    words: list[WordCount]  # over every passage
    groups: list[WordGroup] = field(default_factory=list)  # with ``by``
    top: int = 20


@dataclass
class KwicLine:
    left: str
    word: str
    right: str
    source: str
    passage: int
    group: Any = None


@dataclass
class KwicResult:
    word: str
    lemma: str
    codes: list[CodeInfo]
    by: str | None
    selection: Selection
    lines: list[KwicLine]


#: Words of speech that spaCy's (written-language) list lacks: fillers and answers ("øh", "ja", "bare", "når").
SPOKEN_STOP_WORDS = frozenset(
    "altså bare godt ja jo lidt lige mm mhm nej nok nu når o.k ok okay sådan så øh øhm hmm hm".split()
)


def stop_words() -> frozenset[str]:
    """spaCy's Danish stop words and :data:`SPOKEN_STOP_WORDS`, lower-case."""
    from spacy.lang.da.stop_words import STOP_WORDS

    return frozenset(str(w).lower() for w in STOP_WORDS) | SPOKEN_STOP_WORDS


def words_of(text: str) -> list[tuple[str, str, int, int]]:
    """``(form, lemma, start, end)`` of the words of ``text`` (annotations left out; stop words kept)."""
    from trivselkode.domain import nlp

    return nlp.lemmas(text)


def coded_texts(
    project: Any,
    *,
    code: str | Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
    rollup: bool = False,
    age_bands: AgeBands | None = None,
    coder: str | None = None,
    union: bool = False,
    consensus: bool = False,
    coders: str | Sequence[str] | None = None,
) -> tuple[list[CodedText], list[CodeInfo], str | None, Selection, AgeBands]:
    """The coded passages of participants (of ``code``, else all), with their group of ``by``."""
    age_bands = age_bands or AgeBands()
    data = load_project_data(project, coder=coder, union=union, consensus=consensus, coders=coders, age_bands=age_bands)
    names = parse_by(by, known_attributes(data.participants.values())) if by else []
    if len(names) > 1:
        raise TrivselError(_("ordlisten fordeler på én egenskab"), _("angiv én egenskab, fx --by site"))
    attribute = names[0] if names else None
    if code:
        chosen = data.book.resolve(code)
        _r, passage, _c = data.codings.mapped(data.book, chosen, rollup)
    else:
        chosen, passage = [], data.codings.passage
    ids = [int(p) for p in unique_sorted(np.asarray(passage, dtype=np.int64))]
    out: list[CodedText] = []
    with project.read() as session:
        for lo in range(0, len(ids), 500):
            chunk = ids[lo : lo + 500]
            rows = raw_rows(
                session,
                "SELECT passage.id, source.name, passage.number, passage.text, passage.participant_id "
                "FROM passage JOIN source ON source.id = passage.source_id "
                f"WHERE passage.id IN ({', '.join(str(i) for i in chunk)})",
            )
            for pid, source, number, text, participant in rows:
                info = data.participants.get(int(participant))
                if info is None or info.is_interviewer:
                    continue
                group = info.attrs.get(attribute) if attribute else None
                out.append(CodedText(int(pid), str(source), int(number), str(text), group))
    out.sort(key=lambda t: (t.source, t.number))
    return out, list(chosen), attribute, data.selection, age_bands


def _count(texts: Sequence[CodedText], stops: frozenset[str], top: int) -> tuple[list[WordCount], int]:
    counts: Counter[str] = Counter()
    in_passages: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    tokens = 0
    for item in texts:
        seen: set[str] = set()
        for form, lemma, _s, _e in words_of(item.text):
            if len(form) < 2 or form in stops or lemma in stops:
                continue
            tokens += 1
            counts[lemma] += 1
            forms[lemma][form] += 1
            seen.add(lemma)
        in_passages.update(seen)
    ranked = sorted(counts, key=lambda w: (-counts[w], -in_passages[w], w))
    if top > 0:
        ranked = ranked[:top]
    words = [
        WordCount(
            w, counts[w], in_passages[w], [f for f, _n in sorted(forms[w].items(), key=lambda x: (-x[1], x[0]))[:3]]
        )
        for w in ranked
    ]
    return words, tokens


def word_frequencies(project: Any, *, top: int = 20, **options: Any) -> WordsResult:
    """The ``top`` lemmas (0: all) of the coded passages (see the module doc); ``options`` as :func:`coded_texts`."""
    texts, codes, attribute, selection, age_bands = coded_texts(project, **options)
    stops = stop_words()
    words, tokens = _count(texts, stops, top)
    groups: list[WordGroup] = []
    if attribute:
        by_group: dict[Any, list[CodedText]] = defaultdict(list)
        for item in texts:
            by_group[item.group].append(item)
        for value in sorted(by_group, key=lambda v: sort_key(attribute, v, age_bands)):
            group_words, _n = _count(by_group[value], stops, top)
            groups.append(WordGroup(value, len(by_group[value]), group_words))
    return WordsResult(codes, attribute, selection, len(texts), tokens, words, groups, top)


def _flat(text: str) -> str:
    return " ".join(text.split())


def kwic(project: Any, word: str, *, width: int = CONTEXT, **options: Any) -> KwicResult:
    """Every occurrence of ``word``'s lemma (or of the word itself) in the coded passages, in context."""
    wanted = word.strip().lower()
    if not wanted or " " in wanted:
        raise TrivselError(_("--kwic tager ét ord"), _("skriv fx --kwic bibliotek"))
    texts, codes, attribute, selection, _bands = coded_texts(project, **options)
    found = words_of(wanted)
    lemma = found[0][1] if found else wanted
    lines: list[KwicLine] = []
    for item in texts:
        for form, lem, s, e in words_of(item.text):
            if lem != lemma and form != wanted:
                continue
            left = _flat(item.text[:s])
            right = _flat(item.text[e:])
            if len(left) > width:
                left = "…" + left[-(width - 1) :]
            if len(right) > width:
                right = right[: width - 1] + "…"
            lines.append(KwicLine(left, item.text[s:e], right, item.source, item.number, item.group))
    return KwicResult(word.strip(), lemma, codes, attribute, selection, lines)
