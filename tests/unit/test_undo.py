"""Undo/redo history of coding actions (pure)."""

from __future__ import annotations

import pytest

from trivselkode.domain.undo import CodingAction, CodingFact, UndoHistory


def _add(pid: int, code: int, start: int | None = None, end: int | None = None) -> CodingAction:
    return CodingAction(added=(CodingFact(pid, code, start, end),), label=f"{code}@{pid}")


def test_inverted_swaps_added_and_removed() -> None:
    whole = CodingFact(1, 2)
    span = CodingFact(1, 2, 0, 5)
    action = CodingAction(added=(span,), removed=(whole,), label="span", source_name="s", passage_number=3)
    inv = action.inverted()
    assert inv.added == (whole,) and inv.removed == (span,)
    assert (inv.label, inv.source_name, inv.passage_number) == ("span", "s", 3)
    assert inv.inverted() == action


def test_memo_does_not_take_part_in_equality() -> None:
    assert CodingFact(1, 2, memo="x") == CodingFact(1, 2)


def test_undo_then_redo_in_order() -> None:
    h = UndoHistory()
    a, b = _add(1, 1), _add(2, 1)
    h.record(a)
    h.record(b)
    assert h.peek_undo() is b
    h.commit_undo(b)
    assert h.peek_undo() is a and h.peek_redo() is b
    h.commit_undo(a)
    assert not h.can_undo and h.can_redo
    assert h.peek_redo() is a
    h.commit_redo(a)
    assert h.peek_redo() is b
    h.commit_redo(b)
    assert not h.can_redo and len(h) == 2


def test_new_action_clears_redo() -> None:
    h = UndoHistory()
    a = _add(1, 1)
    h.record(a)
    h.commit_undo(a)
    assert h.can_redo
    h.record(_add(5, 5))
    assert not h.can_redo


def test_failed_write_leaves_history_unchanged() -> None:
    h = UndoHistory()
    a = _add(1, 1)
    h.record(a)
    assert h.peek_undo() is a  # the caller's write fails: no commit
    assert h.peek_undo() is a and not h.can_redo


def test_commit_of_wrong_action_is_refused() -> None:
    h = UndoHistory()
    a, b = _add(1, 1), _add(2, 2)
    h.record(a)
    with pytest.raises(ValueError):
        h.commit_undo(b)
    with pytest.raises(ValueError):
        h.commit_redo(a)


def test_empty_action_is_not_recorded_and_limit_holds() -> None:
    h = UndoHistory(limit=3)
    h.record(CodingAction())
    assert not h.can_undo
    for i in range(5):
        h.record(_add(i, 1))
    assert len(h) == 3
    assert h.peek_undo().added[0].passage_id == 4


def test_an_action_that_made_codes_unmakes_them_when_inverted() -> None:
    from trivselkode.domain.undo import CodeMade

    group, code = CodeMade(7, "IV", "In vivo"), CodeMade(8, "IV.ro", "ro", "IV")
    action = CodingAction(added=(CodingFact(1, 8, 0, 2),), made=(group, code), label="in vivo")
    assert action.changes_codes and not _add(1, 1).changes_codes
    inv = action.inverted()
    assert inv.unmade == (code, group) and inv.made == () and inv.removed == action.added  # children first
    assert inv.inverted() == action
    assert not CodingAction(made=(group,)).is_empty


def test_replace_puts_a_redone_action_in_its_place() -> None:
    h = UndoHistory()
    a, b = _add(1, 1), _add(2, 1)
    h.record(a)
    new = _add(1, 9)
    assert h.replace(a, new) and h.peek_undo() is new
    assert not h.replace(b, new)  # not there


def test_record_change_records_what_a_write_stored_as_one_action() -> None:
    h = UndoHistory()
    fact = CodingFact(passage_id=1, code_id=2)
    action = h.record_change([fact], [], label="T1 på udsagn 4", source_name="kilde", passage_number=4)
    assert h.peek_undo() is action
    assert (action.added, action.removed, action.label, action.source_name, action.passage_number) == (
        (fact,),
        (),
        "T1 på udsagn 4",
        "kilde",
        4,
    )
    assert h.record_change([], [], label="intet", source_name="kilde", passage_number=4).is_empty
    assert h.peek_undo() is action  # nothing stored: nothing to undo
