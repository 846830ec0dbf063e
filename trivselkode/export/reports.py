"""Reports built from a request: the one path of ``trivselkode report …`` and the Eksport screen.

:func:`build_report` turns a :class:`ReportRequest` (the options of the
matching command-line command) into a :class:`Report`: the rendered
document, one line for the screen, the command line's lines on standard
error, the warnings, and for JSON the data itself. The command line writes
it to ``--out`` or standard output; :func:`trivselkode.export.jobs.run_report`
writes it atomically to a file, with progress and cancelling::

    request = ReportRequest("frequencies", Path("temafrekvenser.csv"), fmt="csv", by=["site"])
    report = build_report(project, request)
    report.data       # the CSV text
    report.summary    # "12 rækker; grundlag: foreningsmængden af anne, bo."
    report.notes      # ["Grundlag: foreningsmængden af anne, bo."]

No Textual and no typer here: the core never imports the user interfaces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trivselkode.analysis.attributes import AgeBands
from trivselkode.errors import TrivselError
from trivselkode.export.charts import MEASURES
from trivselkode.export.pseudonymize import Pseudonymizer
from trivselkode.i18n import _, ngettext


@dataclass
class ReportRequest:
    """What to export and how: the options of the matching command-line command.

    ``selection`` is ``auto`` (the command's default), ``consensus``,
    ``union`` or ``coder:NAME``; for codings ``auto`` means every coder.
    ``coders`` names the consensus's two coders (``--coders A,B``).
    ``key`` is ``--key FILE``: the key from placeholders to names, written
    only when asked and never over the export itself. ``fmt`` is the format
    to write; :func:`build_report` needs it decided (``run_report`` takes it
    from the file's suffix, the command line from ``--format``). ``out`` is
    ``None`` when the command line writes to standard output.
    """

    kind: str
    out: Path | None
    fmt: str | None = None
    selection: str = "auto"
    coders: str | None = None
    by: list[str] = field(default_factory=list)
    codes: str | list[str] | None = None
    rows: str = "themes"
    cols: str = "needs"
    n: int = 5
    lang: str = "da"
    pseudonymize: bool = False
    key: Path | None = None  # where to write the key to the pseudonyms (only with pseudonymize)
    rollup: bool = False
    age_bands: str | None = None
    measure: str = "share"
    title: str | None = None
    min_words: int = 8
    max_words: int = 60
    pins: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    retired: bool = False
    choices: bool = True  # quotes: follow the researcher's stored choices (picked first, dropped never)
    candidates: bool = False  # quotes: list every candidate (table, csv, md, json) instead of the document
    author: str | None = None  # the DOCX's author (else the coder: TRIVSELKODE_CODER, else the basis's coders)
    top: int = 20  # words: the most frequent lemmas shown (0: all)
    kwic: str | None = None  # words: keyword-in-context lines of this word instead of the list
    dpi: int | None = None  # chart: resolution of a PNG (None: 150)
    size: str | None = None  # chart: WIDTHxHEIGHT in centimetres (e.g. 8.5x6 for a journal column)
    min_n: int | None = None  # chart: leave out groups with fewer participants (None: an unknown value's under 5)

    def selection_options(self) -> dict[str, Any]:
        """``coder``/``union``/``consensus`` (and ``coders``) as the core functions take them."""
        pair = {"coders": self.coders} if self.coders is not None else {}
        sel = self.selection or "auto"
        if sel == "auto":
            return pair
        if sel == "consensus":
            return {"consensus": True, **pair}
        if sel == "union":
            return {"union": True, **pair}
        if sel.startswith("coder:"):  # an empty name is the core's unknown-coder error, as before
            return {"coder": sel[6:], **pair}
        raise TrivselError(
            _("ukendt grundlag '{basis}'").format(basis=sel),
            _("vælg standard, konsensus, foreningsmængden eller én koder"),
        )


def selection_of(coder: str | None = None, union: bool = False, consensus: bool = False) -> str:
    """A request's ``selection`` from the command line's ``--coder``, ``--union`` and ``--consensus``."""
    if sum((coder is not None, union, consensus)) > 1:
        raise TrivselError(_("vælg højst én af --coder, --union og --consensus"))
    if coder is not None:
        return f"coder:{coder}"
    return "union" if union else "consensus" if consensus else "auto"


@dataclass
class Report:
    """One report, built: the document and what to say about it."""

    data: str | bytes  # the document: text, or bytes for xlsx, docx, png and svg
    summary: str  # one line for the Eksport screen (the interface's language): what was made, from whose codings
    notes: list[str]  # the command line's lines on standard error after the document
    warnings: list[str] = field(default_factory=list)
    records: Any = None  # with JSON: the data the document holds
    pseudonymizer: Pseudonymizer | None = None  # the placeholders used, when asked to pseudonymize


#: ``builder(project, request) -> Report``, one for each kind of export but REFI-QDA.
Builder = Callable[[Any, ReportRequest], Report]


def build_report(project: Any, request: ReportRequest) -> Report:
    """Build the report ``request`` asks for, in ``request.fmt``; raise :class:`TrivselError` on a mendable problem."""
    if request.fmt is None:
        raise ValueError("build_report needs the request's format")
    return BUILDERS[request.kind](project, request)


def default_chart_codes(project: Any) -> str:
    """The themes, when the codebook has any; else every live code (as ``report chart``)."""
    from sqlmodel import col, select

    from trivselkode.storage.models import Code

    with project.read() as session:
        kinds = set(session.exec(select(Code.kind).where(Code.retired == False)))  # noqa: E712
        keys = list(
            session.exec(select(Code.key).where(Code.retired == False).order_by(col(Code.position), col(Code.id)))  # noqa: E712
        )
    if "tema" in kinds:
        return "tema"
    if not keys:
        raise TrivselError(
            _("kodebogen er tom"), _("indlæs en kodebog (Kodebog eller `trivselkode codebook load FIL`)")
        )
    return ",".join(keys)


# ---------------------------------------------------------------- the builders


def _basis(selection: Any) -> str:
    """``grundlag: ….``, and why the default is not the consensus when settled work is left unused."""
    return _("grundlag: {basis}.").format(basis=selection.describe()) + (
        f" ({selection.why}.)" if selection.why else ""
    )


def _first(selection: Any) -> str:
    """``Grundlag: ….``: the command line's first closing line."""
    return _("Grundlag: {basis}.").format(basis=selection.describe())


def _rows(n: int) -> str:
    return ngettext("{n} række", "{n} rækker", n).format(n=n)


def _code_count(n: int) -> str:
    return ngettext("{n} kode", "{n} koder", n).format(n=n)


def _notes(first: str, selection: Any) -> list[str]:
    """The command line's closing lines: ``first``, then why the default is not the consensus."""
    return [first, *([selection.why] if selection.why else [])]


def _codes(spec: str | list[str] | None) -> list[str] | None:
    if isinstance(spec, str):
        return [spec] if spec.strip() else None
    return list(spec) if spec else None


def _tabular(req: ReportRequest, records: Callable[[], Any], table: Callable[[], Any]) -> tuple[str | bytes, Any]:
    """The document in ``req.fmt``: the records as JSON, else the table rendered; and the records (JSON only)."""
    from trivselkode.export import tables

    if req.fmt == "json":
        data = records()
        return tables.to_json(data), data
    return tables.render(table(), str(req.fmt)), None


def _frequencies(project: Any, req: ReportRequest) -> Report:
    from trivselkode.analysis.frequencies import compute_frequencies
    from trivselkode.export import tables

    result = compute_frequencies(
        project,
        by=req.by or None,
        codes=_codes(req.codes),
        rollup=req.rollup,
        age_bands=AgeBands.parse(req.age_bands),
        **req.selection_options(),
    )
    pseudo = Pseudonymizer.if_asked(project, req.pseudonymize, req.lang)
    names, warnings = english_names(project, req.lang if req.fmt != "json" else "da", [r["code"] for r in result.rows])
    data, records = _tabular(
        req,
        lambda: tables.frequency_records(result, pseudo),
        lambda: tables.frequency_table(result, req.lang, pseudo, names),
    )
    summary = f"{_rows(len(result.rows))}; {_basis(result.selection)}"
    notes = _notes(_first(result.selection), result.selection)
    return Report(data, summary, notes, warnings, records=records, pseudonymizer=pseudo)


def _cooccurrence(project: Any, req: ReportRequest) -> Report:
    from trivselkode.analysis.cooccurrence import compute_cooccurrence
    from trivselkode.export import tables

    result = compute_cooccurrence(
        project, rows=req.rows or "themes", cols=req.cols or "needs", rollup=req.rollup, **req.selection_options()
    )
    keys = [c.key for c in (*result.rows, *result.cols)]
    names, warnings = english_names(project, req.lang if req.fmt != "json" else "da", keys)
    data, records = _tabular(req, result.records, lambda: tables.cooccurrence_table(result, req.lang, names))
    summary = f"{len(result.rows)} × {_code_count(len(result.cols))}; {_basis(result.selection)}"
    notes = _notes(_first(result.selection), result.selection)
    return Report(data, summary, notes, warnings, records=records)


def _matrix(project: Any, req: ReportRequest) -> Report:
    from trivselkode.analysis.cooccurrence import compute_matrix
    from trivselkode.export import tables

    result = compute_matrix(
        project,
        codes=_codes(req.codes),
        rollup=req.rollup,
        age_bands=AgeBands.parse(req.age_bands),
        **req.selection_options(),
    )
    pseudo = Pseudonymizer.if_asked(project, req.pseudonymize, "da")
    data, records = _tabular(
        req, lambda: tables.matrix_records(result, pseudo), lambda: tables.matrix_table(result, "da", pseudo)
    )
    people = ngettext("{n} deltager", "{n} deltagere", len(result.rows)).format(n=len(result.rows))
    summary = f"{people} × {_code_count(len(result.codes))}; {_basis(result.selection)}"
    notes = _notes(
        _("Grundlag: {basis}; {participants}.").format(basis=result.selection.describe(), participants=people),
        result.selection,
    )
    return Report(data, summary, notes, records=records, pseudonymizer=pseudo)


def _quotes(project: Any, req: ReportRequest) -> Report:
    """The quotes (the researcher's picks first, the dropped never, the rest chosen automatically);
    with ``req.candidates`` every candidate instead, with what the choice makes of it."""
    from trivselkode.analysis.quotes import collect_quotes
    from trivselkode.export.documents import render

    if req.candidates and req.fmt not in CANDIDATE_FORMATS:
        raise TrivselError(
            _("kandidaterne kan ikke skrives som {format}").format(format=req.fmt),
            _("vælg {formats} med --candidates").format(formats=", ".join(CANDIDATE_FORMATS)),
        )
    pseudo = Pseudonymizer.if_asked(project, req.pseudonymize, req.lang)
    collection = collect_quotes(
        project,
        codes=_codes(req.codes),
        n=req.n,
        pins=req.pins,
        excludes=req.excludes,
        min_words=req.min_words,
        max_words=req.max_words,
        lang=req.lang,
        pseudonymizer=pseudo,
        age_bands=AgeBands.parse(req.age_bands),
        choices=req.choices,
        listing=req.candidates,
        **req.selection_options(),
    )
    warnings = list(collection.warnings)
    warnings += translate_quote_codes(project, collection)
    selection = collection.selection
    empty = [c.code.key for c in collection.codes if not c.quotes]
    counted = _("{quotes} til {codes}").format(
        quotes=ngettext("{n} citat", "{n} citater", len(collection.quotes)).format(n=len(collection.quotes)),
        codes=_code_count(len(collection.codes)),
    )
    picked = sum(q.picked for q in collection.quotes)
    counted += _(" ({picked} valgt af forskeren)").format(picked=picked) if picked else ""
    without = _(" Uden citater: {codes}.").format(codes=", ".join(empty)) if empty else ""
    summary = f"{counted}; {_basis(selection)}{without}"
    notes = _notes(
        _("{counted} fra {basis}.{without}").format(counted=counted, basis=selection.describe(), without=without),
        selection,
    )
    records = None
    data: str | bytes
    if req.candidates:
        from trivselkode.export.quote_listing import render_candidates

        data, records = render_candidates(collection, str(req.fmt), req.n)
        listed = sum(len(c.listed) for c in collection.codes)
        summary = ngettext("{n} kandidat", "{n} kandidater", listed).format(n=listed) + f"; {summary}"
    else:
        data = render(collection, str(req.fmt), req.title or None, req.n, document_meta(project, req, selection))
    return Report(data, summary, notes, warnings, records=records, pseudonymizer=pseudo)


#: The formats of ``report quotes --candidates``.
CANDIDATE_FORMATS = ("table", "json", "csv", "tsv", "md")


def translate_quote_codes(project: Any, collection: Any) -> list[str]:
    """An English collection's code names and definitions from the bilingual codebook (in place); the warning
    naming the codes that have no English (their Danish is shown), if any."""
    if collection.lang != "en":
        return []
    from dataclasses import replace

    from trivselkode.domain.codebook_lang import code_definition, code_name, missing_translation_warning
    from trivselkode.storage.codebook import code_texts

    texts = code_texts(project)
    shown = []
    for group in collection.codes:
        spec = texts.get(group.code.key)
        if spec is None:
            continue
        shown.append(spec)
        group.code = replace(group.code, name=code_name(spec, "en"), description=code_definition(spec, "en"))
    warning = missing_translation_warning(shown, "en", ("name", "definition"))
    return [warning] if warning else []


def english_names(project: Any, lang: str, keys: list[str]) -> tuple[dict[str, str] | None, list[str]]:
    """For an English table: each code's English name by key, and the warning naming the codes without one."""
    if lang != "en":
        return None, []
    from trivselkode.domain.codebook_lang import localized_names, missing_translation_warning
    from trivselkode.storage.codebook import code_texts

    texts = code_texts(project)
    shown = [texts[k] for k in dict.fromkeys(keys) if k in texts]
    warning = missing_translation_warning(shown, "en")
    return localized_names(shown, "en"), [warning] if warning else []


def _chart(project: Any, req: ReportRequest) -> Report:
    from trivselkode.analysis.frequencies import compute_frequencies
    from trivselkode.export.charts import frequency_chart

    if req.measure not in MEASURES:
        raise TrivselError(
            _("ukendt mål '{measure}'").format(measure=req.measure), _("vælg andel, udsagn, deltagere eller kodninger")
        )
    codes = _codes(req.codes) or [default_chart_codes(project)]
    result = compute_frequencies(
        project,
        by=req.by or None,
        codes=codes,
        rollup=req.rollup,
        age_bands=AgeBands.parse(req.age_bands),
        **req.selection_options(),
    )
    pseudo = Pseudonymizer.if_asked(project, req.pseudonymize, req.lang)
    from trivselkode.export.code_names import localized_names

    names, warning = localized_names(project, [c.key for c in result.codes], req.lang)
    data = frequency_chart(
        result,
        str(req.fmt),
        req.lang,
        req.measure,
        req.title or None,
        pseudo,
        dpi=req.dpi,
        size=req.size,
        min_n=req.min_n,
        names=names,
    )
    summary = f"{_code_count(len(result.codes))}; {_basis(result.selection)}"
    notes = _notes(_first(result.selection), result.selection)
    return Report(data, summary, notes, [warning] if warning else [], pseudonymizer=pseudo)


def _codings(project: Any, req: ReportRequest) -> Report:
    from trivselkode.export.codings import codings_document

    options = req.selection_options()
    if set(options) - {"coder"}:
        raise TrivselError(
            _("kodninger eksporteres for alle kodere eller for én koder"), _("vælg alle kodere eller én koder")
        )
    text, count = codings_document(project, options.get("coder"), str(req.fmt), req.pseudonymize)
    if options:
        summary = ngettext("{n} kodning af koder {coder}.", "{n} kodninger af koder {coder}.", count)
    else:
        summary = ngettext("{n} kodning af alle kodere.", "{n} kodninger af alle kodere.", count)
    summary = summary.format(n=count, coder=options.get("coder", ""))
    return Report(text, summary, [summary])


def _codebook(project: Any, req: ReportRequest) -> Report:
    if req.fmt == "qdc":
        from trivselkode.export.refi import build_codebook_xml

        xml, count = build_codebook_xml(project)
        summary = ngettext("{n} kode (REFI-QDA-kodebog).", "{n} koder (REFI-QDA-kodebog).", count).format(n=count)
        return Report(xml, summary, [summary])
    from trivselkode.storage.codebook import codebook_of_project

    book = codebook_of_project(project, include_retired=req.retired)
    if req.fmt in APPENDIX_FORMATS:
        from trivselkode.export.codebook_doc import codebook_appendix

        appendix = codebook_appendix(book, str(req.fmt), req.lang, document_meta(project, req), req.title or None)
        summary = _codebook_summary(len(book.codes), req.retired)
        return Report(appendix.data, summary, [summary], list(appendix.warnings))
    from trivselkode.domain.codebook import dump_codebook

    summary = _codebook_summary(len(book.codes), req.retired)
    return Report(dump_codebook(book), summary, [summary])


def _codebook_summary(n: int, retired: bool) -> str:
    if retired:
        return ngettext("{n} kode (udgåede med).", "{n} koder (udgåede med).", n).format(n=n)
    return ngettext("{n} kode.", "{n} koder.", n).format(n=n)


#: The formats the codebook is written in as an appendix to a paper (beside YAML and REFI-QDA's .qdc).
APPENDIX_FORMATS = ("docx", "html", "md")


def document_meta(project: Any, req: ReportRequest, selection: Any = None) -> Any:
    """The properties of a document made for ``req``: its language, the project as its subject, and as its
    author ``req.author``, else the coder at the keyboard (``TRIVSELKODE_CODER``), else the basis's coders."""
    import os

    from trivselkode.config import ENV_CODER
    from trivselkode.export.docx_layout import DocumentMeta

    author = (req.author or os.environ.get(ENV_CODER) or "").strip()
    if not author and selection is not None:
        author = ", ".join(name for name in getattr(selection, "coder_names", ()) if name)
    name = project.display_name if getattr(project, "is_sqlite", False) else ""
    subject = Path(name).stem if name and name != ":memory:" else ""
    return DocumentMeta(title=req.title or "", lang=req.lang, author=author, subject=subject)


#: The builder of each kind (REFI-QDA is written straight to its file by ``run_report``).
BUILDERS: dict[str, Builder] = {
    "frequencies": _frequencies,
    "cooccurrence": _cooccurrence,
    "matrix": _matrix,
    "quotes": _quotes,
    "chart": _chart,
    "codings": _codings,
    "codebook": _codebook,
}


def _more() -> None:
    """``report crosstab`` and ``report words`` (their builders live in their own module)."""
    from trivselkode.export.report_more import crosstab_report, words_report

    BUILDERS.update(crosstab=crosstab_report, words=words_report)


_more()

__all__ = [
    "APPENDIX_FORMATS",
    "BUILDERS",
    "CANDIDATE_FORMATS",
    "Builder",
    "Report",
    "ReportRequest",
    "build_report",
    "default_chart_codes",
    "document_meta",
    "selection_of",
]
