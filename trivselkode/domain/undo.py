"""Undo and redo of coding actions (pure: no database, no UI).

A :class:`CodingAction` is what one user action did to one coder's codings:
the codings it added and the ones it removed (toggling a code adds or
removes; narrowing to a span removes the whole-passage coding and adds the
span; accepting a suggestion adds). Its inverse swaps the two, so undo is
"apply the inverse" and redo is "apply the action again".

An action may also have made codes (a code created while coding, in vivo
or from the picker): its inverse unmakes them, so one undo takes away the
coding and the code it was made for, and a redo makes both again.

The history is two stacks. Applying an action is the caller's job (it is a
database write that may fail), so the history is moved in two steps: take
the action with :meth:`UndoHistory.peek_undo`, apply its inverse, and only
when that is stored call :meth:`UndoHistory.commit_undo`. A failed write
leaves the history as it was, and the user can try again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CodingFact:
    """One coding of the session's coder: passage, code and optional span."""

    passage_id: int
    code_id: int
    start: int | None = None
    end: int | None = None
    memo: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class CodeMade:
    """A code an action created: ``code_id`` is its id when it was made (its codings' ``code_id``)."""

    code_id: int
    key: str
    name: str
    parent_key: str | None = None
    kind: str = ""


@dataclass(frozen=True)
class CodingAction:
    """What one user action changed. ``label`` describes it for messages.

    ``made`` are codes made before the codings were added (parents first);
    ``unmade`` codes to delete after the codings were removed, if nothing
    else uses them (the inverse of making them).
    """

    added: tuple[CodingFact, ...] = ()
    removed: tuple[CodingFact, ...] = ()
    label: str = ""
    source_name: str = ""
    passage_number: int = 0
    made: tuple[CodeMade, ...] = ()
    unmade: tuple[CodeMade, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.added and not self.removed and not self.made and not self.unmade

    @property
    def changes_codes(self) -> bool:
        """Whether undoing or redoing it makes or deletes codes (not only codings)."""
        return bool(self.made or self.unmade)

    def inverted(self) -> CodingAction:
        return CodingAction(
            added=self.removed,
            removed=self.added,
            label=self.label,
            source_name=self.source_name,
            passage_number=self.passage_number,
            made=tuple(reversed(self.unmade)),
            unmade=tuple(reversed(self.made)),
        )


class UndoHistory:
    """The session's coding actions, undoable and redoable in order."""

    def __init__(self, limit: int = 10_000) -> None:
        self._undo: list[CodingAction] = []
        self._redo: list[CodingAction] = []
        self._limit = limit

    def __len__(self) -> int:
        return len(self._undo)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def record(self, action: CodingAction) -> None:
        """A new action was stored: it can be undone; nothing can be redone now."""
        if action.is_empty:
            return
        self._undo.append(action)
        if len(self._undo) > self._limit:
            del self._undo[0]
        self._redo.clear()

    def record_change(
        self,
        added: Sequence[CodingFact],
        removed: Sequence[CodingFact],
        *,
        label: str,
        source_name: str,
        passage_number: int,
    ) -> CodingAction:
        """Record the codings a write stored (added and removed) as one action; the action."""
        action = CodingAction(
            added=tuple(added),
            removed=tuple(removed),
            label=label,
            source_name=source_name,
            passage_number=passage_number,
        )
        self.record(action)
        return action

    def peek_undo(self) -> CodingAction | None:
        """The action the next undo reverses (apply its :meth:`~CodingAction.inverted`)."""
        return self._undo[-1] if self._undo else None

    def commit_undo(self, action: CodingAction) -> None:
        """The inverse of ``action`` is stored: move it to the redo stack."""
        if not self._undo or self._undo[-1] is not action:
            raise ValueError("commit_undo of an action that is not the next to undo")
        self._redo.append(self._undo.pop())

    def peek_redo(self) -> CodingAction | None:
        """The action the next redo applies again."""
        return self._redo[-1] if self._redo else None

    def replace(self, action: CodingAction, new: CodingAction) -> bool:
        """``action`` is ``new`` now (a redo made its codes again, under new ids); whether it was found."""
        for stack in (self._undo, self._redo):
            for i, there in enumerate(stack):
                if there is action:
                    stack[i] = new
                    return True
        return False

    def commit_redo(self, action: CodingAction) -> None:
        """``action`` is stored again: move it back to the undo stack."""
        if not self._redo or self._redo[-1] is not action:
            raise ValueError("commit_redo of an action that is not the next to redo")
        self._undo.append(self._redo.pop())
