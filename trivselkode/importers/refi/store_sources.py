"""Storing the planned sources: each source's row, its selections placed on its passages as coding and memo rows.

Sources are stored through the storage's one API for parsed sources
(:mod:`trivselkode.storage.source_store` and
:mod:`trivselkode.storage.source_revision`), as the text import stores them.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from datetime import datetime
from typing import Any, cast

from sqlmodel import Session, col, select

from trivselkode.domain.revision import texts_similar
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.importers.refi.codes import coder_name_for
from trivselkode.importers.refi.model import PARAGRAPH_SPEAKER, RCoding, RefiDocument, RSelection, RSource, RUser
from trivselkode.importers.refi.report import PlacedSelection, RefiImportReport
from trivselkode.importers.refi.sources import SourcePlan
from trivselkode.storage.lookup import get_or_create_coder
from trivselkode.storage.models import Passage, Source
from trivselkode.storage.source_revision import revise_source
from trivselkode.storage.source_store import (
    insert_source,
    stored_participants,
    update_source_details,
    upsert_participants,
)

# (passage id, number, start, end) of a stored passage, and of a part of one.
_PassageRow = tuple[int, int, int, int]
_Part = tuple[int, int, int | None, int | None]


class Coders:
    """Coder ids by name; the file's users become coders of valid names, each reported once."""

    def __init__(self, session: Session, doc: RefiDocument, report: RefiImportReport, default_coder: str) -> None:
        self.session = session
        self.report = report
        self.default = default_coder
        self.ids: dict[str, int] = {}
        self.user_names = {g: coder_name_for(u, default_coder) for g, u in doc.users.items()}
        names = self.user_names
        renamed = [f"'{u.name}' → '{names[g]}'" for g, u in doc.users.items() if u.name and u.name != names[g]]
        if renamed:
            report.warnings.append(_("brugernavne er gjort til gyldige kodernavne: ") + ", ".join(renamed[:6]))
        for g in doc.users:
            self.id(names[g])

    def id(self, name: str) -> int:
        if name not in self.ids:
            self.ids[name] = cast(int, get_or_create_coder(self.session, name).id)
            if name not in self.report.coders:
                self.report.coders.append(name)
        return self.ids[name]

    def of(self, *candidates: str | None) -> int:
        """The coder of the first user GUID given that names a user, else of the first GUID, else the default."""
        for g in candidates:
            if g and g in self.user_names:
                return self.id(self.user_names[g])
        for g in candidates:
            if g:  # a user GUID without a <User>: a coder of its own
                return self.id(coder_name_for(RUser(g, ""), self.default))
        return self.id(self.default)


class Memos:
    """The file's notes as memo rows, and which notes were used."""

    def __init__(self, doc: RefiDocument, own: dict[str, Any] | None) -> None:
        self.notes = doc.notes
        self.own = own
        self.used: set[str] = set()
        self.rows: list[dict[str, Any]] = []

    def note_text(self, g: str) -> str | None:
        """The text of note ``g`` (with its name first, for others' files), or None when it has none."""
        note = self.notes.get(g)
        if note is None or note.text is None or not note.text.strip():
            return None
        self.used.add(g)
        text = note.text
        if self.own is None and note.name and not text.lstrip().startswith(note.name):
            text = f"{note.name}\n\n{text}"
        return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))

    def add(
        self,
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
        self.rows.append(row)


def _place(span: tuple[int, int], starts: list[int], passages: list[_PassageRow]) -> list[_Part]:
    """(passage id, number, start, end) of each passage part of ``span`` (no start and end: the whole passage)."""
    a, b = span
    out: list[_Part] = []
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


class SourceStore:
    """Each planned source stored, its selections placed on its passages as coding and memo rows."""

    def __init__(
        self,
        session: Session,
        doc: RefiDocument,
        own: dict[str, Any] | None,
        report: RefiImportReport,
        coders: Coders,
        memos: Memos,
        code_ids: dict[str, int],
    ) -> None:
        self.session = session
        self.doc = doc
        self.own = own
        self.report = report
        self.coders = coders
        self.memos = memos
        self.code_ids = code_ids
        self.coding_rows: list[dict[str, Any]] = []

    def store(self, plan: SourcePlan) -> None:
        session, report = self.session, self.report
        parsed, result = plan.parsed, plan.result
        source_id = self._source_row(plan)
        session.flush()
        passages = cast(
            list[_PassageRow],
            list(
                session.exec(
                    select(Passage.id, Passage.number, Passage.start, Passage.end)
                    .where(Passage.source_id == source_id)
                    .order_by(col(Passage.start))
                ).all()
            ),
        )
        result.passages = len(passages)
        starts = [p[2] for p in passages]
        rs = plan.rsource
        src_coder = rs.user or self.doc.creating_user
        unplaced = 0
        for sel in rs.selections:
            if not self._code_selection(plan, sel, starts, passages, src_coder):
                unplaced += 1
        self._code_whole_source(rs, passages, src_coder)
        if unplaced:
            report.skipped.append(
                _(
                    "kilden '{name}': {unplaced} markering(er) kunne ikke placeres i et udsagn og er sprunget over"
                ).format(name=parsed.name, unplaced=unplaced)
            )
        self._source_memos(rs, source_id)
        report.sources.append(result)
        report.participants += len(parsed.participants)

    def _source_row(self, plan: SourcePlan) -> int:
        """The source inserted, its metadata updated (same text) or revised; its id."""
        session, parsed, result = self.session, plan.parsed, plan.result
        existing = session.exec(select(Source).where(Source.name == parsed.name)).first()
        if existing is None:
            source_id = insert_source(session, parsed, plan.digest, plan.sentences or [])
            result.status = "imported"
            return source_id
        if existing.content_hash == plan.digest:
            update_source_details(session, existing, parsed, plan.digest)
            current = stored_participants(session, cast(int, existing.id))
            # The paragraph speaker is only a stand-in: the stored passages have their own speakers.
            keep = [p for p in parsed.participants if p.label != PARAGRAPH_SPEAKER or p.label in current]
            upsert_participants(session, existing, keep, current)
            result.status = "unchanged"
            return cast(int, existing.id)
        if texts_similar(existing.text, parsed.text) is None:
            raise TrivselError(
                _("kilden '{name}' findes allerede i projektet med en helt anden tekst").format(name=parsed.name),
                _(
                    "omdøb eller fjern den eksisterende kilde (`trivselkode sources …`) og importér igen; intet er importeret"
                ),
            )
        unplaced_codings = revise_source(session, existing, parsed, plan.digest, plan.sentences or [])
        result.status = "revised"
        if unplaced_codings:
            self.report.warnings.append(
                _(
                    "kilden '{name}': {n} eksisterende kodning(er) kunne ikke genplaceres i den nye tekst; se `trivselkode codings unplaced`"
                ).format(name=parsed.name, n=len(unplaced_codings))
            )
        return cast(int, existing.id)

    def _code_selection(
        self, plan: SourcePlan, sel: RSelection, starts: list[int], passages: list[_PassageRow], src_coder: str | None
    ) -> bool:
        """The selection's codings and memos on the passages it overlaps; False when it cannot be placed."""
        span = plan.pmap.span(sel.start, sel.end, plan.reading)
        if span is None or span[0] >= span[1]:
            return False
        parts = _place(span, starts, passages)
        if not parts:
            return False
        name = plan.parsed.name
        plan.result.placed += 1
        self.report.placements.append(PlacedSelection(name, sel.guid, span[0], span[1], [p[1] for p in parts]))
        for coding in sel.codings:
            self._add_coding(name, coding, sel, src_coder, parts)
        memos, coders = self.memos, self.coders
        for ref in sel.note_refs:
            text = memos.note_text(ref)
            if text:
                note = memos.notes[ref]
                memos.add(
                    passage_id=parts[0][0],
                    text=text,
                    coder=coders.of(note.user, sel.user, src_coder),
                    created=note.created,
                )
        if sel.description and self.own is None:
            memos.add(
                passage_id=parts[0][0],
                text=sel.description,
                coder=coders.of(sel.user, src_coder),
                created=sel.created,
            )
        return True

    def _add_coding(
        self, source_name: str, coding: RCoding, sel: RSelection, src_coder: str | None, parts: list[_Part]
    ) -> None:
        code_id = self.code_ids.get(coding.code) if coding.code else None
        if code_id is None:
            self.report.warnings.append(
                _("kilden '{source_name}': en kodning henviser til en ukendt kode ({code}); sprunget over").format(
                    source_name=source_name, code=coding.code
                )
            )
            return
        memo_parts = [t for t in (self.memos.note_text(r) for r in coding.note_refs) if t]
        memo = "\n\n".join(memo_parts) or None
        cid = self.coders.of(coding.user, sel.user, src_coder)
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
            self.coding_rows.append(row)

    def _code_whole_source(self, rs: RSource, passages: list[_PassageRow], src_coder: str | None) -> None:
        """Codings of the source as a whole: on every passage."""
        for coding in rs.codings:
            code_id = self.code_ids.get(coding.code) if coding.code else None
            if code_id is None:
                continue
            cid = self.coders.of(coding.user, src_coder)
            for pid, _number, _s, _e in passages:
                self.coding_rows.append(
                    {"passage_id": pid, "code_id": code_id, "coder_id": cid, "start": None, "end": None, "memo": None}
                )

    def _source_memos(self, rs: RSource, source_id: int) -> None:
        memos, coders, creating_user = self.memos, self.coders, self.doc.creating_user
        for ref in rs.note_refs:
            text = memos.note_text(ref)
            if text:
                note = memos.notes[ref]
                memos.add(
                    source_id=source_id,
                    text=text,
                    coder=coders.of(note.user, rs.user, creating_user),
                    created=note.created,
                )
        if rs.description and self.own is None:
            memos.add(
                source_id=source_id,
                text=rs.description,
                coder=coders.of(rs.user, creating_user),
                created=rs.created,
            )
