"""Merging the researcher's judgements: consensus decisions, their audit trail and chosen quotes.

A decision settled here stays as it is (the other one is listed as a
conflict); the audit rows of both projects are kept, each once; a quote
choice made here keeps ours, one made only there is added after ours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from trivselkode.i18n import N_, _
from trivselkode.storage.merge_sources import MergeMaps, copied
from trivselkode.storage.models import Decision, DecisionEvent, QuoteChoice

if TYPE_CHECKING:
    from trivselkode.storage.merge import MergeReport

_UNPLACED = N_("{what} på et udsagn uden plads her er sprunget over (kodningerne er bevaret)")


def _placed(x: Any, maps: MergeMaps, what: str, report: MergeReport) -> tuple[int, int] | None:
    """(passage id, code id) here for a row of theirs, or ``None`` (said once per row) when it has no place."""
    target = maps.passages.get(x.passage_id)
    if target is None:
        report.conflicts.append(_(_UNPLACED).format(what=what))
        return None
    return target, maps.codes[x.code_id]


def merge_decisions(s: Session, their_decisions: list[Any], maps: MergeMaps, report: MergeReport) -> None:
    """Consensus decisions: a new one is added; one settled differently here keeps ours."""
    decided = {(x.passage_id, x.code_id): x for x in s.exec(select(Decision))}
    for x in their_decisions:
        key = _placed(x, maps, _("en konsensusafgørelse"), report)
        if key is None:
            continue
        ours = decided.get(key)
        if ours is None:
            decided[key] = Decision(
                **copied(x, "choice", "coders", "settled_by", "settled_at", "reason"),
                passage_id=key[0],
                code_id=key[1],
            )
            s.add(decided[key])
            report.bump("decisions")
        elif ours.choice != x.choice:
            report.conflicts.append(_("en konsensusafgørelse er truffet anderledes her; afgørelsen herfra er beholdt"))


def merge_decision_events(s: Session, their_events: list[Any], maps: MergeMaps, report: MergeReport) -> None:
    """The audit trail: every event of theirs not already here (same place, choice, person and time)."""

    def fingerprint(x: Any, key: tuple[int, int]) -> tuple[Any, ...]:
        return (*key, x.choice, x.previous, x.by, x.at.replace(tzinfo=None) if x.at else None)

    seen = {fingerprint(x, (x.passage_id, x.code_id)) for x in s.exec(select(DecisionEvent))}
    for x in their_events:
        target = maps.passages.get(x.passage_id)
        if target is None:
            continue  # the decision itself was reported as unplaced
        key = (target, maps.codes[x.code_id])
        if fingerprint(x, key) in seen:
            continue
        seen.add(fingerprint(x, key))
        s.add(
            DecisionEvent(
                **copied(x, "choice", "previous", "coders", "reason", "by", "at"), passage_id=key[0], code_id=key[1]
            )
        )
        report.bump("decision_events")


def merge_quote_choices(s: Session, their_choices: list[Any], maps: MergeMaps, report: MergeReport) -> None:
    """Chosen quotes: a choice made here keeps ours; theirs are added after ours, in their order."""
    chosen = {(x.code_id, x.passage_id): x for x in s.exec(select(QuoteChoice))}
    last: dict[int, int] = {}
    for x in chosen.values():
        last[x.code_id] = max(last.get(x.code_id, -1), x.position)
    for x in sorted(their_choices, key=lambda c: (c.code_id, c.position)):
        placed = _placed(x, maps, _("et valgt citat"), report)
        if placed is None:
            continue
        passage_id, code_id = placed
        ours = chosen.get((code_id, passage_id))
        if ours is not None:
            if (ours.state, ours.start, ours.end) != (x.state, x.start, x.end):
                report.conflicts.append(_("et citat er valgt anderledes her; valget herfra er beholdt"))
            continue
        last[code_id] = last.get(code_id, -1) + 1
        chosen[(code_id, passage_id)] = QuoteChoice(
            **copied(x, "state", "start", "end", "chosen_by", "chosen_at"),
            code_id=code_id,
            passage_id=passage_id,
            position=last[code_id],
        )
        s.add(chosen[(code_id, passage_id)])
        report.bump("quote_choices")
