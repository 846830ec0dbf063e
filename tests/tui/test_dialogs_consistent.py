"""Every dialog the same: Escape cancels (nothing is returned, nothing saved), Enter saves, ctrl+s saves.

Each dialog runs in a small host app that records what it was dismissed
with; the memo and the speaker are also driven through Kodning, with the
database checked. A last test finds every modal screen of the TUI and checks
that it derives from the one base (:class:`trivselkode.tui.common.modal.Dialog`)
with Escape bound to cancelling and ctrl+s to saving, so a new dialog keeps them too.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlmodel import select
from textual.app import App
from textual.screen import ModalScreen
from textual.widgets import TextArea

import trivselkode.tui
from tests.tui.conftest import make_app, passage_ids, settle
from trivselkode.analysis.suggest import Suggestion
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.coding_views import CodeInfo
from trivselkode.storage.models import Memo, Participant
from trivselkode.tui.agreement import dialogs as agreement_dialogs
from trivselkode.tui.codebook.dialogs import AddCodeDialog, DetailsDialog
from trivselkode.tui.common.confirm import ConfirmDialog
from trivselkode.tui.common.dialogs import CoderDialog, MemoDialog, SpeakerDialog, SuggestionDialog
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.modal import Dialog
from trivselkode.tui.common.picker import CodePickerDialog
from trivselkode.tui.common.prompt import TextPromptDialog

pytestmark = pytest.mark.anyio

NOTHING = object()  # the dialog is still open
CODES = [
    CodeInfo(id=1, key="T1", name="Tryghed", shortcut="1"),
    CodeInfo(id=2, key="B.social", name="Sociale behov", shortcut="c"),
]


@dataclass
class Case:
    """A dialog, the keys that fill it in, and what it is dismissed with when saved and when cancelled."""

    make: Callable[[], Dialog]
    saved: Any
    fill: tuple[str, ...] = ()
    cancelled: Any = None
    enter_saves: bool = True  # False where Enter is a new line (the memo) or there is nothing to save (the help)
    ctrl_s: Any = field(default=NOTHING)  # what ctrl+s gives when it differs from ``saved``


CASES = {
    "ConfirmDialog": Case(lambda: ConfirmDialog("Sikker?"), True, cancelled=False),
    "TextPromptDialog": Case(lambda: TextPromptDialog("Omdøb", "Navn", "gammel"), "gammelt", ("end", "t")),
    "CoderDialog": Case(CoderDialog, "ann", ("a", "n", "n")),
    "SuggestionDialog": Case(lambda: SuggestionDialog([(Suggestion("T1", 1.0, ("tryg",)), CODES[0])]), 1),
    "MemoDialog": Case(lambda: MemoDialog("Notat", "gammelt"), "gammelt!", ("!",), enter_saves=False),
    "SpeakerDialog": Case(
        lambda: SpeakerDialog("P1", {"gender": "", "age": "", "site": ""}, {}), {"gender": "k"}, ("k",)
    ),
    "CodePickerDialog.for_codes": Case(lambda: CodePickerDialog.for_codes(CODES), 2, ("s", "o", "c")),
    "CodePickerDialog": Case(
        lambda: CodePickerDialog("Flyt", [("", "øverste niveau"), ("T1", "Tryghed")]), "T1", ("t", "1")
    ),
    "HelpDialog": Case(lambda: HelpDialog("Test", [("Skærmen", [("x", "gør noget")])]), NOTHING, enter_saves=False),
    "AddCodeDialog": Case(AddCodeDialog, {"key": "T9"}, ("T", "9")),
    "DetailsDialog": Case(lambda: DetailsDialog({"key": "T1", "name": "Tryghed"}), {"kind": "tema"}, tuple("tema")),
    "CodersDialog": Case(lambda: agreement_dialogs.CodersDialog(["ann", "bo", "cai"], ["ann", "bo"]), ["ann", "bo"]),
    "PairDialog": Case(lambda: agreement_dialogs.PairDialog(["ann", "bo", "cai"], ("ann", "cai")), ("ann", "cai")),
    "OverlapDialog": Case(lambda: agreement_dialogs.OverlapDialog(0.9), 0.5, ("backspace", "backspace", "5", "0")),
}
if hasattr(agreement_dialogs, "ReasonDialog"):  # the settlement's reason (Enighedens gennemgang)
    CASES["ReasonDialog"] = Case(
        lambda: agreement_dialogs.ReasonDialog("T1", [("a", "Tag A"), ("b", "Tag B")], "b", ""), ("b", "ro"), ("r", "o")
    )


class Host(App):
    """Shows one dialog and keeps what it was dismissed with."""

    def __init__(self, dialog: Dialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.result: Any = NOTHING

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self._done)

    def _done(self, result: Any) -> None:
        self.result = result


def matches(result: Any, expected: Any) -> bool:
    """A dict result matches when it has (at least) the expected values; anything else must be equal."""
    if isinstance(expected, dict) and isinstance(result, dict):
        return all(result.get(k) == v for k, v in expected.items())
    return result == expected


async def run_case(case: Case, *keys: str) -> Any:
    app = Host(case.make())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*case.fill, *keys)
        await pilot.pause()
        return app.result


@pytest.mark.parametrize("name", list(CASES))
async def test_escape_cancels(name) -> None:  # noqa: ANN001
    case = CASES[name]
    if name == "MemoDialog":  # something typed: Escape asks first; j throws it away, Escape keeps editing
        assert await run_case(Case(case.make, None), "escape") is None  # nothing typed: closed at once
        assert await run_case(case, "escape", "j") is None
        assert await run_case(case, "escape", "escape") is NOTHING
    else:
        assert await run_case(case, "escape") == case.cancelled


@pytest.mark.parametrize("name", list(CASES))
async def test_enter_saves(name) -> None:  # noqa: ANN001
    case = CASES[name]
    result = await run_case(case, "enter")
    if case.enter_saves:
        assert matches(result, case.saved), result
    else:
        assert result is NOTHING  # a new line in the memo; nothing to save in the help


@pytest.mark.parametrize("name", list(CASES))
async def test_ctrl_s_saves(name) -> None:  # noqa: ANN001
    case = CASES[name]
    result = await run_case(case, "ctrl+s")
    assert matches(result, case.saved if case.ctrl_s is NOTHING else case.ctrl_s), result


def all_modal_screens() -> list[type]:
    """Every modal screen class defined in trivselkode.tui (each module imported)."""
    for info in pkgutil.walk_packages(trivselkode.tui.__path__, "trivselkode.tui."):
        importlib.import_module(info.name)
    found: list[type] = []
    todo: list[type] = [ModalScreen]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("trivselkode.tui."):
                found.append(sub)
    return found


def test_every_dialog_has_the_same_keys() -> None:
    dialogs = all_modal_screens()
    assert {cls.__name__ for cls in dialogs} >= {name.split(".")[0] for name in CASES}
    for cls in dialogs:
        assert issubclass(cls, Dialog), f"{cls.__qualname__} is a modal screen not built on common/modal.py's Dialog"
        keys = cls._merge_bindings().key_to_bindings
        escape, save = keys["escape"][0].action, keys["ctrl+s"][0].action
        assert escape in {"cancel", "answer(False)"}, (cls.__qualname__, escape)
        assert callable(getattr(cls, "action_" + save.split("(")[0], None)), (cls.__qualname__, save)


# ------------------------------------------------------------------ through Kodning, on the database


async def test_memo_escape_keeps_the_stored_memo_and_ctrl_s_saves(tui_project) -> None:  # noqa: ANN001
    pid = passage_ids(tui_project)["holstebro-1"][1]
    ops.set_memo(tui_project, "ann", pid, "gammelt")
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_coding("holstebro-1", 2)
        await settle(pilot)
        await pilot.press("m", "end", "!", "enter", "x", "escape", "j")  # Enter is a new line; Escape, then yes
        await settle(pilot)
        assert type(app.screen).__name__ == "CodingScreen"
        assert ops.get_memo(tui_project, "ann", pid) == "gammelt"
        await pilot.press("m")
        await settle(pilot)
        app.screen.query_one(TextArea).text = "nyt\nnotat"
        await pilot.press("ctrl+s")
        await settle(pilot)
    with tui_project.read() as s:
        assert [m.text for m in s.exec(select(Memo))] == ["nyt\nnotat"]


async def test_speaker_escape_changes_nothing_and_enter_saves(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_coding("holstebro-1", 2)
        await settle(pilot)
        await pilot.press("e", "ctrl+a", "ctrl+k", *"anden", "escape")
        await settle(pilot)
        with tui_project.read() as s:
            assert s.exec(select(Participant.gender).where(Participant.label == "P1")).first() == "kvinde"
        await pilot.press("e", "ctrl+a", "ctrl+k", *"anden", "enter")
        await settle(pilot)
    with tui_project.read() as s:
        assert s.exec(select(Participant.gender).where(Participant.label == "P1")).first() == "anden"
