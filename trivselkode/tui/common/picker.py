"""The one code picker: type part of a code's key or name, Enter picks the highlighted one.

It serves two uses. Coding (:meth:`CodePickerDialog.for_codes`): the codes
as coloured chips, a shortcut matches too, and it dismisses with the code's
id. The codebook (``CodePickerDialog(title, choices)``): ``(key, label)``
pairs, one may have the key ``""`` ("the top level"), and it dismisses with
the key. Either way it dismisses with ``None`` when closed.

The coding picker can also make a code (``create_under``): a typed name no
code has is offered as "Opret kode 'X' under …" (first when nothing else
matches, else last), its parent changed with ctrl+o; taking it dismisses
with a :class:`NewCodeRequest`. The ranking is the core's
(:mod:`trivselkode.analysis.code_rank`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from trivselkode.analysis.code_rank import Choice, names_a_code, rank_choices, rank_codes
from trivselkode.i18n import N_, _
from trivselkode.storage.coding_ops import CodeInfo
from trivselkode.tui.common.help import HelpInput
from trivselkode.tui.common.modal import Dialog
from trivselkode.tui.common.plain import PlainInput, inert_line, line
from trivselkode.tui.common.shortcut import name_with_shortcut

__all__ = ["Choice", "CodePickerDialog", "NewCodeRequest", "code_prompt", "rank_choices", "rank_codes"]

_CREATE = "\x00create"  # the choice that makes a new code (no code's key can hold a control character)


@dataclass(frozen=True)
class NewCodeRequest:
    """What the coding picker dismisses with when the user asks for a new code ``name`` under ``parent_key``."""

    name: str
    parent_key: str | None


def code_prompt(code: CodeInfo, number: int | None = None) -> Text:
    """A code as a list shows it: its key as a coloured chip, its name with its shortcut marked."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if number is not None:
        text.append(f"{number} ", style="bold")
    text.append(f" {inert_line(code.key)} ", style=Style(bgcolor=code.color or "#777777", color="#ffffff", bold=True))
    text.append(" ")
    text.append_text(name_with_shortcut(code.name, code.shortcut))  # the key marked near the start: seen when cut
    return text


class CodePickerDialog(Dialog[Any]):
    """Find a code by typing part of its key or name; Enter (or a click) picks the highlighted one."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Luk")),
        Binding("down", "move(1)", N_("Ned"), show=False),
        Binding("up", "move(-1)", N_("Op"), show=False),
        Binding("ctrl+o", "choose_parent", N_("Ny kode under …"), show=False),
    ]

    def __init__(
        self,
        title: str,
        choices: list[tuple[str, str]],
        hint: str = "",
        *,
        codes: list[CodeInfo] | None = None,
        create_under: str | None | bool = False,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.hint = hint
        self.codes = {c.key: c for c in codes} if codes is not None else None
        self.shown: list[Choice] = []
        # Making a code: off (False), or the key of the new code's parent (None: the top level).
        self.can_create = create_under is not False and codes is not None
        self.parent_key: str | None = create_under if isinstance(create_under, str) else None
        self.query_text = ""

    @classmethod
    def for_codes(
        cls, codes: list[CodeInfo], title: str | None = None, *, create_under: str | None | bool = False
    ) -> CodePickerDialog:
        """The picker of the coding screen: every code in use; dismisses with the chosen code's id.

        With ``create_under`` (a parent's key, ``None`` for the top level) a typed name no code
        has is offered as a new code, and taking it dismisses with a :class:`NewCodeRequest`.
        """
        active = [c for c in codes if not c.retired]
        return cls(
            _("Vælg kode") if title is None else title,
            [(c.key, c.name) for c in active],
            codes=active,
            create_under=create_under,
        )

    def compose(self) -> ComposeResult:
        coding = self.codes is not None
        with Vertical(id="picker-box" if coding else None, classes="dialog" if coding else "dialog -fill"):
            yield Label(line(self.title_text), classes="dialog-title")
            if self.hint:
                yield Static(line(self.hint))
            if coding:
                yield HelpInput(placeholder=_("skriv en del af navnet, nøglen eller genvejen"), id="picker-query")
                yield OptionList(id="picker-list")
                if self.can_create:
                    keys = _("↑/↓ vælg · Enter: brug koden · ctrl+o: ny kodes overkode · Escape: luk")
                else:
                    keys = _("↑/↓ vælg · Enter: brug koden · Escape: luk")
                yield Static(keys, classes="dialog-hint")
            else:
                yield PlainInput(placeholder=_("skriv en del af nøglen eller navnet"), id="picker-query")
                yield OptionList(id="choice-list")
                yield Static(_("↑/↓ vælg · Enter: vælg · Escape: fortryd"), classes="dialog-hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _parent_label(self) -> str:
        parent = self.codes.get(self.parent_key or "") if self.codes else None
        return f"{parent.key} ({parent.name})" if parent else _("øverste niveau")

    def _prompt(self, choice: Choice) -> Text:
        if choice.key == _CREATE:
            if self.parent_key:
                made = _("Opret kode »{name}« under {parent}").format(
                    name=inert_line(choice.label), parent=inert_line(self._parent_label())
                )
            else:
                made = _("Opret kode »{name}« på øverste niveau").format(name=inert_line(choice.label))
            return Text.assemble((" + ", "bold reverse"), " " + made)
        if self.codes is not None:
            return code_prompt(self.codes[choice.key])
        if not choice.key:
            return line(choice.label, style="italic")
        return Text.assemble((inert_line(choice.key), "bold"), " ", inert_line(choice.label))

    def _fill(self, query: str) -> None:
        shortcuts = {k: c.shortcut for k, c in self.codes.items() if c.shortcut} if self.codes else None
        self.query_text = query
        self.shown = rank_choices(query, self.choices, shortcuts)
        name = " ".join(query.split())
        if self.can_create and name and not names_a_code(name, list(self.codes.values()) if self.codes else []):
            # Nothing else matches: Enter makes it; else it is the last choice (↓ or End reaches it).
            self.shown.append(Choice(_CREATE, name))
        options = self.query_one(OptionList)
        options.set_options([Option(self._prompt(choice)) for choice in self.shown])
        if self.shown:
            options.highlighted = 0

    def _pick(self, index: int) -> None:
        key = self.shown[index].key
        if key == _CREATE:
            self.dismiss(NewCodeRequest(self.shown[index].label, self.parent_key))
        else:
            self.dismiss(key if self.codes is None else self.codes[key].id)

    def action_choose_parent(self) -> None:
        """ctrl+o: choose where a new code goes (shown in the "Opret kode" choice)."""
        if not self.can_create or self.codes is None:
            return
        choices = [("", _("øverste niveau")), *((c.key, c.name) for c in self.codes.values())]

        def chosen(key: str | None) -> None:
            if key is not None:
                self.parent_key = key or None
                self._fill(self.query_text)

        self.app.push_screen(CodePickerDialog(_("Nye koder oprettes under …"), choices), chosen)

    @on(Input.Changed, "#picker-query")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-query")
    def _submitted(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self.shown):
            self._pick(index)
        elif self.codes is None:
            self.app.bell()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option_index)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if self.shown:
            current = options.highlighted if options.highlighted is not None else -1
            options.highlighted = max(0, min(len(self.shown) - 1, current + step))
