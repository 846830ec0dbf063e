"""The project's codebook: loading a codebook file into it and reading it back.

Loading a codebook adds the codes the project lacks and updates the ones it
has, by key. Codes the file does not have are kept as they are and listed
(:attr:`LoadReport.kept`); only when asked (``prune``) are they withdrawn:
retired when anything refers to them (codings, unplaced codings, memos,
settled decisions), so nothing is ever lost, and deleted otherwise.
Codes already retired are left alone either way. ``dry_run`` works out the
same plan and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import func
from sqlmodel import Session, col, select

from trivselkode.domain.codebook import CODE_FIELDS, EN_FIELDS, Codebook, CodeSpec
from trivselkode.storage.db import Project
from trivselkode.storage.models import Code, Coding, Decision, Memo, Meta, UnplacedCoding

# The fields a code of the file sets on the project's code (its key finds it, its parent is linked apart).
_FIELDS = (*(f for f in CODE_FIELDS if f not in ("key", "parent")), "position")


@dataclass
class LoadReport:
    """What loading a codebook did, or (``dry_run``) would do, by code key.

    ``kept``: codes the file does not have, left as they are (without
    ``prune``); ``retired``/``deleted``: the codes ``prune`` withdrew;
    ``shortcuts_freed``: key → shortcut taken from a code outside the file
    because a code in the file has it now.
    """

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    shortcuts_freed: dict[str, str] = field(default_factory=dict)
    prune: bool = False
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": list(self.added),
            "updated": list(self.updated),
            "unchanged": list(self.unchanged),
            "kept": list(self.kept),
            "retired": list(self.retired),
            "deleted": list(self.deleted),
            "shortcuts_freed": dict(self.shortcuts_freed),
            "prune": self.prune,
            "dry_run": self.dry_run,
        }


def _spec_value(spec: CodeSpec, name: str) -> Any:
    value = getattr(spec, name)
    if name in ("description", "include", "exclude", "kind", "name_en", "definition_en", "include_en", "exclude_en"):
        return value or ""
    if name in ("characteristics", "examples", "keywords", "characteristics_en", "examples_en"):
        return list(value or [])
    return value


def _used_code_ids(session: Session) -> set[int]:
    """Codes something refers to, which deleting would take with it."""
    used = set(session.exec(select(Coding.code_id).distinct()))
    used |= set(session.exec(select(UnplacedCoding.code_id).distinct()))
    used |= {cast(int, c) for c in session.exec(select(Memo.code_id).where(col(Memo.code_id).is_not(None)).distinct())}
    used |= set(session.exec(select(Decision.code_id).distinct()))
    return used


def _plan(session: Session, codebook: Codebook, prune: bool) -> tuple[LoadReport, dict[str, Code], dict[str, int]]:
    """What loading ``codebook`` does, worked out without changing anything.

    Returns the report, the existing codes by key, and the new position of
    every code outside the file (after the file's codes, in their old order).
    """
    report = LoadReport(prune=prune)
    existing = {c.key: c for c in session.exec(select(Code).order_by(col(Code.position), col(Code.id)))}
    wanted = {spec.key: spec for spec in codebook.codes}
    ids = {key: code.id for key, code in existing.items()}
    for spec in codebook.codes:
        code = existing.get(spec.key)
        if code is None:
            report.added.append(spec.key)
            continue
        parent_id = ids.get(spec.parent) if spec.parent else None
        changed = code.retired or code.parent_id != parent_id or (spec.parent is not None and spec.parent not in ids)
        changed = changed or any(getattr(code, name) != _spec_value(spec, name) for name in _FIELDS)
        (report.updated if changed else report.unchanged).append(spec.key)
    outside = [code for key, code in existing.items() if key not in wanted]
    missing = [code for code in outside if not code.retired]
    if prune and missing:
        used = _used_code_ids(session)
        for code in missing:
            (report.retired if code.id in used else report.deleted).append(code.key)
    else:
        report.kept = [code.key for code in missing]
    taken = {spec.shortcut for spec in codebook.codes if spec.shortcut}
    for code in outside:
        if code.shortcut and (code.shortcut in taken or code.key in report.retired):
            report.shortcuts_freed[code.key] = code.shortcut
    deleted = set(report.deleted)
    after = max((spec.position for spec in codebook.codes), default=-1) + 1
    positions = {code.key: after + n for n, code in enumerate(c for c in outside if c.key not in deleted)}
    return report, existing, positions


def load_codebook(project: Project, codebook: Codebook, *, prune: bool = False, dry_run: bool = False) -> LoadReport:
    """Bring ``codebook`` into the project in one transaction (see the module docstring).

    Without ``prune`` no code is retired or deleted. With ``dry_run`` the
    report says what would happen and nothing is changed.
    """
    if dry_run:
        with project.read() as session:
            report, _existing, _positions = _plan(session, codebook, prune)
        report.dry_run = True
        return report
    with project.write() as session:
        report, existing, positions = _plan(session, codebook, prune)
        code: Code | None
        # Codes outside the file: free the shortcuts the file's codes take, withdraw the pruned ones.
        for key, position in positions.items():
            code = existing[key]
            if key in report.shortcuts_freed:
                code.shortcut = None
            if key in report.retired:
                code.retired = True
            code.position = position
            session.add(code)
        for key in report.deleted:
            session.delete(existing[key])
        session.flush()
        for spec in codebook.codes:
            code = existing.get(spec.key)
            if code is None:
                code = Code(key=spec.key, name=spec.name)
                existing[spec.key] = code
            code.retired = False
            for name in _FIELDS:
                setattr(code, name, _spec_value(spec, name))
            session.add(code)
        session.flush()
        for spec in codebook.codes:
            code = existing[spec.key]
            parent_id = existing[spec.parent].id if spec.parent else None
            if code.parent_id != parent_id:
                code.parent_id = parent_id
                session.add(code)
        session.merge(Meta(key="codebook_name", value=str(codebook.name)))
        session.merge(Meta(key="codebook_version", value=str(codebook.version)))
    return report


def codebook_of_project(project: Project, include_retired: bool = False) -> Codebook:
    """The project's codebook as a :class:`Codebook` (for export to YAML)."""
    with project.read() as session:
        meta = {m.key: m.value for m in session.exec(select(Meta))}
        codes = list(session.exec(select(Code).order_by(col(Code.position), col(Code.id))))
    by_id = {c.id: c for c in codes}
    specs = []
    for pos, code in enumerate(c for c in codes if include_retired or not c.retired):
        parent = by_id.get(code.parent_id) if code.parent_id else None
        specs.append(
            CodeSpec(
                key=code.key,
                name=code.name,
                parent=parent.key if parent else None,
                kind=code.kind,
                description=code.description,
                include=code.include,
                exclude=code.exclude,
                characteristics=list(code.characteristics),
                examples=list(code.examples),
                keywords=list(code.keywords),
                color=code.color,
                shortcut=code.shortcut,
                position=pos,
                line=0,
                **_english(code),
            )
        )
    version: int | str = meta.get("codebook_version", "1")
    if isinstance(version, str) and version.isdigit():
        version = int(version)
    return Codebook(name=meta.get("codebook_name", "Kodebog"), version=version, codes=specs)


def _english(code: Code) -> dict[str, Any]:
    """The code's English fields (``name_en`` …), lists copied."""
    return {name: _spec_value(code, name) for name in EN_FIELDS}  # type: ignore[arg-type]  # a Code reads like a spec


def code_texts(project: Project) -> dict[str, CodeSpec]:
    """Every code of the project (retired ones too) by key, with its Danish and English texts.

    For reports whose own code objects lack the English: ``code_name(code_texts(p)[key], "en")``
    (see :mod:`trivselkode.domain.codebook_lang`).
    """
    return {spec.key: spec for spec in codebook_of_project(project, include_retired=True).codes}


def code_rows(project: Project) -> list[dict[str, Any]]:
    """Every code with its place in the tree and how often it is used."""
    with project.read() as session:
        codes = list(session.exec(select(Code).order_by(col(Code.position), col(Code.id))))
        counts = dict(session.exec(select(Coding.code_id, func.count()).group_by(col(Coding.code_id))).all())
    by_id = {c.id: c for c in codes}
    rows = []
    for code in codes:
        parent = by_id.get(code.parent_id) if code.parent_id else None
        rows.append(
            {
                "key": code.key,
                "name": code.name,
                "parent": parent.key if parent else None,
                "kind": code.kind,
                "shortcut": code.shortcut,
                "color": code.color,
                "retired": code.retired,
                "description": code.description,
                "include": code.include,
                "exclude": code.exclude,
                "characteristics": list(code.characteristics),
                "examples": list(code.examples),
                "keywords": list(code.keywords),
                **_english(code),
                "codings": counts.get(cast(int, code.id), 0),
            }
        )
    return rows


def depth_first(rows: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """Rows ordered as a tree (parents before their children) with their depth."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    keys = {r["key"] for r in rows}
    for row in rows:
        parent = row["parent"] if row["parent"] in keys else None
        children.setdefault(parent, []).append(row)
    out: list[tuple[int, dict[str, Any]]] = []

    def walk(parent: str | None, depth: int) -> None:
        for row in children.get(parent, []):
            out.append((depth, row))
            walk(row["key"], depth + 1)

    walk(None, 0)
    return out
