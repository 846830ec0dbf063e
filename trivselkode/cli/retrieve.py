"""``trivselkode retrieve``: every passage or span coded with a code (or a combination), for a write-up.

The same rows as the Udtræk screen (``R``/F6): built by
:func:`trivselkode.export.retrieval_docs.build_document` over
:mod:`trivselkode.analysis.retrieval`. Without ``--format`` the format
follows the suffix of ``--out``, else Markdown; DOCX needs ``--out``.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from trivselkode.cli.common import note, out_path_writable, state
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _


class RetrieveFormat(str, Enum):
    md = "md"
    docx = "docx"
    csv = "csv"
    tsv = "tsv"
    json = "json"


class Order(str, Enum):
    source = "source"
    length = "length"


def register(app: typer.Typer) -> None:
    app.command(
        "retrieve",
        help=N_("Hent hvert udsagn eller udsnit kodet med en kode – eller en kombination – på tværs af kilderne."),
    )(retrieve)


def _keys(values: list[str] | None) -> tuple[str, ...]:
    """``--and B.social --and T2`` or ``--and B.social,T2``."""
    return tuple(k.strip() for v in values or [] for k in v.split(",") if k.strip())


def _format(fmt: RetrieveFormat | None, out: Path | None) -> str:
    from trivselkode.cli.pipes import check_stdout_binary, choose_format, is_stdout

    value = choose_format(fmt, out, [f.value for f in RetrieveFormat], default="md")
    if is_stdout(out):
        check_stdout_binary(value, out)
    elif value == "docx" and out is None:
        raise TrivselError(_("DOCX skrives til en fil"), _("angiv --out FIL.docx"))
    return value


def retrieve(
    ctx: typer.Context,
    code: str = typer.Option(..., "--code", "-c", help=N_("Koden, hvis udsnit hentes (nøglen, fx T3).")),
    and_: list[str] | None = typer.Option(
        None, "--and", help=N_("Kun udsagn, der også har denne kode (kan gentages eller kommasepareres).")
    ),
    not_: list[str] | None = typer.Option(
        None, "--not", help=N_("Kun udsagn, der ikke har denne kode (kan gentages eller kommasepareres).")
    ),
    coder: str | None = typer.Option(None, "--coder", help=N_("Kun denne koders kodninger (standard: alle kodere).")),
    by: list[str] | None = typer.Option(
        None, "--by", help=N_("Gruppér efter en egenskab, fx site (site, kind, context, gender, age_band, round …).")
    ),
    order: Order = typer.Option(
        Order.source, "--sort", help=N_("source (kilde og udsagn) eller length (længste først).")
    ),
    context_chars: int = typer.Option(
        300, "--context", help=N_("Så mange tegn sammenhæng før og efter det kodede (0: ingen).")
    ),
    fmt: RetrieveFormat | None = typer.Option(None, "--format", help=N_("md, docx, csv, tsv eller json.")),
    out: Path | None = typer.Option(None, "--out", "-o", help=N_("Skriv hertil (standard: standard-output).")),
    title: str | None = typer.Option(None, "--title", help=N_("Dokumentets titel (md og docx).")),
    age_bands: str | None = typer.Option(
        None, "--age-bands", help=N_("Aldersgruppernes nedre grænser (standard 18,30,45,60,75).")
    ),
    pseudonymize: bool = typer.Option(
        False, "--pseudonymize", help=N_("Erstat navne, CPR-numre, telefonnumre og e-mails.")
    ),
    key: Path | None = typer.Option(
        None,
        "--key",
        help=N_(
            "Skriv nøglen fra pseudonymer til navne og kilder i denne fil (kun med --pseudonymize; .csv eller .json)."
        ),
    ),
) -> None:
    from trivselkode.analysis.retrieval import RetrievalQuery
    from trivselkode.cli.pipes import deliver, file_target
    from trivselkode.cli.report import key_target, write_key_file
    from trivselkode.export.retrieval_docs import build_document, render

    value = _format(fmt, out)
    target, out = out, file_target(out)  # --out -: standard output
    if out is not None:
        if out.is_dir():
            raise TrivselError(
                _("{path} er en mappe").format(path=out),
                _("angiv et filnavn, fx --out udsnit.{suffix}").format(suffix=value),
            )
        out_path_writable(out)
    key = key_target(key, out, pseudonymize)
    project = state(ctx).project()
    query = RetrievalQuery(code.strip(), _keys(and_), _keys(not_))
    doc, pseudo = build_document(
        project,
        query,
        coder=coder,
        by=by,
        order=order.value,
        context_chars=context_chars,
        age_bands=age_bands,
        pseudonymize=pseudonymize,
        title=title,
    )
    data = render(doc, "csv" if value == "tsv" else value)
    if value == "tsv":  # the CSV's rows, tab-separated
        from trivselkode.export.tsv import csv_to_tsv

        data = csv_to_tsv(str(data))
    deliver(target, data, _("{n} udsnit skrevet til {out}.").format(n=len(doc.segments), out=out))
    write_key_file(pseudo, key, out)
    if not doc.segments:
        if coder:
            note(_("Ingen udsnit kodet {query} af {coder}.").format(query=doc.query.describe(), coder=coder))
        else:
            note(_("Ingen udsnit kodet {query}.").format(query=doc.query.describe()))
