"""Project-wide commands: init, status, demo, and opening the project."""

from __future__ import annotations

import os
import shlex
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from trivselkode.cli.common import OutputFormat, emit_json, note, plain_console, state
from trivselkode.config import Settings, bundled_codebook, data_dir
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _

if TYPE_CHECKING:
    from trivselkode.storage.db import Project


def register(app: typer.Typer) -> None:
    app.command("init", help=N_("Opret et projekt med kodebogen (standard: den medfølgende trivselskodebog)."))(init)
    app.command("status", help=N_("Vis projektets indhold: kilder, udsagn, deltagere, koder, kodere, kodninger."))(
        status
    )
    app.command("demo", help=N_("Åbn en frisk kopi af demoprojektet (tre bibliotekers interviews, to kodere)."))(demo)
    app.command("backup", help=N_("Tag en konsistent sikkerhedskopi af projektet, mens andre arbejder."))(backup)
    app.command("restore", help=N_("Gendan en sikkerhedskopi i en tom database (fx en ny PostgreSQL-database)."))(
        restore
    )


def backup(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help=N_("Sikkerhedskopien (en SQLite-projektfil).")),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.storage.backup import backup as run_backup

    counts = run_backup(state(ctx).project(), out)
    if fmt is OutputFormat.json:
        emit_json({"out": str(out), "rows": counts})
    else:
        note(
            _("Sikkerhedskopi skrevet til {out} ({codings} kodninger, {sources} kilder).").format(
                out=out, codings=counts.get("coding", 0), sources=counts.get("source", 0)
            )
        )


def restore(
    ctx: typer.Context,
    backup_file: Path = typer.Argument(..., help=N_("En sikkerhedskopi lavet med `trivselkode backup`.")),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.storage.backup import restore as run_restore

    counts = run_restore(state(ctx).project(announce_new=False), backup_file)
    if fmt is OutputFormat.json:
        emit_json({"rows": counts})
    else:
        note(
            _("Gendannet: {codings} kodninger, {sources} kilder.").format(
                codings=counts.get("coding", 0), sources=counts.get("source", 0)
            )
        )


def init(
    ctx: typer.Context,
    codebook: Path | None = typer.Option(
        None, "--codebook", help=N_("Kodebog at starte med (standard: den medfølgende).")
    ),
) -> None:
    from trivselkode.domain.codebook import load_codebook_file
    from trivselkode.storage.codebook import load_codebook

    st = state(ctx)
    book = load_codebook_file(codebook or bundled_codebook())
    project = st.project(announce_new=False)
    from trivselkode.storage.status import project_status

    if project_status(project)["codes"]:
        raise TrivselError(
            _("projektet i {name} har allerede en kodebog").format(name=project.display_name),
            _("opdatér den med `trivselkode codebook load FIL`"),
        )
    report = load_codebook(project, book)
    note(
        _("Projekt klar i {name} med kodebogen '{book}' ({n} koder).").format(
            name=project.display_name, book=book.name, n=len(report.added)
        )
    )


def status(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.storage.status import project_status, source_rows

    # The quick look stays quick (SPEC §10: ≤ 1.2 s on the 1M-word bench): no quick_check; its counts come
    # from indexes, and damage SQLite meets is still named. Every other command checks the file first.
    project = state(ctx).project(verify=False)
    info = project_status(project)
    if fmt is OutputFormat.json:
        emit_json(info)
        return
    print_overview(project.display_name, info, source_rows(project))


def print_overview(name: str, info: dict, rows: list[dict]) -> None:
    from rich.table import Table
    from rich.text import Text

    from trivselkode.domain.display import inert_line

    console = plain_console()
    book = info["codebook"]
    console.print(
        Text(inert_line(name), style="bold"),
        "  "
        + _("kodebog: {name} v{version}").format(name=book["name"] or _("(ingen)"), version=book["version"] or "-"),
        sep="",
    )
    counts = _(
        "{sources} kilder · {passages} udsagn · {participants} deltagere · "
        "{codes} koder · {coders} kodere · {codings} kodninger"
    ).format(**{k: info[k] for k in ("sources", "passages", "participants", "codes", "coders", "codings")})
    if info["unplaced"]:
        counts += " · " + _("{n} ikke-genplacerede").format(n=info["unplaced"])
    console.print(counts)
    if rows:
        table = Table(
            _("Kilde"), _("Type"), _("Bibliotek"), _("Kontekst"), _("Runde"), _("Udsagn"), _("Kodninger"), _("Færdig")
        )  # fmt: skip
        from trivselkode.analysis.attributes import shown_value

        for r in rows:
            table.add_row(
                r["name"],
                r["kind"] or "",
                r["site"] or "",
                shown_value("context", r["context"]),
                str(r["round"] or ""),
                str(r["passages"]),
                str(r["codings"]),
                ", ".join(r["done"]),
            )
        console.print(table)


def _remove_sqlite_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build_demo(db_path: Path) -> None:
    """A fresh demo project at ``db_path``: bundled codebook, transcripts and two coders' codings.

    It is built beside ``db_path`` and renamed into place when finished, so a
    failed or interrupted build leaves any file at ``db_path`` as it was.
    """
    tmp = db_path.with_name(f".{db_path.name}.tmp{os.getpid()}")
    _remove_sqlite_file(tmp)
    try:
        _fill_demo(tmp)
        for suffix in ("-wal", "-shm"):  # an old project's journal must not meet the new file
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, db_path)
    finally:
        _remove_sqlite_file(tmp)


#: The demo's two coders' codings, beside its sources in ``transcripts/``.
DEMO_CODINGS = "codings-demo.csv"


def demo_source_files() -> list[Path]:
    """The demo's source files in ``transcripts/``, as the demo imports them: not its codings or README
    (a sidecar ``.yaml`` goes with its source)."""
    from trivselkode.importers.formats import iter_source_files

    return [p for p in iter_source_files([data_dir("transcripts")]) if p.name not in (DEMO_CODINGS, "README.md")]


def _fill_demo(db_path: Path) -> None:
    from trivselkode.domain.codebook import load_codebook_file
    from trivselkode.importers.pipeline import import_paths
    from trivselkode.storage.codebook import load_codebook
    from trivselkode.storage.codings import import_codings, mark_done
    from trivselkode.storage.db import open_project
    from trivselkode.storage.status import source_rows

    project, _opened = open_project(str(db_path))  # not `_`: that is gettext here
    try:
        load_codebook(project, load_codebook_file(bundled_codebook()))
        codings_file = data_dir("transcripts") / DEMO_CODINGS
        report = import_paths(project, demo_source_files(), text_column="svar")
        if report.failed:
            raise TrivselError(_("demodata kunne ikke indlæses: {why}").format(why=report.failed[0].error))
        if codings_file.exists():
            counts = import_codings(project, codings_file)
            from trivselkode.storage.codings import export_rows

            coders = sorted({r["coder"] for r in export_rows(project)})
            for row in source_rows(project):
                for coder in coders:
                    mark_done(project, row["name"], coder)
            note(
                _("Demo: {sources} kilder, {codings} kodninger af {coders}.").format(
                    sources=len(report.files), codings=counts.added, coders=", ".join(coders)
                )
            )
        _add_demo_survey(project)
    finally:
        project.dispose()


#: The demo questionnaire's name, and the source of its coded open answers (its respondents R01–R21).
DEMO_SURVEY = "spoergeskema"
DEMO_SURVEY_SOURCE = "spoergeskema-aabne-svar-r1"


def _add_demo_survey(project: Project) -> None:
    """The bundled questionnaire (``surveys/``), its respondents linked to the participants of the demo's
    already coded open answers; adds no source, passage or coding."""
    from trivselkode.importers.survey import import_survey

    folder = data_dir("surveys")
    import_survey(
        project,
        folder / "spoergeskema.csv",
        folder / "spoergeskema.yaml",
        name=DEMO_SURVEY,
        source=DEMO_SURVEY_SOURCE,
    )


def demo(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", help=N_("Gem demoprojektet her (standard: en midlertidig mappe).")),
    force: bool = typer.Option(False, "--force", help=N_("Erstat filen ved --out, hvis den findes.")),
) -> None:
    from trivselkode.storage.files import check_target

    st = state(ctx)
    if out is None:
        target = Path(tempfile.mkdtemp(prefix="trivselkode-demo-")) / "demo.db"
    else:
        if str(out) == "-":  # a project is a database file, never a stream
            raise TrivselError(
                _("demoprojektet er en databasefil og kan ikke skrives til standard-output"),
                _("angiv et filnavn, fx --out demo.db"),
            )
        target = check_target(out)
        if target.exists() and not force:
            raise TrivselError(
                _("{path} findes allerede").format(path=target),
                _("vælg et andet filnavn, eller erstat filen med --force"),
            )
    build_demo(target)
    st.settings = Settings(db=str(target), coder=st.settings.coder)
    st._project = None
    try:
        open_default(ctx)
    finally:
        note(demo_farewell(target, temporary=out is None))


def demo_farewell(path: Path, *, temporary: bool) -> str:
    """Where the demo project is and how to open it again (said when the demo ends)."""
    where = str(path)
    quoted = (f'"{where}"' if " " in where else where) if os.name == "nt" else shlex.quote(where)
    if temporary:
        return _(
            "Demoprojektet ligger i {where} – en midlertidig kopi, der bliver liggende, til systemet rydder op. "
            "Åbn det igen med `trivselkode --db {quoted}`, eller gem en kopi, du beholder, med "
            "`trivselkode demo --out demo.db`."
        ).format(where=where, quoted=quoted)
    return _("Demoprojektet ligger i {where} – åbn det igen med `trivselkode --db {quoted}`.").format(
        where=where, quoted=quoted
    )


def on_terminal() -> bool:
    """Whether a person sits at a terminal (the UI needs one to read keys from and draw on)."""
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


def open_default(ctx: typer.Context) -> None:
    """Open the project in the terminal UI; print the overview when not on a terminal.

    Scripts and tests that pipe the output of ``trivselkode`` or
    ``trivselkode demo`` get the printed overview instead of a full-screen UI.
    """
    st = state(ctx)
    # Neither the UI nor the printed overview (`status`'s) waits for quick_check: the UI checks before
    # its first save and before each export.
    project = st.project(verify=False)
    if not on_terminal():
        from trivselkode.storage.status import project_status, source_rows

        print_overview(project.display_name, project_status(project), source_rows(project))
        return
    from trivselkode.tui.app import run_tui

    run_tui(project, st.settings)
