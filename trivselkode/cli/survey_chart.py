"""``trivselkode survey chart``: the dimensions' means with 95 % confidence intervals, per round or ``--by``.

The suffix of ``--out`` decides the format (``.png``, ``.svg`` or ``.pdf``);
any other suffix is refused in one line before any work. ``--out -`` writes
the chart's bytes to standard output (``--format``, PNG by default) when it
is a pipe or a file, never to a terminal. The chart is drawn from the same
report ``survey report`` writes (:func:`~trivselkode.analysis.survey_report.build_survey_report`).
"""

from __future__ import annotations

from pathlib import Path

import typer

from trivselkode.cli.common import state
from trivselkode.cli.report import AGE_BANDS, LANG, ChartFormat, Lang, _lang
from trivselkode.i18n import N_, _


def register(app: typer.Typer) -> None:
    """Add ``chart`` to the ``survey`` group."""
    app.command(
        "chart",
        help=N_(
            "Diagram over dimensionernes gennemsnit med 95 %-konfidensinterval, fordelt på runde eller --by "
            "(hele skalaen, læseligt i sort-hvid)."
        ),
    )(chart)


def chart(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", help=N_("Billedfil: .png, .svg eller .pdf (- er standard-output).")),
    survey: str | None = typer.Option(None, "--survey", help=N_("Spørgeskemaets navn (standard: projektets eneste).")),
    by: str | None = typer.Option(
        None,
        "--by",
        help=N_("Fordel på round, site, context, gender eller age_band (standard: runde, når der er to eller flere)."),
    ),
    fmt: ChartFormat | None = typer.Option(
        None, "--format", help=N_("png, svg eller pdf (standard: efter filnavnet; png til standard-output).")
    ),
    lang: Lang | None = LANG,
    age_bands: str | None = AGE_BANDS,
    dpi: int | None = typer.Option(
        None, "--dpi", help=N_("Opløsning af en PNG i dpi (standard 150; fx 300 til tryk).")
    ),
    size: str | None = typer.Option(
        None, "--size", help=N_("Størrelse BREDDExHØJDE i centimeter, fx 8.5x6 til en spalte i et tidsskrift.")
    ),
) -> None:
    from trivselkode.analysis.attributes import AgeBands
    from trivselkode.analysis.survey_report import build_survey_report
    from trivselkode.cli.pipes import deliver, is_stdout, prepare_out
    from trivselkode.export.charts import check_dpi, parse_size
    from trivselkode.export.survey_chart import render_survey_chart

    value = _chart_format(fmt, out)
    prepare_out(out)
    check_dpi(dpi)
    parse_size(size)
    bands = AgeBands.parse(age_bands)
    project = state(ctx).project()
    report = build_survey_report(project, survey=survey, by=by, lang=_lang(lang), age_bands=bands)
    data = render_survey_chart(report, value, dpi=dpi, size=size)
    written = None if is_stdout(out) else _("{what} skrevet til {out}.").format(what=_("Diagrammet"), out=out)
    deliver(out, data, written)


def _chart_format(fmt: ChartFormat | None, out: Path) -> str:
    """The chart's format: a file's suffix (png, svg or pdf, else refused), ``--format`` for standard output.

    A ``--format`` that disagrees with the suffix is refused; a binary chart is never sent to a terminal.
    """
    from trivselkode.cli.pipes import check_stdout_binary, choose_format, is_stdout
    from trivselkode.export.survey_chart import FORMATS, chart_format

    if is_stdout(out):
        value = fmt.value if fmt is not None else FORMATS[0]
        check_stdout_binary(value, out)
        return value
    value = chart_format(out)
    return choose_format(fmt, out, FORMATS) if fmt is not None else value
