"""Udtræk: every passage or span coded with a code — or a combination — across all sources.

The screen loads the passages that carry the chosen code in a thread worker
(:func:`trivselkode.analysis.retrieval.load_retrieval`) and works out the
rows in memory (:func:`~trivselkode.analysis.retrieval.select_segments`,
:mod:`trivselkode.analysis.retrieval_filter`), so the filter narrows them
as it is typed. The rows are a virtualised list (:class:`SegmentList`); the
highlighted one is shown in full below it.

From a row: Enter opens Kodning at its passage (:class:`JumpToPassage`);
the code keys recode and uncode its passage and ``*`` stars it, through the
app's writer and the same core calls as Kodning (undoable with ``u``); a
change is shown once it is stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from trivselkode.analysis.retrieval import RetrievalData, RetrievalQuery, Segment, load_retrieval, select_segments
from trivselkode.analysis.retrieval_filter import (
    ORDER_LABELS,
    RowFilter,
    apply_filter,
    parse_filter,
    replace_rows,
    sort_segments,
)
from trivselkode.i18n import N_, _, ngettext
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.db import Project, explain_failure
from trivselkode.tui.common.failures import SaysWorkerFailures
from trivselkode.tui.common.footer import TranslatedFooter
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.keys import EVERYWHERE_HERE, help_sections
from trivselkode.tui.common.picker import CodePickerDialog
from trivselkode.tui.common.plain import inert_line
from trivselkode.tui.messages import JumpToPassage
from trivselkode.tui.retrieval.detail import DetailView, detail
from trivselkode.tui.retrieval.keys import HELP_TEXT, FilterInput, help_extra
from trivselkode.tui.retrieval.row_coding import RowCoding
from trivselkode.tui.retrieval.segment_list import SegmentList

if TYPE_CHECKING:
    from trivselkode.tui.app import TrivselApp

# analysis.retrieval_filter's ORDER_LABELS, declared here for the catalogue (shown through _()).
N_("kilde"), N_("længde")
FILTER_HINT = N_("Filtrér: randers · koder:anne · køn:kvinde · alder:60 · runde:2")


class RetrievalScreen(SaysWorkerFailures, Screen[None], RowCoding):
    """Retrieval by code, with recoding, uncoding and stars from the rows."""

    CSS_PATH = str(Path(__file__).with_name("screen.tcss"))
    HELP_TITLE = N_("Udtræk")

    BINDINGS = [
        Binding("escape", "escape", N_("Tilbage")),
        Binding("question_mark", "show_keys", N_("Taster"), priority=True),
        Binding("enter", "open_passage", N_("Kodning")),
        Binding("slash", "focus_filter", N_("Filtrér")),
        Binding("p", "choose_code", N_("Kode")),
        Binding("Q", "open_review_queue", N_("Forslagskø"), show=False),
        Binding("A", "and_code", N_("Og"), show=False),
        Binding("n", "not_code", N_("Ikke"), show=False),
        Binding("o", "toggle_order", N_("Rækkefølge"), show=False),
        Binding("asterisk", "toggle_star", N_("Stjerne"), show=False),
        Binding("space", "pick_code", N_("Kod"), show=False),
        Binding("u", "undo", N_("fortryd¦Fortryd"), show=False),
        Binding("ctrl+r", "redo", N_("Gentag"), show=False),
        Binding("r", "reload", N_("Genindlæs"), show=False),
        Binding("down,j", "move(1)", N_("Næste"), show=False),
        Binding("up,k", "move(-1)", N_("Forrige"), show=False),
        Binding("pagedown", "page(1)", N_("Side ned"), show=False),
        Binding("pageup", "page(-1)", N_("Side op"), show=False),
        Binding("g,home", "first", N_("Første"), show=False),
        Binding("G,end", "last", N_("Sidste"), show=False),
        Binding("q", "back", N_("Tilbage"), show=False),
    ]

    HELP_TEXT = HELP_TEXT

    @dataclass
    class Loaded(Message):
        data: RetrievalData
        seconds: float
        keep: tuple[int, int | None, int | None] | None

    @dataclass
    class LoadFailed(Message):
        error: str

    def __init__(self, project: Project, coder: str | None, code_key: str | None = None) -> None:
        super().__init__()
        self.project = project
        self.coder = coder or ""
        self.request: RetrievalQuery | None = RetrievalQuery(code_key) if code_key else None
        self.data: RetrievalData | None = None
        self.codes: list[ops.CodeInfo] = []
        self.order = "source"
        self.row_filter = RowFilter()
        self.base: list[Segment] = []  # the query's rows for the filter's coders, in order
        self.rows: list[Segment] = []  # after the rest of the filter
        self._scope: frozenset[str] | None = None
        self._mine: dict[int, list[ops.CodeInfo]] = {}
        self._shortcut_keys: list[str] = []
        self.shortcuts: dict[str, int] = {}
        self.loaded = False
        self._under_dialog = False  # a dialog (picker, help) covers the screen, not another screen

    @property
    def tapp(self) -> TrivselApp:
        return self.app  # type: ignore[return-value]

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(_("Udtræk · vælg en kode"), id="retrieval-title", classes="screen-title")
        yield FilterInput(placeholder=_(FILTER_HINT), id="retrieval-filter")
        yield Static("", id="retrieval-status")
        yield SegmentList(id="retrieval-list")
        yield DetailView(id="retrieval-detail")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self._focus(self.query_one(SegmentList))
        self._load_codes()
        if self.request is not None:
            self._status(_("Henter …"))
            self.load()

    def show_code(self, code_key: str) -> None:
        """Show the rows of ``code_key`` (asked from Kodebog); the filter and order stay."""
        self.request = RetrievalQuery(code_key)
        if self.is_mounted:
            self._status(_("Henter …"))
            self.load()

    # ----------------------------------------------------------------- loading

    def _load_codes(self) -> None:
        """The codebook, read at once (one small query), then the picker if no code was given.

        Read here rather than in a worker, so a code picked fast after ``R`` ("R 3 Enter") is not lost.
        """
        if self._read_codes() and self.request is None:
            self.action_choose_code()

    def _read_codes(self) -> bool:
        try:
            self.codes = ops.load_codes(self.project)
        except Exception as exc:  # the server gone: said; p tries again
            self._load_failed(self.LoadFailed(explain_failure(exc)))
            return False
        self._setup_shortcuts()
        return True

    def load(self, keep: tuple[int, int | None, int | None] | None = None) -> None:
        if self.request is not None:
            self._load(self.request, keep)

    @work(thread=True, exclusive=True, group="retrieval-load", exit_on_error=False)
    def _load(self, query: RetrievalQuery, keep: tuple[int, int | None, int | None] | None) -> None:
        began = time.perf_counter()
        try:
            data = load_retrieval(self.project, query)
        except Exception as exc:  # an unknown code, the server gone: said, never swallowed
            self.post_message(self.LoadFailed(explain_failure(exc)))
            return
        self.post_message(self.Loaded(data, time.perf_counter() - began, keep))

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.app.notify(
            _("Udtrækket kunne ikke hentes: {error}").format(error=message.error), severity="error", timeout=8
        )
        if self.data is None:
            self._status(_("Intet hentet. Tryk p for at vælge en kode."))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.data = message.data
        self.request = message.data.query
        self.codes = message.data.codes
        self._setup_shortcuts()
        self.loaded = True
        self._scope = None  # recompute the rows
        self._refresh(keep=message.keep, reselect=True)

    # ------------------------------------------------------------------- rows

    def _refresh(
        self,
        *,
        keep: tuple[int, int | None, int | None] | None = None,
        reselect: bool = False,
        changed: set[int] | None = None,
    ) -> None:
        """Work out the rows again (after a load, a change, a new filter or order) and show them.

        ``reselect``: from all the data; ``changed``: only the rows of these passages (a recoding, a star).
        """
        data = self.data
        if data is None:
            return
        current = self.current()
        if keep is None and current is not None:
            keep = current.key
        old_index = self.query_one(SegmentList).cursor
        scope_set = self.row_filter.coder_scope(data.coders)
        scope = frozenset(scope_set) if scope_set is not None else None
        if reselect or scope != self._scope or (not self.base and changed is None):
            self._scope = scope
            selected = select_segments(data, scope)  # in source order
            self.base = selected if self.order == "source" else sort_segments(selected, self.order)
            self._mine = self._my_codes(data)
        elif changed:
            self.base = replace_rows(self.base, changed, select_segments(data, scope, changed), self.order)
            self._mine.update(self._my_codes(data, changed))
            for pid in changed - set(data.codings):
                self._mine.pop(pid, None)
        self.rows = apply_filter(self.base, self.row_filter)
        index = next((i for i, s in enumerate(self.rows) if s.key == keep), None) if keep else None
        if index is None:
            index = min(old_index, max(0, len(self.rows) - 1))
        self.query_one(SegmentList).set_rows(self.rows, index, lambda pid: self._mine.get(pid, ()))
        self._show_title()
        self._show_detail()

    def _my_codes(self, data: RetrievalData, passages: set[int] | None = None) -> dict[int, list[ops.CodeInfo]]:
        """Per passage, the coder's own codes there (the chips); an empty list where there are none."""
        order = {c.id: n for n, c in enumerate(data.codes)}
        by_id = data.codes_by_id
        out: dict[int, list[ops.CodeInfo]] = {}
        chosen = data.codings.items() if passages is None else ((p, data.codings.get(p, [])) for p in passages)
        for pid, rows in chosen:
            ids = sorted({r.code_id for r in rows if r.coder == self.coder}, key=lambda c: order.get(c, 0))
            if ids or passages is not None:
                out[pid] = [by_id[c] for c in ids if c in by_id]
        return out

    def current(self) -> Segment | None:
        index = self.query_one(SegmentList).cursor
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def _status(self, text: str) -> None:
        line = Text(inert_line(text), no_wrap=True, overflow="ellipsis")
        self.query_one("#retrieval-status", Static).update(line, layout=False)  # one line, always

    def _show_title(self) -> None:
        data, query = self.data, self.request
        if data is None or query is None:
            return
        main = data.codes_by_id.get(data.code_id)
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(_("Udtræk · "), style="bold")
        title.append(inert_line(query.describe()), style="bold")
        if main is not None:
            title.append(" · " + inert_line(main.name))
        self.query_one("#retrieval-title", Static).update(title, layout=False)  # one line, always
        shown, total = len(self.rows), len(self.base)
        who = (
            _("alle kodere") if self._scope is None else _("kodere: ") + (", ".join(sorted(self._scope)) or _("ingen"))
        )
        count = (
            ngettext("{shown} udsnit", "{shown} udsnit", shown).format(shown=shown)
            if shown == total or self.row_filter.empty
            else _("{shown} af {total} udsnit").format(shown=shown, total=total)
        )
        unknown = (
            _(" · ukendt felt: {fields}").format(fields=", ".join(self.row_filter.unknown))
            if self.row_filter.unknown
            else ""
        )
        self._status(
            _("{count} · {who} · ordnet efter {order}{unknown}").format(
                count=count, who=who, order=_(ORDER_LABELS[self.order]), unknown=unknown
            )
        )

    def _show_detail(self) -> None:
        current = self.current()
        mine = self._mine.get(current.passage_id, []) if current else []
        self.query_one(DetailView).show(detail(current, mine, self.coder))

    # ----------------------------------------------------------------- filter

    @on(Input.Changed, "#retrieval-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.row_filter = parse_filter(event.value)
        self._refresh()

    @on(Input.Submitted, "#retrieval-filter")
    def _filter_submitted(self) -> None:
        self._focus(self.query_one(SegmentList))

    def action_focus_filter(self) -> None:
        self._focus(self.query_one("#retrieval-filter", Input))

    def _focus(self, widget: Widget) -> None:
        """Focus at once, not after the keys already typed: "/randers" fast must not reach the rows as keys."""
        self.set_focus(widget)

    def _filter_focused(self) -> bool:
        return isinstance(self.focused, Input)

    # ------------------------------------------------------------------ moving

    def _move_to(self, index: int) -> None:
        plist = self.query_one(SegmentList)
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        if index != plist.cursor:
            plist.set_cursor(index)
            self._show_detail()
        else:
            plist.scroll_to_cursor()

    def action_move(self, step: int) -> None:
        if self._filter_focused():
            if step > 0:
                self._focus(self.query_one(SegmentList))
            return
        self._move_to(self.query_one(SegmentList).cursor + step)

    def action_page(self, direction: int) -> None:
        plist = self.query_one(SegmentList)
        self._move_to(plist.cursor + direction * plist.page_rows)

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:
        self._move_to(len(self.rows) - 1)

    @on(SegmentList.Clicked)
    def _clicked(self, message: SegmentList.Clicked) -> None:
        self._focus(self.query_one(SegmentList))
        self._move_to(message.index)

    def action_toggle_order(self) -> None:
        self.order = "length" if self.order == "source" else "source"
        self.base = sort_segments(self.base, self.order)
        self._refresh()
        self.app.notify(_("Ordnet efter {order}.").format(order=_(ORDER_LABELS[self.order])), timeout=2)

    def action_open_passage(self) -> None:
        segment = self.current()
        if segment is not None:
            self.post_message(JumpToPassage(segment.source, segment.number))

    def action_open_review_queue(self) -> None:
        if self.request is not None:
            self.tapp.open_review_queue(self.request.code)

    def action_escape(self) -> None:
        if self._filter_focused():
            self._focus(self.query_one(SegmentList))
        else:
            self.action_back()

    def action_back(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()
        self.app.notify(_("Genindlæst fra databasen"), timeout=2)

    def on_screen_suspend(self) -> None:
        self._under_dialog = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        if self.loaded and not self._under_dialog:  # back from Kodning or another screen: codings may have changed
            self.load()
        self._under_dialog = False

    # ----------------------------------------------------------- the query

    def _pick(self, title: str, chosen) -> None:  # noqa: ANN001
        if not self.codes:
            self.app.notify(_("Kodebogen er tom."), severity="warning")
            return
        self.app.push_screen(CodePickerDialog(title, [(c.key, c.name) for c in self.codes], codes=self.codes), chosen)

    def _key_of(self, code_id: int | None) -> str | None:
        return next((c.key for c in self.codes if c.id == code_id), None)

    def action_choose_code(self) -> None:
        if not self.codes and not self._read_codes():
            return

        def chosen(code_id: int | None) -> None:
            key = self._key_of(code_id)
            if key is None:
                if self.request is None:  # opened without a code and none chosen
                    self.action_back()
                return
            old = self.request
            self.request = RetrievalQuery(key, old.all_of, old.none_of) if old else RetrievalQuery(key)
            self._status(_("Henter …"))
            self.load()

        self._pick(_("Udtræk: vælg kode"), chosen)

    def _combine(self, which: str) -> None:
        if self.request is None:
            self.action_choose_code()
            return

        def chosen(code_id: int | None) -> None:
            key = self._key_of(code_id)
            if key is None or self.request is None:
                return
            q = self.request
            keys = list(q.all_of if which == "and" else q.none_of)
            keys = [k for k in keys if k != key] if key in keys else [*keys, key]
            if which == "and":
                self.request = RetrievalQuery(q.code, tuple(keys), tuple(k for k in q.none_of if k != key))
            else:
                self.request = RetrievalQuery(q.code, tuple(k for k in q.all_of if k != key), tuple(keys))
            self.load()

        self._pick(_("Også denne kode (og)") if which == "and" else _("Ikke denne kode (ikke)"), chosen)

    def action_and_code(self) -> None:
        self._combine("and")

    def action_not_code(self) -> None:
        self._combine("not")

    # -------------------------------------------------------------------- help

    def help_extra(self) -> list[tuple[str, list[tuple[str, str]]]]:
        return help_extra([c for c in self.codes if c.id in self.shortcuts.values()])

    def action_show_keys(self) -> None:
        sections = help_sections(self, EVERYWHERE_HERE)
        self.app.push_screen(HelpDialog(_(self.HELP_TITLE), sections, own_question_mark=True))
