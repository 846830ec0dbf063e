"""``trivselkode import``: transcripts, subtitles and questionnaires into the project."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from trivselkode.cli.common import OutputFormat, emit_json, note, say, state


def register(app: typer.Typer) -> None:
    app.command("import")(import_files)


def import_files(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Filer eller mapper (.txt .md .docx .vtt .srt .csv .xlsx)."),
    text_column: str | None = typer.Option(None, "--text-column", help="Kolonnen med svarene i CSV/XLSX."),
    name: str | None = typer.Option(None, "--name", help="Importér (én fil) under dette kildenavn."),
    replace: bool = typer.Option(
        False, "--replace", help="Erstat en eksisterende kilde af samme navn (dens kodninger slettes)."
    ),
    strict: bool = typer.Option(False, "--strict", help="Alt eller intet: én fejl, og intet importeres."),
    speaker_pattern: str | None = typer.Option(
        None,
        "--speaker-pattern",
        metavar="REGEX",
        help="Jeres egne taleretiketter som regulært udtryk, matchet i starten af hver linje; gruppen 'label' er taleren, fx '^(?P<label>[A-ZÆØÅ]+) >'.",
    ),
    max_unpacked: str | None = typer.Option(
        None,
        "--max-unpacked",
        metavar="STØRRELSE",
        help="Hvor meget en .docx eller .xlsx må fylde udpakket, fx 2GiB eller 500MB (standard: 1 GiB, og en del over 10 MB højst 100 gange sin pakkede størrelse).",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Importér kilder. Uændrede filer springes over; ændrede tekster bliver revisioner med bevarede kodninger."""
    from trivselkode.importers.formats import iter_source_files
    from trivselkode.importers.pipeline import import_paths

    if speaker_pattern is not None:
        from trivselkode.importers.labels import compile_speaker_pattern

        compile_speaker_pattern(speaker_pattern, "--speaker-pattern")  # a bad pattern: one line, nothing opened
    unpack_limit = None
    if max_unpacked is not None:
        from trivselkode.importers.safety import parse_size

        unpack_limit = parse_size(max_unpacked)  # a bad size: one line, nothing opened
    project = state(ctx).project()
    total = len(iter_source_files(paths))
    show_progress = total > 1 and sys.stderr.isatty()
    with typer.progressbar(length=total, label="Importerer", file=sys.stderr, hidden=not show_progress) as bar:

        def on_file(result) -> None:  # noqa: ANN001
            bar.update(1)
            for warning in result.warnings:
                note(f"advarsel: {warning}")
            if result.error:
                note(f"fejl: {result.error}")

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
    if fmt is OutputFormat.json:
        emit_json({"files": [f.as_dict() for f in report.files], "words": report.words, "failed": len(report.failed)})
    else:
        for f in report.files:
            label = {
                "imported": "importeret",
                "unchanged": "uændret",
                "revised": "revideret",
                "replaced": "erstattet",
                "duplicate": "dublet",
                "failed": "FEJL",
            }[f.status]
            detail = f"{f.passages} udsagn" if f.status != "failed" else (f.error or "")
            say(f"{label:<11} {f.source or Path(f.path).name}: {detail}")
            for u in f.unplaced:
                say(
                    f"    ikke genplaceret: udsagn {u['passage']} ({u['speaker']}) {u['code']} af {u['coder']}: «{u['text'][:60]}»"
                )
    if report.failed:
        note(
            f"fejl: {len(report.failed)} af {len(report.files)} filer kunne ikke importeres (se ovenfor); resten er importeret"
        )
        raise typer.Exit(1)
