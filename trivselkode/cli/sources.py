"""``trivselkode sources``: list, set metadata, mark done, remove."""

from __future__ import annotations

import typer

from trivselkode.cli.common import OutputFormat, emit_json, new_typer, note, plain_console, state
from trivselkode.errors import TrivselError

app = new_typer()


@app.command("list")
def list_sources(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Vis kilderne med metadata, udsagn, deltagere og færdigmarkeringer."""
    from trivselkode.storage.status import source_rows

    rows = source_rows(state(ctx).project())
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    from rich.table import Table

    table = Table("Kilde", "Titel", "Type", "Bibliotek", "Kontekst", "Runde", "Udsagn", "Deltagere", "Færdig")
    for r in rows:
        table.add_row(
            r["name"],
            r["title"],
            r["kind"] or "",
            r["site"] or "",
            r["context"] or "",
            str(r["round"] or ""),
            str(r["passages"]),
            str(r["participants"]),
            ", ".join(r["done"]),
        )
    plain_console().print(table)


@app.command("set")
def set_source(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help="Kildens navn."),
    values: list[str] = typer.Argument(..., help="NØGLE=VÆRDI, fx site=Viborg round=2 (tom værdi sletter)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Ret en kildes metadata (title, kind, site, context, round, date, name eller egne nøgler)."""
    from trivselkode.storage.sources import parse_assignments, set_source_fields

    summary = set_source_fields(state(ctx).project(), source, parse_assignments(values))
    if fmt is OutputFormat.json:
        emit_json(summary)
    else:
        note(f"Kilden '{summary['name']}' er opdateret.")


@app.command("done")
def done(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help="Kildens navn."),
    coder: str | None = typer.Option(None, "--coder", help="Koderen (standard: TRIVSELKODE_CODER)."),
    undo: bool = typer.Option(False, "--undo", help="Fjern markeringen igen."),
) -> None:
    """Markér en kilde som færdigkodet af en koder."""
    from trivselkode.storage.codings import mark_done

    st = state(ctx)
    name = st.coder(coder)
    changed = mark_done(st.project(), source, name, done=not undo)
    what = "ikke længere færdig" if undo else "færdig"
    note(f"'{source}' er {what} for {name}." if changed else f"'{source}' var allerede {what} for {name}.")


@app.command("remove")
def remove(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help="Kildens navn."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Spring bekræftelsen over."),
) -> None:
    """Slet en kilde med tekst, udsagn og kodninger (fx trukket samtykke)."""
    from trivselkode.storage.sources import removal_counts, remove_source

    project = state(ctx).project()
    counts = removal_counts(project, source)
    _confirm(yes, f"Slet kilden '{source}' med {counts['passages']} udsagn og {counts['codings']} kodninger?")
    remove_source(project, source)
    note(f"Kilden '{source}' er slettet ({counts['passages']} udsagn, {counts['codings']} kodninger).")


def _confirm(yes: bool, question: str) -> None:
    if yes:
        return
    import sys

    if not sys.stdin.isatty():
        raise TrivselError("sletning kræver bekræftelse", "tilføj --yes for at slette uden at blive spurgt")
    if not typer.confirm(question, default=False, err=True):
        raise TrivselError("intet er slettet")
