"""What every command shares: the open project, output and error handling.

With ``--format json`` a command prints exactly one JSON document on
standard output; notes, warnings and progress go to standard error.

Text from files is shown, never obeyed (:mod:`trivselkode.domain.display`):
what a command prints to standard output or standard error has its control
and bidi characters shown as symbols, and is never read as Rich markup —
whether it goes to a terminal, a pipe or a file. JSON escapes them instead
(``\u001b``, ``\u009b``, ``\u202e``), so it is safe and exact. A file written
with ``--out`` keeps the text byte for byte.
"""

from __future__ import annotations

import difflib
import inspect
import json
import os
import re
import sys
import traceback
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn

import typer
from typer._click import exceptions as click_errors  # typer >= 0.26 vendors click; it raises these
from typer.core import TyperGroup

from trivselkode.config import Settings
from trivselkode.domain.display import escape_json, inert
from trivselkode.errors import TrivselError
from trivselkode.storage.files import check_target, replace_atomically, write_data


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


def note(message: str) -> None:
    """A note for the person at the terminal (standard error), control characters shown inert."""
    typer.echo(inert(message), err=True)


def say(line: str) -> None:
    """A line of a command's output for a person (standard output), control characters shown inert."""
    typer.echo(inert(line))


def emit_data(text: str) -> None:
    """A document (CSV, Markdown, YAML, a text table) on standard output, as it was rendered.

    Standard output is read by people, through a pipe (``| head``) or a file
    they then print as well as on the terminal, so control characters are shown
    inert wherever it goes; ``--out FILE`` writes the document byte for byte. A
    JSON document is escaped instead (:func:`escape_json`), which keeps its data
    exact.
    """
    typer.echo(_json_or_inert(text), nl=False)


def _json_or_inert(text: str) -> str:
    if text.lstrip()[:1] in ("{", "["):
        try:
            json.loads(text)
        except ValueError:
            pass
        else:  # control characters can only stand in its strings: escape them there, losslessly
            return escape_json(text)
    return inert(text)


def emit_json(document: Any) -> None:
    """The one JSON document of a command, on standard output (DEL, C1 and bidi characters escaped too)."""
    typer.echo(escape_json(json.dumps(document, ensure_ascii=False, indent=2, default=str)))


def plain_console(**kwargs: Any):  # noqa: ANN201 (rich.console.Console; imported lazily)
    """A Rich console for tables of data: strings are shown inert and literally (no markup, no :emoji:)."""
    from rich.console import Console

    class PlainConsole(Console):
        def render_str(self, text: str, **options: Any):  # noqa: ANN201
            options.update(markup=False, emoji=False, highlight=False)
            return super().render_str(inert(text), **options)

    return PlainConsole(markup=False, emoji=False, highlight=False, **kwargs)


@dataclass
class State:
    settings: Settings
    _project: Any = field(default=None, repr=False)

    def project(self, announce_new: bool = True, verify: bool = True):  # noqa: ANN201 (Project; imported lazily)
        """The open project. Unless ``verify`` is false (``status``, and the terminal UI, which checks
        before its first save and each export instead), a damaged SQLite file is refused here, before a
        command reads from it: no listing, report or export of a damaged project ends at exit 0 with
        rows missing."""
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
            if verify:
                project.verify()
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
    """Refuse an output path that cannot be written, before any work is done.

    Before the project is open too: the command's own project file (``--db``)
    is never a target.
    """
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    st = ctx.find_root().obj if ctx is not None else None
    db = st.settings.db if isinstance(st, State) else None
    check_target(path, [Path(db).expanduser()] if db and "://" not in db else [])


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place."""
    replace_atomically(check_target(path), lambda tmp: write_data(tmp, data))


def _choices(param: Any) -> list[str]:
    """The values a choice parameter (an Enum) accepts, else none."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(member.value) for member in annotation]
    return [str(getattr(c, "value", c)) for c in getattr(getattr(param, "type", None), "choices", None) or []]


def _hint(param: Any, ctx: typer.Context | None) -> str:
    """How the error names a parameter: 'FILE', '--format' / '-f' (typer < 0.29 wants the context)."""
    if "ctx" in inspect.signature(param.get_error_hint).parameters:
        return param.get_error_hint(ctx)
    return param.get_error_hint()


def usage_message(exc: click_errors.UsageError) -> str:
    """What is wrong with the command line, in Danish where the words are ours."""
    param = getattr(exc, "param", None)
    if isinstance(exc, click_errors.NoSuchOption):
        close = f" (mente du {' eller '.join(sorted(exc.possibilities))}?)" if exc.possibilities else ""
        return f"ukendt tilvalg: {exc.option_name}{close}"
    if isinstance(exc, click_errors.MissingParameter):
        if param is None:
            return exc.format_message()
        kind = {"argument": "argumentet", "option": "tilvalget"}.get(param.param_type_name, "parameteren")
        return f"mangler {kind} {_hint(param, exc.ctx)}"
    if isinstance(exc, click_errors.BadParameter) and param is not None:
        choices = _choices(param)
        if choices:
            return f"ugyldig værdi for {_hint(param, exc.ctx)} – vælg en af: {', '.join(choices)}"
        return f"ugyldig værdi for {_hint(param, exc.ctx)}: {exc.message}"
    if isinstance(exc, click_errors.BadOptionUsage) and "requires" in exc.message:
        return f"tilvalget {exc.option_name} skal have en værdi"
    extra = re.fullmatch(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", exc.message)
    if extra:
        return f"for mange argumenter: {extra[1]}"
    return exc.format_message()


def show_usage_error(exc: click_errors.UsageError) -> NoReturn:
    """Click's usage line and a Danish one-line error (a group without a command: its help); exit 2."""
    ctx = exc.ctx
    if isinstance(exc, click_errors.NoArgsIsHelpError):
        typer.echo(ctx.get_help(), err=True)
    else:
        if ctx is not None:
            typer.echo(ctx.get_usage(), err=True)
            if ctx.command.get_help_option(ctx) is not None:
                option = max(ctx.help_option_names, key=len)  # --help rather than -h
                typer.echo(f"Prøv '{ctx.command_path} {option}' for hjælp.\n", err=True)
        note(f"fejl: {usage_message(exc)}")
    raise typer.Exit(exc.exit_code)


class TrivselGroup(TyperGroup):
    """Turns every mendable error into one line on standard error and an exit code.

    A usage error (an unknown option or command, a missing argument, a bad
    choice) prints the usage and exits 2; a group without a command prints its
    help and exits 2; a :class:`TrivselError` its exit code; ctrl+c 130; anything
    else is a bug or a failed environment: one line, exit 3.
    """

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click_errors.UsageError as exc:  # the top level's own options, before invoke
            show_usage_error(exc)

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and not ctx.resilient_parsing and self.get_command(ctx, name) is None:
            close = difflib.get_close_matches(name, self.list_commands(ctx))
            ctx.fail(f"ukendt kommando: {name}" + (f" (mente du {' eller '.join(close)}?)" if close else ""))
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrivselError as exc:
            note(f"fejl: {exc}")
            for problem in getattr(exc, "problems", [])[1:]:
                note(f"  {problem}")
            raise typer.Exit(exc.exit_code) from None
        except click_errors.UsageError as exc:
            show_usage_error(exc)
        except click_errors.ClickException as exc:  # e.g. a file typer could not open
            note(f"fejl: {exc.format_message()}")
            raise typer.Exit(exc.exit_code) from None
        except typer.Exit:
            raise
        except typer.Abort:  # a question answered by end of input
            typer.echo("afbrudt", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("afbrudt", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:  # a bug or an environment failure (the server gone): say it, keep it short
            if os.environ.get("TRIVSELKODE_DEBUG"):
                traceback.print_exc(file=sys.stderr)
            from trivselkode.storage.db import explain_failure

            note(f"fejl: {explain_failure(exc)} (intet er gemt halvt; kør igen med TRIVSELKODE_DEBUG=1 for detaljer)")
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
