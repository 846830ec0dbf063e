"""``trivselkode suggest``: ranked code suggestions for every participant passage of some sources.

A thin shell over :func:`trivselkode.analysis.suggest_sources.suggest_sources`:
the model is trained on the project's codings except the asked sources' own,
codes already on a passage (by anyone) are not suggested, and nothing is written.
"""

from __future__ import annotations

import textwrap
from typing import Any

import typer

from trivselkode.cli.common import OutputFormat, emit_json, note, say, state
from trivselkode.errors import TrivselError

WIDTH = 80


def register(app: typer.Typer) -> None:
    app.command("suggest")(suggest)


def suggest(
    ctx: typer.Context,
    sources: str | None = typer.Option(
        None, "--sources", "-s", help="Kun disse kilder, kommasepareret (standard: alle kilder)."
    ),
    top: int = typer.Option(3, "--top", "-k", help="Højst så mange forslag pr. udsagn (de bedste)."),
    codes: str = typer.Option(
        "all", "--codes", "-c", help="Kun disse koder: nøgler kommasepareret (fx T1,T4), themes (temaerne) eller all."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Foreslå koder for hvert deltagerudsagn i kilderne – ud fra de andre kilders kodninger og kodebogens nøgleord."""
    if top < 1:
        raise TrivselError(f"--top skal være mindst 1, ikke {top}", "fx --top 3")
    from trivselkode.analysis.suggest_sources import suggest_sources

    project = state(ctx).project()
    run = suggest_sources(project, sources=sources, codes=codes, top=top, progress=note)
    learnt = f"Modellen lærte af {run.examples} kodede udsagn uden for de valgte kilder" + (
        f" ({len(run.model_codes)} koder med model; de andre kun nøgleord)." if run.examples else "; kun nøgleord."
    )
    note(learnt)
    if fmt is OutputFormat.json:
        emit_json(document(run))
        return
    for row in run.passages:
        say(_cut(f"{row.source} · udsagn {row.passage}: {' '.join(row.text.split())}"))
        if not row.suggestions:
            say("  (ingen forslag)")
        for s in row.suggestions:
            mark = "vist" if s.shown else "–"
            head = f"  {s.code_key:<14} {s.score:4.2f}  {mark:<4}  "
            say(_cut(head + "; ".join(s.why)))
    note(f"{len(run.passages)} udsagn i {len(run.sources)} {'kilde' if len(run.sources) == 1 else 'kilder'}.")


def _cut(line: str) -> str:
    return textwrap.shorten(line, WIDTH, placeholder=" …") if len(line) > WIDTH else line


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
