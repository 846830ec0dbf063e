"""``trivselkode suggest``: ranked code suggestions for every participant passage of some sources.

A thin shell over :func:`trivselkode.analysis.suggest_sources.suggest_sources`:
the model is trained on the project's codings except the asked sources' own,
codes already on a passage (by anyone) are not suggested, and nothing is written.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from typing import Any

import typer

from trivselkode.cli.common import OutputFormat, _is_terminal, emit_json, note, say, state
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _, format_number, ngettext

#: The width of the listing on a terminal that does not say its own (a pipe or a file gets whole lines).
WIDTH = 80


def register(app: typer.Typer) -> None:
    app.command(
        "suggest",
        help=N_(
            "Foreslå koder for hvert deltagerudsagn i kilderne – ud fra de andre kilders kodninger og kodebogens nøgleord."
        ),
    )(suggest)


def suggest(
    ctx: typer.Context,
    sources: str | None = typer.Option(
        None, "--sources", "-s", help=N_("Kun disse kilder, kommasepareret (standard: alle kilder).")
    ),
    top: int = typer.Option(3, "--top", "-k", help=N_("Højst så mange forslag pr. udsagn (de bedste).")),
    codes: str = typer.Option(
        "all",
        "--codes",
        "-c",
        help=N_("Kun disse koder: nøgler kommasepareret (fx T1,T4), themes (temaerne) eller all."),
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    if top < 1:
        raise TrivselError(_("--top skal være mindst 1, ikke {top}").format(top=top), _("fx --top 3"))
    from trivselkode.analysis.suggest_sources import suggest_sources

    project = state(ctx).project()
    run = suggest_sources(project, sources=sources, codes=codes, top=top, progress=note)
    if run.examples:
        learnt = _(
            "Modellen lærte af {n} kodede udsagn uden for de valgte kilder ({codes} koder med model; de andre kun nøgleord)."
        ).format(n=run.examples, codes=len(run.model_codes))
    else:
        learnt = _("Modellen lærte af {n} kodede udsagn uden for de valgte kilder; kun nøgleord.").format(
            n=run.examples
        )
    note(learnt)
    if fmt is OutputFormat.json:
        emit_json(document(run))
        return
    for row in run.passages:
        head = _("{source} · udsagn {passage}").format(source=row.source, passage=row.passage)
        say(_cut(f"{head}: {' '.join(row.text.split())}"))
        if not row.suggestions:
            say("  " + _("(ingen forslag)"))
        for s in row.suggestions:
            mark = _("vist") if s.shown else "–"
            head = f"  {s.code_key:<14} {format_number(s.score, 2):>4}  {mark:<4}  "
            say(_cut(head + "; ".join(s.why)))
    n = len(run.sources)
    note(
        ngettext("{passages} udsagn i {n} kilde.", "{passages} udsagn i {n} kilder.", n).format(
            passages=len(run.passages), n=n
        )
    )


def _width() -> int | None:
    """The terminal's width (COLUMNS where it is set); None on a pipe or a file: lines are never cut there."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if not _is_terminal(sys.stdout):
        return None
    return shutil.get_terminal_size((WIDTH, 24)).columns


def _cut(line: str) -> str:
    width = _width()
    return textwrap.shorten(line, width, placeholder=" …") if width and len(line) > width else line


def document(run: Any) -> dict[str, Any]:
    """The one JSON document: the model's basis and, per passage, its ranked suggestions."""
    return {
        "sources": list(run.sources),
        "codes": list(run.codes) if run.codes is not None else "all",
        "model": {"examples": run.examples, "codes": list(run.model_codes)},
        "passages": [
            {
                "source": row.source,
                "passage": row.passage,
                "suggestions": [
                    {"code": s.code_key, "score": round(float(s.score), 3), "shown": bool(s.shown), "why": list(s.why)}
                    for s in row.suggestions
                ],
            }
            for row in run.passages
        ],
    }
