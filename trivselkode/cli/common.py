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
from typer.core import TyperCommand, TyperGroup

from trivselkode.config import Settings
from trivselkode.domain.display import escape_json, inert
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _
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

    if "width" not in kwargs and not os.environ.get("COLUMNS") and not _is_terminal(kwargs.get("file") or sys.stdout):
        kwargs["width"] = WIDE  # a pipe or a file: the table whole, never cut to 80 columns
    return PlainConsole(markup=False, emoji=False, highlight=False, **kwargs)


#: The width a table gets when it goes to a pipe or a file: as wide as its content.
WIDE = 100_000


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


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
                note(_("advarsel: {warning}").format(warning=warning))
            if result.created and announce_new:
                note(
                    _(
                        "Nyt, tomt projekt oprettet i {name}. Indlæs en kodebog med `trivselkode codebook load FIL`, "
                        "eller opret projektet med `trivselkode init`."
                    ).format(name=project.display_name)
                )
            self._project = project
            if verify:
                project.verify()
        return self._project

    def coder(self, explicit: str | None = None) -> str:
        name = explicit or self.settings.coder
        if not name:
            raise TrivselError(_("hvem koder?"), _("angiv --coder NAVN eller sæt TRIVSELKODE_CODER"))
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
    """What is wrong with the command line, in the interface's language (click's English never shows)."""
    param = getattr(exc, "param", None)
    if isinstance(exc, click_errors.NoSuchOption):
        if exc.possibilities:
            return _("ukendt tilvalg: {option} (mente du {close}?)").format(
                option=exc.option_name, close=_(" eller ").join(sorted(exc.possibilities))
            )
        return _("ukendt tilvalg: {option}").format(option=exc.option_name)
    if isinstance(exc, click_errors.MissingParameter):
        if param is None:
            return _("mangler en parameter")
        if param.param_type_name == "argument":
            return _("mangler argumentet {name}").format(name=_hint(param, exc.ctx))
        if param.param_type_name == "option":
            return _("mangler tilvalget {name}").format(name=_hint(param, exc.ctx))
        return _("mangler parameteren {name}").format(name=_hint(param, exc.ctx))
    if isinstance(exc, click_errors.BadParameter) and param is not None:
        choices = _choices(param)
        if choices:
            return _("ugyldig værdi for {name} – vælg en af: {choices}").format(
                name=_hint(param, exc.ctx), choices=", ".join(choices)
            )
        return _("ugyldig værdi for {name}: {why}").format(name=_hint(param, exc.ctx), why=_click_reason(exc.message))
    if isinstance(exc, click_errors.BadOptionUsage) and "requires" in exc.message:
        return _("tilvalget {option} skal have en værdi").format(option=exc.option_name)
    if isinstance(exc, click_errors.BadOptionUsage) and "does not take a value" in exc.message:
        return _("tilvalget {option} tager ingen værdi").format(option=exc.option_name)
    extra = re.fullmatch(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", exc.message)
    if extra:
        return _("for mange argumenter: {extra}").format(extra=extra[1])
    if exc.message.startswith("Missing command"):
        return _("mangler en kommando")
    return _click_reason(exc.format_message())


def _click_reason(message: str) -> str:
    """Click's and typer's English reasons for a bad value, in the interface's language."""
    value = re.fullmatch(r"(?:Value )?(.*) is not a valid (\w+)\.?", message)
    if value:
        kind = _(TYPE_NAMES[value[2]]) if value[2] in TYPE_NAMES else value[2]
        return _("{value} er ikke en gyldig værdi af typen {type}").format(value=value[1], type=kind)
    valid = re.match(r"Input should be a valid (\w+)", message)  # typer's coercion through pydantic
    if valid:
        kind = _(PYDANTIC_TYPES[valid[1]]) if valid[1] in PYDANTIC_TYPES else valid[1]
        return _("værdien skal være af typen {type}").format(type=kind)
    bound = re.match(r"Input should be (greater|less) than or equal to (\S+)", message)
    if bound:
        said = _("værdien skal være mindst {n}") if bound[1] == "greater" else _("værdien må højst være {n}")
        return said.format(n=bound[2])
    choice = re.fullmatch(r"(.*) is not one of (.*)\.", message)
    if choice:
        return _("{value} er ikke en af {choices}").format(value=choice[1], choices=choice[2])
    return message


def _click_file_error(exc: click_errors.ClickException) -> str:
    """A file click could not open, in the interface's language; other click errors as they are."""
    if isinstance(exc, click_errors.FileError):
        return _("kan ikke åbne filen {name}: {reason}").format(name=exc.ui_filename, reason=exc.message)
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
                typer.echo(
                    _("Prøv '{command} {option}' for hjælp.").format(command=ctx.command_path, option=option) + "\n",
                    err=True,
                )
        note(_("fejl: {message}").format(message=usage_message(exc)))
    raise typer.Exit(exc.exit_code)


# The help and the usage errors speak the interface's language. Help texts are declared with N_() (Danish
# msgids) and translated with _() each time help is formatted, from the Danish kept on the command, so a
# change of language in the same process shows. Click's and typer's own English (they have no catalogue)
# is given a Danish msgid here and put through _() the same way.
CLICK_PHRASES = {
    "Show this message and exit.": N_("Vis denne hjælp, og afslut."),
    "Install completion for the current shell.": N_("Installér fuldførelse af kommandoer i den aktuelle skal."),
    "Show completion for the current shell, to copy it or customize the installation.": N_(
        "Vis fuldførelsen for den aktuelle skal, så den kan kopieres eller tilpasses."
    ),
    "[OPTIONS]": N_("[TILVALG]"),
    "COMMAND [ARGS]...": N_("KOMMANDO [ARG]..."),
}
USAGE_PREFIX = N_("Brug: ")
SECTION_ARGUMENTS = N_("Argumenter")
SECTION_OPTIONS = N_("Tilvalg")
SECTION_COMMANDS = N_("Kommandoer")
# The bracketed notes after an option's help ("[default: table; required]").
HELP_EXTRAS = {
    "default: ": N_("standard: "),
    "env var: ": N_("miljøvariabel: "),
    "required": N_("påkrævet"),
    "(dynamic)": N_("(beregnes)"),
}
# typer's names of value types in the help ("--db <str>").
TYPE_NAMES = {
    "str": N_("tekst"),
    "int": N_("heltal"),
    "float": N_("tal"),
    "path": N_("sti"),
    "file": N_("fil"),
    "directory": N_("mappe"),
    "list": N_("liste"),
    "datetime": N_("tidspunkt"),
    "Path": N_("sti"),
}
# Arguments' names in the help and the errors ("mangler argumentet 'fil'").
ARGUMENTS = {
    "file": N_("fil"),
    "paths": N_("stier"),
    "values": N_("værdier"),
    "query": N_("søgeord"),
    "backup_file": N_("sikkerhedskopi"),
}
PYDANTIC_TYPES = {"integer": N_("heltal"), "number": N_("tal"), "boolean": N_("sandhedsværdi"), "string": N_("tekst")}
_TYPE_WORD = re.compile(r"\b(" + "|".join(TYPE_NAMES) + r")\b")
_EXTRAS = re.compile(r"  \[([^\[\]]*)\]$")


def tr(text: str | None) -> str | None:
    """A help text (a Danish msgid, or one of click's English phrases) in the interface's language."""
    if not text:
        return text
    return _(CLICK_PHRASES.get(text, text))


def _localise(command: Any, ctx: Any = None) -> None:
    """Put ``command``'s help texts in the interface's language, from the Danish kept at the first call."""
    items: list[tuple[Any, tuple[str, ...]]] = [
        (command, ("help", "short_help", "epilog", "options_metavar", "subcommand_metavar"))
    ]
    params = command.get_params(ctx) if ctx is not None else command.params
    items += [(param, ("help", "metavar")) for param in params]
    for obj, names in items:
        kept = obj.__dict__.setdefault("_trivsel_msgids", {})
        for name in names:
            if name not in kept:
                kept[name] = getattr(obj, name, None)
            if kept[name] is not None:
                setattr(obj, name, tr(kept[name]))
            elif name == "metavar" and getattr(obj, "param_type_name", "") == "argument" and obj.name in ARGUMENTS:
                setattr(obj, name, _(ARGUMENTS[obj.name]))


def _type_label(text: str) -> str:
    """``--db <str>`` → ``--db <tekst>`` (the value types inside ``<…>`` only; choices stay)."""
    return re.sub(r"<([^<>]*)>", lambda m: "<" + _TYPE_WORD.sub(lambda w: _(TYPE_NAMES[w[1]]), m[1]) + ">", text)


def _extras(help_text: str) -> str:
    """The bracketed notes click appends ("[default: x; required]") in the interface's language."""

    def one(part: str) -> str:
        for english, danish in HELP_EXTRAS.items():
            if part.startswith(english):
                return _(danish) + tr_value(part[len(english) :])
        return part

    def tr_value(value: str) -> str:
        return _(HELP_EXTRAS[value]) if value in HELP_EXTRAS else value

    return _EXTRAS.sub(lambda m: "  [" + "; ".join(one(p) for p in m[1].split("; ")) + "]", help_text)


class TrivselHelp:
    """Help and usage in the interface's language (mixed into the command and group classes)."""

    def get_short_help_str(self, limit: int = 45) -> str:
        """The first paragraph, cut at a word (click cuts at the first full stop: "fx." and "e.g." too)."""
        _localise(self)
        text = self.short_help or (self.help or "").split("\n\n")[0]  # type: ignore[attr-defined]
        text = " ".join(text.split())
        if len(text) <= limit:
            return text
        return text[: limit - 3].rsplit(" ", 1)[0].rstrip(" ,;:–") + "..."

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:
        _localise(self, ctx)
        super().format_help(ctx, formatter)  # type: ignore[misc]

    def format_usage(self, ctx: typer.Context, formatter: Any) -> None:
        _localise(self, ctx)
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_(USAGE_PREFIX))

    def format_params(self, ctx: typer.Context, formatter: Any) -> None:
        """The Arguments and Options sections, their titles, types and notes translated."""
        args, opts = [], []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            record = param.get_help_record(ctx)
            if record is None:
                continue
            record = (_type_label(record[0]), _extras(record[1]))
            (args if param.param_type_name == "argument" else opts).append(record)
        if args:
            with formatter.section(_(SECTION_ARGUMENTS)):
                formatter.write_dl(args)
        if opts:
            with formatter.section(_(SECTION_OPTIONS)):
                formatter.write_dl(opts)


class TrivselCommand(TrivselHelp, TyperCommand):
    """A command whose help speaks the interface's language."""

    def format_options(self, ctx: typer.Context, formatter: Any) -> None:
        self.format_params(ctx, formatter)


class TrivselGroup(TrivselHelp, TyperGroup):
    """Turns every mendable error into one line on standard error and an exit code.

    A usage error (an unknown option or command, a missing argument, a bad
    choice) prints the usage and exits 2; a group without a command prints its
    help and exits 2; a :class:`TrivselError` its exit code; ctrl+c 130; anything
    else is a bug or a failed environment: one line, exit 3.
    """

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        """Speak the language asked for (``--lang``, ``TRIVSELKODE_LANG``) before anything is printed."""
        _language_from_args(list(sys.argv[1:] if args is None else args))
        return super().main(args, *rest, **kwargs)

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if type(command) is TyperCommand:  # registered without new_typer's command class: give it ours
            command.__class__ = TrivselCommand
        return command

    def format_options(self, ctx: typer.Context, formatter: Any) -> None:
        self.format_params(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        commands = [(name, cmd) for name, cmd in commands if cmd is not None and not cmd.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _cmd in commands)
            with formatter.section(_(SECTION_COMMANDS)):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in commands])

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click_errors.UsageError as exc:  # the top level's own options, before invoke
            show_usage_error(exc)

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and not ctx.resilient_parsing and self.get_command(ctx, name) is None:
            close = difflib.get_close_matches(name, self.list_commands(ctx))
            if close:
                ctx.fail(
                    _("ukendt kommando: {name} (mente du {close}?)").format(name=name, close=_(" eller ").join(close))
                )
            ctx.fail(_("ukendt kommando: {name}").format(name=name))
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrivselError as exc:
            note(_("fejl: {message}").format(message=exc))
            for problem in getattr(exc, "problems", [])[1:]:
                note(f"  {problem}")
            raise typer.Exit(exc.exit_code) from None
        except click_errors.UsageError as exc:
            show_usage_error(exc)
        except click_errors.ClickException as exc:  # e.g. a file typer could not open
            note(_("fejl: {message}").format(message=_click_file_error(exc)))
            raise typer.Exit(exc.exit_code) from None
        except typer.Exit:
            raise
        except typer.Abort:  # a question answered by end of input
            typer.echo(_("afbrudt"), err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo(_("afbrudt"), err=True)
            raise typer.Exit(130) from None
        except Exception as exc:  # a bug or an environment failure (the server gone): say it, keep it short
            if os.environ.get("TRIVSELKODE_DEBUG"):
                traceback.print_exc(file=sys.stderr)
            from trivselkode.storage.db import explain_failure

            note(
                _("fejl: {message} (intet er gemt halvt; kør igen med TRIVSELKODE_DEBUG=1 for detaljer)").format(
                    message=explain_failure(exc)
                )
            )
            raise typer.Exit(3) from None
        finally:
            if ctx.parent is None and isinstance(ctx.obj, State):
                ctx.obj.close()


def _language_from_args(args: list[str]) -> None:
    """``--lang X`` among the top level's own options (before the command), else ``TRIVSELKODE_LANG``.

    A command's own ``--lang`` (a report's language) is not the interface's and is left alone.
    """
    from trivselkode.i18n import ENV_LANG, normalize, set_language

    chosen = None
    rest = iter(args)
    for arg in rest:
        if arg == "--lang":
            chosen = next(rest, None)
        elif arg.startswith("--lang="):
            chosen = arg.partition("=")[2]
        elif arg in ("--db", "--coder"):
            next(rest, None)
        elif not arg.startswith("-"):
            break
    if normalize(chosen):
        set_language(chosen)
    elif normalize(os.environ.get(ENV_LANG)):
        set_language(None)


class TrivselTyper(typer.Typer):
    """A Typer whose commands are :class:`TrivselCommand` (help in the interface's language)."""

    def command(self, *args: Any, cls: Any = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or TrivselCommand, **kwargs)


def new_typer(**kwargs: Any) -> typer.Typer:
    options: dict[str, Any] = {
        "cls": TrivselGroup,
        "no_args_is_help": True,
        "pretty_exceptions_enable": False,
        "rich_markup_mode": None,
        "context_settings": {"help_option_names": ["-h", "--help"]},
    }
    options.update(kwargs)
    return TrivselTyper(**options)
