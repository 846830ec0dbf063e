"""The codebook's own dialogs: a new code, and a code's details.

Each dialog only collects input and dismisses with it (``None`` when closed
with Escape); the screen that opened it makes the change. When a change is
refused, the screen opens the dialog again with what was typed and the
reason, so nothing typed is lost. The codebook's other dialogs (a name, a
colour, a shortcut, a code to move or merge into, a yes/no, the keys) are
the shared kit's, in :mod:`trivselkode.tui.common`.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static, TextArea

from trivselkode.domain.codebook_lang import kind_label, kind_value
from trivselkode.i18n import N_, _
from trivselkode.tui.common.modal import Dialog, dialog_css
from trivselkode.tui.common.plain import PlainInput, PlainTextArea, line

CODEBOOK_DIALOGS_TCSS = dialog_css(__file__)


class AddCodeDialog(Dialog[dict[str, str] | None]):
    """A new code: key, name, parent, kind, colour, shortcut and description."""

    CSS_PATH = CODEBOOK_DIALOGS_TCSS
    BINDINGS = [
        Binding("escape", "cancel", N_("Luk")),
        Binding("ctrl+s", "save", N_("Gem")),
    ]
    FIELDS = (
        ("key", N_("Nøgle"), N_("fx T8 eller B.leg"), 0),
        ("name", N_("Navn"), N_("kodens danske navn"), 0),
        ("parent", N_("Overkode"), N_("nøglen på overkoden; tom: øverste niveau"), 0),
        ("kind", N_("Type"), N_("tema, behov, livskvalitet, miljø …"), 0),
        ("color", N_("Farve"), N_("#2e7d32 eller #2e7; tom: ingen"), 0),
        ("shortcut", N_("Genvej"), N_("ét tegn; tom: ingen"), 1),
        ("description", N_("Beskrivelse"), N_("definitionen (kan skrives senere med e)"), 0),
    )

    def __init__(self, values: dict[str, str] | None = None, error: str | None = None) -> None:
        super().__init__()
        self.values = {name: "" for name, *_rest in self.FIELDS} | dict(values or {})
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -fill"):
            yield Label(_("Ny kode"), classes="dialog-title")
            for name, label, placeholder, max_length in self.FIELDS:
                with Horizontal(classes="form-row"):
                    yield Label(_(label))
                    yield PlainInput(
                        self.values.get(name, ""),
                        id=f"add-{name}",
                        placeholder=_(placeholder),
                        max_length=max_length,
                        compact=True,
                    )
            yield Static(line(self.error), classes="dialog-error", id="add-error")
            with Horizontal(classes="compact-buttons"):
                yield Button(_("Gem"), variant="primary", id="add-save", compact=True)
                yield Button(_("Fortryd"), id="add-cancel", compact=True)
            yield Static(_("Tab: næste felt · Enter/ctrl+s: gem · Escape: fortryd"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#add-key", Input).focus()

    def collect(self) -> dict[str, str]:
        return {name: self.query_one(f"#add-{name}", Input).value for name, *_rest in self.FIELDS}

    @on(Input.Submitted)
    @on(Button.Pressed, "#add-save")
    def action_save(self) -> None:
        self.dismiss(self.collect())

    @on(Button.Pressed, "#add-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class DetailsDialog(Dialog[dict[str, Any] | None]):
    """A code's type, definition, include/exclude, characteristics, examples and keywords."""

    CSS_PATH = CODEBOOK_DIALOGS_TCSS
    BINDINGS = [
        Binding("escape", "cancel", N_("Luk")),
        Binding("ctrl+s", "save", N_("Gem")),
    ]
    TEXTS = (("description", N_("Beskrivelse")), ("include", N_("Medtag")), ("exclude", N_("Udelad")))
    LISTS = (("characteristics", N_("Kendetegn (én pr. linje)")), ("examples", N_("Eksempler (én pr. linje)")))

    def __init__(self, code: dict[str, Any], error: str | None = None) -> None:
        super().__init__()
        self.code = code
        self.error = error

    def compose(self) -> ComposeResult:
        code = self.code
        with Vertical(classes="dialog -fill"):
            title = _("Beskriv {key} · {name}").format(key=code["key"], name=code["name"])
            yield Label(line(title), classes="dialog-title")
            with VerticalScroll(id="details-fields"):
                yield Label(_("Type"), classes="form-label")
                yield PlainInput(
                    kind_label(code.get("kind")), id="details-kind", placeholder=_("tema, behov, …"), compact=True
                )
                for name, label in self.TEXTS:
                    yield Label(_(label), classes="form-label")
                    yield PlainTextArea(code.get(name) or "", id=f"details-{name}", soft_wrap=True, compact=True)
                for name, label in self.LISTS:
                    yield Label(_(label), classes="form-label")
                    yield PlainTextArea(
                        "\n".join(code.get(name) or []), id=f"details-{name}", soft_wrap=True, compact=True
                    )
                yield Label(_("Nøgleord (adskilt af komma)"), classes="form-label")
                yield PlainInput(", ".join(code.get("keywords") or []), id="details-keywords", compact=True)
            yield Static(line(self.error), classes="dialog-error")
            with Horizontal(classes="compact-buttons"):
                yield Button(_("Gem"), variant="primary", id="details-save", compact=True)
                yield Button(_("Fortryd"), id="details-cancel", compact=True)
            yield Static(_("Tab: næste felt · ctrl+s: gem · Escape: fortryd"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#details-kind", Input).focus()

    def collect(self) -> dict[str, Any]:
        values: dict[str, Any] = {"kind": kind_value(self.query_one("#details-kind", Input).value)}
        for name, _label in self.TEXTS:
            values[name] = self.query_one(f"#details-{name}", TextArea).text
        for name, _label in self.LISTS:
            values[name] = [
                line for line in self.query_one(f"#details-{name}", TextArea).text.splitlines() if line.strip()
            ]
        values["keywords"] = [w for w in self.query_one("#details-keywords", Input).value.split(",") if w.strip()]
        return values

    @on(Input.Submitted)
    @on(Button.Pressed, "#details-save")
    def action_save(self) -> None:
        self.dismiss(self.collect())

    @on(Button.Pressed, "#details-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
