"""``trivselkode refi``: exchange projects and codebooks with NVivo, ATLAS.ti, MAXQDA, QualCoder (REFI-QDA)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from trivselkode.cli.common import OutputFormat, emit_json, new_typer, note, out_path_writable, say, state

app = new_typer()


@app.command("export")
def export(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help="Projektfilen, der skal skrives (.qdpx)."),
    pseudonymize: bool = typer.Option(
        False, "--pseudonymize", help="Erstat navne, CPR-, telefonnumre og e-mails som i rapporterne."
    ),
    key: Path | None = typer.Option(
        None, "--key", help="Skriv nøglen fra pseudonymer til navne og kilder i denne fil (kun med --pseudonymize)."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Eksportér hele projektet som REFI-QDA (.qdpx) til NVivo, ATLAS.ti, MAXQDA og QualCoder."""
    from trivselkode.cli.report import key_target, write_key_file
    from trivselkode.export.pseudonymize import Pseudonymizer
    from trivselkode.export.refi import export_project

    out_path_writable(out)
    key = key_target(key, out, pseudonymize)
    project = state(ctx).project()
    pseudo = Pseudonymizer.if_asked(project, pseudonymize)
    report = export_project(project, out, pseudonymizer=pseudo)
    write_key_file(pseudo, key, out)
    for warning in report.warnings:
        note(f"advarsel: {warning}")
    if fmt is OutputFormat.json:
        emit_json(report.as_dict())
        return
    note(
        f"Projektet er skrevet til {out}: {report.sources} kilder, {report.passages} udsagn, "
        f"{report.codings} kodninger, {report.codes} koder, {report.coders} kodere, {report.notes} notater"
        + (" (pseudonymiseret)." if report.pseudonymized else ".")
    )


@app.command("export-codebook")
def export_codebook(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help="Kodebogsfilen, der skal skrives (.qdc)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Eksportér kodebogen som REFI-QDA (.qdc)."""
    from trivselkode.export.refi import export_codebook as write_codebook

    out_path_writable(out)
    report = write_codebook(state(ctx).project(), out)
    if fmt is OutputFormat.json:
        emit_json(report.as_dict())
        return
    note(f"Kodebogen er skrevet til {out}: {report.codes} koder.")


@app.command("import")
def import_file(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="REFI-QDA-fil: projekt (.qdpx eller .qde) eller kodebog (.qdc)."),
    split_names: bool = typer.Option(
        False, "--split-names", help="Del kodenavne som 'Forælder::barn' (ATLAS.ti) op i et hierarki."
    ),
    sources_dir: Path | None = typer.Option(
        None,
        "--sources-dir",
        metavar="MAPPE",
        help="Læs kilder, hvis tekstfil ligger uden for REFI-filen (en absolut sti, file:// eller relative://), fra denne mappe; uden den læses de aldrig.",
    ),
    max_unpacked: str | None = typer.Option(
        None,
        "--max-unpacked",
        metavar="STØRRELSE",
        help="Hvor meget arkivet må fylde udpakket, fx 2GiB eller 500MB (standard: 1 GiB i alt, og en fil over 10 MB højst 100 gange sin pakkede størrelse).",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Importér et REFI-QDA-projekt eller en kodebog i ét hug: alt eller intet."""
    from trivselkode.importers.refi import import_refi, open_refi

    st = state(ctx)
    # A file that is no REFI-QDA, or that is refused (a zip bomb, a DTD, a path out of the archive),
    # is refused before a project is made.
    refi_file = open_refi(file, sources_dir=sources_dir, max_unpacked=max_unpacked)
    try:
        project = st.project()
    except BaseException:
        refi_file.close()
        raise
    show = sys.stderr.isatty()
    report = import_refi(
        project,
        refi_file,
        split_names=split_names,
        coder=st.settings.coder,
        on_progress=(lambda name: note(f"Læser {name} …")) if show else None,
    )
    for source in report.sources:
        if source.reading:
            from trivselkode.domain.positions import Reading

            reading = Reading.from_name(source.reading)
            note(
                f"{source.name}: positioner læst som {reading.describe()} "
                f"({source.on_word_boundary} af {source.selections} markeringer på ordgrænser)"
            )
    for warning in report.warnings:
        note(f"advarsel: {warning}")
    for skipped in report.skipped:
        note(f"sprunget over: {skipped}")
    if fmt is OutputFormat.json:
        emit_json(report.as_dict())
        return
    label = {"imported": "importeret", "unchanged": "uændret", "revised": "revideret", "skipped": "sprunget over"}
    for source in report.sources:
        detail = (
            f"{source.passages} udsagn, {source.codings} kodninger" if source.status != "skipped" else source.reason
        )
        say(f"{label.get(source.status, source.status):<13} {source.name}: {detail}")
    say(
        f"Koder: {len(report.codes_added)} nye, {len(report.codes_updated)} ændrede. "
        f"Kodere: {', '.join(report.coders) or 'ingen'}. "
        f"Kodninger: {report.codings} nye. Notater: {report.memos} nye."
    )
