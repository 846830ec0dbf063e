"""``trivselkode survey import|list|remove``: questionnaires into the project and out again (SPEC §7b)."""

from __future__ import annotations

from pathlib import Path

import typer

from trivselkode.cli.common import OutputFormat, emit_json, note, plain_console, say, state
from trivselkode.cli.sources import _confirm
from trivselkode.i18n import N_, _, format_integer, ngettext


def register(app: typer.Typer) -> None:
    """Add ``import``, ``list`` and ``remove`` to the ``survey`` group."""
    app.command("import", help=N_("Indlæs spørgeskemasvar (CSV eller XLSX) efter en definition (YAML)."))(import_survey)
    app.command("list", help=N_("Vis projektets spørgeskemaer med respondenter, runder og kilde."))(list_surveys)
    app.command("remove", help=N_("Slet et spørgeskema med dets respondenter og den kilde med åbne svar, det skabte."))(
        remove_survey
    )


def import_survey(
    ctx: typer.Context,
    responses: Path = typer.Argument(..., help=N_("Svarene: en .csv- eller .xlsx-fil, én række pr. respondent.")),
    definition: Path = typer.Option(..., "--definition", help=N_("Spørgeskemaets definition (YAML).")),
    name: str | None = typer.Option(None, "--name", help=N_("Spørgeskemaets navn (standard: filens navn).")),
    source: str | None = typer.Option(
        None, "--source", help=N_("Knyt respondenterne til deltagerne i denne kilde med åbne svar (allerede indlæst).")
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.importers.survey import prepare_survey, store_survey_file

    prepared = prepare_survey(responses, definition, name=name, source=source)  # a bad file opens no project
    result = store_survey_file(state(ctx).project(), prepared)
    if fmt is OutputFormat.json:
        emit_json(result.as_dict())
    for warning in result.warnings:
        note(warning)
    if fmt is OutputFormat.json:
        return
    if result.unchanged:
        say(_("Spørgeskemaet '{name}' er uændret (samme fil og definition).").format(name=result.name))
        return
    said = ngettext(
        "Spørgeskemaet '{name}' er indlæst: {n} respondent, {answers} svar",
        "Spørgeskemaet '{name}' er indlæst: {n} respondenter, {answers} svar",
        result.respondents,
    ).format(name=result.name, n=format_integer(result.respondents), answers=format_integer(result.answers))
    if result.linked is not None:
        said += ngettext(
            "; {n} respondent knyttet til sin deltager i kilden '{source}'",
            "; {n} respondenter knyttet til deres deltagere i kilden '{source}'",
            result.linked,
        ).format(n=format_integer(result.linked), source=result.source_name)
    elif result.source_name is not None:
        said += _("; åbne svar i kilden '{source}' ({n} udsagn)").format(
            source=result.source_name, n=format_integer(result.open_passages)
        )
    say(said + ".")


def list_surveys(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.storage.surveys import survey_summaries

    with state(ctx).project().read() as session:
        rows = survey_summaries(session)
    if fmt is OutputFormat.json:
        emit_json(
            [
                {
                    "name": r.name,
                    "title": r.title,
                    "respondents": r.respondents,
                    "rounds": list(r.rounds),
                    "source": r.source,
                }
                for r in rows
            ]
        )
        return
    if not rows:
        note(
            _(
                "Projektet har intet spørgeskema; indlæs et med `trivselkode survey import SVAR.csv --definition SKEMA.yaml`."
            )
        )
        return
    from rich.table import Table

    table = Table(_("Spørgeskema"), _("Titel"), _("Respondenter"), _("Runder"), _("Kilde"))
    for r in rows:
        table.add_row(r.name, r.title, format_integer(r.respondents), ", ".join(r.rounds), r.source or "")
    plain_console().print(table)


def remove_survey(
    ctx: typer.Context,
    name: str = typer.Argument(..., help=N_("Spørgeskemaets navn.")),
    yes: bool = typer.Option(False, "--yes", "-y", help=N_("Spring bekræftelsen over.")),
) -> None:
    from trivselkode.storage.sources import removal_counts
    from trivselkode.storage.surveys import removal_plan, remove_survey

    project = state(ctx).project()
    respondents, source = removal_plan(project, name)
    question = ngettext(
        "Slet spørgeskemaet '{name}' med {n} respondent",
        "Slet spørgeskemaet '{name}' med {n} respondenter",
        respondents,
    ).format(name=name, n=format_integer(respondents))
    if source is not None:
        counts = removal_counts(project, source)
        question += _(" og kilden '{source}' med {passages} udsagn og {codings} kodninger").format(
            source=source, passages=format_integer(counts["passages"]), codings=format_integer(counts["codings"])
        )
    _confirm(yes, question + "?")
    remove_survey(project, name)
    note(_("Spørgeskemaet '{name}' er slettet.").format(name=name))
