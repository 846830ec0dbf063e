"""``trivselkode codebook``: validate, load, show and export the codebook."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from trivselkode.cli.common import OutputFormat, emit_json, new_typer, note, state, write_atomically

app = new_typer()


@app.command("validate")
def validate(file: Path = typer.Argument(..., help="Kodebogsfil (YAML).")) -> None:
    """Tjek en kodebogsfil og vis hver fejl med fil:linje:kolonne."""
    from trivselkode.domain.codebook import validate_codebook_file

    book, problems = validate_codebook_file(file)
    if problems:
        for problem in problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"fejl: {len(problems)} problem(er) i {file}", err=True)
        raise typer.Exit(1)
    note(f"{file}: gyldig – {len(book.codes)} koder.")


@app.command("load")
def load(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Kodebogsfil (YAML eller REFI-QDA .qdc)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Indlæs en kodebog i projektet. Koder opdateres efter nøgle; brugte koder slettes aldrig, men udgår."""
    from trivselkode.domain.codebook import load_codebook_file
    from trivselkode.storage.codebook import load_codebook

    if file.suffix.lower() == ".qdc":
        from trivselkode.importers.refi import read_qdc

        qdc = read_qdc(file, state(ctx).project())
        for warning in qdc.warnings:
            note(f"advarsel: {warning}")
        book = qdc.codebook
    else:
        book = load_codebook_file(file)
    report = load_codebook(state(ctx).project(), book)
    if fmt is OutputFormat.json:
        emit_json(report.as_dict())
        return
    parts = [f"{len(v)} {label}" for label, v in (
        ("nye", report.added), ("ændrede", report.updated), ("uændrede", report.unchanged),
        ("udgået", report.retired), ("slettede", report.deleted),
    ) if v]
    note(f"Kodebogen '{book.name}' indlæst: {', '.join(parts) or 'ingen koder'}.")
    if report.retired:
        note(f"Udgået (har kodninger, så de er bevaret): {', '.join(report.retired)}")


@app.command("show")
def show(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
    retired: bool = typer.Option(True, "--retired/--no-retired", help="Medtag udgåede koder."),
) -> None:
    """Vis kodebogen."""
    from trivselkode.storage.codebook import code_rows, depth_first

    rows = [r for r in code_rows(state(ctx).project()) if retired or not r["retired"]]
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("Nøgle", "Genvej", "Navn", "Type", "Kodninger")
    for depth, row in depth_first(rows):
        name = "  " * depth + row["name"] + (" (udgået)" if row["retired"] else "")
        table.add_row(row["key"], row["shortcut"] or "", name, row["kind"], str(row["codings"]))
    Console().print(table)
    if not rows:
        note("Kodebogen er tom. Indlæs en med `trivselkode codebook load FIL`.")


@app.command("export")
def export(
    ctx: typer.Context,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Skriv hertil (standard: standard-output)."),
    retired: bool = typer.Option(False, "--retired", help="Medtag udgåede koder."),
) -> None:
    """Skriv projektets kodebog som YAML."""
    from trivselkode.domain.codebook import dump_codebook
    from trivselkode.storage.codebook import codebook_of_project

    text = dump_codebook(codebook_of_project(state(ctx).project(), include_retired=retired))
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_atomically(out, text)
        note(f"Kodebogen er skrevet til {out}.")
