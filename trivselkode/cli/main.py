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
    project,
    refi,
    report,
    retrieve,
    search,
    sources,
    suggest,
)
from trivselkode.cli.common import State, new_typer
from trivselkode.config import Settings

app = new_typer(
    help="trivselkode – kodning af interviews i terminalen.\n\nUden kommando åbnes projektet i den aktuelle mappe.",
    no_args_is_help=False,
    invoke_without_command=True,
)


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
        help="Projektets database: en filsti eller en SQLAlchemy-URL (standard ./trivselkode.db).",
    ),
    coder: str | None = typer.Option(None, "--coder", envvar="TRIVSELKODE_CODER", help="Hvem der koder."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Vis versionen."),
) -> None:
    ctx.obj = State(Settings.from_env(db=db, coder=coder))
    if ctx.invoked_subcommand is None:
        project.open_default(ctx)


project.register(app)
agreement.register(app)
importing.register(app)
retrieve.register(app)
search.register(app)
suggest.register(app)
app.add_typer(codebook.app, name="codebook", help="Kodebogen: valider, indlæs, vis, eksportér.")
app.add_typer(sources.app, name="sources", help="Kilder: vis, ret metadata, markér færdig, fjern.")
app.add_typer(participants.app, name="participants", help="Deltagere: vis, ret egenskaber, fjern.")
app.add_typer(codings.app, name="codings", help="Kodninger: tilføj, fjern, importér, eksportér.")
app.add_typer(report.app, name="report", help="Rapporter: hyppigheder, samforekomst, matrix, citater og diagrammer.")
app.add_typer(
    refi.app,
    name="refi",
    help="REFI-QDA: udveksl projekter (.qdpx) og kodebøger (.qdc) med NVivo, ATLAS.ti, MAXQDA, QualCoder.",
)


def run() -> None:
    app(prog_name="trivselkode")
