"""``trivselkode codebook``: validate, load, show and export the codebook."""

from __future__ import annotations

from pathlib import Path

import typer

from trivselkode.cli.common import (
    OutputFormat,
    emit_data,
    emit_json,
    new_typer,
    note,
    plain_console,
    state,
    write_atomically,
)

app = new_typer()


@app.command("validate")
def validate(file: Path = typer.Argument(..., help="Kodebogsfil (YAML).")) -> None:
    """Tjek en kodebogsfil og vis hver fejl med fil:linje:kolonne."""
    from trivselkode.domain.codebook import validate_codebook_file

    book, problems = validate_codebook_file(file)
    if problems:
        for problem in problems:
            note(str(problem))
        note(f"fejl: {len(problems)} problem(er) i {file}")
        raise typer.Exit(1)
    note(f"{file}: gyldig – {len(book.codes)} koder.")


@app.command("load")
def load(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Kodebogsfil (YAML eller REFI-QDA .qdc)."),
    prune: bool = typer.Option(
        False, "--prune", help="Træk koder, som filen ikke har, tilbage: udgå (brugte) eller slet (ubrugte)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Vis kun, hvad indlæsningen ville gøre; intet ændres."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Indlæs en kodebog: tilføj nye koder og opdatér eksisterende efter nøgle.

    Koder, som filen ikke har, bevares og nævnes; --prune trækker dem tilbage (brugte koder udgår, ubrugte slettes).
    """
    from trivselkode.domain.codebook import load_codebook_file
    from trivselkode.storage.codebook import load_codebook

    warnings: list[str] = []
    if file.suffix.lower() == ".qdc":
        from trivselkode.importers.refi import open_refi, read_qdc

        refi_file = open_refi(file)  # a file that cannot be read is refused before a project is made
        qdc = read_qdc(refi_file, state(ctx).project())
        warnings = list(qdc.warnings)
        book = qdc.codebook
    else:
        book = load_codebook_file(file)
    for warning in warnings:
        note(f"advarsel: {warning}")
    project = state(ctx).project()
    if prune and not dry_run:
        plan = load_codebook(project, book, prune=True, dry_run=True)
        _say_withdrawn(plan, "plan")
        report = load_codebook(project, book, prune=True)
        if (report.retired, report.deleted) != (plan.retired, plan.deleted):  # someone changed the project meanwhile
            _say_withdrawn(report, "done")
    else:
        report = load_codebook(project, book, prune=prune, dry_run=dry_run)
        _say_withdrawn(report, "dry" if dry_run else "done")
    counts = [
        f"{len(v)} {label}"
        for label, v in (
            ("nye", report.added),
            ("ændrede", report.updated),
            ("uændrede", report.unchanged),
            ("bevarede uden for filen", report.kept),
            ("udgåede", report.retired),
            ("slettede", report.deleted),
        )
        if v
    ]
    if dry_run:
        note(f"Prøvekørsel – intet er ændret. '{book.name}' ville give: {', '.join(counts) or 'ingen koder'}.")
        for label, keys in (("Nye", report.added), ("Ændrede", report.updated)):
            if keys:
                note(f"{label}: {_keys(keys)}")
    else:
        note(f"Kodebogen '{book.name}' indlæst: {', '.join(counts) or 'ingen koder'}.")
    for key, shortcut in report.shortcuts_freed.items():
        verb = "ville blive taget fra" if dry_run else "er taget fra"
        why = "som udgår" if key in report.retired else "fordi en kode i filen har den"
        note(f"Genvejen '{shortcut}' {verb} {key}, {why}.")
    if report.kept:
        n = len(report.kept)
        what = "kode findes ikke i filen og er bevaret" if n == 1 else "koder findes ikke i filen og er bevaret"
        note(f"{n} {what}; brug --prune for at trække {'den' if n == 1 else 'dem'} tilbage: {_keys(report.kept)}")
    if fmt is OutputFormat.json:
        emit_json(
            {
                "file": str(file),
                "codebook": {"name": book.name, "version": book.version},
                **report.as_dict(),
                "warnings": warnings,
            }
        )


def _keys(keys: list[str], limit: int = 12) -> str:
    return ", ".join(keys[:limit]) + (f" … (+{len(keys) - limit})" if len(keys) > limit else "")


_WITHDRAWN = {  # (retired, deleted) per moment: the plan before --prune, what was done, a dry run
    "plan": (
        "Plan for --prune: {n} udgår (bruges; kodninger og notater bevares)",
        "Plan for --prune: {n} slettes (ubrugte)",
    ),
    "done": ("Udgået (bruges; kodninger og notater bevares)", "Slettet (ubrugte)"),
    "dry": ("Ville udgå (bruges; kodninger og notater bevares)", "Ville blive slettet (ubrugte)"),
}


def _say_withdrawn(report, moment: str) -> None:  # noqa: ANN001
    retired, deleted = _WITHDRAWN[moment]
    if report.retired:
        note(f"{retired.format(n=len(report.retired))}: {_keys(report.retired)}")
    if report.deleted:
        note(f"{deleted.format(n=len(report.deleted))}: {_keys(report.deleted)}")


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
    from rich.table import Table

    table = Table("Nøgle", "Genvej", "Navn", "Type", "Kodninger")
    for depth, row in depth_first(rows):
        name = "  " * depth + row["name"] + (" (udgået)" if row["retired"] else "")
        table.add_row(row["key"], row["shortcut"] or "", name, row["kind"], str(row["codings"]))
    plain_console().print(table)
    if not rows:
        note("Kodebogen er tom. Indlæs en med `trivselkode codebook load FIL`.")


@app.command("export")
def export(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", "-o", help="Skriv hertil (standard: standard-output)."),
    retired: bool = typer.Option(False, "--retired", help="Medtag udgåede koder."),
) -> None:
    """Skriv projektets kodebog som YAML."""
    from trivselkode.domain.codebook import dump_codebook
    from trivselkode.storage.codebook import codebook_of_project

    text = dump_codebook(codebook_of_project(state(ctx).project(), include_retired=retired))
    if out is None:
        emit_data(text)
    else:
        write_atomically(out, text)
        note(f"Kodebogen er skrevet til {out}.")
