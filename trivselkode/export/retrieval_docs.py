"""A retrieval written out: Markdown, DOCX, CSV and JSON (``trivselkode retrieve``).

Every row carries its source and passage number, speaker, attributes and
attribution, the coders, memos and stars, the coded text (the span when the
coding is a span, else the passage) and its context: the rest of the
passage around a span, or the turns before and after a whole passage.
Markdown and DOCX are laid out for reading a theme's material: a title, a
line on what was retrieved, a heading per group (``--by``) and per row, the
coded text as a block quote. CSV and JSON carry the text as stored (in CSV,
text a spreadsheet would run as a formula gets a leading ``'``, see
:mod:`trivselkode.domain.cells`). The JSON shape is documented in the README
("trivselkode retrieve --format json").

With a :class:`~trivselkode.export.pseudonymize.Pseudonymizer`
(``--pseudonymize``) sources, speakers, texts, context, memos and attribute
values are pseudonymised, spans moved with the text they mark.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from trivselkode.analysis.attributes import (
    STANDARD_ATTRIBUTES,
    AgeBands,
    attribute_label,
    attribution,
    parse_by,
    value_label,
)
from trivselkode.analysis.retrieval import (
    DEFAULT_CONTEXT,
    Neighbour,
    RetrievalQuery,
    Segment,
    context,
    load_retrieval,
    select_segments,
)
from trivselkode.analysis.retrieval_filter import ORDER_LABELS, ORDERS, attribute_value, group_segments, sort_segments
from trivselkode.domain.cells import csv_text
from trivselkode.errors import TrivselError
from trivselkode.export.pseudonymize import Pseudonymizer, shift
from trivselkode.i18n import _, language, ngettext

FORMATS = ("md", "docx", "csv", "json")
ATTRIBUTES = ("site", "kind", "context", "round", "gender", "age", "age_band")
CSV_COLUMNS = (
    "source",
    "passage",
    "speaker",
    *ATTRIBUTES,
    "code",
    "coders",
    "start",
    "end",
    "text",
    "before",
    "after",
    "memos",
    "starred_by",
    "codes",
)


@dataclass
class RetrievalDocument:
    """What is written: the query, its rows in order, and how they were chosen."""

    query: RetrievalQuery
    segments: list[Segment]
    code_name: str = ""
    coder: str | None = None
    by: list[str] = field(default_factory=list)
    order: str = "source"
    context_chars: int = DEFAULT_CONTEXT
    age_bands: AgeBands = field(default_factory=AgeBands)
    title: str | None = None

    def groups(self) -> list[tuple[tuple[Any, ...], list[Segment]]]:
        return group_segments(self.segments, self.by, self.age_bands)


def build_document(
    project: Any,
    query: RetrievalQuery,
    *,
    coder: str | None = None,
    by: str | Sequence[str] | None = None,
    order: str = "source",
    context_chars: int = DEFAULT_CONTEXT,
    age_bands: str | None = None,
    pseudonymize: bool = False,
    title: str | None = None,
) -> tuple[RetrievalDocument, Pseudonymizer | None]:
    """The retrieval ``trivselkode retrieve`` writes, and the pseudonymizer used (``None`` unless asked).

    Refuses (one line each) an unknown code, coder, ``--by`` attribute or order, and a negative context.
    """
    if order not in ORDERS:
        raise TrivselError(
            _("ukendt rækkefølge '{order}'").format(order=order), _("brug source (kilde) eller length (længde)")
        )
    if context_chars < 0:
        raise TrivselError(_("--context kan ikke være negativ"), _("angiv et antal tegn, fx --context 300 (0: ingen)"))
    bands = AgeBands.parse(age_bands)
    data = load_retrieval(project, query, bands)
    known = list(STANDARD_ATTRIBUTES) + sorted(
        {k for p in data.passages.values() for k in p.attrs} - set(STANDARD_ATTRIBUTES)
    )
    names = parse_by(by, known)
    if coder is not None and coder not in data.coders:
        listing = ", ".join(data.coders) or _("ingen har kodet endnu")
        raise TrivselError(
            _("koderen '{coder}' findes ikke i projektet").format(coder=coder),
            _("koderne er: {coders}").format(coders=listing),
        )
    segments = sort_segments(select_segments(data, None if coder is None else [coder]), order)
    pseudo = Pseudonymizer.if_asked(project, pseudonymize)
    if pseudo is not None:
        segments = pseudonymize_segments(segments, pseudo)
    main = data.codes_by_id[data.code_id]
    doc = RetrievalDocument(
        query=data.query,
        segments=segments,
        code_name=main.name,
        coder=coder,
        by=names,
        order=order,
        context_chars=context_chars,
        age_bands=bands,
        title=title,
    )
    return doc, pseudo


# ---------------------------------------------------------------- pseudonymisation


def pseudonymize_segments(segments: Sequence[Segment], pseudo: Pseudonymizer) -> list[Segment]:
    """The rows with sources, speakers, texts, memos and attribute values pseudonymised."""
    return [_pseudonymized(s, pseudo) for s in segments]


def _pseudonymized(s: Segment, pseudo: Pseudonymizer) -> Segment:
    text, moves = pseudo.replace(s.passage_text)
    start = None if s.start is None else shift(moves, s.start)
    end = None if s.end is None else shift(moves, s.end, end=True)

    def turn(n: Neighbour | None) -> Neighbour | None:
        return None if n is None else Neighbour(pseudo.label(n.label), pseudo.text(n.text))

    return replace(
        s,
        source=pseudo.source(s.source),
        speaker=pseudo.label(s.speaker),
        attrs={k: pseudo.text(v) if isinstance(v, str) else v for k, v in s.attrs.items()},
        passage_text=text,
        start=start,
        end=end,
        memos=tuple((c, pseudo.text(t)) for c, t in s.memos),
        before=turn(s.before),
        after=turn(s.after),
    )


# ---------------------------------------------------------------- rows


def record(s: Segment, chars: int = DEFAULT_CONTEXT) -> dict[str, Any]:
    """One row as JSON has it."""
    before, after = context(s, chars)
    return {
        "source": s.source,
        "passage": s.number,
        "speaker": s.speaker,
        "role": s.role,
        "attributes": {name: s.attrs.get(name) for name in ATTRIBUTES}
        | {k: v for k, v in s.attrs.items() if k not in ATTRIBUTES},
        "attribution": attribution(s.attrs, language()),
        "code": s.code,
        "coders": list(s.coders),
        "start": s.start,
        "end": s.end,
        "text": s.text,
        "before": before,
        "after": after,
        "memos": [{"coder": c, "text": t} for c, t in s.memos],
        "starred_by": list(s.starred_by),
        "codes": list(s.codes),
    }


def to_json(doc: RetrievalDocument) -> str:
    rows = []
    for s in doc.segments:
        row = record(s, doc.context_chars)
        if doc.by:
            row["group"] = {name: attribute_value(s, name) for name in doc.by}
        rows.append(row)
    document: dict[str, Any] = {
        "query": {
            "code": doc.query.code,
            "name": doc.code_name,
            "and": list(doc.query.all_of),
            "not": list(doc.query.none_of),
            "coder": doc.coder,
            "by": list(doc.by),
            "order": doc.order,
            "context": doc.context_chars,
        },
        "count": len(rows),
    }
    if doc.by:
        document["groups"] = [
            {"values": dict(zip(doc.by, values)), "count": len(rows_)} for values, rows_ in doc.groups()
        ]
    document["segments"] = rows
    return json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"


def to_csv(doc: RetrievalDocument) -> str:
    def row(s: Segment) -> list[Any]:
        r = record(s, doc.context_chars)
        return [
            r["source"],
            r["passage"],
            r["speaker"],
            *(r["attributes"].get(name) for name in ATTRIBUTES),
            r["code"],
            ", ".join(r["coders"]),
            r["start"],
            r["end"],
            r["text"],
            r["before"],
            r["after"],
            " | ".join(f"{m['coder']}: {m['text']}" for m in r["memos"]),
            ", ".join(r["starred_by"]),
            ", ".join(r["codes"]),
        ]

    return csv_text(list(CSV_COLUMNS), (row(s) for s in doc.segments))


# ---------------------------------------------------------------- documents for reading


def title(doc: RetrievalDocument) -> str:
    if doc.title:
        return doc.title
    if doc.code_name:
        return _("Udsnit kodet {code} {name}").format(code=doc.query.code, name=doc.code_name)
    return _("Udsnit kodet {code}").format(code=doc.query.code)


def intro(doc: RetrievalDocument) -> str:
    """``Kode T3 og B.social, ikke T1 · alle kodere · 12 udsnit · ordnet efter kilde`` (the interface's language)."""
    who = _("koder {coder}").format(coder=doc.coder) if doc.coder else _("alle kodere")
    count = len(doc.segments)
    parts = [
        _("Kode {query}").format(query=doc.query.describe()),
        who,
        ngettext("{n} udsnit", "{n} udsnit", count).format(n=count),
        _("ordnet efter {order}").format(order=_(ORDER_LABELS.get(doc.order, doc.order))),
    ]
    if doc.by:
        lang = language()
        names = ", ".join(attribute_label(n, lang).lower() for n in doc.by)
        parts.append(_("fordelt på {attributes}").format(attributes=names))
    return " · ".join(parts)


def group_heading(by: Sequence[str], values: tuple[Any, ...], count: int) -> str:
    lang = language()
    shown = ", ".join(f"{attribute_label(n, lang)}: {value_label(n, v, lang)}" for n, v in zip(by, values))
    return f"{shown} ({count})"


def row_heading(s: Segment) -> str:
    """``holstebro-1 · udsagn 14 · P1 – Kvinde, 67 år, Holstebro`` (in English ``passage 14`` and ``Woman, 67``)."""
    passage = _("udsagn {n}").format(n=s.number)
    return f"{s.source} · {passage} · {s.speaker} {attribution(s.attrs, language())}"


def row_facts(s: Segment) -> str:
    """``kodet af anne, bo · tegn 10–52 · ★ anne · koder: T3, B.social``."""
    parts = [_("kodet af {coders}").format(coders=", ".join(s.coders))]
    if s.start is not None:
        parts.append(_("tegn {start}–{end} af udsagnet").format(start=s.start, end=s.end))
    if s.starred_by:
        parts.append("★ " + ", ".join(s.starred_by))
    if s.codes:
        parts.append(_("koder: {codes}").format(codes=", ".join(s.codes)))
    return " · ".join(parts)


def to_markdown(doc: RetrievalDocument) -> str:
    out = [f"# {title(doc)}", "", intro(doc), ""]
    if not doc.segments:
        out += [_("Ingen udsnit."), ""]
    for values, rows in doc.groups():
        if doc.by:
            out += [f"## {group_heading(doc.by, values, len(rows))}", ""]
        level = "###" if doc.by else "##"
        for s in rows:
            before, after = context(s, doc.context_chars)
            out += [f"{level} {row_heading(s)}", "", row_facts(s), ""]
            if before:
                out += [_("Før: {text}").format(text=_flat(before)), ""]
            out += ["> " + line for line in s.text.strip().splitlines() or [""]]
            out.append("")
            if after:
                out += [_("Efter: {text}").format(text=_flat(after)), ""]
            out += [_("Notat ({coder}): {text}").format(coder=c, text=_flat(t)) for c, t in s.memos]
            if s.memos:
                out.append("")
    return "\n".join(out).rstrip() + "\n"


def _flat(text: str) -> str:
    return " ".join(text.split())


def to_docx(doc: RetrievalDocument) -> bytes:
    """The retrieval as a Word document: A4, the interface's language, properties and page numbers
    (:mod:`trivselkode.export.docx_layout`), the coded text in Word's Quote style."""
    import os

    from docx.shared import Pt, RGBColor

    from trivselkode.config import ENV_CODER
    from trivselkode.export.docx_layout import DocumentMeta, docx_bytes, new_document

    grey = RGBColor(0x55, 0x55, 0x55)
    author = (os.environ.get(ENV_CODER) or doc.coder or "").strip()
    document = new_document(DocumentMeta(title(doc), language(), author=author))
    document.add_heading(title(doc), level=0)
    document.add_paragraph(intro(doc))
    if not doc.segments:
        document.add_paragraph(_("Ingen udsnit."))
    for values, rows in doc.groups():
        if doc.by:
            document.add_heading(group_heading(doc.by, values, len(rows)), level=1)
        for s in rows:
            before, after = context(s, doc.context_chars)
            document.add_heading(row_heading(s), level=2 if doc.by else 1)
            facts = document.add_paragraph().add_run(row_facts(s))
            facts.font.size, facts.font.color.rgb = Pt(9), grey
            if before:
                run = document.add_paragraph().add_run(_flat(before))
                run.italic, run.font.color.rgb = True, grey
            document.add_paragraph(_flat(s.text), style="Quote")
            if after:
                run = document.add_paragraph().add_run(_flat(after))
                run.italic, run.font.color.rgb = True, grey
            for coder, text in s.memos:
                memo = document.add_paragraph()
                memo.add_run(_("Notat ({coder}): ").format(coder=coder)).bold = True
                memo.add_run(_flat(text))
    return docx_bytes(document)


def render(doc: RetrievalDocument, fmt: str) -> str | bytes:
    """The retrieval in ``fmt`` (md, docx, csv, json): text, or bytes for DOCX."""
    if fmt == "md":
        return to_markdown(doc)
    if fmt == "docx":
        return to_docx(doc)
    if fmt == "csv":
        return to_csv(doc)
    if fmt == "json":
        return to_json(doc)
    raise ValueError(fmt)
