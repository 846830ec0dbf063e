"""What every command shares: the open project, output and error handling.

With ``--format json`` a command prints exactly one JSON document on
standard output; notes, warnings and progress go to standard error.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import click
import typer
from typer.core import TyperGroup

from trivselkode.config import Settings
from trivselkode.errors import TrivselError
from trivselkode.export.files import check_target, replace_atomically, write_data


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


def note(message: str) -> None:
    """A note for the person at the terminal (standard error)."""
    typer.echo(message, err=True)


def emit_json(document: Any) -> None:
    """The one JSON document of a command, on standard output."""
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2, default=str))


@dataclass
class State:
    settings: Settings
    _project: Any = field(default=None, repr=False)

    def project(self, announce_new: bool = True):  # noqa: ANN201 (Project; imported lazily for start-up)
        if self._project is None:
            from trivselkode.storage.db import open_project

            project, result = open_project(self.settings.db)
            for warning in project.warnings:
                note(f"advarsel: {warning}")
            if result.created and announce_new:
                note(
                    f"Nyt, tomt projekt oprettet i {project.display_name}. "
                    "Indlæs en kodebog med `trivselkode codebook load FIL`, eller opret projektet med `trivselkode init`."
                )
            self._project = project
        return self._project

    def coder(self, explicit: str | None = None) -> str:
        name = explicit or self.settings.coder
        if not name:
            raise TrivselError("hvem koder?", "angiv --coder NAVN eller sæt TRIVSELKODE_CODER")
        return name

    def close(self) -> None:
        if self._project is not None:
            self._project.dispose()
            self._project = None


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State(Settings.from_env())
    return root.obj


def out_path_writable(path: Path) -> None:
    """Refuse an output path that cannot be written, before any work is done."""
    check_target(path)


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place."""
    replace_atomically(check_target(path), lambda tmp: write_data(tmp, data))


class TrivselGroup(TyperGroup):
    """Turns every mendable error into one line on standard error and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrivselError as exc:
            typer.echo(f"fejl: {exc}", err=True)
            for problem in getattr(exc, "problems", [])[1:]:
                typer.echo(f"  {problem}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            typer.echo("afbrudt", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:  # a bug or an environment failure (the server gone): say it, keep it short
            if os.environ.get("TRIVSELKODE_DEBUG"):
                traceback.print_exc(file=sys.stderr)
            from trivselkode.storage.db import explain_failure

            typer.echo(
                f"fejl: {explain_failure(exc)} (intet er gemt halvt; kør igen med TRIVSELKODE_DEBUG=1 for detaljer)",
                err=True,
            )
            raise typer.Exit(3) from None
        finally:
            if ctx.parent is None and isinstance(ctx.obj, State):
                ctx.obj.close()


def new_typer(**kwargs: Any) -> typer.Typer:
    options: dict[str, Any] = {
        "cls": TrivselGroup,
        "no_args_is_help": True,
        "pretty_exceptions_enable": False,
        "rich_markup_mode": None,
        "context_settings": {"help_option_names": ["-h", "--help"]},
    }
    options.update(kwargs)
    return typer.Typer(**options)
