"""The ``trivselkode`` command: global options and the command groups."""

from __future__ import annotations

import typer

from trivselkode import __version__
from trivselkode.cli import (
    agreement,
    codebook,
    codings,
    importing,
    participants,
    paths,
    project,
    refi,
    report,
    retrieve,
    search,
    sources,
    suggest,
    survey,
)
from trivselkode.cli.common import State, new_typer
from trivselkode.cli.report import Lang as InterfaceLang
from trivselkode.config import Settings
from trivselkode.i18n import N_, set_language

app = new_typer(
    help=N_("trivselkode – kodning af interviews i terminalen.\n\nUden kommando åbnes projektet i den aktuelle mappe."),
    no_args_is_help=False,
    invoke_without_command=True,
)


def _language(value: str | None) -> str | None:
    """``--lang``: the interface's language from now on (eager: before the command's help or errors)."""
    if value is not None:
        set_language(value)
    return value


def _version(value: bool) -> None:
    if value:
        typer.echo(f"trivselkode {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        envvar="TRIVSELKODE_DB",
        help=N_("Projektets database: en filsti eller en SQLAlchemy-URL (standard ./trivselkode.db)."),
    ),
    coder: str | None = typer.Option(None, "--coder", envvar="TRIVSELKODE_CODER", help=N_("Hvem der koder.")),
    lang: InterfaceLang | None = typer.Option(
        None,
        "--lang",
        callback=lambda value: _language(value.value if value else None),
        is_eager=True,
        help=N_("Grænsefladens sprog: da eller en (standard: TRIVSELKODE_LANG, ellers dansk)."),
    ),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help=N_("Vis versionen.")),
) -> None:
    ctx.obj = State(Settings.from_env(db=db, coder=coder))
    if ctx.invoked_subcommand is None:
        project.open_default(ctx)


project.register(app)
agreement.register(app)
importing.register(app)
paths.register(app)
retrieve.register(app)
search.register(app)
suggest.register(app)
app.add_typer(codebook.app, name="codebook", help=N_("Kodebogen: valider, indlæs, vis, eksportér."))
app.add_typer(sources.app, name="sources", help=N_("Kilder: vis, ret metadata, markér færdig, fjern."))
app.add_typer(participants.app, name="participants", help=N_("Deltagere: vis, ret egenskaber, fjern."))
app.add_typer(codings.app, name="codings", help=N_("Kodninger: tilføj, fjern, importér, eksportér."))
app.add_typer(
    report.app, name="report", help=N_("Rapporter: hyppigheder, samforekomst, matrix, citater og diagrammer.")
)
app.add_typer(
    survey.app,
    name="survey",
    help=N_(
        "Spørgeskemaer: Likert-skalaer, reliabilitet, sammenligning af runder og fælles visning med de kodede svar."
    ),
)
app.add_typer(
    refi.app,
    name="refi",
    help=N_("REFI-QDA: udveksl projekter (.qdpx) og kodebøger (.qdc) med NVivo, ATLAS.ti, MAXQDA, QualCoder."),
)


def run() -> None:
    app(prog_name="trivselkode")
