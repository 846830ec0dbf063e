"""``trivselkode codings``: add, remove, import, export and list unplaced codings."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from trivselkode.cli.common import OutputFormat, emit_json, new_typer, note, say, state
from trivselkode.i18n import N_, _

app = new_typer()


def _ref(ctx, source, passage, code, coder, start, end, memo):  # noqa: ANN001, ANN202
    from trivselkode.storage.codings import CodingRef

    return CodingRef(
        source=source, passage=passage, code=code, coder=state(ctx).coder(coder), start=start, end=end, memo=memo
    )


@app.command("add", help=N_("Kod et udsagn."))
def add(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help=N_("Kildens navn.")),
    passage: int = typer.Option(..., "--passage", "-p", help=N_("Udsagnets nummer (1 = første replik).")),
    code: str = typer.Option(..., "--code", "-c", help=N_("Kodens nøgle, fx T1.")),
    coder: str | None = typer.Option(None, "--coder", help=N_("Koderen (standard: TRIVSELKODE_CODER).")),
    start: int | None = typer.Option(None, "--start", help=N_("Delspændets start i udsagnets tekst (0-baseret).")),
    end: int | None = typer.Option(None, "--end", help=N_("Delspændets slut (eksklusiv).")),
    memo: str | None = typer.Option(None, "--memo", help=N_("Notat til kodningen.")),
) -> None:
    from trivselkode.storage.codings import add_coding

    ref = _ref(ctx, source, passage, code, coder, start, end, memo)
    outcome = add_coding(state(ctx).project(), ref)
    note(
        {
            "added": _("{coder}: {code} på udsagn {passage} i '{source}'."),
            "updated": _("{coder}: notatet på {code}, udsagn {passage} i '{source}' er opdateret."),
            "exists": _("{coder} har allerede kodet udsagn {passage} i '{source}' med {code}."),
        }[outcome].format(coder=ref.coder, code=code, passage=passage, source=source)
    )


@app.command("remove", help=N_("Fjern en kodning."))
def remove(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help=N_("Kildens navn.")),
    passage: int = typer.Option(..., "--passage", "-p", help=N_("Udsagnets nummer.")),
    code: str = typer.Option(..., "--code", "-c", help=N_("Kodens nøgle.")),
    coder: str | None = typer.Option(None, "--coder", help=N_("Koderen (standard: TRIVSELKODE_CODER).")),
    start: int | None = typer.Option(None, "--start", help=N_("Delspændets start.")),
    end: int | None = typer.Option(None, "--end", help=N_("Delspændets slut.")),
) -> None:
    from trivselkode.storage.codings import remove_coding

    ref = _ref(ctx, source, passage, code, coder, start, end, None)
    remove_coding(state(ctx).project(), ref)
    note(
        _("{coder}: {code} er fjernet fra udsagn {passage} i '{source}'.").format(
            coder=ref.coder, code=code, passage=passage, source=source
        )
    )


@app.command("import", help=N_("Importér kodninger fra CSV: alt eller intet."))
def import_csv(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=N_("CSV med kolonnerne source,passage,code,coder,start,end,memo.")),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.storage.codings import import_codings

    counts = import_codings(state(ctx).project(), file)
    if fmt is OutputFormat.json:
        emit_json(counts.__dict__)
        return
    note(
        _("{added} kodninger importeret, {existing} fandtes allerede ({rows} rækker).").format(
            added=counts.added, existing=counts.existing, rows=counts.rows
        )
    )
    if counts.coders_created:
        note(_("Nye kodere: {coders}").format(coders=", ".join(counts.coders_created)))


class ExportFormat(str, Enum):
    csv = "csv"
    tsv = "tsv"
    json = "json"


@app.command("export", help=N_("Eksportér kodninger (alle kodere, medmindre --coder er givet)."))
def export(
    ctx: typer.Context,
    coder: str | None = typer.Option(None, "--coder", help=N_("Kun denne koders kodninger (standard: alle kodere).")),
    fmt: ExportFormat | None = typer.Option(
        None, "--format", help=N_("csv, tsv eller json (standard: efter filnavnet, ellers csv).")
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help=N_("Skriv hertil (standard: standard-output).")),
    pseudonymize: bool = typer.Option(
        False, "--pseudonymize", help=N_("Erstat navne, CPR-numre, telefonnumre og e-mails i kildenavne og notater.")
    ),
    key: Path | None = typer.Option(
        None, "--key", help=N_("Skriv nøglen fra pseudonymer til navne og kilder i denne fil (kun med --pseudonymize).")
    ),
) -> None:
    from trivselkode.cli.common import out_path_writable
    from trivselkode.cli.pipes import choose_format, deliver, file_target
    from trivselkode.cli.report import key_target, write_key_file
    from trivselkode.export.codings import codings_document
    from trivselkode.export.pseudonymize import Pseudonymizer

    value = choose_format(fmt, out, [f.value for f in ExportFormat], default="csv")
    target, out = out, file_target(out)  # --out -: standard output
    if out is not None:
        out_path_writable(out)
    key = key_target(key, out, pseudonymize)
    project = state(ctx).project()
    pseudo = Pseudonymizer.if_asked(project, pseudonymize)
    text, count = codings_document(project, coder, "csv" if value == "tsv" else value, pseudo)
    if value == "tsv":
        from trivselkode.export.tsv import csv_to_tsv

        text = csv_to_tsv(text)
    deliver(target, text, _("{n} kodninger skrevet til {out}.").format(n=count, out=out))
    write_key_file(pseudo, key, out)


@app.command("unplaced", help=N_("Vis kodninger, som en revideret tekst ikke kunne genplacere (de er bevaret)."))
def unplaced(
    ctx: typer.Context,
    source: str | None = typer.Option(None, "--source", "-s", help=N_("Kun denne kilde.")),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.storage.codings import unplaced_rows

    rows = unplaced_rows(state(ctx).project(), source)
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    for r in rows:
        say(
            _("{source} udsagn {passage} ({speaker}) {code} af {coder}: «{text}»").format(
                source=r["source"],
                passage=r["old_passage"],
                speaker=r["speaker"],
                code=r["code"],
                coder=r["coder"],
                text=r["text"][:70],
            )
        )
    if not rows:
        note(_("Ingen ikke-genplacerede kodninger."))
