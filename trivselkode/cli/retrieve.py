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

from trivselkode.cli.common import emit_data, note, out_path_writable, state, write_atomically
from trivselkode.errors import TrivselError


class RetrieveFormat(str, Enum):
    md = "md"
    docx = "docx"
    csv = "csv"
    json = "json"


class Order(str, Enum):
    source = "source"
    length = "length"


def register(app: typer.Typer) -> None:
    app.command("retrieve")(retrieve)


def _keys(values: list[str] | None) -> tuple[str, ...]:
    """``--and B.social --and T2`` or ``--and B.social,T2``."""
    return tuple(k.strip() for v in values or [] for k in v.split(",") if k.strip())


def _format(fmt: RetrieveFormat | None, out: Path | None) -> str:
    from trivselkode.export.jobs import SUFFIXES  # the Eksport screen and `report` read suffixes the same way

    if fmt is not None:
        value = fmt.value
    elif out is not None and SUFFIXES.get(out.suffix.lower()) in RetrieveFormat.__members__:
        value = SUFFIXES[out.suffix.lower()]
    else:
        value = "md"
    if value == "docx" and out is None:
        raise TrivselError("DOCX skrives til en fil", "angiv --out FIL.docx")
    return value


def retrieve(
    ctx: typer.Context,
    code: str = typer.Option(..., "--code", "-c", help="Koden, hvis udsnit hentes (nøglen, fx T3)."),
    and_: list[str] | None = typer.Option(
        None, "--and", help="Kun udsagn, der også har denne kode (kan gentages eller kommasepareres)."
    ),
    not_: list[str] | None = typer.Option(
        None, "--not", help="Kun udsagn, der ikke har denne kode (kan gentages eller kommasepareres)."
    ),
    coder: str | None = typer.Option(None, "--coder", help="Kun denne koders kodninger (standard: alle kodere)."),
    by: list[str] | None = typer.Option(
        None, "--by", help="Gruppér efter en egenskab, fx site (site, kind, context, gender, age_band, round …)."
    ),
    order: Order = typer.Option(Order.source, "--sort", help="source (kilde og udsagn) eller length (længste først)."),
    context_chars: int = typer.Option(
        300, "--context", help="Så mange tegn sammenhæng før og efter det kodede (0: ingen)."
    ),
    fmt: RetrieveFormat | None = typer.Option(None, "--format", help="md, docx, csv eller json."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Skriv hertil (standard: standard-output)."),
    title: str | None = typer.Option(None, "--title", help="Dokumentets titel (md og docx)."),
    age_bands: str | None = typer.Option(
        None, "--age-bands", help="Aldersgruppernes nedre grænser (standard 18,30,45,60,75)."
    ),
    pseudonymize: bool = typer.Option(
        False, "--pseudonymize", help="Erstat navne, CPR-numre, telefonnumre og e-mails."
    ),
    key: Path | None = typer.Option(
        None,
        "--key",
        help="Skriv nøglen fra pseudonymer til navne og kilder i denne fil (kun med --pseudonymize; .csv eller .json).",
    ),
) -> None:
    """Hent hvert udsagn eller udsnit kodet med en kode – eller en kombination – på tværs af kilderne."""
    from trivselkode.analysis.retrieval import RetrievalQuery
    from trivselkode.cli.report import key_target, write_key_file
    from trivselkode.export.retrieval_docs import build_document, render

    value = _format(fmt, out)
    if out is not None:
        if out.is_dir():
            raise TrivselError(f"{out} er en mappe", f"angiv et filnavn, fx --out udsnit.{value}")
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
    data = render(doc, value)
    if out is None:
        assert isinstance(data, str)
        emit_data(data)
    else:
        write_atomically(out, data)
        note(f"{len(doc.segments)} udsnit skrevet til {out}.")
    write_key_file(pseudo, key, out)
    if not doc.segments:
        note(f"Ingen udsnit kodet {doc.query.describe()}" + (f" af {coder}" if coder else "") + ".")
