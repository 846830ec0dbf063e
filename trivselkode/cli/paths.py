"""``trivselkode paths``: where the tool's files are.

The bundled codebook and demo transcripts (in a checkout beside the package,
in a wheel inside it: :func:`trivselkode.config.data_dir`), the project the
command line would use (``--db``, ``TRIVSELKODE_DB``, else ``./trivselkode.db``)
and the user's settings file (the interface language). Nothing is opened or
created: the project is named, never made.
"""

from __future__ import annotations

from pathlib import Path

import typer

from trivselkode.cli.common import OutputFormat, emit_json, say, state
from trivselkode.i18n import N_, _


def register(app: typer.Typer) -> None:
    app.command(
        "paths",
        help=N_("Vis hvor den medfølgende kodebog og demoudskrifterne ligger, projektet og indstillingsfilen."),
    )(paths)


def where(db: str) -> dict[str, object]:
    """The paths as the JSON document gives them."""
    from trivselkode.config import bundled_codebook, data_dir
    from trivselkode.i18n import user_settings_path
    from trivselkode.storage.urls import display_url

    is_url = "://" in db
    project = display_url(db) if is_url else str(Path(db).expanduser().resolve())
    settings = user_settings_path()
    return {
        "codebook": str(bundled_codebook()),
        "transcripts": str(data_dir("transcripts")),
        "project": project,
        "project_exists": None if is_url else Path(project).exists(),
        "settings": str(settings),
        "settings_exists": settings.exists(),
    }


def paths(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    info = where(state(ctx).settings.db)
    if fmt is OutputFormat.json:
        emit_json(info)
        return

    def missing(exists: object) -> str:
        return "" if exists in (True, None) else " " + _("(findes ikke endnu)")

    rows = [
        (_("Kodebog (medfølger)"), str(info["codebook"])),
        (_("Demoudskrifter"), str(info["transcripts"])),
        (_("Projekt"), str(info["project"]) + missing(info["project_exists"])),
        (_("Indstillinger"), str(info["settings"]) + missing(info["settings_exists"])),
    ]
    width = max(len(label) for label, _value in rows)
    for label, value in rows:
        say(f"{label.ljust(width)}  {value}")
