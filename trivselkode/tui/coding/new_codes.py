"""Codes made while coding, for the coding screen: in vivo (``v`` in the ``s`` mode) and from the picker.

Each is one user action and one undo step: the code (and an "In vivo"
group made on demand) and the coding with it are stored by
:func:`~trivselkode.storage.codes_while_coding.code_with_new_codes`; ``u``
takes both away again and ``ctrl+r`` brings both back
(:func:`~trivselkode.storage.codes_while_coding.apply_code_step`). The app's
history keeps the step like any other coding action; this helper does its
undo and redo, since they write codes as well as codings.

Where an in-vivo code goes is asked every time, with a default the coder
can take with Enter: beside the newest in-vivo code (so a parent chosen
once holds from then on), else the "In vivo" group, else a new one
(:func:`~trivselkode.domain.code_naming.in_vivo_parent`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from trivselkode.domain.code_naming import (
    IN_VIVO_GROUP_KEY,
    IN_VIVO_GROUP_NAME,
    IN_VIVO_KIND,
    NEW_IN_VIVO_GROUP,
    in_vivo_name,
    in_vivo_parent,
)
from trivselkode.domain.undo import CodingAction
from trivselkode.i18n import N_, _
from trivselkode.storage.codes_while_coding import CodeStep, NewCode, apply_code_step, code_with_new_codes
from trivselkode.storage.coding_ops import PassageInfo
from trivselkode.tui.coding.span_mode import SpanMode
from trivselkode.tui.coding.writes import CodeStepRefused, CodeStepStored
from trivselkode.tui.common.picker import CodePickerDialog, NewCodeRequest

if TYPE_CHECKING:
    from trivselkode.tui.coding.screen import CodingScreen

TOP_LEVEL_LABEL = N_("øverste niveau")


class CodeMaker:
    """The coding screen's making of codes, and the undo and redo of those steps."""

    def __init__(self, screen: CodingScreen) -> None:
        self.screen = screen
        self.picker_parent: str | None = None  # where the picker's last new code went (this screen)

    # ------------------------------------------------------------------ in vivo

    def in_vivo(self) -> None:
        """``v`` in the ``s`` mode: a code named by the selected words, under a parent the coder confirms."""
        screen = self.screen
        passage, selection = screen.cursor.passage, screen.cursor.selection()
        if passage is None or selection is None or screen.view is None:
            return
        name = in_vivo_name(screen.cursor.selected_text())
        if not name:
            screen.app.notify(_("Udsnittet har ingen ord at kalde koden."), severity="warning", timeout=3)
            return
        default = in_vivo_parent(screen.view.codes)

        def chosen(key: str | None) -> None:
            if key is None:  # cancelled: the selection stays
                return
            new = []
            parent = key or None
            if key == NEW_IN_VIVO_GROUP:
                new.append(NewCode(IN_VIVO_GROUP_NAME, None, IN_VIVO_KIND, IN_VIVO_GROUP_KEY))
                parent = IN_VIVO_GROUP_KEY
            new.append(NewCode(name, parent, IN_VIVO_KIND))
            screen.query_one(SpanMode).end()
            self._make(passage, selection, new, _("in vivo »{name}«").format(name=name))

        dialog = CodePickerDialog(
            _("In vivo-kode »{name}« under …").format(name=name),
            self._parent_choices(default),
            hint=_("Enter: under den første · skriv for at finde en anden overkode"),
        )
        screen.app.push_screen(dialog, chosen)

    def _parent_choices(self, default: str) -> list[tuple[str, str]]:
        """The parents to choose from, ``default`` first."""
        codes = [c for c in self.screen.view.codes if not c.retired] if self.screen.view else []
        choices = [("", _(TOP_LEVEL_LABEL))]
        if default == NEW_IN_VIVO_GROUP:
            said = _("{name} (ny gruppe øverst i kodebogen)").format(name=IN_VIVO_GROUP_NAME)
            choices.insert(0, (NEW_IN_VIVO_GROUP, said))
        choices.extend((c.key, c.name) for c in codes)
        first = next((i for i, (key, _label) in enumerate(choices) if key == default), 0)
        return [choices[first], *choices[:first], *choices[first + 1 :]]

    # ------------------------------------------------------------------ picker

    def from_picker(self, request: NewCodeRequest, passage: PassageInfo, selection: tuple[int, int] | None) -> None:
        """The picker's "Opret kode 'X' under …": make it and put it on the passage (or the span)."""
        self.picker_parent = request.parent_key
        if selection is not None:
            self.screen.query_one(SpanMode).end()
        label = _("ny kode »{name}«").format(name=request.name)
        self._make(passage, selection, [NewCode(request.name, request.parent_key)], label)

    def _make(self, passage: PassageInfo, selection: tuple[int, int] | None, new: list[NewCode], label: str) -> None:
        screen = self.screen
        action = CodingAction(
            label=_("{label} på udsagn {n}").format(label=label, n=passage.number),
            source_name=screen.source_name,
            passage_number=passage.number,
        )
        screen.tapp.run_write(
            code_with_new_codes,
            screen.tapp.coder,
            new,
            passage.id,
            selection,
            reply_to=screen,
            stored=CodeStepStored("new", action),
        )

    # -------------------------------------------------------------- undo/redo

    def undo(self) -> bool:
        """Undo the last action if it made codes (and say so); else leave it to the app."""
        history = self.screen.tapp.history
        action = history.peek_undo()
        if action is None or not action.changes_codes:
            return False
        history.commit_undo(action)  # moved back if the write is refused
        self._step(action, action.inverted(), "undo")
        return True

    def redo(self) -> bool:
        """Redo the next action if it makes codes; else leave it to the app."""
        history = self.screen.tapp.history
        action = history.peek_redo()
        if action is None or not action.changes_codes:
            return False
        history.commit_redo(action)
        self._step(action, action, "redo")
        return True

    def _step(self, action: CodingAction, change: CodingAction, step: str) -> None:
        screen = self.screen
        screen.tapp.run_write(
            apply_code_step,
            screen.tapp.coder,
            change,
            reply_to=screen,
            stored=CodeStepStored(step, action),
            refused=CodeStepRefused(step == "redo", action),
        )

    def refused(self, message: CodeStepRefused) -> None:
        """The undo or redo was not stored: the action goes back where it was (the app says the error)."""
        history, action = self.screen.tapp.history, message.action
        if message.redo:
            if history.peek_undo() is action:
                history.commit_undo(action)
        elif history.peek_redo() is action:
            history.commit_redo(action)

    def stored(self, message: CodeStepStored) -> None:
        """Show a stored step: the codebook, the codings, the history and a line saying what happened."""
        screen = self.screen
        result: CodeStep = message.result
        screen.show_codes(result.codes)
        action = message.action
        if message.step != "undo":
            done = replace(action, added=tuple(result.added), removed=tuple(result.removed), made=result.made)
            if message.step == "new":
                screen.tapp.history.record(done)
            else:
                screen.tapp.history.replace(action, done)
        if action.source_name == screen.source_name:
            screen.apply_stored(result.added, result.removed)
        made = result.made[-1] if result.made else None
        if message.step == "new" and made is not None:
            for fact in result.added:  # Enter in the s mode applies it next
                screen.last_code[fact.passage_id] = made.code_id
            screen.app.notify(
                _("Ny kode {key} »{name}« er oprettet og sat på udsagn {n}").format(
                    key=made.key, name=made.name, n=action.passage_number
                )
            )
            return
        verb = _("Fortrudt") if message.step == "undo" else _("Gentaget")
        said = _("{verb}: {action}").format(verb=verb, action=action.label)
        if result.kept:
            said += " " + _("(koden {keys} beholdes: den er taget i brug)").format(keys=", ".join(result.kept))
        screen.app.notify(said, timeout=3)
        if action.source_name == screen.source_name:
            screen.jump_to(action.passage_number)
