"""``trivselkode survey report``: the questionnaire's dimensions, reliability and group comparison (SPEC §7b).

Format and ``--out`` as the other reports (:mod:`trivselkode.cli.report`): without ``--format`` the suffix
of ``--out`` chooses, ``--out -`` is standard output, XLSX and DOCX go to a file (or a pipe), and the file
is written atomically.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from trivselkode.cli.report import AGE_BANDS, LANG, OUT, Lang, _emit, _format, _lang, _prepare_out
from trivselkode.i18n import N_, _


class SurveyReportFormat(str, Enum):
    table = "table"
    md = "md"
    csv = "csv"
    xlsx = "xlsx"
    docx = "docx"
    json = "json"


#: The survey option every ``survey`` command shares.
SURVEY = typer.Option(None, "--survey", help=N_("Spørgeskemaets navn (standard: projektets eneste)."))

#: Formats whose document already shows the report's notes (the survey commands say them on standard error else).
NOTES_SHOWN = {"table", "md"}


def register(app: typer.Typer) -> None:
    """Add ``report`` to the ``survey`` app."""
    app.command(
        "report",
        help=N_(
            "Spørgeskemaets rapport: n, gennemsnit, SD og 95 % konfidensinterval pr. dimension og gruppe, "
            "Cronbachs α, spørgsmålenes item–total-korrelation, de stærkeste og svageste dimensioner og "
            "gruppernes sammenligning (Welch og rangtest, Holm-korrigeret).\n"
            "\n"
            "Standard er --by round, når skemaet har mindst to runder."
        ),
    )(report)


def report(
    ctx: typer.Context,
    survey: str | None = SURVEY,
    by: str | None = typer.Option(
        None, "--by", help=N_("Grupper efter round, site, context, gender eller age_band (standard: round).")
    ),
    fmt: SurveyReportFormat | None = typer.Option(None, "--format", help=N_("table, md, csv, xlsx, docx eller json.")),
    out: Path | None = OUT,
    lang: Lang | None = LANG,
    age_bands: str | None = AGE_BANDS,
) -> None:
    from trivselkode.analysis.attributes import AgeBands
    from trivselkode.analysis.survey_report import build_survey_report
    from trivselkode.cli.common import note, state
    from trivselkode.cli.pipes import is_stdout, working
    from trivselkode.export.survey_report import heading, render_survey_report

    fmt_value = _format(fmt, out, SurveyReportFormat)
    bands = AgeBands.parse(age_bands)
    _prepare_out(None if is_stdout(out) else out)
    project = state(ctx).project()
    with working(_("Bygger spørgeskemaets rapport …")):
        result = build_survey_report(project, survey, by.strip().lower() if by else None, _lang(lang), bands)
        meta = document_properties(project, result.lang, heading(result)) if fmt_value == "docx" else None
        data = render_survey_report(result, fmt_value, meta)
    _emit(data, out, N_("Spørgeskemaets rapport"))
    if fmt_value not in NOTES_SHOWN or out is not None:
        for line in result.notes:
            note(line)


def document_properties(project, lang: str, title: str):  # noqa: ANN001, ANN201 (Project, DocumentMeta; lazy)
    """A survey DOCX's properties, as the other reports set them (project as subject, the coder as author)."""
    from trivselkode.export.reports import ReportRequest, document_meta

    return document_meta(project, ReportRequest("survey", None, "docx", lang=lang, title=title))
