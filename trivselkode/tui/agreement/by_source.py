"""Enighed pr. kilde: the source × code table (``s`` on Enighed), which interview needs another look.

:class:`BySourcePane` computes
:func:`trivselkode.analysis.agreement_by_source.agreement_by_source` in its
own thread worker when the screen asks (:meth:`BySourcePane.compute`), shows
one row per source and one column per code (each cell Krippendorff's α and,
in brackets, the number of disagreements; ``!`` where a note applies), and
under the table the highlighted cell's every figure, why one is undefined,
and what the figure means. Enter on a cell asks the screen to review that
source's disagreements on that code (:class:`BySourcePane.ReviewCell`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from trivselkode.analysis.agreement_by_source import BySourceReport
from trivselkode.analysis.icr import CodeAgreement
from trivselkode.errors import TrivselError
from trivselkode.i18n import _, ngettext
from trivselkode.storage.db import Project, explain_failure
from trivselkode.tui.agreement.words import number, undefined_reasons
from trivselkode.tui.common.plain import inert_line, line

POOLED = "*"


def cell_text(cell: CodeAgreement | None) -> Text:
    """``0.620 (2)``: α and the disagreements; bold red where they disagree, ``!`` where a note applies."""
    if cell is None:
        return Text("")
    text = Text(f"{number(cell.krippendorff_alpha)} ({cell.disagreements})", justify="right")
    if cell.disagreements:
        text.stylize("bold")
    if cell.note:
        text.append("!", style="yellow")
    return text


def cell_details(report: BySourceReport, source: str, code: str) -> Text:
    """Every figure of one cell, the reasons for an undefined one, and its note."""
    cell = report.cell(source, code)
    text = Text()
    if cell is None:
        return text
    text.append(inert_line(source), style="bold")
    text.append(" · ")
    text.append(_("samlet (alle koder)") if code == POOLED else inert_line(f"{code} {cell.name}"), style="bold")
    text.append(
        _(
            "\n{units} enheder · enighed {agreement} · Cohens κ {cohen_kappa} · α {krippendorff_alpha} · B–P κ {brennan_prediger} · {disagreements} uenige"
        ).format(
            units=cell.units,
            agreement=number(cell.agreement),
            cohen_kappa=number(cell.cohen_kappa),
            krippendorff_alpha=number(cell.krippendorff_alpha),
            brennan_prediger=number(cell.brennan_prediger),
            disagreements=cell.disagreements,
        )
    )
    if cell.disagreements:
        text.append(_(" · Enter: gennemgå"), style="dim")
    for label, reason in undefined_reasons(cell, len(report.coders)):
        text.append(_("\n{label} ikke defineret: ").format(label=label), style="yellow")
        text.append(inert_line(reason))
    if cell.note:
        text.append("\n" + inert_line(cell.note), style="yellow")
    return text


class BySourcePane(Vertical):
    """The source × code table and the line under it."""

    @dataclass
    class Ready(Message):
        generation: int
        report: BySourceReport

    @dataclass
    class Failed(Message):
        generation: int
        message: str

    @dataclass
    class ReviewCell(Message):
        """Review the disagreements of ``code`` (``*``: every code) in ``source``."""

        source: str
        code: str
        disagreements: int

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self.report: BySourceReport | None = None
        self.generation = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="by-source-legend")
        yield DataTable(id="by-source-table", cursor_type="cell", zebra_stripes=True)
        yield Static("", id="by-source-details")

    @property
    def table(self) -> DataTable:
        return self.query_one("#by-source-table", DataTable)

    def compute(
        self, project: Project, coders: list[str] | None, unit: str, overlap: float, all_passages: bool
    ) -> None:
        """Recompute in a worker; the old figures stay until the new ones are ready."""
        self.generation += 1
        self.query_one("#by-source-legend", Static).update(Text(_("Enighed pr. kilde · beregner …"), style="italic"))
        self._compute(self.generation, project, coders, unit, overlap, all_passages)

    @work(thread=True, exclusive=True, group="agreement-by-source", exit_on_error=False)
    def _compute(
        self,
        generation: int,
        project: Project,
        coders: list[str] | None,
        unit: str,
        overlap: float,
        all_passages: bool,
    ) -> None:
        from trivselkode.analysis.agreement_by_source import agreement_by_source

        try:
            report = agreement_by_source(project, coders, all_passages=all_passages, unit=unit, overlap=overlap)
        except TrivselError as exc:
            self.post_message(self.Failed(generation, str(exc)))
            return
        except Exception as exc:  # shown, never swallowed
            self.post_message(self.Failed(generation, explain_failure(exc)))
            return
        self.post_message(self.Ready(generation, report))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if message.generation != self.generation:
            return
        self.report = None
        self.table.clear(columns=True)
        self.query_one("#by-source-legend", Static).update(
            line(_("Enighed pr. kilde: {message}").format(message=message.message))
        )
        self.query_one("#by-source-details", Static).update("")

    @on(Ready)
    def _ready(self, message: Ready) -> None:
        if message.generation != self.generation:
            return
        report = self.report = message.report
        table = self.table
        where = table.cursor_coordinate
        table.clear(columns=True)
        table.add_column(_("Kilde"), key="source")
        table.add_column(Text(_("Enh."), justify="right"), key="units")
        for key, _name in report.codes:
            table.add_column(Text(inert_line(key), justify="right"), key=key)
        table.add_column(Text(_("samlet"), justify="right"), key=POOLED)
        for src in report.sources:
            by_key = {c.code: c for c in src.codes}
            table.add_row(
                line(src.source, no_wrap=True, overflow="ellipsis"),
                Text(str(src.units), justify="right"),
                *[cell_text(by_key.get(key)) for key, _name in report.codes],
                cell_text(src.pooled),
                key=src.source,
            )
        if table.row_count:
            table.move_cursor(row=min(where.row, table.row_count - 1), column=max(2, where.column), animate=False)
        legend = Text(_("Enighed pr. kilde"), style="bold")
        legend.append(
            ngettext(
                " · {n} kilde · celle: Krippendorffs α (uenige) · ! se linjen nederst",
                " · {n} kilder · celle: Krippendorffs α (uenige) · ! se linjen nederst",
                len(report.sources),
            ).format(n=len(report.sources))
        )
        self.query_one("#by-source-legend", Static).update(legend)
        self._details()

    def current(self) -> tuple[str, str] | None:
        """(source, code key or ``*``) of the highlighted cell; None on the name and unit columns."""
        report = self.report
        table = self.table
        if report is None or not table.row_count:
            return None
        row, column = table.cursor_coordinate
        if not 0 <= row < len(report.sources) or column < 2:
            return None
        keys = [k for k, _n in report.codes] + [POOLED]
        return report.sources[row].source, keys[min(column - 2, len(keys) - 1)]

    @on(DataTable.CellHighlighted, "#by-source-table")
    def _details(self) -> None:
        report = self.report
        details = self.query_one("#by-source-details", Static)
        at = self.current()
        if report is None or at is None:
            details.update(Text(_("← → vælg en kode, ↑ ↓ en kilde"), style="dim") if report else "")
            return
        text = cell_details(report, *at)
        if report.meaning:
            text.append("\n" + inert_line(report.meaning["text"]), style="dim italic")
        details.update(text)

    def review_current(self) -> None:
        """Ask the screen to review the highlighted cell's disagreements."""
        at = self.current()
        if self.report is None or at is None:
            return
        cell = self.report.cell(*at)
        self.post_message(self.ReviewCell(at[0], at[1], cell.disagreements if cell else 0))
