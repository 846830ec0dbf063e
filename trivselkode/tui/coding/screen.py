"""Kodning: one source's passages beside the codebook, coded from the keyboard.

The screen owns the state (the loaded :class:`SourceView`, the cursor, the
modes) and changes it in its handlers. Every change goes to the database
through :meth:`TrivselApp.run_write` (a thread worker, one transaction,
writes in the order they were asked for) and is shown only once it is
stored: in the handler of the message the writer answers with
(:mod:`trivselkode.tui.coding.writes`). Slow work — loading the source,
spaCy for suggestions — runs in thread workers that post messages back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.keys import key_to_character
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from trivselkode.analysis.suggest import KeywordIndex
from trivselkode.domain.codebook import RESERVED_SHORTCUTS
from trivselkode.domain.undo import CodingAction, CodingFact
from trivselkode.i18n import N_, _
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.codings import mark_done
from trivselkode.storage.db import explain_failure
from trivselkode.storage.sources import set_participant_fields
from trivselkode.tui.coding import help_text
from trivselkode.tui.coding.code_language import in_language, wants_english
from trivselkode.tui.coding.codebook_panel import CodebookPanel
from trivselkode.tui.coding.cursor import PassageCursor
from trivselkode.tui.coding.new_codes import CodeMaker
from trivselkode.tui.coding.next_source import offer_next_source
from trivselkode.tui.coding.passage_list import PassageList
from trivselkode.tui.coding.search_bar import SearchBar
from trivselkode.tui.coding.span_mode import SpanMode
from trivselkode.tui.coding.suggestions import CodingSuggestions, SuggestionsReady
from trivselkode.tui.coding.writes import (
    CodeStepRefused,
    CodeStepStored,
    CodingStored,
    DoneStored,
    MemoRefused,
    MemoStored,
    SpeakerRefused,
    SpeakerStored,
    StarStored,
)
from trivselkode.tui.common.confirm import ConfirmDialog
from trivselkode.tui.common.dialogs import MemoDialog, SpeakerDialog
from trivselkode.tui.common.failures import SaysWorkerFailures
from trivselkode.tui.common.footer import TranslatedFooter
from trivselkode.tui.common.picker import CodePickerDialog, NewCodeRequest
from trivselkode.tui.common.plain import inert_line
from trivselkode.tui.common.textual_internals import own_bindings
from trivselkode.tui.messages import Refused, Stored

if TYPE_CHECKING:
    from trivselkode.tui.app import TrivselApp

POSITION_SAVE_INTERVAL_S = 1.0
#: Actions of the ``s`` mode alone: outside it their keys are free for the codes' shortcuts.
SPAN_ONLY = frozenset({"span_word_end", "span_word_start", "in_vivo"})
#: The app's keys for the other screens: a code's shortcut never hides them.
APP_WIDE_KEYS = frozenset({"S", "K", "E", "X", "R", "f2", "f3", "f4", "f5", "f6"})
#: Opens the review queue (Forslagskø) of the highlighted code, as in Kodebog and Udtræk.
REVIEW_QUEUE_KEY = "Q"


class CodingScreen(SaysWorkerFailures, Screen):
    """The passages of one source, coded by the app's coder."""

    BINDINGS = [
        Binding("down,j", "move(1)", N_("Næste"), show=False),
        Binding("up,k", "move(-1)", N_("Forrige"), show=False),
        Binding("pagedown", "page(1)", N_("Side ned"), show=False),
        Binding("pageup", "page(-1)", N_("Side op"), show=False),
        Binding("g,home", "first", N_("Første"), show=False),
        Binding("G,end", "last", N_("Sidste"), show=False),
        Binding("n", "next_uncoded", N_("Næste ukodede"), show=True),
        Binding("p", "previous_uncoded", N_("Forrige ukodede"), show=False),
        Binding("space", "pick_code", N_("Vælg kode"), show=True),
        Binding("plus", "accept_suggestion", N_("Tag forslag"), show=True),
        Binding("A", "choose_suggestion", N_("Vælg forslag"), show=False),
        Binding("s", "start_span", N_("Udsnit"), show=True),
        Binding("m", "edit_memo", N_("Notat"), show=True),
        Binding("u", "undo", N_("fortryd¦Fortryd"), show=True),  # Undo (not a dialog's Cancel)
        Binding("ctrl+r", "redo", N_("Gentag"), show=False),
        Binding("slash", "open_search", N_("Søg"), show=True),
        Binding("ctrl+n", "search_next", N_("Næste træf"), show=False),
        Binding("ctrl+p", "search_previous", N_("Forrige træf"), show=False),
        Binding("asterisk", "toggle_star", N_("Stjerne"), show=False),
        Binding("d", "toggle_done", N_("Færdig"), show=True),
        Binding("e", "edit_speaker", N_("Deltager"), show=False),
        Binding("o", "toggle_others", N_("Andres"), show=False),
        Binding("r", "reload", N_("Lær igen"), show=True),
        Binding(REVIEW_QUEUE_KEY, "review_queue", N_("Forslagskø"), show=False),
        Binding("right", "span_end(1)", N_("Udsnit: udvid"), show=False),
        Binding("left", "span_end(-1)", N_("Udsnit: formindsk"), show=False),
        Binding("shift+right", "span_start(1)", N_("Udsnit: start frem"), show=False),
        Binding("shift+left", "span_start(-1)", N_("Udsnit: start tilbage"), show=False),
        Binding("ctrl+right,w", "span_word_end(1)", N_("Udsnit: et ord mere"), show=False),
        Binding("ctrl+left,b", "span_word_end(-1)", N_("Udsnit: et ord mindre"), show=False),
        Binding("ctrl+shift+right,W", "span_word_start(1)", N_("Udsnit: start et ord frem"), show=False),
        Binding("ctrl+shift+left,B", "span_word_start(-1)", N_("Udsnit: start et ord tilbage"), show=False),
        Binding("v", "in_vivo", N_("Udsnit: in vivo"), show=False),
        Binding("enter", "confirm", N_("Udsnit: kod"), show=False),
        Binding("escape", "escape", N_("Tilbage"), show=False),  # the footer's room is r's; ? lists it
        Binding("q", "back", N_("Tilbage"), show=False),
    ]

    HELP_TEXT = help_text.HELP_TEXT
    HELP_EXTRA = help_text.HELP_EXTRA

    @dataclass
    class Loaded(Message):
        view: ops.SourceView
        number: int | None

    @dataclass
    class LoadFailed(Message):
        error: str

    def __init__(self, source_name: str, passage_number: int | None = None) -> None:
        super().__init__()
        self.source_name = source_name
        self.start_number = passage_number
        self.view: ops.SourceView | None = None
        self.cursor = PassageCursor()  # the passage, and the span of sentences while narrowing
        self.show_others = False
        self.last_code: dict[int, int] = {}  # passage id -> code id last toggled there
        self.search_text = ""
        self.index: KeywordIndex | None = None
        self.suggest = CodingSuggestions(self)  # the current passage's suggestions (tui/coding/suggestions.py)
        self.shortcuts: dict[str, int] = {}
        self._shortcut_keys: list[str] = []
        self.inactive_shortcuts: dict[int, str] = {}
        self._saved_number: int | None = None
        self.loaded = False
        self.stale = False  # set when another screen changed codings here: reload when shown again
        self._index_of_id: dict[int, int] = {}
        self._spoken: set[int] = set()  # ids of the participants' passages
        self._coded = 0  # of those, the ones this coder has coded
        self.maker = CodeMaker(self)  # codes made while coding (in vivo, the picker) and their undo
        self.code_texts: dict[str, Any] | None = None  # the codes' Danish and English texts (English only)
        self._title_text: Text | None = None  # what the title line shows
        # The screen's widgets, made once in compose (the hot paths need no DOM query per key).
        self._title_bar: Static
        self._passage_list: PassageList
        self._panel: CodebookPanel
        self._span_mode: SpanMode

    @property
    def tapp(self) -> TrivselApp:
        return self.app  # type: ignore[return-value]

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        self._title_bar = Static(
            Text(inert_line(_("Kodning · {source} · indlæser …").format(source=self.source_name))),
            id="coding-title",
            classes="screen-title",
        )
        self._title_text = None  # a new title line shows what it is made with
        self._passage_list = PassageList(id="passages")
        self._panel = CodebookPanel(id="codebook")
        self._span_mode = SpanMode(self.cursor, id="mode-line")
        yield self._title_bar
        with Horizontal(id="coding-body"):
            yield self._passage_list
            yield self._panel
        yield SearchBar(id="search-bar")
        yield self._span_mode
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self._passage_list.focus()
        self.load()
        self.set_interval(POSITION_SAVE_INTERVAL_S, self._save_position_if_moved)

    def on_screen_resume(self) -> None:
        if self.stale and self.loaded:
            self.stale = False
            passage = self.passage
            self.load(passage.number if passage else None)
        elif self.loaded:
            self.suggest.show(now=True)  # the model may have changed meanwhile

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")
        self.set_class(self.size.height < 30, "-short")

    # ----------------------------------------------------------------- loading

    @work(thread=True, exclusive=True, group="coding-load", exit_on_error=False)
    def load(self, number: int | None = None) -> None:
        try:
            view = ops.load_source_view(self.tapp.project, self.source_name, self.tapp.coder)
            if wants_english():  # the bilingual codebook's English names and definitions
                from trivselkode.storage.codebook import code_texts

                self.code_texts = code_texts(self.tapp.project)
                view.codes = in_language(view.codes, self.code_texts)
        except Exception as exc:  # shown to the user, never swallowed
            self.post_message(self.LoadFailed(explain_failure(exc)))
            return
        self.post_message(self.Loaded(view, number))

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.app.notify(_("Kilden kunne ikke åbnes: {error}").format(error=message.error), severity="error")
        if self.loaded:
            return
        self.dismiss_screen()

    def dismiss_screen(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        first_load = not self.loaded
        view = message.view
        self.view = view
        self.source_name = view.name
        if message.number is not None:
            keep = view.index_of_number(message.number)
        elif first_load and self.start_number is not None:
            keep = view.index_of_number(self.start_number)
            if keep is None:
                self.app.notify(_("Kilden har intet udsagn nr. {n}").format(n=self.start_number), severity="warning")
        else:
            keep = None
        self.cursor.load(view.passages, keep if keep is not None else view.start_index())
        self._index_of_id = {p.id: i for i, p in enumerate(view.passages)}
        self._spoken = {p.id for p in view.passages if not p.is_interviewer}
        self._coded = sum(1 for pid in view.mine if pid in self._spoken)
        self._saved_number = view.passages[self.cursor.index].number if view.passages else None  # where it opened
        self._setup_shortcuts()
        if self.index is None or first_load:
            self.index = KeywordIndex(view.codes)
        self._passage_list.show_others = self.show_others
        self._passage_list.set_view(view, self.cursor.index)
        self._panel.set_codes(view.codes, self._counts(), set(self.inactive_shortcuts))
        self._update_title()
        self._cursor_changed()
        self.loaded = True
        if first_load:
            # Once the source is drawn: the first suggestions (spaCy's helper starts with them) and the first
            # training of the suggestions' model, in the background; a source opens before either begins.
            self.call_after_refresh(self._after_first_draw)
        else:
            self.suggest.show(now=True)
        new_warnings = {
            f"{sc} ({self._code(cid).key})" for cid, sc in self.inactive_shortcuts.items() if self._code(cid)
        } - self.tapp.shortcut_warnings
        if new_warnings:  # once per session, not at every source
            self.tapp.shortcut_warnings |= new_warnings
            listing = ", ".join(sorted(new_warnings))
            self.app.notify(
                _("Genvejene {shortcuts} bruges af skærmen selv; vælg de koder med mellemrum.").format(
                    shortcuts=listing
                ),
                severity="warning",
                timeout=6,
            )

    def _after_first_draw(self) -> None:
        self.suggest.show(now=True)
        self.tapp.learning.start()

    def _setup_shortcuts(self) -> None:
        """Map each code's shortcut to it, unless the screen uses that key itself.

        The keys of the ``s`` mode alone (w, b, v …) stay a code's shortcut outside
        the mode: the code's binding comes after the mode's, which only acts in it.
        """
        bound: set[str] = set()
        for binding in self.BINDINGS:
            if binding.action.split("(")[0] in SPAN_ONLY:
                continue
            for key in binding.key.split(","):
                key = key.strip()
                bound.add(key)
                char = key_to_character(key)
                if char:
                    bound.add(char)
        reserved = bound | set(RESERVED_SHORTCUTS) | APP_WIDE_KEYS
        self.shortcuts = {}
        self.inactive_shortcuts = {}
        for code in self.view.codes:
            if not code.shortcut or code.retired:
                continue
            if code.shortcut in reserved or code.shortcut in self.shortcuts:
                self.inactive_shortcuts[code.id] = code.shortcut
            else:
                self.shortcuts[code.shortcut] = code.id
        # Shortcuts are bindings like the screen's own keys, so a quick "j 1" is handled
        # in the order typed (a key handler would run before the binding of the key before it).
        keymap = own_bindings(self)
        for key in self._shortcut_keys:
            kept = [b for b in keymap.get(key, []) if not b.action.startswith("toggle_code(")]
            if kept:
                keymap[key] = kept
            else:
                keymap.pop(key, None)
        self._shortcut_keys = []
        for shortcut, code_id in self.shortcuts.items():
            for binding in Binding.make_bindings([Binding(shortcut, f"toggle_code({code_id})", "", show=False)]):
                there = keymap.get(binding.key, [])
                if any(b.action.split("(")[0] not in SPAN_ONLY for b in there):
                    continue  # a key of the screen under another name: the screen wins
                keymap[binding.key] = [*there, binding]
                self._shortcut_keys.append(binding.key)

    def _code(self, code_id: int) -> ops.CodeInfo | None:
        return self.view.codes_by_id.get(code_id) if self.view else None

    def codes_on(self, passage_id: int, *, keys: bool = False) -> set[Any]:
        """The ids (or keys) of the codes this coder has put on the passage, spans included."""
        ids = {f.code_id for f in self.view.mine.get(passage_id, ())} if self.view else set()
        return {c.key for c in map(self._code, ids) if c} if keys else ids

    @property
    def panel(self) -> CodebookPanel:
        return self._panel

    def _counts(self) -> dict[int, int]:
        return self.view.counts(mine=not self.show_others) if self.view else {}

    def _update_title(self) -> None:
        view = self.view
        if view is None:
            return
        coded, spoken = self._coded, self._spoken
        facts = ", ".join(x for x in (view.kind, view.site, view.context) if x)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(inert_line(view.name), style="bold")
        text.append(" · " + _("kodet {coded}/{total}").format(coded=coded, total=len(spoken)) + " · ")
        text.append(inert_line(self.tapp.coder), style="bold")
        if view.done_by:
            mine = self.tapp.coder in view.done_by
            text.append(" · " + _("færdig:") + " " + inert_line(", ".join(view.done_by)), style="bold" if mine else "")
        if self.show_others:
            text.append(" · " + _("andres kodninger vises"), style="italic")
        if view.title and view.title != view.name:
            text.append(f" · {inert_line(view.title)}")
        if facts:
            text.append(f" · {inert_line(facts)}")
        if text != self._title_text:  # a toggle that leaves the passage coded changes nothing here
            self._title_text = text
            self._title_bar.update(text, layout=False)  # one line, always

    # ------------------------------------------------------------------ cursor

    @property
    def passage(self) -> ops.PassageInfo | None:
        return self.cursor.passage

    @property
    def span(self) -> tuple[int, int] | None:
        """The sentences being narrowed to (``s`` mode), else ``None``."""
        return self.cursor.span

    def _move_to(self, index: int, center: bool = False, *, at_end: bool = False) -> None:
        if self.view is None:
            return
        index = self.cursor.clamp(index)
        self._span_mode.end()
        if index != self.cursor.index:
            self.cursor.index = index
            self._passage_list.set_cursor(index, center=center, at_end=at_end)
            self._cursor_changed()
        else:
            self._passage_list.scroll_to_cursor(center)

    def _cursor_changed(self) -> None:
        passage = self.passage
        if passage is None:
            return
        last = self.last_code.get(passage.id)
        if last is not None:
            self._panel.highlight_code(last)
        self.suggest.show()

    def action_move(self, step: int) -> None:
        target = self.cursor.step(step)
        if target is not None:
            self._move_to(target)

    def action_page(self, direction: int) -> None:
        if self.view is None:
            return
        plist = self._passage_list
        if plist.page_within(direction):  # a passage taller than the list: through it first
            return
        region = plist.block_region(self.cursor.index)
        line = region.y + direction * max(1, plist.scrollable_content_region.height - 2)
        index = plist.index_at_line(max(0, line))
        if index is None:
            index = len(self.view.passages) - 1 if direction > 0 else 0
        target = self.cursor.participant_from(index, direction)
        if target is None or (target - self.cursor.index) * direction <= 0:  # a tall passage: on to the next
            target = self.cursor.step(direction)
        if target is not None:
            self._move_to(target, at_end=direction < 0)

    def action_first(self) -> None:
        if self.view:
            self._move_to(self.cursor.first())

    def action_last(self) -> None:
        if self.view:
            self._move_to(self.cursor.last())

    def _uncoded(self, p: ops.PassageInfo) -> bool:
        return p.id not in self.view.mine

    def action_next_uncoded(self) -> None:
        if self.view is None:
            return
        target = self.cursor.step(1, self._uncoded)
        if target is not None:
            self._move_to(target)
            return
        left = [p for p in self.view.passages if not p.is_interviewer and self._uncoded(p)]
        if not left:  # nothing left here: offer the next source that is not finished
            offer_next_source(self)
        elif left == [self.passage]:
            self.app.notify(_("Ingen ukodede udsagn efter dette; kun dette mangler."), timeout=3)
        else:
            self.app.notify(_("Ingen ukodede udsagn efter dette (p finder dem før)."), timeout=3)

    def action_previous_uncoded(self) -> None:
        target = self.cursor.step(-1, self._uncoded)
        if target is None:
            self.app.notify(_("Ingen ukodede udsagn før dette."), timeout=3)
        else:
            self._move_to(target)

    @on(PassageList.Clicked)
    def _clicked(self, message: PassageList.Clicked) -> None:
        self._move_to(message.index)

    # ------------------------------------------------------------------ coding

    def _codable(self) -> ops.PassageInfo | None:
        passage = self.passage
        if passage is None:
            return None
        if passage.is_interviewer:
            self.app.notify(_("Interviewerens udsagn kodes ikke."), severity="warning", timeout=3)
            return None
        return passage

    def toggle(self, code_id: int) -> None:
        passage = self._codable()
        code = self._code(code_id)
        if passage is None or code is None:
            return
        if code.retired:
            self.app.notify(_("Koden {key} er udgået.").format(key=code.key), severity="error")
            return
        self._remember_code(passage, code_id)
        self._panel.highlight_code(code_id)
        label = _("{key} på udsagn {n}").format(key=code.key, n=passage.number)
        self._write(ops.toggle_code, self.tapp.coder, passage.id, code_id, stored=CodingStored(label, passage.number))

    def add_code(self, code_id: int, label: str) -> None:
        """Put the code on the passage (a suggestion taken): said, not toggled off, if it is there already."""
        passage = self._codable()
        code = self._code(code_id)
        if passage is None or code is None:
            return
        if any(f.code_id == code_id for f in self.view.mine.get(passage.id, ())):
            self.app.notify(_("{key} er allerede sat på udsagnet.").format(key=code.key), timeout=3)
            return
        self._remember_code(passage, code_id)
        self._write(
            ops.apply_change,
            self.tapp.coder,
            added=[CodingFact(passage.id, code_id)],
            stored=CodingStored(
                _("{label} {key} på udsagn {n}").format(label=label, key=code.key, n=passage.number), passage.number
            ),
        )

    def _write(
        self,
        fn: Callable[..., Any],
        *args: Any,
        stored: Stored | None = None,
        refused: Refused | None = None,
        **kwargs: Any,
    ) -> None:
        """Store a change through the app's writer; ``stored`` or ``refused`` comes back here."""
        self.tapp.run_write(fn, *args, reply_to=self, stored=stored, refused=refused, **kwargs)

    @on(CodingStored)
    def _stored(self, message: CodingStored) -> None:
        added, removed = message.result
        self.tapp.history.record_change(
            added, removed, label=message.label, source_name=self.source_name, passage_number=message.passage_number
        )
        self.apply_stored(added, removed)
        self.tapp.learning.coded(len(added))  # every so many new codings: the model learns again

    def apply_stored(self, added: list[CodingFact] | tuple, removed: list[CodingFact] | tuple) -> None:
        """Show a change that is in the database now."""
        if self.view is None:
            return
        ids = {f.passage_id for f in (*added, *removed)}
        before = sum(1 for pid in ids if pid in self.view.mine and pid in self._spoken)
        counted = {pid: self.view.codes_of(pid, mine=not self.show_others) for pid in ids}
        self.view.apply(added, removed)
        after = sum(1 for pid in ids if pid in self.view.mine and pid in self._spoken)
        self._coded += after - before
        plist = self._passage_list
        for pid in ids:
            index = self._index_of_id.get(pid)
            if index is not None:
                plist.invalidate(index)
        # The panel's counts changed only by these passages: worked out from them, not from every passage.
        counts = dict(self._panel.counts)
        for pid, was in counted.items():
            now = self.view.codes_of(pid, mine=not self.show_others)
            for code_id in now - was:
                counts[code_id] = counts.get(code_id, 0) + 1
            for code_id in was - now:
                left = counts.get(code_id, 0) - 1
                if left > 0:
                    counts[code_id] = left
                else:
                    counts.pop(code_id, None)
        self._panel.update_counts(counts)
        self._update_title()
        self.suggest.codes_changed(ids)

    def action_toggle_code(self, code_id: int) -> None:
        """A code's shortcut: toggle it on the passage."""
        self.toggle(code_id)

    @on(CodebookPanel.CodeChosen)
    def _code_chosen(self, message: CodebookPanel.CodeChosen) -> None:
        self.toggle(message.code_id)

    def action_pick_code(self) -> None:
        if self.view is None or self._codable() is None:
            return

        passage = self.passage

        def chosen(code_id: int | NewCodeRequest | None) -> None:
            if isinstance(code_id, NewCodeRequest) and passage is not None:
                self.maker.from_picker(code_id, passage, None)
            elif isinstance(code_id, int):
                self._panel.highlight_code(code_id)
                self.toggle(code_id)

        self.app.push_screen(self._picker(), chosen)

    def _picker(self, title: str | None = None) -> CodePickerDialog:
        """The code picker, offering to make a code that is not there (under the last parent used)."""
        return CodePickerDialog.for_codes(
            self.view.codes, title=_("Vælg kode") if title is None else title, create_under=self.maker.picker_parent
        )

    def show_codes(self, codes: list[ops.CodeInfo]) -> None:
        """The codebook changed here (a code made while coding): show it everywhere on the screen."""
        if self.view is None:
            return
        codes = in_language(codes, self.code_texts)
        self.view.codes = codes
        self._setup_shortcuts()
        self._panel.set_codes(codes, self._counts(), set(self.inactive_shortcuts))
        self._passage_list.set_codes(codes)

    @on(CodeStepStored)
    def _code_step_stored(self, message: CodeStepStored) -> None:
        self.maker.stored(message)

    @on(CodeStepRefused)
    def _code_step_refused(self, message: CodeStepRefused) -> None:
        self.maker.refused(message)

    # -------------------------------------------------------------- undo/redo

    def action_undo(self) -> None:
        if not self.maker.undo():  # a step that made codes is undone here, the rest by the app
            self.tapp.undo()

    def action_redo(self) -> None:
        if not self.maker.redo():
            self.tapp.redo()

    def show_action(self, action: CodingAction, added: list[CodingFact], removed: list[CodingFact]) -> None:
        """An undo or redo stored ``added``/``removed``; show it if it is in this source."""
        if self.view is None or action.source_name != self.source_name:
            return
        self.apply_stored(added, removed)
        index = self.view.index_of_number(action.passage_number)
        if index is not None:
            self._move_to(index)

    # ------------------------------------------------------------ suggestions

    @on(SuggestionsReady)
    def _suggestions_ready(self, message: SuggestionsReady) -> None:
        self.suggest.ready(message)

    def action_accept_suggestion(self) -> None:
        self.suggest.accept()

    def action_choose_suggestion(self) -> None:
        self.suggest.choose()

    def model_changed(self, new_model: bool) -> None:
        """The app's model changed (``new_model``) or started training: the suggestions follow."""
        if self.loaded:
            self.suggest.model_changed(new_model, show=self.is_current)

    def action_review_queue(self) -> None:
        """Forslagskø of the code highlighted in the codebook: its likeliest uncoded passages, one at a time."""
        code = self.panel.highlighted_code
        open_queue = getattr(self.app, "open_review_queue", None)
        if not callable(open_queue):
            self.app.notify(_("Forslagskøen er ikke med i denne version endnu."), severity="warning")
            return
        self._save_position_if_moved()
        open_queue(code.key if code else None)

    # ------------------------------------------------------------------ span

    def _remember_code(self, passage: ops.PassageInfo, code_id: int) -> None:
        """``code_id`` was the last code toggled on ``passage``: Enter in the ``s`` mode applies it."""
        self.last_code[passage.id] = code_id
        code = self._code(code_id)
        self._span_mode.code_key = code.key if code else None

    def action_start_span(self) -> None:
        if self.span is not None:  # s again: only the selection's first word, to grow by words from
            self._span_mode.first_word()
            return
        passage = self._codable()
        if passage is None:
            return
        code = self._code(self.last_code.get(passage.id, -1))
        self._span_mode.begin(code.key if code else None)

    def action_span_end(self, step: int) -> None:
        self._span_mode.grow(step)

    def action_span_start(self, step: int) -> None:
        self._span_mode.shift(step)

    def action_span_word_end(self, step: int) -> None:
        self._span_mode.grow_word(step)

    def action_span_word_start(self, step: int) -> None:
        self._span_mode.shift_word(step)

    def action_in_vivo(self) -> None:
        self.maker.in_vivo()

    def action_confirm(self) -> None:
        self._span_mode.confirm()

    @on(SpanMode.Changed)
    def _span_changed(self, message: SpanMode.Changed) -> None:
        self._passage_list.set_selection(message.selection)

    @on(SpanMode.Confirmed)
    def _span_confirmed(self, message: SpanMode.Confirmed) -> None:
        passage, selection = message.passage, message.selection
        code_id = self.last_code.get(passage.id)
        if code_id is not None and self._code(code_id) is not None:
            self._store_span(passage, code_id, selection)
            return

        def chosen(picked: int | NewCodeRequest | None) -> None:
            if isinstance(picked, NewCodeRequest):
                self.maker.from_picker(picked, passage, selection)
            elif picked is not None:
                self._store_span(passage, picked, selection)

        self.app.push_screen(self._picker(_("Kod udsnittet med")), chosen)

    def _store_span(self, passage: ops.PassageInfo, code_id: int, selection: tuple[int, int]) -> None:
        code = self._code(code_id)
        self.last_code[passage.id] = code_id
        self._span_mode.end()
        label = _("udsnit {key} på udsagn {n}").format(key=code.key, n=passage.number)
        self._write(
            ops.narrow_to_span,
            self.tapp.coder,
            passage.id,
            code_id,
            *selection,
            stored=CodingStored(label, passage.number),
        )

    # ------------------------------------------------------------ other keys

    def action_escape(self) -> None:
        if not self._span_mode.end():
            self.action_back()

    def action_back(self) -> None:
        self._save_position_if_moved()
        self.dismiss_screen()

    def action_toggle_star(self) -> None:
        passage = self._codable()
        if passage is None:
            return
        starred = passage.id not in self.view.stars
        self._write(ops.set_star, self.tapp.coder, passage.id, starred, stored=StarStored(passage.id))

    @on(StarStored)
    def _star_stored(self, message: StarStored) -> None:
        state: bool = message.result
        (self.view.stars.add if state else self.view.stars.discard)(message.passage_id)
        self._passage_list.invalidate(self._index_of_id[message.passage_id])
        self.app.notify(_("Markeret som citatkandidat ★") if state else _("Stjernen er fjernet"), timeout=2)

    def action_edit_memo(self) -> None:
        passage = self.passage
        if passage is None:
            return
        self._open_memo(passage, self.view.memos.get(passage.id, ""))

    def _open_memo(self, passage: ops.PassageInfo, stored_text: str, draft: str | None = None) -> None:
        title = _("Notat til udsagn {n} ({speaker})").format(n=passage.number, speaker=passage.label)

        def edited(text: str | None) -> None:
            if text is None:
                return
            refused = MemoRefused(passage, stored_text, text)
            self._write(ops.set_memo, self.tapp.coder, passage.id, text, stored=MemoStored(passage.id), refused=refused)

        self.app.push_screen(MemoDialog(title, stored_text, draft=draft), edited)

    @on(MemoStored)
    def _memo_stored(self, message: MemoStored) -> None:
        stored: str = message.result
        if stored:
            self.view.memos[message.passage_id] = stored
        else:
            self.view.memos.pop(message.passage_id, None)
        self._passage_list.invalidate(self._index_of_id[message.passage_id])
        self.app.notify(_("Notatet er gemt") if stored else _("Notatet er slettet"), timeout=2)

    @on(MemoRefused)
    def _memo_refused(self, message: MemoRefused) -> None:  # nothing typed is lost: the dialog comes back with it
        self._open_memo(message.passage, message.stored_text, message.draft)

    def action_toggle_done(self) -> None:
        if self.view is None:
            return
        coder = self.tapp.coder
        done_now = coder in self.view.done_by

        def store(ok: bool = True) -> None:
            if not ok:
                return
            self._write(mark_done, self.source_name, coder, not done_now, stored=DoneStored(coder, not done_now))

        uncoded = sum(1 for p in self.view.passages if not p.is_interviewer and p.id not in self.view.mine)
        if not done_now and uncoded:
            self.app.push_screen(
                ConfirmDialog(
                    _("{n} af deltagernes udsagn er ikke kodet af dig. Markér kilden færdig alligevel?").format(
                        n=uncoded
                    )
                ),
                store,
            )
        else:
            store()

    @on(DoneStored)
    def _done_stored(self, message: DoneStored) -> None:
        coder = message.coder
        if not message.done:
            self.view.done_by = [c for c in self.view.done_by if c != coder]
        else:
            self.view.done_by = sorted({*self.view.done_by, coder})
        self._update_title()
        self.app.notify(
            _("Kilden er ikke længere markeret færdig") if not message.done else _("Kilden er markeret færdig ✓"),
            timeout=3,
        )

    def action_edit_speaker(self) -> None:
        passage = self.passage
        if passage is None:
            return
        self._open_speaker(passage)

    def _open_speaker(self, passage: ops.PassageInfo, draft: dict[str, str] | None = None) -> None:
        values = {"gender": passage.gender, "age": passage.age, "site": passage.site}

        def edited(changes: dict[str, str] | None) -> None:
            if not changes:
                return
            self._write(
                set_participant_fields,
                self.source_name,
                passage.label,
                changes,
                stored=SpeakerStored(passage),
                refused=SpeakerRefused(passage, changes),
            )

        self.app.push_screen(SpeakerDialog(passage.label, values, passage.attributes, draft=draft), edited)

    @on(SpeakerStored)
    def _speaker_stored(self, message: SpeakerStored) -> None:
        self.app.notify(_("Deltager {speaker} er opdateret").format(speaker=message.passage.label), timeout=3)
        self.load(message.passage.number)

    @on(SpeakerRefused)
    def _speaker_refused(self, message: SpeakerRefused) -> None:  # the dialog comes back with what was typed
        self._open_speaker(message.passage, message.draft)

    def action_toggle_others(self) -> None:
        self.show_others = not self.show_others
        self._passage_list.set_show_others(self.show_others)
        self._passage_list.scroll_to_cursor()
        self._panel.update_counts(self._counts())
        self._update_title()
        self.app.notify(
            _("Andre koderes kodninger vises (tallene er alle koderes)")
            if self.show_others
            else _("Andre koderes kodninger er skjult (blind kodning)"),
            timeout=3,
        )

    def action_reload(self) -> None:
        passage = self.passage
        self.load(passage.number if passage else None)
        learning = self.tapp.learning
        learning.train()
        said = (
            _("Genindlæst fra databasen; forslagene lærer igen") if learning.enabled else _("Genindlæst fra databasen")
        )
        self.app.notify(said, timeout=2)

    # ---------------------------------------------------------------- search

    def action_open_search(self) -> None:
        self.query_one(SearchBar).open()

    @on(SearchBar.QueryChanged)
    def _search_changed(self, message: SearchBar.QueryChanged) -> None:
        self.search_text = message.query
        self._passage_list.set_query(self.search_text)

    @on(SearchBar.Find)
    def _search_find(self, message: SearchBar.Find) -> None:
        self._find(message.step)

    @on(SearchBar.Closed)
    def _search_closed(self) -> None:
        self._passage_list.focus()

    def _find(self, step: int) -> None:
        if self.view is None or not self.search_text.strip():
            return
        found = self.cursor.find(self.search_text, step)
        if found is None:
            self.app.notify(
                _("»{text}« findes ikke i kilden").format(text=self.search_text), severity="warning", timeout=3
            )
            return
        index, wrapped = found
        if wrapped:
            said = _("Søgningen fortsatte fra begyndelsen") if step > 0 else _("Søgningen fortsatte fra slutningen")
            self.app.notify(said, timeout=2)
        self._move_to(index, center=True)

    def action_search_next(self) -> None:
        self._find(1)

    def action_search_previous(self) -> None:
        self._find(-1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("span_end", "span_start", "confirm") or action in SPAN_ONLY:
            return True if self.span is not None else False
        return True

    # --------------------------------------------------------------- position

    def _save_position_if_moved(self) -> None:
        passage = self.passage
        if passage is None or passage.number == self._saved_number:
            return
        number = passage.number
        self._saved_number = number
        self._write(ops.save_position, self.tapp.coder, self.view.source_id, number, create_coder=False)

    def save_position(self) -> None:
        """Store the position if it moved (in the writer, after every earlier write): the screen is left."""
        self._save_position_if_moved()

    def jump_to(self, number: int) -> None:
        """Move the cursor to passage ``number`` (asked from another screen), or say there is none."""
        index = self.view.index_of_number(number) if self.view else None
        if index is None:
            self.app.notify(_("Kilden har intet udsagn nr. {n}").format(n=number), severity="warning")
        else:
            self._move_to(index, center=True)

    def save_position_now(self) -> None:
        """Store the position at once (on quitting: no worker may outlive the app)."""
        passage = self.passage
        if passage is None or passage.number == self._saved_number:
            return
        try:
            ops.save_position(
                self.tapp.project, self.tapp.coder, self.view.source_id, passage.number, create_coder=False
            )
            self._saved_number = passage.number
        except Exception as exc:
            self.app.notify(
                _("Positionen kunne ikke gemmes: {error}").format(error=explain_failure(exc)), severity="error"
            )

    def help_extra(self) -> list[tuple[str, list[tuple[str, str]]]]:
        sections = help_text.help_extra()
        if self.view is not None:
            rows = []
            for code in self.view.codes:
                if code.shortcut and code.id in self.shortcuts.values():
                    rows.append((code.shortcut, _("sæt/fjern {key} {name}").format(key=code.key, name=code.name)))
            for code_id, sc in self.inactive_shortcuts.items():
                code = self._code(code_id)
                if code:
                    said = _("{key}: genvejen bruges af skærmen – vælg koden med mellemrum").format(key=code.key)
                    rows.append((f"({sc})", said))
            sections.insert(0, (_("Koder (tallene 1–7 er temaerne)"), rows))
        return sections
