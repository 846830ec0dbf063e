"""The pieces of a Søgning result: code chips, the text with its matched words marked, and why it matched.

Data (texts, names) goes through the plain-text helpers and is styled by
Rich ``Text`` spans, never by markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text

from trivselkode.analysis.search import SearchHit
from trivselkode.i18n import _
from trivselkode.tui.common.plain import inert_line

MATCH = Style(bold=True, reverse=True)


@dataclass(frozen=True)
class CodeChip:
    key: str
    name: str
    color: str | None
    shortcut: str | None
    retired: bool


def chip(code: CodeChip | None, key: str) -> Text:
    """A code as a small coloured label: `` T1 ``."""
    color = code.color if code and code.color else "#777777"
    return Text(f" {inert_line(key)} ", style=Style(bgcolor=color, color="#ffffff", bold=True))


def why_line(hit: SearchHit) -> Text:
    """Why ``hit`` matched: "Fundet: trygheden (bøjning af 'tryghed'), kaffe" — each found word once."""
    text = Text(_("Fundet: "), style="dim")
    for n, (word, how) in enumerate(hit.found()):
        if n:
            text.append(", ", style="dim")
        text.append(inert_line(word), style="bold")
        if how:
            text.append(f" ({inert_line(how)})", style="dim")
    return text


def marked(hit: SearchHit, lo: int, hi: int) -> Text:
    """``hit``'s text from ``lo`` to ``hi`` on one line, the matched words styled (never markup)."""
    flat = inert_line(hit.text.replace("\n", " ").replace("\t", " "))  # one for one: the spans hold
    text = Text()
    if lo > 0:
        text.append("… ", style="dim")
    at = lo
    for start, end in hit.spans:
        start, end = max(start, lo), min(end, hi)
        if start >= end or start < at:
            continue
        text.append(flat[at:start])
        text.append(flat[start:end], style=MATCH)
        at = end
    text.append(flat[at:hi])
    if hi < len(flat):
        text.append(" …", style="dim")
    return text
