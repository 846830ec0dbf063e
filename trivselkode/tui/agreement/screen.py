"""Enighed: agreement per code between coders, and settling their disagreements.

:class:`AgreementScreen` shows the per-code table (observed agreement,
Cohen's κ, Krippendorff's α, Brennan–Prediger κ, disagreements) of
:func:`trivselkode.analysis.icr.agreement_report`, computed in a thread
worker. Enter on a code opens :class:`~trivselkode.tui.agreement.review.DisagreementReviewScreen`
(in :mod:`.review`), which steps through the two coders' disagreements side
by side and settles each into the reserved ``konsensus`` coder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from trivselkode.analysis.icr import AgreementReport, CodeAgreement
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _, ngettext
from trivselkode.storage.db import Project, explain_failure
from trivselkode.tui.agreement.by_source import BySourcePane
from trivselkode.tui.agreement.dialogs import CodersDialog, OverlapDialog, PairDialog
from trivselkode.tui.agreement.review import DisagreementReviewScreen
from trivselkode.tui.agreement.words import details_text, number, settings_line
from trivselkode.tui.common.failures import SaysWorkerFailures
from trivselkode.tui.common.footer import TranslatedFooter
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.keys import EVERYWHERE_HERE, HelpSections, help_sections
from trivselkode.tui.common.plain import inert_line, line

POOLED = "*"
NO_UNITS_HINT = N_("markér kilderne færdige for alle kodere, eller slå 'alle' til (tast a)")

# ====================================================================== table


class AgreementScreen(SaysWorkerFailures, Screen[None]):
    """Agreement per code between the chosen coders; Enter reviews a code's disagreements."""

    HELP_TITLE = N_("Enighed")

    CSS_PATH = str(Path(__file__).with_name("screen.tcss"))

    BINDINGS = [
        Binding(
            "enter",
            "review_code",
            N_("Gennemgå"),
            tooltip=N_("gennemgå uenighederne om den markerede kode (samlet: alle koder)"),
            priority=True,
        ),
        Binding("k", "choose_coders", N_("Kodere"), tooltip=N_("vælg de kodere, der sammenlignes")),
        Binding(
            "v",
            "choose_pair",
            N_("Par"),
            show=False,
            tooltip=N_("vælg de to kodere, der vises side om side (ved flere end to)"),
        ),
        Binding("s", "toggle_by_source", N_("Pr. kilde"), tooltip=N_("enighed pr. kilde og kode (til/fra)")),
        Binding(
            "u", "toggle_unit", N_("Udsagn/spænd"), tooltip=N_("skift enhed: hele udsagn eller spænd (tegnoverlap)")
        ),
        Binding(
            "o",
            "set_overlap",
            N_("Overlap"),
            show=False,
            tooltip=N_("mindste overlap for spænd (procent af det længste spænd)"),
        ),
        Binding(
            "a",
            "toggle_all",
            N_("Alle"),
            tooltip=N_("alle kodede udsagn, også i kilder, ikke alle har markeret færdige (til/fra)"),
        ),
        Binding("r", "refresh_report", N_("Genberegn"), show=False, tooltip=N_("beregn tallene igen")),
        Binding("home", "cursor_row(0)", N_("Første"), show=False, priority=True, tooltip=N_("første kode")),
        Binding(
            "end", "cursor_row(-1)", N_("Samlet"), show=False, priority=True, tooltip=N_("den samlede linje (sidst)")
        ),
        Binding("escape", "back", N_("Tilbage"), tooltip=N_("tilbage")),
        Binding("question_mark", "show_keys", N_("Taster"), tooltip=N_("vis alle taster")),
    ]

    @dataclass
    class ReportReady(Message):
        generation: int
        report: AgreementReport
        available: list[str]
        pair: tuple[str, str]
        settled: dict[str, tuple[int, int]]
        settled_total: tuple[int, int]

    @dataclass
    class ReportFailed(Message):
        generation: int
        message: str
        available: list[str]
        no_units: bool
        unexpected: bool

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.coders: list[str] | None = None  # None: every coder with codings but konsensus
        self.pair: tuple[str, str] | None = None
        self.unit = "passage"
        self.overlap = 0.9
        self.all_passages = False
        self.available: list[str] = []
        self.report: AgreementReport | None = None
        self.settled: dict[str, tuple[int, int]] = {}
        self.settled_total = (0, 0)
        self.generation = 0
        self.computing = False
        self.pair_chosen = False  # with more than two coders the pair is asked for once
        self.by_source = False  # the source × code table (s) instead of the per-code one
        self._name_width = -1

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(_("Enighed"), id="agreement-title")
        yield Static("", id="agreement-settings")
        yield DataTable(id="agreement-table", cursor_type="row", zebra_stripes=True)
        yield BySourcePane(id="agreement-by-source")
        yield Static("", id="agreement-message")
        yield Static("", id="agreement-details")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._show_settings()
        self.compute()

    def help_extra(self) -> HelpSections:
        return [
            (
                _("Tabellen"),
                [
                    ("↑ ↓ PgUp PgDn", _("flyt markeringen; linjen under tabellen forklarer den markerede kode")),
                    (_("Enighed"), _("andel enheder, hvor koderne er enige (0–1)")),
                    ("κ, α", _("Cohens κ (to kodere), Krippendorffs α (nominal), Brennan–Prediger κ")),
                    ("–", _("ikke defineret (fx ingen variation); grunden står under tabellen")),
                    (_("samlet"), _("alle (enhed, kode)-par under ét; Enter gennemgår uenighederne om alle koder")),
                ],
            )
        ]

    def action_show_keys(self) -> None:
        self.app.push_screen(
            HelpDialog(_("Enighed"), help_sections(self, EVERYWHERE_HERE), look="medium", own_question_mark=True)
        )

    # ------------------------------------------------------------- computing

    def compute(self) -> None:
        """Recompute the report in a worker; the table keeps showing the old figures meanwhile."""
        self.generation += 1
        self.computing = True
        self._show_title()
        self._compute(
            self.generation,
            list(self.coders) if self.coders else None,
            self.pair,
            self.unit,
            self.overlap,
            self.all_passages,
        )
        if self.by_source:
            pane = self.query_one(BySourcePane)
            pane.compute(self.project, self.coders, self.unit, self.overlap, self.all_passages)

    @work(thread=True, exclusive=True, group="agreement", exit_on_error=False)
    def _compute(
        self,
        generation: int,
        coders: list[str] | None,
        pair: tuple[str, str] | None,
        unit: str,
        overlap: float,
        all_passages: bool,
    ) -> None:
        from trivselkode.analysis.icr import agreement_report
        from trivselkode.analysis.review import comparable_coders, settled_counts

        worker = get_current_worker()
        available: list[str] = []
        try:
            available = comparable_coders(self.project)
            if len(available) < 2:
                have = _(" (nu kun {available})").format(available=available[0]) if available else ""
                message = _("der skal være mindst to kodere med kodninger at sammenligne{have}").format(have=have)
                self.post_message(self.ReportFailed(generation, message, available, False, False))
                return
            report = agreement_report(self.project, coders, all_passages=all_passages, unit=unit, overlap=overlap)
            if pair is None or not set(pair) <= set(report.coders):
                pair = (report.coders[0], report.coders[1])
            settled, total = settled_counts(self.project, pair, all_passages=all_passages, unit=unit, overlap=overlap)
        except TrivselError as exc:
            no_units = _("der er ingen enheder at sammenligne") in exc.message  # the core says it in the language shown
            self.post_message(self.ReportFailed(generation, str(exc), available, no_units, False))
            return
        except Exception as exc:  # a bug or the environment: shown, never swallowed
            self.post_message(self.ReportFailed(generation, explain_failure(exc), available, False, True))
            return
        if not worker.is_cancelled:
            self.post_message(self.ReportReady(generation, report, available, pair, settled, total))

    @on(ReportReady)
    def _report_ready(self, message: ReportReady) -> None:
        if message.generation != self.generation:
            return
        self.computing = False
        self.report = message.report
        self.available = message.available
        self.pair = message.pair
        self.settled = message.settled
        self.settled_total = message.settled_total
        self.remove_class("-empty")
        self._fill_table()
        self._show_title()
        self._show_settings()
        self._show_details()

    @on(ReportFailed)
    def _report_failed(self, message: ReportFailed) -> None:
        if message.generation != self.generation:
            return
        self.computing = False
        self.report = None
        self.available = message.available or self.available
        self.add_class("-empty")
        if message.no_units:
            text = Text()
            text.append(_("Der er ingen enheder at sammenligne.\n\n"), style="bold")
            hint = _(NO_UNITS_HINT)
            text.append(hint[0].upper() + hint[1:] + ".")
        elif message.unexpected:
            text = line(_("Tallene kunne ikke beregnes: {message}").format(message=message.message), style="bold red")
            self.notify(_("Enighed: {message}").format(message=message.message), severity="error", timeout=8)
        else:
            text = line(message.message[0].upper() + message.message[1:] + ".")
            if len(self.available) < 2:
                text.append(_("\n\nNår en anden også har kodet (under sit eget navn), kan I sammenlignes her."))
        self.query_one("#agreement-message", Static).update(text)
        self.query_one("#agreement-details", Static).update("")
        self._show_title()
        self._show_settings()

    # ---------------------------------------------------------------- showing

    def _show_title(self) -> None:
        text = Text(_("Enighed"), style="bold")
        report = self.report
        if report is not None:
            what = _("udsagn") if report.unit == "passage" else _("spænd-enheder")
            text.append(
                _("  ·  {coders}  ·  {units} {what} i {n} kilder").format(
                    coders=inert_line(", ".join(report.coders)), units=report.units, what=what, n=len(report.sources)
                )
            )
            text.append(
                _("  ·  samlet α {krippendorff_alpha}").format(
                    krippendorff_alpha=number(report.pooled.krippendorff_alpha)
                )
            )
        if self.computing:
            text.append(_("  ·  beregner …"), style="italic")
        self.query_one("#agreement-title", Static).update(text)

    def _show_settings(self) -> None:
        coders = self.report.coders if self.report else (self.coders or self.available)
        text = settings_line(coders, self.pair, self.unit, self.overlap, self.all_passages)
        if self.by_source:
            text.append(_("  ·  pr. kilde [s]"), style="bold")
        self.query_one("#agreement-settings", Static).update(text)

    def _columns(self) -> list[tuple[str, str, int | None]]:
        """(key, label, width) of the columns for the current width; the name goes when it would not fit."""
        report = self.report
        key_width = max([len(_("Kode"))] + [len(c.code) for c in report.codes] if report else [4])
        key_width = min(key_width, 18)
        fixed = [("units", _("Enheder"), 7), ("agreement", _("Enighed"), 7), ("cohen_kappa", _("Cohens κ"), 8),
                 ("krippendorff_alpha", "Kripp. α", 8), ("brennan_prediger", "B–P κ", 6), ("disagreements", _("Uenige"), 6)]  # fmt: skip
        fixed = [(k, label, max(w, len(label))) for k, label, w in fixed]  # an English heading may be longer
        used = key_width + sum(w for _k, _l, w in fixed) + 2 * (len(fixed) + 2) + 2  # cell padding and scrollbar
        name_width = self.size.width - used
        columns: list[tuple[str, str, int | None]] = [("code", _("Kode"), key_width)]
        if name_width >= 10:
            columns.append(("name", _("Navn"), min(name_width, 60)))
        columns.extend(fixed)
        return columns

    def _fill_table(self) -> None:
        report = self.report
        table = self.query_one(DataTable)
        if report is None:
            return
        current = self._current_key()
        columns = self._columns()
        self._name_width = next((w or 0 for k, _l, w in columns if k == "name"), 0)
        table.clear(columns=True)
        for key, label, width in columns:
            justify = "left" if key in ("code", "name") else "right"
            table.add_column(Text(label, justify=justify), key=key, width=width)
        for row in [*report.codes, report.pooled]:
            pooled = row is report.pooled
            cells = []
            for key, _label, _width in columns:
                if key == "code":
                    cells.append(line(_("samlet") if pooled else row.code, style="bold" if pooled else ""))
                elif key == "name":
                    name = (
                        ngettext("{n} kode i alt", "{n} koder i alt", len(report.codes)).format(n=len(report.codes))
                        if pooled
                        else row.name
                    )
                    cells.append(line(name, no_wrap=True, overflow="ellipsis", style="bold" if pooled else ""))
                elif key in ("units", "disagreements"):
                    cells.append(Text(str(getattr(row, key)), justify="right", style="bold" if pooled else ""))
                else:
                    cells.append(Text(number(getattr(row, key)), justify="right", style="bold" if pooled else ""))
            table.add_row(*cells, key=POOLED if pooled else row.code)
        keys = [c.code for c in report.codes] + [POOLED]
        if current in keys:
            table.move_cursor(row=keys.index(current), animate=False)

    def _current_key(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        except Exception:  # noqa: BLE001 - an empty or rebuilding table has no cursor cell
            return None
        return row_key.value

    def _current_row(self) -> CodeAgreement | None:
        key = self._current_key()
        if self.report is None or key is None:
            return None
        if key == POOLED:
            return self.report.pooled
        return next((c for c in self.report.codes if c.code == key), None)

    @on(DataTable.RowHighlighted, "#agreement-table")
    def _highlighted(self) -> None:
        self._show_details()

    def _show_details(self) -> None:
        row = self._current_row()
        report = self.report
        if row is None or report is None:
            self.query_one("#agreement-details", Static).update("")
            return
        counts = self.settled_total if row is report.pooled else self.settled.get(row.code, (0, 0))
        self.query_one("#agreement-details", Static).update(details_text(report, row, self.pair, counts))

    def on_resize(self, event: Resize) -> None:
        if self.report is None:
            return
        width = next((w or 0 for k, _l, w in self._columns() if k == "name"), 0)
        if width != self._name_width:
            self._fill_table()

    # ---------------------------------------------------------------- actions

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_cursor_row(self, row: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=row % table.row_count)

    def action_refresh_report(self) -> None:
        self.compute()

    def action_toggle_by_source(self) -> None:
        self.by_source = not self.by_source
        self.set_class(self.by_source, "-by-source")
        pane = self.query_one(BySourcePane)
        if self.by_source:
            pane.compute(self.project, self.coders, self.unit, self.overlap, self.all_passages)
            pane.table.focus()
        else:
            self.query_one("#agreement-table", DataTable).focus()

    @on(BySourcePane.ReviewCell)
    def _review_cell(self, message: BySourcePane.ReviewCell) -> None:
        if self.pair is None:
            return
        if not message.disagreements:
            self.notify(_("Ingen uenigheder i {source} her.").format(source=message.source), timeout=3)
            return
        code = None if message.code == POOLED else message.code
        screen = DisagreementReviewScreen(
            self.project, self.coder, self.pair, code, title=(message.code if code else _("alle koder")) + f" · {message.source}",
            all_passages=self.all_passages, unit=self.unit, overlap=self.overlap, sources=[message.source],
        )  # fmt: skip
        self.app.push_screen(screen, lambda _settled: self.compute())

    def action_toggle_unit(self) -> None:
        self.unit = "span" if self.unit == "passage" else "passage"
        self._show_settings()
        self.compute()

    def action_toggle_all(self) -> None:
        self.all_passages = not self.all_passages
        self._show_settings()
        self.compute()

    def action_set_overlap(self) -> None:
        def chosen(share: float | None) -> None:
            if share is None:
                return
            self.overlap = share
            if self.unit != "span":
                self.unit = "span"
                self.notify(_("Enhed: spænd med mindst {percent:g} % overlap.").format(percent=share * 100), timeout=3)
            self._show_settings()
            self.compute()

        self.app.push_screen(OverlapDialog(self.overlap), chosen)

    def action_choose_coders(self) -> None:
        if len(self.available) < 2:
            self.notify(_("Der skal være mindst to kodere med kodninger at vælge imellem."), severity="warning")
            return
        current = self.report.coders if self.report else (self.coders or self.available)

        def chosen(names: list[str] | None) -> None:
            if not names:
                return
            self.coders = names
            self.pair = (names[0], names[1])
            self.pair_chosen = False
            self._show_settings()
            self.compute()

        self.app.push_screen(CodersDialog(self.available, current), chosen)

    def action_choose_pair(self) -> None:
        coders = self.report.coders if self.report else None
        if not coders or len(coders) < 2:
            return
        if len(coders) == 2:
            self.notify(
                _("Der sammenlignes kun to kodere: {a} og {b}.").format(a=coders[0], b=coders[1]),
                timeout=3,
            )
            return
        self._ask_pair(coders, None)

    def _ask_pair(self, coders: list[str], then_review: str | None) -> None:
        def chosen(pair: tuple[str, str] | None) -> None:
            if pair is None:
                return
            self.pair = pair
            self.pair_chosen = True
            self._show_settings()
            if then_review is not None:
                self._open_review(then_review)
            else:
                self.compute()

        self.app.push_screen(PairDialog(coders, self.pair), chosen)

    @on(DataTable.RowSelected, "#agreement-table")
    def _row_selected(self) -> None:
        self.action_review_code()

    def action_review_code(self) -> None:
        if self.by_source:
            self.query_one(BySourcePane).review_current()
            return
        key = self._current_key()
        if self.report is None or key is None:
            if self.computing:
                self.notify(_("Tallene beregnes stadig …"), timeout=2)
            return
        if len(self.report.coders) > 2 and not self.pair_chosen:
            self._ask_pair(self.report.coders, key)
            return
        self._open_review(key)

    def _open_review(self, key: str) -> None:
        if self.report is None or self.pair is None:
            return
        count = self.settled_total[0] if key == POOLED else self.settled.get(key, (0, 0))[0]
        if count == 0:
            what = _("nogen kode") if key == POOLED else key
            self.notify(
                _("{a} og {b} er ikke uenige om {what}.").format(a=self.pair[0], b=self.pair[1], what=what),
                timeout=3,
            )
            return
        row = self._current_row()
        title = _("alle koder") if key == POOLED else f"{key} {row.name if row else ''}"
        screen = DisagreementReviewScreen(
            self.project,
            self.coder,
            self.pair,
            None if key == POOLED else key,
            title=title,
            all_passages=self.all_passages,
            unit=self.unit,
            overlap=self.overlap,
        )
        self.app.push_screen(screen, lambda _settled: self.compute())
