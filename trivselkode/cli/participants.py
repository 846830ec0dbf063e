"""``trivselkode participants``: list, set attributes, remove."""

from __future__ import annotations

import typer

from trivselkode.cli.common import OutputFormat, emit_json, new_typer, note, plain_console, state
from trivselkode.cli.sources import _confirm

app = new_typer()


@app.command("list")
def list_participants(
    ctx: typer.Context,
    source: str | None = typer.Option(None, "--source", "-s", help="Kun denne kilde."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Vis deltagerne med deres egenskaber."""
    from trivselkode.storage.sources import participant_rows

    rows = participant_rows(state(ctx).project(), source)
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    from rich.table import Table

    table = Table("Kilde", "Deltager", "Rolle", "Køn", "Alder", "Bibliotek", "Udsagn", "Øvrige")
    for r in rows:
        extra = ", ".join(f"{k}={v}" for k, v in r["attributes"].items())
        table.add_row(
            r["source"],
            r["label"],
            r["role"],
            r["gender"] or "",
            str(r["age"] or ""),
            r["site"] or "",
            str(r["passages"]),
            extra,
        )
    plain_console().print(table)


@app.command("set")
def set_participant(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help="Kildens navn."),
    participant: str = typer.Option(..., "--participant", "-p", help="Deltagerens betegnelse, fx P1."),
    values: list[str] = typer.Argument(..., help="NØGLE=VÆRDI, fx køn=kvinde alder=67 site=Holstebro."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Ret en deltagers egenskaber (gender/køn, age/alder, site/bibliotek, role, label eller egne nøgler)."""
    from trivselkode.storage.sources import parse_assignments, set_participant_fields

    summary = set_participant_fields(state(ctx).project(), source, participant, parse_assignments(values))
    if fmt is OutputFormat.json:
        emit_json(summary)
    else:
        note(f"Deltageren '{summary['label']}' i '{source}' er opdateret.")


@app.command("remove")
def remove(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help="Kildens navn."),
    participant: str = typer.Option(..., "--participant", "-p", help="Deltagerens betegnelse."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Spring bekræftelsen over."),
) -> None:
    """Slet en deltager: replikkerne skæres ud af teksten, og udsagn og kodninger slettes (trukket samtykke)."""
    from trivselkode.storage.sources import removal_counts, remove_participant

    project = state(ctx).project()
    counts = removal_counts(project, source, participant)
    _confirm(
        yes,
        f"Slet deltageren '{participant}' i '{source}' med {counts['passages']} udsagn og {counts['codings']} kodninger?",
    )
    remove_participant(project, source, participant)
    note(
        f"Deltageren '{participant}' er slettet fra '{source}' ({counts['passages']} udsagn, {counts['codings']} kodninger)."
    )
