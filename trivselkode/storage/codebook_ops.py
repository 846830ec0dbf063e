"""Editing the project's codebook, one code at a time, and coding from search results.

Every function that changes something is one transaction and either does
all of its work or nothing. Bad input raises :class:`TrivselError` with one
Danish line saying what is wrong and a hint how to mend it.

The rules kept here are the codebook file's rules (see
:mod:`trivselkode.domain.codebook`), so that a codebook edited this way is
always written back by ``trivselkode codebook export`` as a file that
validates: unique keys and shortcuts, shortcuts that are single printable
characters not in :data:`RESERVED_SHORTCUTS`, colours ``#rrggbb``/``#rgb``
(stored as lower-case ``#rrggbb``), parents that exist, no cycles. Because
the export leaves retired codes out, a retired code never has a live child:
retiring a code retires its whole subtree, and bringing one back brings
back its retired ancestors too.

Merging code A into code B moves every coding of A to B; where the same
coder already has B on the same passage and span, the two fold into one and
the memo texts of both are kept. A's unplaced codings, memos and children
move to B and A's keywords are added to B's; A is then deleted, since
nothing of it is left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, delete, update
from sqlmodel import SQLModel, col, select

from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.storage.code_rules import (
    check_color,
    check_depth,
    check_key,
    check_name,
    check_shortcut,
    clean_list,
    code_ancestors,
    code_descendants,
    find_parent_code,
    renumber_codes,
)
from trivselkode.storage.db import Project
from trivselkode.storage.lookup import code_by_key, get_or_create_coder
from trivselkode.storage.models import INTERVIEWER, Code, Coder, Coding, Memo, Participant, Passage, UnplacedCoding

__all__ = [
    "MergeReport",
    "RetireReport",
    "add_code",
    "delete_unused_code",
    "merge_codes",
    "move_code",
    "passage_codes",
    "rename_code",
    "retire_code",
    "set_code_color",
    "set_code_retired",
    "set_code_shortcut",
    "toggle_coding",
    "unretire_code",
    "update_code_details",
]

_CHUNK = 500


# ----------------------------------------------------------------- operations


def add_code(
    project: Project,
    key: str,
    name: str,
    *,
    parent: str | None = None,
    kind: str = "",
    color: str | None = None,
    shortcut: str | None = None,
    description: str = "",
    include: str = "",
    exclude: str = "",
    characteristics: Iterable[str] | None = None,
    examples: Iterable[str] | None = None,
    keywords: Iterable[str] | None = None,
) -> str:
    """Add a code (last among its siblings). Returns its key."""
    with project.write() as session:
        key = check_key(session, key)
        name = check_name(name)
        parent_code = find_parent_code(session, parent)
        check_depth(list(session.exec(select(Code))), parent_code)
        color = check_color(color)
        shortcut = check_shortcut(session, shortcut)
        positions = list(session.exec(select(Code.position)))
        code = Code(
            key=key,
            name=name,
            parent_id=parent_code.id if parent_code else None,
            kind=(kind or "").strip(),
            description=(description or "").strip(),
            include=(include or "").strip(),
            exclude=(exclude or "").strip(),
            characteristics=clean_list(characteristics),
            examples=clean_list(examples),
            keywords=clean_list(keywords),
            color=color,
            shortcut=shortcut,
            position=max(positions, default=-1) + 1,
        )
        session.add(code)
        session.flush()
        renumber_codes(session)
    return key


def delete_unused_code(project: Project, key: str) -> bool:
    """Delete a code nothing refers to (no coding, memo, child …): undoing a code made while coding.

    Returns whether it was deleted; a code something uses (another coder
    coded with it meanwhile) is kept, and a code that is gone is no error.
    """
    with project.write() as session:
        code = session.exec(select(Code).where(Code.key == key)).first()
        if code is None:
            return False
        for table in SQLModel.metadata.sorted_tables:  # every table pointing at a code, now and later
            for fk in table.foreign_keys:
                if fk.column.table.name == "code":
                    if session.execute(select(fk.parent).where(fk.parent == code.id).limit(1)).first():
                        return False
        session.delete(code)
        session.flush()
        renumber_codes(session)
    return True


def rename_code(project: Project, key: str, name: str) -> str:
    """Give a code a new name. Returns the old name."""
    with project.write() as session:
        code = code_by_key(session, key)
        name = check_name(name)
        old = code.name
        code.name = name
        session.add(code)
    return old


def set_code_color(project: Project, key: str, color: str | None) -> str | None:
    """Set (or with ``None``/"" clear) a code's colour. Returns the stored colour."""
    with project.write() as session:
        code = code_by_key(session, key)
        code.color = check_color(color)
        session.add(code)
        return code.color


def set_code_shortcut(project: Project, key: str, shortcut: str | None) -> str | None:
    """Set (or with ``None``/"" clear) a code's shortcut. Returns the stored shortcut."""
    with project.write() as session:
        code = code_by_key(session, key)
        shortcut = check_shortcut(session, shortcut, own_id=code.id)
        if shortcut is not None and code.retired:
            raise TrivselError(
                _("koden '{key}' er udgået og kan ikke få en genvej").format(key=code.key),
                _("genaktivér {key} først").format(key=code.key),
            )
        code.shortcut = shortcut
        session.add(code)
        return code.shortcut


_TEXT_FIELDS = ("kind", "description", "include", "exclude", "name_en", "definition_en", "include_en", "exclude_en")
_LIST_FIELDS = ("characteristics", "examples", "keywords", "characteristics_en", "examples_en")


def update_code_details(
    project: Project,
    key: str,
    *,
    kind: str | None = None,
    description: str | None = None,
    include: str | None = None,
    exclude: str | None = None,
    characteristics: Iterable[str] | None = None,
    examples: Iterable[str] | None = None,
    keywords: Iterable[str] | None = None,
    name_en: str | None = None,
    definition_en: str | None = None,
    include_en: str | None = None,
    exclude_en: str | None = None,
    characteristics_en: Iterable[str] | None = None,
    examples_en: Iterable[str] | None = None,
) -> list[str]:
    """Change the given descriptive fields (``None`` leaves one as it is). Returns the changed fields.

    The ``*_en`` fields are the bilingual codebook's English (``""``/``[]`` removes it).
    """
    given: dict[str, Any] = {
        "kind": kind,
        "description": description,
        "include": include,
        "exclude": exclude,
        "characteristics": characteristics,
        "examples": examples,
        "keywords": keywords,
        "name_en": name_en,
        "definition_en": definition_en,
        "include_en": include_en,
        "exclude_en": exclude_en,
        "characteristics_en": characteristics_en,
        "examples_en": examples_en,
    }
    changed: list[str] = []
    with project.write() as session:
        code = code_by_key(session, key)
        for name, value in given.items():
            if value is None:
                continue
            if name in _TEXT_FIELDS:
                if not isinstance(value, str):
                    raise TrivselError(_("feltet {name} skal være tekst").format(name=name))
                value = value.strip()
            else:
                if isinstance(value, str):
                    raise TrivselError(
                        _("feltet {name} skal være en liste").format(name=name), _("angiv én værdi pr. punkt")
                    )
                value = clean_list(value)
            if getattr(code, name) != value:
                setattr(code, name, value)
                changed.append(name)
        if changed:
            session.add(code)
    return changed


def move_code(project: Project, key: str, parent: str | None) -> bool:
    """Put a code (with its subtree) under ``parent`` (``None``: the top level). False if it was there already."""
    with project.write() as session:
        code = code_by_key(session, key)
        new_parent = find_parent_code(session, parent)
        if new_parent is not None and new_parent.id == code.id:
            raise TrivselError(
                _("koden '{key}' kan ikke ligge under sig selv").format(key=code.key), _("vælg en anden overkode")
            )
        codes = list(session.exec(select(Code)))
        if new_parent is not None and new_parent.id in {c.id for c in code_descendants(codes, cast(int, code.id))}:
            raise TrivselError(
                _("'{parent}' ligger under '{key}', så flytningen ville give en løkke").format(
                    parent=new_parent.key, key=code.key
                ),
                _("flyt først {parent} et andet sted hen, eller vælg en anden overkode").format(parent=new_parent.key),
            )
        check_depth(codes, new_parent, code)
        new_parent_id = new_parent.id if new_parent else None
        if code.parent_id == new_parent_id:
            return False
        code.parent_id = new_parent_id
        # Last among the new siblings.
        code.position = max((c.position for c in codes), default=0) + 1
        session.add(code)
        session.flush()
        renumber_codes(session)
    return True


@dataclass
class MergeReport:
    """What a merge of code ``source`` into ``target`` did."""

    source: str
    target: str
    codings_moved: int = 0
    codings_folded: int = 0
    memos_joined: int = 0
    unplaced_moved: int = 0
    code_memos_moved: int = 0
    children_moved: list[str] = field(default_factory=list)
    keywords_added: list[str] = field(default_factory=list)

    @property
    def codings_total(self) -> int:
        return self.codings_moved + self.codings_folded

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _join_memos(first: str | None, second: str | None) -> str | None:
    first = (first or "").strip()
    second = (second or "").strip()
    if not second or second == first:
        return first or None
    if not first:
        return second
    return f"{first}\n\n{second}"


def merge_codes(project: Project, source_key: str, target_key: str) -> MergeReport:
    """Merge code ``source_key`` into ``target_key``; ``source_key`` is deleted. One transaction."""
    with project.write() as session:
        source = code_by_key(session, source_key)
        target = code_by_key(session, target_key)
        if source.id == target.id:
            raise TrivselError(
                _("en kode kan ikke flettes ind i sig selv ('{key}')").format(key=source.key),
                _("vælg en anden kode at flette ind i"),
            )
        if target.retired:
            raise TrivselError(
                _("koden '{key}' er udgået og kan ikke modtage kodninger").format(key=target.key),
                _("genaktivér {key} først").format(key=target.key),
            )
        report = MergeReport(source=source.key, target=target.key)

        key_of = lambda c: (c.passage_id, c.coder_id, c.start, c.end)  # noqa: E731
        targets = {key_of(c): c for c in session.exec(select(Coding).where(Coding.code_id == target.id))}
        move_ids: list[int] = []
        fold_ids: list[int] = []
        for coding in session.exec(select(Coding).where(Coding.code_id == source.id)):
            twin = targets.get(key_of(coding))
            if twin is None:
                move_ids.append(cast(int, coding.id))
                continue
            fold_ids.append(cast(int, coding.id))
            joined = _join_memos(twin.memo, coding.memo)
            if joined != twin.memo:
                if twin.memo and coding.memo:
                    report.memos_joined += 1
                twin.memo = joined
                session.add(twin)
        for chunk in _chunks(fold_ids):
            session.execute(delete(Coding).where(col(Coding.id).in_(chunk)))
        for chunk in _chunks(move_ids):
            session.execute(update(Coding).where(col(Coding.id).in_(chunk)).values(code_id=target.id))
        report.codings_moved = len(move_ids)
        report.codings_folded = len(fold_ids)

        result = cast(
            CursorResult[Any],
            session.execute(
                update(UnplacedCoding).where(col(UnplacedCoding.code_id) == source.id).values(code_id=target.id)
            ),
        )
        report.unplaced_moved = result.rowcount or 0
        result = cast(
            CursorResult[Any],
            session.execute(update(Memo).where(col(Memo.code_id) == source.id).values(code_id=target.id)),
        )
        report.code_memos_moved = result.rowcount or 0

        codes = list(session.exec(select(Code)))
        if target.id in {c.id for c in code_descendants(codes, cast(int, source.id))}:
            # Lift the target out of the source's subtree before the children move under it.
            target.parent_id = source.parent_id
            session.add(target)
        for child in session.exec(select(Code).where(Code.parent_id == source.id)):
            if child.id == target.id:
                continue
            child.parent_id = target.id
            session.add(child)
            report.children_moved.append(child.key)

        new_keywords = [k for k in source.keywords if k not in target.keywords]
        if new_keywords:
            target.keywords = list(target.keywords) + new_keywords
            session.add(target)
            report.keywords_added = new_keywords
        session.flush()
        session.delete(source)
        session.flush()
        renumber_codes(session)
    return report


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for at in range(0, len(ids), _CHUNK):
        yield ids[at : at + _CHUNK]


@dataclass
class RetireReport:
    """The codes a retire or unretire changed, and the shortcuts it freed."""

    keys: list[str] = field(default_factory=list)
    freed_shortcuts: dict[str, str] = field(default_factory=dict)


def retire_code(project: Project, key: str) -> RetireReport:
    """Retire a code and every code under it: no new codings, old ones kept, shortcuts freed."""
    report = RetireReport()
    with project.write() as session:
        code = code_by_key(session, key)
        codes = list(session.exec(select(Code)))
        for each in [code, *code_descendants(codes, cast(int, code.id))]:
            if each.retired:
                continue
            each.retired = True
            if each.shortcut:
                report.freed_shortcuts[each.key] = each.shortcut
                each.shortcut = None
            session.add(each)
            report.keys.append(each.key)
    return report


def unretire_code(project: Project, key: str) -> RetireReport:
    """Bring a retired code back, with any retired code above it. Shortcuts are not restored."""
    report = RetireReport()
    with project.write() as session:
        code = code_by_key(session, key)
        codes = list(session.exec(select(Code)))
        for each in [code, *code_ancestors(codes, code)]:
            if not each.retired:
                continue
            each.retired = False
            session.add(each)
            report.keys.append(each.key)
    return report


def set_code_retired(project: Project, key: str, retired: bool) -> RetireReport:
    return retire_code(project, key) if retired else unretire_code(project, key)


# --------------------------------------------------------- coding from results


def toggle_coding(
    project: Project, passage_id: int, code_key: str, coder: str, *, allow_interviewer: bool = False
) -> str:
    """Put the code on the whole passage for ``coder``, or take it off. Returns ``added`` or ``removed``.

    A code the coder has only on a narrowed span of the passage is not
    removed from here (that would lose the span); the coding screen does that.
    """
    with project.write() as session:
        passage = session.get(Passage, passage_id)
        if passage is None:
            raise TrivselError(
                _("udsagnet findes ikke længere"), _("søg igen; kilden kan være fjernet eller revideret")
            )
        code = code_by_key(session, code_key)
        coder_row = get_or_create_coder(session, coder)
        mine = list(
            session.exec(
                select(Coding).where(
                    Coding.passage_id == passage.id, Coding.code_id == code.id, Coding.coder_id == coder_row.id
                )
            )
        )
        whole = [c for c in mine if c.start is None and c.end is None]
        if whole:
            for coding in whole:
                session.delete(coding)
            return "removed"
        if mine:
            raise TrivselError(
                _("{key} står kun på et udsnit af udsagnet").format(key=code.key),
                _("ret eller fjern udsnittet på kodningsskærmen (Enter springer dertil)"),
            )
        if code.retired:
            raise TrivselError(
                _("koden '{key}' er udgået og kan ikke bruges til nye kodninger").format(key=code.key),
                _("vælg en anden kode"),
            )
        if not allow_interviewer:
            role = cast(Participant, session.get(Participant, passage.participant_id)).role
            if role == INTERVIEWER:
                raise TrivselError(_("interviewerens udsagn kodes ikke"), _("kod deltagernes svar"))
        session.add(
            Coding(passage_id=cast(int, passage.id), code_id=cast(int, code.id), coder_id=cast(int, coder_row.id))
        )
    return "added"


def passage_codes(project: Project, passage_ids: Iterable[int], coder: str) -> dict[int, list[str]]:
    """Per passage id, the keys of the codes ``coder`` has on it (any span), in codebook order."""
    ids = list(dict.fromkeys(passage_ids))
    out: dict[int, list[str]] = {pid: [] for pid in ids}
    if not ids:
        return out
    with project.read() as session:
        coder_id = session.exec(select(Coder.id).where(Coder.name == coder)).first()
        if coder_id is None:
            return out
        for chunk in _chunks(ids):
            rows = session.exec(
                select(Coding.passage_id, Code.key)
                .join(Code, col(Coding.code_id) == Code.id)
                .where(Coding.coder_id == coder_id, col(Coding.passage_id).in_(chunk))
                .order_by(col(Code.position), col(Code.id))
            ).all()
            for pid, key in rows:
                if key not in out[pid]:
                    out[pid].append(key)
    return out
