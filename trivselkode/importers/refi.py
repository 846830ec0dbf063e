"""REFI-QDA import: ``.qdpx`` projects, bare ``.qde`` files and ``.qdc`` codebooks.

Everything is read and planned first (files, texts, positions, passages,
sentences); then one transaction stores it, so a failure leaves nothing
half-imported.

What becomes what:

* ``User`` → a coder of the same name (characters a coder name cannot hold
  become ``_``), created on first use; a ``Coding`` without a user counts
  for its selection's, its source's or the project's user, else the
  ``coder`` given to :func:`import_refi`;
* ids: GUIDs as the schema asks, or, with one warning, any other id as it
  stands (OpenQDA's ``c001``), so that ``CodeRef``\\s still find their codes;
* ``Code`` → a code, nested as in the file (with ``split_names``, ATLAS.ti's
  flattened ``Parent::child`` names too). A code is matched to an existing
  one by key (our own files), by the GUID our export gives that key, or by
  name under the same parent, and updated; otherwise it is added with a key
  made from its name (``parent.child`` like ``B.social``). Colours
  ``#RRGGBB``/``#RGB`` are kept, others dropped with a warning.
  ``isCodable="false"`` on a code without children is a retired code; on a
  grouping code it is ignored (every code is codable in trivselkode);
* ``TextSource`` → a source, its text read from ``plainTextPath``
  (``internal://NAME`` or a relative path such as qc's ``round2/a.txt``, in
  the archive's ``sources/`` or ``Sources/`` folder, or in that folder beside
  a bare ``.qde``; a relative path is never looked up in the current folder)
  or ``PlainTextContent``. A path that points outside the file (absolute,
  ``file://``, ``relative://``, ``..``) is never read, unless the caller
  names a folder (``sources_dir``, ``--sources-dir``): then the file is read
  if it lies in that folder, symbolic links resolved (the path itself, a
  ``relative://`` or relative path below the folder, or the file's name in
  the folder), and a source whose file is not there is skipped. The text is normalised as
  every source is (NFC, ``\\n``, no BOM) and split into passages: by our
  own note's passage list for our own files; else by the turn rules of a
  ``.txt`` (``LABEL:`` at a line start, see :mod:`trivselkode.importers.text`)
  when they describe the text (labels at the start of at least a fifth of the
  non-blank lines, little text before the first); else one passage per
  non-blank line (paragraph), spoken by the source's only case or by
  ``Tekst``;
* ``PlainTextSelection`` with ``Coding``\\s → codings on the passages it
  overlaps, each narrowed to its part of the passage (no span when it covers
  the passage). Positions are read in the unit that fits the file (see
  :mod:`trivselkode.domain.positions`), chosen per text file and reported;
* ``Note``\\s referenced from a source, selection, code or coding → memos on
  the source, passage, code, or the coding's memo; a selection's
  ``Description`` → a memo on its passage;
* ``Case``\\s with ``VariableValue``\\s → participants of the sources they
  refer to, with gender, age, site, role and other attributes;
  ``VariableValue``\\s on a source → its metadata.

Pictures, PDFs, audio, video, sets, links, graphs and notes on the project as
a whole have no place in trivselkode: they are counted in the report as
skipped, as are selections that cannot be placed.

Files from elsewhere are read defensively (:mod:`trivselkode.importers.safety`):
an archive's members are unpacked within limits (``max_unpacked``), an
archive with a member named ``../x`` or ``/x`` and XML with a DTD are refused
whole, and a code tree deeper than :data:`~trivselkode.domain.codebook.MAX_CODE_DEPTH`
levels is refused; nothing here recurses once per level of the file.
"""

from __future__ import annotations

import codecs
import json
import re
import textwrap
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from lxml import etree

from trivselkode.domain.codebook import MAX_CODE_DEPTH, Codebook, CodeSpec, normalize_color
from trivselkode.domain.positions import CODEPOINTS, PositionMap, Reading, choose_reading
from trivselkode.domain.text import content_hash
from trivselkode.domain.vocabulary import ATTRIBUTE_ALIASES, CONTEXTS, SOURCE_KINDS
from trivselkode.errors import TrivselError
from trivselkode.importers.base import ParsedParticipant, ParsedSource, ParsedTurn
from trivselkode.importers.safety import SafeZip, UnpackLimit, read_regular_file, refuse_dtd

__all__ = [
    "CODEBOOK_NS",
    "PROJECT_NS",
    "QdcCodebook",
    "RefiDocument",
    "RefiImportReport",
    "import_refi",
    "open_refi",
    "read_qdc",
]

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
NOTE_NAME = "trivselkode"
NOTE_FORMAT = "trivselkode-refi"
KIND_SET_PREFIX = "Kodetype: "
PARAGRAPH_SPEAKER = "Tekst"
SPLIT = "::"
# When do the turn rules describe a foreign text? (see the module docstring)
MIN_LABEL_LINE_SHARE = 0.2
MAX_PREAMBLE_SHARE = 0.2
_ROLES = {
    "participant": "participant",
    "deltager": "participant",
    "interviewer": "interviewer",
    "intervieweren": "interviewer",
}
_CODER_BAD = re.compile(r"[^\w.\-]+", re.UNICODE)
_GUID_RE = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")


# --------------------------------------------------------------------------- the file as read


@dataclass
class RUser:
    guid: str
    name: str


@dataclass
class RCode:
    guid: str
    name: str
    codable: bool
    color: str | None
    description: str
    parent: str | None
    note_refs: list[str] = field(default_factory=list)
    has_children: bool = False


@dataclass
class RCoding:
    guid: str
    code: str | None
    user: str | None
    created: datetime | None
    note_refs: list[str] = field(default_factory=list)


@dataclass
class RSelection:
    guid: str
    start: int
    end: int
    name: str
    description: str
    user: str | None
    created: datetime | None
    codings: list[RCoding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


@dataclass
class RSource:
    guid: str
    name: str
    plain_text_path: str | None
    rich_text_path: str | None
    content: str | None
    description: str
    user: str | None
    created: datetime | None
    selections: list[RSelection] = field(default_factory=list)
    codings: list[RCoding] = field(default_factory=list)  # on the whole source
    note_refs: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # variable GUID -> value


@dataclass
class RVariable:
    guid: str
    name: str
    type: str


@dataclass
class RCase:
    guid: str
    name: str
    description: str
    values: dict[str, Any] = field(default_factory=dict)
    source_refs: list[str] = field(default_factory=list)
    selection_refs: list[str] = field(default_factory=list)


@dataclass
class RNote:
    guid: str
    name: str
    text: str | None
    plain_text_path: str | None
    user: str | None
    created: datetime | None


@dataclass
class RSet:
    guid: str
    name: str
    codes: list[str] = field(default_factory=list)
    sources: int = 0


@dataclass
class RefiDocument:
    """A ``Project`` or ``CodeBook`` as read, before anything is stored."""

    kind: str  # "project" or "codebook"
    name: str = ""
    origin: str = ""
    creating_user: str | None = None
    users: dict[str, RUser] = field(default_factory=dict)
    codes: list[RCode] = field(default_factory=list)  # parents before children
    variables: dict[str, RVariable] = field(default_factory=dict)
    cases: list[RCase] = field(default_factory=list)
    sources: list[RSource] = field(default_factory=list)
    other_sources: list[tuple[str, str, int]] = field(default_factory=list)  # (element, name, codings)
    notes: dict[str, RNote] = field(default_factory=dict)
    sets: list[RSet] = field(default_factory=list)
    project_note_refs: list[str] = field(default_factory=list)
    links: int = 0
    graphs: int = 0
    warnings: list[str] = field(default_factory=list)
    code_id_problems: list[str] = field(default_factory=list)

    @property
    def own(self) -> dict[str, Any] | None:
        """Our own note's JSON, when the file was written by trivselkode."""
        for note in self.notes.values():
            if note.name == NOTE_NAME and note.text:
                try:
                    data = json.loads(note.text)
                except ValueError:
                    return None
                if isinstance(data, dict) and data.get("format") == NOTE_FORMAT:
                    return data
        return None


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
        f"{where}: {len(odd)} id'er er ikke GUID'er, som REFI-QDA kræver (fx '{example}' på <{element}>); de er brugt, som de står"
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


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


_EXPORT_AGAIN = "eksportér filen igen fra programmet, den kommer fra"


def parse_xml(data: bytes, where: str) -> etree._Element:
    """The root element of the XML ``data`` (a BOM and leading blanks allowed)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.lstrip()
    # No program writes a DTD into a REFI-QDA file; one could hide an entity bomb or read other files.
    refuse_dtd(data, where, _EXPORT_AGAIN)
    # huge_tree: a long text (our own note, a PlainTextContent) may pass libxml2's 10 MB a node;
    # the input is already bounded, and entities cannot expand without a DTD.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise TrivselError(
            f"{where} kan ikke læses som XML: {str(exc).splitlines()[0] if str(exc) else 'ugyldig XML'}",
            "vælg en REFI-QDA-fil (.qdpx, .qde eller .qdc) fra NVivo, ATLAS.ti, MAXQDA, QualCoder eller trivselkode",
        ) from None


def parse_document(root: etree._Element, where: str) -> RefiDocument:
    """Read a ``Project`` or ``CodeBook`` element into a :class:`RefiDocument`."""
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
            f"{where} er ikke REFI-QDA: rodelementet er <{name or '?'}>, ikke <Project> eller <CodeBook>",
            "vælg en REFI-QDA-fil (.qdpx, .qde eller .qdc)",
        )
    if ns != expected:
        doc.warnings.append(
            f"{where}: navnerummet er {ns or 'tomt'}, ikke {expected}; filen læses alligevel som REFI-QDA"
        )
    doc.creating_user = ident(root.get("creatingUserGUID"))
    _note_odd_ids(root, doc, where)
    if doc.kind == "codebook":
        codes_el = _kid(root, "Codes")
        if codes_el is not None:
            _read_codes(codes_el, None, doc)
        _read_sets(root, doc, where)
        return doc

    users = _kid(root, "Users")
    if users is not None:
        for u in _kids(users, "User"):
            g = ident(u.get("guid"))
            if g:
                doc.users[g] = RUser(g, (u.get("name") or u.get("id") or "").strip())
    codebook = _kid(root, "CodeBook")
    if codebook is not None:
        codes_el = _kid(codebook, "Codes")
        if codes_el is not None:
            _read_codes(codes_el, None, doc)
    variables = _kid(root, "Variables")
    if variables is not None:
        for v in _kids(variables, "Variable"):
            g = ident(v.get("guid"))
            if g:
                doc.variables[g] = RVariable(g, (v.get("name") or "").strip(), v.get("typeOfVariable") or "Text")
    cases = _kid(root, "Cases")
    if cases is not None:
        for c in _kids(cases, "Case"):
            g = ident(c.get("guid"))
            if not g:
                continue
            case = RCase(g, (c.get("name") or "").strip(), _text_of(_kid(c, "Description")))
            case.values = _values(c)
            case.source_refs = _refs(c, "SourceRef")
            case.selection_refs = _refs(c, "SelectionRef")
            doc.cases.append(case)
    sources = _kid(root, "Sources")
    if sources is not None:
        for s in sources:
            kind = _local(s)
            if kind == "TextSource":
                doc.sources.append(_read_text_source(s))
            elif kind:
                doc.other_sources.append((kind, s.get("name") or "", sum(1 for _ in s.iter("{*}Coding"))))
    notes = _kid(root, "Notes")
    if notes is not None:
        for n in _kids(notes, "Note"):
            g = ident(n.get("guid"))
            if not g:
                continue
            content = _kid(n, "PlainTextContent")
            doc.notes[g] = RNote(
                g,
                (n.get("name") or "").strip(),
                _text_of(content) if content is not None else None,
                n.get("plainTextPath"),
                ident(n.get("creatingUser")),
                _when(n.get("creationDateTime")),
            )
    links = _kid(root, "Links")
    doc.links = len(_kids(links, "Link")) if links is not None else 0
    graphs = _kid(root, "Graphs")
    doc.graphs = len(_kids(graphs, "Graph")) if graphs is not None else 0
    _read_sets(root, doc, where)
    doc.project_note_refs = _refs(root, "NoteRef")
    return doc


def _read_sets(root: etree._Element, doc: RefiDocument, where: str) -> None:
    sets = _kid(root, "Sets")
    if sets is None:
        return
    members = _kids(sets, "Set")
    if not members:
        doc.warnings.append(f"{where}: et tomt <Sets/> er ikke gyldigt efter REFI-QDA-skemaet; det er sprunget over")
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
                f"'{name}' har intet id" if g is None else f"'{name}' har samme id som '{seen[g]}' ({g})"
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
            f"{len(problems)} kode(r) kan ikke findes ud fra deres id og er importeret uden at kunne bære kodninger fra filen: "
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
        start, end = _int(sel.get("startPosition")), _int(sel.get("endPosition"))
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


# --------------------------------------------------------------------------- opening a file


@dataclass
class RefiFile:
    """An opened ``.qdpx``/``.qde``/``.qdc``: its document and its source files.

    Source files are read from the archive (or the ``sources/`` folder beside
    a bare ``.qde``), and from ``sources_dir`` only when one is given (see the
    module); ``limit`` bounds what is unpacked or read.
    """

    path: Path
    kind: str  # "qdpx", "qde" or "qdc"
    document: RefiDocument
    archive: SafeZip | None = None
    _members: dict[str, str] = field(default_factory=dict)  # lower-case file name -> member
    _files: dict[str, str] = field(default_factory=dict)  # lower-case path below the .qde's folder -> member
    sources_dir: Path | None = None
    limit: UnpackLimit = field(default_factory=UnpackLimit)

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def read_source_file(self, path: str) -> tuple[bytes | None, str]:
        """The bytes of the file a ``plainTextPath`` names, and why not when None.

        Returns ``(None, reason)`` when the file is not read: ``missing-internal``,
        ``not-in-archive``, ``not-included``, ``outside`` (it points outside the
        file and no ``sources_dir`` allows it) or ``not-in-sources-dir``.
        """
        path = path.strip()
        if path.startswith("internal://"):
            name = PurePosixPath(path[len("internal://") :].replace("\\", "/")).name
            if self.archive is not None:
                member = self._members.get(name.lower())
                if member is None:
                    return None, "missing-internal"
                return self.archive.read(member), ""
            return self._beside(name)
        inner = _inside_path(path)
        if inner is not None:  # qc writes "interview.txt" for sources/interview.txt
            if self.archive is not None:
                member = self._files.get(("sources/" + inner).lower()) or self._files.get(inner.lower())
                if member is None:
                    return None, "not-in-archive"
                return self.archive.read(member), ""
            return self._beside(inner)
        # Absolute, file://, relative://, "../x.txt": outside the file, never read against the current folder.
        if self.sources_dir is None:
            return None, "outside"
        return self._from_sources_dir(path)

    def _beside(self, inner: str) -> tuple[bytes | None, str]:
        """A file in the ``sources/`` folder beside a bare ``.qde`` (a link out of that folder is not followed)."""
        for folder in ("sources", "Sources"):
            base = self.path.parent / folder
            candidate = base / inner
            if candidate.is_file():
                try:
                    inside = candidate.resolve().is_relative_to(base.resolve())
                except (OSError, RuntimeError):
                    inside = False
                if not inside:
                    return None, "outside"
                return read_regular_file(candidate, self.limit.total), ""
        return None, "not-included"

    def _from_sources_dir(self, path: str) -> tuple[bytes | None, str]:
        """The file ``path`` names, if it lies in ``sources_dir`` once symbolic links are resolved."""
        assert self.sources_dir is not None
        root = self.sources_dir.resolve()
        raw = path.replace("\\", "/")
        candidates: list[Path] = []
        if raw.lower().startswith("file://"):
            url = urlsplit(path)
            if url.netloc in ("", "localhost"):
                candidates.append(Path(unquote(url.path)))
        elif raw.startswith("relative://"):
            candidates.append(root / raw[len("relative://") :].lstrip("/"))
        elif raw.startswith("/"):
            candidates.append(Path(raw))
        elif not _SCHEME_RE.match(raw):
            candidates.append(root / raw)
        # The file's name in the folder: paths are the sender's (C:\Users\…\interview.txt).
        name = raw.rstrip("/").rsplit("/", 1)[-1]
        if name not in ("", ".", ".."):
            candidates.append(root / unquote(name))
        escaped = False
        for candidate in candidates:
            try:
                real = candidate.resolve(strict=True)
            except (OSError, RuntimeError, ValueError):
                continue
            if not real.is_relative_to(root):
                # Only what is in the folder counts; a link from inside it to elsewhere is refused.
                escaped = escaped or candidate.absolute().parent.resolve().is_relative_to(root)
                continue
            if real.is_file():
                return read_regular_file(real, self.limit.total), ""
        return None, "link-out-of-sources-dir" if escaped else "not-in-sources-dir"


_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _inside_path(path: str) -> str | None:
    """``path`` as a path inside the archive's ``sources/`` folder, or None when it points elsewhere.

    A relative path without a scheme, a drive letter or ``..`` is inside
    (``interview.txt``, ``round2/interview.txt``, ``sources/interview.txt``).
    """
    path = path.replace("\\", "/").strip()
    if not path or path.startswith("/") or _SCHEME_RE.match(path):
        return None
    parts = [p for p in PurePosixPath(path).parts if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    if len(parts) > 1 and parts[0].lower() == "sources":
        parts = parts[1:]
    return "/".join(parts)


def open_refi(
    path: str | Path,
    *,
    sources_dir: str | Path | None = None,
    max_unpacked: UnpackLimit | int | str | None = None,
) -> RefiFile:
    """Open a REFI-QDA file, telling ``.qdpx`` (zip) from ``.qde``/``.qdc`` (XML) by content.

    ``sources_dir`` is a folder from which source files outside the file may
    be read; ``max_unpacked`` bounds unpacking (see
    :class:`~trivselkode.importers.safety.UnpackLimit`).
    """
    path = Path(path)
    limit = UnpackLimit.of(max_unpacked)
    folder: Path | None = None
    if sources_dir is not None:
        folder = Path(sources_dir)
        if not folder.is_dir():
            raise TrivselError(f"--sources-dir {folder} er ikke en mappe", "angiv mappen med kildernes tekstfiler")
    if path.is_dir():
        raise TrivselError(f"{path} er en mappe, ikke en REFI-QDA-fil")
    if not path.is_file():
        raise TrivselError(f"{path}: filen findes ikke", "tjek stien")
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise TrivselError(f"{path} kan ikke læses: {exc.strerror or exc}") from None
    if head.startswith(b"PK"):
        rf = _open_archive(path, limit)
    else:
        if path.suffix.lower() == ".qdpx":
            raise TrivselError(
                f"{path} er ikke en .qdpx-fil (ikke et zip-arkiv)", "eksportér projektet igen fra programmet"
            )
        data = path.read_bytes()
        root = parse_xml(data, str(path))
        doc = parse_document(root, str(path))
        rf = RefiFile(path=path, kind="qdc" if doc.kind == "codebook" else "qde", document=doc)
    rf.sources_dir = folder
    rf.limit = limit
    return rf


def _open_archive(path: Path, limit: UnpackLimit) -> RefiFile:
    archive = SafeZip(path, limit, hint="eksportér projektet igen")
    try:
        names = archive.namelist()
        qdes = [n for n in names if n.lower().endswith(".qde") and not PurePosixPath(n).name.startswith(("._", "."))]
        if not qdes:
            raise TrivselError(
                f"{path} indeholder ingen .qde-fil, så det er ikke et REFI-QDA-projekt",
                "en .qdpx skal indeholde project.qde og mappen sources/",
            )
        if len(qdes) > 1:
            top = [n for n in qdes if "/" not in n]
            if len(top) != 1:
                raise TrivselError(f"{path} indeholder flere .qde-filer ({', '.join(qdes[:4])}); der må kun være én")
            qdes = top
        root = parse_xml(archive.read(qdes[0]), f"{path}:{qdes[0]}")
        doc = parse_document(root, f"{path}:{qdes[0]}")
        if doc.kind != "project":
            raise TrivselError(
                f"{path}: {qdes[0]} er en kodebog, ikke et projekt", "en .qdpx skal indeholde et <Project>"
            )
        members: dict[str, str] = {}
        for n in names:
            parts = PurePosixPath(n).parts
            if len(parts) >= 2 and parts[-2].lower() == "sources":
                members.setdefault(parts[-1].lower(), n)
        for n in names:  # anything else by its file name, as a last resort
            members.setdefault(PurePosixPath(n).name.lower(), n)
        # Paths as written relative to the project file (qc's plainTextPath="round2/interview.txt").
        base = str(PurePosixPath(qdes[0]).parent)
        prefix = "" if base == "." else base + "/"
        files = {n[len(prefix) :].lower(): n for n in names if n.startswith(prefix)}
    except BaseException:
        archive.close()
        raise
    return RefiFile(path=path, kind="qdpx", document=doc, archive=archive, _members=members, _files=files)


def _decode_raw(data: bytes, where: str) -> str:
    """Decoded text with the BOM removed and nothing else changed."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        if data.startswith(codecs.BOM_UTF16_LE):
            return data[2:].decode("utf-16-le")
        if data.startswith(codecs.BOM_UTF16_BE):
            return data[2:].decode("utf-16-be")
    except UnicodeDecodeError:
        raise TrivselError(f"{where} begynder som Unicode-tekst (BOM), men indeholder ugyldige tegn") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


# --------------------------------------------------------------------------- names and keys


def coder_name_for(user: RUser | None, fallback: str) -> str:
    """A valid coder name for a REFI user (``Friedrich Markgraf`` → ``Friedrich_Markgraf``)."""
    name = unicodedata.normalize("NFC", user.name if user else "").strip()
    name = _CODER_BAD.sub("_", name).strip("_")[:64]
    if not name and user is not None:
        name = f"bruger-{user.guid[:8].lower()}"
    return name or fallback


_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa", "ß": "ss"})


def slug(name: str, limit: int = 32) -> str:
    """A short ASCII key part from a code name (``Social støtte`` → ``social-stoette``)."""
    text = unicodedata.normalize("NFKD", name.translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:limit].rstrip("-") or "kode"


# --------------------------------------------------------------------------- the codebook part


@dataclass
class _CodePlan:
    guid: str
    name: str
    parent: str | None  # GUID of the parent in the plan
    description: str
    color: str | None
    retired: bool
    note_refs: list[str]
    own: dict[str, Any] | None = None  # our note's facts about the code
    kind: str | None = None


def _plan_codes(doc: RefiDocument, split_names: bool, warnings: list[str]) -> list[_CodePlan]:
    """The codes to store, parents first, with ``Parent::child`` split when asked."""
    own = doc.own or {}
    own_codes = own.get("codes") or {}
    kinds: dict[str, str] = {}
    for s in doc.sets:
        if s.name.startswith(KIND_SET_PREFIX):
            kind = s.name[len(KIND_SET_PREFIX) :].strip()
            for g in s.codes:
                kinds.setdefault(g, kind)
    plans: list[_CodePlan] = []
    dropped_colors: list[str] = []
    for code in doc.codes:
        color = None
        if code.color and code.color.strip():
            color = normalize_color(code.color)
            if color is None:
                dropped_colors.append(f"{code.name} ({code.color.strip()})")
        facts = own_codes.get(code.guid) or own_codes.get(code.guid.lower())
        retired = bool(facts.get("retired")) if facts else (not code.codable and not code.has_children)
        plans.append(
            _CodePlan(
                guid=code.guid,
                name=code.name or "(uden navn)",
                parent=code.parent,
                # Our own text as it was; others' as a person reads it (OpenQDA indents it like the XML).
                description=code.description if facts else textwrap.dedent(code.description).strip(),
                color=color,
                retired=retired,
                note_refs=list(code.note_refs),
                own=facts,
                kind=(facts or {}).get("kind") or kinds.get(code.guid),
            )
        )
    if dropped_colors:
        warnings.append(
            f"{len(dropped_colors)} farve(r) er ikke #RRGGBB eller #RGB og er udeladt: {', '.join(dropped_colors[:5])}"
            + (" …" if len(dropped_colors) > 5 else "")
        )
    if not split_names:
        return plans
    # ATLAS.ti writes a hierarchy as flat names "Parent::child".
    by_top_name = {p.name: p for p in plans if p.parent is None and SPLIT not in p.name}
    out: list[_CodePlan] = []
    made: dict[str, _CodePlan] = {}
    pending_children: list[_CodePlan] = []
    for plan in plans:
        if plan.parent is not None or SPLIT not in plan.name:
            out.append(plan)
            continue
        parts = [p.strip() for p in plan.name.split(SPLIT)]
        if any(not p for p in parts):
            out.append(plan)
            continue
        parent_guid: str | None = None
        path: list[str] = []
        for part in parts[:-1]:
            path.append(part)
            joined = SPLIT.join(path)
            if len(path) == 1 and part in by_top_name:
                parent_guid = by_top_name[part].guid
                continue
            if joined not in made:
                from trivselkode.domain.guids import guid as stable_guid

                group = _CodePlan(
                    guid=stable_guid("split", joined).upper(),
                    name=part,
                    parent=parent_guid,
                    description="",
                    color=None,
                    retired=False,
                    note_refs=[],
                )
                made[joined] = group
                out.append(group)
            parent_guid = made[joined].guid
        plan.name = parts[-1]
        plan.parent = parent_guid
        pending_children.append(plan)
    # Children after every parent (a "Coke::diet Coke" may come before "Coke").
    return out + pending_children


def _order_parents_first(plans: list[_CodePlan]) -> list[_CodePlan]:
    """The plans with every parent before its children (a loop of parents is cut where it closes)."""
    by_guid = {p.guid: p for p in plans}
    done: set[str] = set()
    out: list[_CodePlan] = []
    for p in plans:
        chain: list[_CodePlan] = []  # p and its ancestors not placed yet, child first
        on_chain: set[str] = set()
        current: _CodePlan | None = p
        while current is not None and current.guid not in done and current.guid not in on_chain:
            chain.append(current)
            on_chain.add(current.guid)
            current = by_guid.get(current.parent) if current.parent else None
        for plan in reversed(chain):
            done.add(plan.guid)
            out.append(plan)
    return out


def _check_depth(plans: list[_CodePlan], where: Path) -> None:
    """Refuse, in one line, a code tree deeper than MAX_CODE_DEPTH (``plans`` ordered parents first)."""
    depth: dict[str, int] = {}
    for plan in plans:
        depth[plan.guid] = depth.get(plan.parent, 0) + 1 if plan.parent else 1
    deepest = max(depth.values(), default=0)
    if deepest > MAX_CODE_DEPTH:
        first = next(plan for plan in plans if depth[plan.guid] > MAX_CODE_DEPTH)
        raise TrivselError(
            f"{where}: kodetræet er {deepest} niveauer dybt (koden '{first.name}' ligger på niveau "
            f"{MAX_CODE_DEPTH + 1}), men trivselkode tager højst {MAX_CODE_DEPTH} niveauer; intet er importeret",
            "flyt koderne højere op i programmet, filen kommer fra, og eksportér igen",
        )


@dataclass
class QdcCodebook:
    """A ``.qdc`` read as a :class:`Codebook`, with what was noticed on the way."""

    codebook: Codebook
    warnings: list[str] = field(default_factory=list)


def read_qdc(path: str | Path | RefiFile, project: Any = None, *, split_names: bool = False) -> QdcCodebook:
    """Read a REFI-QDA codebook (``.qdc``) as a :class:`Codebook` for ``codebook load``.

    Keys: a code keeps the key of the project code (of ``project``, when
    given) whose exported GUID it carries, or of the project code with the
    same name under the same parent; new codes get keys made from their names.
    Kinds come from the ``Kodetype: …`` sets our export writes; what a
    ``.qdc`` cannot carry (include/exclude, examples, keywords, shortcut)
    is taken from the project's code of the same key. A code that is not
    codable and has no children (a retired code) is left out: loading keeps
    the project's code as it is, and ``--prune`` retires it.
    """
    rf = path if isinstance(path, RefiFile) else open_refi(path)
    try:
        doc = rf.document
    finally:
        rf.close()
    warnings = list(doc.warnings)
    plans = _order_parents_first(_plan_codes(doc, split_names, warnings))
    _check_depth(plans, rf.path)
    # A retired code is one the codebook no longer lists (``codebook load`` retires it).
    parents = {p.parent for p in plans}
    plans = [p for p in plans if not (p.retired and p.guid not in parents)]
    rows: list[Any] = []
    if project is not None:
        from sqlmodel import select

        from trivselkode.storage.models import Code

        with project.read() as session:
            rows = list(session.exec(select(Code)))
    keys = _assign_keys(plans, [(c.id, c.key, c.name, c.parent_id) for c in rows])
    known = {c.key: c for c in rows}
    specs: list[CodeSpec] = []
    for position, plan in enumerate(plans):
        key = keys[plan.guid]
        spec = CodeSpec(
            key=key,
            name=plan.name,
            parent=keys.get(plan.parent) if plan.parent else None,
            kind=plan.kind or "",
            description=plan.description,
            color=plan.color,
            position=position,
        )
        old = known.get(key)
        if old is not None:  # what a .qdc cannot carry stays as it is in the project
            spec.kind = plan.kind if plan.kind is not None else old.kind
            spec.include, spec.exclude = old.include, old.exclude
            spec.characteristics = list(old.characteristics or [])
            spec.examples = list(old.examples or [])
            spec.keywords = list(old.keywords or [])
            spec.shortcut = old.shortcut
        specs.append(spec)
    name = rf.path.stem
    return QdcCodebook(Codebook(name=name, version=1, codes=specs), warnings)


def _assign_keys(plans: list[_CodePlan], existing: list[tuple[int, str, str, int | None]]) -> dict[str, str]:
    """A key for every planned code (GUID → key), reusing existing keys where they match."""
    from trivselkode.domain.guids import code_guid

    by_export_guid = {code_guid(key).upper(): (cid, key) for cid, key, _n, _p in existing}
    by_name_parent = {(name, parent): (cid, key) for cid, key, name, parent in existing}
    id_of_key = {key: cid for cid, key, _n, _p in existing}
    used = set(id_of_key)
    keys: dict[str, str] = {}
    for plan in plans:
        key = None
        if plan.own and plan.own.get("key"):
            key = str(plan.own["key"])
        elif plan.guid in by_export_guid:
            key = by_export_guid[plan.guid][1]
        else:
            parent_key = keys.get(plan.parent) if plan.parent else None
            parent_id = id_of_key.get(parent_key) if parent_key else None
            if plan.parent is None or parent_id is not None:
                hit = by_name_parent.get((plan.name, parent_id))
                if hit is not None and hit[1] not in keys.values():
                    key = hit[1]
        if key is None:
            parent_key = keys.get(plan.parent) if plan.parent else None
            base = f"{parent_key}.{slug(plan.name)}" if parent_key else slug(plan.name)
            base = base[:120]
            key = base
            n = 2
            while key in used:
                key = f"{base}-{n}"
                n += 1
        used.add(key)
        keys[plan.guid] = key
    return keys


# --------------------------------------------------------------------------- the report


@dataclass
class SourceResult:
    name: str
    status: str  # imported | unchanged | revised | skipped
    passages: int = 0
    codings: int = 0
    selections: int = 0
    placed: int = 0
    split: str = ""  # how the text became passages: trivselkode | turns | paragraphs
    reading: str | None = None
    reading_scores: dict[str, int] = field(default_factory=dict)
    on_word_boundary: int = 0
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class PlacedSelection:
    """Where one selection landed (for checks and ``--format json``)."""

    source: str
    guid: str
    start: int  # in the stored text
    end: int
    passages: list[int]


@dataclass
class RefiImportReport:
    file: str
    kind: str
    origin: str = ""
    own: bool = False
    codes_added: list[str] = field(default_factory=list)
    codes_updated: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    participants: int = 0
    codings: int = 0
    memos: int = 0
    sources: list[SourceResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    placements: list[PlacedSelection] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "origin": self.origin,
            "trivselkode": self.own,
            "codes_added": list(self.codes_added),
            "codes_updated": list(self.codes_updated),
            "coders": list(self.coders),
            "participants": self.participants,
            "codings": self.codings,
            "memos": self.memos,
            "sources": [s.as_dict() for s in self.sources],
            "skipped": list(self.skipped),
            "warnings": list(self.warnings),
        }


# --------------------------------------------------------------------------- planning sources


@dataclass
class _SourcePlan:
    rsource: RSource
    parsed: ParsedSource
    digest: str
    pmap: PositionMap
    reading: Reading
    result: SourceResult
    sentences: list[str] | None = None  # JSON per turn, as pipeline.segment makes them


def _label_lines(text: str, turns: list[ParsedTurn]) -> tuple[int, int]:
    nonblank = sum(1 for line in text.split("\n") if line.strip())
    return len(turns), nonblank


def _paragraphs(text: str, speaker: str) -> list[ParsedTurn]:
    turns = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + (len(line) - len(line.lstrip()))
            turns.append(ParsedTurn(speaker=speaker, start=start, end=start + len(stripped), text=stripped))
        pos += len(line) + 1
    return turns


def _variable_facts(values: dict[str, Any], variables: dict[str, RVariable]) -> dict[str, Any]:
    """Variable GUID → value as name → value."""
    out: dict[str, Any] = {}
    for g, value in values.items():
        var = variables.get(g)
        if var is not None and var.name:
            out[var.name] = value
    return out


def _participant_from_case(label: str, facts: dict[str, Any], warnings: list[str]) -> ParsedParticipant:
    from trivselkode.importers.metadata import default_role, jsonable

    p = ParsedParticipant(label=label, role=default_role(label))
    for name, value in facts.items():
        folded = name.strip().casefold()
        if folded in ("role", "rolle"):
            role = _ROLES.get(str(value).strip().casefold())
            if role:
                p.role = role
                continue
        standard = ATTRIBUTE_ALIASES.get(folded)
        if standard == "age":
            age = value if isinstance(value, int) and not isinstance(value, bool) else _int(str(value))
            if age is not None and 0 <= age <= 130:
                p.age = age
                continue
            warnings.append(f"deltageren '{label}': alderen '{value}' er ikke et helt tal og er gemt som egenskab")
            p.attributes[name] = jsonable(value)
        elif standard in ("gender", "site"):
            setattr(p, standard, " ".join(str(value).split())[: 32 if standard == "gender" else 128] or None)
        else:
            p.attributes[name] = jsonable(value)
    return p


def _own_participant(data: dict[str, Any]) -> ParsedParticipant:
    age = data.get("age")
    return ParsedParticipant(
        label=str(data.get("label") or PARAGRAPH_SPEAKER),
        role="interviewer" if data.get("role") == "interviewer" else "participant",
        gender=data.get("gender"),
        age=age if isinstance(age, int) and not isinstance(age, bool) else None,
        site=data.get("site"),
        attributes=dict(data.get("attributes") or {}),
    )


def _source_metadata(
    rsource: RSource, doc: RefiDocument, own: dict[str, Any] | None, warnings: list[str]
) -> dict[str, Any]:
    from trivselkode.importers.metadata import jsonable

    if own is not None:
        facts = (own.get("sources") or {}).get(rsource.guid)
        if isinstance(facts, dict):
            meta: dict[str, Any] = dict(facts.get("extra") or {})
            for key in ("title", "kind", "site", "context", "round", "date"):
                if facts.get(key) is not None:
                    meta[key] = facts[key]
            return meta
    meta = {}
    for name, value in _variable_facts(rsource.values, doc.variables).items():
        folded = name.strip().casefold()
        key = {
            "bibliotek": "site",
            "library": "site",
            "titel": "title",
            "type": "kind",
            "kontekst": "context",
            "runde": "round",
            "dato": "date",
        }.get(folded, folded)
        if key == "kind" and str(value).strip().casefold() in SOURCE_KINDS:
            meta["kind"] = str(value).strip().casefold()
        elif key == "context" and str(value).strip().casefold() in CONTEXTS:
            meta["context"] = str(value).strip().casefold()
        elif key == "round" and (isinstance(value, int) or _int(str(value)) is not None):
            meta["round"] = value if isinstance(value, int) else _int(str(value))
        elif key in ("title", "site", "date"):
            meta[key] = " ".join(str(value).split())[: 128 if key == "site" else 10_000]
        else:
            if key in ("kind", "context", "round"):
                warnings.append(
                    f"kilden '{rsource.name}': {name} = '{value}' er ikke en kendt værdi; gemt som ekstra metadata"
                )
            meta[name] = jsonable(value)
    return meta


def _plan_source(
    rf: RefiFile,
    rsource: RSource,
    name: str,
    doc: RefiDocument,
    own: dict[str, Any] | None,
    cases_by_source: dict[str, list[RCase]],
    report: RefiImportReport,
) -> _SourcePlan | None:
    result = SourceResult(name=name, status="skipped", selections=len(rsource.selections))
    data: bytes | None = None
    if rsource.content is not None and rsource.content.strip():
        raw = rsource.content
    else:
        raw = None
        reason = "no-text"
        if rsource.plain_text_path:
            data, reason = rf.read_source_file(rsource.plain_text_path)
        if data is None:
            if reason == "missing-internal":
                raise TrivselError(
                    f"{rf.path}: kilden '{name}' peger på {rsource.plain_text_path}, men filen mangler i arkivet",
                    "eksportér projektet igen; intet er importeret",
                )
            why = {
                "not-included": f"tekstfilen {rsource.plain_text_path} følger ikke med filen",
                "not-in-archive": f"tekstfilen {rsource.plain_text_path} findes ikke i arkivets sources/-mappe",
                "outside": f"tekstfilen {rsource.plain_text_path} ligger uden for filen og læses kun fra en mappe, du tillader med --sources-dir MAPPE",
                "not-in-sources-dir": f"tekstfilen {rsource.plain_text_path} findes ikke i {rf.sources_dir}",
                "link-out-of-sources-dir": f"tekstfilen {rsource.plain_text_path} er et symbolsk link ud af {rf.sources_dir} og læses ikke",
                "no-text": "kilden har ingen ren tekst (kun formateret tekst)"
                if rsource.rich_text_path
                else "kilden har ingen tekst",
            }[reason]
            result.reason = why
            report.sources.append(result)
            codings = sum(len(s.codings) for s in rsource.selections) + len(rsource.codings)
            report.skipped.append(
                f"kilden '{name}': {why}; {len(rsource.selections)} markering(er) og {codings} kodning(er) er sprunget over"
            )
            return None
        raw = _decode_raw(data, f"{rf.path}:{rsource.plain_text_path}")
    pmap = PositionMap(cast(str, raw))  # set above unless the source was skipped
    text = pmap.text
    if not text.strip():
        result.reason = "teksten er tom"
        report.sources.append(result)
        report.skipped.append(f"kilden '{name}': teksten er tom; sprunget over")
        return None

    # How positions are counted.
    selections = [(s.start, s.end, s.name) for s in rsource.selections]
    if own is not None:  # our own files count code points, always
        choice = choose_reading(pmap, selections, (CODEPOINTS,))
    else:
        choice = choose_reading(pmap, selections)
    result.reading = pmap.effective(choice.reading).name if selections else None
    result.reading_scores = choice.scores if selections else {}
    result.on_word_boundary = choice.on_boundary

    # Passages.
    warnings = report.warnings
    cases = cases_by_source.get(rsource.guid, [])
    participants: list[ParsedParticipant] = []
    turns: list[ParsedTurn] | None = None
    own_cases = (own or {}).get("cases") or {}
    if own is not None:
        for case in cases:
            facts = own_cases.get(case.guid)
            if isinstance(facts, dict):
                participants.append(_own_participant(facts))
        by_case = {
            case.guid: _own_participant(own_cases[case.guid]).label
            for case in cases
            if isinstance(own_cases.get(case.guid), dict)
        }
        listed = (own.get("passages") or {}).get(rsource.guid)
        if isinstance(listed, list):
            turns = []
            last = 0
            for item in listed:
                try:
                    start, end, case_guid = int(item[0]), int(item[1]), str(item[2]).upper()
                except (TypeError, ValueError, IndexError):
                    turns = None
                    break
                label = by_case.get(case_guid)
                if label is None or not last <= start < end <= len(text):
                    turns = None
                    break
                turns.append(ParsedTurn(speaker=label, start=start, end=end, text=text[start:end]))
                last = end
            if turns is None:
                warnings.append(
                    f"kilden '{name}': udsagnslisten i trivselkode-noten passer ikke til teksten; udsagn findes efter replikreglerne"
                )
            else:
                result.split = "trivselkode"
    else:
        for case in cases:
            label = case.name
            prefix = f"{name}: "
            if label.startswith(prefix) and len(label) > len(prefix):
                label = label[len(prefix) :]
            label = " ".join(label.split())[:255] or PARAGRAPH_SPEAKER
            if any(p.label.casefold() == label.casefold() for p in participants):
                continue
            participants.append(_participant_from_case(label, _variable_facts(case.values, doc.variables), warnings))
    if turns is None:
        from trivselkode.importers.metadata import ParticipantBook
        from trivselkode.importers.text import parse_turns

        book = ParticipantBook(participants)
        candidate = parse_turns(text, book, file=name)
        label_lines, nonblank = _label_lines(text, candidate)
        covered = sum(t.end - t.start for t in candidate)
        before = candidate[0].start if candidate else len(text)
        preamble = len(text[:before].strip())
        visible = len(text.strip()) or 1
        if candidate and (
            own is not None
            or (
                label_lines >= max(1, MIN_LABEL_LINE_SHARE * nonblank)
                and preamble <= MAX_PREAMBLE_SHARE * visible
                and covered > 0
            )
        ):
            turns = candidate
            participants = book.participants
            if own is None:
                warnings.extend(w for w in book.warnings if "ukendt deltager" not in w)
            result.split = "turns"
        else:
            speaker = participants[0].label if len(participants) == 1 else PARAGRAPH_SPEAKER
            turns = _paragraphs(text, speaker)
            if not any(p.label == speaker for p in participants):
                participants.append(ParsedParticipant(label=speaker))
            result.split = "paragraphs"
            _assign_case_selections(turns, cases, rsource, pmap, choice.reading, participants)
    metadata = _source_metadata(rsource, doc, own, warnings)
    file_name = ""
    if own is not None:
        file_name = str(((own.get("sources") or {}).get(rsource.guid) or {}).get("file_name") or "")
    if not file_name:
        path = rsource.plain_text_path or rsource.rich_text_path or name
        file_name = PurePosixPath(path.split("://", 1)[-1]).name or name
    parsed = ParsedSource(
        name=name,
        text=text,
        file_name=file_name,
        metadata=metadata,
        participants=participants,
        turns=turns,
        warnings=[],
    )
    result.passages = len(turns)
    return _SourcePlan(rsource, parsed, content_hash(text), pmap, choice.reading, result)


def _name_from_path(path: str | None) -> str:
    """A source name from a path that names the file (``round2/viborg.txt`` → ``viborg``), not from ``internal://<GUID>``."""
    if not path or path.strip().startswith("internal://"):
        return ""
    return " ".join(PurePosixPath(path.replace("\\", "/").split("://", 1)[-1]).stem.split())


def _assign_case_selections(
    turns: list[ParsedTurn],
    cases: list[RCase],
    rsource: RSource,
    pmap: PositionMap,
    reading: Reading,
    participants: list[ParsedParticipant],
) -> None:
    """Paragraphs inside a case's selections are spoken by that case (NVivo case coding)."""
    selections = {s.guid: s for s in rsource.selections}
    claims: dict[int, set[str]] = defaultdict(set)
    labels = {p.label for p in participants}
    for case in cases:
        label = next(
            (p.label for p in participants if p.label == case.name or case.name.endswith(": " + p.label)), None
        )
        if label is None or label not in labels:
            continue
        for ref in case.selection_refs:
            sel = selections.get(ref)
            if sel is None:
                continue
            span = pmap.span(sel.start, sel.end, reading)
            if span is None:
                continue
            for i, t in enumerate(turns):
                if t.start < span[1] and t.end > span[0]:
                    claims[i].add(label)
    for i, who in claims.items():
        if len(who) == 1:
            turns[i].speaker = next(iter(who))


# --------------------------------------------------------------------------- storing


def import_refi(
    project: Any,
    path: str | Path | RefiFile,
    *,
    split_names: bool = False,
    coder: str | None = None,
    on_progress: Callable[[str], None] | None = None,
    sources_dir: str | Path | None = None,
    max_unpacked: UnpackLimit | int | str | None = None,
) -> RefiImportReport:
    """Import a ``.qdpx``, ``.qde`` or ``.qdc`` (a path, or a file from :func:`open_refi`) in one transaction.

    ``sources_dir`` and ``max_unpacked`` are for opening a path (see :func:`open_refi`).
    """
    rf = path if isinstance(path, RefiFile) else open_refi(path, sources_dir=sources_dir, max_unpacked=max_unpacked)
    try:
        return _import(project, rf, split_names=split_names, coder=coder or "import", on_progress=on_progress)
    finally:
        rf.close()


def _import(
    project: Any,
    rf: RefiFile,
    *,
    split_names: bool,
    coder: str,
    on_progress: Callable[[str], None] | None,
) -> RefiImportReport:
    from trivselkode.storage.lookup import check_coder_name

    doc = rf.document
    own = doc.own
    report = RefiImportReport(file=str(rf.path), kind=rf.kind, origin=doc.origin, own=own is not None)
    report.warnings.extend(doc.warnings)
    check_coder_name(coder)

    plans = _order_parents_first(_plan_codes(doc, split_names, report.warnings))
    _check_depth(plans, rf.path)

    # Sources: names, texts, passages, positions.
    cases_by_source: dict[str, list[RCase]] = defaultdict(list)
    selection_source: dict[str, str] = {}
    for s in doc.sources:
        for sel in s.selections:
            selection_source[sel.guid] = s.guid
    own_cases = (own or {}).get("cases") or {}
    for case in doc.cases:
        refs = list(
            dict.fromkeys(
                case.source_refs + [selection_source[r] for r in case.selection_refs if r in selection_source]
            )
        )
        facts = own_cases.get(case.guid)
        if isinstance(facts, dict) and facts.get("source"):
            refs = [str(facts["source"]).upper()]
        for ref in refs:
            cases_by_source[ref].append(case)
    known_sources = {s.guid for s in doc.sources}
    orphan_cases = [c for c in doc.cases if not any(c in cases_by_source.get(g, []) for g in known_sources)]
    if orphan_cases:
        report.skipped.append(
            f"{len(orphan_cases)} case(s) hører ikke til nogen tekstkilde og er sprunget over: "
            + ", ".join(c.name for c in orphan_cases[:5])
        )

    source_plans: list[_SourcePlan] = []
    seen_names: set[str] = set()
    for rsource in doc.sources:
        name = rsource.name or _name_from_path(rsource.plain_text_path) or f"kilde-{rsource.guid[:8].lower()}"
        own_source = ((own or {}).get("sources") or {}).get(rsource.guid)
        if isinstance(own_source, dict) and own_source.get("name"):
            name = str(own_source["name"])
        name = name[:255]
        base, n = name, 2
        while name in seen_names:
            name = f"{base} ({n})"
            n += 1
        seen_names.add(name)
        if on_progress:
            on_progress(name)
        plan = _plan_source(rf, rsource, name, doc, own, cases_by_source, report)
        if plan is not None:
            source_plans.append(plan)

    for kind, sname, codings in doc.other_sources:
        what = {"PictureSource": "billede", "PDFSource": "PDF", "AudioSource": "lyd", "VideoSource": "video"}.get(
            kind, kind
        )
        report.skipped.append(
            f"kilden '{sname}' ({what}): trivselkode koder kun tekst; {codings} kodning(er) er sprunget over"
        )
    if doc.links:
        report.skipped.append(f"{doc.links} forbindelse(r) (Links) er sprunget over")
    if doc.graphs:
        report.skipped.append(f"{doc.graphs} netværk (Graphs) er sprunget over")
    foreign_sets = [s for s in doc.sets if not s.name.startswith(KIND_SET_PREFIX)]
    if foreign_sets:
        report.skipped.append(
            f"{len(foreign_sets)} sæt (Sets) er sprunget over: "
            + ", ".join(s.name for s in foreign_sets[:6])
            + (" …" if len(foreign_sets) > 6 else "")
        )

    # Notes kept in files of their own.
    for note in doc.notes.values():
        if note.text is None and note.plain_text_path:
            data, reason = rf.read_source_file(note.plain_text_path)
            if data is not None:
                note.text = _decode_raw(data, f"{rf.path}:{note.plain_text_path}")
            elif reason == "outside":
                report.skipped.append(
                    f"notatet '{note.name}': tekstfilen {note.plain_text_path} ligger uden for filen "
                    "og læses kun fra en mappe, du tillader med --sources-dir MAPPE"
                )

    # Sentences (spaCy) before the transaction, only for sources that may be stored.
    if source_plans:
        from sqlmodel import select

        from trivselkode.importers.pipeline import segment
        from trivselkode.storage.models import Source

        with project.read() as session:
            have = dict(session.exec(select(Source.name, Source.content_hash)).all())
        for p in source_plans:
            if have.get(p.parsed.name) != p.digest:  # unchanged ones keep theirs
                p.sentences = segment(p.parsed)

    with project.write() as session:
        _store(session, doc, own, plans, source_plans, report, coder)
    return report


def _store(
    session: Any,
    doc: RefiDocument,
    own: dict[str, Any] | None,
    plans: list[_CodePlan],
    source_plans: list[_SourcePlan],
    report: RefiImportReport,
    default_coder: str,
) -> None:
    from sqlalchemy import func, insert
    from sqlmodel import col, select

    from trivselkode.domain.revision import texts_similar
    from trivselkode.importers.pipeline import _insert_source, _revise, _source_fields, _upsert_participants
    from trivselkode.storage.lookup import get_or_create_coder
    from trivselkode.storage.models import Code, Coding, Memo, Meta, Participant, Passage, Source

    # Coders.
    coder_ids: dict[str, int] = {}

    def coder_id(name: str) -> int:
        if name not in coder_ids:
            coder_ids[name] = cast(int, get_or_create_coder(session, name).id)
            if name not in report.coders:
                report.coders.append(name)
        return coder_ids[name]

    user_names = {g: coder_name_for(u, default_coder) for g, u in doc.users.items()}
    renamed = [f"'{u.name}' → '{user_names[g]}'" for g, u in doc.users.items() if u.name and u.name != user_names[g]]
    if renamed:
        report.warnings.append("brugernavne er gjort til gyldige kodernavne: " + ", ".join(renamed[:6]))
    for g in doc.users:
        coder_id(user_names[g])

    def user_coder(*candidates: str | None) -> int:
        for g in candidates:
            if g and g in user_names:
                return coder_id(user_names[g])
        for g in candidates:
            if g:  # a user GUID without a <User>: a coder of its own
                return coder_id(coder_name_for(RUser(g, ""), default_coder))
        return coder_id(default_coder)

    # Codes.
    existing_codes = list(session.exec(select(Code)))
    keys = _assign_keys(plans, [(c.id, c.key, c.name, c.parent_id) for c in existing_codes])
    by_key = {c.key: c for c in existing_codes}
    shortcuts = {c.shortcut: c.key for c in existing_codes if c.shortcut}
    max_position = max((c.position for c in existing_codes), default=-1)
    code_ids: dict[str, int] = {}
    for order, plan in enumerate(plans):
        key = keys[plan.guid]
        code = by_key.get(key)
        parent_id = code_ids.get(plan.parent) if plan.parent else None
        facts = plan.own or {}
        values: dict[str, Any] = {"name": plan.name, "parent_id": parent_id}
        if plan.description or own is not None:
            values["description"] = plan.description
        if plan.color or own is not None:
            values["color"] = plan.color
        if plan.kind is not None:
            values["kind"] = plan.kind
        if facts:
            for f in ("include", "exclude"):
                values[f] = str(facts.get(f) or "")
            for f in ("characteristics", "examples", "keywords"):
                values[f] = [str(x) for x in facts.get(f) or []]
            shortcut = facts.get("shortcut")
            if shortcut and shortcuts.get(shortcut, key) != key:
                report.warnings.append(
                    f"koden {key}: genvejen '{shortcut}' bruges allerede af {shortcuts[shortcut]} og er udeladt"
                )
                shortcut = None
            values["shortcut"] = shortcut
            if shortcut:
                shortcuts[shortcut] = key
            if isinstance(facts.get("position"), int):
                values["position"] = facts["position"]
        values["retired"] = plan.retired
        if code is None:
            code = Code(key=key, name=plan.name)
            code.position = max_position + 1 + order
            for f, v in values.items():
                setattr(code, f, v)
            session.add(code)
            session.flush()
            by_key[key] = code
            report.codes_added.append(key)
        else:
            changed = False
            for f, v in values.items():
                if getattr(code, f) != v:
                    setattr(code, f, v)
                    changed = True
            if changed:
                session.add(code)
                report.codes_updated.append(key)
        code_ids[plan.guid] = cast(int, code.id)
    if own is not None and isinstance(own.get("codebook"), dict) and not existing_codes:
        session.merge(Meta(key="codebook_name", value=str(own["codebook"].get("name") or "Kodebog")))
        session.merge(Meta(key="codebook_version", value=str(own["codebook"].get("version") or "1")))
    session.flush()

    notes = doc.notes
    used_notes: set[str] = set()
    memo_rows: list[dict[str, Any]] = []

    def note_text(g: str) -> str | None:
        note = notes.get(g)
        if note is None or note.text is None or not note.text.strip():
            return None
        used_notes.add(g)
        text = note.text
        if own is None and note.name and not text.lstrip().startswith(note.name):
            text = f"{note.name}\n\n{text}"
        return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))

    def add_memo(
        *,
        source_id: int | None = None,
        passage_id: int | None = None,
        code_id: int | None = None,
        text: str,
        coder: int,
        created: datetime | None,
    ) -> None:
        row: dict[str, Any] = {
            "source_id": source_id,
            "passage_id": passage_id,
            "code_id": code_id,
            "coder_id": coder,
            "text": text,
        }
        if created is not None:
            row["created_at"] = created
        memo_rows.append(row)

    for plan in plans:
        for ref in plan.note_refs:
            text = note_text(ref)
            if text:
                add_memo(
                    code_id=code_ids[plan.guid],
                    text=text,
                    coder=user_coder(notes[ref].user),
                    created=notes[ref].created,
                )

    # Sources, passages, codings.
    coding_rows: list[dict[str, Any]] = []
    for source_plan in source_plans:
        parsed = source_plan.parsed
        result = source_plan.result
        existing = session.exec(select(Source).where(Source.name == parsed.name)).first()
        if existing is None:
            source_id = _insert_source(session, parsed, source_plan.digest, source_plan.sentences or [])
            result.status = "imported"
        elif existing.content_hash == source_plan.digest:
            source = existing
            source_id = source.id
            fields = _source_fields(parsed, source_plan.digest)
            for key in ("title", "kind", "site", "context", "round", "date"):
                if key in parsed.metadata and fields[key] is not None and getattr(source, key) != fields[key]:
                    setattr(source, key, fields[key])
            source.extra = {**(source.extra or {}), **fields["extra"]}
            session.add(source)
            current = {p.label: p for p in session.exec(select(Participant).where(Participant.source_id == source.id))}
            # The paragraph speaker is only a stand-in: the stored passages have their own speakers.
            keep = [p for p in parsed.participants if p.label != PARAGRAPH_SPEAKER or p.label in current]
            _upsert_participants(
                session, source, ParsedSource(parsed.name, parsed.text, parsed.file_name, participants=keep), current
            )
            result.status = "unchanged"
        else:
            if texts_similar(existing.text, parsed.text) is None:
                raise TrivselError(
                    f"kilden '{parsed.name}' findes allerede i projektet med en helt anden tekst",
                    "omdøb eller fjern den eksisterende kilde (`trivselkode sources …`) og importér igen; intet er importeret",
                )
            unplaced_codings = _revise(session, existing, parsed, source_plan.digest, source_plan.sentences or [])
            source_id = existing.id
            result.status = "revised"
            if unplaced_codings:
                report.warnings.append(
                    f"kilden '{parsed.name}': {len(unplaced_codings)} eksisterende kodning(er) kunne ikke genplaceres i den nye tekst; se `trivselkode codings unplaced`"
                )
        session.flush()
        passages = list(
            session.exec(
                select(Passage.id, Passage.number, Passage.start, Passage.end)
                .where(Passage.source_id == source_id)
                .order_by(col(Passage.start))
            ).all()
        )
        result.passages = len(passages)
        starts = [p[2] for p in passages]
        rs = source_plan.rsource
        src_coder = rs.user or doc.creating_user

        def place(
            span: tuple[int, int], starts=starts, passages=passages
        ) -> list[tuple[int, int, int | None, int | None]]:  # noqa: ANN001
            """(passage id, number, start, end) of each passage part of ``span``."""
            from bisect import bisect_right

            a, b = span
            out = []
            i = max(0, bisect_right(starts, a) - 1)
            while i < len(passages) and passages[i][2] < b:
                pid, number, ps, pe = passages[i]
                lo, hi = max(a, ps), min(b, pe)
                if lo < hi:
                    rel: tuple[int | None, int | None] = (lo - ps, hi - ps)
                    if rel == (0, pe - ps):
                        rel = (None, None)
                    out.append((pid, number, rel[0], rel[1]))
                i += 1
            return out

        unplaced = 0
        for sel in rs.selections:
            span = source_plan.pmap.span(sel.start, sel.end, source_plan.reading)
            if span is None or span[0] >= span[1]:
                unplaced += 1
                continue
            parts = place(span)
            if not parts:
                unplaced += 1
                continue
            result.placed += 1
            report.placements.append(PlacedSelection(parsed.name, sel.guid, span[0], span[1], [p[1] for p in parts]))
            for coding in sel.codings:
                code_id = code_ids.get(coding.code) if coding.code else None
                if code_id is None:
                    report.warnings.append(
                        f"kilden '{parsed.name}': en kodning henviser til en ukendt kode ({coding.code}); sprunget over"
                    )
                    continue
                memo_parts = [t for t in (note_text(r) for r in coding.note_refs) if t]
                memo = "\n\n".join(memo_parts) or None
                cid = user_coder(coding.user, sel.user, src_coder)
                for pid, _number, a, b in parts:
                    row: dict[str, Any] = {
                        "passage_id": pid,
                        "code_id": code_id,
                        "coder_id": cid,
                        "start": a,
                        "end": b,
                        "memo": memo,
                    }
                    if coding.created is not None:
                        row["created_at"] = coding.created
                    coding_rows.append(row)
            for ref in sel.note_refs:
                text = note_text(ref)
                if text:
                    note = notes[ref]
                    add_memo(
                        passage_id=parts[0][0],
                        text=text,
                        coder=user_coder(note.user, sel.user, src_coder),
                        created=note.created,
                    )
            if sel.description and own is None:
                add_memo(
                    passage_id=parts[0][0],
                    text=sel.description,
                    coder=user_coder(sel.user, src_coder),
                    created=sel.created,
                )
        for coding in rs.codings:  # coded as a whole source: every passage
            code_id = code_ids.get(coding.code) if coding.code else None
            if code_id is None:
                continue
            cid = user_coder(coding.user, src_coder)
            for pid, _number, _s, _e in passages:
                coding_rows.append(
                    {"passage_id": pid, "code_id": code_id, "coder_id": cid, "start": None, "end": None, "memo": None}
                )
        if unplaced:
            report.skipped.append(
                f"kilden '{parsed.name}': {unplaced} markering(er) kunne ikke placeres i et udsagn og er sprunget over"
            )
        for ref in rs.note_refs:
            text = note_text(ref)
            if text:
                note = notes[ref]
                add_memo(
                    source_id=source_id,
                    text=text,
                    coder=user_coder(note.user, rs.user, doc.creating_user),
                    created=note.created,
                )
        if rs.description and own is None:
            add_memo(
                source_id=source_id,
                text=rs.description,
                coder=user_coder(rs.user, doc.creating_user),
                created=rs.created,
            )
        report.sources.append(result)
        report.participants += len(parsed.participants)

    # Codings: new ones only (a re-import adds nothing twice).
    if coding_rows:
        passage_ids = sorted({r["passage_id"] for r in coding_rows})
        have: set[tuple[int, int, int, int, int]] = set()
        for chunk in range(0, len(passage_ids), 500):
            ids = passage_ids[chunk : chunk + 500]
            for stored in session.exec(
                select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
                    Coding.passage_id,
                    Coding.code_id,
                    Coding.coder_id,
                    func.coalesce(Coding.start, -1),
                    func.coalesce(Coding.end, -1),
                ).where(col(Coding.passage_id).in_(ids))
            ):
                have.add(tuple(stored))
        fresh = []
        now = datetime.now(UTC)
        for row in coding_rows:
            coding_key = (
                row["passage_id"],
                row["code_id"],
                row["coder_id"],
                -1 if row["start"] is None else row["start"],
                -1 if row["end"] is None else row["end"],
            )
            if coding_key in have:
                continue
            have.add(coding_key)
            row.setdefault("created_at", now)
            fresh.append(row)
        if fresh:
            session.execute(insert(Coding), fresh)
        report.codings = len(fresh)
    _count_codings(session, source_plans, coding_rows)

    # Memos: new ones only.
    if memo_rows:
        fresh_memos = []
        for row in memo_rows:
            clause = [Memo.coder_id == row["coder_id"], Memo.text == row["text"]]
            for f in ("source_id", "passage_id", "code_id"):
                column = getattr(Memo, f)
                clause.append(column.is_(None) if row[f] is None else column == row[f])
            if session.exec(select(Memo.id).where(*clause)).first() is None:
                fresh_memos.append(row)
        for row in fresh_memos:
            session.add(Memo(**row))
        report.memos = len(fresh_memos)

    # Notes nobody refers to (or on the project as a whole).
    own_guids = {g for g, n in notes.items() if n.name == NOTE_NAME}
    left = [n for g, n in notes.items() if g not in used_notes and g not in own_guids]
    if left:
        report.skipped.append(
            f"{len(left)} notat(er) hører ikke til en kilde, et udsagn eller en kode og er sprunget over: "
            + ", ".join(f"'{n.name}'" for n in left[:4])
            + (" …" if len(left) > 4 else "")
        )
    session.flush()


def _count_codings(session: Any, source_plans: list[_SourcePlan], coding_rows: list[dict[str, Any]]) -> None:
    """Codings per source in the file (placed parts, before de-duplication)."""
    if not source_plans:
        return
    from sqlmodel import col, select

    from trivselkode.storage.models import Passage, Source

    names = [p.parsed.name for p in source_plans]
    ids = dict(session.exec(select(Source.name, Source.id).where(col(Source.name).in_(names))).all())
    counts: dict[int, int] = defaultdict(int)
    if coding_rows:
        pids = sorted({r["passage_id"] for r in coding_rows})
        of: dict[int, int] = {}
        for chunk in range(0, len(pids), 500):
            of.update(
                session.exec(
                    select(Passage.id, Passage.source_id).where(col(Passage.id).in_(pids[chunk : chunk + 500]))
                ).all()
            )
        for r in coding_rows:
            counts[of[r["passage_id"]]] += 1
    for plan in source_plans:
        plan.result.codings = counts.get(ids.get(plan.parsed.name, -1), 0)
