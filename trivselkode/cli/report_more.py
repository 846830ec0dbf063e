"""``trivselkode report crosstab`` and ``report words``, on the ``report`` app of :mod:`trivselkode.cli.report`.

Built like the other reports (:func:`trivselkode.cli.report._run`, the
builders in :mod:`trivselkode.export.report_more`).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from trivselkode.cli.report import (
    AGE_BANDS,
    BY,
    CODER,
    CODES,
    CONSENSUS,
    KEY,
    LANG,
    OUT,
    PAIR,
    PSEUDO,
    ROLLUP,
    UNION,
    Lang,
    _lang,
    _run,
    app,
)
from trivselkode.i18n import N_


class CrosstabFormat(str, Enum):
    table = "table"
    md = "md"
    csv = "csv"
    tsv = "tsv"
    xlsx = "xlsx"
    docx = "docx"
    html = "html"
    json = "json"


class WordsFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    xlsx = "xlsx"
    json = "json"


@app.command(
    "crosstab",
    help=N_(
        "Krydstabel: koder × én egenskabs værdier med n (deltagere, der har sagt koden) og % af gruppens "
        "deltagere pr. celle, gruppernes størrelse (n=…) øverst og en kolonne i alt."
    ),
)
def crosstab(
    ctx: typer.Context,
    by: list[str] = typer.Option(..., "--by", help=N_("Egenskaben, der fordeles på, fx site, gender eller age_band.")),
    codes: list[str] | None = CODES,
    coder: str | None = CODER,
    union: bool = UNION,
    consensus: bool = CONSENSUS,
    pair: str | None = PAIR,
    fmt: CrosstabFormat | None = typer.Option(
        None, "--format", help=N_("table, md, csv, tsv, xlsx, docx, html eller json.")
    ),
    out: Path | None = OUT,
    lang: Lang | None = LANG,
    rollup: bool = ROLLUP,
    age_bands: str | None = AGE_BANDS,
    pseudonymize: bool = PSEUDO,
    key: Path | None = KEY,
) -> None:
    _run(
        ctx,
        "crosstab",
        N_("Krydstabellen"),
        fmt,
        CrosstabFormat,
        key,
        (coder, union, consensus),
        out=out,
        coders=pair,
        by=by,
        codes=codes,
        lang=_lang(lang),
        rollup=rollup,
        age_bands=age_bands,
        pseudonymize=pseudonymize,
    )


@app.command(
    "words",
    help=N_(
        "Ordhyppighed: de hyppigste ord (lemmaer) i de kodede udsagn, uden stopord og transskriptionsnoter; "
        "med --kwic ordets forekomster i sammenhæng."
    ),
)
def words(
    ctx: typer.Context,
    code: list[str] | None = typer.Option(
        None, "--code", "--codes", "-c", help=N_("Kun udsagn med denne kode (nøgle eller type); standard: alle kodede.")
    ),
    by: list[str] | None = BY,
    top: int = typer.Option(20, "--top", "-n", help=N_("Så mange ord (pr. gruppe); 0 er alle.")),
    kwic: str | None = typer.Option(
        None, "--kwic", help=N_("Vis ordets forekomster med sammenhæng (før, ord, efter).")
    ),
    coder: str | None = CODER,
    union: bool = UNION,
    consensus: bool = CONSENSUS,
    pair: str | None = PAIR,
    fmt: WordsFormat | None = typer.Option(None, "--format", help=N_("table, csv, tsv, xlsx eller json.")),
    out: Path | None = OUT,
    lang: Lang | None = LANG,
    rollup: bool = ROLLUP,
    age_bands: str | None = AGE_BANDS,
) -> None:
    _run(
        ctx,
        "words",
        N_("Ordlisten"),
        fmt,
        WordsFormat,
        None,
        (coder, union, consensus),
        out=out,
        coders=pair,
        by=by or [],
        codes=code,
        top=top,
        kwic=kwic,
        lang=_lang(lang),
        rollup=rollup,
        age_bands=age_bands,
    )
