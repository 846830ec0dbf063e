"""What the review queue shows of the current passage: where it is from, its score and why, its text."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from trivselkode.analysis.retrieval import tail
from trivselkode.analysis.review_queue import QueueItem
from trivselkode.i18n import _, format_number
from trivselkode.tui.common.plain import inert, inert_line

BEFORE_CHARS = 240  # of the turn before (the question the passage answers)


def score_label(score: float) -> str:
    """``0,83`` in Danish, ``0.83`` in English."""
    return format_number(score, 2)


def item_head(item: QueueItem) -> Group:
    """Two lines or more: source, passage number and speaker; the score and why."""
    where = Text(no_wrap=True, overflow="ellipsis")
    where.append(
        inert_line(_("{source} · udsagn {number}").format(source=item.source, number=item.number)), style="bold"
    )
    where.append(" · " + inert_line(item.describe_speaker()), style="dim")
    why = Text()
    why.append(_("score {score}").format(score=score_label(item.score)), style="bold")
    if item.why:
        why.append(_(" · hvorfor: "), style="dim")
        why.append(inert_line(" · ".join(item.why)), style="italic")
    else:
        why.append(_(" · ingen ord at pege på (rangeret efter modellen alene)"), style="dim")
    return Group(where, why)


def item_text(item: QueueItem) -> Text:
    """The passage wrapped, the turn before it dimmed above (the question it answers)."""
    body = Text()
    if item.before.strip():
        shown = item.before if len(item.before) <= BEFORE_CHARS else tail(item.before, BEFORE_CHARS)
        body.append(inert(f"{item.before_speaker}: {shown.strip()}"), style="dim italic")
        body.append("\n\n")
    body.append(inert(f"{item.speaker}: "), style="bold")
    body.append(inert(item.text.strip()))
    return body


def empty_text(code_key: str | None, ranking: bool, ranked: bool) -> Text:
    """What the body says when there is no current passage (``code_key`` None: no usable code chosen)."""
    if code_key is None:
        return Text(_("Ingen kode valgt: tryk p for at vælge en (Escape: tilbage)."), style="italic")
    if ranking and not ranked:
        return Text(
            _("Rangerer udsagnene – modellen trænes på kodningerne. Tasterne virker imens (Escape: tilbage)."),
            style="italic",
        )
    return Text(
        inert(
            _(
                "Ingen flere udsagn at gennemgå for {code_key}. r rangerer igen, u fortryder, Escape går tilbage."
            ).format(code_key=code_key)
        ),
        style="italic",
    )
