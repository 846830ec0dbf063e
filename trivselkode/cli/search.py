"""``trivselkode search``: the Søgning screen's search from the command line, with why each passage matched."""

from __future__ import annotations

from typing import Any

import typer

from trivselkode.cli.common import OutputFormat, emit_json, note, say, state
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _


def register(app: typer.Typer) -> None:
    app.command(
        "search", help=N_("Søg i alle kilders udsagn: fuzzy (bøjninger, sammensatte ord, stavefejl) eller præcise ord.")
    )(search)


def search(
    ctx: typer.Context,
    query: list[str] = typer.Argument(
        ..., help=N_('Ordene (alle skal findes); "et udtryk" i anførselstegn findes ord for ord.')
    ),
    exact: bool = typer.Option(False, "--exact", help=N_("Kun præcise ord (ord* = ord, der begynder sådan).")),
    limit: int = typer.Option(50, "--limit", "-n", help=N_("Højst så mange udsagn (de bedste).")),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    text = " ".join(query)
    if limit < 1:
        raise TrivselError(_("--limit skal være mindst 1, ikke {limit}").format(limit=limit), _("fx --limit 20"))
    from trivselkode.analysis.search import SearchIndex
    from trivselkode.analysis.search_query import parse_query

    if not parse_query(text, exact):
        raise TrivselError(_("søgningen har ingen ord"), _('skriv mindst ét ord, fx trivselkode search "tryghed"'))
    index = SearchIndex(state(ctx).project())
    hits = index.search(text, limit=limit, exact=exact)
    if index.lemma_problem:
        note(_("advarsel: {warning}").format(warning=index.lemma_problem))
    if fmt is OutputFormat.json:
        emit_json(
            {
                "query": text,
                "mode": "exact" if exact else "fuzzy",
                "limit": limit,
                "count": len(hits),
                "hits": [hit_json(hit) for hit in hits],
            }
        )
        return
    if not hits:
        note(_("Ingen udsagn passer på '{text}'.").format(text=text) + (" " + _("Prøv uden --exact.") if exact else ""))
        return
    for hit in hits:
        say(f"{hit.source} #{hit.number}  {hit.speaker_line}  {hit.score:.0f}")
        before, match, after = hit.snippet(70)
        say(f"  {before}»{match}«{after}" if match else f"  {before}")
        say("  " + _("fundet: {why}").format(why=why(hit)))
    if len(hits) >= limit:
        note(_("{n} udsagn (de {limit} bedste).").format(n=len(hits), limit=limit))
    else:
        note(_("{n} udsagn.").format(n=len(hits)))


def hit_json(hit: Any) -> dict[str, Any]:
    """One hit as the JSON document lists it (``matches``: the words that matched, where and how)."""
    return {
        "source": hit.source,
        "passage": hit.number,
        "speaker": hit.speaker,
        "role": hit.role,
        "gender": hit.gender,
        "age": hit.age,
        "site": hit.site,
        "score": hit.score,
        "text": hit.text,
        "matches": [
            {
                "word": hit.text[m.start : m.end],
                "start": m.start,
                "end": m.end,
                "term": m.term,
                "kind": m.kind,
                "how": m.how(),
            }
            for m in hit.matches
        ],
    }


def why(hit: Any) -> str:
    """The words that matched, each once: ``trygheden (bøjning af 'tryghed'), kaffe``."""
    return ", ".join(f"{word} ({how})" if how else word for word, how in hit.found())
