"""Codes made while coding, in the core: made with the coding, undone and redone as one step."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.unit.test_coding_ops import _build, _codings, _ids
from trivselkode.domain.undo import CodingAction
from trivselkode.errors import TrivselError
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.codebook_ops import delete_unused_code
from trivselkode.storage.codes_while_coding import NewCode, apply_code_step, code_with_new_codes
from trivselkode.storage.models import Code


@pytest.fixture()
def project(tmp_path):  # noqa: ANN001, ANN201
    project = _build(tmp_path / "p.db")
    yield project
    project.dispose()


def _codes(project) -> dict[str, tuple[str, str | None]]:  # noqa: ANN001
    with project.read() as s:
        rows = list(s.exec(select(Code)))
    keys = {c.id: c.key for c in rows}
    return {c.key: (c.name, keys.get(c.parent_id)) for c in rows}


def _action(step) -> CodingAction:  # noqa: ANN001
    return CodingAction(added=tuple(step.added), removed=tuple(step.removed), label="x", made=step.made)


def test_make_code_undo_redo(project) -> None:  # noqa: ANN001
    pids, _codes_ = _ids(project)
    before = _codes(project)
    new = [NewCode("In vivo", None, "in vivo", "IV"), NewCode("tryg her", "IV", "in vivo")]
    step = code_with_new_codes(project, "ann", new, pids[1], (0, 9))
    made = _codes(project)
    assert made["IV"] == ("In vivo", None) and made["IV.tryg-her"] == ("tryg her", "IV")
    code_id = step.made[-1].code_id
    assert _codings(project) == {(pids[1], code_id, 0, 9)}
    assert [c.key for c in step.made] == ["IV", "IV.tryg-her"] and "IV.tryg-her" in {c.key for c in step.codes}

    action = _action(step)
    undone = apply_code_step(project, "ann", action.inverted())
    assert _codings(project) == set() and _codes(project) == before and undone.kept == []
    redone = apply_code_step(project, "ann", action)
    assert set(_codes(project)) == set(made)
    new_id = redone.made[-1].code_id
    assert _codings(project) == {(pids[1], new_id, 0, 9)}
    again = CodingAction(added=tuple(redone.added), removed=tuple(redone.removed), made=redone.made)
    apply_code_step(project, "ann", again.inverted())
    assert _codings(project) == set() and _codes(project) == before


def test_a_code_another_coder_used_is_kept_at_undo(project) -> None:  # noqa: ANN001
    pids, _ = _ids(project)
    step = code_with_new_codes(project, "ann", [NewCode("Ensomhed", "B")], pids[1])
    code_id = step.made[-1].code_id
    ops.toggle_code(project, "bo", pids[3], code_id)
    undone = apply_code_step(project, "ann", _action(step).inverted())
    assert undone.kept == ["B.ensomhed"] and "B.ensomhed" in _codes(project)
    assert _codings(project) == set() and _codings(project, "bo") == {(pids[3], code_id, None, None)}
    redone = apply_code_step(project, "ann", _action(step))  # the code is there still: used again as it is
    assert redone.made[-1].code_id == code_id and _codings(project) == {(pids[1], code_id, None, None)}


def test_a_refused_coding_leaves_no_code_behind(project) -> None:  # noqa: ANN001
    pids, _ = _ids(project)
    before = _codes(project)
    with pytest.raises(TrivselError, match="ligger ikke inden for"):
        code_with_new_codes(project, "ann", [NewCode("In vivo", None, "", "IV"), NewCode("x", "IV")], pids[1], (5, 999))
    with pytest.raises(TrivselError, match="konsensus"):
        code_with_new_codes(project, "konsensus", [NewCode("Ny")], pids[1])
    assert _codes(project) == before and _codings(project) == set()


def test_a_taken_key_gives_another_and_children_follow(project) -> None:  # noqa: ANN001
    pids, _ = _ids(project)
    code_with_new_codes(project, "ann", [NewCode("Andet", None, "", "IV")], pids[1])  # takes the key IV
    step = code_with_new_codes(
        project, "ann", [NewCode("In vivo", None, "in vivo", "IV"), NewCode("ro", "IV")], pids[3]
    )
    assert [c.key for c in step.made] == ["in-vivo", "in-vivo.ro"]
    assert _codes(project)["in-vivo.ro"] == ("ro", "in-vivo")


def test_delete_unused_code_keeps_what_is_used(project) -> None:  # noqa: ANN001
    pids, codes = _ids(project)
    assert not delete_unused_code(project, "B")  # it has a child
    ops.toggle_code(project, "ann", pids[1], codes["T2"])
    assert not delete_unused_code(project, "T2")  # it is coded
    assert delete_unused_code(project, "T3") and "T3" not in _codes(project)
    assert not delete_unused_code(project, "T3")  # gone: no error
