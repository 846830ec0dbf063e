"""The builders of ``report crosstab`` and ``report words`` (registered in :data:`trivselkode.export.reports.BUILDERS`)."""

from __future__ import annotations

from typing import Any

from trivselkode.analysis.attributes import AgeBands
from trivselkode.errors import TrivselError
from trivselkode.i18n import _, language


def _codes(spec: Any) -> list[str] | None:
    if isinstance(spec, str):
        return [spec] if spec.strip() else None
    return list(spec) if spec else None


def _notes(selection: Any) -> list[str]:
    """The command line's closing lines, in the interface's language."""
    why = selection.explain(language())
    return [_("Grundlag: {basis}.").format(basis=selection.describe(language())), *([why] if why else [])]


def crosstab_report(project: Any, req: Any) -> Any:
    """Codes × one attribute (``req.by``), in ``req.fmt``."""
    from trivselkode.analysis.crosstab import compute_crosstab
    from trivselkode.export.code_names import localized_names
    from trivselkode.export.crosstab import FORMATS, render_crosstab
    from trivselkode.export.pseudonymize import Pseudonymizer
    from trivselkode.export.reports import Report

    if req.fmt not in FORMATS:
        raise TrivselError(
            _("krydstabellen kan ikke skrives som {fmt}").format(fmt=req.fmt),
            _("vælg {formats}").format(formats=", ".join(FORMATS)),
        )
    if not req.by:
        raise TrivselError(_("angiv egenskaben, der fordeles på"), _("fx --by site"))
    result = compute_crosstab(
        project,
        by=req.by,
        codes=_codes(req.codes),
        rollup=req.rollup,
        age_bands=AgeBands.parse(req.age_bands),
        **req.selection_options(),
    )
    names, warning = localized_names(project, [c.key for c in result.codes], req.lang)
    pseudo = Pseudonymizer.if_asked(project, req.pseudonymize, req.lang)
    meta = None
    if req.fmt == "docx":
        from trivselkode.export.reports import document_meta

        meta = document_meta(project, req, result.selection)
    data = render_crosstab(result, str(req.fmt), req.lang, names, pseudo, meta)
    summary = _("{codes} koder × {groups} grupper; grundlag: {basis}.").format(
        codes=len(result.codes), groups=len(result.groups), basis=result.selection.describe(language())
    )
    records = result.records() if req.fmt == "json" else None
    return Report(
        data, summary, _notes(result.selection), [warning] if warning else [], records=records, pseudonymizer=pseudo
    )


def words_report(project: Any, req: Any) -> Any:
    """The most frequent lemmas of the coded passages, or ``req.kwic``'s lines in context."""
    from trivselkode.analysis.words import kwic, word_frequencies
    from trivselkode.export import tables
    from trivselkode.export.code_names import localized_names
    from trivselkode.export.reports import Report
    from trivselkode.export.words import (
        FORMATS,
        kwic_records,
        kwic_table,
        render_table,
        words_records,
        words_table,
    )

    if req.fmt not in FORMATS:
        raise TrivselError(
            _("ordlisten kan ikke skrives som {fmt}").format(fmt=req.fmt),
            _("vælg {formats}").format(formats=", ".join(FORMATS)),
        )
    if req.top < 0:
        raise TrivselError(_("--top skal være 0 eller mere"), _("fx --top 20 (0: alle ord)"))
    options: dict[str, Any] = dict(
        code=_codes(req.codes),
        by=req.by or None,
        rollup=req.rollup,
        age_bands=AgeBands.parse(req.age_bands),
        **req.selection_options(),
    )
    records: Any
    if req.kwic:
        result: Any = kwic(project, req.kwic, **options)
        names, warning = localized_names(project, [c.key for c in result.codes], req.lang)
        records = kwic_records(result)
        table = kwic_table(result, req.lang, names)
        summary = _("{n} linjer med «{word}»; grundlag: {basis}.").format(
            n=len(result.lines), word=result.word, basis=result.selection.describe(language())
        )
    else:
        result = word_frequencies(project, top=req.top, **options)
        names, warning = localized_names(project, [c.key for c in result.codes], req.lang)
        records = words_records(result, names, req.lang)
        table = words_table(result, req.lang, names)
        summary = _("{n} ord fra {passages} udsagn; grundlag: {basis}.").format(
            n=len(result.words), passages=result.passages, basis=result.selection.describe(language())
        )
    data = tables.to_json(records) if req.fmt == "json" else render_table(table, str(req.fmt))
    return Report(
        data,
        summary,
        _notes(result.selection),
        [warning] if warning else [],
        records=records if req.fmt == "json" else None,
    )
