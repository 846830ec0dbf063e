"""Word documents a researcher can paste into a paper: A4, the text's language, properties, page numbers.

Every DOCX the tool writes (quotes, retrievals, the codebook appendix) starts
from :func:`new_document`:

- A4 paper with 2.5 cm margins (python-docx's template is US Letter);
- the document's language (``da-DK`` or ``en-GB``) on the default run
  properties and the Normal style, so Word checks the spelling in the right
  language, and in the core properties;
- core properties from the project and the coder: title, subject, author,
  last modified by, created and modified now — never the template's
  "python-docx" and 2013;
- page numbers: a ``PAGE`` field centred in the footer;
- the quote styles: Word's own "Quote" for the quoted text (kept on one page,
  with its source), and :data:`SOURCE_STYLE` for the attribution and the
  source reference below it.

Headings are Word's "Title" and "Heading 1…" styles (``doc.add_heading``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from trivselkode.i18n import LANGUAGE_TAGS, normalize

#: The paragraph style of a quote's attribution and source reference.
SOURCE_STYLE = "Quote Source"
#: A4 in centimetres, and the margins.
A4_CM = (21.0, 29.7)
MARGIN_CM = 2.5


@dataclass
class DocumentMeta:
    """What a document's properties say: its title, what it is about, who made it, when."""

    title: str
    lang: str = "da"
    author: str = ""
    subject: str = ""
    keywords: str = ""
    created: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    @property
    def language_tag(self) -> str:
        """``da-DK`` or ``en-GB``."""
        return LANGUAGE_TAGS[normalize(self.lang) or "da"]


def _set_lang(rpr: Any, tag: str) -> None:
    """``<w:lang w:val=tag/>`` in a run-properties element (replacing what is there)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), tag)
    lang.set(qn("w:eastAsia"), tag)
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)


def set_language(doc: Any, tag: str) -> None:
    """The document's language: the default run properties, the Normal style and the core properties."""
    from docx.oxml.ns import qn

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        rpr = rpr_default.find(qn("w:rPr")) if rpr_default is not None else None
        if rpr is not None:
            _set_lang(rpr, tag)
    normal = doc.styles["Normal"].element
    _set_lang(normal.get_or_add_rPr(), tag)
    doc.core_properties.language = tag


def _page_field(paragraph: Any) -> None:
    """A ``PAGE`` field (the page number) at the end of ``paragraph``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        run = OxmlElement("w:r")
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        run.append(fld)
        return run

    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    instr_run.append(instr)
    shown = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    shown.append(text)
    for element in (char("begin"), instr_run, char("separate"), shown, char("end")):
        paragraph._p.append(element)


def _quote_styles(doc: Any) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    quote = doc.styles["Quote"]
    quote.paragraph_format.left_indent = Cm(1)
    quote.paragraph_format.space_after = Pt(2)
    quote.paragraph_format.keep_together = True
    quote.paragraph_format.keep_with_next = True  # the quote stays on the page of its source
    source = doc.styles.add_style(SOURCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    source.base_style = doc.styles["Normal"]
    source.next_paragraph_style = doc.styles["Normal"]
    source.quick_style = True
    source.paragraph_format.left_indent = Cm(1)
    source.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    source.paragraph_format.space_after = Pt(0)
    source.paragraph_format.keep_together = True


def new_document(meta: DocumentMeta) -> Any:
    """An empty python-docx ``Document`` laid out for publication (see the module doc)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = Cm(A4_CM[0]), Cm(A4_CM[1])
        section.left_margin = section.right_margin = Cm(MARGIN_CM)
        section.top_margin = section.bottom_margin = Cm(MARGIN_CM)
        footer = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _page_field(footer)
    set_language(doc, meta.language_tag)
    props = doc.core_properties
    props.title = meta.title
    props.subject = meta.subject
    props.author = meta.author
    props.last_modified_by = meta.author
    props.keywords = meta.keywords
    props.comments = ""
    props.category = ""
    props.revision = 1
    props.created = props.modified = meta.created.replace(tzinfo=None)
    _quote_styles(doc)
    return doc


def add_source_lines(doc: Any, attribution: str, reference: str, last_space_pt: float = 10) -> None:
    """A quote's attribution and source reference, each a paragraph in :data:`SOURCE_STYLE` (the reference in
    small italics); the last of them leaves ``last_space_pt`` before what follows."""
    from docx.shared import Pt

    lines = [(line, small) for line, small in ((attribution, False), (reference, True)) if line]
    for i, (line, small) in enumerate(lines):
        para = doc.add_paragraph(style=SOURCE_STYLE)
        run = para.add_run(line)
        if small:
            run.italic = True
            run.font.size = Pt(9)
        if i < len(lines) - 1:
            para.paragraph_format.keep_with_next = True
        else:
            para.paragraph_format.space_after = Pt(last_space_pt)


def docx_bytes(doc: Any) -> bytes:
    import io

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


#: The print stylesheet every HTML document carries: A4 with margins, no page break inside a quote,
#: a heading kept with what follows.
PRINT_CSS = (
    "@page{size:A4;margin:2.5cm}"
    "@media print{body{margin:0;max-width:none;font-size:11pt}figure,blockquote,.code{break-inside:avoid;"
    "page-break-inside:avoid}h1,h2,h3{break-after:avoid;page-break-after:avoid}a{color:inherit}}"
)


def html_page_start(title: str, lang: str | None, css: Sequence[str]) -> list[str]:
    """The lines that open an HTML report, up to its first heading: the language of its text
    (so that spell-checking, hyphenation and screen readers take it right), the title and the style."""
    esc = html.escape
    return [
        "<!DOCTYPE html>",
        f'<html lang="{LANGUAGE_TAGS[normalize(lang) or "da"]}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        "<style>",
        *css,
        "</style>",
        "</head>",
        "<body>",
        f"<h1>{esc(title)}</h1>",
    ]
