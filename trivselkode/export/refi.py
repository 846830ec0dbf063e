"""REFI-QDA export: a project as ``.qdpx``, its codebook as ``.qdc``.

A ``.qdpx`` is a zip with ``project.qde`` (XML valid against the REFI-QDA
``Project.xsd``) and ``sources/<GUID>.txt``, one UTF-8 text file per source
holding exactly our stored text (NFC, ``\\n`` line ends, no BOM). Positions
(``startPosition``/``endPosition``) are Unicode code points into that file,
end exclusive.

What goes where:

* coders → ``Users``; the codebook → nested ``Code`` elements with colour and
  description. ``isCodable`` is ``true`` for every code except retired ones:
  in trivselkode any code can be applied, parents included, so a grouping
  code nobody coded with is still codable; a retired code keeps its codings
  but takes no new ones, which is what ``isCodable="false"`` says. Code
  kinds (tema, behov, …) become code ``Sets`` named ``Kodetype: <kind>``;
* every passage → a ``PlainTextSelection`` (named ``Udsagn N · LABEL``)
  referenced by its participant's ``Case``; a whole-passage coding is a
  ``Coding`` in it (``creatingUser`` = the coder, ``creationDateTime``); a
  coding narrowed to a sub-span gets a selection of its own;
* participants → ``Cases`` (named ``<source>: <label>``) with
  ``VariableValue``\\s for gender, age, site, role and every other attribute,
  a ``SourceRef`` to their source and ``SelectionRef``\\s to their passages;
  source metadata (title, kind, site, context, round, date, other keys) →
  ``VariableValue``\\s on the ``TextSource``; the ``Variables`` are declared
  once for the project with their ``typeOfVariable``;
* memos → ``Notes`` referenced (``NoteRef``) from the source, the passage's
  selection, the code, or the coding (a coding's memo);
* what REFI has no place for (code keys, kinds, shortcuts, include/exclude,
  examples, keywords; participant labels and roles; source file names; the
  passage boundaries) → one project-level note named ``trivselkode`` whose
  text is JSON, so that our own import restores the project exactly. Other
  programs show it as an ordinary memo.

GUIDs are UUID 5 of a fixed namespace and our names and keys (source name,
code key, coder name, participant label, passage number, span), so the same
project exports to the same GUIDs every time, and the output bytes are the
same too (no "now" timestamps; zip entries carry a fixed date).

Written atomically: a temporary file beside the target, renamed into place.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Protocol, cast

from lxml import etree
from sqlmodel import col, select

from trivselkode import __version__
from trivselkode.domain.codebook import normalize_color
from trivselkode.domain.guids import (
    code_guid,
    coder_guid,
    guid,
    participant_guid,
    passage_guid,
    source_guid,
    span_guid,
    variable_guid,
)
from trivselkode.errors import TrivselError
from trivselkode.storage.db import Project
from trivselkode.storage.files import check_target, replace_atomically
from trivselkode.storage.models import Code, Coder, Memo, Meta, Participant, Passage, Source

__all__ = [
    "CODEBOOK_NS",
    "NOTE_FORMAT",
    "PROJECT_NS",
    "ExportReport",
    "Pseudonymizer",
    "build_codebook_xml",
    "build_project",
    "export_codebook",
    "export_project",
]

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
#: The ``format`` of the JSON in the ``trivselkode`` note.
NOTE_FORMAT = "trivselkode-refi"
NOTE_NAME = "trivselkode"
KIND_SET_PREFIX = "Kodetype: "
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class Pseudonymizer(Protocol):
    """What ``--pseudonymize`` needs: the reports' replacements for text and labels.

    One that also has ``source(name)`` gives sources their neutral names
    (``Kilde 3``) everywhere a source is named: its file name, cases, notes,
    and the GUIDs derived from its name.
    """

    def text(self, s: str) -> str: ...

    def label(self, l: str) -> str: ...  # noqa: E741


# --------------------------------------------------------------------------- report


@dataclass
class ExportReport:
    path: str
    sources: int = 0
    passages: int = 0
    codings: int = 0
    codes: int = 0
    coders: int = 0
    participants: int = 0
    notes: int = 0
    bytes: int = 0
    pseudonymized: bool = False
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --------------------------------------------------------------------------- small helpers


def _dt(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def _color(value: str | None) -> str | None:
    return normalize_color(value) if value else None


def _excerpt(text: str, limit: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _xml_ok(c: str) -> bool:
    o = ord(c)
    return o in (0x9, 0xA, 0xD) or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or 0x10000 <= o <= 0x10FFFF


def _clean(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry (each becomes U+FFFD)."""
    if value.isprintable() or all(_xml_ok(c) for c in value):
        return value
    return "".join(c if _xml_ok(c) else "\ufffd" for c in value)


_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _attrs(pairs: Iterable[tuple[str, object]]) -> str:
    return "".join(
        f' {name}="{_clean(str(value)).translate(_ATTR_ESCAPES)}"' for name, value in pairs if value is not None
    )


def _text(value: str) -> str:
    return _clean(value).translate(_TEXT_ESCAPES)


def _value_type(values: Iterable[Any]) -> str:
    kinds = set()
    for v in values:
        if isinstance(v, bool):
            kinds.add("Boolean")
        elif isinstance(v, int):
            kinds.add("Integer")
        elif isinstance(v, float):
            kinds.add("Float")
        else:
            kinds.add("Text")
    if kinds == {"Integer", "Float"}:
        return "Float"
    return kinds.pop() if len(kinds) == 1 else "Text"


def _value_xml(var_type: str, value: Any) -> str:
    if var_type == "Boolean":
        return f"<BooleanValue>{'true' if value else 'false'}</BooleanValue>"
    if var_type == "Integer":
        return f"<IntegerValue>{int(value)}</IntegerValue>"
    if var_type == "Float":
        return f"<FloatValue>{format(Decimal(repr(float(value))), 'f')}</FloatValue>"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    return f"<TextValue>{_text(str(value))}</TextValue>"


def _scalar(value: Any) -> bool:
    """Whether ``value`` is worth a ``VariableValue`` (not empty, a finite number)."""
    if value is None or value == "" or (isinstance(value, (list, dict)) and not value):
        return False
    return not (isinstance(value, float) and not math.isfinite(value))


class _Out:
    """XML text written in pieces to a binary stream (UTF-8), buffered."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.parts: list[str] = []
        self.pending = 0

    def __call__(self, piece: str) -> None:
        self.parts.append(piece)
        self.pending += len(piece)
        if self.pending > 1 << 20:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.stream.write("".join(self.parts).encode("utf-8"))
            self.parts.clear()
            self.pending = 0


# --------------------------------------------------------------------------- the data


@dataclass
class _Data:
    name: str
    codebook_name: str
    codebook_version: str
    codes: list[Code]
    coders: dict[int, str]
    sources: list[Source]
    participants: dict[int, list[Participant]]  # by source id
    passages: dict[int, list[tuple[int, int, int, int, int]]]  # source id -> (id, number, participant id, start, end)
    codings: dict[int, list[tuple[int, int, int | None, int | None, str | None, datetime | None]]]  # passage id -> ...
    memos: list[Memo]


def _load(project: Project) -> _Data:
    with project.read() as session:
        meta = {m.key: m.value for m in session.exec(select(Meta))}
        codes = list(session.exec(select(Code).order_by(col(Code.position), col(Code.id))))
        coders = cast(dict[int, str], dict(session.exec(select(Coder.id, Coder.name).order_by(Coder.name)).all()))
        sources = list(session.exec(select(Source).order_by(Source.name)))
        participants: dict[int, list[Participant]] = defaultdict(list)
        for p in session.exec(select(Participant).order_by(col(Participant.source_id), col(Participant.id))):
            participants[p.source_id].append(p)
        passages: dict[int, list[tuple[int, int, int, int, int]]] = defaultdict(list)
        rows = session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
                Passage.id, Passage.source_id, Passage.number, Passage.participant_id, Passage.start, Passage.end
            ).order_by(col(Passage.source_id), col(Passage.number))
        )
        for pid, sid, number, part, start, end in rows:
            passages[sid].append((pid, number, part, start, end))
        codings: dict[int, list[tuple[int, int, int | None, int | None, str | None, Any]]] = defaultdict(list)
        # Plain driver rows: hundreds of thousands of codings, and their times are
        # converted once per distinct value (see ``when``), not once per row.
        driver_rows = session.connection().exec_driver_sql(
            'SELECT passage_id, code_id, coder_id, start, "end", memo, created_at FROM coding ORDER BY passage_id, id'
        )
        for passage_id, code_id, coder_id, start, end, memo, created in driver_rows:
            codings[passage_id].append((code_id, coder_id, start, end, memo, created))
        memos = list(session.exec(select(Memo).order_by(col(Memo.id))))
    if project.is_sqlite:
        name = Path(project.display_name).stem or "trivselkode"
    else:
        name = project.engine.url.database or "trivselkode"
    return _Data(
        name=name,
        codebook_name=meta.get("codebook_name", "Kodebog"),
        codebook_version=meta.get("codebook_version", "1"),
        codes=codes,
        coders=coders,
        sources=sources,
        participants=participants,
        passages=passages,
        codings=codings,
        memos=memos,
    )


# --------------------------------------------------------------------------- pseudonymising text with spans


def _pseudonymize_source(
    text: str, passages: list[tuple[int, int, str]], pseudo: Pseudonymizer
) -> tuple[str, Callable[[int, bool], int]]:
    """``text`` pseudonymised, and a map of old offsets to new ones.

    Each passage is pseudonymised as a whole (so a name is found even where a
    coding's span cuts it); the text between passages too, with the speaker
    label before a passage (``LABEL:``) replaced by the label's pseudonym.
    An offset inside a passage moves with the text around it; one inside a
    replaced stretch goes to the replacement's start (a start) or end (an end).
    """
    pieces: list[str] = []
    anchors: list[tuple[int, int, int, Sequence[tuple[str, int, int, int, int]] | None]] = []
    out = 0
    prev = 0
    for start, end, label in sorted(passages):
        gap = text[prev:start]
        at = gap.rfind(label + ":") if label else -1
        if at >= 0:
            gap = pseudo.text(gap[:at]) + pseudo.label(label) + gap[at + len(label) :]
        else:
            gap = pseudo.text(gap)
        pieces.append(gap)
        out += len(gap)
        old = text[start:end]
        new = pseudo.text(old)
        ops = None if new == old else SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
        anchors.append((start, end, out, ops))
        pieces.append(new)
        out += len(new)
        prev = end
    pieces.append(pseudo.text(text[prev:]))
    starts = [a[0] for a in anchors]

    def moved(pos: int, end: bool = False) -> int:
        i = bisect_right(starts, pos) - 1
        if i < 0 or pos > anchors[i][1]:
            raise ValueError(f"offset {pos} is not inside a passage")
        start, _end, new_start, ops = anchors[i]
        rel = pos - start
        if ops is None:
            return new_start + rel
        result = None
        for tag, i1, i2, j1, j2 in ops:
            if rel < i1:
                break
            if tag == "equal" and rel <= i2:
                return new_start + j1 + rel - i1
            if rel == i1:
                return new_start + j1
            if rel < i2:
                return new_start + (j2 if end else j1)
            result = j2  # rel == i2: the end of a replaced stretch, unless an equal block starts here
        return new_start + (result if result is not None else rel)

    return "".join(pieces), moved


# --------------------------------------------------------------------------- building the project


def _codes_tree(codes: list[Code]) -> dict[int | None, list[Code]]:
    ids = {c.id for c in codes}
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        parent = code.parent_id if code.parent_id in ids and code.parent_id != code.id else None
        children[parent].append(code)
    return children


_SOURCE_VARIABLES = ("title", "kind", "site", "context", "round", "date")
_PARTICIPANT_VARIABLES = ("role", "gender", "age", "site")
_VARIABLE_DESCRIPTIONS = {
    "title": "Kildens titel",
    "kind": "Kildens type: interview, voxpop eller survey",
    "site": "Biblioteket",
    "context": "Bibliotek eller arrangement",
    "round": "Indsamlingsrunde",
    "date": "Dato for kilden",
    "role": "Deltagerens rolle: participant eller interviewer",
    "gender": "Køn",
    "age": "Alder i år",
}
_NAMES_KEYS = ("names", "navne")


def build_project(
    project: Project, pseudonymizer: Pseudonymizer | None = None
) -> tuple[bytes, dict[str, str], ExportReport]:
    """The ``project.qde`` bytes, the source files (GUID file name → text) and counts."""
    stream = io.BytesIO()
    files, report = _write_project(_load(project), pseudonymizer, stream)
    return stream.getvalue(), files, report


def _write_project(data: _Data, pseudo: Pseudonymizer | None, stream: Any) -> tuple[dict[str, str], ExportReport]:
    """Write ``project.qde`` to ``stream``; return the source texts (by file name) and the counts."""
    report = ExportReport(path="", pseudonymized=pseudo is not None)
    out = _Out(stream)
    code_by_id = {c.id: c for c in data.codes}
    code_guids = {c.id: code_guid(c.key) for c in data.codes}
    coder_guids = {cid: coder_guid(name) for cid, name in data.coders.items()}
    source_by_id = {s.id: s for s in data.sources}
    stamps: dict[Any, str | None] = {}

    def when(value: datetime | str | None) -> str | None:
        """A stored time (a datetime, or SQLite's text form of one) as REFI's UTC ``…Z`` form."""
        if value is None:
            return None
        if value not in stamps:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
            if moment.tzinfo is None:  # stored as UTC
                moment = moment.replace(tzinfo=UTC)
            stamps[value] = _dt(moment)
        return stamps[value]

    def ptext(s: str) -> str:
        return pseudo.text(s) if pseudo is not None else s

    def pvalue(value: Any) -> Any:
        """A variable's value: text pseudonymised (an attribute may hold an e-mail, a phone number, a name)."""
        if pseudo is None:
            return value
        if isinstance(value, str):
            return pseudo.text(value)
        if isinstance(value, dict):
            return {k: pvalue(v) for k, v in value.items()}
        if isinstance(value, list):
            return [pvalue(v) for v in value]
        return value

    # A source is named by its neutral name when pseudonymised (its name may come from a file name with a name in it).
    source_name = getattr(pseudo, "source", None) or ptext
    sname = {s.id: source_name(s.name) if pseudo is not None else s.name for s in data.sources}

    # Memos → notes, numbered per target and coder in an order that survives a round trip.
    note_items: list[tuple[str, str, str | None, str | None, str]] = []  # guid, name, user, created, text
    code_notes: dict[int, list[str]] = defaultdict(list)
    source_notes: dict[int, list[str]] = defaultdict(list)
    passage_notes: dict[int, list[str]] = defaultdict(list)
    passage_where: dict[int, tuple[int, int]] = {}
    for sid, rows in data.passages.items():
        for pid, number, _part, _s, _e in rows:
            passage_where[pid] = (sid, number)
    counter: dict[tuple[str, ...], int] = defaultdict(int)
    for memo in sorted(data.memos, key=lambda m: (_dt(m.created_at) or "", m.text, m.id or 0)):
        coder = data.coders.get(memo.coder_id, "")
        if memo.code_id is not None and memo.code_id in code_by_id:
            key = code_by_id[memo.code_id].key
            target: tuple[str, ...] = ("code", key)
            title = f"Notat til koden {key}"
        elif memo.passage_id is not None and memo.passage_id in passage_where:
            sid, number = passage_where[memo.passage_id]
            target = ("passage", sname[sid], str(number))
            title = f"Notat til udsagn {number} i {sname[sid]}"
        elif memo.source_id is not None and memo.source_id in source_by_id:
            target = ("source", sname[memo.source_id])
            title = f"Notat til {sname[memo.source_id]}"
        else:
            continue
        index = counter[(*target, coder)]
        counter[(*target, coder)] += 1
        note_guid = guid("memo", *target, coder, index)
        note_items.append(
            (note_guid, title, coder_guid(coder) if coder else None, _dt(memo.created_at), ptext(memo.text))
        )
        if target[0] == "code":
            code_notes[cast(int, memo.code_id)].append(note_guid)
        elif target[0] == "passage":
            passage_notes[cast(int, memo.passage_id)].append(note_guid)
        else:
            source_notes[cast(int, memo.source_id)].append(note_guid)

    # Variables: their values first, whose types decide typeOfVariable.
    var_values: dict[str, list[Any]] = defaultdict(list)
    source_vars: dict[int, dict[str, Any]] = {}
    dropped_names = False
    for source in data.sources:
        values: dict[str, Any] = {}
        for key in _SOURCE_VARIABLES:
            value = getattr(source, key)
            if _scalar(value):
                values[key] = pvalue(value)
        for key, value in (source.extra or {}).items():
            if key in values or key in _SOURCE_VARIABLES or not _scalar(value):
                continue
            if pseudo is not None and key in _NAMES_KEYS:
                dropped_names = True
                continue
            values[key] = pvalue(value)
        source_vars[cast(int, source.id)] = values
        for key, value in values.items():
            var_values[key].append(value)
    part_vars: dict[int, dict[str, Any]] = {}
    label_of: dict[int, str] = {}
    for source in data.sources:
        for p in data.participants.get(cast(int, source.id), []):
            label_of[cast(int, p.id)] = pseudo.label(p.label) if pseudo is not None else p.label
            values = {key: pvalue(getattr(p, key)) for key in _PARTICIPANT_VARIABLES if _scalar(getattr(p, key))}
            for key, value in (p.attributes or {}).items():
                if key not in values and key not in _PARTICIPANT_VARIABLES and _scalar(value):
                    values[key] = pvalue(value)
            part_vars[cast(int, p.id)] = values
            for key, value in values.items():
                var_values[key].append(value)
    if dropped_names:
        report.warnings.append("navnelister i kildernes metadata er udeladt (--pseudonymize)")
    var_types = {name: _value_type(values) for name, values in var_values.items()}
    var_guids = {name: variable_guid(name) for name in var_types}

    def values_xml(values: dict[str, Any], indent: str) -> str:
        return "".join(
            f'{indent}<VariableValue><VariableRef targetGUID="{var_guids[name]}"/>'
            f"{_value_xml(var_types[name], values[name])}</VariableValue>\n"
            for name in sorted(values)
        )

    # The document.
    out('<?xml version="1.0" encoding="utf-8"?>\n')
    out(
        f'<Project xmlns="{PROJECT_NS}"{_attrs([("name", ptext(data.name)), ("origin", f"trivselkode {__version__}")])}>\n'
    )
    if data.coders:
        out("  <Users>\n")
        for cid, name in sorted(data.coders.items(), key=lambda item: item[1]):
            out(f"    <User{_attrs([('guid', coder_guids[cid]), ('name', name)])}/>\n")
        out("  </Users>\n")
    report.coders = len(data.coders)
    if data.codes:
        out("  <CodeBook>\n    <Codes>\n")
        tree = _codes_tree(data.codes)
        seen: set[int] = set()
        _codes_xml(out, tree, None, code_notes, seen, 3)
        for code in data.codes:  # codes caught in a parent cycle (never expected): at the top
            if code.id not in seen:
                _codes_xml(
                    out, {None: [code], **{k: v for k, v in tree.items() if k is not None}}, None, code_notes, seen, 3
                )
        out("    </Codes>\n  </CodeBook>\n")
    report.codes = len(data.codes)
    if var_types:
        out("  <Variables>\n")
        for name in sorted(var_types):
            attrs = _attrs([("guid", var_guids[name]), ("name", name), ("typeOfVariable", var_types[name])])
            if name in _VARIABLE_DESCRIPTIONS:
                out(
                    f"    <Variable{attrs}><Description>{_text(_VARIABLE_DESCRIPTIONS[name])}</Description></Variable>\n"
                )
            else:
                out(f"    <Variable{attrs}/>\n")
        out("  </Variables>\n")

    # Cases: participants, with their passages' selections.
    note_cases: dict[str, Any] = {}
    passages_of: dict[int, list[int]] = defaultdict(list)
    for rows in data.passages.values():
        for _pid, number, part, _s, _e in rows:
            passages_of[part].append(number)
    cases = [(source, p) for source in data.sources for p in data.participants.get(cast(int, source.id), [])]
    if cases:
        out("  <Cases>\n")
        for source, p in cases:
            label = label_of[cast(int, p.id)]
            name = sname[source.id]
            cguid = participant_guid(name, label)
            role = "interviewer" if p.role == "interviewer" else "deltager"
            out(f"    <Case{_attrs([('guid', cguid), ('name', f'{name}: {label}')])}>\n")
            out(f"      <Description>{_text(f'{label} ({role}) i kilden {name}')}</Description>\n")
            out(values_xml(part_vars[cast(int, p.id)], "      "))
            out(f'      <SourceRef targetGUID="{source_guid(name)}"/>\n')
            for number in passages_of.get(cast(int, p.id), []):
                out(f'      <SelectionRef targetGUID="{passage_guid(name, number)}"/>\n')
            out("    </Case>\n")
            note_cases[cguid] = {
                "source": source_guid(name),
                "label": label,
                "role": p.role,
                "gender": pvalue(p.gender),
                "age": p.age,
                "site": pvalue(p.site),
                "attributes": {k: pvalue(v) for k, v in (p.attributes or {}).items()},
            }
        out("  </Cases>\n")
    report.participants = len(cases)

    # Sources: text files, passages as selections, codings.
    files: dict[str, str] = {}
    note_sources: dict[str, Any] = {}
    note_passages: dict[str, list[list[Any]]] = {}
    if data.sources:
        out("  <Sources>\n")
    for source in data.sources:
        name = sname[source.id]
        sguid = source_guid(name)
        passages = data.passages.get(cast(int, source.id), [])
        text = source.text
        moved = None
        if pseudo is not None:
            labels = {p.id: p.label for p in data.participants.get(cast(int, source.id), [])}
            text, moved = _pseudonymize_source(
                text, [(s, e, labels.get(part, "")) for _i, _n, part, s, e in passages], pseudo
            )

        def at(pos: int, end: bool = False, moved=moved) -> int:  # noqa: ANN001 - this source's mapping
            return moved(pos, end) if moved is not None else pos

        files[f"{sguid}.txt"] = text
        attrs = _attrs(
            [
                ("guid", sguid),
                ("name", name),
                ("plainTextPath", f"internal://{sguid}.txt"),
                ("creationDateTime", when(source.imported_at)),
            ]
        )
        out(f"    <TextSource{attrs}>\n")
        listed: list[list[Any]] = []
        selections: list[tuple[int, int, str]] = []
        for pid, number, part, start, end in passages:
            pstart, pend = at(start), at(end, True)
            label = label_of.get(part, "")
            listed.append([pstart, pend, participant_guid(name, label)])
            report.passages += 1
            whole: list[str] = []
            spans: dict[tuple[int, int], tuple[int, int, list[str]]] = {}
            written: set[str] = set()
            for code_id, coder_id, cs, ce, coding_memo, created in data.codings.get(pid, []):
                coding_code = code_by_id.get(code_id)
                coding_coder = data.coders.get(coder_id)
                if coding_code is None or coding_coder is None:
                    continue
                span_key: tuple[str | int, ...]
                if cs is None or ce is None or (cs <= 0 and ce >= end - start):
                    holder, span_key = whole, ("all",)
                else:
                    a, b = at(start + cs), at(start + ce, True)
                    if (a, b) not in spans:
                        spans[(a, b)] = (cs, ce, [])
                    holder, span_key = spans[(a, b)][2], (cs, ce)
                coding_guid = guid("coding", name, number, *span_key, coding_code.key, coding_coder)
                if coding_guid in written:  # a span over the whole passage beside a whole-passage coding
                    continue
                written.add(coding_guid)
                stamp = when(created)
                piece = f'<Coding guid="{coding_guid}" creatingUser="{coder_guids[coder_id]}"'
                piece += f' creationDateTime="{stamp}">' if stamp else ">"
                piece += f'<CodeRef targetGUID="{code_guids[code_id]}"/>'
                if coding_memo:
                    note_guid = guid("coding-memo", coding_guid)
                    piece += f'<NoteRef targetGUID="{note_guid}"/>'
                    note_items.append(
                        (
                            note_guid,
                            f"Notat til kodning i udsagn {number} i {name}",
                            coder_guids[coder_id],
                            stamp,
                            ptext(coding_memo),
                        )
                    )
                holder.append(piece + "</Coding>")
                report.codings += 1
            refs = "".join(f'<NoteRef targetGUID="{ref}"/>' for ref in passage_notes.get(pid, []))
            head = _attrs(
                [
                    ("guid", passage_guid(name, number)),
                    ("name", f"Udsagn {number} · {label}"),
                    ("startPosition", pstart),
                    ("endPosition", pend),
                ]
            )
            body = "".join(whole) + refs
            selections.append(
                (
                    pstart,
                    -pend,
                    f"      <PlainTextSelection{head}>{body}</PlainTextSelection>\n"
                    if body
                    else f"      <PlainTextSelection{head}/>\n",
                )
            )
            for (a, b), (cs, ce, pieces) in spans.items():
                head = _attrs(
                    [
                        ("guid", span_guid(name, number, cs, ce)),
                        ("name", _excerpt(text[a:b])),
                        ("startPosition", a),
                        ("endPosition", b),
                    ]
                )
                selections.append((a, -b, f"      <PlainTextSelection{head}>{''.join(pieces)}</PlainTextSelection>\n"))
        selections.sort(key=lambda item: (item[0], item[1]))
        for _a, _b, piece in selections:
            out(piece)
        for ref in source_notes.get(cast(int, source.id), []):
            out(f'      <NoteRef targetGUID="{ref}"/>\n')
        out(values_xml(source_vars[cast(int, source.id)], "      "))
        out("    </TextSource>\n")
        note_passages[sguid] = listed
        note_sources[sguid] = {
            "name": name,
            "title": ptext(source.title) if source.title else source.title,
            "kind": source.kind,
            "site": pvalue(source.site),
            "context": pvalue(source.context),
            "round": source.round,
            "date": source.date,
            "file_name": source.file_name if pseudo is None else "",
            "extra": {k: pvalue(v) for k, v in (source.extra or {}).items() if pseudo is None or k not in _NAMES_KEYS},
        }
        report.sources += 1
    if data.sources:
        out("  </Sources>\n")

    # Notes: the memos, then our own note.
    own = {
        "format": NOTE_FORMAT,
        "version": 1,
        "positions": "codepoint",
        "codebook": {"name": data.codebook_name, "version": data.codebook_version},
        "codes": {
            code_guids[c.id]: {
                "key": c.key,
                "kind": c.kind,
                "include": c.include,
                "exclude": c.exclude,
                "characteristics": list(c.characteristics or []),
                "examples": list(c.examples or []),
                "keywords": list(c.keywords or []),
                "shortcut": c.shortcut,
                "retired": bool(c.retired),
                "position": c.position,
            }
            for c in data.codes
        },
        "sources": note_sources,
        "cases": note_cases,
        "passages": note_passages,
    }
    own_guid = guid("trivselkode-note")
    out("  <Notes>\n")
    for note_guid, title, user, note_created, text in sorted(note_items):
        attrs = _attrs(
            [("guid", note_guid), ("name", title), ("creatingUser", user), ("creationDateTime", note_created)]
        )
        out(f"    <Note{attrs}><PlainTextContent>{_text(text)}</PlainTextContent></Note>\n")
    out(f"    <Note{_attrs([('guid', own_guid), ('name', NOTE_NAME)])}>")
    out(
        "<Description>Data til trivselkode (kodenøgler, typer, deltagere, udsagn) som REFI-QDA ikke har plads til. Kan ignoreres.</Description>"
    )
    out(
        f"<PlainTextContent>{_text(json.dumps(own, ensure_ascii=False, separators=(',', ':')))}</PlainTextContent></Note>\n"
    )
    out("  </Notes>\n")
    report.notes = len(note_items)

    # Sets: one per code kind.
    kinds: dict[str, list[Code]] = defaultdict(list)
    for c in data.codes:
        if c.kind:
            kinds[c.kind].append(c)
    if kinds:
        out("  <Sets>\n")
        for kind in sorted(kinds):
            out(f"    <Set{_attrs([('guid', guid('kind', kind)), ('name', KIND_SET_PREFIX + kind)])}>")
            out(f"<Description>{_text(f'Koder af typen {kind!r} (trivselkode)')}</Description>")
            out("".join(f'<MemberCode targetGUID="{code_guids[c.id]}"/>' for c in kinds[kind]))
            out("</Set>\n")
        out("  </Sets>\n")
    out(f'  <NoteRef targetGUID="{own_guid}"/>\n</Project>\n')
    out.flush()
    return files, report


def _codes_xml(
    out: _Out,
    children: dict[int | None, list[Code]],
    parent: int | None,
    note_refs: dict[int, list[str]],
    seen: set[int],
    depth: int,
) -> None:
    pad = "  " * depth
    for code in children.get(parent, []):
        if code.id in seen:
            continue
        seen.add(cast(int, code.id))
        attrs = _attrs(
            [
                ("guid", code_guid(code.key)),
                ("name", code.name),
                ("isCodable", "false" if code.retired else "true"),
                ("color", _color(code.color)),
            ]
        )
        inner = []
        if code.description:
            inner.append(f"{pad}  <Description>{_text(code.description)}</Description>\n")
        inner.extend(f'{pad}  <NoteRef targetGUID="{ref}"/>\n' for ref in note_refs.get(cast(int, code.id), []))
        if not inner and not children.get(code.id):
            out(f"{pad}<Code{attrs}/>\n")
            continue
        out(f"{pad}<Code{attrs}>\n")
        out("".join(inner))
        _codes_xml(out, children, code.id, note_refs, seen, depth + 1)
        out(f"{pad}</Code>\n")


# --------------------------------------------------------------------------- the codebook


class _Tree:
    """Element factory for one namespace (the small ``.qdc``)."""

    def __init__(self, ns: str) -> None:
        self.ns = ns

    def root(self, tag: str, **attrs: str | None) -> etree._Element:
        el = etree.Element(f"{{{self.ns}}}{tag}", nsmap={None: self.ns})
        for key, value in attrs.items():
            if value is not None:
                el.set(key, _clean(value))
        return el

    def sub(self, parent: etree._Element, tag: str, text: str | None = None, **attrs: str | None) -> etree._Element:
        el = etree.SubElement(parent, f"{{{self.ns}}}{tag}")
        for key, value in attrs.items():
            if value is not None:
                el.set(key, _clean(value))
        if text is not None:
            el.text = _clean(text)
        return el


def build_codebook_xml(project: Project) -> tuple[bytes, int]:
    """The ``.qdc`` bytes for the project's codebook and the number of codes.

    ``Codebook.xsd`` asks for at least one ``<Code>``, so an empty codebook
    is refused rather than written as a file no program may accept.
    """
    with project.read() as session:
        codes = list(session.exec(select(Code).order_by(col(Code.position), col(Code.id))))
    if not codes:
        raise TrivselError(
            "kodebogen er tom, og en REFI-QDA-kodebog (.qdc) skal have mindst én kode",
            "indlæs en kodebog (`trivselkode codebook load FIL`) eller tilføj koder først",
        )
    t = _Tree(CODEBOOK_NS)
    root = t.root("CodeBook", origin=f"trivselkode {__version__}")
    codes_el = t.sub(root, "Codes")
    children = _codes_tree(codes)
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
                name=code.name,
                isCodable="false" if code.retired else "true",
                color=_color(code.color),
            )
            if code.description:
                t.sub(el, "Description", code.description)
            write(el, code.id)

    write(codes_el, None)
    kinds: dict[str, list[Code]] = defaultdict(list)
    for c in codes:
        if c.kind:
            kinds[c.kind].append(c)
    if kinds:
        sets_el = t.sub(root, "Sets")
        for kind in sorted(kinds):
            set_el = t.sub(sets_el, "Set", guid=guid("kind", kind), name=KIND_SET_PREFIX + kind)
            t.sub(set_el, "Description", f"Koder af typen '{kind}' (trivselkode)")
            for c in kinds[kind]:
                t.sub(set_el, "MemberCode", guid=code_guid(c.key))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True), len(codes)


# --------------------------------------------------------------------------- writing


def _zip_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def export_project(project: Project, out: str | Path, *, pseudonymizer: Pseudonymizer | None = None) -> ExportReport:
    """Write the whole project to the ``.qdpx`` file ``out`` (whole, or not at all)."""
    size, report = replace_atomically(
        check_target(Path(out)), lambda tmp: write_qdpx(project, tmp, pseudonymizer=pseudonymizer)
    )
    report.path = str(out)
    report.bytes = size
    return report


def write_qdpx(project: Project, path: Path, *, pseudonymizer: Pseudonymizer | None = None) -> ExportReport:
    """Write the project as a ``.qdpx`` archive straight to ``path`` (no temporary file of its own).

    ``project.qde`` is streamed into the archive as it is written, so memory
    stays small however large the project is.
    """
    data = _load(project)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open(_zip_entry("project.qde"), "w") as stream:
            files, report = _write_project(data, pseudonymizer, stream)
        for name in sorted(files):
            zf.writestr(_zip_entry(f"sources/{name}"), files[name].encode("utf-8"))
    return report


def export_codebook(project: Project, out: str | Path) -> ExportReport:
    """Write the project's codebook to the ``.qdc`` file ``out``."""
    xml, count = build_codebook_xml(project)
    report = ExportReport(path=str(out), codes=count)
    report.bytes, _ = replace_atomically(check_target(Path(out)), lambda tmp: tmp.write_bytes(xml))
    return report
