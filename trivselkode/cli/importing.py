"""``trivselkode import``: transcripts, subtitles and questionnaires into the project."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from trivselkode.cli.common import OutputFormat, emit_json, note, say, state
from trivselkode.i18n import N_, _


def register(app: typer.Typer) -> None:
    app.command(
        "import",
        help=N_(
            "Importér kilder. Uændrede filer springes over; ændrede tekster bliver revisioner med bevarede kodninger."
        ),
    )(import_files)


def import_files(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(
        ..., help=N_("Filer eller mapper (.txt .md .docx .vtt .srt .csv .xlsx); - læser én kilde fra standard-input.")
    ),
    text_column: str | None = typer.Option(None, "--text-column", help=N_("Kolonnen med svarene i CSV/XLSX.")),
    name: str | None = typer.Option(None, "--name", help=N_("Importér (én fil) under dette kildenavn.")),
    replace: bool = typer.Option(
        False, "--replace", help=N_("Erstat en eksisterende kilde af samme navn (dens kodninger slettes).")
    ),
    strict: bool = typer.Option(False, "--strict", help=N_("Alt eller intet: én fejl, og intet importeres.")),
    speaker_pattern: str | None = typer.Option(
        None,
        "--speaker-pattern",
        metavar="REGEX",
        help=N_(
            "Jeres egne taleretiketter som regulært udtryk, matchet i starten af hver linje; gruppen 'label' er taleren, fx '^(?P<label>[A-ZÆØÅ]+) >'."
        ),
    ),
    max_unpacked: str | None = typer.Option(
        None,
        "--max-unpacked",
        metavar=N_("STØRRELSE"),
        help=N_(
            "Hvor meget en .docx eller .xlsx må fylde udpakket, fx 2GiB eller 500MB (standard: 1 GiB, og en del over 10 MB højst 100 gange sin pakkede størrelse)."
        ),
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.importers.formats import iter_source_files
    from trivselkode.importers.pipeline import import_paths

    if speaker_pattern is not None:
        from trivselkode.importers.labels import compile_speaker_pattern

        compile_speaker_pattern(speaker_pattern, "--speaker-pattern")  # a bad pattern: one line, nothing opened
    unpack_limit = None
    if max_unpacked is not None:
        from trivselkode.importers.safety import parse_size

        unpack_limit = parse_size(max_unpacked)  # a bad size: one line, nothing opened
    from trivselkode.cli.stdin_source import stdin_source

    from_stdin = any(str(p) == "-" for p in paths)
    paths, name = ctx.with_resource(stdin_source(paths, name))  # `import -`: standard input, as a file
    project = state(ctx).project()
    total = len(iter_source_files(paths))
    show_progress = total > 1 and sys.stderr.isatty()
    with typer.progressbar(length=total, label=_("Importerer"), file=sys.stderr, hidden=not show_progress) as bar:

        def on_file(result) -> None:  # noqa: ANN001
            if show_progress and (result.warnings or result.error):
                sys.stderr.write("\r\x1b[2K")  # the bar's line cleared: warnings go above the bar
            for warning in result.warnings:
                note(_("advarsel: {warning}").format(warning=warning))
            if result.error:
                note(_("fejl: {message}").format(message=result.error))
            bar.update(1)

        # Several files: parse and segment on every core while this process stores.
        workers = (os.cpu_count() or 1) if total >= 4 else 0
        report = import_paths(
            project,
            paths,
            text_column=text_column,
            name=name,
            replace=replace,
            strict=strict,
            on_file=on_file,
            workers=workers,
            speaker_pattern=speaker_pattern,
            max_unpacked=unpack_limit,
        )
    if from_stdin:  # standard input has no file to name (the temporary copy is gone)
        for result in report.files:
            result.path = "-"
    for skipped, why in report.skipped:  # a folder's README, a CSV of codings: named, not imported
        note(_("springer over: {path} – {why}").format(path=skipped, why=why))
    if fmt is OutputFormat.json:
        emit_json({"files": [f.as_dict() for f in report.files], "words": report.words, "failed": len(report.failed)})
    else:
        for f in report.files:
            status = {
                "imported": N_("importeret"),
                "unchanged": N_("uændret"),
                "revised": N_("revideret"),
                "replaced": N_("erstattet"),
                "duplicate": N_("dublet"),
                "failed": N_("FEJL"),
            }[f.status]
            label = _(status)
            detail = _("{n} udsagn").format(n=f.passages) if f.status != "failed" else (f.error or "")
            say(f"{label:<11} {f.source or Path(f.path).name}: {detail}")
            for u in f.unplaced:
                unplaced = _("ikke genplaceret: udsagn {passage} ({speaker}) {code} af {coder}: «{text}»").format(
                    passage=u["passage"], speaker=u["speaker"], code=u["code"], coder=u["coder"], text=u["text"][:60]
                )
                say("    " + unplaced)
    if report.failed:
        note(
            _("fejl: {failed} af {files} filer kunne ikke importeres (se ovenfor); resten er importeret").format(
                failed=len(report.failed), files=len(report.files)
            )
        )
        raise typer.Exit(1)
