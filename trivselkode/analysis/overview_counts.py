"""The overview's theme bars: per theme, the passages carrying it, counted by the database.

The same numbers and the same basis as
:func:`trivselkode.analysis.frequencies.theme_frequencies` (every report's
default: the consensus when none of its disagreements is open, else the
union), without reading every coding into memory where that is not needed:

- when the default is the union (no consensus pair can be told: more than
  two coders and no decisions naming two of them, say), the count is one
  aggregate over the coding table — distinct (passage, theme) pairs of the
  union's coders, grouped by theme;
- when a consensus pair is known, whether the default is the consensus or
  the union depends on every disagreement of the pair being settled, which
  only the whole consensus tells: then the count is
  :func:`~trivselkode.analysis.frequencies.theme_frequencies` itself.

Without decisions and without exactly two coders (no pair, nothing to
explain) neither numpy nor the report modules are imported, so the overview
is drawn without loading them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlmodel import Session, col, select

from trivselkode.config import CONSENSUS_CODER
from trivselkode.domain.codebook_lang import code_name
from trivselkode.i18n import N_, gettext_for
from trivselkode.storage.coding_views import THEME_KIND
from trivselkode.storage.db import Project
from trivselkode.storage.models import Code, Coder, Coding, Decision


@dataclass
class ThemeCount:
    key: str
    name: str  # in the interface's language (the codebook's English where there is one)
    color: str | None
    passages: int  # passages carrying the theme under the default basis


@dataclass
class ThemeFrequencies:
    themes: list[ThemeCount]
    basis: str  # "konsensus af anne og bo", "foreningsmængden af anne, bo (konsensus: …)", or "" without codings


def theme_codes(session: Session) -> list[Code]:
    """The themes: the codes of kind ``tema`` not retired, in codebook order; without any, the top-level codes."""
    codes = list(session.exec(select(Code).where(Code.retired == False).order_by(col(Code.position), col(Code.id))))  # noqa: E712
    return [c for c in codes if c.kind == THEME_KIND] or [c for c in codes if c.parent_id is None]


def theme_counts(project: Project) -> ThemeFrequencies:
    """Per theme, the passages carrying it under the default basis: equal to ``theme_frequencies(project)``."""
    with project.read() as session:
        themes = theme_codes(session)
        if not themes:
            return ThemeFrequencies([], "")
        active = _coders_with_codings(session)
        humans = {n: i for n, i in sorted(active.items()) if n != CONSENSUS_CODER}
        if humans:
            pair, label = _union_or_pair(session, humans, active.get(CONSENSUS_CODER))
        elif active and session.exec(select(col(Decision.id)).limit(1)).first() is not None:
            pair, label = True, ""  # only the reserved coder's codings, and decisions that may name a pair
        else:  # no codings, or only the reserved coder's and no decision: the default basis has none to read
            return ThemeFrequencies([ThemeCount(c.key, code_name(c), c.color, 0) for c in themes], "")
        if not pair:
            counts = _union_counts(session, [cast(int, c.id) for c in themes], list(humans.values()))
    if pair:
        from trivselkode.analysis.frequencies import theme_frequencies

        return theme_frequencies(project)
    return ThemeFrequencies(
        [ThemeCount(c.key, code_name(c), c.color, counts.get(cast(int, c.id), 0)) for c in themes], label
    )


def _union_or_pair(session: Session, humans: dict[str, int], consensus_id: int | None) -> tuple[bool, str]:
    """Whether the default basis has a consensus pair (then only the consensus tells the numbers);
    if not, the union's description, as :meth:`~trivselkode.analysis.basis.Selection.label` gives it.

    Without decisions and without exactly two coders there is no pair and nothing to explain, and
    the description is said here: the report modules (numpy) are not loaded for it.
    """
    decided = session.exec(select(col(Decision.id)).limit(1)).first() is not None
    if not decided and len(humans) != 2:
        return False, gettext_for(None)(N_("foreningsmængden af {names}")).format(names=", ".join(humans))
    from trivselkode.analysis.basis import Selection, _pair
    from trivselkode.storage.consensus import decisions_by_passage

    decisions = decisions_by_passage(session)
    pair, reason = _pair(session, humans, decisions, None)
    if pair is not None:
        return True, ""
    # load_basis's default without a pair: the union of the coders other than konsensus.
    unused = reason if decisions else None
    selection = Selection("union", tuple(humans.values()), tuple(humans), None, consensus_id, unused)
    return False, selection.label()


def _coders_with_codings(session: Session) -> dict[str, int]:
    """The coders who have codings, by name: a look in the coder index per coder (not a count of every coding)."""
    has = select(col(Coding.id)).where(col(Coding.coder_id) == Coder.id).exists()
    return {name: int(cast(int, cid)) for cid, name in session.exec(select(Coder.id, Coder.name).where(has))}


def _union_counts(session: Session, code_ids: list[int], coder_ids: list[int]) -> dict[int, int]:
    """Per code id, the distinct passages the coders coded with it (sub-spans: once a passage).

    Read from the (code, passage, coder) index alone, only the themes' entries, in the order
    of the count (no sort). ``+coder_id``: not by the coder index (harmless elsewhere).
    """
    codes = ", ".join(str(int(i)) for i in code_ids)
    coders = ", ".join(str(int(i)) for i in coder_ids)
    rows = session.connection().exec_driver_sql(
        "SELECT code_id, COUNT(DISTINCT passage_id) FROM coding "
        f"WHERE code_id IN ({codes}) AND +coder_id IN ({coders}) GROUP BY code_id",
    )
    return {int(code): int(n) for code, n in rows}


__all__ = ["ThemeCount", "ThemeFrequencies", "theme_codes", "theme_counts"]
