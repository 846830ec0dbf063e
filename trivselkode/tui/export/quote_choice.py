"""Citatvalg: the researcher picks, drops and orders a code's quotes (opened from Eksport with ctrl+o).

Left, the codes of the quotes form (``Koder``; every coded code when it is
empty) with how many quotes each has of how many candidates; right, the
highlighted code's candidates as the next export takes them: the picked
first in their order, then the automatic choice, then the other candidates
and last the dropped, each with its place, choice, reference ("Interview 3,
Holstebro, udsagn 14") and the start of its quote; below, the highlighted
candidate's whole quote and attribution.

mellemrum/Enter picks a candidate (or un-picks a picked one), ``x`` drops it
(or takes a dropped one back), ``u`` leaves it to the automatic choice, and
``[``/``]`` (alt+↑/↓) move a picked quote up or down. Each change is one
transaction of :mod:`trivselkode.storage.quote_choices`, run in order in a
thread worker; the listing is then read again through
:func:`trivselkode.export.reports.build_report` (the command line's
``report quotes --candidates``), so the screen shows a change only once it
is stored, and the next export keeps it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from trivselkode.export.jobs import ReportRequest, describe_error
from trivselkode.export.quote_listing import state_label
from trivselkode.export.reports import build_report
from trivselkode.i18n import N_, _, language, ngettext
from trivselkode.storage import quote_choices
from trivselkode.storage.db import Project
from trivselkode.tui.common.failures import SaysWorkerFailures
from trivselkode.tui.common.footer import TranslatedFooter
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.keys import BACK_ONLY, HelpSections, help_sections
from trivselkode.tui.common.plain import line, para

#: A change of choice: (what, code key, source, passage number, offset for a move).
Change = tuple[str, str, str, int, int]


def listing_request(request: ReportRequest) -> ReportRequest:
    """The Eksport form's quotes request as a listing of the candidates (JSON, nothing written)."""
    return replace(request, kind="quotes", out=None, fmt="json", candidates=True, choices=True, pseudonymize=False)


def apply_change(project: Project, change: Change, by: str) -> None:
    """Store one change (one transaction)."""
    what, code, source, number, offset = change
    if what == "pick":
        quote_choices.pick(project, code, source, number, by)
    elif what == "drop":
        quote_choices.drop(project, code, source, number, by)
    elif what == "release":
        quote_choices.release(project, code, source, number)
    elif what == "move":
        quote_choices.move(project, code, source, number, offset, by)
    else:
        raise ValueError(what)


class QuoteChoiceScreen(SaysWorkerFailures, Screen[None]):
    """Pick, drop and order the quotes of each code; every change stored at once."""

    HELP_TITLE = N_("Citatvalg")

    CSS_PATH = str(Path(__file__).with_name("quote_choice.tcss"))

    BINDINGS = [
        Binding("space", "toggle_pick", N_("Vælg"), key_display="mellemrum"),
        Binding("x", "toggle_drop", N_("Fravælg")),
        Binding("u", "release", N_("Automatisk")),
        Binding("left_square_bracket,alt+up", "move(-1)", N_("Op"), key_display="["),
        Binding("right_square_bracket,alt+down", "move(1)", N_("Ned"), key_display="]"),
        Binding("escape", "back", N_("Tilbage")),
        Binding("question_mark", "show_keys", N_("Taster"), priority=True),
    ]

    @dataclass
    class Loaded(Message):
        generation: int
        document: dict[str, Any]

    @dataclass
    class Failed(Message):
        message: str

    def __init__(self, project: Project, coder: str, request: ReportRequest) -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.request = listing_request(request)
        self.document: dict[str, Any] | None = None
        self.code: str | None = None
        self._changes: deque[Change] = deque()
        self._lock = threading.Lock()
        self._draining = False
        self._generation = 0
        self._shown = -1

    def compose(self) -> ComposeResult:
        where = self.project.path.name if self.project.path is not None else self.project.display_name
        yield Static(line(_("Citatvalg · {where}").format(where=where)), id="qc-title")
        with Horizontal(id="qc-body"):
            yield OptionList(id="qc-codes")
            with Vertical(id="qc-right"):
                yield OptionList(id="qc-candidates")
                yield Static("", id="qc-detail")
        yield Static(_("Henter kandidaterne …"), id="qc-status")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.query_one("#qc-candidates", OptionList).focus()
        self._run(None)

    # ------------------------------------------------------------------ reading and writing

    def _next_generation(self) -> int:
        with self._lock:
            self._generation += 1
            return self._generation

    def _run(self, change: Change | None) -> None:
        """Queue ``change`` (``None``: just read) and start the writer unless it is running."""
        with self._lock:
            if change is not None:
                self._changes.append(change)
            if self._draining:
                return
            self._draining = True
        self._drain()

    @work(thread=True, group="quote-choice", exit_on_error=False)
    def _drain(self) -> None:
        """Store the queued changes in order, then read the candidates again."""
        while True:
            with self._lock:
                if not self._changes:
                    self._draining = False
                    break
                change = self._changes.popleft()
            try:
                apply_change(self.project, change, self.coder)
            except Exception as exc:  # refused (a mendable reason) or failed: said, the rest goes on
                self.post_message(self.Failed(describe_error(exc)))
        generation = self._next_generation()
        try:
            report = build_report(self.project, self.request)
        except Exception as exc:
            self.post_message(self.Failed(describe_error(exc)))
            return
        self.post_message(self.Loaded(generation, report.records))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.notify(_("Ikke gemt: {message}").format(message=message.message), severity="error", timeout=10)
        self._status(f"✗ {message.message}", error=True)

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.generation < self._shown:
            return  # an older reading that came late
        self._shown = message.generation
        self.document = message.document
        codes = message.document["codes"]
        keys = [c["code"] for c in codes]
        if self.code not in keys:
            self.code = keys[0] if keys else None
        option_list = self.query_one("#qc-codes", OptionList)
        option_list.clear_options()
        option_list.add_options(
            [Option(self._code_prompt(c), id=c["code"]) for c in codes],
        )
        if self.code is not None:
            option_list.highlighted = keys.index(self.code)
        self._show_code()

    # ------------------------------------------------------------------ showing

    @staticmethod
    def _code_prompt(group: dict[str, Any]) -> Text:
        text = line(f"{group['code']} ", style="bold")
        text.append_text(line(group["name"]))
        text.append("\n")
        text.append_text(
            line(
                ngettext("  {quotes} af {n} kandidat", "  {quotes} af {n} kandidater", len(group["candidates"])).format(
                    quotes=group["quotes"], n=len(group["candidates"])
                ),
                style="dim",
            )
        )
        text.no_wrap, text.overflow = True, "ellipsis"
        return text

    def group(self) -> dict[str, Any] | None:
        if self.document is None:
            return None
        return next((c for c in self.document["codes"] if c["code"] == self.code), None)

    def highlighted_row(self) -> dict[str, Any] | None:
        group = self.group()
        index = self.query_one("#qc-candidates", OptionList).highlighted
        if group is None or index is None or index >= len(group["candidates"]):
            return None
        return group["candidates"][index]

    def _show_code(self) -> None:
        """The candidates of the current code, the cursor kept on the same passage."""
        candidates = self.query_one("#qc-candidates", OptionList)
        index = candidates.highlighted
        keep = candidates.get_option_at_index(index).id if index is not None else None
        group = self.group()
        rows = group["candidates"] if group else []
        candidates.clear_options()
        candidates.add_options([Option(self._candidate_prompt(r), id=r["ref"]) for r in rows])
        refs = [r["ref"] for r in rows]
        if rows:
            candidates.highlighted = refs.index(keep) if keep in refs else 0
        self._show_detail()
        self._show_status()

    @staticmethod
    def _candidate_prompt(row: dict[str, Any]) -> Text:
        rank = f"{row['rank']:>2}" if row["rank"] else " –"
        style = {"picked": "bold", "dropped": "dim strike", "candidate": "dim"}.get(row["state"], "")
        text = line(f"{rank} {state_label(row, language()):<12} ", style=style)
        text.append_text(line(row["reference"]))
        text.append("\n")
        text.append_text(line("    “" + " ".join(str(row["text"]).split()) + "”", style="dim" if style else ""))
        text.no_wrap, text.overflow = True, "ellipsis"
        return text

    def _show_detail(self) -> None:
        row = self.highlighted_row()
        detail = self.query_one("#qc-detail", Static)
        if row is None:
            detail.update(line(_("Koden har ingen kandidater med dette grundlag.") if self.group() else ""))
            return
        text = para(f"“{' '.join(str(row['text']).split())}”")
        text.append("\n")
        text.append_text(line(f"{row['attribution']} · {row['reference']} ({row['ref']})", style="italic"))
        if not row["quotable"]:
            text.append("\n")
            text.append_text(line(_("For kort til det automatiske valg; vælges det, citeres det helt."), style="dim"))
        detail.update(text)

    def _show_status(self) -> None:
        group = self.group()
        if group is None:
            self._status(_("Ingen koder med kandidater. Escape: tilbage til Eksport."))
            return
        n = self.document["n"] if self.document else 0
        self._status(
            _(
                "{code}: {quotes} citater i eksporten (de valgte, så automatisk op til {n}); {picked} valgt, {dropped} fravalgt, {candidates} kandidater. Gemmes med det samme."
            ).format(
                code=group["code"],
                quotes=group["quotes"],
                n=n,
                picked=group["picked"],
                dropped=group["dropped"],
                candidates=len(group["candidates"]),
            )
        )

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#qc-status", Static)
        status.update(para(text))
        status.set_class(error, "-error")

    @on(OptionList.OptionHighlighted, "#qc-codes")
    def _code_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.code:
            self.code = event.option.id
            self.query_one("#qc-candidates", OptionList).highlighted = None
            self._show_code()

    @on(OptionList.OptionSelected, "#qc-codes")
    def _code_selected(self) -> None:
        self.query_one("#qc-candidates", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#qc-candidates")
    def _candidate_highlighted(self) -> None:
        self._show_detail()

    @on(OptionList.OptionSelected, "#qc-candidates")
    def _candidate_selected(self) -> None:
        self.action_toggle_pick()

    # ------------------------------------------------------------------ actions

    def _change(self, make: Callable[[dict[str, Any]], tuple[str, int] | None]) -> None:
        row = self.highlighted_row()
        if row is None or self.code is None:
            self.notify(_("Vælg en kandidat i listen til højre."), severity="warning")
            return
        what = make(row)
        if what is not None:
            self._run((what[0], self.code, row["source"], int(row["passage"]), what[1]))

    def action_toggle_pick(self) -> None:
        self._change(lambda r: ("release", 0) if r["state"] == "picked" else ("pick", 0))

    def action_toggle_drop(self) -> None:
        self._change(lambda r: ("release", 0) if r["state"] == "dropped" else ("drop", 0))

    def action_release(self) -> None:
        self._change(lambda r: ("release", 0) if r["state"] in ("picked", "dropped") else None)

    def action_move(self, offset: int) -> None:
        def make(row: dict[str, Any]) -> tuple[str, int] | None:
            if row["state"] != "picked":
                self.notify(_("Kun et valgt citat kan flyttes: vælg det først (mellemrum)."), severity="warning")
                return None
            return ("move", offset)

        self._change(make)

    def action_back(self) -> None:
        self.app.pop_screen()

    def help_extra(self) -> HelpSections:
        return [
            (
                _("Citatvalg"),
                [
                    (_("mellemrum Enter"), _("vælg kandidaten som citat (efter de valgte) – eller fjern valget")),
                    ("x", _("fravælg: citeres aldrig for koden – eller tag den tilbage")),
                    ("u", _("overlad udsagnet til det automatiske valg igen")),
                    (_("[ alt+↑"), _("flyt et valgt citat op")),
                    (_("] alt+↓"), _("flyt et valgt citat ned")),
                    ("Tab shift+Tab", _("skift mellem koderne og kandidaterne")),
                    ("↑ ↓ PgUp PgDn", _("gå i listen")),
                    ("Escape", _("tilbage til Eksport (ctrl+e eksporterer med valgene)")),
                ],
            ),
            (
                _("Rækkefølgen"),
                [
                    (_("Nr."), _("pladsen i eksporten: de valgte først, så det automatiske valg op til antallet")),
                    ("★", _("stjernemarkeret i Kodning (foretrækkes af det automatiske valg)")),
                ],
            ),
        ]

    def action_show_keys(self) -> None:
        sections = help_sections(self, BACK_ONLY, bindings=False)
        self.app.push_screen(HelpDialog(_(self.HELP_TITLE), sections, look="compact", own_question_mark=True))
