"""The codebook alone as a REFI-QDA ``.qdc`` (XML valid against ``Codebook.xsd``).

Small enough to build as a tree with lxml, unlike ``project.qde``.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from lxml import etree
from sqlmodel import col, select

from trivselkode import __version__
from trivselkode.domain.codebook_lang import code_definition, code_name, missing_translation_warning
from trivselkode.domain.guids import code_guid, guid
from trivselkode.errors import TrivselError
from trivselkode.export.refi.common import CODEBOOK_NS, KIND_SET_PREFIX, ExportReport, codes_by_kind, codes_tree
from trivselkode.export.refi.markup import clean, code_color
from trivselkode.i18n import N_, _, gettext_for, language, normalize
from trivselkode.storage.db import Project
from trivselkode.storage.files import check_target, replace_atomically
from trivselkode.storage.models import Code


class _Tree:
    """Element factory for one namespace (the small ``.qdc``)."""

    def __init__(self, ns: str) -> None:
        self.ns = ns

    def root(self, tag: str, **attrs: str | None) -> etree._Element:
        el = etree.Element(f"{{{self.ns}}}{tag}", nsmap={None: self.ns})
        for key, value in attrs.items():
            if value is not None:
                el.set(key, clean(value))
        return el

    def sub(self, parent: etree._Element, tag: str, text: str | None = None, **attrs: str | None) -> etree._Element:
        el = etree.SubElement(parent, f"{{{self.ns}}}{tag}")
        for key, value in attrs.items():
            if value is not None:
                el.set(key, clean(value))
        if text is not None:
            el.text = clean(text)
        return el


def build_codebook_xml(project: Project, lang: str | None = None) -> tuple[bytes, int]:
    """The ``.qdc`` bytes for the project's codebook and the number of codes.

    Code names and descriptions are in ``lang`` (None: the interface's): the
    codebook's English where it has one, else the Danish.

    ``Codebook.xsd`` asks for at least one ``<Code>``, so an empty codebook
    is refused rather than written as a file no program may accept.
    """
    with project.read() as session:
        codes = list(session.exec(select(Code).order_by(col(Code.position), col(Code.id))))
    if not codes:
        raise TrivselError(
            _("kodebogen er tom, og en REFI-QDA-kodebog (.qdc) skal have mindst én kode"),
            _("indlæs en kodebog (`trivselkode codebook load FIL`) eller tilføj koder først"),
        )
    lang = normalize(lang) or language()
    t_ = gettext_for(lang)
    t = _Tree(CODEBOOK_NS)
    root = t.root("CodeBook", origin=f"trivselkode {__version__}")
    codes_el = t.sub(root, "Codes")
    children = codes_tree(codes)
    seen: set[int] = set()

    def write(parent_el: etree._Element, parent: int | None) -> None:
        for code in children.get(parent, []):
            if code.id in seen:
                continue
            seen.add(cast(int, code.id))
            el = t.sub(
                parent_el,
                "Code",
                guid=code_guid(code.key),
                name=code_name(code, lang),
                isCodable="false" if code.retired else "true",
                color=code_color(code.color),
            )
            description = code_definition(code, lang)
            if description:
                t.sub(el, "Description", description)
            write(el, code.id)

    write(codes_el, None)
    kinds = codes_by_kind(codes)
    if kinds:
        sets_el = t.sub(root, "Sets")
        for kind in sorted(kinds):
            set_el = t.sub(sets_el, "Set", guid=guid("kind", kind), name=KIND_SET_PREFIX + kind)
            t.sub(set_el, "Description", t_(N_("Koder af typen '{kind}' (trivselkode)")).format(kind=kind))
            for c in kinds[kind]:
                t.sub(set_el, "MemberCode", guid=code_guid(c.key))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True), len(codes)


def export_codebook(project: Project, out: str | Path, lang: str | None = None) -> ExportReport:
    """Write the project's codebook to the ``.qdc`` file ``out``, its codes named in ``lang`` (None: the interface's).

    Codes without ``lang``'s text keep their Danish, and ``report.warnings`` names them.
    """
    xml, count = build_codebook_xml(project, lang)
    report = ExportReport(path=str(out), codes=count)
    with project.read() as session:
        codes = list(session.exec(select(Code)))
    warning = missing_translation_warning(codes, normalize(lang) or language(), ("name", "definition"))
    if warning:
        report.warnings.append(warning)
    report.bytes, _ = replace_atomically(check_target(Path(out)), lambda tmp: tmp.write_bytes(xml))
    return report
