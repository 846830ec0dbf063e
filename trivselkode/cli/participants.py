"""``trivselkode participants``: list, set attributes, remove."""

from __future__ import annotations

import typer

from trivselkode.cli.common import OutputFormat, emit_json, new_typer, note, plain_console, state
from trivselkode.cli.sources import _confirm
from trivselkode.i18n import N_, _

app = new_typer()


@app.command("list", help=N_("Vis deltagerne med deres egenskaber."))
def list_participants(
    ctx: typer.Context,
    source: str | None = typer.Option(None, "--source", "-s", help=N_("Kun denne kilde.")),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.storage.sources import participant_rows

    rows = participant_rows(state(ctx).project(), source)
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    from rich.table import Table

    table = Table(_("Kilde"), _("Deltager"), _("Rolle"), _("Køn"), _("Alder"), _("Bibliotek"), _("Udsagn"), _("Øvrige"))
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


@app.command(
    "set",
    help=N_("Ret en deltagers egenskaber (gender/køn, age/alder, site/bibliotek, role, label eller egne nøgler)."),
)
def set_participant(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help=N_("Kildens navn.")),
    participant: str = typer.Option(..., "--participant", "-p", help=N_("Deltagerens betegnelse, fx P1.")),
    values: list[str] = typer.Argument(..., help=N_("NØGLE=VÆRDI, fx køn=kvinde alder=67 site=Holstebro.")),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.storage.sources import parse_assignments, set_participant_fields

    summary = set_participant_fields(state(ctx).project(), source, participant, parse_assignments(values))
    if fmt is OutputFormat.json:
        emit_json(summary)
    else:
        note(_("Deltageren '{label}' i '{source}' er opdateret.").format(label=summary["label"], source=source))


@app.command(
    "remove",
    help=N_("Slet en deltager: replikkerne skæres ud af teksten, og udsagn og kodninger slettes (trukket samtykke)."),
)
def remove(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help=N_("Kildens navn.")),
    participant: str = typer.Option(..., "--participant", "-p", help=N_("Deltagerens betegnelse.")),
    yes: bool = typer.Option(False, "--yes", "-y", help=N_("Spring bekræftelsen over.")),
) -> None:
    from trivselkode.storage.sources import removal_counts, remove_participant

    project = state(ctx).project()
    counts = removal_counts(project, source, participant)
    _confirm(
        yes,
        _("Slet deltageren '{participant}' i '{source}' med {passages} udsagn og {codings} kodninger?").format(
            participant=participant, source=source, passages=counts["passages"], codings=counts["codings"]
        ),
    )
    remove_participant(project, source, participant)
    note(
        _("Deltageren '{participant}' er slettet fra '{source}' ({passages} udsagn, {codings} kodninger).").format(
            participant=participant, source=source, passages=counts["passages"], codings=counts["codings"]
        )
    )
