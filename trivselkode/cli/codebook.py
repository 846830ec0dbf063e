"""``trivselkode codebook``: validate, load, show and export the codebook."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from trivselkode.cli.common import (
    OutputFormat,
    emit_json,
    new_typer,
    note,
    plain_console,
    state,
)
from trivselkode.i18n import N_, _, ngettext

app = new_typer()


@app.command("validate", help=N_("Tjek en kodebogsfil og vis hver fejl med fil:linje:kolonne."))
def validate(file: Path = typer.Argument(..., help=N_("Kodebogsfil (YAML)."))) -> None:
    from trivselkode.domain.codebook import validate_codebook_file

    book, problems = validate_codebook_file(file)
    if problems:
        for problem in problems:
            note(str(problem))
        note(_("fejl: {n} problem(er) i {file}").format(n=len(problems), file=file))
        raise typer.Exit(1)
    note(_("{file}: gyldig – {n} koder.").format(file=file, n=len(book.codes)))


@app.command(
    "load",
    help=N_(
        "Indlæs en kodebog: tilføj nye koder og opdatér eksisterende efter nøgle.\n"
        "\n"
        "Koder, som filen ikke har, bevares og nævnes; --prune trækker dem tilbage (brugte koder udgår, ubrugte slettes)."
    ),
)
def load(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=N_("Kodebogsfil (YAML eller REFI-QDA .qdc).")),
    prune: bool = typer.Option(
        False, "--prune", help=N_("Træk koder, som filen ikke har, tilbage: udgå (brugte) eller slet (ubrugte).")
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help=N_("Vis kun, hvad indlæsningen ville gøre; intet ændres.")),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
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
        note(_("advarsel: {warning}").format(warning=warning))
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
        f"{len(v)} {_(label)}"
        for label, v in (
            (N_("nye"), report.added),
            (N_("ændrede"), report.updated),
            (N_("uændrede"), report.unchanged),
            (N_("bevarede uden for filen"), report.kept),
            (N_("udgåede"), report.retired),
            (N_("slettede"), report.deleted),
        )
        if v
    ]
    summary = ", ".join(counts) or _("ingen koder")
    if dry_run:
        note(_("Prøvekørsel – intet er ændret. '{name}' ville give: {counts}.").format(name=book.name, counts=summary))
        for label, keys in ((N_("Nye"), report.added), (N_("Ændrede"), report.updated)):
            if keys:
                note(f"{_(label)}: {_keys(keys)}")
    else:
        note(_("Kodebogen '{name}' indlæst: {counts}.").format(name=book.name, counts=summary))
    for key, shortcut in report.shortcuts_freed.items():
        if key in report.retired:
            freed = (
                _("Genvejen '{shortcut}' ville blive taget fra {key}, som udgår.")
                if dry_run
                else _("Genvejen '{shortcut}' er taget fra {key}, som udgår.")
            )
        else:
            freed = (
                _("Genvejen '{shortcut}' ville blive taget fra {key}, fordi en kode i filen har den.")
                if dry_run
                else _("Genvejen '{shortcut}' er taget fra {key}, fordi en kode i filen har den.")
            )
        note(freed.format(shortcut=shortcut, key=key))
    if report.kept:
        n = len(report.kept)
        kept = ngettext(
            "{n} kode findes ikke i filen og er bevaret; brug --prune for at trække den tilbage: {keys}",
            "{n} koder findes ikke i filen og er bevaret; brug --prune for at trække dem tilbage: {keys}",
            n,
        )
        note(kept.format(n=n, keys=_keys(report.kept)))
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
        N_("Plan for --prune: {n} udgår (bruges; kodninger og notater bevares)"),
        N_("Plan for --prune: {n} slettes (ubrugte)"),
    ),
    "done": (N_("Udgået (bruges; kodninger og notater bevares)"), N_("Slettet (ubrugte)")),
    "dry": (N_("Ville udgå (bruges; kodninger og notater bevares)"), N_("Ville blive slettet (ubrugte)")),
}


def _say_withdrawn(report, moment: str) -> None:  # noqa: ANN001
    retired, deleted = _WITHDRAWN[moment]
    if report.retired:
        note(f"{_(retired).format(n=len(report.retired))}: {_keys(report.retired)}")
    if report.deleted:
        note(f"{_(deleted).format(n=len(report.deleted))}: {_keys(report.deleted)}")


@app.command("show", help=N_("Vis kodebogen."))
def show(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
    retired: bool = typer.Option(True, "--retired/--no-retired", help=N_("Medtag udgåede koder.")),
) -> None:
    from trivselkode.storage.codebook import code_rows, depth_first

    rows = [r for r in code_rows(state(ctx).project()) if retired or not r["retired"]]
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    from rich.table import Table

    from trivselkode.domain.codebook_lang import code_name, kind_label, missing_translation_warning

    table = Table(_("Nøgle"), _("Genvej"), _("Navn"), _("Type"), _("Kodninger"))
    for depth, row in depth_first(rows):
        # The name in the interface's language (the bilingual codebook's English, else the Danish).
        name = "  " * depth + code_name(row) + (" " + _("(udgået)") if row["retired"] else "")
        table.add_row(row["key"], row["shortcut"] or "", name, kind_label(row["kind"]), str(row["codings"]))
    plain_console().print(table)
    if warning := missing_translation_warning(rows):
        note(warning)
    if not rows:
        note(_("Kodebogen er tom. Indlæs en med `trivselkode codebook load FIL`."))


class ExportFormat(str, Enum):
    yaml = "yaml"
    docx = "docx"
    html = "html"
    md = "md"


class AppendixLang(str, Enum):
    da = "da"
    en = "en"


@app.command(
    "export",
    help=N_(
        "Skriv projektets kodebog som YAML, eller som bilag til en artikel (docx, html, md): koderne i træets "
        "orden med definition, medtag, udelad og eksempler."
    ),
)
def export(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", "-o", help=N_("Skriv hertil (standard: standard-output).")),
    retired: bool = typer.Option(False, "--retired", help=N_("Medtag udgåede koder.")),
    fmt: ExportFormat | None = typer.Option(
        None, "--format", help=N_("yaml (standard), eller et bilag: docx, html eller md (standard: filens endelse).")
    ),
    lang: AppendixLang | None = typer.Option(
        None, "--lang", help=N_("Bilagets sprog: da eller en (standard: grænsefladens sprog).")
    ),
) -> None:
    from trivselkode.cli.pipes import check_stdout_binary, choose_format, deliver, prepare_out
    from trivselkode.domain.codebook import dump_codebook
    from trivselkode.storage.codebook import codebook_of_project

    # --out kodebog.xlsx is refused; --out - is standard output
    value = choose_format(fmt, out, [f.value for f in ExportFormat])
    if value != "yaml":
        _export_appendix(ctx, out, value, lang, retired)
        return
    check_stdout_binary(value, out)
    prepare_out(out)
    text = dump_codebook(codebook_of_project(state(ctx).project(), include_retired=retired))
    deliver(out, text, _("Kodebogen er skrevet til {out}.").format(out=out))


def _export_appendix(ctx: typer.Context, out: Path | None, fmt: str, lang: Enum | None, retired: bool) -> None:
    """``codebook export --format docx|html|md``: the codebook as an appendix, through the report path the
    Eksport screen uses (:func:`trivselkode.export.reports.build_report`)."""
    from trivselkode.cli.pipes import check_stdout_binary, deliver, file_target, prepare_out
    from trivselkode.errors import TrivselError
    from trivselkode.export.reports import ReportRequest, build_report
    from trivselkode.i18n import language

    check_stdout_binary(fmt, out)
    if fmt == "docx" and out is None:
        raise TrivselError(_("DOCX skrives til en fil"), _("angiv --out FIL.docx"))
    prepare_out(out)
    chosen = lang.value if lang is not None else language()
    request = ReportRequest("codebook", file_target(out), fmt=fmt, lang=chosen, retired=retired)
    report = build_report(state(ctx).project(), request)
    for warning in report.warnings:
        note(_("advarsel: {warning}").format(warning=warning))
    deliver(out, report.data, _("Kodebogen er skrevet til {out}.").format(out=out))
