"""A code's candidate quotes, listed for the researcher to choose among (Eksport's Citatvalg and
``trivselkode report quotes --candidates``).

Every candidate of the code (a participant's passage carrying it under the
basis) is listed once, in this order:

1. the quotes the export takes, in its order: this run's pins (``pinned``),
   the researcher's picks (``picked``), then the automatic choice (``auto``);
2. the other candidates (``candidate``), best tier first (see
   :mod:`trivselkode.analysis.quotes`);
3. the dropped ones (``dropped``), which no export quotes for this code.

Each shows the quote it would give when picked (a passage too short for the
automatic choice is quoted whole: ``quotable`` says whether the automatic
choice could take it), its attribution and its source reference
(:func:`source_reference`, which every quote carries).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from trivselkode.analysis.quote_pick import Candidate, Picker, Quote, Tier

PINNED, PICKED, AUTO, CANDIDATE, DROPPED = "pinned", "picked", "auto", "candidate", "dropped"
STATES = (PINNED, PICKED, AUTO, CANDIDATE, DROPPED)

#: How the states read, in Danish and English.
STATE_LABELS = {
    "da": {PINNED: "fastholdt", PICKED: "valgt", AUTO: "automatisk", CANDIDATE: "kandidat", DROPPED: "fravalgt"},
    "en": {PINNED: "pinned", PICKED: "picked", AUTO: "automatic", CANDIDATE: "candidate", DROPPED: "dropped"},
}

#: The keys of a listed candidate's JSON row, in order.
CANDIDATE_KEYS = (
    "rank",
    "state",
    "position",
    "ref",
    "source",
    "passage",
    "reference",
    "attribution",
    "text",
    "starred",
    "consensus",
    "coders",
    "quotable",
)


@dataclass
class Listed:
    """One candidate as listed: its quote, what the choice makes of it, and where."""

    quote: Quote
    state: str  # pinned | picked | auto | candidate | dropped
    rank: int | None = None  # its place in the export (1-based); None when the export leaves it out
    position: int | None = None  # its place among the picked (1-based)
    quotable: bool = True  # the automatic choice could take it (long enough, not a bare fragment)

    @property
    def ref(self) -> str:
        return f"{self.quote.source}#{self.quote.passage}"

    def row(self) -> dict[str, Any]:
        q = self.quote
        values = (
            self.rank,
            self.state,
            self.position,
            self.ref,
            q.source,
            q.passage,
            q.reference,
            q.attribution,
            q.text,
            q.starred,
            q.consensus,
            q.coders,
            self.quotable,
        )
        return dict(zip(CANDIDATE_KEYS, values))


def list_candidates(
    picker: Picker, quotes: list[Quote], tiers: list[Tier], dropped: Sequence[Candidate], choices: Any
) -> list[Listed]:
    """Every candidate of ``picker``'s code after it picked ``quotes`` (see the module doc).

    ``choices`` is the code's :class:`~trivselkode.storage.quote_choices.CodeChoices`.
    """
    listed: list[Listed] = []
    order = {pid: k for k, pid in enumerate(choices.picked, start=1)}
    for rank, q in enumerate(quotes, start=1):
        state = PINNED if q.pinned else PICKED if q.picked else AUTO
        listed.append(Listed(q, state, rank, order.get(q.passage_id) if q.picked else None))
    taken = {q.passage_id for q in quotes}
    rest = [c for tier in tiers for c in tier.cands if c.passage_id not in taken]
    rest += sorted(dropped, key=lambda c: c.order)
    picker.texts.load(c.passage_id for c in rest)
    dropped_ids = {c.passage_id for c in dropped}
    for c in rest:
        quotable = picker.evaluate(c, ()) is not None
        shown = picker.quote_of(replace(c, picked=True))  # as it would be quoted when picked
        if shown is None:  # a passage with no words at all: nothing to quote
            continue
        shown.picked = False
        state = DROPPED if c.passage_id in dropped_ids else CANDIDATE
        listed.append(Listed(shown, state, None, None, quotable))
    return listed


REFERENCE_WORD = {"da": "udsagn", "en": "passage"}


def source_reference(
    name: str, title: str, site: str | None, number: int, lang: str = "da", pseudonymizer: Any = None
) -> str:
    """ "Interview 3, Holstebro, udsagn 14": the source's title (else its name), its site unless the title
    already says it, and the passage number; pseudonymised (a title holding a name gives the source's
    neutral name) when a pseudonymizer is given."""
    shown = (title or "").strip() or name
    if pseudonymizer is not None:
        shown = pseudonymizer.source_title(name, shown)
        site = pseudonymizer.text(site) if site else site
    parts = [shown]
    if site and not re.search(rf"(?<!\w){re.escape(site)}(?!\w)", shown, re.IGNORECASE):
        parts.append(site)
    parts.append(f"{REFERENCE_WORD.get(lang, 'udsagn')} {number}")
    return ", ".join(parts)


__all__ = [
    "AUTO",
    "CANDIDATE",
    "CANDIDATE_KEYS",
    "DROPPED",
    "PICKED",
    "PINNED",
    "STATES",
    "STATE_LABELS",
    "Listed",
    "list_candidates",
    "source_reference",
]
