"""Søgning: search every passage of every source, and code straight from the results.

Typing searches (debounced) in a thread worker; the index is built in
another when the screen opens (its lemmas come from a helper process, so that
loading the lemma table never freezes the screen). The words that matched
are highlighted in each result, and the preview says why each matched. Enter on a result asks the app to open the
coding screen there (:class:`JumpToPassage`). A code's shortcut (the digits
for the themes) toggles the code on the highlighted result for the current
coder; the change is written in a worker and the row shows it once stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.events import Key
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from trivselkode.analysis.search import SearchHit, SearchIndex, context_bounds
from trivselkode.analysis.search_lemmas import process_lemmas
from trivselkode.i18n import N_, _, ngettext
from trivselkode.storage.db import Project, explain_failure
from trivselkode.tui.common.failures import SaysWorkerFailures
from trivselkode.tui.common.footer import TranslatedFooter
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.keys import BACK_ONLY, help_sections
from trivselkode.tui.common.plain import PlainInput, inert_line, line
from trivselkode.tui.messages import CodingsChanged, JumpToPassage
from trivselkode.tui.search.rows import CodeChip, chip, marked, why_line

LIMIT = 200
DEBOUNCE_S = 0.15


class SearchQuery(PlainInput):
    """The search field. "?" is left to the screen (it shows the keys); search ignores punctuation anyway."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if character == "?":
            return False
        return super().check_consume_key(key, character)


class SearchResults(OptionList):
    """The hits. Printable keys that no binding claims are passed to the screen as code keys."""

    @dataclass
    class CodeKeyPressed(Message):
        character: str

    def on_key(self, event: Key) -> None:
        character = event.character
        if not character or not character.isprintable() or character == " ":
            return
        if event.key in self.screen.active_bindings:
            return
        event.stop()
        event.prevent_default()
        self.post_message(self.CodeKeyPressed(character))


class SearchScreen(SaysWorkerFailures, Screen[None]):
    """Fuzzy (or exact-word) search over all sources, with coding from the results."""

    CSS_PATH = str(Path(__file__).with_name("screen.tcss"))

    BINDINGS = [
        Binding("escape", "back", N_("Tilbage")),
        Binding("question_mark", "show_keys", N_("Taster"), priority=True),
        Binding("ctrl+e", "toggle_exact", N_("Fuzzy/præcis"), priority=True),
        Binding("slash", "focus_query", N_("Søgefelt")),
        Binding("down", "focus_results", N_("Til resultaterne"), show=False),
    ]

    @dataclass
    class IndexReady(Message):
        passages: int
        seconds: float
        codes: list[CodeChip]

    @dataclass
    class SearchFinished(Message):
        generation: int
        query: str
        exact: bool
        hits: list[SearchHit]
        codes: dict[int, list[str]]
        seconds: float

    @dataclass
    class CodingToggled(Message):
        passage_id: int
        code_key: str
        outcome: str
        codes: list[str]
        source_name: str
        passage_number: int

    @dataclass
    class CodesRefreshed(Message):
        codes: dict[int, list[str]]

    @dataclass
    class WorkFailed(Message):
        message: str

    @dataclass
    class Warned(Message):
        message: str

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.exact = False
        self.hits: list[SearchHit] = []
        self.codes_of: dict[int, list[str]] = {}
        self.code_info: dict[str, CodeChip] = {}
        self.by_shortcut: dict[str, CodeChip] = {}
        self.generation = 0
        self.index_ready = False
        self._timer: Timer | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield SearchQuery(placeholder=_("Søg i alle udsagn – skriv et ord eller flere"), id="search-query")
        yield Static(_("Bygger søgeindeks …"), id="search-status")
        yield SearchResults(id="search-results")
        with VerticalScroll(id="search-preview"):
            yield Static("", id="search-preview-text")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.query_one("#search-query", Input).focus()
        self._build_index()

    # ------------------------------------------------------------------ index

    @work(thread=True, exclusive=True, group="search-index", exit_on_error=False)
    def _build_index(self) -> None:
        from trivselkode.storage.codebook import code_rows

        try:
            index = SearchIndex.for_project(self.project, lemmas=process_lemmas())
            began = time.perf_counter()
            index.ensure_fresh()
            seconds = time.perf_counter() - began
            codes = [
                CodeChip(r["key"], r["name"], r["color"], r["shortcut"], r["retired"]) for r in code_rows(self.project)
            ]
        except Exception as exc:  # shown, never swallowed
            self.post_message(self.WorkFailed(explain_failure(exc)))
            return
        if index.lemma_problem:
            self.post_message(self.Warned(index.lemma_problem))
        self.post_message(self.IndexReady(index.passage_count, seconds, codes))

    @on(IndexReady)
    def _index_ready(self, message: IndexReady) -> None:
        self.index_ready = True
        self.code_info = {c.key: c for c in message.codes}
        self.by_shortcut = {c.shortcut: c for c in message.codes if c.shortcut and not c.retired}
        if self.query_one("#search-query", Input).value.strip():
            self._schedule(0)
        else:
            self._status(_("{passages} udsagn i søgeindekset. Skriv for at søge.").format(passages=message.passages))

    # ----------------------------------------------------------------- search

    def _status(self, text: str) -> None:
        self.query_one("#search-status", Static).update(line(text))

    def _mode(self) -> str:
        return _("præcise ord") if self.exact else _("fuzzy")

    @on(Input.Changed, "#search-query")
    def _query_changed(self) -> None:
        self._schedule(DEBOUNCE_S)

    def _schedule(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(delay, self._start_search) if delay else None
        if not delay:
            self._start_search()

    def _start_search(self) -> None:
        self._timer = None
        self.generation += 1
        query = self.query_one("#search-query", Input).value
        if not query.strip():
            self._show([], {}, query)
            self._status(_("Skriv for at søge."))
            return
        self._status(_("Søger ({mode}) …").format(mode=self._mode()))
        self._search(self.generation, query, self.exact)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, generation: int, query: str, exact: bool) -> None:
        from trivselkode.storage.codebook_ops import passage_codes

        worker = get_current_worker()
        try:
            began = time.perf_counter()
            index = SearchIndex.for_project(self.project, lemmas=process_lemmas())
            hits = index.search(query, limit=LIMIT, exact=exact)
            codes = passage_codes(self.project, [h.passage_id for h in hits], self.coder)
            seconds = time.perf_counter() - began
        except Exception as exc:
            self.post_message(self.WorkFailed(explain_failure(exc)))
            return
        if not worker.is_cancelled:
            self.post_message(self.SearchFinished(generation, query, exact, hits, codes, seconds))

    @on(SearchFinished)
    def _search_finished(self, message: SearchFinished) -> None:
        if message.generation != self.generation:
            return  # a newer search is on its way
        self._show(message.hits, message.codes, message.query)
        count = len(message.hits)
        more = _(" (de {LIMIT} bedste)").format(LIMIT=LIMIT) if count >= LIMIT else ""
        mode = _("præcise ord") if message.exact else _("fuzzy")
        if count:
            self._status(
                ngettext(
                    "{count} udsagn{more} · {mode} · {ms:.0f} ms · Enter åbner, genveje koder",
                    "{count} udsagn{more} · {mode} · {ms:.0f} ms · Enter åbner, genveje koder",
                    count,
                ).format(count=count, more=more, mode=mode, ms=message.seconds * 1000)
            )
        else:
            hint = _(" – prøv fuzzy (ctrl+e)") if message.exact else ""
            self._status(_("Ingen udsagn passer på '{query}'{hint}").format(query=message.query.strip(), hint=hint))

    def _show(self, hits: list[SearchHit], codes: dict[int, list[str]], query: str) -> None:
        self.hits = hits
        self.codes_of = dict(codes)
        results = self.query_one(SearchResults)
        results.clear_options()
        results.add_options([Option(self._prompt(hit), id=str(hit.passage_id)) for hit in hits])
        if hits:
            results.highlighted = 0
        self._preview()

    # --------------------------------------------------------------- rendering

    def _chips(self, passage_id: int) -> Text:
        text = Text()
        for key in self.codes_of.get(passage_id, []):
            text.append_text(chip(self.code_info.get(key), key))
            text.append(" ")
        return text

    def _prompt(self, hit: SearchHit) -> Group:
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(inert_line(hit.source), style="bold")
        head.append(f" #{hit.number}  ", style="bold")
        head.append(inert_line(hit.speaker_line), style="dim" if hit.is_interviewer else "italic")
        head.append("  ")
        head.append_text(self._chips(hit.passage_id))
        head.append(f" {hit.score:.0f}", style="dim")
        flat = hit.text.replace("\n", " ")
        lo, hi = context_bounds(flat, hit.start, hit.end, 70)
        body = marked(hit, lo, hi)
        if hit.is_interviewer:
            body.stylize("dim")
        return Group(head, body)

    @on(OptionList.OptionHighlighted, "#search-results")
    def _highlighted(self) -> None:
        self._preview()

    def _current(self) -> SearchHit | None:
        index = self.query_one(SearchResults).highlighted
        if index is None or not (0 <= index < len(self.hits)):
            return None
        return self.hits[index]

    def _preview(self) -> None:
        target = self.query_one("#search-preview-text", Static)
        hit = self._current()
        if hit is None:
            target.update("")
            return
        head = Text()
        head.append(inert_line(f"{hit.source} #{hit.number} · {hit.speaker_line}"), style="bold")
        names = [
            f"{key} {self.code_info[key].name}" if key in self.code_info else key
            for key in self.codes_of.get(hit.passage_id, [])
        ]
        head.append("   " + (inert_line(", ".join(names)) if names else _("ingen koder fra dig endnu")), style="dim")
        target.update(Group(head, why_line(hit), marked(hit, 0, len(hit.text))))

    # ---------------------------------------------------------------- actions

    @on(Input.Submitted, "#search-query")
    def _submitted(self) -> None:
        if self._timer is not None:  # Enter before the pause: search now
            self._schedule(0)
        self.action_focus_results()

    def action_focus_results(self) -> None:
        results = self.query_one(SearchResults)
        if results.option_count:
            results.focus()

    def action_focus_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    def action_toggle_exact(self) -> None:
        self.exact = not self.exact
        self.notify(
            _("Søger nu efter præcise ord (ord* for begyndelser).")
            if self.exact
            else _("Søger nu efter lignende ord (fuzzy).")
        )
        self._schedule(0)

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(OptionList.OptionSelected, "#search-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        hit = self.hits[event.option_index]
        self.post_message(JumpToPassage(hit.source, hit.number))

    @on(SearchResults.CodeKeyPressed)
    def _code_key(self, message: SearchResults.CodeKeyPressed) -> None:
        hit = self._current()
        if hit is None:
            return
        code = self.by_shortcut.get(message.character)
        if code is None:
            self.notify(
                _("Ingen kode har genvejen '{character}'. Se ? for tasterne.").format(character=message.character),
                severity="warning",
            )
            return
        self._toggle(hit.passage_id, code.key, hit.source, hit.number)

    @work(thread=True, group="search-coding", exit_on_error=False)
    def _toggle(self, passage_id: int, code_key: str, source: str, number: int) -> None:
        from trivselkode.storage.codebook_ops import passage_codes, toggle_coding

        try:
            outcome = toggle_coding(self.project, passage_id, code_key, self.coder)
            codes = passage_codes(self.project, [passage_id], self.coder)[passage_id]
        except Exception as exc:
            self.post_message(self.WorkFailed(explain_failure(exc)))
            return
        self.post_message(self.CodingToggled(passage_id, code_key, outcome, codes, source, number))

    @on(CodingToggled)
    def _coding_toggled(self, message: CodingToggled) -> None:
        self.codes_of[message.passage_id] = message.codes
        for index, hit in enumerate(self.hits):
            if hit.passage_id == message.passage_id:
                self.query_one(SearchResults).replace_option_prompt_at_index(index, self._prompt(hit))
        self._preview()
        what = _("sat på") if message.outcome == "added" else _("fjernet fra")
        self.notify(f"{message.code_key} {what} {message.source_name} #{message.passage_number}.")
        self.post_message(CodingsChanged(message.source_name))

    def on_screen_resume(self) -> None:
        # Back from the coding screen (or any other): codes may have changed there.
        if self.hits:
            self._refresh_codes([h.passage_id for h in self.hits])

    @work(thread=True, exclusive=True, group="search-refresh", exit_on_error=False)
    def _refresh_codes(self, passage_ids: list[int]) -> None:
        from trivselkode.storage.codebook_ops import passage_codes

        try:
            codes = passage_codes(self.project, passage_ids, self.coder)
        except Exception as exc:
            self.post_message(self.WorkFailed(explain_failure(exc)))
            return
        self.post_message(self.CodesRefreshed(codes))

    @on(CodesRefreshed)
    def _codes_refreshed(self, message: CodesRefreshed) -> None:
        results = self.query_one(SearchResults)
        for index, hit in enumerate(self.hits):
            codes = message.codes.get(hit.passage_id)
            if codes is not None and codes != self.codes_of.get(hit.passage_id):
                self.codes_of[hit.passage_id] = codes
                results.replace_option_prompt_at_index(index, self._prompt(hit))
        self._preview()

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        self.notify(message.message, severity="error", timeout=8)
        if not self.index_ready:
            self._status(_("Søgeindekset kunne ikke bygges."))

    @on(Warned)
    def _warned(self, message: Warned) -> None:
        self.notify(message.message[0].upper() + message.message[1:] + ".", severity="warning", timeout=8)

    HELP_TITLE = N_("Søgning")

    def help_extra(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The keys beyond the bindings (the app's help shows these after them)."""
        codes = sorted(self.by_shortcut.values(), key=lambda c: c.shortcut or "")
        return [
            (
                _("Søgefeltet"),
                [
                    (_("skriv"), _("søg i alle kilders udsagn (mens du skriver); alle ordene skal findes")),
                    ('"…"', _("et udtryk i anførselstegn findes ord for ord")),
                    ("Enter / ↓", _("gå til resultaterne")),
                    ("ctrl+e", _("skift mellem fuzzy og præcise ord (ord* = ord, der begynder sådan)")),
                ],
            ),
            (
                _("Resultaterne"),
                [
                    ("↑ ↓ PgUp PgDn", _("flyt markeringen")),
                    ("Enter", _("åbn udsagnet i kodningsskærmen")),
                    ("/", _("tilbage til søgefeltet")),
                ]
                + [
                    (
                        c.shortcut or "",
                        _("slå {key} {name} til/fra for {coder}").format(key=c.key, name=c.name, coder=self.coder),
                    )
                    for c in codes
                ],
            ),
        ]

    def action_show_keys(self) -> None:
        sections = help_sections(self, BACK_ONLY, bindings=False)
        self.app.push_screen(HelpDialog(_(self.HELP_TITLE), sections, look="compact", own_question_mark=True))
