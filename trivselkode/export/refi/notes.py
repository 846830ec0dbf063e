"""Memos as REFI ``Notes``, and the ``trivselkode`` note with what REFI has no place for."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from trivselkode.domain.codebook_spec import EN_FIELDS
from trivselkode.domain.guids import coder_guid, guid
from trivselkode.export.refi.common import NOTE_FORMAT, NOTE_NAME
from trivselkode.export.refi.context import Context
from trivselkode.export.refi.markup import iso_utc, xml_attrs, xml_text
from trivselkode.export.refi.spool import Spool
from trivselkode.i18n import N_
from trivselkode.storage.models import Code

#: A note: (guid, name, creating user's guid, created, text).
NoteItem = tuple[str, str, str | None, str | None, str]


@dataclass
class Notes:
    """The notes to write, and the GUIDs of those each code, source and passage refers to (``NoteRef``)."""

    items: list[NoteItem] = field(default_factory=list)
    of_code: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    of_source: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    of_passage: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


class OwnNote:
    """What the ``trivselkode`` note holds beside the codes, gathered while cases and sources are written.

    Each case's and source's entry is kept as its JSON, and each source's passage boundaries (an
    entry per passage, so they grow with the words) are put aside in a :class:`Spool`: the note's
    JSON is written in pieces and never held whole.
    """

    def __init__(self, passages: Spool | None = None) -> None:
        self.cases: dict[str, str] = {}
        self.sources: dict[str, str] = {}
        self.passages = passages if passages is not None else Spool()

    def add_case(self, case_guid: str, value: dict[str, Any]) -> None:
        self.cases[case_guid] = _json(value)

    def add_source(self, source_guid: str, value: dict[str, Any]) -> None:
        self.sources[source_guid] = _json(value)

    def add_passages(self, source_guid: str, rows: list[list[Any]]) -> None:
        self.passages.put(source_guid, _json(rows))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json_object(entries: Iterable[tuple[str, str]]) -> Iterator[str]:
    """A JSON object in pieces from its keys and their values' JSON (as ``_json`` writes a dict)."""
    yield "{"
    for i, (key, value) in enumerate(entries):
        yield f"{',' if i else ''}{_json(key)}:{value}"
    yield "}"


def collect_notes(ctx: Context) -> Notes:
    """Memos → notes, numbered per target and coder in an order that survives a round trip."""
    data = ctx.data
    notes = Notes()
    passage_where = data.memo_passages
    sname = ctx.source_names
    counter: dict[tuple[str, ...], int] = defaultdict(int)
    for memo in sorted(data.memos, key=lambda m: (iso_utc(m.created_at) or "", m.text, m.id or 0)):
        coder = data.coders.get(memo.coder_id, "")
        if memo.code_id is not None and memo.code_id in ctx.code_by_id:
            key = ctx.code_by_id[memo.code_id].key
            target: tuple[str, ...] = ("code", key)
            title = ctx.t(N_("Notat til koden {key}")).format(key=key)
        elif memo.passage_id is not None and memo.passage_id in passage_where:
            sid, number = passage_where[memo.passage_id]
            target = ("passage", sname[sid], str(number))
            title = ctx.t(N_("Notat til udsagn {number} i {source}")).format(number=number, source=sname[sid])
        elif memo.source_id is not None and memo.source_id in ctx.source_by_id:
            target = ("source", sname[memo.source_id])
            title = ctx.t(N_("Notat til {source}")).format(source=sname[memo.source_id])
        else:
            continue
        index = counter[(*target, coder)]
        counter[(*target, coder)] += 1
        note_guid = guid("memo", *target, coder, index)
        notes.items.append(
            (note_guid, title, coder_guid(coder) if coder else None, iso_utc(memo.created_at), ctx.ptext(memo.text))
        )
        if target[0] == "code":
            notes.of_code[cast(int, memo.code_id)].append(note_guid)
        elif target[0] == "passage":
            notes.of_passage[cast(int, memo.passage_id)].append(note_guid)
        else:
            notes.of_source[cast(int, memo.source_id)].append(note_guid)
    return notes


def own_note_json(ctx: Context, own: OwnNote) -> Iterator[str]:
    """The JSON of the ``trivselkode`` note in pieces: code keys, kinds, sources, cases and passage boundaries."""
    data = ctx.data
    head = _json(
        {
            "format": NOTE_FORMAT,
            "version": 1,
            "positions": "codepoint",
            "codebook": {"name": data.codebook_name, "version": data.codebook_version},
            "codes": {
                ctx.code_guids[c.id]: {
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
                    **_own_texts(c, ctx.lang),
                }
                for c in data.codes
            },
        }
    )
    yield head[:-1]  # the object goes on: its last "}" comes after the passages
    yield ',"sources":'
    yield from _json_object(own.sources.items())
    yield ',"cases":'
    yield from _json_object(own.cases.items())
    yield ',"passages":'
    spool = own.passages
    yield from _json_object((key, spool.get(key)) for key in spool.keys())
    yield "}"


def _own_texts(code: Code, lang: str) -> dict[str, Any]:
    """The code's English (when it has any) and, when the file speaks English, its Danish name and description.

    So that our own import restores the codebook in both languages whatever the file's language.
    """
    texts: dict[str, Any] = {}
    if lang != "da":
        texts["name"] = code.name
        texts["description"] = code.description
    for name in EN_FIELDS:
        value = getattr(code, name, None)
        if value:
            texts[name] = list(value) if isinstance(value, list) else value
    return texts


def write_notes(ctx: Context, notes: Notes, own: OwnNote) -> str:
    """``<Notes>``: the memos, then our own note; returns our note's GUID."""
    out = ctx.out
    own_guid = guid("trivselkode-note")
    out("  <Notes>\n")
    for note_guid, title, user, note_created, text in sorted(notes.items):
        attrs = xml_attrs(
            [("guid", note_guid), ("name", title), ("creatingUser", user), ("creationDateTime", note_created)]
        )
        out(f"    <Note{attrs}><PlainTextContent>{xml_text(text)}</PlainTextContent></Note>\n")
    out(f"    <Note{xml_attrs([('guid', own_guid), ('name', NOTE_NAME)])}>")
    description = ctx.t(
        N_(
            "Data til trivselkode (kodenøgler, typer, deltagere, udsagn) som REFI-QDA ikke har plads til. Kan ignoreres."
        )
    )
    out(f"<Description>{xml_text(description)}</Description>")
    out("<PlainTextContent>")
    for piece in own_note_json(ctx, own):
        out(xml_text(piece))
    out("</PlainTextContent></Note>\n")
    out("  </Notes>\n")
    ctx.report.notes = len(notes.items)
    return own_guid
