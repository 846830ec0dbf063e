"""Codes made while coding (in vivo, or typed into the picker), and their undo and redo.

Making a code and coding with it is one user action and one undo step. It
is written as the codebook and the codings are always written: the code
with :func:`~trivselkode.storage.codebook_ops.add_code` (the codebook's
rules: a unique key, a parent that exists …), the coding with
:func:`~trivselkode.storage.coding_ops.write_codings` (through
``apply_change`` and ``narrow_to_span``). Should the coding be refused, the
codes just made are deleted again, so nothing is half-written.

Undo deletes the codes after removing the coding — unless something else
uses them by then (another coder coded with one): such a code is kept, and
the result says so. Redo makes them again (under new ids, which the result
carries) and codes with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlmodel import select

from trivselkode.domain.code_naming import key_for, unique_name
from trivselkode.domain.undo import CodeMade, CodingAction, CodingFact
from trivselkode.storage.codebook_ops import add_code, delete_unused_code
from trivselkode.storage.coding_ops import apply_change, narrow_to_span
from trivselkode.storage.coding_views import CodeInfo, load_codes
from trivselkode.storage.models import Code


@dataclass(frozen=True)
class NewCode:
    """A code to make: its name, its parent's key (``None``: the top level), its kind, a key if fixed."""

    name: str
    parent_key: str | None = None
    kind: str = ""
    key: str | None = None


@dataclass
class CodeStep:
    """What was stored: the codings added and removed, the codes made, the keys of codes kept."""

    added: list[CodingFact] = field(default_factory=list)
    removed: list[CodingFact] = field(default_factory=list)
    made: tuple[CodeMade, ...] = ()
    kept: list[str] = field(default_factory=list)
    codes: list[CodeInfo] = field(default_factory=list)  # the codebook afterwards


def _codebook(project) -> list[Code]:  # noqa: ANN001
    with project.read() as session:
        return list(session.exec(select(Code)))


def _make(project, new: Sequence[NewCode]) -> list[CodeMade]:  # noqa: ANN001
    """Make ``new`` (parents first) with unique keys and sibling names; the codes made."""
    codes = _codebook(project)
    keys = [c.key for c in codes]
    made: list[CodeMade] = []
    renamed: dict[str, str] = {}  # a key asked for that was taken -> the key given
    try:
        for code in new:
            parent_key = renamed.get(code.parent_key or "", code.parent_key)
            parent_id = next((c.id for c in codes if c.key == parent_key), None)
            siblings = [c.name for c in codes if c.parent_id == parent_id]
            name = unique_name(code.name, siblings)
            key = code.key if code.key and code.key not in keys else key_for(name, parent_key, keys)
            if code.key:
                renamed[code.key] = key
            add_code(project, key, name, parent=parent_key, kind=code.kind)
            codes = _codebook(project)
            row = next(c for c in codes if c.key == key)
            keys.append(key)
            made.append(CodeMade(int(row.id or 0), key, name, parent_key, code.kind))
    except BaseException:
        _unmake(project, made[::-1])
        raise
    return made


def _unmake(project, made: Sequence[CodeMade]) -> list[str]:  # noqa: ANN001
    """Delete the codes ``made`` (given children first) that nothing uses; the keys of those kept."""
    kept = []
    for code in made:
        if not delete_unused_code(project, code.key):
            kept.append(code.key)
    return kept


def code_with_new_codes(
    project,  # noqa: ANN001
    coder: str,
    new: Sequence[NewCode],
    passage_id: int,
    span: tuple[int, int] | None = None,
) -> CodeStep:
    """Make the codes ``new`` (the last is the one to code with) and code the passage (or ``span`` of it)."""
    made = _make(project, new)
    code_id = made[-1].code_id
    try:
        if span is not None:
            added, removed = narrow_to_span(project, coder, passage_id, code_id, *span)
        else:
            added, removed = apply_change(project, coder, added=[CodingFact(passage_id, code_id)])
    except BaseException:
        _unmake(project, made[::-1])
        raise
    return CodeStep(added, removed, tuple(made), [], load_codes(project))


def apply_code_step(project, coder: str, change: CodingAction) -> CodeStep:  # noqa: ANN001
    """Store ``change`` (an action that made codes, or its inverse): make, code, unmake, in that order."""
    existing = {c.key: int(c.id or 0) for c in _codebook(project)}
    remake = [c for c in change.made if c.key not in existing]
    fresh = _make(project, [NewCode(c.name, c.parent_key, c.kind, c.key) for c in remake])
    made = {asked.key: now for asked, now in zip(remake, fresh, strict=True)}
    new_ids: dict[int, int] = {}
    again: list[CodeMade] = []
    for code in change.made:  # made again, or there still (kept at the undo, as something used it)
        now = made.get(code.key) or replace(code, code_id=existing[code.key])
        new_ids[code.code_id] = now.code_id
        again.append(now)

    def moved(facts: Sequence[CodingFact]) -> list[CodingFact]:
        return [replace(f, code_id=new_ids.get(f.code_id, f.code_id)) for f in facts]

    try:
        added, removed = apply_change(project, coder, added=moved(change.added), removed=moved(change.removed))
    except BaseException:
        _unmake(project, fresh[::-1])
        raise
    kept = _unmake(project, change.unmade)  # the inverse of making them: children first
    return CodeStep(added, removed, tuple(again), kept, load_codes(project))
