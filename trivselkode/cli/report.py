"""``trivselkode report``: frequencies, co-occurrence, matrix, quotes and charts.

Every report reads every coder's codings unless told otherwise (``--coder``,
``--union``, ``--consensus``); ``TRIVSELKODE_CODER`` never filters them.
Without ``--format`` the format follows the suffix of ``--out`` (``.xlsx``,
``.csv`` …), else the first one listed. Outputs are written to a temporary
file beside the target and renamed, so nothing is ever half-written.
Each command builds its report with
:func:`trivselkode.export.reports.build_report`, the function the Eksport
screen runs, so both give the same file from the same options.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import typer

from trivselkode.cli.common import emit_data, new_typer, note, out_path_writable, state, write_atomically
from trivselkode.errors import TrivselError

app = new_typer(help="Rapporter: hyppigheder, samforekomst, matrix, citater og diagrammer.")


class Lang(str, Enum):
    da = "da"
    en = "en"


class TableFormat(str, Enum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"
    md = "md"
    json = "json"


class MatrixFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"
    json = "json"


class QuoteFormat(str, Enum):
    md = "md"
    docx = "docx"
    html = "html"
    csv = "csv"
    json = "json"
    table = "table"  # with --candidates only


class ChartFormat(str, Enum):
    png = "png"
    svg = "svg"


class Measure(str, Enum):
    share = "share"
    passages = "passages"
    participants = "participants"
    codings = "codings"


_BINARY = {"xlsx", "docx", "png", "svg"}

# Options shared by the reports.
CODER = typer.Option(None, "--coder", help="Kun denne koders kodninger.")
UNION = typer.Option(False, "--union", help="Foreningsmængden af koderne (hvert udsagn tæller én gang pr. kode).")
CONSENSUS = typer.Option(
    False,
    "--consensus",
    help="Konsensus af to kodere: det, de er enige om, plus det afgjorte; åbne uenigheder tæller som i foreningsmængden.",
)
PAIR = typer.Option(
    None,
    "--coders",
    help="Konsensussens to kodere, fx anne,bo (standard: dem, afgørelserne nævner, ellers de to kodere).",
)
LANG = typer.Option(Lang.da, "--lang", help="Sprog for etiketter: da eller en.")
OUT = typer.Option(None, "--out", "-o", help="Skriv hertil (standard: standard-output).")
CODES = typer.Option(
    None, "--codes", "-c", help="Koder: nøgler (T1,T2), typer (tema, behov) eller themes/needs/…; kan gentages."
)
BY = typer.Option(
    None, "--by", help="Fordel på egenskaber, fx site,gender (site, kind, context, gender, age_band, round …)."
)
AGE_BANDS = typer.Option(None, "--age-bands", help="Aldersgruppernes nedre grænser (standard 18,30,45,60,75).")
ROLLUP = typer.Option(False, "--rollup", help="Overordnede koder tæller udsagn med underkoderne.")
PSEUDO = typer.Option(False, "--pseudonymize", help="Erstat navne, CPR-numre, telefonnumre og e-mails.")
KEY = typer.Option(
    None,
    "--key",
    help="Skriv nøglen fra pseudonymer til navne og kilder i denne fil (kun med --pseudonymize; .csv eller .json).",
)


def _format(fmt: Enum | None, out: Path | None, allowed: type[Enum]) -> str:
    """The output format: given, else from the suffix of ``--out``, else the first allowed."""
    from trivselkode.export.jobs import SUFFIXES  # the Eksport screen reads suffixes the same way

    choices = [m.value for m in allowed]
    if fmt is not None:
        value = fmt.value
    elif out is not None and SUFFIXES.get(out.suffix.lower()) in choices:
        value = SUFFIXES[out.suffix.lower()]
    else:
        value = choices[0]
    if value in _BINARY and out is None:
        raise TrivselError(f"{value.upper()} skrives til en fil", f"angiv --out FIL.{value}")
    return value


def _prepare_out(out: Path | None) -> None:
    """Refuse a target that cannot be written before any work is done."""
    if out is None:
        return
    if out.is_dir():
        raise TrivselError(f"{out} er en mappe", "angiv et filnavn, fx --out rapport.xlsx")
    out_path_writable(out)


def key_target(key: Path | None, out: Path | None, pseudonymize: bool) -> Path | None:
    """``--key FILE``, refused before any work when it may not be written (also used by codings, refi, disagreements)."""
    if key is None:
        return None
    from trivselkode.export.pseudonymize import check_key_target

    path = check_key_target(key, out, pseudonymize)
    out_path_writable(key)  # never the command's own project file
    return path


def write_key_file(pseudo, key: Path | None, out: Path | None) -> None:  # noqa: ANN001
    """Write the key of ``pseudo`` to ``key`` (atomically) and say where it went."""
    if key is None or pseudo is None:
        return
    from trivselkode.export.pseudonymize import write_key

    path = write_key(pseudo, key, out)
    note(f"Nøglen til pseudonymerne er skrevet til {path}.")


def _run(
    ctx: typer.Context,
    kind: str,
    what: str,
    fmt: Enum | None,
    allowed: type[Enum],
    key: Path | None,
    basis: tuple[str | None, bool, bool],
    **options: Any,
) -> None:
    """Build the ``kind`` report as the Eksport screen does, write it, and say what was written and from what.

    ``options`` are the report's options (:class:`~trivselkode.export.reports.ReportRequest`, ``out`` among
    them); ``basis`` is ``--coder``, ``--union`` and ``--consensus``; ``what`` names the output in the note.
    """
    from trivselkode.export.reports import ReportRequest, build_report, selection_of

    out = options.pop("out")
    request = ReportRequest(kind, out, _format(fmt, out, allowed), **options)
    _prepare_out(out)
    key = key_target(key, out, request.pseudonymize)
    project = state(ctx).project()
    request.selection = selection_of(*basis)
    report = build_report(project, request)
    _emit(report.data, out, what)
    write_key_file(report.pseudonymizer, key, out)
    for warning in report.warnings:
        note(f"advarsel: {warning}")
    for line in report.notes:
        note(line)


def _emit(data: str | bytes, out: Path | None, what: str) -> None:
    if out is None:
        assert isinstance(data, str)
        emit_data(data)
        return
    write_atomically(out, data)
    note(f"{what} skrevet til {out}.")


@app.command("frequencies")
def frequencies(
    ctx: typer.Context,
    coder: str | None = CODER,
    union: bool = UNION,
    consensus: bool = CONSENSUS,
    pair: str | None = PAIR,
    by: list[str] | None = BY,
    codes: list[str] | None = CODES,
    fmt: TableFormat | None = typer.Option(None, "--format", help="table, csv, xlsx, md eller json."),
    out: Path | None = OUT,
    lang: Lang = LANG,
    rollup: bool = ROLLUP,
    age_bands: str | None = AGE_BANDS,
    pseudonymize: bool = PSEUDO,
    key: Path | None = KEY,
) -> None:
    """Kodernes hyppighed: kodninger, udsagn, kilder, deltagere og andel af deltagerne.

    Standard er konsensus af to kodere, når ingen af deres uenigheder er åbne, ellers foreningsmængden af koderne.
    """
    _run(
        ctx,
        "frequencies",
        "Hyppighederne",
        fmt,
        TableFormat,
        key,
        (coder, union, consensus),
        out=out,
        coders=pair,
        by=by or [],
        codes=codes,
        lang=lang.value,
        rollup=rollup,
        age_bands=age_bands,
        pseudonymize=pseudonymize,
    )


@app.command("cooccurrence")
def cooccurrence(
    ctx: typer.Context,
    rows: str = typer.Option(
        "themes",
        "--rows",
        help="Rækker: en type (tema, behov, livskvalitet, miljø), themes/needs/qualities/environment eller kodenøgler.",
    ),
    cols: str = typer.Option("needs", "--cols", help="Kolonner: som --rows (standard needs)."),
    coder: str | None = CODER,
    union: bool = UNION,
    consensus: bool = CONSENSUS,
    pair: str | None = PAIR,
    fmt: TableFormat | None = typer.Option(None, "--format", help="table, csv, xlsx, md eller json."),
    out: Path | None = OUT,
    lang: Lang = LANG,
    rollup: bool = ROLLUP,
) -> None:
    """Samforekomst: antal udsagn, der bærer både rækkens og kolonnens kode (standard temaer × behov)."""
    _run(
        ctx,
        "cooccurrence",
        "Samforekomsten",
        fmt,
        TableFormat,
        None,
        (coder, union, consensus),
        out=out,
        rows=rows,
        cols=cols,
        coders=pair,
        lang=lang.value,
        rollup=rollup,
    )


@app.command("matrix")
def matrix(
    ctx: typer.Context,
    codes: list[str] | None = CODES,
    coder: str | None = CODER,
    union: bool = UNION,
    consensus: bool = CONSENSUS,
    pair: str | None = PAIR,
    fmt: MatrixFormat | None = typer.Option(None, "--format", help="csv, xlsx eller json."),
    out: Path | None = OUT,
    rollup: bool = ROLLUP,
    age_bands: str | None = AGE_BANDS,
    pseudonymize: bool = PSEUDO,
    key: Path | None = KEY,
) -> None:
    """Deltager × kode som 0/1 (rækker: kilde, deltager, egenskaber) til videre statistik."""
    _run(
        ctx,
        "matrix",
        "Matricen",
        fmt,
        MatrixFormat,
        key,
        (coder, union, consensus),
        out=out,
        coders=pair,
        codes=codes,
        rollup=rollup,
        age_bands=age_bands,
        pseudonymize=pseudonymize,
    )


@app.command("quotes")
def quotes(
    ctx: typer.Context,
    codes: list[str] | None = CODES,
    n: int = typer.Option(5, "-n", "--number", help="Højst så mange citater pr. kode."),
    coder: str | None = CODER,
    union: bool = UNION,
    consensus: bool = CONSENSUS,
    pair: str | None = PAIR,
    fmt: QuoteFormat | None = typer.Option(
        None, "--format", help="md, docx, html, csv eller json (med --candidates: table, json, csv eller md)."
    ),
    pseudonymize: bool = PSEUDO,
    key: Path | None = KEY,
    out: Path | None = OUT,
    lang: Lang = LANG,
    pin: list[str] | None = typer.Option(None, "--pin", help="Tag dette udsagn med først: KILDE#N (kan gentages)."),
    exclude: list[str] | None = typer.Option(None, "--exclude", help="Udelad dette udsagn: KILDE#N (kan gentages)."),
    min_words: int = typer.Option(8, "--min-words", help="Korteste citat i ord."),
    max_words: int = typer.Option(
        60, "--max-words", help="Længste citat i ord (længere udsagn beskæres ved sætningsgrænser)."
    ),
    title: str | None = typer.Option(None, "--title", help="Dokumentets titel."),
    age_bands: str | None = AGE_BANDS,
    candidates: bool = typer.Option(
        False, "--candidates", help="Vis hver kodes kandidater med valg, plads, tilskrivning og henvisning."
    ),
    pick: list[str] | None = typer.Option(
        None, "--pick", help="Vælg dette udsagn som citat til koden (--codes), efter de valgte: KILDE#N. Gemmes."
    ),
    drop: list[str] | None = typer.Option(
        None, "--drop", help="Fravælg dette udsagn: det citeres aldrig for koden: KILDE#N. Gemmes."
    ),
    unpick: list[str] | None = typer.Option(
        None, "--unpick", help="Glem valget af dette udsagn (tilbage til det automatiske valg): KILDE#N."
    ),
    order: list[str] | None = typer.Option(
        None, "--order", help="Sæt de valgte citater i denne rækkefølge: KILDE#N,KILDE#N,… Gemmes."
    ),
    reset: bool = typer.Option(False, "--reset", help="Glem alle valg for koden (--codes)."),
    automatic: bool = typer.Option(
        False, "--automatic", help="Brug kun det automatiske valg (se bort fra valgte og fravalgte citater)."
    ),
) -> None:
    """Repræsentative citater for hver kode, med tilskrivning som "– Kvinde, 67 år, Holstebro" og henvisning
    som "Interview 3, Holstebro, udsagn 14". Forskerens valgte citater kommer først, de fravalgte aldrig."""
    from trivselkode.cli.report_quotes import QuoteChoiceOptions, run_quote_choice

    options: dict[str, Any] = dict(
        out=out,
        coders=pair,
        codes=codes,
        n=n,
        lang=lang.value,
        pseudonymize=pseudonymize,
        age_bands=age_bands,
        title=title,
        min_words=min_words,
        max_words=max_words,
        pins=pin or [],
        excludes=exclude or [],
    )
    choice = QuoteChoiceOptions(candidates, pick or [], drop or [], unpick or [], order or [], reset, automatic)
    if choice.listing:
        run_quote_choice(
            ctx, choice, fmt.value if fmt else None, {**options, "basis": (coder, union, consensus), "key": key}
        )
        return
    if fmt is QuoteFormat.table:
        raise TrivselError("en tabel er kun til --candidates", "vælg md, docx, html, csv eller json")
    _run(ctx, "quotes", "Citaterne", fmt, QuoteFormat, key, (coder, union, consensus), choices=not automatic, **options)


@app.command("chart")
def chart(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", help="Billedfil: .png eller .svg."),
    by: list[str] | None = BY,
    codes: list[str] | None = CODES,
    measure: Measure = typer.Option(
        Measure.share, "--measure", help="share (andel af deltagere), passages, participants eller codings."
    ),
    coder: str | None = CODER,
    union: bool = UNION,
    consensus: bool = CONSENSUS,
    pair: str | None = PAIR,
    fmt: ChartFormat | None = typer.Option(None, "--format", help="png eller svg (standard: efter filnavnet)."),
    lang: Lang = LANG,
    rollup: bool = ROLLUP,
    age_bands: str | None = AGE_BANDS,
    title: str | None = typer.Option(None, "--title", help="Diagrammets titel."),
    pseudonymize: bool = PSEUDO,
    key: Path | None = KEY,
) -> None:
    """Søjlediagram over temaernes hyppighed, eventuelt fordelt på en egenskab (læseligt i sort-hvid)."""
    _run(
        ctx,
        "chart",
        "Diagrammet",
        fmt,
        ChartFormat,
        key,
        (coder, union, consensus),
        out=out,
        by=by or [],
        codes=codes,
        measure=measure.value,
        coders=pair,
        lang=lang.value,
        rollup=rollup,
        age_bands=age_bands,
        title=title,
        pseudonymize=pseudonymize,
    )
