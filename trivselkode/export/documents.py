"""Quote collections as documents: Markdown, DOCX, HTML, CSV and JSON.

Markdown, DOCX and HTML are laid out for a publication: a title, a line on
what the quotes were drawn from, one heading per code ("Tema 1: …" for the
themes) with its definition, and the quotes as block quotes in typographic
quotation marks, each followed by its attribution ("– Kvinde, 67 år,
Holstebro") and its source reference ("Interview 3, Holstebro, udsagn 14";
in English "passage 14"): in Markdown after the attribution in brackets, in
HTML a ``<cite>`` in the caption, in DOCX a line of its own. Line breaks
inside a quote are shown as spaces there; CSV and JSON carry the quote text
as stored, with its reference, source and passage number so every quote can
be traced (in CSV, text a spreadsheet would run as a formula
gets a leading ``'``: see :mod:`trivselkode.domain.cells`).
"""

from __future__ import annotations

import html
import json
import re

from trivselkode.analysis.quotes import QUOTE_KEYS, CodeQuotes, QuoteCollection
from trivselkode.domain.cells import csv_text
from trivselkode.export.docx_layout import (
    PRINT_CSS,
    DocumentMeta,
    add_source_lines,
    docx_bytes,
    html_page_start,
    new_document,
)
from trivselkode.i18n import N_, gettext_for, normalize, translator

_THEME_KEY = re.compile(r"^T(\d+)$")
_TITLE = N_("Repræsentative citater")


def heading(group: CodeQuotes, lang: str) -> str:
    """ "Tema 1: Biblioteket som …" for themes T1…, else "Name (key)" (the name as the collection holds it:
    the report puts the bilingual codebook's English there for an English report)."""
    code = group.code
    m = _THEME_KEY.match(code.key)
    if code.kind == "tema" and m:
        return gettext_for(lang)(N_("Tema {n}: {name}")).format(n=m.group(1), name=code.name)
    return f"{code.name} ({code.key})"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _intro(collection: QuoteCollection, n: int | None) -> list[str]:
    lang = collection.lang
    t = gettext_for(lang)
    tr = translator(normalize(lang) or "da")
    most = n if n is not None else max((len(c.quotes) for c in collection.codes), default=0)
    picked = sum(q.picked for q in collection.quotes)
    quotes = tr.ngettext("{n} citat", "{n} citater", len(collection.quotes)).format(n=len(collection.quotes))
    codes = tr.ngettext("{n} kode", "{n} koder", len(collection.codes)).format(n=len(collection.codes))
    count = t(N_("{quotes} til {codes}.")).format(quotes=quotes, codes=codes)
    if picked:
        count += " " + t(N_("{picked} af citaterne er valgt af forskeren og står først under deres kode.")).format(
            picked=picked
        )
    drawn = t(
        N_(
            "Citaterne er udvalgt fra {selection}: højst {n} pr. kode, helst udsagn flere kodere er enige om, "
            "fra forskellige deltagere og biblioteker."
        )
    ).format(selection=collection.selection.describe(lang), n=most)
    return [drawn, count]


def _none(lang: str) -> str:
    return gettext_for(lang)(N_("Ingen citater af passende længde."))


def quotes_markdown(collection: QuoteCollection, title: str | None = None, n: int | None = None) -> str:
    lang = collection.lang
    out = [f"# {title or gettext_for(lang)(_TITLE)}", "", *_intro(collection, n), ""]
    for group in collection.codes:
        out += [f"## {heading(group, lang)}", ""]
        if group.code.description:
            out += [f"*{_flat(group.code.description)}*", ""]
        if not group.quotes:
            out += [_none(lang), ""]
        for q in group.quotes:
            ref = f" ({_flat(q.reference)})" if q.reference else ""
            out += [f"> “{_flat(q.text)}”", ">", f"> {q.attribution}{ref}", ""]
    return "\n".join(out).rstrip() + "\n"


def quotes_html(collection: QuoteCollection, title: str | None = None, n: int | None = None) -> str:
    lang = collection.lang
    esc = html.escape
    title = title or gettext_for(lang)(_TITLE)
    parts = html_page_start(
        title,
        lang,
        [
            "body{font-family:Georgia,'Times New Roman',serif;max-width:42em;margin:2em auto;padding:0 1em;line-height:1.5;color:#111}",
            "h1{font-size:1.9em;margin-bottom:.2em}h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #999}",
            ".intro{color:#444}.definition{font-style:italic;color:#333}",
            "figure{margin:1.2em 0 1.2em 1.5em}blockquote{margin:0;padding-left:1em;border-left:3px solid #777;font-size:1.1em}",
            "blockquote p{margin:0}figcaption{margin:.3em 0 0 1em;color:#333}cite.reference{font-size:.9em;color:#555}",
            PRINT_CSS,
        ],
    )
    parts += [f'<p class="intro">{esc(line)}</p>' for line in _intro(collection, n)]
    for group in collection.codes:
        parts.append(f'<section id="{esc(group.code.key)}">')
        parts.append(f"<h2>{esc(heading(group, lang))}</h2>")
        if group.code.description:
            parts.append(f'<p class="definition">{esc(_flat(group.code.description))}</p>')
        if not group.quotes:
            parts.append(f'<p class="none">{esc(_none(lang))}</p>')
        for q in group.quotes:
            ref = f"{q.source}#{q.passage}"
            cite = f'<br> <cite class="reference">{esc(_flat(q.reference))}</cite>' if q.reference else ""
            parts.append(
                f'<figure data-source="{esc(q.source)}" data-passage="{q.passage}">'
                f"<blockquote><p>“{esc(_flat(q.text))}”</p></blockquote>"
                f'<figcaption title="{esc(ref)}">{esc(q.attribution)}{cite}</figcaption></figure>'
            )
        parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def quotes_docx(
    collection: QuoteCollection, title: str | None = None, n: int | None = None, meta: DocumentMeta | None = None
) -> bytes:
    """The collection as a Word document laid out for a paper (:mod:`trivselkode.export.docx_layout`): A4, the
    language set, the title a Title and each code a Heading 1, the quotes in Word's Quote style with their
    attribution and source reference below; ``meta`` gives the properties (author, subject, date)."""
    lang = collection.lang
    title = title or gettext_for(lang)(_TITLE)
    meta = meta or DocumentMeta(title, lang)
    meta.title, meta.lang = title, lang
    doc = new_document(meta)
    doc.add_heading(title, level=0)
    for line in _intro(collection, n):
        doc.add_paragraph(line)
    for group in collection.codes:
        doc.add_heading(heading(group, lang), level=1)
        if group.code.description:
            para = doc.add_paragraph()
            para.add_run(_flat(group.code.description)).italic = True
        if not group.quotes:
            doc.add_paragraph(_none(lang))
        for q in group.quotes:
            doc.add_paragraph(f"“{_flat(q.text)}”", style="Quote")
            add_source_lines(doc, q.attribution, _flat(q.reference) if q.reference else "")
    return docx_bytes(doc)


def quotes_csv(collection: QuoteCollection) -> str:
    return csv_text(list(QUOTE_KEYS), (q.row() for q in collection.quotes))


def quotes_json(collection: QuoteCollection) -> str:
    return json.dumps(collection.rows(), ensure_ascii=False, indent=2) + "\n"


def render(
    collection: QuoteCollection,
    fmt: str,
    title: str | None = None,
    n: int | None = None,
    meta: DocumentMeta | None = None,
) -> str | bytes:
    """The collection in ``fmt`` (md, docx, html, csv, json): text, or bytes for DOCX (``meta``: its properties)."""
    if fmt == "md":
        return quotes_markdown(collection, title, n)
    if fmt == "html":
        return quotes_html(collection, title, n)
    if fmt == "docx":
        return quotes_docx(collection, title, n, meta)
    if fmt == "csv":
        return quotes_csv(collection)
    if fmt == "json":
        return quotes_json(collection)
    raise ValueError(fmt)
