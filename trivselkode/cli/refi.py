"""``trivselkode refi``: exchange projects and codebooks with NVivo, ATLAS.ti, MAXQDA, QualCoder (REFI-QDA)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import typer

from trivselkode.cli.common import OutputFormat, emit_json, new_typer, note, out_path_writable, say, state
from trivselkode.cli.pipes import check_stdout_binary, is_stdout, write_stdout
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _

app = new_typer()


class Lang(str, Enum):
    da = "da"
    en = "en"


#: The language of the codes' names and descriptions in the file (the bilingual codebook).
LANG = typer.Option(
    None,
    "--lang",
    help=N_("Sprog for kodernes navne og beskrivelser: da eller en (standard: grænsefladens sprog)."),
)


@contextmanager
def _archive_target(out: Path, suffix: str) -> Iterator[Path]:
    """Where the archive is written: ``out`` itself, or for ``-`` a temporary file then copied to standard output."""
    if not is_stdout(out):
        out_path_writable(out)
        yield out
        return
    check_stdout_binary(suffix, out)  # a terminal gets no archive bytes
    with tempfile.TemporaryDirectory(prefix="trivselkode-") as folder:
        path = Path(folder) / f"export.{suffix}"
        yield path
        write_stdout(path.read_bytes())


def _refuse_json_on_stdout(out: Path, fmt: OutputFormat) -> None:
    if is_stdout(out) and fmt is OutputFormat.json:
        raise TrivselError(
            _("--format json og - kan ikke begge skrive til standard-output"),
            _("skriv arkivet til en fil, eller udelad --format json"),
        )


@app.command(
    "export", help=N_("Eksportér hele projektet som REFI-QDA (.qdpx) til NVivo, ATLAS.ti, MAXQDA og QualCoder.")
)
def export(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help=N_("Projektfilen, der skal skrives (.qdpx); - skriver til standard-output.")),
    pseudonymize: bool = typer.Option(
        False, "--pseudonymize", help=N_("Erstat navne, CPR-, telefonnumre og e-mails som i rapporterne.")
    ),
    key: Path | None = typer.Option(
        None, "--key", help=N_("Skriv nøglen fra pseudonymer til navne og kilder i denne fil (kun med --pseudonymize).")
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
    lang: Lang | None = LANG,
) -> None:
    from trivselkode.cli.report import key_target, write_key_file
    from trivselkode.export.pseudonymize import Pseudonymizer
    from trivselkode.export.refi import export_project

    _refuse_json_on_stdout(out, fmt)
    key = key_target(key, None if is_stdout(out) else out, pseudonymize)
    project = state(ctx).project()
    pseudo = Pseudonymizer.if_asked(project, pseudonymize)
    from trivselkode.cli.pipes import working

    with working(_("Skriver REFI-QDA-projektet …")), _archive_target(out, "qdpx") as target:
        report = export_project(project, target, pseudonymizer=pseudo, lang=lang.value if lang else None)
    write_key_file(pseudo, key, out)
    for warning in report.warnings:
        note(_("advarsel: {warning}").format(warning=warning))
    if fmt is OutputFormat.json:
        emit_json(report.as_dict())
        return
    note(_("Projektet er skrevet til {out}: {summary}").format(out=out, summary=report.summary()))


@app.command("export-codebook", help=N_("Eksportér kodebogen som REFI-QDA (.qdc)."))
def export_codebook(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help=N_("Kodebogsfilen, der skal skrives (.qdc); - skriver til standard-output.")),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
    lang: Lang | None = LANG,
) -> None:
    from trivselkode.export.refi import export_codebook as write_codebook

    _refuse_json_on_stdout(out, fmt)
    with _archive_target(out, "qdc") as target:
        report = write_codebook(state(ctx).project(), target, lang=lang.value if lang else None)
    for warning in report.warnings:
        note(_("advarsel: {warning}").format(warning=warning))
    if fmt is OutputFormat.json:
        emit_json(report.as_dict())
        return
    note(_("Kodebogen er skrevet til {out}: {n} koder.").format(out=out, n=report.codes))


@app.command("import", help=N_("Importér et REFI-QDA-projekt eller en kodebog i ét hug: alt eller intet."))
def import_file(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=N_("REFI-QDA-fil: projekt (.qdpx eller .qde) eller kodebog (.qdc).")),
    split_names: bool = typer.Option(
        False, "--split-names", help=N_("Del kodenavne som 'Forælder::barn' (ATLAS.ti) op i et hierarki.")
    ),
    sources_dir: Path | None = typer.Option(
        None,
        "--sources-dir",
        metavar=N_("MAPPE"),
        help=N_(
            "Læs kilder, hvis tekstfil ligger uden for REFI-filen (en absolut sti, file:// eller relative://), fra denne mappe; uden den læses de aldrig."
        ),
    ),
    max_unpacked: str | None = typer.Option(
        None,
        "--max-unpacked",
        metavar=N_("STØRRELSE"),
        help=N_(
            "Hvor meget arkivet må fylde udpakket, fx 2GiB eller 500MB (standard: 1 GiB i alt, og en fil over 10 MB højst 100 gange sin pakkede størrelse)."
        ),
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
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
        on_progress=(lambda name: note(_("Læser {name} …").format(name=name))) if show else None,
    )
    for source in report.sources:
        if source.reading:
            from trivselkode.domain.positions import Reading

            reading = Reading.from_name(source.reading)
            note(
                _("{source}: positioner læst som {reading} ({n} af {total} markeringer på ordgrænser)").format(
                    source=source.name,
                    reading=reading.describe(),
                    n=source.on_word_boundary,
                    total=source.selections,
                )
            )
    for warning in report.warnings:
        note(_("advarsel: {warning}").format(warning=warning))
    for skipped in report.skipped:
        note(_("sprunget over: {what}").format(what=skipped))
    if fmt is OutputFormat.json:
        emit_json(report.as_dict())
        return
    label = {
        "imported": N_("importeret"),
        "unchanged": N_("uændret"),
        "revised": N_("revideret"),
        "skipped": N_("sprunget over"),
    }
    for source in report.sources:
        detail = (
            _("{passages} udsagn, {codings} kodninger").format(passages=source.passages, codings=source.codings)
            if source.status != "skipped"
            else source.reason
        )
        status = _(label[source.status]) if source.status in label else source.status
        say(f"{status:<13} {source.name}: {detail}")
    say(
        _(
            "Koder: {added} nye, {updated} ændrede. Kodere: {coders}. Kodninger: {codings} nye. Notater: {memos} nye."
        ).format(
            added=len(report.codes_added),
            updated=len(report.codes_updated),
            coders=", ".join(report.coders) or _("ingen"),
            codings=report.codings,
            memos=report.memos,
        )
    )
