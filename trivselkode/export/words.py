"""The word list and keyword-in-context lines as tables (text, CSV, TSV, XLSX) and JSON.

Tables go through :mod:`trivselkode.export.tables`; the JSON shapes are
documented in the README (``report words``).
"""

from __future__ import annotations

from typing import Any

from trivselkode.analysis.attributes import attribute_label, value_label
from trivselkode.analysis.words import KwicResult, WordsResult
from trivselkode.export import tables
from trivselkode.i18n import gettext_for

FORMATS = ("table", "csv", "tsv", "xlsx", "json")


def _scope(codes: list[Any], lang: str, names: dict[str, str]) -> str:
    _ = gettext_for(lang)
    if not codes:
        return _("alle kodede udsagn")
    if len(codes) > 1:
        return _("udsagn kodet {codes}").format(codes=", ".join(c.key for c in codes))
    first = codes[0]
    return _("udsagn kodet {code} {name}").format(code=first.key, name=names.get(first.key, first.name))


def _basis_notes(selection: Any, lang: str) -> list[str]:
    _ = gettext_for(lang)
    notes = [_("Grundlag: {basis}.").format(basis=selection.describe(lang))]
    why = selection.explain(lang)
    if why:
        notes.append(why[:1].upper() + why[1:] + ".")
    return notes


def words_table(result: WordsResult, lang: str = "da", names: dict[str, str] | None = None) -> tables.Table:
    _ = gettext_for(lang)
    names = names or {}
    columns: list[tables.Column] = []
    if result.by:
        columns.append(tables.Column(result.by, attribute_label(result.by, lang)))
    columns += [
        tables.Column("rank", _("Nr."), "int"),
        tables.Column("lemma", _("Ord (lemma)")),
        tables.Column("count", _("Antal"), "int"),
        tables.Column("passages", _("Udsagn"), "int"),
        tables.Column("forms", _("Former")),
    ]
    rows: list[list[Any]] = []
    if result.by:
        for group in result.groups:
            label = value_label(result.by, group.value, lang) + f" (n={group.passages})"
            rows += [[label, i, w.lemma, w.count, w.passages, ", ".join(w.forms)] for i, w in enumerate(group.words, 1)]
    else:
        rows = [[i, w.lemma, w.count, w.passages, ", ".join(w.forms)] for i, w in enumerate(result.words, 1)]
    title = _("Hyppigste ord i {scope}").format(scope=_scope(result.codes, lang, names))
    notes = [
        _("{passages} udsagn, {words} ord talt (stopord og transskriptionsnoter som (griner) udeladt).").format(
            passages=result.passages, words=result.tokens
        ),
        _("Ordene er lemmaer (grundformer); interviewerens ture tæller ikke."),
        *_basis_notes(result.selection, lang),
    ]
    if result.by:
        notes.append(_("n: gruppens kodede udsagn."))
    return tables.Table(title, columns, rows, lang, notes, sheet=_("Ordliste"))


def words_records(result: WordsResult, names: dict[str, str] | None = None, lang: str = "da") -> dict[str, Any]:
    names = names or {}
    doc: dict[str, Any] = {
        "code": result.codes[0].key if len(result.codes) == 1 else None,
        "codes": [c.key for c in result.codes],
        "by": result.by,
        "basis": result.selection.mode,
        "top": result.top,
        "passages": result.passages,
        "tokens": result.tokens,
        "words": [w.record() for w in result.words],
    }
    if result.by:
        doc["groups"] = [
            {
                "value": g.value,
                "label": value_label(result.by, g.value, lang),
                "passages": g.passages,
                "words": [w.record() for w in g.words],
            }
            for g in result.groups
        ]
    return doc


def kwic_table(result: KwicResult, lang: str = "da", names: dict[str, str] | None = None) -> tables.Table:
    _ = gettext_for(lang)
    columns = [
        # Right-aligned ("int" aligns right in text) so that the keyword lines up under itself.
        tables.Column("left", _("Før"), "int"),
        tables.Column("word", _("Ord")),
        tables.Column("right", _("Efter")),
        tables.Column("source", _("Kilde")),
        tables.Column("passage", _("Udsagn"), "int"),
    ]
    if result.by:
        columns.append(tables.Column(result.by, attribute_label(result.by, lang)))
    rows = []
    for line in result.lines:
        row: list[Any] = [line.left, line.word, line.right, line.source, line.passage]
        if result.by:
            row.append(value_label(result.by, line.group, lang))
        rows.append(row)
    title = _("«{word}» i {scope}").format(word=result.word, scope=_scope(result.codes, lang, names or {}))
    notes = [
        _("{n} forekomster af lemmaet «{lemma}».").format(n=len(result.lines), lemma=result.lemma),
        *_basis_notes(result.selection, lang),
    ]
    return tables.Table(title, columns, rows, lang, notes, sheet="KWIC")


def kwic_records(result: KwicResult) -> dict[str, Any]:
    lines = []
    for line in result.lines:
        record: dict[str, Any] = {
            "left": line.left,
            "word": line.word,
            "right": line.right,
            "source": line.source,
            "passage": line.passage,
        }
        if result.by:
            record[result.by] = line.group
        lines.append(record)
    return {
        "kwic": result.word,
        "lemma": result.lemma,
        "code": result.codes[0].key if len(result.codes) == 1 else None,
        "codes": [c.key for c in result.codes],
        "basis": result.selection.mode,
        "lines": lines,
    }


def render_table(table: tables.Table, fmt: str) -> str | bytes:
    """``table`` in table, csv, tsv or xlsx."""
    if fmt == "tsv":
        from trivselkode.export.crosstab import table_tsv

        return table_tsv(table)
    return tables.render(table, fmt)
