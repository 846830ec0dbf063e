"""Storing a planned REFI-QDA import in one transaction: coders, codes, sources, codings, memos.

The sources themselves are stored by :mod:`~.store_sources`. Codings and
memos that are already there are not added twice, so a re-import adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from trivselkode.i18n import _
from trivselkode.importers.refi.codes import CodePlan, assign_keys
from trivselkode.importers.refi.model import (
    NOTE_NAME,
    RefiDocument,
)
from trivselkode.importers.refi.report import RefiImportReport, skip_unused_notes
from trivselkode.importers.refi.sources import SourcePlan
from trivselkode.importers.refi.store_sources import Coders, Memos, SourceStore
from trivselkode.storage.models import Code, Coding, Memo, Meta, Passage, Source


def store(
    session: Session,
    doc: RefiDocument,
    own: dict[str, Any] | None,
    plans: list[CodePlan],
    source_plans: list[SourcePlan],
    report: RefiImportReport,
    default_coder: str,
) -> None:
    """Store the planned codes and sources, with their codings and memos, in ``session``'s transaction."""
    coders = Coders(session, doc, report, default_coder)
    code_ids = _store_codes(session, own, plans, report)
    memos = Memos(doc, own)
    for plan in plans:
        for ref in plan.note_refs:
            text = memos.note_text(ref)
            if text:
                note = doc.notes[ref]
                memos.add(code_id=code_ids[plan.guid], text=text, coder=coders.of(note.user), created=note.created)

    storing = SourceStore(session, doc, own, report, coders, memos, code_ids)
    for source_plan in source_plans:
        storing.store(source_plan)
    _insert_codings(session, storing.coding_rows, report)
    _count_codings(session, source_plans, storing.coding_rows)
    _insert_memos(session, memos.rows, report)

    own_guids = {g for g, n in doc.notes.items() if n.name == NOTE_NAME}
    skip_unused_notes([n for g, n in doc.notes.items() if g not in memos.used and g not in own_guids], report)
    session.flush()


def _store_codes(
    session: Session, own: dict[str, Any] | None, plans: list[CodePlan], report: RefiImportReport
) -> dict[str, int]:
    """Add or update the planned codes (parents first); code id by GUID."""
    existing_codes = list(session.exec(select(Code)))
    keys = assign_keys(plans, [(cast(int, c.id), c.key, c.name, c.parent_id) for c in existing_codes])
    by_key = {c.key: c for c in existing_codes}
    shortcuts = {c.shortcut: c.key for c in existing_codes if c.shortcut}
    max_position = max((c.position for c in existing_codes), default=-1)
    code_ids: dict[str, int] = {}
    for order, plan in enumerate(plans):
        key = keys[plan.guid]
        code = by_key.get(key)
        parent_id = code_ids.get(plan.parent) if plan.parent else None
        values = _code_values(plan, key, parent_id, own, shortcuts, report)
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
    return code_ids


def _code_values(
    plan: CodePlan,
    key: str,
    parent_id: int | None,
    own: dict[str, Any] | None,
    shortcuts: dict[str, str],
    report: RefiImportReport,
) -> dict[str, Any]:
    """The code's columns as the file gives them (``shortcuts``: shortcut → key, kept up to date)."""
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
        for f in ("name_en", "definition_en", "include_en", "exclude_en"):  # the codebook's English
            values[f] = str(facts.get(f) or "")
        for f in ("characteristics_en", "examples_en"):
            values[f] = [str(x) for x in facts.get(f) or []]
        shortcut = facts.get("shortcut")
        if shortcut and shortcuts.get(shortcut, key) != key:
            report.warnings.append(
                _("koden {key}: genvejen '{shortcut}' bruges allerede af {shortcuts} og er udeladt").format(
                    key=key, shortcut=shortcut, shortcuts=shortcuts[shortcut]
                )
            )
            shortcut = None
        values["shortcut"] = shortcut
        if shortcut:
            shortcuts[shortcut] = key
        if isinstance(facts.get("position"), int):
            values["position"] = facts["position"]
    values["retired"] = plan.retired
    return values


def _insert_codings(session: Session, coding_rows: list[dict[str, Any]], report: RefiImportReport) -> None:
    """The codings that are not there yet (a re-import adds nothing twice)."""
    if not coding_rows:
        return
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


def _insert_memos(session: Session, memo_rows: list[dict[str, Any]], report: RefiImportReport) -> None:
    """The memos that are not there yet."""
    if not memo_rows:
        return
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


def _count_codings(session: Session, source_plans: list[SourcePlan], coding_rows: list[dict[str, Any]]) -> None:
    """Codings per source in the file (placed parts, before de-duplication)."""
    if not source_plans:
        return
    names = [p.parsed.name for p in source_plans]
    ids: dict[str, int | None] = dict(
        session.exec(select(Source.name, Source.id).where(col(Source.name).in_(names))).all()
    )
    counts: dict[int | None, int] = defaultdict(int)
    if coding_rows:
        pids = sorted({r["passage_id"] for r in coding_rows})
        of: dict[int | None, int] = {}
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
