"""What the Enighed screen shows of each disagreement, read in one go.

A review item is one (passage, code) on which two coders differ: the passage
with its source, number and speaker, the turns before and after it, every
coding of the two coders and of the consensus coder on it, and the decision
settled for that code there, if any. With ``unit="span"`` two codings of the
same code on a passage that do not overlap by at least ``overlap`` of the
longer one also count as a disagreement (matched as
:func:`trivselkode.analysis.icr.span_units` matches them).

Headless: no Textual here; the screen calls these functions in thread workers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlmodel import Session, col, select

from trivselkode.analysis.icr import build_units
from trivselkode.config import CONSENSUS_CODER
from trivselkode.i18n import N_, _
from trivselkode.storage.coding_ops import describe_attributes
from trivselkode.storage.consensus import settled_among
from trivselkode.storage.db import Project
from trivselkode.storage.models import INTERVIEWER, Code, Coder, Coding, Decision, Participant, Passage, Source

CHOICE_LABELS = {"a": "A", "b": "B", "both": N_("begge"), "neither": N_("ingen"), "manual": N_("manuelt")}


@dataclass(frozen=True)
class ViewCoding:
    """One coding as shown: the code, and the quoted piece when it is a sub-span."""

    code: str
    name: str
    color: str | None
    start: int | None
    end: int | None
    memo: str | None
    quote: str | None  # the passage text of the sub-span; None for the whole passage


@dataclass(frozen=True)
class Context:
    """A neighbouring turn, shown dimmed."""

    number: int
    speaker: str
    interviewer: bool
    text: str


@dataclass(frozen=True)
class Decided:
    choice: str
    coders: list[str]
    settled_by: str
    settled_at: datetime
    reason: str | None = None

    def label(self) -> str:
        """``A (anne)``, ``begge``, …: the choice in words."""
        if self.choice in ("a", "b") and len(self.coders) == 2:
            return f"{CHOICE_LABELS[self.choice]} ({self.coders[0 if self.choice == 'a' else 1]})"
        return _(CHOICE_LABELS.get(self.choice, self.choice))


@dataclass(frozen=True)
class ReviewItem:
    """One passage and one code the two compared coders disagree on."""

    passage_id: int
    code_id: int
    source: str
    source_title: str
    number: int
    speaker: str
    attributes: str  # "Kvinde, 67 år, Holstebro"
    text: str
    code: str
    code_name: str
    code_color: str | None
    coders: tuple[str, str]
    codings: dict[str, list[ViewCoding]] = field(default_factory=dict)  # A, B and konsensus: every code on the passage
    decision: Decided | None = None
    before: Context | None = None
    after: Context | None = None

    @property
    def settled(self) -> bool:
        """Settled as the consensus counts it (see :func:`trivselkode.storage.consensus.settled_among`)."""
        if self.decision is not None:
            return not self.decision.coders or set(self.decision.coders) == set(self.coders)
        return bool(self.of(CONSENSUS_CODER, self.code))

    def of(self, coder: str, code: str | None = None) -> list[ViewCoding]:
        """A coder's codings on the passage (of ``code`` only, when given)."""
        rows = self.codings.get(coder, [])
        return [c for c in rows if c.code == code] if code else rows


def comparable_coders(project: Project) -> list[str]:
    """Every coder who has codings, except the consensus coder, by name."""
    with project.read() as s:
        names = s.exec(
            select(Coder.name).where(col(Coder.id).in_(select(Coding.coder_id).distinct())).order_by(Coder.name)
        ).all()
    return [n for n in names if n != CONSENSUS_CODER]


def _segment_groups(segments: list[tuple[int, int, int]], overlap: float) -> list[set[int]]:
    """Group (coder index, start, end) as icr.span_units does; each group is the set of its coders."""
    groups: list[tuple[tuple[int, int], set[int]]] = []
    for i, start, end in sorted(segments, key=lambda t: (t[1], t[2], t[0])):
        best, best_score = None, 0.0
        for anchor, members in groups:
            if i in members:
                continue
            inter = min(end, anchor[1]) - max(start, anchor[0])
            longer = max(end - start, anchor[1] - anchor[0])
            score = inter / longer if inter > 0 and longer > 0 else 0.0
            if score >= overlap and score > best_score:
                best, best_score = members, score
        if best is None:
            groups.append(((start, end), {i}))
        else:
            best.add(i)
    return [members for _anchor, members in groups]


def disagreeing_pairs(
    project: Project,
    coders: tuple[str, str],
    code: str | None = None,
    *,
    all_passages: bool = False,
    unit: str = "passage",
    overlap: float = 0.9,
    sources: list[str] | None = None,
) -> list[tuple[int, int]]:
    """(passage id, code id) of every disagreement between the two coders."""
    units = build_units(project, list(coders), [code] if code else None, sources, all_passages)
    found: set[tuple[int, int]] = set()
    if unit == "span":
        with project.read() as s:
            ids = {name: cid for cid, name in s.exec(select(Coder.id, Coder.name))}
            index = {ids[name]: i for i, name in enumerate(units.coders)}
            rows = s.exec(
                select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
                    Coding.code_id, Coding.coder_id, Coding.passage_id, Coding.start, Coding.end, Passage.text
                )
                .join(Passage, col(Coding.passage_id) == Passage.id)
                .where(col(Coding.coder_id).in_(list(index)), col(Coding.code_id).in_(list(units.codes)))
            ).all()
        in_scope = set(units.passage_ids)
        segments: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
        for code_id, coder_id, pid, start, end, text in rows:
            if pid in in_scope:
                segments[(pid, code_id)].append(
                    (index[coder_id], start if start is not None else 0, end if end is not None else len(text))
                )
        for key, segs in segments.items():
            if any(len(group) < len(units.coders) for group in _segment_groups(segs, overlap)):
                found.add(key)
    else:
        for code_id, m in units.matrices.items():
            known = m >= 0
            ones = ((m == 1) & known).sum(axis=0)
            zeros = ((m == 0) & known).sum(axis=0)
            for j in ((ones > 0) & (zeros > 0)).nonzero()[0]:
                found.add((units.passage_ids[int(j)], code_id))
    return sorted(found)


def load_items(project: Project, coders: tuple[str, str], keys: Iterable[tuple[int, int]]) -> list[ReviewItem]:
    """The review items of (passage id, code id) pairs, ordered by source, passage and code."""
    keys = list(keys)
    if not keys:
        return []
    passage_ids = sorted({pid for pid, _ in keys})
    shown = [*coders, CONSENSUS_CODER]
    with project.read() as s:
        codes = {c.id: c for c in s.exec(select(Code))}
        passages = {
            p.id: (p, src, part)
            for p, src, part in s.exec(
                select(Passage, Source, Participant)
                .join(Source, col(Passage.source_id) == Source.id)
                .join(Participant, col(Passage.participant_id) == Participant.id)
                .where(col(Passage.id).in_(passage_ids))
            )
        }
        neighbours = _neighbours(s, passages)
        codings = _codings(s, passage_ids, shown, codes, passages)
        decided = {
            (d.passage_id, d.code_id): Decided(
                d.choice, d.coders.split(",") if d.coders else [], d.settled_by, d.settled_at, d.reason
            )
            for d in s.exec(select(Decision).where(col(Decision.passage_id).in_(passage_ids)))
        }

    position = {c.key: c.position for c in codes.values()}

    def order(c: ViewCoding) -> tuple:
        return (position.get(c.code, 0), c.code, c.start if c.start is not None else -1, c.end or 0)

    for per_coder in codings.values():
        for rows in per_coder.values():
            rows.sort(key=order)
    items = []
    for pid, code_id in keys:
        if pid not in passages or code_id not in codes:
            continue  # removed meanwhile
        p, src, part = passages[pid]
        c = codes[code_id]
        items.append(
            ReviewItem(
                passage_id=pid,
                code_id=code_id,
                source=src.name,
                source_title=src.title,
                number=p.number,
                speaker=part.label,
                attributes=describe_attributes(part.gender, part.age, part.site or src.site),
                text=p.text,
                code=c.key,
                code_name=c.name,
                code_color=c.color,
                coders=(coders[0], coders[1]),
                codings=codings[pid] if pid in codings else {name: [] for name in shown},
                decision=decided.get((pid, code_id)),
                before=neighbours.get((p.source_id, p.number - 1)),
                after=neighbours.get((p.source_id, p.number + 1)),
            )
        )
    items.sort(key=lambda it: (it.source, it.number, codes[it.code_id].position, it.code))
    return items


def _neighbours(
    s: Session, passages: dict[int | None, tuple[Passage, Source, Participant]]
) -> dict[tuple[int, int], Context]:
    """The turns before and after each passage, by (source id, number)."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for p, _src, _part in passages.values():
        wanted[p.source_id].update((p.number - 1, p.number + 1))
    neighbours: dict[tuple[int, int], Context] = {}
    for source_id, numbers in wanted.items():
        for number, text, label, role in s.exec(
            select(Passage.number, Passage.text, Participant.label, Participant.role)
            .join(Participant, col(Passage.participant_id) == Participant.id)
            .where(Passage.source_id == source_id, col(Passage.number).in_(sorted(numbers)))
        ):
            neighbours[(source_id, number)] = Context(number, label, role == INTERVIEWER, text)
    return neighbours


def _codings(
    s: Session,
    passage_ids: list[int],
    shown: list[str],
    codes: dict[int | None, Code],
    passages: dict[int | None, tuple[Passage, Source, Participant]],
) -> dict[int, dict[str, list[ViewCoding]]]:
    """Per passage, the codings of each shown coder (the two and the consensus)."""
    codings: dict[int, dict[str, list[ViewCoding]]] = defaultdict(lambda: {name: [] for name in shown})
    for pid, name, code_id, start, end, memo in s.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
            Coding.passage_id, Coder.name, Coding.code_id, Coding.start, Coding.end, Coding.memo
        )
        .join(Coder, col(Coding.coder_id) == Coder.id)
        .where(col(Coding.passage_id).in_(passage_ids), col(Coder.name).in_(shown))
    ):
        c = codes[code_id]
        text = passages[pid][0].text
        quote = text[start:end] if start is not None and end is not None else None
        codings[pid][name].append(ViewCoding(c.key, c.name, c.color, start, end, memo, quote))
    return codings


def review_items(
    project: Project,
    coders: tuple[str, str],
    code: str | None = None,
    *,
    all_passages: bool = False,
    unit: str = "passage",
    overlap: float = 0.9,
    sources: list[str] | None = None,
) -> list[ReviewItem]:
    """Every disagreement between two coders (on one code, or on every code), ready to show."""
    keys = disagreeing_pairs(
        project, coders, code, all_passages=all_passages, unit=unit, overlap=overlap, sources=sources
    )
    return load_items(project, coders, keys)


def reload_item(project: Project, item: ReviewItem) -> ReviewItem:
    """The item as it is stored now (its decision and the consensus codings after a settlement)."""
    fresh = load_items(project, item.coders, [(item.passage_id, item.code_id)])
    return fresh[0] if fresh else replace(item)


def settled_counts(
    project: Project,
    coders: tuple[str, str],
    *,
    all_passages: bool = False,
    unit: str = "passage",
    overlap: float = 0.9,
) -> tuple[dict[str, tuple[int, int]], tuple[int, int]]:
    """Per code key: (disagreements between the two coders, of them settled); and the total.

    Settled as the consensus counts it (:func:`trivselkode.storage.consensus.settled_among`).
    """
    keys = disagreeing_pairs(project, coders, None, all_passages=all_passages, unit=unit, overlap=overlap)
    with project.read() as s:
        keys_of = dict(s.exec(select(Code.id, Code.key)).all())
        settled = settled_among(s, coders, keys)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pid, code_id in keys:
        row = counts[keys_of[code_id]]
        row[0] += 1
        row[1] += (pid, code_id) in settled
    per_code = {k: (v[0], v[1]) for k, v in counts.items()}
    total = (sum(v[0] for v in per_code.values()), sum(v[1] for v in per_code.values()))
    return per_code, total


def settlers(
    project: Project,
    coders: tuple[str, str],
    *,
    codes: list[str] | None = None,
    sources: list[str] | None = None,
    all_passages: bool = False,
    unit: str = "passage",
    overlap: float = 0.9,
) -> tuple[int, int, list[str]]:
    """(disagreements, settled, who settled them – most first) between the two coders, on ``codes`` (keys)."""
    keys = disagreeing_pairs(
        project, coders, None, all_passages=all_passages, unit=unit, overlap=overlap, sources=sources
    )
    with project.read() as s:
        if codes is not None:
            wanted = set(s.exec(select(Code.id).where(col(Code.key).in_(codes))).all())
            keys = [k for k in keys if k[1] in wanted]
        settled = settled_among(s, coders, keys)
    by: dict[str, int] = defaultdict(int)
    for name in settled.values():
        if name:
            by[name] += 1
    return len(keys), len(settled), sorted(by, key=lambda n: (-by[n], n))


__all__ = [
    "CHOICE_LABELS",
    "Context",
    "Decided",
    "ReviewItem",
    "ViewCoding",
    "comparable_coders",
    "disagreeing_pairs",
    "load_items",
    "reload_item",
    "review_items",
    "settled_counts",
    "settlers",
]
