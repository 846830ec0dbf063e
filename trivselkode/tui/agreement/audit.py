"""Afgørelsesloggen: who settled, changed or undid what, when and why, with the passage text.

:class:`AuditScreen` (``h`` in the review of disagreements) reads
:func:`trivselkode.storage.decisions.audit` in a thread worker: newest
first, one row per event; the line under the table shows the highlighted
event's reason and the passage it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from trivselkode.i18n import N_, _, ngettext
from trivselkode.storage.db import Project, explain_failure
from trivselkode.storage.decisions import AuditRow
from trivselkode.tui.common.failures import SaysWorkerFailures
from trivselkode.tui.common.footer import TranslatedFooter
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.keys import EVERYWHERE_HERE, help_sections
from trivselkode.tui.common.lang import translated
from trivselkode.tui.common.plain import inert, inert_line, line

CHOICE_WORDS = {
    "a": "A",
    "b": "B",
    "both": N_("begge"),
    "neither": N_("ingen"),
    "manual": N_("manuelt"),
    "undone": N_("ophævet"),
}


def when(stamp: datetime) -> str:
    """A stored time (UTC) in the local time zone."""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone().strftime("%d.%m.%Y %H:%M")


def choice_words(row: AuditRow, choice: str | None) -> str:
    """``B (bo)``, ``begge``, ``ophævet``: a choice in words, with the coder's name for A and B."""
    if choice is None:
        return _("åben")
    word = translated(CHOICE_WORDS.get(choice, choice))
    if choice in ("a", "b") and len(row.coders) == 2:
        word += f" ({row.coders[0 if choice == 'a' else 1]})"
    return word


class AuditScreen(SaysWorkerFailures, Screen[None]):
    """The audit trail of settlements, newest first."""

    HELP_TITLE = N_("Afgørelsesloggen")

    CSS_PATH = str(Path(__file__).with_name("audit.tcss"))

    BINDINGS = [
        Binding("escape", "back", N_("Tilbage"), tooltip=N_("tilbage til gennemgangen")),
        Binding("a", "toggle_all", N_("Alle koder"), tooltip=N_("vis loggen for alle koder / kun denne kode")),
        Binding("question_mark", "show_keys", N_("Taster"), tooltip=N_("vis alle taster")),
    ]

    @dataclass
    class Loaded(Message):
        rows: list[AuditRow]

    @dataclass
    class Failed(Message):
        message: str

    def __init__(self, project: Project, code: str | None = None) -> None:
        super().__init__()
        self.project = project
        self.code = code
        self.only_code = code is not None
        self.rows: list[AuditRow] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="audit-title")
        yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="audit-details")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in (
            (_("Tidspunkt"), 16),
            (_("Af"), 8),
            (_("Hvor"), 20),
            (_("Afgørelse"), 14),
            (_("Begrundelse"), None),
        ):
            table.add_column(label, width=width)
        table.focus()
        self._load()

    def action_show_keys(self) -> None:
        self.app.push_screen(
            HelpDialog(
                _("Afgørelsesloggen"), help_sections(self, EVERYWHERE_HERE), look="medium", own_question_mark=True
            )
        )

    def action_back(self) -> None:
        self.dismiss(None)

    def action_toggle_all(self) -> None:
        if self.code is None:
            return
        self.only_code = not self.only_code
        self._load()

    @work(thread=True, exclusive=True, group="audit", exit_on_error=False)
    def _load(self) -> None:
        from trivselkode.storage.decisions import audit

        try:
            rows = audit(self.project, code=self.code if self.only_code else None)
        except Exception as exc:  # shown, never swallowed
            self.post_message(self.Failed(explain_failure(exc)))
            return
        self.post_message(self.Loaded(list(reversed(rows))))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.query_one("#audit-details", Static).update(
            line(_("Loggen kunne ikke hentes: {message}").format(message=message.message))
        )

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.rows = message.rows
        table = self.query_one(DataTable)
        table.clear()
        for row in self.rows:
            change = choice_words(row, row.choice)
            if row.previous is not None:
                change = f"{choice_words(row, row.previous)} → {change}"
            table.add_row(
                Text(when(row.at)),
                line(row.by),
                line(f"{row.source} #{row.passage} {row.code}"),
                line(change),
                line(row.reason or "–", no_wrap=True, overflow="ellipsis"),
            )
        title = Text(_("Afgørelsesloggen"), style="bold")
        scope = _("kode {code}").format(code=self.code) if self.only_code and self.code else _("alle koder")
        count = ngettext("{n} hændelse", "{n} hændelser", len(self.rows)).format(n=len(self.rows))
        title.append(_("  ·  {count}  ·  {scope}  ·  nyeste først").format(count=count, scope=inert_line(scope)))
        self.query_one("#audit-title", Static).update(title)
        if not self.rows:
            self.query_one("#audit-details", Static).update(_("Ingen afgørelser i loggen endnu."))
        else:
            self._details()

    @on(DataTable.RowHighlighted, "#audit-table")
    def _details(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return
        row = self.rows[table.cursor_row]
        text = Text()
        text.append(
            _("{action} af {by} {at}").format(action=row.action.capitalize(), by=inert_line(row.by), at=when(row.at)),
            style="bold",
        )
        text.append(
            _(" · {source} udsagn {passage} ({speaker}) · ").format(
                source=inert_line(row.source), passage=row.passage, speaker=inert_line(row.speaker)
            )
        )
        text.append(inert_line(row.code), style="bold")
        text.append(_("\nBegrundelse: "), style="dim")
        text.append(inert(row.reason) if row.reason else _("ingen givet"), style="" if row.reason else "dim italic")
        text.append("\n")
        text.append(inert(" ".join(row.text.split())), style="italic")
        self.query_one("#audit-details", Static).update(text)
