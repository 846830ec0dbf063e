"""``trivselkode sources``: list, set metadata, mark done, remove."""

from __future__ import annotations

import typer

from trivselkode.cli.common import OutputFormat, emit_json, new_typer, note, plain_console, state
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _

app = new_typer()


@app.command("list", help=N_("Vis kilderne med metadata, udsagn, deltagere og færdigmarkeringer."))
def list_sources(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.storage.status import source_rows

    rows = source_rows(state(ctx).project())
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    from rich.table import Table

    table = Table(
        _("Kilde"), _("Titel"), _("Type"), _("Bibliotek"), _("Kontekst"), _("Runde"), _("Udsagn"), _("Deltagere"), _("Færdig")
    )  # fmt: skip
    from trivselkode.analysis.attributes import shown_value

    for r in rows:
        table.add_row(
            r["name"],
            r["title"],
            r["kind"] or "",
            r["site"] or "",
            shown_value("context", r["context"]),
            str(r["round"] or ""),
            str(r["passages"]),
            str(r["participants"]),
            ", ".join(r["done"]),
        )
    plain_console().print(table)


@app.command(
    "set", help=N_("Ret en kildes metadata (title, kind, site, context, round, date, name eller egne nøgler).")
)
def set_source(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help=N_("Kildens navn.")),
    values: list[str] = typer.Argument(..., help=N_("NØGLE=VÆRDI, fx site=Viborg round=2 (tom værdi sletter).")),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.storage.sources import parse_assignments, set_source_fields

    summary = set_source_fields(state(ctx).project(), source, parse_assignments(values))
    if fmt is OutputFormat.json:
        emit_json(summary)
    else:
        note(_("Kilden '{name}' er opdateret.").format(name=summary["name"]))


@app.command("done", help=N_("Markér en kilde som færdigkodet af en koder."))
def done(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help=N_("Kildens navn.")),
    coder: str | None = typer.Option(None, "--coder", help=N_("Koderen (standard: TRIVSELKODE_CODER).")),
    undo: bool = typer.Option(False, "--undo", help=N_("Fjern markeringen igen.")),
) -> None:
    from trivselkode.storage.codings import mark_done

    st = state(ctx)
    name = st.coder(coder)
    changed = mark_done(st.project(), source, name, done=not undo)
    if undo:
        said = (
            _("'{source}' er ikke længere færdig for {name}.")
            if changed
            else _("'{source}' var allerede ikke længere færdig for {name}.")
        )
    else:
        said = _("'{source}' er færdig for {name}.") if changed else _("'{source}' var allerede færdig for {name}.")
    note(said.format(source=source, name=name))


@app.command("remove", help=N_("Slet en kilde med tekst, udsagn og kodninger (fx trukket samtykke)."))
def remove(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help=N_("Kildens navn.")),
    yes: bool = typer.Option(False, "--yes", "-y", help=N_("Spring bekræftelsen over.")),
) -> None:
    from trivselkode.storage.sources import removal_counts, remove_source

    project = state(ctx).project()
    counts = removal_counts(project, source)
    _confirm(
        yes,
        _("Slet kilden '{source}' med {passages} udsagn og {codings} kodninger?").format(
            source=source, passages=counts["passages"], codings=counts["codings"]
        ),
    )
    remove_source(project, source)
    note(
        _("Kilden '{source}' er slettet ({passages} udsagn, {codings} kodninger).").format(
            source=source, passages=counts["passages"], codings=counts["codings"]
        )
    )


#: The answers that mean yes, in either language; anything else (an empty line too) is no.
YES = frozenset({"j", "ja", "y", "yes"})


def _confirm(yes: bool, question: str) -> None:
    if yes:
        return
    import sys

    if not sys.stdin.isatty():
        raise TrivselError(_("sletning kræver bekræftelse"), _("tilføj --yes for at slette uden at blive spurgt"))
    # Our own yes/no (click's confirm says "[y/N]" and "Error: invalid input" in English whatever the language).
    answer = typer.prompt(question + " " + _("[j/N]"), default="", show_default=False, err=True)
    if answer.strip().casefold() not in YES:
        raise TrivselError(_("intet er slettet"))
