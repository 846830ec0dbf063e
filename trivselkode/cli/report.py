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
from trivselkode.i18n import N_, _

app = new_typer(help=N_("Rapporter: hyppigheder, samforekomst, matrix, citater og diagrammer."))


class Lang(str, Enum):
    da = "da"
    en = "en"


class TableFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    xlsx = "xlsx"
    md = "md"
    json = "json"


class MatrixFormat(str, Enum):
    csv = "csv"
    tsv = "tsv"
    xlsx = "xlsx"
    json = "json"


class QuoteFormat(str, Enum):
    md = "md"
    docx = "docx"
    html = "html"
    csv = "csv"
    json = "json"
    table = "table"  # with --candidates only
    tsv = "tsv"  # with --candidates only


class ChartFormat(str, Enum):
    png = "png"
    svg = "svg"
    pdf = "pdf"


class Measure(str, Enum):
    share = "share"
    passages = "passages"
    participants = "participants"
    codings = "codings"


_BINARY = {"xlsx", "docx", "png", "svg", "pdf"}

# Options shared by the reports.
CODER = typer.Option(None, "--coder", help=N_("Kun denne koders kodninger."))
UNION = typer.Option(False, "--union", help=N_("Foreningsmængden af koderne (hvert udsagn tæller én gang pr. kode)."))
CONSENSUS = typer.Option(
    False,
    "--consensus",
    help=N_(
        "Konsensus af to kodere: det, de er enige om, plus det afgjorte; åbne uenigheder tæller som i foreningsmængden."
    ),
)
PAIR = typer.Option(
    None,
    "--coders",
    help=N_("Konsensussens to kodere, fx anne,bo (standard: dem, afgørelserne nævner, ellers de to kodere)."),
)
LANG = typer.Option(None, "--lang", help=N_("Sprog for etiketter: da eller en (standard: grænsefladens sprog)."))
OUT = typer.Option(None, "--out", "-o", help=N_("Skriv hertil (standard: standard-output)."))
CODES = typer.Option(
    None, "--codes", "-c", help=N_("Koder: nøgler (T1,T2), typer (tema, behov) eller themes/needs/…; kan gentages.")
)
BY = typer.Option(
    None, "--by", help=N_("Fordel på egenskaber, fx site,gender (site, kind, context, gender, age_band, round …).")
)
AGE_BANDS = typer.Option(None, "--age-bands", help=N_("Aldersgruppernes nedre grænser (standard 18,30,45,60,75)."))
ROLLUP = typer.Option(False, "--rollup", help=N_("Overordnede koder tæller udsagn med underkoderne."))
PSEUDO = typer.Option(False, "--pseudonymize", help=N_("Erstat navne, CPR-numre, telefonnumre og e-mails."))
KEY = typer.Option(
    None,
    "--key",
    help=N_("Skriv nøglen fra pseudonymer til navne og kilder i denne fil (kun med --pseudonymize; .csv eller .json)."),
)


def _lang(lang: Lang | None) -> str:
    """A report's language: ``--lang``, else the interface's."""
    from trivselkode.i18n import language

    return lang.value if lang is not None else language()


def _format(fmt: Enum | None, out: Path | None, allowed: type[Enum]) -> str:
    """The output format: given, else from the suffix of ``--out``, else the first allowed.

    A suffix that names another format is refused (:func:`trivselkode.cli.pipes.choose_format`); a binary
    format goes to standard output (``--out -``) only when that is not a terminal."""
    from trivselkode.cli.pipes import check_stdout_binary, choose_format, is_stdout

    value = choose_format(fmt, out, [m.value for m in allowed])
    if is_stdout(out):
        check_stdout_binary(value, out)
        return value
    if value in _BINARY and out is None:
        raise TrivselError(
            _("{format} skrives til en fil").format(format=value.upper()),
            _("angiv --out FIL.{suffix}").format(suffix=value),
        )
    return value


def _prepare_out(out: Path | None) -> None:
    """Refuse a target that cannot be written before any work is done."""
    from trivselkode.cli.pipes import is_stdout

    if out is None or is_stdout(out):
        return
    if out.is_dir():
        raise TrivselError(_("{path} er en mappe").format(path=out), _("angiv et filnavn, fx --out rapport.xlsx"))
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
    note(_("Nøglen til pseudonymerne er skrevet til {path}.").format(path=path))


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
    from trivselkode.cli.pipes import is_stdout, working
    from trivselkode.export.reports import ReportRequest, build_report, selection_of

    target = options.pop("out")
    fmt_value = _format(fmt, target, allowed)
    out = None if is_stdout(target) else target  # --out -: standard output
    request = ReportRequest(kind, out, fmt_value, **options)
    _prepare_out(out)
    key = key_target(key, out, request.pseudonymize)
    project = state(ctx).project()
    request.selection = selection_of(*basis)
    with working(_("Bygger {what} …").format(what=what.lower())):  # a terminal only: nothing on a pipe
        report = build_report(project, request)
    _emit(report.data, target, what)
    write_key_file(report.pseudonymizer, key, out)
    for warning in report.warnings:
        note(_("advarsel: {warning}").format(warning=warning))
    for line in report.notes:
        note(line)


def _emit(data: str | bytes, out: Path | None, what: str) -> None:
    from trivselkode.cli.pipes import is_stdout, stdout_is_terminal, write_stdout

    if is_stdout(out) and (isinstance(data, bytes) or not stdout_is_terminal()):
        write_stdout(data)  # --out - into a pipe or a file: byte for byte, as --out FILE writes it
        return
    if out is None or is_stdout(out):
        assert isinstance(data, str)
        emit_data(data)
        return
    write_atomically(out, data)
    note(_("{what} skrevet til {out}.").format(what=_(what), out=out))


@app.command(
    "frequencies",
    help=N_(
        "Kodernes hyppighed: kodninger, udsagn, kilder, deltagere og andel af deltagerne.\n"
        "\n"
        "Standard er konsensus af to kodere, når ingen af deres uenigheder er åbne, ellers foreningsmængden af koderne."
    ),
)
def frequencies(
    ctx: typer.Context,
    coder: str | None = CODER,
    union: bool = UNION,
    consensus: bool = CONSENSUS,
    pair: str | None = PAIR,
    by: list[str] | None = BY,
    codes: list[str] | None = CODES,
    fmt: TableFormat | None = typer.Option(None, "--format", help=N_("table, csv, tsv, xlsx, md eller json.")),
    out: Path | None = OUT,
    lang: Lang | None = LANG,
    rollup: bool = ROLLUP,
    age_bands: str | None = AGE_BANDS,
    pseudonymize: bool = PSEUDO,
    key: Path | None = KEY,
) -> None:
    _run(
        ctx,
        "frequencies",
        N_("Hyppighederne"),
        fmt,
        TableFormat,
        key,
        (coder, union, consensus),
        out=out,
        coders=pair,
        by=by or [],
        codes=codes,
        lang=_lang(lang),
        rollup=rollup,
        age_bands=age_bands,
        pseudonymize=pseudonymize,
    )


@app.command(
    "cooccurrence",
    help=N_("Samforekomst: antal udsagn, der bærer både rækkens og kolonnens kode (standard temaer × behov)."),
)
def cooccurrence(
    ctx: typer.Context,
    rows: str = typer.Option(
        "themes",
        "--rows",
        help=N_(
            "Rækker: en type (tema, behov, livskvalitet, miljø), themes/needs/qualities/environment eller kodenøgler."
        ),
    ),
    cols: str = typer.Option("needs", "--cols", help=N_("Kolonner: som --rows (standard needs).")),
    coder: str | None = CODER,
    union: bool = UNION,
    consensus: bool = CONSENSUS,
    pair: str | None = PAIR,
    fmt: TableFormat | None = typer.Option(None, "--format", help=N_("table, csv, tsv, xlsx, md eller json.")),
    out: Path | None = OUT,
    lang: Lang | None = LANG,
    rollup: bool = ROLLUP,
) -> None:
    _run(
        ctx,
        "cooccurrence",
        N_("Samforekomsten"),
        fmt,
        TableFormat,
        None,
        (coder, union, consensus),
        out=out,
        rows=rows,
        cols=cols,
        coders=pair,
        lang=_lang(lang),
        rollup=rollup,
    )


@app.command("matrix", help=N_("Deltager × kode som 0/1 (rækker: kilde, deltager, egenskaber) til videre statistik."))
def matrix(
    ctx: typer.Context,
    codes: list[str] | None = CODES,
    coder: str | None = CODER,
    union: bool = UNION,
    consensus: bool = CONSENSUS,
    pair: str | None = PAIR,
    fmt: MatrixFormat | None = typer.Option(None, "--format", help=N_("csv, tsv, xlsx eller json.")),
    out: Path | None = OUT,
    rollup: bool = ROLLUP,
    age_bands: str | None = AGE_BANDS,
    pseudonymize: bool = PSEUDO,
    key: Path | None = KEY,
) -> None:
    _run(
        ctx,
        "matrix",
        N_("Matricen"),
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


@app.command(
    "quotes",
    help=N_(
        'Repræsentative citater for hver kode, med tilskrivning som "– Kvinde, 67 år, Holstebro" og henvisning\n'
        'som "Interview 3, Holstebro, udsagn 14". Forskerens valgte citater kommer først, de fravalgte aldrig.'
    ),
)
def quotes(
    ctx: typer.Context,
    codes: list[str] | None = CODES,
    n: int = typer.Option(5, "-n", "--number", help=N_("Højst så mange citater pr. kode.")),
    coder: str | None = CODER,
    union: bool = UNION,
    consensus: bool = CONSENSUS,
    pair: str | None = PAIR,
    fmt: QuoteFormat | None = typer.Option(
        None, "--format", help=N_("md, docx, html, csv eller json (med --candidates: table, json, csv eller md).")
    ),
    pseudonymize: bool = PSEUDO,
    key: Path | None = KEY,
    out: Path | None = OUT,
    lang: Lang | None = LANG,
    pin: list[str] | None = typer.Option(None, "--pin", help=N_("Tag dette udsagn med først: KILDE#N (kan gentages).")),
    exclude: list[str] | None = typer.Option(
        None, "--exclude", help=N_("Udelad dette udsagn: KILDE#N (kan gentages).")
    ),
    min_words: int = typer.Option(8, "--min-words", help=N_("Korteste citat i ord.")),
    max_words: int = typer.Option(
        60, "--max-words", help=N_("Længste citat i ord (længere udsagn beskæres ved sætningsgrænser).")
    ),
    title: str | None = typer.Option(None, "--title", help=N_("Dokumentets titel.")),
    age_bands: str | None = AGE_BANDS,
    candidates: bool = typer.Option(
        False, "--candidates", help=N_("Vis hver kodes kandidater med valg, plads, tilskrivning og henvisning.")
    ),
    pick: list[str] | None = typer.Option(
        None, "--pick", help=N_("Vælg dette udsagn som citat til koden (--codes), efter de valgte: KILDE#N. Gemmes.")
    ),
    drop: list[str] | None = typer.Option(
        None, "--drop", help=N_("Fravælg dette udsagn: det citeres aldrig for koden: KILDE#N. Gemmes.")
    ),
    unpick: list[str] | None = typer.Option(
        None, "--unpick", help=N_("Glem valget af dette udsagn (tilbage til det automatiske valg): KILDE#N.")
    ),
    order: list[str] | None = typer.Option(
        None, "--order", help=N_("Sæt de valgte citater i denne rækkefølge: KILDE#N,KILDE#N,… Gemmes.")
    ),
    reset: bool = typer.Option(False, "--reset", help=N_("Glem alle valg for koden (--codes).")),
    automatic: bool = typer.Option(
        False, "--automatic", help=N_("Brug kun det automatiske valg (se bort fra valgte og fravalgte citater).")
    ),
) -> None:
    from trivselkode.cli.report_quotes import QuoteChoiceOptions, run_quote_choice

    options: dict[str, Any] = dict(
        out=out,
        coders=pair,
        codes=codes,
        n=n,
        lang=_lang(lang),
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
    if fmt in (QuoteFormat.table, QuoteFormat.tsv):
        raise TrivselError(_("en tabel er kun til --candidates"), _("vælg md, docx, html, csv eller json"))
    _run(
        ctx,
        "quotes",
        N_("Citaterne"),
        fmt,
        QuoteFormat,
        key,
        (coder, union, consensus),
        choices=not automatic,
        **options,
    )


@app.command(
    "chart", help=N_("Søjlediagram over temaernes hyppighed, eventuelt fordelt på en egenskab (læseligt i sort-hvid).")
)
def chart(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", help=N_("Billedfil: .png, .svg eller .pdf (- er standard-output).")),
    by: list[str] | None = BY,
    codes: list[str] | None = CODES,
    measure: Measure = typer.Option(
        Measure.share, "--measure", help=N_("share (andel af deltagere), passages, participants eller codings.")
    ),
    coder: str | None = CODER,
    union: bool = UNION,
    consensus: bool = CONSENSUS,
    pair: str | None = PAIR,
    fmt: ChartFormat | None = typer.Option(
        None, "--format", help=N_("png, svg eller pdf (standard: efter filnavnet).")
    ),
    lang: Lang | None = LANG,
    rollup: bool = ROLLUP,
    age_bands: str | None = AGE_BANDS,
    title: str | None = typer.Option(None, "--title", help=N_("Diagrammets titel.")),
    pseudonymize: bool = PSEUDO,
    key: Path | None = KEY,
    dpi: int | None = typer.Option(
        None, "--dpi", help=N_("Opløsning af en PNG i dpi (standard 150; fx 300 til tryk).")
    ),
    size: str | None = typer.Option(
        None, "--size", help=N_("Størrelse BREDDExHØJDE i centimeter, fx 8.5x6 til en spalte i et tidsskrift.")
    ),
    min_n: int | None = typer.Option(
        None,
        "--min-n",
        help=N_("Udelad grupper med færre deltagere end dette (standard: kun ukendt-gruppen under 5)."),
    ),
) -> None:
    _run(
        ctx,
        "chart",
        N_("Diagrammet"),
        fmt,
        ChartFormat,
        key,
        (coder, union, consensus),
        out=out,
        by=by or [],
        codes=codes,
        measure=measure.value,
        coders=pair,
        lang=_lang(lang),
        rollup=rollup,
        age_bands=age_bands,
        title=title,
        pseudonymize=pseudonymize,
        dpi=dpi,
        size=size,
        min_n=min_n,
    )


from trivselkode.cli import report_more  # noqa: E402, F401  (registers report crosstab and report words)
