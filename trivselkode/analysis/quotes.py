"""Representative quotes: per code, the N best passages or sub-spans.

Candidates are the participants' passages (never an interviewer's) that
carry the code under the selection (one coder, the union, or the consensus;
the default as for every report, see :mod:`trivselkode.analysis.basis`).
The researcher's stored choice (``QuoteChoice``, see
:mod:`trivselkode.storage.quote_choices`) comes first: this run's pins
(``--pin``), then the picked passages in their order (each quoted whatever
its length, or as the researcher narrowed it), and a dropped passage is no
candidate of its code at all; the automatic choice fills up to ``n``. The
other candidates are ranked in tiers:

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

Every quote carries its source reference ("Interview 3, Holstebro, udsagn
14": :func:`source_reference`), pseudonymised with the rest when asked.

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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sqlmodel import Session, select

from trivselkode.analysis.arrays import int_column, max_id, unique_sorted
from trivselkode.analysis.attributes import AgeBands, check_lang
from trivselkode.analysis.basis import Selection
from trivselkode.analysis.frequencies import CodeInfo, ProjectData, load_project_data
from trivselkode.analysis.quote_candidates import Listed, list_candidates, source_reference
from trivselkode.analysis.quote_pick import (
    WINDOW,
    Candidate,
    Elsewhere,
    PassageTexts,
    Picker,
    Quote,
    round_robin_order,
    tiers_of,
)
from trivselkode.analysis.quote_trim import (
    ELLIPSIS,
    FOCUS_WORDS,
    FRAGMENT,
    NEAR_DUPLICATE,
    TARGET_WORDS,
    Trimmed,
    keyword_pattern,
    near_duplicate,
    quote_text,
    trim,
    word_count,
)
from trivselkode.errors import NotFound, TrivselError
from trivselkode.i18n import _
from trivselkode.storage.db import Project
from trivselkode.storage.models import Passage, Source, Star
from trivselkode.storage.quote_choices import CodeChoices, load_choices

__all__ = [
    "ELLIPSIS",
    "FOCUS_WORDS",
    "FRAGMENT",
    "NEAR_DUPLICATE",
    "QUOTE_KEYS",
    "TARGET_WORDS",
    "WINDOW",
    "CodeQuotes",
    "Listed",
    "Quote",
    "QuoteCollection",
    "Trimmed",
    "collect_quotes",
    "keyword_pattern",
    "near_duplicate",
    "parse_ref",
    "quote_text",
    "resolve_refs",
    "source_reference",
    "trim",
    "word_count",
]

QUOTE_KEYS = ("code", "text", "attribution", "reference", "source", "passage")


@dataclass
class CodeQuotes:
    code: CodeInfo
    quotes: list[Quote]
    candidates: int = 0
    listed: list[Listed] = field(default_factory=list)  # every candidate, when asked (``listing``)


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
        raise TrivselError(
            _("'{ref}' er ikke en henvisning til et udsagn").format(ref=ref), _("skriv KILDE#N, fx interview-3#12")
        )
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
            raise NotFound(
                _("kilden '{name}' har intet udsagn nr. {number}").format(name=name, number=number),
                _("tjek henvisningen '{ref}'").format(ref=ref),
            )
        out.append((name, number, int(pid)))
    return out


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
    choices: bool = True,
    listing: bool = False,
) -> QuoteCollection:
    """The quote collection (see the module doc).

    ``choices``: follow the researcher's stored choices (``QuoteChoice``:
    the picked first, in their order, the dropped never), else the automatic
    choice alone. ``listing``: also list every candidate of each code
    (:attr:`CodeQuotes.listed`, see :mod:`trivselkode.analysis.quote_candidates`).
    ``pseudonymizer`` (a :class:`trivselkode.export.pseudonymize.Pseudonymizer`)
    replaces names and numbers in each quote's text, attribution, reference,
    source name and speaker label.
    """
    check_lang(lang)
    if n < 1:
        raise TrivselError(_("-n skal være mindst 1"))
    if min_words < 1 or max_words < min_words:
        raise TrivselError(
            _("ordgrænserne {min_words}–{max_words} går ikke").format(min_words=min_words, max_words=max_words),
            _("--min-words skal være mindst 1 og højst --max-words"),
        )
    data = load_project_data(
        project, coder=coder, union=union, consensus=consensus, coders=coders, firm=True, age_bands=age_bands
    )
    with project.read() as session:
        pinned = resolve_refs(session, pins)
        excluded = {pid for _, _, pid in resolve_refs(session, excludes)}
        starred = {int(p) for p in session.exec(select(Star.passage_id).distinct())}
        numbers = _passage_numbers(session)
        stored = load_choices(session) if choices else {}
        sources = {
            name: (title, site) for name, title, site in session.exec(select(Source.name, Source.title, Source.site))
        }
    book, selection = data.book, data.selection
    selected_codes = data.codings.code
    has_codings = set(np.flatnonzero(np.bincount(selected_codes)).tolist()) if selected_codes.size else set()
    default = [c for c in book.codes if not c.retired and c.id in has_codings]
    chosen = book.resolve(codes, default=default)
    for name, number, pid in pinned:
        if pid in excluded:
            raise TrivselError(
                _("{name}#{number} er både fastholdt (--pin) og udeladt (--exclude)").format(name=name, number=number)
            )
    collection = QuoteCollection([], selection, lang)
    cands = QuoteCandidates(data, chosen, excluded, starred, [pid for _, _, pid in pinned], numbers)
    picking = QuotePicking(data, cands, PassageTexts(project, selection), (min_words, max_words), lang)
    for i, code in enumerate(chosen):
        code_choices = stored.get(code.id, CodeChoices())
        collection.codes.append(picking.code(i, code, code_choices, n, listing))
        collection.warnings += picking.unplaced(code, code_choices)
    quoted = {q.passage_id for q in collection.quotes}
    for name, number, pid in pinned:
        if pid not in quoted:
            collection.warnings.append(
                _("{name}#{number} er ikke kodet med nogen af de valgte koder og er ikke med").format(
                    name=name, number=number
                )
            )
    for q in _every_quote(collection):
        q.reference = source_reference(q.source, *sources.get(q.source, ("", None)), q.passage, lang, pseudonymizer)
    if pseudonymizer is not None:
        _pseudonymize(collection, pseudonymizer)
    return collection


class QuotePicking:
    """Each code's quotes in turn; what one code quotes, the next avoids where it can."""

    def __init__(
        self, data: ProjectData, cands: QuoteCandidates, texts: PassageTexts, words: tuple[int, int], lang: str
    ) -> None:
        self.data, self.cands, self.texts, self.words, self.lang = data, cands, texts, words, lang
        self.elsewhere = Elsewhere()

    def code(self, i: int, code: CodeInfo, choices: CodeChoices, n: int, listing: bool) -> CodeQuotes:
        tiers, pins_here, picked, dropped, count = self.cands.of_code(i, choices)
        picker = Picker(
            code,
            self.texts,
            keyword_pattern(tuple(code.keywords)),
            self.data.selection,
            *self.words,
            self.lang,
            self.elsewhere,
        )
        quotes = picker.pick(tiers, pins_here, n, picked)
        for q in quotes:
            self.elsewhere.passages.add(q.passage_id)
            self.elsewhere.people.add(self.data.participants[int(self.data.passages.participant[q.passage_id])].id)
        listed = list_candidates(picker, quotes, tiers, dropped, choices) if listing else []
        return CodeQuotes(code, quotes, count, listed)

    def unplaced(self, code: CodeInfo, choices: CodeChoices) -> list[str]:
        """A warning for each picked passage that no longer carries the code under this basis."""
        data, out = self.data, []
        known = set(self.cands.candidates_of(code.id).tolist())
        for pid in choices.picked:
            if pid not in known and pid not in self.cands.excluded and pid < data.passages.participant.size:
                source = data.participants[int(data.passages.participant[pid])].source
                out.append(
                    _(
                        "{source}#{number} er valgt til {key}, men bærer ikke koden med dette grundlag og er ikke med"
                    ).format(source=source, number=self.cands.numbers.get(pid, 0), key=code.key)
                )
        return out


def _every_quote(collection: QuoteCollection) -> list[Quote]:
    """The quotes and every listed candidate's quote, each once."""
    seen: dict[int, Quote] = {}
    for group in collection.codes:
        for q in [*group.quotes, *(item.quote for item in group.listed)]:
            seen.setdefault(id(q), q)
    return list(seen.values())


def _pseudonymize(collection: QuoteCollection, pseudonymizer: Any) -> None:
    for q in _every_quote(collection):
        q.text = pseudonymizer.text(q.text)
        q.source = pseudonymizer.source(q.source)
        q.participant = pseudonymizer.label(q.participant)
        q.attribution = pseudonymizer.text(q.attribution)  # an attribute may hold a name or a number


class QuoteCandidates:
    """The (code, passage) pairs of the selection, each with its tier; interviewers and exclusions left out.

    ``only`` (passage ids), when given, keeps the candidates to those passages (the joint display's
    quotes of one group of respondents).
    """

    def __init__(
        self,
        data: ProjectData,
        chosen: Sequence[CodeInfo],
        excluded: set[int],
        starred: set[int],
        pinned_ids: list[int],
        numbers: dict[int, int],
        only: np.ndarray | None = None,
    ) -> None:
        self.data, self.pinned_ids, self.numbers, self.excluded = data, pinned_ids, numbers, excluded
        participants = data.participants
        # Unique (code, passage, coder) triples of the selection.
        r, passage, coder_ids = data.codings.mapped(data.book, chosen, rollup=False)
        p_counted = np.zeros(max(participants, default=0) + 2, dtype=bool)
        for pid, info in participants.items():
            p_counted[pid] = not info.is_interviewer
        keep = p_counted[data.passages.participant[passage]] if passage.size else np.zeros(0, dtype=bool)
        if excluded and passage.size:
            keep &= ~np.isin(passage, np.fromiter(excluded, dtype=np.int64))
        if only is not None and passage.size:
            keep &= np.isin(passage, only)
        r, passage, coder_ids = r[keep], passage[keep], coder_ids[keep]
        span_p = int(data.passages.participant.size)
        span_c = int(coder_ids.max()) + 1 if coder_ids.size else 1
        triples = unique_sorted((r * span_p + passage) * span_c + coder_ids)
        pair_of = triples // span_c
        pairs = unique_sorted(pair_of)
        code_ids = np.array([c.id for c in chosen], dtype=np.int64)
        basis, none = data.basis, np.zeros(0, dtype=bool)
        # Firm: both coders of the consensus coded it, or it was settled so.
        self.cons = basis.is_firm(pairs % span_p, code_ids[pairs // span_p]) if pairs.size else none
        self.is_open = basis.is_open(pairs % span_p, code_ids[pairs // span_p]) if pairs.size else none
        if data.selection.mode == "consensus":  # how many of its two coders coded it (1 where open)
            self.humans = np.maximum(basis.coders_on(pairs % span_p, code_ids[pairs // span_p]), 1)
        else:
            self.humans = np.bincount(np.searchsorted(pairs, pair_of), minlength=pairs.size)
        pair_code = pairs // span_p
        self.pair_passage = pairs % span_p
        self.is_star = np.isin(self.pair_passage, np.fromiter(starred, dtype=np.int64, count=len(starred)))
        self.is_pin = np.isin(self.pair_passage, np.asarray(pinned_ids, dtype=np.int64))
        width = int(self.humans.max()) + 2 if self.humans.size else 2
        self.tier_of = ((self.is_pin * 2 + self.is_star) * 2 + self.cons) * width + self.humans
        self.starts = np.searchsorted(pair_code, np.arange(len(chosen) + 1))
        self.index = {c.id: i for i, c in enumerate(chosen)}
        self._reading_order(numbers)

    def _reading_order(self, numbers: dict[int, int]) -> None:
        """Per participant its source's place among the source names and its (library, gender) bucket;
        per passage its number: what :meth:`arrange` orders a tier by."""
        participants = self.data.participants
        size = max(participants, default=0) + 2
        source_rank = {name: i for i, name in enumerate(sorted({p.source for p in participants.values()}))}
        self.p_source = np.zeros(size, dtype=np.int64)
        self.p_bucket = np.zeros(size, dtype=np.int64)
        buckets: dict[tuple, int] = {}
        for pid, info in participants.items():
            self.p_source[pid] = source_rank[info.source]
            self.p_bucket[pid] = buckets.setdefault((info.attrs.get("site"), info.attrs.get("gender")), len(buckets))
        as_text = {b: tuple("" if v is None else str(v) for v in b) for b in buckets}
        text_rank = {t: i for i, t in enumerate(sorted(set(as_text.values())))}
        rank_of = np.array([text_rank[as_text[b]] for b in buckets] or [0], dtype=np.int64)
        self.p_bucket_rank = rank_of[self.p_bucket] if buckets else np.zeros(size, dtype=np.int64)
        ids = np.fromiter(numbers.keys(), dtype=np.int64, count=len(numbers))
        values = np.fromiter(numbers.values(), dtype=np.int64, count=len(numbers))
        self.number = np.zeros(max(int(ids.max(initial=0)), int(self.pair_passage.max(initial=0))) + 1, dtype=np.int64)
        self.number[ids] = values
        self.number_span = int(values.max(initial=0)) + 1

    def arrange(self, ks: np.ndarray) -> np.ndarray:
        """The positions of the candidates ``ks`` (one tier's) in round-robin order."""
        passage = self.pair_passage[ks]
        person = self.data.passages.participant[passage]
        order = self.p_source[person] * self.number_span + self.number[passage]
        return round_robin_order(order, person, self.p_bucket[person], self.p_bucket_rank[person])

    def make(self, k: int) -> Candidate:
        pid = int(self.pair_passage[k])
        info = self.data.participants[int(self.data.passages.participant[pid])]
        return Candidate(
            passage_id=pid,
            participant=info,
            pinned=bool(self.is_pin[k]),
            starred=bool(self.is_star[k]),
            consensus=bool(self.cons[k]),
            open=bool(self.is_open[k]),
            coders=int(self.humans[k]),
            bucket=(info.attrs.get("site"), info.attrs.get("gender")),
            order=(info.source, self.numbers.get(pid, 0)),
        )

    def candidates_of(self, code_id: int) -> np.ndarray:
        """The passage ids of a chosen code's candidates."""
        i = self.index[code_id]
        return self.pair_passage[int(self.starts[i]) : int(self.starts[i + 1])]

    def of_code(
        self, i: int, choices: CodeChoices
    ) -> tuple[list, list[Candidate], list[Candidate], list[Candidate], int]:
        """The ``i``-th chosen code's tiers (without its dropped passages), its pinned candidates in the
        order given, its picked ones in their order, its dropped ones, and how many candidates it has."""
        lo, hi = int(self.starts[i]), int(self.starts[i + 1])
        ks = np.arange(lo, hi)
        dropped_mask = np.isin(self.pair_passage[lo:hi], np.fromiter(choices.dropped, dtype=np.int64))
        tiers = tiers_of(ks[~dropped_mask], self.tier_of[lo:hi][~dropped_mask], self.make, self.arrange)
        pins_here = [self.make(int(k)) for k in lo + np.flatnonzero(self.is_pin[lo:hi])]
        pins_here.sort(key=lambda c: self.pinned_ids.index(c.passage_id))
        here = self.pair_passage[lo:hi]
        picked = []
        for pid in choices.picked:
            at = int(np.searchsorted(here, pid))  # a code's candidates are in passage order
            if at < here.size and here[at] == pid and pid not in choices.dropped:
                picked.append(replace(self.make(lo + at), picked=True, span=choices.spans.get(pid)))
        dropped = [self.make(int(k)) for k in ks[dropped_mask]]
        return tiers, pins_here, picked, dropped, hi - lo


def _passage_numbers(session: Session) -> dict[int, int]:
    bits = max(max_id(session, "passage"), 1).bit_length()
    packed = int_column(session, f"CAST(number AS BIGINT) * {1 << bits} + id", "passage")
    ids = (packed & ((1 << bits) - 1)).tolist()
    return dict(zip(ids, (packed >> bits).tolist()))
