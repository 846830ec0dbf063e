"""The project's codebook: loading a codebook file into it and reading it back.

Re-loading an edited codebook updates codes by key. A code missing from the
new file is deleted only when nobody has coded with it; otherwise it is
retired, so no coding is ever lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from trivselkode.domain.codebook import Codebook, CodeSpec
from trivselkode.storage.db import Project
from trivselkode.storage.models import Code, Coding, Meta, UnplacedCoding

_FIELDS = ("name", "kind", "description", "include", "exclude", "characteristics", "examples", "keywords", "color", "shortcut", "position")


@dataclass
class LoadReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.__dict__.items()}


def _spec_value(spec: CodeSpec, name: str) -> Any:
    value = getattr(spec, name)
    if name in ("description", "include", "exclude", "kind"):
        return value or ""
    if name in ("characteristics", "examples", "keywords"):
        return list(value or [])
    return value


def _used_code_ids(session: Session) -> set[int]:
    used = set(session.exec(select(Coding.code_id).distinct()))
    used |= set(session.exec(select(UnplacedCoding.code_id).distinct()))
    return used


def load_codebook(project: Project, codebook: Codebook) -> LoadReport:
    """Bring the project's codebook in line with ``codebook`` in one transaction."""
    report = LoadReport()
    with project.write() as session:
        existing = {c.key: c for c in session.exec(select(Code))}
        used = _used_code_ids(session)
        wanted = {spec.key for spec in codebook.codes}
        # Free the shortcuts of codes that go away before others take them.
        for key, code in existing.items():
            if key not in wanted:
                if code.id in used:
                    if not code.retired or code.shortcut:
                        code.retired = True
                        code.shortcut = None
                        session.add(code)
                    report.retired.append(key)
                else:
                    session.delete(code)
                    report.deleted.append(key)
        session.flush()
        for spec in codebook.codes:
            code = existing.get(spec.key)
            if code is None:
                code = Code(key=spec.key, name=spec.name)
                for name in _FIELDS:
                    setattr(code, name, _spec_value(spec, name))
                session.add(code)
                report.added.append(spec.key)
                continue
            changed = code.retired
            code.retired = False
            for name in _FIELDS:
                value = _spec_value(spec, name)
                if getattr(code, name) != value:
                    setattr(code, name, value)
                    changed = True
            session.add(code)
            (report.updated if changed else report.unchanged).append(spec.key)
        session.flush()
        ids = {c.key: c.id for c in session.exec(select(Code))}
        for spec in codebook.codes:
            code = session.exec(select(Code).where(Code.key == spec.key)).one()
            parent_id = ids[spec.parent] if spec.parent else None
            if code.parent_id != parent_id:
                code.parent_id = parent_id
                session.add(code)
                if spec.key in report.unchanged:
                    report.unchanged.remove(spec.key)
                    report.updated.append(spec.key)
        session.merge(Meta(key="codebook_name", value=str(codebook.name)))
        session.merge(Meta(key="codebook_version", value=str(codebook.version)))
    return report


def codebook_of_project(project: Project, include_retired: bool = False) -> Codebook:
    """The project's codebook as a :class:`Codebook` (for export to YAML)."""
    with project.read() as session:
        meta = {m.key: m.value for m in session.exec(select(Meta))}
        codes = list(session.exec(select(Code).order_by(Code.position, Code.id)))
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
            )
        )
    version: int | str = meta.get("codebook_version", "1")
    if isinstance(version, str) and version.isdigit():
        version = int(version)
    return Codebook(name=meta.get("codebook_name", "Kodebog"), version=version, codes=specs)


def code_rows(project: Project) -> list[dict[str, Any]]:
    """Every code with its place in the tree and how often it is used."""
    with project.read() as session:
        codes = list(session.exec(select(Code).order_by(Code.position, Code.id)))
        counts = dict(session.exec(select(Coding.code_id, func.count()).group_by(Coding.code_id)).all())
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
                "codings": counts.get(code.id, 0),
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
