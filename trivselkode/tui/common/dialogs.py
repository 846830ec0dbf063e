"""The small dialogs of the coding screen and the app: who codes, suggestions, memos, speakers.

As every dialog (:class:`.modal.Dialog`): Escape cancels, Enter saves (ctrl+s
in the memo, where Enter is a new line; ctrl+s saves in the others too). The
shared kit beside them: :mod:`.help`, :mod:`.confirm`, :mod:`.prompt`, :mod:`.picker`.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from trivselkode.analysis.suggest import Suggestion
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _
from trivselkode.storage.coding_views import CodeInfo
from trivselkode.tui.common.modal import Dialog
from trivselkode.tui.common.picker import code_prompt
from trivselkode.tui.common.plain import PlainInput, PlainTextArea, inert_line, line


class CoderDialog(Dialog[str | None]):
    """Asked once at start when neither --coder nor TRIVSELKODE_CODER says who codes."""

    BINDINGS = [Binding("escape", "cancel", N_("Afslut"))]

    def compose(self) -> ComposeResult:
        with Vertical(id="coder-box", classes="dialog"):
            yield Label(_("Hvem koder?"), classes="dialog-title")
            yield Static(_("Dit navn eller dine initialer. Dine kodninger gemmes under det navn."))
            yield PlainInput(placeholder=_("fx ann eller AHJ"), id="coder-name")
            yield Static("", id="coder-error", classes="dialog-error")
            yield Static(_("Enter: fortsæt · Escape: afslut"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#coder-name")
    def _submitted(self, event: Input.Submitted) -> None:
        from trivselkode.config import CONSENSUS_CODER
        from trivselkode.storage.lookup import check_coder_name

        try:
            name = check_coder_name(event.value)
        except TrivselError as exc:
            self.query_one("#coder-error", Static).update(line(exc))
            return
        if name == CONSENSUS_CODER:
            self.query_one("#coder-error", Static).update(
                line(
                    _("'{name}' er den fælles kodning; den afgøres under Enighed – vælg dit eget navn").format(
                        name=CONSENSUS_CODER
                    )
                )
            )
            return
        self.dismiss(name)


def suggestion_score(suggestion: Suggestion) -> str:
    """A suggestion's score as a percentage (a probability; a keyword score is capped at 100 %)."""
    return f"{round(100 * min(1.0, max(0.0, suggestion.score))):>3} %"


def suggestion_reason(suggestion: Suggestion) -> str:
    """Why it is suggested, in a line: the keywords matched and the words that weighed most."""
    return inert_line(" · ".join(suggestion.why) if suggestion.why else ", ".join(suggestion.matched_words))


class SuggestionDialog(Dialog[int | None]):
    """The passage's suggestions, numbered: the shown ones, then the others dimmed; a digit or Enter codes one."""

    BINDINGS = [Binding("escape", "cancel", N_("Luk"))] + [
        Binding(str(n), f"pick({n})", N_("Forslag"), show=False) for n in range(1, 10)
    ]

    def __init__(self, suggestions: list[tuple[Suggestion, CodeInfo]]) -> None:
        super().__init__()
        shown = [pair for pair in suggestions if pair[0].shown]
        self.suggestions = (shown + [pair for pair in suggestions if not pair[0].shown])[:9]

    def compose(self) -> ComposeResult:
        with Vertical(id="suggestion-box", classes="dialog"):
            yield Label(_("Forslag til udsagnet"), classes="dialog-title")
            options: list[Option | None] = []
            for n, (sug, code) in enumerate(self.suggestions, start=1):
                if not sug.shown and (n == 1 or self.suggestions[n - 2][0].shown):
                    options.append(Option(Text(_("usikre forslag"), style="dim italic"), disabled=True))
                prompt = code_prompt(code, n)
                prompt.append(f"  {suggestion_score(sug)}  ")
                prompt.append(suggestion_reason(sug), style="italic")
                if not sug.shown:
                    prompt.stylize("dim")
                options.append(Option(prompt, id=str(code.id)))
            yield OptionList(*options, id="suggestion-list")
            yield Static(_("1–9 eller Enter: tag forslaget · Escape: luk"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self.suggestions):
            self.dismiss(self.suggestions[number - 1][1].id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(int(event.option.id))


class MemoDialog(Dialog[str | None]):
    """A memo on a passage. ctrl+s saves and closes; Escape (asking first if the text was changed) and
    Kassér close without saving."""

    BINDINGS = [Binding("ctrl+s", "save", N_("Gem og luk"))]

    def __init__(self, title: str, text: str, draft: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.original = text  # what is stored
        self.draft = text if draft is None else draft  # what the text area starts with

    def compose(self) -> ComposeResult:
        with Vertical(id="memo-box", classes="dialog"):
            yield Label(line(self.title_text), classes="dialog-title")
            yield PlainTextArea(self.draft, id="memo-text", soft_wrap=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Gem"), variant="primary", id="memo-save")
                yield Button(_("Kassér ændringer"), id="memo-discard")
            yield Static(_("ctrl+s: gem og luk · Escape: fortryd · tomt notat: slet"), classes="dialog-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def has_changes(self) -> bool:
        return self.query_one(TextArea).text != self.original

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        self.dismiss(None if text == self.original else text)

    @on(Button.Pressed, "#memo-save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#memo-discard")
    def _discard(self) -> None:
        self.dismiss(None)


SPEAKER_FIELDS = (("gender", N_("Køn")), ("age", N_("Alder")), ("site", N_("Bibliotek")))


def parse_other_attributes(text: str) -> dict[str, str]:
    """``"uddannelse=lærer; by=Skive"`` → ``{"uddannelse": "lærer", "by": "Skive"}``."""
    out: dict[str, str] = {}
    for part in text.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise TrivselError(_("'{part}' er ikke på formen nøgle=værdi").format(part=part.strip()))
        out[key.strip()] = value.strip()
    return out


class SpeakerDialog(Dialog[dict[str, str] | None]):
    """Edit a speaker's gender, age, site and any other attributes."""

    BINDINGS = [Binding("escape", "cancel", N_("Luk"))]

    def __init__(
        self, label: str, values: dict[str, Any], others: dict[str, Any], draft: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.label = label
        self.values = {k: "" if v is None else str(v) for k, v in values.items()}
        self.others = {str(k): "" if v is None else str(v) for k, v in others.items()}
        # What the fields start with: the stored values, or a refused attempt to change them.
        draft = draft or {}
        std = {key for key, _title in SPEAKER_FIELDS}
        self.shown = {key: draft.get(key, self.values.get(key, "")) for key in std}
        shown_others = {k: v for k, v in self.others.items() if draft.get(k, v) != ""}
        shown_others.update({k: v for k, v in draft.items() if k not in std and v != ""})
        self.shown_others = shown_others

    def compose(self) -> ComposeResult:
        with Vertical(id="speaker-box", classes="dialog"):
            yield Label(line(_("Deltager {label}").format(label=self.label)), classes="dialog-title")
            for key, title in SPEAKER_FIELDS:
                with Horizontal(classes="field"):
                    yield Label(_(title), classes="field-label")
                    yield PlainInput(self.shown.get(key, ""), id=f"speaker-{key}")
            with Horizontal(classes="field"):
                yield Label(_("Andre"), classes="field-label")
                yield PlainInput(
                    "; ".join(f"{k}={v}" for k, v in self.shown_others.items()),
                    placeholder=_("nøgle=værdi; nøgle=værdi"),
                    id="speaker-others",
                )
            yield Static("", id="speaker-error", classes="dialog-error")
            yield Static(_("Enter: gem · Escape: luk uden at gemme · tomt felt: fjern"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#speaker-gender", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        changes: dict[str, str] = {}
        error = self.query_one("#speaker-error", Static)
        for key, _title in SPEAKER_FIELDS:
            value = self.query_one(f"#speaker-{key}", Input).value.strip()
            if key == "age" and value and not value.isdigit():
                error.update(_("Alder skal være et helt tal (eller tom)"))
                return
            if value != self.values.get(key, ""):
                changes[key] = value
        try:
            others = parse_other_attributes(self.query_one("#speaker-others", Input).value)
        except TrivselError as exc:
            error.update(line(exc))
            return
        for key, value in others.items():
            if self.others.get(key) != value:
                changes[key] = value
        for key in self.others:
            if key not in others:
                changes[key] = ""
        self.dismiss(changes)
