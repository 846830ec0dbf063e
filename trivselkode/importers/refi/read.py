"""Reading the XML of a ``.qde``/``.qdc`` into a :class:`~trivselkode.importers.refi.model.RefiDocument`.

XML with a DTD is refused whole (:func:`~trivselkode.importers.safety.refuse_dtd`),
and nothing here recurses once per level of the file.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _
from trivselkode.importers.refi.model import (
    CODEBOOK_NS,
    PROJECT_NS,
    RCase,
    RCode,
    RCoding,
    RefiDocument,
    RNote,
    RSelection,
    RSet,
    RSource,
    RUser,
    RVariable,
)
from trivselkode.importers.safety import refuse_dtd

_GUID_RE = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _kids(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c) == name]


def _kid(el: etree._Element, name: str) -> etree._Element | None:
    for c in el:
        if _local(c) == name:
            return c
    return None


def _text_of(el: etree._Element | None) -> str:
    return "" if el is None else "".join(el.itertext())


def norm_guid(value: str | None) -> str | None:
    """A GUID in one spelling: upper case, no braces (None when it is no GUID)."""
    if not value:
        return None
    match = _GUID_RE.match(value.strip())
    return match.group(1).upper() if match else None


def ident(value: str | None) -> str | None:
    """The id an element carries: a GUID in one spelling, else the value as written.

    REFI-QDA asks for GUIDs, but some programs write short ids (OpenQDA's
    ``c001``); they still tie a ``CodeRef`` to its ``Code``, so they are
    kept as they are (never mistaken for a GUID, which always has dashes).
    """
    if not value or not value.strip():
        return None
    return norm_guid(value) or value.strip()


# Attributes that REFI-QDA types as GUIDs.
_ID_ATTRIBUTES = ("guid", "targetGUID", "creatingUser", "creatingUserGUID", "modifyingUser", "modifyingUserGUID")


def _note_odd_ids(root: etree._Element, doc: RefiDocument, where: str) -> None:
    """One warning when the file's ids are not GUIDs (they are used as they are)."""
    odd: list[tuple[str, str]] = []
    for el in root.iter():
        for attr in _ID_ATTRIBUTES:
            value = el.get(attr)
            if value and value.strip() and norm_guid(value) is None:
                odd.append((_local(el), value.strip()))
    if not odd:
        return
    element, example = next(((e, v) for e, v in odd if e == "Code"), odd[0])
    doc.warnings.append(
        _(
            "{where}: {n} id'er er ikke GUID'er, som REFI-QDA kræver (fx '{example}' på <{element}>); de er brugt, som de står"
        ).format(where=where, n=len(odd), example=example, element=element)
    )


def _refs(el: etree._Element, name: str) -> list[str]:
    out = []
    for ref in _kids(el, name):
        g = ident(ref.get("targetGUID"))
        if g:
            out.append(g)
    return out


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    else:
        moment = moment.replace(tzinfo=UTC)
    return moment


def as_int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


_EXPORT_AGAIN = N_("eksportér filen igen fra programmet, den kommer fra")


def parse_xml(data: bytes, where: str) -> etree._Element:
    """The root element of the XML ``data`` (a BOM and leading blanks allowed)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.lstrip()
    # No program writes a DTD into a REFI-QDA file; one could hide an entity bomb or read other files.
    refuse_dtd(data, where, _(_EXPORT_AGAIN))
    # huge_tree: a long text (our own note, a PlainTextContent) may pass libxml2's 10 MB a node;
    # the input is already bounded, and entities cannot expand without a DTD.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise TrivselError(
            _("{where} kan ikke læses som XML: {detail}").format(
                where=where, detail=str(exc).splitlines()[0] if str(exc) else _("ugyldig XML")
            ),
            _("vælg en REFI-QDA-fil (.qdpx, .qde eller .qdc) fra NVivo, ATLAS.ti, MAXQDA, QualCoder eller trivselkode"),
        ) from None


def parse_document(root: etree._Element, where: str) -> RefiDocument:
    """Read a ``Project`` or ``CodeBook`` element into a :class:`RefiDocument`."""
    doc = _empty_document(root, where)
    doc.creating_user = ident(root.get("creatingUserGUID"))
    _note_odd_ids(root, doc, where)
    if doc.kind == "codebook":
        codes_el = _kid(root, "Codes")
        if codes_el is not None:
            _read_codes(codes_el, None, doc)
        _read_sets(root, doc, where)
        return doc

    _read_users(root, doc)
    codebook = _kid(root, "CodeBook")
    if codebook is not None:
        codes_el = _kid(codebook, "Codes")
        if codes_el is not None:
            _read_codes(codes_el, None, doc)
    _read_variables(root, doc)
    _read_cases(root, doc)
    _read_sources(root, doc)
    _read_notes(root, doc)
    links = _kid(root, "Links")
    doc.links = len(_kids(links, "Link")) if links is not None else 0
    graphs = _kid(root, "Graphs")
    doc.graphs = len(_kids(graphs, "Graph")) if graphs is not None else 0
    _read_sets(root, doc, where)
    doc.project_note_refs = _refs(root, "NoteRef")
    return doc


def _empty_document(root: etree._Element, where: str) -> RefiDocument:
    """A project or a codebook, as the root element says (a namespace other than REFI-QDA's is warned of)."""
    name = _local(root)
    ns = etree.QName(root).namespace if isinstance(root.tag, str) else None
    if name == "Project":
        doc = RefiDocument(kind="project", name=root.get("name") or "", origin=root.get("origin") or "")
        expected = PROJECT_NS
    elif name == "CodeBook":
        doc = RefiDocument(kind="codebook", origin=root.get("origin") or "")
        expected = CODEBOOK_NS
    else:
        raise TrivselError(
            _("{where} er ikke REFI-QDA: rodelementet er <{value}>, ikke <Project> eller <CodeBook>").format(
                where=where, value=name or "?"
            ),
            _("vælg en REFI-QDA-fil (.qdpx, .qde eller .qdc)"),
        )
    if ns != expected:
        doc.warnings.append(
            _("{where}: navnerummet er {value}, ikke {expected}; filen læses alligevel som REFI-QDA").format(
                where=where, value=ns or _("tomt"), expected=expected
            )
        )
    return doc


def _identified(root: etree._Element, group: str, item: str) -> Iterator[tuple[etree._Element, str]]:
    """The ``item`` elements in ``root``'s ``group`` element that have an id, each with its id."""
    container = _kid(root, group)
    if container is None:
        return
    for el in _kids(container, item):
        g = ident(el.get("guid"))
        if g:
            yield el, g


def _read_users(root: etree._Element, doc: RefiDocument) -> None:
    for u, g in _identified(root, "Users", "User"):
        doc.users[g] = RUser(g, (u.get("name") or u.get("id") or "").strip())


def _read_variables(root: etree._Element, doc: RefiDocument) -> None:
    for v, g in _identified(root, "Variables", "Variable"):
        doc.variables[g] = RVariable(g, (v.get("name") or "").strip(), v.get("typeOfVariable") or "Text")


def _read_cases(root: etree._Element, doc: RefiDocument) -> None:
    for c, g in _identified(root, "Cases", "Case"):
        case = RCase(g, (c.get("name") or "").strip(), _text_of(_kid(c, "Description")))
        case.values = _values(c)
        case.source_refs = _refs(c, "SourceRef")
        case.selection_refs = _refs(c, "SelectionRef")
        doc.cases.append(case)


def _read_sources(root: etree._Element, doc: RefiDocument) -> None:
    """Text sources, and the other kinds counted (pictures, PDFs, audio, video)."""
    sources = _kid(root, "Sources")
    if sources is not None:
        for s in sources:
            kind = _local(s)
            if kind == "TextSource":
                doc.sources.append(_read_text_source(s))
            elif kind:
                doc.other_sources.append((kind, s.get("name") or "", sum(1 for _ in s.iter("{*}Coding"))))


def _read_notes(root: etree._Element, doc: RefiDocument) -> None:
    for n, g in _identified(root, "Notes", "Note"):
        content = _kid(n, "PlainTextContent")
        doc.notes[g] = RNote(
            g,
            (n.get("name") or "").strip(),
            _text_of(content) if content is not None else None,
            n.get("plainTextPath"),
            ident(n.get("creatingUser")),
            _when(n.get("creationDateTime")),
        )


def _read_sets(root: etree._Element, doc: RefiDocument, where: str) -> None:
    sets = _kid(root, "Sets")
    if sets is None:
        return
    members = _kids(sets, "Set")
    if not members:
        doc.warnings.append(
            _("{where}: et tomt <Sets/> er ikke gyldigt efter REFI-QDA-skemaet; det er sprunget over").format(
                where=where
            )
        )
    for s in members:
        g = ident(s.get("guid")) or ""
        item = RSet(g, (s.get("name") or "").strip())
        for m in _kids(s, "MemberCode"):
            ref = ident(m.get("targetGUID") or m.get("guid"))
            if ref:
                item.codes.append(ref)
        item.sources = len(_kids(s, "MemberSource"))
        doc.sets.append(item)


def _read_codes(parent_el: etree._Element, parent: str | None, doc: RefiDocument) -> None:
    """Every code, parents before children (in document order). A code without an id, or with an id used before, is kept under an id of its own.

    Walked with a stack of its own, not by recursion: a file may nest codes
    thousands of levels deep (they are refused later, with one line).
    """
    seen: dict[str, str] = {}
    stack = [(iter(_kids(parent_el, "Code")), parent)]
    while stack:
        siblings, parent_guid = stack[-1]
        c = next(siblings, None)
        if c is None:
            stack.pop()
            continue
        g = ident(c.get("guid"))
        name = (c.get("name") or "").strip()
        if g is None or g in seen:
            made = f"{'uden-id' if g is None else g}#{len(doc.codes) + 1}"
            doc.code_id_problems.append(
                _("'{name}' har intet id").format(name=name)
                if g is None
                else _("'{name}' har samme id som '{seen}' ({g})").format(name=name, seen=seen[g], g=g)
            )
            g = made
        seen[g] = name
        children = _kids(c, "Code")
        doc.codes.append(
            RCode(
                guid=g,
                name=name,
                codable=(c.get("isCodable") or "true").strip().lower() not in ("false", "0"),
                color=c.get("color"),
                description=_text_of(_kid(c, "Description")),
                parent=parent_guid,
                note_refs=_refs(c, "NoteRef"),
                has_children=bool(children),
            )
        )
        if children:
            stack.append((iter(children), g))
    if doc.code_id_problems:
        problems = doc.code_id_problems
        doc.warnings.append(
            _(
                "{n} kode(r) kan ikke findes ud fra deres id og er importeret uden at kunne bære kodninger fra filen: "
            ).format(n=len(problems))
            + "; ".join(problems[:4])
            + (" …" if len(problems) > 4 else "")
        )


def _read_coding(el: etree._Element) -> RCoding:
    ref = _kid(el, "CodeRef")
    return RCoding(
        guid=ident(el.get("guid")) or "",
        code=ident(ref.get("targetGUID")) if ref is not None else None,
        user=ident(el.get("creatingUser")),
        created=_when(el.get("creationDateTime")),
        note_refs=_refs(el, "NoteRef"),
    )


def _read_text_source(s: etree._Element) -> RSource:
    content = _kid(s, "PlainTextContent")
    source = RSource(
        guid=ident(s.get("guid")) or "",
        name=" ".join((s.get("name") or "").split()),
        plain_text_path=s.get("plainTextPath"),
        rich_text_path=s.get("richTextPath"),
        content=_text_of(content) if content is not None else None,
        description=_text_of(_kid(s, "Description")).strip(),
        user=ident(s.get("creatingUser")),
        created=_when(s.get("creationDateTime")),
    )
    for sel in _kids(s, "PlainTextSelection"):
        start, end = as_int(sel.get("startPosition")), as_int(sel.get("endPosition"))
        if start is None or end is None:
            continue
        selection = RSelection(
            guid=ident(sel.get("guid")) or "",
            start=start,
            end=end,
            name=sel.get("name") or "",
            description=_text_of(_kid(sel, "Description")).strip(),
            user=ident(sel.get("creatingUser")),
            created=_when(sel.get("creationDateTime")),
        )
        selection.codings = [_read_coding(c) for c in _kids(sel, "Coding")]
        selection.note_refs = _refs(sel, "NoteRef")
        source.selections.append(selection)
    source.codings = [_read_coding(c) for c in _kids(s, "Coding")]
    source.note_refs = _refs(s, "NoteRef")
    source.values = _values(s)
    return source


def _values(el: etree._Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for vv in _kids(el, "VariableValue"):
        ref = _kid(vv, "VariableRef")
        g = ident(ref.get("targetGUID")) if ref is not None else None
        if not g:
            continue
        for child in vv:
            kind = _local(child)
            if kind == "VariableRef" or not kind:
                continue
            raw = _text_of(child).strip()
            value: Any = raw
            try:
                if kind == "IntegerValue":
                    value = int(raw)
                elif kind == "FloatValue":
                    value = float(raw)
                    if value.is_integer() and "." not in raw:
                        value = int(value)
                elif kind == "BooleanValue":
                    value = raw.lower() in ("true", "1")
            except ValueError:
                value = raw
            out[g] = value
            break
    return out
