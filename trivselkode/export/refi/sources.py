"""Sources as REFI ``TextSource``\\s: their text files, passages as selections, and the codings in them.

Every passage becomes a ``PlainTextSelection`` holding its whole-passage
codings; a coding narrowed to a sub-span gets a selection of its own. When the
export is pseudonymised the text changes length, so every offset is moved
along with it (``pseudonymize_source``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from typing import Any, cast

from trivselkode.domain.guids import guid, participant_guid, passage_guid, source_guid, span_guid
from trivselkode.export.refi.common import Pseudonymizer
from trivselkode.export.refi.context import Context
from trivselkode.export.refi.data import CodingRow, PassageRow
from trivselkode.export.refi.markup import excerpt, xml_attrs
from trivselkode.export.refi.notes import Notes, OwnNote
from trivselkode.export.refi.spool import Spool
from trivselkode.export.refi.variables import NAMES_KEYS, Variables
from trivselkode.i18n import N_
from trivselkode.storage.models import Source

#: A selection to write: (start, -end, its XML); sorted, they come in REFI's order.
_Selection = tuple[int, int, str]


def pseudonymize_source(
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


class _SourceText:
    """A source's name, GUID and text as written, and its map of stored offsets to written ones."""

    def __init__(self, ctx: Context, source: Source, text: str, passages: list[PassageRow]) -> None:
        self.name = ctx.source_names[source.id]
        self.guid = source_guid(self.name)
        self.text = text
        self.moved: Callable[[int, bool], int] | None = None
        if ctx.pseudo is not None:
            labels = {p.id: p.label for p in ctx.data.participants.get(cast(int, source.id), [])}
            self.text, self.moved = pseudonymize_source(
                self.text, [(s, e, labels.get(part, "")) for _i, _n, part, s, e in passages], ctx.pseudo
            )

    def at(self, pos: int, end: bool = False) -> int:
        """The written offset of the stored offset ``pos`` (``end``: the end of a stretch)."""
        return self.moved(pos, end) if self.moved is not None else pos


def write_sources(ctx: Context, notes: Notes, variables: Variables, own: OwnNote, texts: Spool) -> None:
    """``<Sources>``, one source at a time; each text, as written, is put in ``texts`` by its file name."""
    if ctx.data.sources:
        ctx.out("  <Sources>\n")
    for source in ctx.data.sources:
        name, text = _write_source(ctx, notes, variables, own, source)
        texts.put(name, text)
    if ctx.data.sources:
        ctx.out("  </Sources>\n")


def _write_source(ctx: Context, notes: Notes, variables: Variables, own: OwnNote, source: Source) -> tuple[str, str]:
    """One ``TextSource`` with its selections; returns its file name and text."""
    out, pseudo, read = ctx.out, ctx.pseudo, ctx.data.read
    sid = cast(int, source.id)
    passages = read.passages(sid)
    codings = read.codings(sid)
    st = _SourceText(ctx, source, read.text(sid), passages)
    name, sguid = st.name, st.guid
    attrs = xml_attrs(
        [
            ("guid", sguid),
            ("name", name),
            ("plainTextPath", f"internal://{sguid}.txt"),
            ("creationDateTime", ctx.when(source.imported_at)),
        ]
    )
    out(f"    <TextSource{attrs}>\n")
    listed: list[list[Any]] = []
    selections: list[_Selection] = []
    for row in passages:
        label = variables.labels.get(row[2], "")
        pstart, pend = st.at(row[3]), st.at(row[4], True)
        listed.append([pstart, pend, participant_guid(name, label)])
        ctx.report.passages += 1
        selections.extend(_passage_selections(ctx, notes, st, row, codings.get(row[0], []), label, pstart, pend))
    selections.sort(key=lambda item: (item[0], item[1]))
    for _a, _b, piece in selections:
        out(piece)
    for ref in notes.of_source.get(sid, []):
        out(f'      <NoteRef targetGUID="{ref}"/>\n')
    out(variables.values_xml(variables.of_source[sid], "      "))
    out("    </TextSource>\n")
    own.add_passages(sguid, listed)
    own.add_source(
        sguid,
        {
            "name": name,
            "title": ctx.ptext(source.title) if source.title else source.title,
            "kind": source.kind,
            "site": ctx.pvalue(source.site),
            "context": ctx.pvalue(source.context),
            "round": source.round,
            "date": source.date,
            "file_name": source.file_name if pseudo is None else "",
            "extra": {
                k: ctx.pvalue(v) for k, v in (source.extra or {}).items() if pseudo is None or k not in NAMES_KEYS
            },
        },
    )
    ctx.report.sources += 1
    return f"{sguid}.txt", st.text


def _passage_selections(
    ctx: Context,
    notes: Notes,
    st: _SourceText,
    row: PassageRow,
    codings: list[CodingRow],
    label: str,
    pstart: int,
    pend: int,
) -> list[_Selection]:
    """The passage's selection (with its whole-passage codings and notes) and one per coded sub-span."""
    pid, number, _part, start, end = row
    whole, spans = _codings(ctx, notes, st, row, codings)
    refs = "".join(f'<NoteRef targetGUID="{ref}"/>' for ref in notes.of_passage.get(pid, []))
    head = xml_attrs(
        [
            ("guid", passage_guid(st.name, number)),
            ("name", ctx.t(N_("Udsagn {number} · {label}")).format(number=number, label=label)),
            ("startPosition", pstart),
            ("endPosition", pend),
        ]
    )
    body = "".join(whole) + refs
    selections = [
        (
            pstart,
            -pend,
            f"      <PlainTextSelection{head}>{body}</PlainTextSelection>\n"
            if body
            else f"      <PlainTextSelection{head}/>\n",
        )
    ]
    for (a, b), (cs, ce, pieces) in spans.items():
        head = xml_attrs(
            [
                ("guid", span_guid(st.name, number, cs, ce)),
                ("name", excerpt(st.text[a:b])),
                ("startPosition", a),
                ("endPosition", b),
            ]
        )
        selections.append((a, -b, f"      <PlainTextSelection{head}>{''.join(pieces)}</PlainTextSelection>\n"))
    return selections


def _codings(
    ctx: Context, notes: Notes, st: _SourceText, row: PassageRow, codings: list[CodingRow]
) -> tuple[list[str], dict[tuple[int, int], tuple[int, int, list[str]]]]:
    """The passage's ``Coding`` elements: those of the whole passage, and those of each sub-span (by written span)."""
    _pid, number, _part, start, end = row
    name = st.name
    code_keys, code_guids, coder_guids, coders = ctx.code_keys, ctx.code_guids, ctx.coder_guids, ctx.data.coders
    whole: list[str] = []
    spans: dict[tuple[int, int], tuple[int, int, list[str]]] = {}
    written: set[str] = set()
    for code_id, coder_id, cs, ce, coding_memo, created in codings:
        code_key = code_keys.get(code_id)
        coding_coder = coders.get(coder_id)
        if code_key is None or coding_coder is None:
            continue
        span_key: tuple[str | int, ...]
        if cs is None or ce is None or (cs <= 0 and ce >= end - start):
            holder, span_key = whole, ("all",)
        else:
            a, b = st.at(start + cs), st.at(start + ce, True)
            if (a, b) not in spans:
                spans[(a, b)] = (cs, ce, [])
            holder, span_key = spans[(a, b)][2], (cs, ce)
        coding_guid = guid("coding", name, number, *span_key, code_key, coding_coder)
        if coding_guid in written:  # a span over the whole passage beside a whole-passage coding
            continue
        written.add(coding_guid)
        stamp = ctx.when(created)
        piece = f'<Coding guid="{coding_guid}" creatingUser="{coder_guids[coder_id]}"'
        piece += f' creationDateTime="{stamp}">' if stamp else ">"
        piece += f'<CodeRef targetGUID="{code_guids[code_id]}"/>'
        if coding_memo:
            note_guid = guid("coding-memo", coding_guid)
            piece += f'<NoteRef targetGUID="{note_guid}"/>'
            notes.items.append(
                (
                    note_guid,
                    ctx.t(N_("Notat til kodning i udsagn {number} i {source}")).format(number=number, source=name),
                    coder_guids[coder_id],
                    stamp,
                    ctx.ptext(coding_memo),
                )
            )
        holder.append(piece + "</Coding>")
        ctx.report.codings += 1
    return whole, spans
