"""Settling disagreements into the reserved ``konsensus`` coder, changing and undoing settlements.

A decision is per passage and code: take coder A's codings of that code on
that passage, coder B's, both, or neither. The consensus coder's codings of
that code on that passage are replaced by the chosen ones; the coders' own
codings are never touched. Each decision records who settled it, when, and
(optionally) why; settling again changes it, :func:`unsettle` removes it and
the consensus coder's codings of that code there. Every settle, change and
undo also adds a row to the audit trail (:mod:`trivselkode.storage.decisions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import delete
from sqlmodel import Session, col, select

from trivselkode.config import CONSENSUS_CODER
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.storage.db import Project
from trivselkode.storage.decisions import UNDONE, clean_reason, record_event
from trivselkode.storage.lookup import (
    code_by_key,
    coder_by_name,
    get_or_create_coder,
    passage_by_number,
    source_by_name,
)
from trivselkode.storage.models import Coder, Coding, Decision, utcnow

CHOICES = ("a", "b", "both", "neither")


@dataclass
class Settled:
    source: str
    passage: int
    code: str
    choice: str
    codings: int  # consensus codings of that code on that passage afterwards
    previous: str | None = None  # the choice before (None: it was open)
    reason: str | None = None  # the reason stored with the decision


def _copy_into_consensus(s: Session, passage_id: int, code_id: int, consensus_id: int, take: list[int]) -> int:
    """Replace the consensus coder's codings of the code on the passage by the distinct spans of ``take``'s."""
    chosen = (
        list(
            s.exec(
                select(Coding).where(
                    Coding.passage_id == passage_id, Coding.code_id == code_id, col(Coding.coder_id).in_(take)
                )
            )
        )
        if take
        else []
    )
    _drop_consensus(s, passage_id, code_id, consensus_id)
    seen: dict[tuple[int | None, int | None], Coding] = {}
    for row in chosen:
        key = (row.start, row.end)
        if key in seen:
            if row.memo and row.memo not in (seen[key].memo or ""):
                seen[key].memo = f"{seen[key].memo}\n{row.memo}" if seen[key].memo else row.memo
            continue
        seen[key] = Coding(
            passage_id=passage_id, code_id=code_id, coder_id=consensus_id, start=row.start, end=row.end, memo=row.memo
        )
    for coding in seen.values():
        s.add(coding)
    return len(seen)


def _drop_consensus(s: Session, passage_id: int, code_id: int, consensus_id: int) -> None:
    s.execute(
        delete(Coding).where(
            col(Coding.passage_id) == passage_id, col(Coding.code_id) == code_id, col(Coding.coder_id) == consensus_id
        )
    )


def settle(
    project: Project,
    source: str,
    passage: int,
    code: str,
    choice: str,
    coders: tuple[str, str],
    settled_by: str,
    reason: str | None = None,
) -> Settled:
    """Record a decision and set the consensus coding accordingly (one transaction, one audit row).

    ``reason``: why, in the settler's words; ``None`` keeps the reason an
    earlier settlement gave, ``""`` removes it.
    """
    if choice not in CHOICES:
        raise TrivselError(_("ukendt afgørelse '{choice}'").format(choice=choice), _("brug a, b, both eller neither"))
    if CONSENSUS_CODER in coders:
        raise TrivselError(_("konsensus kan ikke være en af de sammenlignede kodere"))
    with project.write() as s:
        src = source_by_name(s, source)
        p = passage_by_number(s, src, passage)
        c = code_by_key(s, code)
        a, b = (coder_by_name(s, name) for name in coders)
        consensus = get_or_create_coder(s, CONSENSUS_CODER)
        pid, cid = cast(int, p.id), cast(int, c.id)
        take = {"a": [a.id], "b": [b.id], "both": [a.id, b.id], "neither": []}[choice]
        count = _copy_into_consensus(s, pid, cid, cast(int, consensus.id), [cast(int, t) for t in take])
        decision = s.exec(select(Decision).where(Decision.passage_id == pid, Decision.code_id == cid)).first()
        previous = decision.choice if decision is not None else None
        if decision is None:
            decision = Decision(passage_id=pid, code_id=cid, choice=choice, settled_by=settled_by)
        decision.choice = choice
        decision.coders = f"{a.name},{b.name}"
        decision.settled_by = settled_by
        decision.settled_at = utcnow()
        if reason is not None:
            decision.reason = clean_reason(reason)
        s.add(decision)
        record_event(
            s,
            passage_id=pid,
            code_id=cid,
            choice=choice,
            previous=previous,
            coders=decision.coders,
            reason=decision.reason,
            by=settled_by,
        )
        return Settled(source, passage, code, choice, count, previous, decision.reason)


def unsettle(project: Project, source: str, passage: int, code: str, by: str, reason: str | None = None) -> Settled:
    """Undo a settlement: remove the decision and the consensus coder's codings of the code on the passage.

    The disagreement is open again. One transaction and one audit row
    (choice ``undone``, with ``reason`` if given). Refused when nothing was settled there.
    """
    with project.write() as s:
        src = source_by_name(s, source)
        p = passage_by_number(s, src, passage)
        c = code_by_key(s, code)
        pid, cid = cast(int, p.id), cast(int, c.id)
        decision = s.exec(select(Decision).where(Decision.passage_id == pid, Decision.code_id == cid)).first()
        consensus_id = s.exec(select(Coder.id).where(Coder.name == CONSENSUS_CODER)).first()
        carried = (
            s.exec(
                select(Coding.id).where(
                    Coding.passage_id == pid, Coding.code_id == cid, Coding.coder_id == consensus_id
                )
            ).first()
            if consensus_id is not None
            else None
        )
        if decision is None and carried is None:
            raise TrivselError(
                _("{code} på udsagn {passage} i '{source}' er ikke afgjort, så der er intet at ophæve").format(
                    code=code, passage=passage, source=source
                ),
                _("se afgørelserne med `trivselkode consensus list`"),
            )
        if consensus_id is not None:
            _drop_consensus(s, pid, cid, consensus_id)
        previous = decision.choice if decision is not None else "manual"
        coders = decision.coders if decision is not None else ""
        if decision is not None:
            s.delete(decision)
        record_event(
            s, passage_id=pid, code_id=cid, choice=UNDONE, previous=previous, coders=coders, reason=reason, by=by
        )
        return Settled(source, passage, code, UNDONE, 0, previous, clean_reason(reason))


@dataclass(frozen=True)
class PairDecision:
    """What a decision says: the choice, between which coders (A first), and who settled it."""

    choice: str
    coders: tuple[str, ...]
    settled_by: str

    def applies_to(self, pair: tuple[str, str]) -> bool:
        """A decision between these two coders (in either order), or one that does not say between whom."""
        return not self.coders or set(self.coders) == set(pair)


def decisions_by_passage(session: Session) -> dict[tuple[int, int], PairDecision]:
    """Every decision by (passage id, code id)."""
    return {
        (int(p), int(c)): PairDecision(choice, tuple(n for n in (coders or "").split(",") if n), settled_by or "")
        for p, c, choice, coders, settled_by in session.exec(
            select(Decision.passage_id, Decision.code_id, Decision.choice, Decision.coders, Decision.settled_by)  # type: ignore[call-overload]  # sqlmodel's select() overloads stop at 4 columns
        )
    }


def settled_among(session: Session, pair: tuple[str, str], keys: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Which of these disagreements of ``pair`` (passage id, code id) are settled, and by whom ("" if unknown).

    Settled: a decision between the two coders applies there, or, with no
    decision at all, the ``konsensus`` coder carries the code there (settled
    before decisions were recorded).
    """
    if not keys:
        return {}
    decided = decisions_by_passage(session)
    consensus_id = session.exec(select(Coder.id).where(Coder.name == CONSENSUS_CODER)).first()
    carried: set[tuple[int, int]] = set()
    if consensus_id is not None:
        passages = sorted({p for p, _ in keys})
        carried = {
            (int(p), int(c))
            for p, c in session.exec(
                select(Coding.passage_id, Coding.code_id).where(
                    Coding.coder_id == consensus_id, col(Coding.passage_id).in_(passages)
                )
            )
        }
    out = {}
    for key in keys:
        d = decided.get(key)
        if d is not None:
            if d.applies_to(pair):
                out[key] = d.settled_by
        elif key in carried:
            out[key] = ""
    return out


def decisions(project: Project) -> list[dict]:
    from trivselkode.storage.models import Code, Passage, Source

    with project.read() as s:
        rows = s.exec(
            select(Decision, Source.name, Passage.number, Code.key)
            .join(Passage, col(Decision.passage_id) == Passage.id)
            .join(Source, col(Passage.source_id) == Source.id)
            .join(Code, col(Decision.code_id) == Code.id)
            .order_by(Source.name, col(Passage.number), Code.key)
        ).all()
    return [
        {
            "source": source,
            "passage": number,
            "code": key,
            "choice": d.choice,
            "coders": d.coders.split(",") if d.coders else [],
            "settled_by": d.settled_by,
            "settled_at": d.settled_at.isoformat(),
            "reason": d.reason,
        }
        for d, source, number, key in rows
    ]
