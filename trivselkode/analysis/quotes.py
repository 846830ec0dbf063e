"""Representative quotes: per code, the N best passages or sub-spans.

Candidates are the participants' passages (never an interviewer's) that
carry the code under the selection (one coder, the union, or the consensus;
the default as for every report, see :mod:`trivselkode.analysis.basis`).
They are ranked in tiers:

1. passages pinned on the command line (``--pin SOURCE#N``), in the order given;
2. starred passages (a ``Star`` by any coder marks a quote candidate);
3. passages the consensus carries firmly (both coders coded it, or it was settled so);
4. passages more coders agree on (the number of coders other than the consensus).

A candidate must be quotable. Its text is the coded sub-span (the
consensus's, else the one most coders marked) widened to whole sentences, or
else the whole passage; short fragments without a keyword at either end
(answers like "Lyset." that need the question) are dropped; a passage of
more than 40 words is narrowed to the sentences from its first to its last
keyword sentence, widened with neighbouring sentences towards 25 words; one
longer than ``max_words`` is cut to the best run of whole sentences, or to
the keyword sentences joined by " […] " when they hold more keywords. The
result must have ``min_words``–``max_words`` words; pinned and starred
passages are exempt from the minimum. Every piece of a quote is verbatim
from the passage text (``passage.text[start:end]``).

Keywords are lemmas; a word matches a keyword by a deterministic prefix rule
(no spaCy): a keyword of five letters or more ending in "e" drops the "e";
a stem of four letters or more matches any word beginning with it ("tryg"
→ "trygt", "trygge", "tryghed"); a shorter one matches itself with a common
inflection ("ro" → "ro", "roen", but not "roman").

Picking, per code: always the best eligible candidate of the highest tier,
where eligible means quotable, not a near-duplicate (rapidfuzz) of one
already picked, and from a participant who has not yet been quoted for the
code — until every participant with a quotable candidate has had a turn.
Within a tier the candidates are taken round-robin over participants and
over (library, gender), and among the first few the one whose library and
gender are not yet represented wins, then one whose speaker no earlier code
quotes, then one with a keyword, then the one nearest 25 words. A passage an
earlier code already quotes is taken only when nothing else is left. Ties
are broken by source name and passage number, so the same project always
gives the same quotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

import numpy as np
from sqlmodel import Session, col, select

from trivselkode.analysis.arrays import int_column, max_id, unique_sorted
from trivselkode.analysis.attributes import AgeBands, ParticipantInfo, attribution, check_lang
from trivselkode.analysis.basis import Selection
from trivselkode.analysis.frequencies import CodeInfo, load_project_data
from trivselkode.domain.annotations import mask as mask_annotations
from trivselkode.domain.annotations import spoken_word_count
from trivselkode.errors import NotFound, TrivselError
from trivselkode.storage.db import Project
from trivselkode.storage.models import Coding, Passage, Source, Star

ELLIPSIS = " […] "
QUOTE_KEYS = ("code", "text", "attribution", "source", "passage")
WINDOW = 12  # eligible candidates weighed against each other within a tier
FRAGMENT = 4  # a sentence of fewer words without a keyword is a fragment at a quote's edge
FOCUS_WORDS = 40  # a passage longer than this is narrowed to its keyword sentences
TARGET_WORDS = 25  # the length a quote is widened towards, and preferred at
NEAR_DUPLICATE = 85  # rapidfuzz ratio (and 95 for partial_ratio) that makes two quotes one


@dataclass
class Quote:
    code: str
    text: str
    attribution: str
    source: str
    passage: int
    participant: str = ""
    pieces: list[tuple[int, int]] = field(default_factory=list)  # offsets into the passage text
    pinned: bool = False
    starred: bool = False
    consensus: bool = False
    open: bool = False  # an open disagreement counted in (consensus only)
    coders: int = 0
    passage_id: int = field(default=0, repr=False)
    quality: tuple = field(default=(), repr=False, compare=False)

    def row(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "attribution": self.attribution,
            "source": self.source,
            "passage": self.passage,
        }


@dataclass
class CodeQuotes:
    code: CodeInfo
    quotes: list[Quote]
    candidates: int = 0


@dataclass
class QuoteCollection:
    codes: list[CodeQuotes]
    selection: Selection
    lang: str = "da"
    warnings: list[str] = field(default_factory=list)

    @property
    def quotes(self) -> list[Quote]:
        return [q for c in self.codes for q in c.quotes]

    def rows(self) -> list[dict[str, Any]]:
        """The JSON rows; with the consensus as basis each also has ``open_disagreements`` (0 or 1)."""
        if self.selection.mode != "consensus":
            return [q.row() for q in self.quotes]
        return [{**q.row(), "open_disagreements": int(q.open)} for q in self.quotes]


# ---------------------------------------------------------------- references


def parse_ref(ref: str) -> tuple[str, int]:
    """``SOURCE#N`` → (source name, passage number)."""
    name, sep, number = ref.rpartition("#")
    if not sep or not name.strip() or not number.strip().isdigit() or int(number) < 1:
        raise TrivselError(f"'{ref}' er ikke en henvisning til et udsagn", "skriv KILDE#N, fx interview-3#12")
    return name.strip(), int(number)


def resolve_refs(session: Session, refs: Iterable[str]) -> list[tuple[str, int, int]]:
    """``(source, number, passage id)`` for each ``SOURCE#N``, refusing unknown ones."""
    out = []
    for ref in refs:
        name, number = parse_ref(ref)
        source_id = session.exec(select(Source.id).where(Source.name == name)).first()
        if source_id is None:
            from trivselkode.storage.lookup import source_by_name

            source_by_name(session, name)  # raises with suggestions
        pid = session.exec(select(Passage.id).where(Passage.source_id == source_id, Passage.number == number)).first()
        if pid is None:
            raise NotFound(f"kilden '{name}' har intet udsagn nr. {number}", f"tjek henvisningen '{ref}'")
        out.append((name, number, int(pid)))
    return out


# ---------------------------------------------------------------- keywords and trimming


@lru_cache(maxsize=4096)
def keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern matching any of the lemma keywords by the prefix rule (see the module doc)."""
    parts = []
    for kw in sorted({k.strip().lower() for k in keywords if k and k.strip()}):
        stem = kw[:-1] if len(kw) >= 5 and kw.endswith("e") else kw
        words = [re.escape(w) for w in stem.split()]
        body = r"\s+".join(words)
        if len(stem) >= 4:
            parts.append(rf"{body}\w*")
        else:
            parts.append(rf"{body}(?:e|en|et|er|ere|erne|ene|ens|ets|s|t|r|ne)?\b")
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


def word_count(text: str) -> int:
    """The speaker's words in ``text``: transcription annotations (``(griner)``) are not counted."""
    return spoken_word_count(text)


def _sentences(text: str, sentences: Sequence[Sequence[int]] | None) -> list[tuple[int, int]]:
    spans = []
    for pair in sentences or ():
        s, e = int(pair[0]), int(pair[1])
        if 0 <= s < e <= len(text) and text[s:e].strip():
            spans.append((s, e))
    if not spans:
        stripped = text.strip()
        if not stripped:
            return []
        start = text.index(stripped[0])
        spans = [(start, start + len(stripped))]
    spans.sort()
    # An opening bracket left at the end of a sentence ("… sige. (")
    # belongs to the next one ("(pause) Jeg …").
    for k in range(len(spans) - 1):
        s, e = spans[k]
        cut = e
        while cut > s and (text[cut - 1] in _OPENERS or (text[cut - 1].isspace() and cut < e)):
            cut -= 1
        if cut < e and text[s:cut].strip():
            cut = _strip(text, s, cut)[1]
            spans[k] = (s, cut)
            nxt_s, nxt_e = spans[k + 1]
            opener = next(i for i in range(cut, e) if text[i] in _OPENERS)
            spans[k + 1] = (min(opener, nxt_s), nxt_e)
    return spans


_OPENERS = "([{"  # quotation marks open or close depending on the language: left alone
# Transcription notes at a quote's edge: "(pause)", "[griner]".
_LEADING_NOTE = re.compile(r"\s*[\(\[][^\)\]\n]{1,40}[\)\]]\s*")
_TRAILING_NOTE = re.compile(r"\s*[\(\[][^\)\]\n]{1,40}[\)\]]\s*$")


def _tidy(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Leave transcription notes off the edges of a quote."""
    if not pieces:
        return pieces
    s, e = pieces[0]
    m = _LEADING_NOTE.match(text, s, e)
    if m and m.end() < e and text[m.end() : e].strip():
        pieces = [(m.end(), e), *pieces[1:]]
    s, e = pieces[-1]
    m = _TRAILING_NOTE.search(text, s, e)
    if m and m.start() > s and text[s : m.start()].strip():
        pieces = [*pieces[:-1], (s, m.start())]
    return [_strip(text, a, b) for a, b in pieces]


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


@dataclass
class Trimmed:
    pieces: list[tuple[int, int]]
    words: int
    hits: int


def trim(
    text: str,
    sentences: Sequence[Sequence[int]] | None,
    span: tuple[int, int] | None,
    pattern: re.Pattern[str] | None,
    min_words: int,
    max_words: int,
    lenient: bool = False,
) -> Trimmed | None:
    """The quotable pieces of a passage, or ``None`` when it cannot be quoted."""
    out = _trim(text, sentences, span, pattern, min_words, max_words, lenient)
    if out is None:
        return None
    pieces = _tidy(text, out.pieces)
    if pieces != out.pieces:
        words = sum(word_count(text[a:b]) for a, b in pieces)
        if words < min_words and not lenient:
            return out
        return Trimmed(pieces, words, out.hits)
    return out


def _trim(
    text: str,
    sentences: Sequence[Sequence[int]] | None,
    span: tuple[int, int] | None,
    pattern: re.Pattern[str] | None,
    min_words: int,
    max_words: int,
    lenient: bool,
) -> Trimmed | None:
    sents = _sentences(text, sentences)
    if span is not None:
        a, b = span
        region = [(s, e) for s, e in sents if s < b and e > a]
        if not region:
            s, e = _strip(text, max(0, a), min(len(text), b))
            region = [(s, e)] if s < e else []
    else:
        region = sents
    if not region:
        return None
    words = [word_count(text[s:e]) for s, e in region]
    hits = [len(pattern.findall(mask_annotations(text[s:e]))) if pattern else 0 for s, e in region]
    # Short answers to the interviewer's question ("Lyset.", "Ja, altså.") at either
    # end say little without the question: drop them when enough remains.
    while len(region) > 1 and words[0] < FRAGMENT and not hits[0] and sum(words[1:]) >= min_words:
        region, words, hits = region[1:], words[1:], hits[1:]
    while len(region) > 1 and words[-1] < FRAGMENT and not hits[-1] and sum(words[:-1]) >= min_words:
        region, words, hits = region[:-1], words[:-1], hits[:-1]
    total = sum(words)
    target = min(max(TARGET_WORDS, min_words), max_words)
    if span is None and total > min(FOCUS_WORDS, max_words) and any(hits):
        # A long passage: the sentences from the first to the last keyword, widened towards the target.
        i = next(k for k, h in enumerate(hits) if h)
        j = max(k for k, h in enumerate(hits) if h)
        count = sum(words[i : j + 1])
        if count <= max_words:
            while count < target:
                if j + 1 < len(region) and count + words[j + 1] <= max_words:
                    j += 1
                    count += words[j]
                elif i > 0 and count + words[i - 1] <= max_words:
                    i -= 1
                    count += words[i]
                else:
                    break
            if count >= min_words or lenient:
                return Trimmed([(region[i][0], region[j][1])], count, sum(hits[i : j + 1]))
    if total <= max_words:
        if total < min_words and not lenient:
            return None
        return Trimmed([(region[0][0], region[-1][1])], total, sum(hits))
    # Too long: the best contiguous run of sentences within max_words ...
    best: tuple | None = None
    for i in range(len(region)):
        count = hit = 0
        for j in range(i, len(region)):
            count += words[j]
            if count > max_words:
                break
            hit += hits[j]
            score = (hit, count >= min_words, count, -i)
            if best is None or score > best[0]:
                best = (score, i, j, count, hit)
    # ... or the keyword sentences themselves, joined by an ellipsis, when they hold more keywords.
    chosen: list[int] = []
    count = 0
    for idx in sorted((k for k in range(len(region)) if hits[k]), key=lambda k: (-hits[k], k)):
        if count + words[idx] <= max_words:
            chosen.append(idx)
            count += words[idx]
    chosen.sort()
    if chosen and (best is None or sum(hits[k] for k in chosen) > best[4]) and count >= min_words:
        pieces: list[tuple[int, int]] = []
        prev = None
        for k in chosen:
            if prev is not None and k == prev + 1:
                pieces[-1] = (pieces[-1][0], region[k][1])
            else:
                pieces.append(region[k])
            prev = k
        return Trimmed(pieces, count, sum(hits[k] for k in chosen))
    if best is not None and (best[3] >= min_words or lenient):
        _, i, j, count, hit = best
        return Trimmed([(region[i][0], region[j][1])], count, hit)
    if lenient:
        return Trimmed([(region[0][0], region[-1][1])], total, sum(hits))
    return None


def quote_text(text: str, pieces: Sequence[tuple[int, int]]) -> str:
    return ELLIPSIS.join(text[s:e] for s, e in pieces)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def near_duplicate(a: str, b: str) -> bool:
    """Two quotes that say the same: similar as a whole, or one (nearly) inside the other."""
    from rapidfuzz import fuzz

    a, b = _norm(a), _norm(b)
    if fuzz.ratio(a, b, score_cutoff=NEAR_DUPLICATE):
        return True
    return bool(fuzz.partial_ratio(a, b, score_cutoff=95))


# ---------------------------------------------------------------- candidates


@dataclass
class _Candidate:
    passage_id: int
    participant: ParticipantInfo
    pinned: bool
    starred: bool
    consensus: bool
    open: bool
    coders: int
    bucket: tuple
    order: tuple  # (source name, passage number)


class _Passages:
    """Passage texts, sentences, numbers and sub-spans, fetched in batches when needed."""

    def __init__(self, project: Project, selection: Selection, batch: int = 400) -> None:
        self.project = project
        self.selection = selection
        self.batch = batch
        self.text: dict[int, tuple[str, list, int]] = {}
        self.spans: dict[tuple[int, int], list[tuple[int, int, int]]] = {}

    def load(self, ids: Iterable[int]) -> None:
        wanted = [i for i in dict.fromkeys(ids) if i not in self.text]
        if not wanted:
            return
        coders = set(self.selection.coder_ids)
        if self.selection.mode != "coder" and self.selection.consensus_coder_id is not None:
            coders.add(self.selection.consensus_coder_id)  # a settled sub-span is preferred
        with self.project.read() as session:
            for k in range(0, len(wanted), self.batch):
                chunk = wanted[k : k + self.batch]
                for pid, text, sentences, number in session.exec(
                    select(Passage.id, Passage.text, col(Passage.sentences), Passage.number).where(
                        col(Passage.id).in_(chunk)
                    )
                ):
                    self.text[cast(int, pid)] = (text, sentences or [], number)
                for pid, code_id, coder_id, start, end in session.exec(
                    select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
                        Coding.passage_id, Coding.code_id, Coding.coder_id, Coding.start, Coding.end
                    ).where(col(Coding.passage_id).in_(chunk), col(Coding.start).is_not(None))
                ):
                    if coder_id in coders and end is not None:
                        self.spans.setdefault((pid, code_id), []).append((coder_id, start, end))

    def span(self, passage_id: int, code_id: int, consensus_id: int | None) -> tuple[int, int] | None:
        spans = self.spans.get((passage_id, code_id))
        if not spans:
            return None
        for coder, s, e in spans:
            if coder == consensus_id:
                return (s, e)
        votes: dict[tuple[int, int], int] = {}
        for _coder, s, e in spans:
            votes[(s, e)] = votes.get((s, e), 0) + 1
        return max(votes, key=lambda se: (votes[se], -se[0], -se[1]))


def _round_robin(cands: list[_Candidate]) -> list[_Candidate]:
    """Candidates of one tier: one per participant per round, interleaved over (library, gender)."""
    cands = sorted(cands, key=lambda c: c.order)
    seen: dict[int, int] = {}
    level: list[int] = []
    for c in cands:
        k = seen.get(c.participant.id, 0)
        seen[c.participant.id] = k + 1
        level.append(k)
    bucket_seen: dict[tuple, int] = {}
    keys = []
    for c, k in zip(cands, level):
        b = bucket_seen.get((k, c.bucket), 0)
        bucket_seen[(k, c.bucket)] = b + 1
        keys.append((k, b, tuple("" if v is None else str(v) for v in c.bucket), c.order))
    return [c for _, c in sorted(zip(keys, cands), key=lambda kc: kc[0])]


# ---------------------------------------------------------------- collecting


def collect_quotes(
    project: Project,
    *,
    codes: str | Sequence[str] | None = None,
    n: int = 5,
    coder: str | None = None,
    union: bool = False,
    consensus: bool = False,
    coders: str | Sequence[str] | None = None,
    pins: Sequence[str] = (),
    excludes: Sequence[str] = (),
    min_words: int = 8,
    max_words: int = 60,
    lang: str = "da",
    pseudonymizer: Any = None,
    age_bands: AgeBands | None = None,
) -> QuoteCollection:
    """The quote collection (see the module doc).

    ``pseudonymizer`` (a :class:`trivselkode.export.pseudonymize.Pseudonymizer`)
    replaces names and numbers in each quote's text, attribution, source name
    and speaker label.
    """
    check_lang(lang)
    if n < 1:
        raise TrivselError("-n skal være mindst 1")
    if min_words < 1 or max_words < min_words:
        raise TrivselError(
            f"ordgrænserne {min_words}–{max_words} går ikke", "--min-words skal være mindst 1 og højst --max-words"
        )
    data = load_project_data(
        project, coder=coder, union=union, consensus=consensus, coders=coders, firm=True, age_bands=age_bands
    )
    with project.read() as session:
        pinned = resolve_refs(session, pins)
        excluded = {pid for _, _, pid in resolve_refs(session, excludes)}
        starred = {int(p) for p in session.exec(select(Star.passage_id).distinct())}
        numbers = _passage_numbers(session)
    book, participants, selection = data.book, data.participants, data.selection
    selected_codes = data.codings.code
    has_codings = set(np.flatnonzero(np.bincount(selected_codes)).tolist()) if selected_codes.size else set()
    default = [c for c in book.codes if not c.retired and c.id in has_codings]
    chosen = book.resolve(codes, default=default)
    pinned_ids = [pid for _, _, pid in pinned]
    for name, number, pid in pinned:
        if pid in excluded:
            raise TrivselError(f"{name}#{number} er både fastholdt (--pin) og udeladt (--exclude)")
    collection = QuoteCollection([], selection, lang)

    # Unique (code, passage, coder) triples of the selection; interviewers and exclusions left out.
    r, passage, coder_ids = data.codings.mapped(book, chosen, rollup=False)
    p_counted = np.zeros(max(participants, default=0) + 2, dtype=bool)
    for pid, info in participants.items():
        p_counted[pid] = not info.is_interviewer
    keep = p_counted[data.passages.participant[passage]] if passage.size else np.zeros(0, dtype=bool)
    if excluded and passage.size:
        keep &= ~np.isin(passage, np.fromiter(excluded, dtype=np.int64))
    r, passage, coder_ids = r[keep], passage[keep], coder_ids[keep]
    span_p = int(data.passages.participant.size)
    span_c = int(coder_ids.max()) + 1 if coder_ids.size else 1
    triples = unique_sorted((r * span_p + passage) * span_c + coder_ids)
    pair_of = triples // span_c
    pairs = unique_sorted(pair_of)
    code_ids = np.array([c.id for c in chosen], dtype=np.int64)
    # Firm: both coders of the consensus coded it, or it was settled so.
    cons = data.basis.is_firm(pairs % span_p, code_ids[pairs // span_p]) if pairs.size else np.zeros(0, dtype=bool)
    is_open = data.basis.is_open(pairs % span_p, code_ids[pairs // span_p]) if pairs.size else np.zeros(0, dtype=bool)
    if selection.mode == "consensus":  # how many of its two coders coded it (1 where open)
        humans = np.maximum(data.basis.coders_on(pairs % span_p, code_ids[pairs // span_p]), 1)
    else:
        humans = np.bincount(np.searchsorted(pairs, pair_of), minlength=pairs.size)
    pair_code = pairs // span_p
    pair_passage = pairs % span_p
    is_star = np.isin(pair_passage, np.fromiter(starred, dtype=np.int64, count=len(starred)))
    is_pin = np.isin(pair_passage, np.asarray(pinned_ids, dtype=np.int64))
    width = int(humans.max()) + 2 if humans.size else 2
    tier_of = ((is_pin * 2 + is_star) * 2 + cons) * width + humans
    starts = np.searchsorted(pair_code, np.arange(len(chosen) + 1))

    texts = _Passages(project, selection)
    elsewhere = _Elsewhere()
    for i, code in enumerate(chosen):
        lo, hi = int(starts[i]), int(starts[i + 1])

        def make(k: int) -> _Candidate:
            pid = int(pair_passage[k])
            info = participants[int(data.passages.participant[pid])]
            return _Candidate(
                passage_id=pid,
                participant=info,
                pinned=bool(is_pin[k]),
                starred=bool(is_star[k]),
                consensus=bool(cons[k]),
                open=bool(is_open[k]),
                coders=int(humans[k]),
                bucket=(info.attrs.get("site"), info.attrs.get("gender")),
                order=(info.source, numbers.get(pid, 0)),
            )

        tiers = _tiers(np.arange(lo, hi), tier_of[lo:hi], make)
        pins_here = [make(k) for k in range(lo, hi) if is_pin[k]]
        pins_here.sort(key=lambda c: pinned_ids.index(c.passage_id))
        quotes = _pick(
            code,
            tiers,
            pins_here,
            n,
            texts,
            keyword_pattern(tuple(code.keywords)),
            selection,
            min_words,
            max_words,
            lang,
            elsewhere,
        )
        for q in quotes:
            elsewhere.passages.add(q.passage_id)
            elsewhere.people.add(participants[int(data.passages.participant[q.passage_id])].id)
        collection.codes.append(CodeQuotes(code, quotes, hi - lo))
    quoted = {q.passage_id for q in collection.quotes}
    for name, number, pid in pinned:
        if pid not in quoted:
            collection.warnings.append(f"{name}#{number} er ikke kodet med nogen af de valgte koder og er ikke med")
    if pseudonymizer is not None:
        for q in collection.quotes:
            q.text = pseudonymizer.text(q.text)
            q.source = pseudonymizer.source(q.source)
            q.participant = pseudonymizer.label(q.participant)
            q.attribution = pseudonymizer.text(q.attribution)  # an attribute may hold a name or a number
    return collection


@dataclass
class _Elsewhere:
    """What earlier codes of the collection quoted: avoided, where possible, for the next."""

    passages: set[int] = field(default_factory=set)
    people: set[int] = field(default_factory=set)


class _Tier:
    """One tier's candidates, built (and put in round-robin order) only when visited."""

    def __init__(self, indices: np.ndarray, make) -> None:  # noqa: ANN001
        self.indices = indices
        self.make = make
        self._cands: list[_Candidate] | None = None

    @property
    def cands(self) -> list[_Candidate]:
        if self._cands is None:
            self._cands = _round_robin([self.make(int(k)) for k in self.indices])
        return self._cands


def _tiers(indices: np.ndarray, keys: np.ndarray, make) -> list[_Tier]:  # noqa: ANN001
    """Tiers from best to worst (pinned, starred, consensus, number of coders)."""
    out = []
    for key in sorted(set(keys.tolist()), reverse=True):
        out.append(_Tier(indices[keys == key], make))
    return out


def _passage_numbers(session: Session) -> dict[int, int]:
    bits = max(max_id(session, "passage"), 1).bit_length()
    packed = int_column(session, f"CAST(number AS BIGINT) * {1 << bits} + id", "passage")
    ids = (packed & ((1 << bits) - 1)).tolist()
    return dict(zip(ids, (packed >> bits).tolist()))


def _tier(c: _Candidate) -> tuple:
    return (c.pinned, c.starred, c.consensus, c.coders)


def _pick(
    code: CodeInfo,
    tiers: list[_Tier],
    pins: list[_Candidate],
    n: int,
    texts: _Passages,
    pattern: re.Pattern[str] | None,
    selection: Selection,
    min_words: int,
    max_words: int,
    lang: str,
    elsewhere: _Elsewhere | None = None,
) -> list[Quote]:
    target = min(max(TARGET_WORDS, min_words), max_words)
    elsewhere = elsewhere or _Elsewhere()
    evaluated: dict[int, Quote | None] = {}

    def evaluate(c: _Candidate, ahead: Sequence[_Candidate]) -> Quote | None:
        if c.passage_id in evaluated:
            return evaluated[c.passage_id]
        if c.passage_id not in texts.text:
            texts.load([c.passage_id] + [b.passage_id for b in ahead])
        text, sentences, number = texts.text[c.passage_id]
        span = texts.span(c.passage_id, code.id, selection.consensus_coder_id)
        trimmed = trim(text, sentences, span, pattern, min_words, max_words, lenient=c.pinned or c.starred)
        quote = None
        if trimmed is not None:
            quote = Quote(
                code=code.key,
                text=quote_text(text, trimmed.pieces),
                attribution=attribution(c.participant.attrs, lang),
                source=c.participant.source,
                passage=number,
                participant=c.participant.label,
                pieces=list(trimmed.pieces),
                pinned=c.pinned,
                starred=c.starred,
                consensus=c.consensus,
                open=c.open,
                coders=c.coders,
                passage_id=c.passage_id,
                quality=(trimmed.hits > 0, -abs(trimmed.words - target)),
            )
        evaluated[c.passage_id] = quote
        return quote

    picked: list[Quote] = []
    picked_ids: set[int] = set()
    used: set[int] = set()
    sites: set = set()
    genders: set = set()

    def take(c: _Candidate, q: Quote) -> None:
        picked.append(q)
        picked_ids.add(c.passage_id)
        used.add(c.participant.id)
        sites.add(c.bucket[0])
        genders.add(c.bucket[1])

    # 1. Pins, in the order given, whatever else holds.
    for c in pins:
        q = evaluate(c, ())
        if q is not None:
            take(c, q)
    # 2. The rest: the best eligible candidate of the highest tier, again and again.
    #    A passage another code already quotes waits until nothing else is left; a
    #    participant already quoted here waits until everyone quotable has had a turn.
    rejected: set[int] = set()
    reuse = False
    while len(picked) < n:
        choice = None
        blocked = deferred = False
        for tier in tiers:
            cands = tier.cands
            window: list[tuple[_Candidate, Quote, int]] = []
            for pos, c in enumerate(cands):
                if c.passage_id in picked_ids or c.passage_id in rejected:
                    continue
                if c.participant.id in used:
                    blocked = True
                    continue
                if not reuse and c.passage_id in elsewhere.passages:
                    deferred = True
                    continue
                q = evaluate(c, cands[pos + 1 : pos + 1 + 4 * WINDOW])
                if q is None or any(near_duplicate(q.text, p.text) for p in picked):
                    rejected.add(c.passage_id)
                    continue
                window.append((c, q, pos))
                if len(window) >= WINDOW:
                    break
            if window:
                choice = max(
                    window,
                    key=lambda cqp: (
                        (cqp[0].bucket[0] not in sites) + (cqp[0].bucket[1] not in genders),
                        cqp[0].participant.id not in elsewhere.people,
                        cqp[1].quality,
                        -cqp[2],
                    ),
                )
                break
        if choice is None:
            if deferred and not reuse:
                reuse = True  # only passages other codes quote are left
                continue
            if blocked:
                used.clear()  # every participant with a quotable passage has had a turn
                reuse = False
                continue
            break
        take(choice[0], choice[1])
    return picked
