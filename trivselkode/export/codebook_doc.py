"""The codebook as an appendix to a paper: DOCX, HTML and Markdown, in Danish or English.

``trivselkode codebook export --format docx|html|md [--lang en] --out FILE``
and the Eksport screen's Kodebog write it::

    appendix = codebook_appendix(codebook_of_project(project), "docx", "en")
    appendix.data       # the document: bytes for DOCX, text for HTML and Markdown
    appendix.warnings   # ["Mangler engelsk oversættelse for: B7 …"] when a code lacks its English

The codes come in tree order (a code, then its sub-codes, at the depth of
the tree: headings one level down per level), each with its definition,
when to use it (include), when not to (exclude), its characteristics and
its examples. In English the bilingual codebook's fields are used
(:mod:`trivselkode.domain.codebook_lang`); a code without them is shown in
Danish, and the warning names every such code. The labels ("Definition",
"Medtag når" / "Include when" …) follow the language through gettext.

DOCX and HTML are laid out like the quote documents: A4, the language set,
Word's heading styles, page numbers, a print stylesheet
(:mod:`trivselkode.export.docx_layout`).
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field

from trivselkode.domain.codebook import Codebook, CodeSpec
from trivselkode.domain.codebook_lang import (
    ALL_FIELDS,
    code_characteristics,
    code_definition,
    code_examples,
    code_exclude,
    code_include,
    code_name,
    missing_translation_warning,
)
from trivselkode.export.docx_layout import PRINT_CSS, DocumentMeta, docx_bytes, html_page_start, new_document
from trivselkode.i18n import N_, gettext_for, normalize, translator

FORMATS = ("docx", "html", "md")

#: The labels of a code's parts, as message ids.
_PARTS = (
    ("definition", N_("Definition")),
    ("include", N_("Medtag når")),
    ("exclude", N_("Udelad når")),
    ("characteristics", N_("Kendetegn")),
    ("examples", N_("Eksempler")),
)


@dataclass
class Appendix:
    """The codebook written: the document, and the warnings (codes without their English)."""

    data: str | bytes
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Entry:
    depth: int
    code: CodeSpec
    name: str
    parts: list[tuple[str, str | list[str]]]  # (label, text or list), only those with content


def tree_order(book: Codebook) -> Iterator[tuple[int, CodeSpec]]:
    """The codes depth-first in the codebook's order, with their depth (0: top level).

    A code whose parent is not in the book (a retired parent left out) is shown at the top level.
    """
    keys = {c.key for c in book.codes}
    children: dict[str | None, list[CodeSpec]] = {}
    for code in book.codes:
        parent = code.parent if code.parent in keys and code.parent != code.key else None
        children.setdefault(parent, []).append(code)
    seen: set[str] = set()
    stack: list[tuple[int, CodeSpec]] = [(0, c) for c in reversed(children.get(None, []))]
    while stack:
        depth, code = stack.pop()
        if code.key in seen:
            continue
        seen.add(code.key)
        yield depth, code
        stack.extend((depth + 1, c) for c in reversed(children.get(code.key, [])))
    for code in book.codes:  # a cycle of parents never reaches the top: show those codes too
        if code.key not in seen:
            seen.add(code.key)
            yield 0, code


def _entries(book: Codebook, lang: str) -> list[_Entry]:
    t = gettext_for(lang)
    labels = dict(_PARTS)
    out = []
    for depth, code in tree_order(book):
        values: dict[str, str | list[str]] = {
            "definition": code_definition(code, lang),
            "include": code_include(code, lang),
            "exclude": code_exclude(code, lang),
            "characteristics": code_characteristics(code, lang),
            "examples": code_examples(code, lang),
        }
        parts = [(t(labels[key]), value) for key, value in values.items() if value]
        out.append(_Entry(depth, code, code_name(code, lang), parts))
    return out


def _title(book: Codebook, lang: str) -> str:
    return gettext_for(lang)(N_("Kodebog: {name}")).format(name=book.name)


def _intro(book: Codebook, lang: str) -> str:
    n = len(book.codes)
    codes = translator(normalize(lang) or "da").ngettext("{n} kode", "{n} koder", n).format(n=n)
    return gettext_for(lang)(N_("Version {version} · {codes}, i træets orden.")).format(
        version=book.version, codes=codes
    )


def _heading(entry: _Entry, lang: str) -> str:
    retired = " " + gettext_for(lang)(N_("(udgået)")) if getattr(entry.code, "retired", False) else ""
    return f"{entry.code.key} · {entry.name}{retired}"


def _flat(text: str) -> str:
    return " ".join(text.split())


def appendix_markdown(book: Codebook, lang: str, title: str | None = None) -> str:
    out = [f"# {title or _title(book, lang)}", "", _intro(book, lang), ""]
    for entry in _entries(book, lang):
        level = min(entry.depth + 2, 6)
        out += [f"{'#' * level} {_heading(entry, lang)}", ""]
        for label, value in entry.parts:
            if isinstance(value, list):
                out += [f"**{label}:**", ""]
                out += [f"- {_flat(item)}" for item in value]
                out.append("")
            else:
                out += [f"**{label}:** {_flat(value)}", ""]
    return "\n".join(out).rstrip() + "\n"


def appendix_html(book: Codebook, lang: str, title: str | None = None) -> str:
    esc = html.escape
    title = title or _title(book, lang)
    parts = html_page_start(
        title,
        lang,
        [
            "body{font-family:Georgia,'Times New Roman',serif;max-width:42em;margin:2em auto;padding:0 1em;line-height:1.5;color:#111}",
            "h1{font-size:1.9em}h2{font-size:1.35em;margin-top:1.8em;border-bottom:1px solid #999}h3,h4,h5,h6{font-size:1.1em}",
            "dt{font-weight:bold;margin-top:.4em}dd{margin-left:1.5em}.intro{color:#444}",
            PRINT_CSS,
        ],
    )
    parts.append(f'<p class="intro">{esc(_intro(book, lang))}</p>')
    for entry in _entries(book, lang):
        level = min(entry.depth + 2, 6)
        parts.append(f'<section class="code" id="{esc(entry.code.key)}" data-depth="{entry.depth}">')
        parts.append(f"<h{level}>{esc(_heading(entry, lang))}</h{level}>")
        if entry.parts:
            parts.append("<dl>")
            for label, value in entry.parts:
                parts.append(f"<dt>{esc(label)}</dt>")
                if isinstance(value, list):
                    items = "".join(f"<li>{esc(_flat(item))}</li>" for item in value)
                    parts.append(f"<dd><ul>{items}</ul></dd>")
                else:
                    parts.append(f"<dd>{esc(_flat(value))}</dd>")
            parts.append("</dl>")
        parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def appendix_docx(book: Codebook, lang: str, meta: DocumentMeta | None = None, title: str | None = None) -> bytes:
    title = title or (meta.title if meta is not None and meta.title else "") or _title(book, lang)
    meta = meta or DocumentMeta(title, lang)
    meta.title, meta.lang = title, lang
    doc = new_document(meta)
    doc.add_heading(title, level=0)
    doc.add_paragraph(_intro(book, lang))
    for entry in _entries(book, lang):
        doc.add_heading(_heading(entry, lang), level=min(entry.depth + 1, 9))
        for label, value in entry.parts:
            para = doc.add_paragraph()
            para.add_run(label + ":").bold = True
            if isinstance(value, list):
                para.paragraph_format.keep_with_next = True
                for item in value:
                    doc.add_paragraph(_flat(item), style="List Bullet")
            else:
                para.add_run(" " + _flat(value))
    return docx_bytes(doc)


def codebook_appendix(
    book: Codebook, fmt: str, lang: str = "da", meta: DocumentMeta | None = None, title: str | None = None
) -> Appendix:
    """The codebook as an appendix in ``fmt`` (docx, html, md) and ``lang``, with the translation warning."""
    lang = normalize(lang) or "da"
    warning = missing_translation_warning(book.codes, lang, ALL_FIELDS)
    warnings = [warning] if warning else []
    if fmt == "md":
        return Appendix(appendix_markdown(book, lang, title), warnings)
    if fmt == "html":
        return Appendix(appendix_html(book, lang, title), warnings)
    if fmt == "docx":
        return Appendix(appendix_docx(book, lang, meta, title), warnings)
    raise ValueError(fmt)


__all__ = [
    "FORMATS",
    "Appendix",
    "appendix_docx",
    "appendix_html",
    "appendix_markdown",
    "codebook_appendix",
    "tree_order",
]
