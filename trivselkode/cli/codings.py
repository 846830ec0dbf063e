"""``trivselkode codings``: add, remove, import, export and list unplaced codings."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from trivselkode.cli.common import OutputFormat, emit_data, emit_json, new_typer, note, say, state, write_atomically

app = new_typer()


def _ref(ctx, source, passage, code, coder, start, end, memo):  # noqa: ANN001, ANN202
    from trivselkode.storage.codings import CodingRef

    return CodingRef(
        source=source, passage=passage, code=code, coder=state(ctx).coder(coder), start=start, end=end, memo=memo
    )


@app.command("add")
def add(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help="Kildens navn."),
    passage: int = typer.Option(..., "--passage", "-p", help="Udsagnets nummer (1 = første replik)."),
    code: str = typer.Option(..., "--code", "-c", help="Kodens nøgle, fx T1."),
    coder: str | None = typer.Option(None, "--coder", help="Koderen (standard: TRIVSELKODE_CODER)."),
    start: int | None = typer.Option(None, "--start", help="Delspændets start i udsagnets tekst (0-baseret)."),
    end: int | None = typer.Option(None, "--end", help="Delspændets slut (eksklusiv)."),
    memo: str | None = typer.Option(None, "--memo", help="Notat til kodningen."),
) -> None:
    """Kod et udsagn."""
    from trivselkode.storage.codings import add_coding

    ref = _ref(ctx, source, passage, code, coder, start, end, memo)
    outcome = add_coding(state(ctx).project(), ref)
    note(
        {
            "added": f"{ref.coder}: {code} på udsagn {passage} i '{source}'.",
            "updated": f"{ref.coder}: notatet på {code}, udsagn {passage} i '{source}' er opdateret.",
            "exists": f"{ref.coder} har allerede kodet udsagn {passage} i '{source}' med {code}.",
        }[outcome]
    )


@app.command("remove")
def remove(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help="Kildens navn."),
    passage: int = typer.Option(..., "--passage", "-p", help="Udsagnets nummer."),
    code: str = typer.Option(..., "--code", "-c", help="Kodens nøgle."),
    coder: str | None = typer.Option(None, "--coder", help="Koderen (standard: TRIVSELKODE_CODER)."),
    start: int | None = typer.Option(None, "--start", help="Delspændets start."),
    end: int | None = typer.Option(None, "--end", help="Delspændets slut."),
) -> None:
    """Fjern en kodning."""
    from trivselkode.storage.codings import remove_coding

    ref = _ref(ctx, source, passage, code, coder, start, end, None)
    remove_coding(state(ctx).project(), ref)
    note(f"{ref.coder}: {code} er fjernet fra udsagn {passage} i '{source}'.")


@app.command("import")
def import_csv(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV med kolonnerne source,passage,code,coder,start,end,memo."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Importér kodninger fra CSV: alt eller intet."""
    from trivselkode.storage.codings import import_codings

    counts = import_codings(state(ctx).project(), file)
    if fmt is OutputFormat.json:
        emit_json(counts.__dict__)
        return
    note(f"{counts.added} kodninger importeret, {counts.existing} fandtes allerede ({counts.rows} rækker).")
    if counts.coders_created:
        note(f"Nye kodere: {', '.join(counts.coders_created)}")


class ExportFormat(str, Enum):
    csv = "csv"
    json = "json"


@app.command("export")
def export(
    ctx: typer.Context,
    coder: str | None = typer.Option(None, "--coder", help="Kun denne koders kodninger (standard: alle kodere)."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", help="csv eller json."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Skriv hertil (standard: standard-output)."),
    pseudonymize: bool = typer.Option(
        False, "--pseudonymize", help="Erstat navne, CPR-numre, telefonnumre og e-mails i kildenavne og notater."
    ),
    key: Path | None = typer.Option(
        None, "--key", help="Skriv nøglen fra pseudonymer til navne og kilder i denne fil (kun med --pseudonymize)."
    ),
) -> None:
    """Eksportér kodninger (alle kodere, medmindre --coder er givet)."""
    from trivselkode.cli.common import out_path_writable
    from trivselkode.cli.report import key_target, write_key_file
    from trivselkode.export.codings import codings_document
    from trivselkode.export.pseudonymize import Pseudonymizer

    if out is not None:
        out_path_writable(out)
    key = key_target(key, out, pseudonymize)
    project = state(ctx).project()
    pseudo = Pseudonymizer.if_asked(project, pseudonymize)
    text, count = codings_document(project, coder, fmt.value, pseudo)
    if out is None:
        emit_data(text)
    else:
        write_atomically(out, text)
        note(f"{count} kodninger skrevet til {out}.")
    write_key_file(pseudo, key, out)


@app.command("unplaced")
def unplaced(
    ctx: typer.Context,
    source: str | None = typer.Option(None, "--source", "-s", help="Kun denne kilde."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Vis kodninger, som en revideret tekst ikke kunne genplacere (de er bevaret)."""
    from trivselkode.storage.codings import unplaced_rows

    rows = unplaced_rows(state(ctx).project(), source)
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    for r in rows:
        say(f"{r['source']} udsagn {r['old_passage']} ({r['speaker']}) {r['code']} af {r['coder']}: «{r['text'][:70]}»")
    if not rows:
        note("Ingen ikke-genplacerede kodninger.")
