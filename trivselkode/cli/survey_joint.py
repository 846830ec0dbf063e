"""``trivselkode survey joint``: a dimension's low and high scorers beside the themes of their open answers.

Format and ``--out`` as the other reports (:mod:`trivselkode.cli.report`): without ``--format`` the suffix
of ``--out`` chooses, ``--out -`` is standard output, XLSX and DOCX go to a file (or a pipe), the file is
written atomically, and ``--format json`` prints one JSON document. The basis is said on standard error.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from trivselkode.cli.report import (
    CODER,
    CONSENSUS,
    KEY,
    LANG,
    OUT,
    PAIR,
    PSEUDO,
    UNION,
    Lang,
    _emit,
    _format,
    _lang,
    _prepare_out,
    key_target,
    write_key_file,
)
from trivselkode.cli.survey_report import NOTES_SHOWN, SURVEY, document_properties
from trivselkode.i18n import N_, _


class JointFormat(str, Enum):
    table = "table"
    md = "md"
    csv = "csv"
    xlsx = "xlsx"
    docx = "docx"
    json = "json"


def register(app: typer.Typer) -> None:
    """Add ``joint`` to the ``survey`` app."""
    app.command(
        "joint",
        help=N_(
            "Fælles visning: respondenterne delt i lave og høje scorere på en dimension; pr. tema andelen i "
            "hver gruppe, hvis åbne svar bærer det, forskellen og et citat fra hver gruppe; og omvendt "
            "dimensionens score hos dem, hvis svar bærer temaet, mod dem, hvis svar ikke gør.\n"
            "\n"
            "Standard er konsensus af to kodere, når ingen af deres uenigheder er åbne, ellers foreningsmængden."
        ),
    )(joint)


def joint(
    ctx: typer.Context,
    dimension: str = typer.Option(..., "--dimension", "-d", help=N_("Dimensionens nøgle, fx tryghed.")),
    split: str = typer.Option(
        "median",
        "--split",
        help=N_("Hvor lave og høje scorere deles: median eller et tal (høje scorere har mindst tallet)."),
    ),
    survey: str | None = SURVEY,
    coder: str | None = CODER,
    union: bool = UNION,
    consensus: bool = CONSENSUS,
    pair: str | None = PAIR,
    fmt: JointFormat | None = typer.Option(None, "--format", help=N_("table, md, csv, xlsx, docx eller json.")),
    out: Path | None = OUT,
    lang: Lang | None = LANG,
    pseudonymize: bool = PSEUDO,
    key: Path | None = KEY,
) -> None:
    from trivselkode.analysis.survey_joint import build_joint_display
    from trivselkode.cli.common import note, state
    from trivselkode.cli.pipes import is_stdout, working
    from trivselkode.export.pseudonymize import Pseudonymizer
    from trivselkode.export.survey_joint import layout, render_joint

    fmt_value = _format(fmt, out, JointFormat)
    target = None if is_stdout(out) else out
    _prepare_out(target)
    key_file = key_target(key, target, pseudonymize)
    project = state(ctx).project()
    shown = _lang(lang)
    with working(_("Bygger den fælles visning …")):
        pseudo = Pseudonymizer.if_asked(project, pseudonymize, shown)
        display = build_joint_display(
            project,
            dimension.strip(),
            split,
            survey,
            shown,
            coder=coder,
            union=union,
            consensus=consensus,
            coders=pair,
            pseudonymizer=pseudo,
        )
        meta = document_properties(project, display.lang, layout(display).title) if fmt_value == "docx" else None
        data = render_joint(display, fmt_value, meta)
    _emit(data, out, N_("Den fælles visning"))
    write_key_file(pseudo, key_file, target)
    if fmt_value not in NOTES_SHOWN or out is not None:
        note(_("Grundlag: {basis}.").format(basis=display.basis_note))
