"""Uenigheder: two coders' disagreements on a code, side by side, settled one at a time.

:class:`DisagreementReviewScreen` (opened from Enighed with Enter on a code)
loads :func:`trivselkode.analysis.review.review_items` in a thread worker and
settles each disagreement into the reserved ``konsensus`` coder with
:func:`trivselkode.storage.consensus.settle` (one transaction each, in a
worker; shown once stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from rich import box
from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from trivselkode.analysis.review import Context, ReviewItem, ViewCoding
from trivselkode.config import CONSENSUS_CODER
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _
from trivselkode.storage.db import Project, explain_failure
from trivselkode.storage.project_settings import OWN_FIX_HINT
from trivselkode.tui.agreement.review_actions import ACTION_BINDINGS, ReviewActions
from trivselkode.tui.common.failures import SaysWorkerFailures
from trivselkode.tui.common.footer import TranslatedFooter
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.keys import EVERYWHERE_HERE, HelpSections, help_sections
from trivselkode.tui.common.plain import inert, inert_line, line
from trivselkode.tui.messages import CodingsChanged


def chip(key: str, color: str | None, dim: bool = False) -> Text:
    """A code as a small coloured label: `` T1 ``."""
    style = Style(bgcolor=color or "#777777", color="#ffffff", bold=True, dim=dim)
    return Text(f" {inert_line(key)} ", style=style)


def _when(item_decision_time) -> str:  # noqa: ANN001
    stamp = item_decision_time
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone().strftime("%d.%m.%Y %H:%M")


def _quote(text: str, limit: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _context_line(ctx: Context | None, where: str) -> Text:
    if ctx is None:
        return Text(f"({where})", style="dim italic")
    shown = Text(style="dim")
    shown.append(f"{ctx.number} {inert_line(ctx.speaker)}: ", style="dim bold")
    shown.append(inert_line(_quote(ctx.text)))
    return shown


def _coding_line(coding: ViewCoding) -> Text:
    shown = Text()
    shown.append_text(chip(coding.code, coding.color))
    if coding.quote is None:
        shown.append(_(" hele udsagnet"))
    else:
        shown.append(" “", style="italic")
        shown.append(inert_line(_quote(coding.quote, 300)), style="italic")
        shown.append("”", style="italic")
    return shown


def coder_column(item: ReviewItem, coder: str) -> Group:
    """What one coder did on the passage: the code under review (spans, memos), then their other codes."""
    parts: list[Text] = []
    mine = item.of(coder, item.code)
    if mine:
        for coding in mine:
            parts.append(_coding_line(coding))
            if coding.memo:
                parts.append(Text(_("  notat: {memo}").format(memo=inert(coding.memo)), style="italic"))
    else:
        shown = Text()
        shown.append_text(chip(item.code, item.code_color, dim=True))
        shown.append(_(" ikke kodet"), style="dim italic")
        parts.append(shown)
    others = [c for c in item.of(coder) if c.code != item.code]
    if others:
        shown = Text(_("Øvrige: "), style="dim")
        seen = set()
        for c in others:
            if c.code in seen:
                continue
            seen.add(c.code)
            shown.append_text(chip(c.code, c.color, dim=True))
            shown.append(" ")
        parts.append(shown)
        for c in others:
            if c.memo:
                parts.append(
                    Text(
                        _("  notat ({code}): {memo}").format(code=inert_line(c.code), memo=inert(c.memo)),
                        style="dim italic",
                    )
                )
    return Group(*parts)


def coder_columns(item: ReviewItem) -> Table:
    """A and B side by side, as two equal columns with a rule between them."""
    a, b = item.coders
    table = Table(box=box.MINIMAL, expand=True, show_header=False, show_edge=False, pad_edge=False, padding=(0, 1))
    table.add_column(ratio=1)
    table.add_column(ratio=1)
    table.add_row(line(f"A · {a}", style="bold"), line(f"B · {b}", style="bold"))
    table.add_row(coder_column(item, a), coder_column(item, b))
    return table


def decision_text(item: ReviewItem) -> Text:
    text = Text()
    d = item.decision
    if d is None:
        text.append(_("Konsensus: "), style="bold")
        text.append(_("ikke afgjort endnu"), style="yellow")
        text.append(_(" · r: afgør med begrundelse"), style="dim")
        return text
    text.append(_("Afgjort: "), style="bold green")
    text.append(inert_line(d.label()), style="bold")
    text.append(
        _(" · af {settled_by} {settled_at}").format(
            settled_by=inert_line(d.settled_by), settled_at=_when(d.settled_at)
        ),
        style="dim",
    )
    if d.coders and tuple(d.coders) != item.coders:
        text.append(_(" (mellem {coders})").format(coders=inert_line(_(" og ").join(d.coders))), style="dim")
    text.append(_(" · konsensus: "))
    mine = item.of(CONSENSUS_CODER, item.code)
    if mine:
        for n, coding in enumerate(mine):
            if n:
                text.append(", ")
            text.append_text(chip(coding.code, coding.color))
            text.append(_(" hele udsagnet") if coding.quote is None else f" “{inert_line(_quote(coding.quote, 60))}”")
    else:
        text.append(_("ingen {code}").format(code=inert_line(item.code)), style="italic")
    if d.reason:
        text.append(_("\nBegrundelse: "), style="bold")
        text.append(inert(d.reason))
    else:
        text.append(_("\nIngen begrundelse · r: giv en · x: ophæv · h: log"), style="dim")
    return text


class DisagreementReviewScreen(SaysWorkerFailures, ReviewActions):
    """Two coders' disagreements side by side, one at a time; keys settle each into ``konsensus``."""

    HELP_TITLE = N_("Uenigheder")

    CSS_PATH = str(Path(__file__).with_name("review.tcss"))

    BINDINGS = [
        Binding("a", "settle('a')", N_("Tag A"), tooltip=N_("tag A's kodning (venstre kolonne) ind i konsensus")),
        Binding("b", "settle('b')", N_("Tag B"), tooltip=N_("tag B's kodning (højre kolonne) ind i konsensus")),
        Binding(
            "2,plus", "settle('both')", N_("Begge"), key_display="2", tooltip=N_("tag begges kodninger ind i konsensus")
        ),
        Binding(
            "0,minus",
            "settle('neither')",
            N_("Ingen"),
            key_display="0",
            tooltip=N_("ingen af dem: konsensus har ikke koden her"),
        ),
        Binding("right,n", "step(1)", N_("Næste"), key_display="→", tooltip=N_("næste uenighed (uden at afgøre)")),
        Binding("left,p", "step(-1)", N_("Forrige"), key_display="←", tooltip=N_("forrige uenighed (uden at afgøre)")),
        Binding(
            "u", "next_unsettled", N_("Næste uafgjorte"), show=False, tooltip=N_("spring til næste uafgjorte uenighed")
        ),
        Binding("home", "jump(0)", N_("Første"), show=False, tooltip=N_("første uenighed")),
        Binding("end", "jump(-1)", N_("Sidste"), show=False, tooltip=N_("sidste uenighed")),
        *ACTION_BINDINGS,
        Binding("escape", "back", N_("Tilbage"), tooltip=N_("tilbage til tabellen (tallene genberegnes)")),
        Binding("question_mark", "show_keys", N_("Taster"), tooltip=N_("vis alle taster")),
    ]

    @dataclass
    class ItemsLoaded(Message):
        items: list[ReviewItem]

    @dataclass
    class LoadFailed(Message):
        message: str

    @dataclass
    class SettleStored(Message):
        index: int
        item: ReviewItem

    @dataclass
    class SettleFailed(Message):
        index: int
        message: str
        stored: bool = False

    def __init__(
        self,
        project: Project,
        coder: str,
        pair: tuple[str, str],
        code: str | None,
        *,
        title: str | None = None,
        all_passages: bool = False,
        unit: str = "passage",
        overlap: float = 0.9,
        sources: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.sources = sources  # only these sources' disagreements (a cell of the per-source table)
        self.project = project
        self.coder = coder
        self.pair = pair
        self.code = code
        self.title_text = title or (code or _("alle koder"))
        self.all_passages = all_passages
        self.unit = unit
        self.overlap = overlap
        self.items: list[ReviewItem] = []
        self.index = 0
        self.loaded = False
        self.busy = False
        self.queue: list[str] = []
        self.settled_now = 0
        self.last_settled: str | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static("", id="review-title")
        yield Static(_("Henter uenighederne …"), id="review-counter")
        yield Static("", id="review-empty")
        with Vertical(id="review-body"):
            with VerticalScroll(id="review-passage"):
                yield Static("", id="review-head")
                yield Static("", id="review-before")
                yield Static("", id="review-text")
                yield Static("", id="review-after")
            with VerticalScroll(id="review-coders"):
                yield Static("", id="review-columns")
            yield Static("", id="review-decision")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        title = Text(_("Uenigheder"), style="bold", no_wrap=True, overflow="ellipsis")
        title.append(inert_line(f"  ·  {self.pair[0]} ↔ {self.pair[1]}  ·  {self.title_text}"))
        self.query_one("#review-title", Static).update(title)
        self.query_one("#review-passage").focus()
        self._load()

    def help_extra(self) -> HelpSections:
        a, b = self.pair
        return [
            (
                _("Afgørelser"),
                [
                    (
                        "a / b",
                        _(
                            "A er {a}, B er {b}: deres kodninger af koden på udsagnet kopieres til '{CONSENSUS_CODER}'"
                        ).format(a=a, b=b, CONSENSUS_CODER=CONSENSUS_CODER),
                    ),
                    ("", _("kodernes egne kodninger ændres aldrig; hver afgørelse gemmes med dit navn og tidspunktet")),
                    ("", _("efter en afgørelse går skærmen selv videre til næste uafgjorte uenighed")),
                    ("", _("en afgjort uenighed kan afgøres om: gå tilbage til den og tryk en ny tast")),
                    ("r", _("afgør med en begrundelse (↑/↓ vælger afgørelsen, Enter gemmer); på en afgjort: ret den")),
                    ("x", _("ophæv afgørelsen: konsensus mister koden dér, og uenigheden er åben igen")),
                    (
                        "o",
                        _(
                            "ret din egen kodning af koden på udsagnet, hvis projektet tillader det ({OWN_FIX_HINT})"
                        ).format(OWN_FIX_HINT=_(OWN_FIX_HINT)),
                    ),
                    ("h", _("afgørelsesloggen: hvem afgjorde, ændrede eller ophævede hvad, hvornår og hvorfor")),
                    ("↑ ↓ PgUp PgDn", _("rul i udsagnet")),
                ],
            )
        ]

    def action_show_keys(self) -> None:
        self.app.push_screen(
            HelpDialog(_("Uenigheder"), help_sections(self, EVERYWHERE_HERE), look="medium", own_question_mark=True)
        )

    # ----------------------------------------------------------------- loading

    @work(thread=True, exclusive=True, group="review-load", exit_on_error=False)
    def _load(self) -> None:
        from trivselkode.analysis.review import review_items

        try:
            items = review_items(
                self.project,
                self.pair,
                self.code,
                all_passages=self.all_passages,
                unit=self.unit,
                overlap=self.overlap,
                sources=self.sources,
            )
        except TrivselError as exc:
            self.post_message(self.LoadFailed(str(exc)))
            return
        except Exception as exc:  # shown, never swallowed
            self.post_message(self.LoadFailed(explain_failure(exc)))
            return
        self.post_message(self.ItemsLoaded(items))

    @on(ItemsLoaded)
    def _items_loaded(self, message: ItemsLoaded) -> None:
        self.items = message.items
        self.loaded = True
        if not self.items:
            self.add_class("-empty")
            what = _("nogen kode") if self.code is None else self.code
            self.query_one("#review-empty", Static).update(
                line(
                    _("{a} og {b} er ikke uenige om {what}. Escape: tilbage.").format(
                        a=self.pair[0], b=self.pair[1], what=what
                    )
                )
            )
            self._show_counter()
            return
        first = next((i for i, it in enumerate(self.items) if not it.settled), 0)
        self._show(first)

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.loaded = True
        self.add_class("-empty")
        self.query_one("#review-empty", Static).update(
            line(_("Uenighederne kunne ikke hentes: {message}").format(message=message.message))
        )
        self.notify(message.message, severity="error", timeout=8)
        self._show_counter()

    # ----------------------------------------------------------------- showing

    @property
    def current(self) -> ReviewItem | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    def _show_counter(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self.loaded:
            text.append(_("Henter uenighederne …"))
        elif not self.items:
            text.append(_("0 uenigheder"))
        else:
            settled = sum(1 for it in self.items if it.settled)
            text.append(_("{number} af {n}").format(number=self.index + 1, n=len(self.items)), style="bold")
            text.append(
                _(" · {settled} afgjort").format(settled=settled), style="green" if settled == len(self.items) else ""
            )
            item = self.current
            if item is not None and self.code is None:
                text.append("  ·  ")
                text.append_text(chip(item.code, item.code_color))
                text.append(f" {inert_line(item.code_name)}", style="dim")
        if self.busy:
            text.append(_("  ·  gemmer …"), style="italic")
        self.query_one("#review-counter", Static).update(text)

    def _show(self, index: int) -> None:
        if not self.items:
            return
        moved = index != self.index
        self.index = max(0, min(index, len(self.items) - 1))
        item = self.items[self.index]
        head = Text()
        head.append(inert_line(item.source), style="bold")
        head.append(_(" · udsagn {number} · ").format(number=item.number))
        head.append(inert_line(item.speaker), style="bold")
        if item.attributes:
            head.append(f" ({inert_line(item.attributes)})")
        self.query_one("#review-head", Static).update(head)
        self.query_one("#review-before", Static).update(_context_line(item.before, _("kildens begyndelse")))
        body = Text()
        body.append(f"{item.number} {inert_line(item.speaker)}: ", style="bold")
        body.append(inert(item.text))
        self.query_one("#review-text", Static).update(body)
        self.query_one("#review-after", Static).update(_context_line(item.after, _("kildens slutning")))
        self.query_one("#review-columns", Static).update(coder_columns(item))
        decision = decision_text(item)
        if (item.passage_id, item.code_id) in self.resolved:
            decision.append(_("\nIkke længere uenige: en koder har rettet sin kodning"), style="green")
        if self.last_action:
            decision.append(f"\n{inert_line(self.last_action)}", style="dim")
        elif self.last_settled:
            decision.append(
                _("\nSidst afgjort: {last_settled}").format(last_settled=inert_line(self.last_settled)), style="dim"
            )
        self.query_one("#review-decision", Static).update(decision)
        if moved:
            for scroll in self.query(VerticalScroll):
                scroll.scroll_home(animate=False)
        self._show_counter()

    # ----------------------------------------------------------------- moving

    def action_step(self, delta: int) -> None:
        if self.items:
            self._show((self.index + delta) % len(self.items))

    def action_jump(self, index: int) -> None:
        if self.items:
            self._show(index % len(self.items))

    def _next_unsettled(self, after: int) -> int | None:
        n = len(self.items)
        for k in range(1, n + 1):
            i = (after + k) % n
            if not self.items[i].settled and (self.items[i].passage_id, self.items[i].code_id) not in self.resolved:
                return i
        return None

    def action_next_unsettled(self) -> None:
        if not self.items:
            return
        target = self._next_unsettled(self.index)
        if target is None:
            self.notify(_("Alle uenigheder her er afgjort."), timeout=3)
        else:
            self._show(target)

    def action_back(self) -> None:
        self.dismiss(self.settled_now)

    # --------------------------------------------------------------- settling

    def action_settle(self, choice: str) -> None:
        if not self.items:
            return
        if self.busy:
            self.queue.append(choice)  # typed ahead: applied to the next unsettled one once this is stored
            return
        self._start_settle(self.index, choice)

    def _start_settle(self, index: int, choice: str, reason: str | None = None) -> None:
        self.busy = True
        self._show_counter()
        self._settle(index, self.items[index], choice, reason)

    @work(thread=True, group="review-settle", exit_on_error=False)
    def _settle(self, index: int, item: ReviewItem, choice: str, reason: str | None = None) -> None:
        from trivselkode.analysis.review import reload_item
        from trivselkode.storage.consensus import settle

        try:
            settle(self.project, item.source, item.number, item.code, choice, item.coders, self.coder, reason)
        except TrivselError as exc:
            self.post_message(self.SettleFailed(index, str(exc)))
            return
        except Exception as exc:  # the database or a bug: said, and nothing half-stored (one transaction)
            self.post_message(self.SettleFailed(index, explain_failure(exc)))
            return
        try:
            fresh = reload_item(self.project, item)
        except Exception as exc:  # stored, but not re-read: show what was asked, say so
            self.post_message(self.SettleFailed(index, explain_failure(exc), stored=True))
            return
        self.post_message(self.SettleStored(index, fresh))

    @on(SettleStored)
    def _settle_stored(self, message: SettleStored) -> None:
        self.busy = False
        self.settled_now += 1
        self.items[message.index] = message.item
        self.post_message(CodingsChanged(message.item.source))
        item = message.item
        self.last_action = None
        if item.decision is not None:  # said in the decision area, not in a toast: they would pile up
            self.last_settled = f"{item.code} · {item.source} #{item.number} → {item.decision.label()}"
        if message.index != self.index:
            self._show_counter()  # the user moved on meanwhile: stay where they are
            self.queue.clear()
            return
        target = self._next_unsettled(message.index)
        if target is None:
            self._show(message.index)
            self.queue.clear()
            self.notify(
                _("Alle {n} uenigheder her er afgjort. Escape: tilbage til tabellen.").format(n=len(self.items)),
                timeout=4,
            )
            return
        self._show(target)
        if self.queue:
            self._start_settle(self.index, self.queue.pop(0))

    @on(SettleFailed)
    def _settle_failed(self, message: SettleFailed) -> None:
        self.busy = False
        self.queue.clear()
        if message.stored:
            self.settled_now += 1
            self.notify(
                _("Afgørelsen er gemt, men kunne ikke vises: {message}").format(message=message.message),
                severity="warning",
                timeout=8,
            )
        else:
            self.notify(_("Ikke gemt: {message}").format(message=message.message), severity="error", timeout=8)
        self._show_counter()
