"""The one help dialog (every key of the screen behind it) and the input that leaves ``?`` to it."""

from __future__ import annotations

from rich.table import Table
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from trivselkode.i18n import N_, _
from trivselkode.tui.common.keys import HelpRows, HelpSections
from trivselkode.tui.common.lang import translated
from trivselkode.tui.common.modal import Dialog
from trivselkode.tui.common.plain import PlainInput, line
from trivselkode.tui.common.textual_internals import own_bindings

LOOKS = ("wide", "medium", "compact")
# The most lines of keys a look shows before they scroll (fewer when the terminal is shorter).
MOST_LINES = {"wide": 30, "medium": 30, "compact": 16}
SPARE_LINES = 2  # a line of the screen behind above and below the box


class HelpInput(PlainInput):
    """An input that leaves ``?`` to the app, so help opens from a filter or search field too."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if character == "?":
            return False
        return super().check_consume_key(key, character)


def keys_table(rows: HelpRows, key_width: int) -> Table:
    """Keys and what they do, as a grid; every cell plain text (help rows name codes and coders).

    Both cells are translated here, when shown: help rows are declared as Danish message ids (``N_``).
    """
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=key_width)
    table.add_column()
    for key, what in rows:
        table.add_row(line(translated(key)), line(translated(what)))
    return table


class HelpDialog(Dialog[None]):
    """Every key of the screen behind it, in sections. Escape, q or ? closes it.

    The title, the sections' titles and every row are translated when it is
    shown (:func:`~trivselkode.tui.common.lang.translated`): pass Danish
    message ids (``N_``) or text already translated.

    The keys scroll (↓ ↑ PgDn PgUp Home End, the mouse wheel) in a box that
    always fits the terminal, so the last key can be read at 80×24 too.

    ``look`` is the box: ``wide`` (the app's help), ``medium`` (Enighed) or
    ``compact`` (Søgning, Kodebog, Eksport: narrower, a shorter list, wider keys).
    ``own_question_mark``: ``?`` closes it by a binding of its own (a screen's
    keys, in any host app); otherwise ``?`` is the app's help key, which closes it.
    """

    BINDINGS = [
        Binding("escape", "cancel", N_("Luk")),
        Binding("q", "cancel", N_("Luk"), show=False),
    ]

    def __init__(
        self, title: str, sections: HelpSections, *, look: str = "wide", own_question_mark: bool = False
    ) -> None:
        if look not in LOOKS:
            raise ValueError(f"look must be one of {LOOKS}, not {look!r}")
        super().__init__(classes=f"-{look}")
        if own_question_mark:
            own_bindings(self)["question_mark"] = [Binding("question_mark", "cancel", N_("Luk"), show=False)]
        self.title_text = title
        self.sections = sections
        self.look = look
        self.key_width = 18 if look == "compact" else 12

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog"):
            title = _("Taster – {screen}").format(screen=translated(self.title_text))
            yield Label(line(title), classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                for section, rows in self.sections:
                    yield Static(line(translated(section), style="bold underline"), classes="help-section-title")
                    yield Static(keys_table(rows, self.key_width), classes="help-section")
            yield Static(_("Escape, q eller ? lukker."), classes="dialog-hint")

    def on_mount(self) -> None:
        self.call_after_refresh(self._fit)

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """Give the keys the lines the terminal has left after the box's title, hint and border."""
        box = self.query_one("#help-box")
        keys = self.query_one("#help-scroll", VerticalScroll)
        chrome = box.styles.gutter.height + sum(w.outer_size.height for w in box.children if w is not keys)
        room = self.size.height - SPARE_LINES - chrome
        keys.styles.max_height = max(3, min(MOST_LINES[self.look], room))

    @property
    def at_end(self) -> bool:
        """Whether the last line of keys is in view."""
        keys = self.query_one("#help-scroll", VerticalScroll)
        return keys.scroll_y >= keys.max_scroll_y
