"""Enighed: agreement per code between coders, and settling their disagreements.

:class:`AgreementScreen` shows the per-code table (observed agreement,
Cohen's κ, Krippendorff's α, Brennan–Prediger κ, disagreements) of
:func:`trivselkode.analysis.icr.agreement_report`, computed in a thread
worker. Enter on a code opens :class:`DisagreementReviewScreen`, which steps
through the two coders' disagreements side by side and settles each into the
reserved ``konsensus`` coder with :func:`trivselkode.storage.consensus.settle`
(one transaction each, in a worker; shown once stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from rich import box
from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from trivselkode.analysis import agreement as coefficients
from trivselkode.analysis.icr import AgreementReport, CodeAgreement
from trivselkode.analysis.review import Context, ReviewItem, ViewCoding
from trivselkode.config import CONSENSUS_CODER
from trivselkode.errors import TrivselError
from trivselkode.storage.db import Project, explain_failure
from trivselkode.tui.agreement.dialogs import (
    AgreementKeysDialog,
    CodersDialog,
    KeySections,
    OverlapDialog,
    PairDialog,
)
from trivselkode.tui.common.failures import SaysWorkerFailures
from trivselkode.tui.common.plain import inert, inert_line, line
from trivselkode.tui.messages import CodingsChanged

POOLED = "*"
NO_UNITS_HINT = "markér kilderne færdige for alle kodere, eller slå 'alle' til (tast a)"

FIELD_LABELS = {
    "agreement": "Enighed",
    "cohen_kappa": "Cohens κ",
    "krippendorff_alpha": "Krippendorffs α",
    "brennan_prediger": "Brennan–Prediger κ",
}

# The core gives its reasons in English (they go into JSON); the screen speaks Danish.
REASONS_DA = {
    coefficients.NO_PAIRABLE: "færre end to parrede værdier: ingen enhed er kodet af mindst to kodere",
    coefficients.NO_VARIATION: "ingen variation: alle værdier er ens, så den forventede uenighed er 0",
    coefficients.NO_UNITS: "ingen enheder at sammenligne",
    coefficients.COHEN_NO_VARIATION: "ingen variation: begge kodere har brugt samme værdi overalt, så tilfældig enighed er 1",
}

KEY_NAMES = {
    "enter": "Enter",
    "escape": "Escape",
    "question_mark": "?",
    "plus": "+",
    "minus": "-",
    "left": "←",
    "right": "→",
    "home": "Home",
    "end": "End",
}


def number(x: float | None) -> str:
    """A coefficient as the table shows it (as the CLI prints it): three decimals, or "–" when undefined."""
    return "–" if x is None else f"{x:.3f}"


def undefined_reasons(row: CodeAgreement, coders: int) -> list[tuple[str, str]]:
    """(coefficient label, Danish reason) for every coefficient the row leaves undefined."""
    out = [(FIELD_LABELS.get(k, k), REASONS_DA.get(v, v)) for k, v in (row.undefined or {}).items()]
    if row.cohen_kappa is None and "cohen_kappa" not in (row.undefined or {}) and coders != 2:
        out.append((FIELD_LABELS["cohen_kappa"], "gælder kun for præcis to kodere; se Krippendorffs α"))
    return out


def key_display(keys: str) -> str:
    return " ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


def binding_rows(bindings: list[Binding]) -> list[tuple[str, str]]:
    return [(key_display(b.key), b.tooltip or b.description) for b in bindings]


def chip(key: str, color: str | None, dim: bool = False) -> Text:
    """A code as a small coloured label: `` T1 ``."""
    style = Style(bgcolor=color or "#777777", color="#ffffff", bold=True, dim=dim)
    return Text(f" {inert_line(key)} ", style=style)


# ====================================================================== table


class AgreementScreen(SaysWorkerFailures, Screen[None]):
    """Agreement per code between the chosen coders; Enter reviews a code's disagreements."""

    HELP_TITLE = "Enighed"

    DEFAULT_CSS = """
    AgreementScreen { layout: vertical; }
    AgreementScreen #agreement-title { height: 1; padding: 0 1; background: $primary; color: $text; }
    AgreementScreen #agreement-settings { height: auto; padding: 0 1; background: $boost; }
    AgreementScreen #agreement-table { height: 1fr; }
    AgreementScreen #agreement-message { height: 1fr; padding: 1 2; display: none; }
    AgreementScreen.-empty #agreement-table { display: none; }
    AgreementScreen.-empty #agreement-message { display: block; }
    AgreementScreen #agreement-details {
        height: auto; max-height: 8; padding: 0 1; border-top: hkey $primary-darken-2;
    }
    """

    BINDINGS = [
        Binding(
            "enter",
            "review_code",
            "Gennemgå",
            tooltip="gennemgå uenighederne om den markerede kode (samlet: alle koder)",
            priority=True,
        ),
        Binding("k", "choose_coders", "Kodere", tooltip="vælg de kodere, der sammenlignes"),
        Binding(
            "v",
            "choose_pair",
            "Par",
            show=False,
            tooltip="vælg de to kodere, der vises side om side (ved flere end to)",
        ),
        Binding("u", "toggle_unit", "Udsagn/spænd", tooltip="skift enhed: hele udsagn eller spænd (tegnoverlap)"),
        Binding(
            "o",
            "set_overlap",
            "Overlap",
            show=False,
            tooltip="mindste overlap for spænd (procent af det længste spænd)",
        ),
        Binding(
            "a",
            "toggle_all",
            "Alle",
            tooltip="alle kodede udsagn, også i kilder, ikke alle har markeret færdige (til/fra)",
        ),
        Binding("r", "refresh_report", "Genberegn", show=False, tooltip="beregn tallene igen"),
        Binding("home", "cursor_row(0)", "Første", show=False, priority=True, tooltip="første kode"),
        Binding("end", "cursor_row(-1)", "Samlet", show=False, priority=True, tooltip="den samlede linje (sidst)"),
        Binding("escape", "back", "Tilbage", tooltip="tilbage"),
        Binding("question_mark", "show_keys", "Taster", tooltip="vis alle taster"),
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
        self._name_width = -1

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static("Enighed", id="agreement-title")
        yield Static("", id="agreement-settings")
        yield DataTable(id="agreement-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="agreement-message")
        yield Static("", id="agreement-details")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._show_settings()
        self.compute()

    def help_extra(self) -> KeySections:
        return [
            (
                "Tabellen",
                [
                    ("↑ ↓ PgUp PgDn", "flyt markeringen; linjen under tabellen forklarer den markerede kode"),
                    ("Enighed", "andel enheder, hvor koderne er enige (0–1)"),
                    ("κ, α", "Cohens κ (to kodere), Krippendorffs α (nominal), Brennan–Prediger κ"),
                    ("–", "ikke defineret (fx ingen variation); grunden står under tabellen"),
                    ("samlet", "alle (enhed, kode)-par under ét; Enter gennemgår uenighederne om alle koder"),
                ],
            )
        ]

    def action_show_keys(self) -> None:
        self.app.push_screen(AgreementKeysDialog("Enighed", keys_sections(self)))

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
                have = f" (nu kun {available[0]})" if available else ""
                message = f"der skal være mindst to kodere med kodninger at sammenligne{have}"
                self.post_message(self.ReportFailed(generation, message, available, False, False))
                return
            report = agreement_report(self.project, coders, all_passages=all_passages, unit=unit, overlap=overlap)
            if pair is None or not set(pair) <= set(report.coders):
                pair = (report.coders[0], report.coders[1])
            settled, total = settled_counts(self.project, pair, all_passages=all_passages, unit=unit, overlap=overlap)
        except TrivselError as exc:
            no_units = "ingen enheder" in exc.message
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
            text.append("Der er ingen enheder at sammenligne.\n\n", style="bold")
            text.append(NO_UNITS_HINT[0].upper() + NO_UNITS_HINT[1:] + ".")
        elif message.unexpected:
            text = line(f"Tallene kunne ikke beregnes: {message.message}", style="bold red")
            self.notify(f"Enighed: {message.message}", severity="error", timeout=8)
        else:
            text = line(message.message[0].upper() + message.message[1:] + ".")
            if len(self.available) < 2:
                text.append("\n\nNår en anden også har kodet (under sit eget navn), kan I sammenlignes her.")
        self.query_one("#agreement-message", Static).update(text)
        self.query_one("#agreement-details", Static).update("")
        self._show_title()
        self._show_settings()

    # ---------------------------------------------------------------- showing

    def _show_title(self) -> None:
        text = Text("Enighed", style="bold")
        report = self.report
        if report is not None:
            what = "udsagn" if report.unit == "passage" else "spænd-enheder"
            text.append(
                f"  ·  {inert_line(', '.join(report.coders))}  ·  {report.units} {what} i {len(report.sources)} kilder"
            )
            text.append(f"  ·  samlet α {number(report.pooled.krippendorff_alpha)}")
        if self.computing:
            text.append("  ·  beregner …", style="italic")
        self.query_one("#agreement-title", Static).update(text)

    def _show_settings(self) -> None:
        coders = self.report.coders if self.report else (self.coders or self.available)
        text = Text()
        text.append("Kodere ", style="dim")
        text.append(inert_line(", ".join(coders)) if coders else "–", style="bold")
        text.append(" [k]", style="dim")
        if self.pair and len(coders) > 2:
            text.append("  side om side ", style="dim")
            text.append(inert_line(f"{self.pair[0]} ↔ {self.pair[1]}"), style="bold")
            text.append(" [v]", style="dim")
        text.append("  ·  Enhed ", style="dim")
        if self.unit == "span":
            text.append(f"spænd ≥ {self.overlap * 100:g} %", style="bold")
            text.append(" [u, o]", style="dim")
        else:
            text.append("udsagn", style="bold")
            text.append(" [u]", style="dim")
        text.append("  ·  ", style="dim")
        text.append("alle kodede udsagn" if self.all_passages else "færdige kilder", style="bold")
        text.append(" [a]", style="dim")
        self.query_one("#agreement-settings", Static).update(text)

    def _columns(self) -> list[tuple[str, str, int | None]]:
        """(key, label, width) of the columns for the current width; the name goes when it would not fit."""
        report = self.report
        key_width = max([len("Kode")] + [len(c.code) for c in report.codes] if report else [4])
        key_width = min(key_width, 18)
        fixed = [("units", "Enheder", 7), ("agreement", "Enighed", 7), ("cohen_kappa", "Cohens κ", 8),
                 ("krippendorff_alpha", "Kripp. α", 8), ("brennan_prediger", "B–P κ", 6), ("disagreements", "Uenige", 6)]  # fmt: skip
        used = key_width + sum(w for _k, _l, w in fixed) + 2 * (len(fixed) + 2) + 2  # cell padding and scrollbar
        name_width = self.size.width - used
        columns: list[tuple[str, str, int | None]] = [("code", "Kode", key_width)]
        if name_width >= 10:
            columns.append(("name", "Navn", min(name_width, 60)))
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
                    cells.append(line("samlet" if pooled else row.code, style="bold" if pooled else ""))
                elif key == "name":
                    name = f"{len(report.codes)} koder i alt" if pooled else row.name
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
        details = self.query_one("#agreement-details", Static)
        row = self._current_row()
        report = self.report
        if row is None or report is None:
            details.update("")
            return
        pooled = row is report.pooled
        text = Text()
        if pooled:
            text.append("samlet", style="bold")
            text.append(f" – alle {len(report.codes)} brugte koder under ét")
            count, settled = self.settled_total
        else:
            text.append(inert_line(row.code), style="bold")
            text.append(f" {inert_line(row.name)}")
            count, settled = self.settled.get(row.code, (0, 0))
        text.append("\n")
        if self.pair:
            a, b = self.pair
            text.append(inert_line(f"{a} ↔ {b}: "), style="dim")
            if count:
                text.append(f"{count} uenige udsagn, {settled} afgjort", style="bold" if settled < count else "green")
                text.append(" · Enter: gennemgå", style="dim")
            else:
                text.append("ingen uenigheder at afgøre")
        for label, reason in undefined_reasons(row, len(report.coders)):
            text.append(f"\n{label} ikke defineret: ", style="yellow")
            text.append(inert_line(reason))
        if report.notes:
            text.append("\n" + inert_line(report.notes[-1]), style="dim italic")
        details.update(text)

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
                self.notify(f"Enhed: spænd med mindst {share * 100:g} % overlap.", timeout=3)
            self._show_settings()
            self.compute()

        self.app.push_screen(OverlapDialog(self.overlap), chosen)

    def action_choose_coders(self) -> None:
        if len(self.available) < 2:
            self.notify("Der skal være mindst to kodere med kodninger at vælge imellem.", severity="warning")
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
            self.notify(f"Der sammenlignes kun to kodere: {coders[0]} og {coders[1]}.", timeout=3)
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
        key = self._current_key()
        if self.report is None or key is None:
            if self.computing:
                self.notify("Tallene beregnes stadig …", timeout=2)
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
            what = "nogen kode" if key == POOLED else key
            self.notify(f"{self.pair[0]} og {self.pair[1]} er ikke uenige om {what}.", timeout=3)
            return
        row = self._current_row()
        title = "alle koder" if key == POOLED else f"{key} {row.name if row else ''}"
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


def keys_sections(screen: Screen) -> KeySections:
    """The screen's bindings, its extra notes and the keys that work everywhere."""
    sections: KeySections = [(getattr(screen, "HELP_TITLE", "Skærmen"), binding_rows(list(screen.BINDINGS)))]
    sections.extend(screen.help_extra() if hasattr(screen, "help_extra") else [])
    sections.append(
        (
            "Overalt",
            [
                ("?", "denne hjælp"),
                ("Escape", "lukker enhver dialog"),
                ("ctrl+q", "afslut (alt er allerede gemt)"),
            ],
        )
    )
    return sections


# ===================================================================== review


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
        shown.append(" hele udsagnet")
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
                parts.append(Text(f"  notat: {inert(coding.memo)}", style="italic"))
    else:
        shown = Text()
        shown.append_text(chip(item.code, item.code_color, dim=True))
        shown.append(" ikke kodet", style="dim italic")
        parts.append(shown)
    others = [c for c in item.of(coder) if c.code != item.code]
    if others:
        shown = Text("Øvrige: ", style="dim")
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
                parts.append(Text(f"  notat ({inert_line(c.code)}): {inert(c.memo)}", style="dim italic"))
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
        text.append("Konsensus: ", style="bold")
        text.append("ikke afgjort endnu", style="yellow")
        return text
    text.append("Afgjort: ", style="bold green")
    text.append(inert_line(d.label()), style="bold")
    text.append(f" · af {inert_line(d.settled_by)} {_when(d.settled_at)}", style="dim")
    if d.coders and tuple(d.coders) != item.coders:
        text.append(f" (mellem {inert_line(' og '.join(d.coders))})", style="dim")
    text.append(" · konsensus: ")
    mine = item.of(CONSENSUS_CODER, item.code)
    if mine:
        for n, coding in enumerate(mine):
            if n:
                text.append(", ")
            text.append_text(chip(coding.code, coding.color))
            text.append(" hele udsagnet" if coding.quote is None else f" “{inert_line(_quote(coding.quote, 60))}”")
    else:
        text.append(f"ingen {inert_line(item.code)}", style="italic")
    return text


class DisagreementReviewScreen(SaysWorkerFailures, Screen[int]):
    """Two coders' disagreements side by side, one at a time; keys settle each into ``konsensus``."""

    HELP_TITLE = "Uenigheder"

    DEFAULT_CSS = """
    DisagreementReviewScreen { layout: vertical; }
    DisagreementReviewScreen #review-title { height: 1; padding: 0 1; background: $primary; color: $text; }
    DisagreementReviewScreen #review-counter { height: 1; padding: 0 1; background: $boost; }
    DisagreementReviewScreen #review-body { height: 1fr; }
    DisagreementReviewScreen #review-passage { height: auto; max-height: 55vh; min-height: 3; padding: 0 1; }
    DisagreementReviewScreen #review-head { text-style: bold; }
    DisagreementReviewScreen #review-text { padding: 0 0 0 2; }
    DisagreementReviewScreen #review-coders {
        height: auto; max-height: 35vh; padding: 0 1; border-top: hkey $primary-darken-2;
    }
    DisagreementReviewScreen #review-decision { height: auto; padding: 0 1; border-top: hkey $primary-darken-2; }
    DisagreementReviewScreen #review-empty { height: 1fr; padding: 1 2; display: none; }
    DisagreementReviewScreen.-empty #review-empty { display: block; }
    DisagreementReviewScreen.-empty #review-body { display: none; }
    """

    BINDINGS = [
        Binding("a", "settle('a')", "Tag A", tooltip="tag A's kodning (venstre kolonne) ind i konsensus"),
        Binding("b", "settle('b')", "Tag B", tooltip="tag B's kodning (højre kolonne) ind i konsensus"),
        Binding("2,plus", "settle('both')", "Begge", key_display="2", tooltip="tag begges kodninger ind i konsensus"),
        Binding(
            "0,minus",
            "settle('neither')",
            "Ingen",
            key_display="0",
            tooltip="ingen af dem: konsensus har ikke koden her",
        ),
        Binding("right,n", "step(1)", "Næste", key_display="→", tooltip="næste uenighed (uden at afgøre)"),
        Binding("left,p", "step(-1)", "Forrige", key_display="←", tooltip="forrige uenighed (uden at afgøre)"),
        Binding("u", "next_unsettled", "Næste uafgjorte", show=False, tooltip="spring til næste uafgjorte uenighed"),
        Binding("home", "jump(0)", "Første", show=False, tooltip="første uenighed"),
        Binding("end", "jump(-1)", "Sidste", show=False, tooltip="sidste uenighed"),
        Binding("escape", "back", "Tilbage", tooltip="tilbage til tabellen (tallene genberegnes)"),
        Binding("question_mark", "show_keys", "Taster", tooltip="vis alle taster"),
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
    ) -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.pair = pair
        self.code = code
        self.title_text = title or (code or "alle koder")
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
        yield Static("Henter uenighederne …", id="review-counter")
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
        yield Footer()

    def on_mount(self) -> None:
        title = Text("Uenigheder", style="bold", no_wrap=True, overflow="ellipsis")
        title.append(inert_line(f"  ·  {self.pair[0]} ↔ {self.pair[1]}  ·  {self.title_text}"))
        self.query_one("#review-title", Static).update(title)
        self.query_one("#review-passage").focus()
        self._load()

    def help_extra(self) -> KeySections:
        a, b = self.pair
        return [
            (
                "Afgørelser",
                [
                    (
                        "a / b",
                        f"A er {a}, B er {b}: deres kodninger af koden på udsagnet kopieres til '{CONSENSUS_CODER}'",
                    ),
                    ("", "kodernes egne kodninger ændres aldrig; hver afgørelse gemmes med dit navn og tidspunktet"),
                    ("", "efter en afgørelse går skærmen selv videre til næste uafgjorte uenighed"),
                    ("", "en afgjort uenighed kan afgøres om: gå tilbage til den og tryk en ny tast"),
                    ("↑ ↓ PgUp PgDn", "rul i udsagnet"),
                ],
            )
        ]

    def action_show_keys(self) -> None:
        self.app.push_screen(AgreementKeysDialog("Uenigheder", keys_sections(self)))

    # ----------------------------------------------------------------- loading

    @work(thread=True, exclusive=True, group="review-load", exit_on_error=False)
    def _load(self) -> None:
        from trivselkode.analysis.review import review_items

        try:
            items = review_items(
                self.project, self.pair, self.code, all_passages=self.all_passages, unit=self.unit, overlap=self.overlap
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
            what = "nogen kode" if self.code is None else self.code
            self.query_one("#review-empty", Static).update(
                line(f"{self.pair[0]} og {self.pair[1]} er ikke uenige om {what}. Escape: tilbage.")
            )
            self._show_counter()
            return
        first = next((i for i, it in enumerate(self.items) if not it.settled), 0)
        self._show(first)

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.loaded = True
        self.add_class("-empty")
        self.query_one("#review-empty", Static).update(line(f"Uenighederne kunne ikke hentes: {message.message}"))
        self.notify(message.message, severity="error", timeout=8)
        self._show_counter()

    # ----------------------------------------------------------------- showing

    @property
    def current(self) -> ReviewItem | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    def _show_counter(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self.loaded:
            text.append("Henter uenighederne …")
        elif not self.items:
            text.append("0 uenigheder")
        else:
            settled = sum(1 for it in self.items if it.settled)
            text.append(f"{self.index + 1} af {len(self.items)}", style="bold")
            text.append(f" · {settled} afgjort", style="green" if settled == len(self.items) else "")
            item = self.current
            if item is not None and self.code is None:
                text.append("  ·  ")
                text.append_text(chip(item.code, item.code_color))
                text.append(f" {inert_line(item.code_name)}", style="dim")
        if self.busy:
            text.append("  ·  gemmer …", style="italic")
        self.query_one("#review-counter", Static).update(text)

    def _show(self, index: int) -> None:
        if not self.items:
            return
        moved = index != self.index
        self.index = max(0, min(index, len(self.items) - 1))
        item = self.items[self.index]
        head = Text()
        head.append(inert_line(item.source), style="bold")
        head.append(f" · udsagn {item.number} · ")
        head.append(inert_line(item.speaker), style="bold")
        if item.attributes:
            head.append(f" ({inert_line(item.attributes)})")
        self.query_one("#review-head", Static).update(head)
        self.query_one("#review-before", Static).update(_context_line(item.before, "kildens begyndelse"))
        body = Text()
        body.append(f"{item.number} {inert_line(item.speaker)}: ", style="bold")
        body.append(inert(item.text))
        self.query_one("#review-text", Static).update(body)
        self.query_one("#review-after", Static).update(_context_line(item.after, "kildens slutning"))
        self.query_one("#review-columns", Static).update(coder_columns(item))
        decision = decision_text(item)
        if self.last_settled:
            decision.append(f"\nSidst afgjort: {inert_line(self.last_settled)}", style="dim")
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
            if not self.items[i].settled:
                return i
        return None

    def action_next_unsettled(self) -> None:
        if not self.items:
            return
        target = self._next_unsettled(self.index)
        if target is None:
            self.notify("Alle uenigheder her er afgjort.", timeout=3)
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

    def _start_settle(self, index: int, choice: str) -> None:
        self.busy = True
        self._show_counter()
        self._settle(index, self.items[index], choice)

    @work(thread=True, group="review-settle", exit_on_error=False)
    def _settle(self, index: int, item: ReviewItem, choice: str) -> None:
        from trivselkode.analysis.review import reload_item
        from trivselkode.storage.consensus import settle

        try:
            settle(self.project, item.source, item.number, item.code, choice, item.coders, self.coder)
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
            self.notify(f"Alle {len(self.items)} uenigheder her er afgjort. Escape: tilbage til tabellen.", timeout=4)
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
            self.notify(f"Afgørelsen er gemt, men kunne ikke vises: {message.message}", severity="warning", timeout=8)
        else:
            self.notify(f"Ikke gemt: {message.message}", severity="error", timeout=8)
        self._show_counter()
