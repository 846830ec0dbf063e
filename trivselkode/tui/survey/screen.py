"""Spørgeskema: the questionnaire's dimensions, and the joint display of the coded open answers.

The top table is the survey report (:func:`~trivselkode.analysis.survey_report.build_survey_report`,
grouped by round when the survey has two or more): per dimension its items,
Cronbach's α (n), the mean with its 95 % interval per group and the
comparison's plain-language verdict. The dimension under the cursor gets a
joint display below it (:func:`~trivselkode.analysis.survey_joint.build_joint_display`):
per theme, the share of low and high scorers whose open answers carry it, and
the two quotes of the theme under the cursor; ``o`` turns it to the reverse
view (the dimension's mean with and without each theme). Enter on a theme opens
Udtræk on its code.

Both are computed in thread workers, so no key waits for them. A joint display
once computed is kept; back from another screen (codings may have changed) or
with ``r`` the figures are computed again, the old ones shown until the new
come; a change of language computes them again in the new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from sqlmodel import select
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _, language, ngettext
from trivselkode.storage.db import Project, explain_failure
from trivselkode.storage.models import Survey
from trivselkode.tui.common.failures import SaysWorkerFailures
from trivselkode.tui.common.footer import TranslatedFooter
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.keys import EVERYWHERE_HERE, HelpSections, help_sections
from trivselkode.tui.common.plain import inert_line, line
from trivselkode.tui.survey.tables import (
    SurveyTable,
    dimension_cells,
    dimension_columns,
    joint_heading,
    means_heading,
    num,
    quotes_detail,
    reverse_cells,
    survey_table,
    theme_cells,
    theme_columns,
)

TITLE = N_("Spørgeskema")
TALL = 32  # from this many lines the quotes get more room (screen.tcss: .-tall)
NO_SURVEY = N_(
    "Projektet har intet spørgeskema. Indlæs et med "
    "`trivselkode survey import SVAR.csv --definition SKEMA.yaml`, og åbn så denne skærm igen."
)
NO_OPEN_ANSWERS = N_(
    "Den fælles visning kræver åbne svar: spørgeskemaet har ingen. Indlæs det igen med "
    "open_answers i definitionen, eller knyt det til en kilde med `--source NAVN`."
)


@dataclass(frozen=True)
class Loaded:
    """What the report worker found: the survey's table, the surveys there are, and whether it has open answers."""

    table: SurveyTable
    names: list[str]
    open_answers: bool


class SurveyScreen(SaysWorkerFailures, Screen[None]):
    """The survey's dimensions; the dimension under the cursor shown against the coded open answers."""

    CSS_PATH = str(Path(__file__).with_name("screen.tcss"))
    HELP_TITLE = TITLE

    BINDINGS = [
        Binding("escape", "back", N_("Tilbage")),
        Binding("question_mark", "show_keys", N_("Taster"), priority=True),
        Binding("enter", "choose", N_("Vælg"), priority=True),
        Binding("o", "toggle_reverse", N_("Omvendt")),
        Binding("tab", "switch_table", N_("Skift tabel"), show=False, priority=True),
        Binding("v", "next_survey", N_("Næste skema"), show=False),
        Binding("r", "reload", N_("Genberegn"), show=False),
    ]

    HELP_TEXT = {
        "back": N_("fra temaerne: tilbage til dimensionerne; ellers tilbage til oversigten"),
        "show_keys": N_("vis alle taster"),
        "choose": N_("på en dimension: gå til dens temaer; på et tema: åbn dets udsagn i Udtræk"),
        "toggle_reverse": N_("omvendt visning: dimensionens gennemsnit med og uden hvert tema (til/fra)"),
        "switch_table": N_("skift mellem dimensionerne og temaerne"),
        "next_survey": N_("næste spørgeskema, når projektet har flere"),
        "reload": N_("beregn tallene igen fra databasen"),
    }

    @dataclass
    class ReportReady(Message):
        generation: int
        loaded: Loaded | None  # None: the project has no survey

    @dataclass
    class ReportFailed(Message):
        generation: int
        error: str

    @dataclass
    class JointReady(Message):
        generation: int
        dimension: str
        joint: Any

    @dataclass
    class JointFailed(Message):
        generation: int
        dimension: str
        error: str

    def __init__(self, project: Project, coder: str | None = None) -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.survey: str | None = None  # None: the first (or only) survey
        self.names: list[str] = []
        self.table: SurveyTable | None = None
        self.open_answers = False
        self.reverse = False
        self.joints: dict[str, Any] = {}  # dimension key -> its joint display, once computed
        self.joint_errors: dict[str, str] = {}
        self.stale: dict[str, Any] = {}  # the displays before a recomputation, shown until the new one comes
        self.theme_row = 0  # the theme under the cursor, kept while the display is rebuilt
        self.generation = 0
        self.loaded = False  # the report has been answered (a table, no survey, or an error)
        self.no_survey = False
        self._under_dialog = False
        self._asked: set[str] = set()  # the dimensions whose display is being computed for this generation

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static("", id="survey-title", classes="screen-title")
        yield Static("", id="survey-means")
        yield DataTable(id="survey-dimensions", cursor_type="row", zebra_stripes=True)
        yield Static("", id="survey-verdict")
        yield Static("", id="survey-joint-title")
        yield DataTable(id="survey-themes", cursor_type="row", zebra_stripes=True)
        yield Static("", id="survey-quotes")
        yield Static("", id="survey-message")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.dimensions.focus()
        self._show_title()
        self.compute()

    @property
    def dimensions(self) -> DataTable:
        return self.query_one("#survey-dimensions", DataTable)

    @property
    def themes(self) -> DataTable:
        return self.query_one("#survey-themes", DataTable)

    # ------------------------------------------------------------- computing

    def compute(self, *, keep_shown: bool = True) -> None:
        """Compute the report again in a worker, and the joint displays as they are shown.

        ``keep_shown``: the displays computed so far stay on screen until their new figures come
        (not after a change of language: they are in the old one).
        """
        self.generation += 1
        self.stale = {**self.stale, **self.joints} if keep_shown else {}
        self.joints = {}
        self.joint_errors.clear()
        self._asked.clear()
        self._compute(self.generation, self.survey, language())

    @work(thread=True, exclusive=True, group="survey-report", exit_on_error=False)
    def _compute(self, generation: int, survey: str | None, lang: str) -> None:
        from trivselkode.analysis.survey_report import build_survey_report

        try:
            with self.project.read() as session:
                rows = session.exec(select(Survey.name, Survey.source_id).order_by(Survey.name)).all()
            if not rows:
                self.post_message(self.ReportReady(generation, None))
                return
            names = [name for name, _source in rows]
            name = survey if survey in names else names[0]
            report = build_survey_report(self.project, survey=name, lang=lang)
            table = survey_table(report)
        except TrivselError as exc:
            self.post_message(self.ReportFailed(generation, str(exc)))
            return
        except Exception as exc:  # a bug or the environment: said, never swallowed
            self.post_message(self.ReportFailed(generation, explain_failure(exc)))
            return
        open_answers = dict(rows).get(name) is not None
        if not get_current_worker().is_cancelled:
            self.post_message(self.ReportReady(generation, Loaded(table, names, open_answers)))

    # Not exclusive: a display asked for and passed by is still kept when it comes (moving back shows it at once).
    @work(thread=True, group="survey-joint", exit_on_error=False)
    def _compute_joint(self, generation: int, survey: str, dimension: str, lang: str) -> None:
        from trivselkode.analysis.survey_joint import build_joint_display

        try:
            joint = build_joint_display(self.project, dimension, survey=survey, lang=lang)
        except TrivselError as exc:
            self.post_message(self.JointFailed(generation, dimension, str(exc)))
            return
        except Exception as exc:  # a bug or the environment: said, never swallowed
            self.post_message(self.JointFailed(generation, dimension, explain_failure(exc)))
            return
        self.post_message(self.JointReady(generation, dimension, joint))

    @on(ReportReady)
    def _report_ready(self, message: ReportReady) -> None:
        if message.generation != self.generation:
            return
        self.loaded = True
        loaded = message.loaded
        self.no_survey = loaded is None
        if loaded is None:
            self.table = None
            self.names = []
            self._show_message(Text(_(NO_SURVEY)))
            self._show_title()
            self.refresh_bindings()
            return
        self.table = loaded.table
        self.names = loaded.names
        self.survey = loaded.table.survey
        self.open_answers = loaded.open_answers
        self.remove_class("-empty")
        self._fill_dimensions()
        self._show_title()
        self._dimension_changed()
        self.refresh_bindings()

    @on(ReportFailed)
    def _report_failed(self, message: ReportFailed) -> None:
        if message.generation != self.generation:
            return
        self.loaded = True
        self.table = None
        self._show_message(line(_("Spørgeskemaet kunne ikke vises: {error}").format(error=message.error)))
        self._show_title()
        self.refresh_bindings()

    @on(JointReady)
    def _joint_ready(self, message: JointReady) -> None:
        if message.generation != self.generation:
            return
        self.joints[message.dimension] = message.joint
        self.stale.pop(message.dimension, None)
        if message.dimension == self.current_dimension():
            self._show_joint()

    @on(JointFailed)
    def _joint_failed(self, message: JointFailed) -> None:
        if message.generation != self.generation:
            return
        self.joint_errors[message.dimension] = message.error
        if message.dimension == self.current_dimension():
            self._show_joint()

    # ---------------------------------------------------------------- showing

    def _show_message(self, text: Text) -> None:
        self.add_class("-empty")
        self.query_one("#survey-message", Static).update(text)

    def _show_title(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(_(TITLE), style="bold")
        table = self.table
        if table is not None:
            text.append("  ·  " + inert_line(table.title or table.survey))
            respondents = ngettext("{n} respondent", "{n} respondenter", table.respondents)
            text.append("  ·  " + respondents.format(n=table.respondents))
            if table.overall_mean is not None:
                text.append("  ·  " + _("samlet {mean}").format(mean=num(table.overall_mean)))
            if table.overall_alpha is not None:
                text.append(" · α " + num(table.overall_alpha))
            if len(self.names) > 1:
                text.append("  ·  " + _("skema {i} af {n} (v)").format(
                    i=self.names.index(table.survey) + 1 if table.survey in self.names else 1, n=len(self.names)
                ))  # fmt: skip
        elif not self.loaded:
            text.append("  ·  " + _("beregner …"), style="italic")
        self.query_one("#survey-title", Static).update(text)

    def _fill_dimensions(self) -> None:
        table = self.table
        if table is None:
            return
        dims = self.dimensions
        current = self.current_dimension()
        columns = dimension_columns(table, self.size.width or self.app.size.width)
        dims.clear(columns=True)
        for key, heading, width in columns:
            dims.add_column(heading, key=key, width=width)
        for row in table.rows:
            dims.add_row(*dimension_cells(row, columns), key=row.key)
        keys = [r.key for r in table.rows]
        if current in keys:
            dims.move_cursor(row=keys.index(current), animate=False)
        self.query_one("#survey-means", Static).update(Text(means_heading(table), style="dim"))

    def current_dimension(self) -> str | None:
        """The key of the dimension under the cursor (None before the report is shown)."""
        table = self.table
        if table is None or not table.rows:
            return None
        row = self.dimensions.cursor_row
        return table.rows[row].key if 0 <= row < len(table.rows) else None

    def _dimension_changed(self) -> None:
        """Show the verdict and joint display of the dimension under the cursor (computing it if need be)."""
        table = self.table
        key = self.current_dimension()
        if table is None or key is None:
            return
        row = next(r for r in table.rows if r.key == key)
        if row.verdict:
            verdict = line(row.verdict, style="bold" if row.significant else "")
        else:
            verdict = line(_("{name}: ingen sammenligning mellem grupper").format(name=row.name), style="dim")
        self.query_one("#survey-verdict", Static).update(verdict)
        if not self.open_answers:
            self._show_joint()
            return
        if key not in self.joints and key not in self._asked and self.survey is not None:
            self._asked.add(key)  # once per generation: a display asked for and left is still taken when it comes
            self._compute_joint(self.generation, self.survey, key, language())
        self._show_joint()

    def _show_joint(self) -> None:
        """The joint display of the dimension under the cursor, or why there is none (yet)."""
        key = self.current_dimension()
        title = self.query_one("#survey-joint-title", Static)
        quotes = self.query_one("#survey-quotes", Static)
        themes = self.themes
        if not self.open_answers:
            self.add_class("-no-joint")
            title.update(Text(_(NO_OPEN_ANSWERS), style="italic"))
            themes.clear(columns=True)
            quotes.update("")
            return
        self.remove_class("-no-joint")
        joint = self.joint_of(key)
        error = self.joint_errors.get(key) if key else None
        if joint is None or error:
            themes.clear(columns=True)
            quotes.update("")
            if error:
                title.update(line(_("Den fælles visning kunne ikke beregnes: {error}").format(error=error)))
            else:
                title.update(Text(_("Den fælles visning beregnes …"), style="italic"))
            return
        title.update(joint_heading(joint, self.reverse))
        current = self.theme_row
        columns = theme_columns(themes.size.width or self.size.width or self.app.size.width, self.reverse)
        themes.clear(columns=True)
        for col_key, heading, width in columns:
            themes.add_column(heading, key=col_key, width=width)
        if self.reverse:
            for row in joint.reverse:
                themes.add_row(*reverse_cells(row, columns), key=row.key)
        else:
            for theme in joint.themes:
                themes.add_row(*theme_cells(theme, columns), key=theme.key)
        if themes.row_count:
            themes.move_cursor(row=min(current, themes.row_count - 1), animate=False)
        self._show_quotes()

    def joint_of(self, key: str | None) -> Any:
        """The joint display shown for dimension ``key``: the newest computed, else the one before (or None)."""
        if key is None:
            return None
        return self.joints.get(key) or self.stale.get(key)

    def _show_quotes(self) -> None:
        key = self.current_dimension()
        joint = self.joint_of(key)
        quotes = self.query_one("#survey-quotes", Static)
        if joint is None:
            quotes.update("")
            return
        quotes.update(quotes_detail(joint, self.themes.cursor_row, self.reverse))

    def current_theme(self) -> str | None:
        """The code key of the theme under the cursor in the joint display."""
        key = self.current_dimension()
        joint = self.joint_of(key)
        if joint is None:
            return None
        rows = joint.reverse if self.reverse else joint.themes
        index = self.themes.cursor_row
        return rows[index].key if 0 <= index < len(rows) else None

    @on(DataTable.RowHighlighted, "#survey-dimensions")
    def _dimension_highlighted(self) -> None:
        self._dimension_changed()

    @on(DataTable.RowHighlighted, "#survey-themes")
    def _theme_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.theme_row = event.cursor_row
        self._show_quotes()

    def on_resize(self) -> None:
        self.set_class(self.size.height >= TALL, "-tall")
        if self.table is not None:
            self._fill_dimensions()
            self._show_joint()

    def language_changed(self) -> None:
        """Show every text again in the interface's language (the app switched it): the figures are recomputed,
        since the report's names, verdicts and quotes' attributions are in the language they are built in."""
        self.compute(keep_shown=False)
        self._show_title()
        if self.no_survey:
            self._show_message(Text(_(NO_SURVEY)))
        if self.table is not None:
            self._fill_dimensions()
            self._dimension_changed()
        self.refresh_bindings()

    # ---------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that have nothing to act on are left out of the footer (and do nothing)."""
        if action in ("choose", "switch_table", "toggle_reverse"):
            return self.table is not None and self.open_answers
        if action == "next_survey":
            return len(self.names) > 1
        return True

    def action_back(self) -> None:
        if self.focused is self.themes:
            self.dimensions.focus()
            return
        if self.app.screen is self:
            self.app.pop_screen()

    def action_choose(self) -> None:
        if self.focused is self.themes:
            self.open_theme()
        elif self.table is not None and self.open_answers and self.current_dimension() is not None:
            self.themes.focus()

    def action_switch_table(self) -> None:
        if self.focused is self.themes:
            self.dimensions.focus()
        elif self.table is not None and self.open_answers:
            self.themes.focus()

    def open_theme(self) -> None:
        """Udtræk on the code of the theme under the cursor."""
        code = self.current_theme()
        if code is None:
            return
        open_retrieval = getattr(self.app, "open_retrieval", None)
        if callable(open_retrieval):
            open_retrieval(code)
            return
        from trivselkode.tui.retrieval.screen import RetrievalScreen

        self.app.push_screen(RetrievalScreen(self.project, self.coder, code))

    def action_toggle_reverse(self) -> None:
        self.reverse = not self.reverse
        self._show_joint()

    def action_next_survey(self) -> None:
        index = self.names.index(self.survey) if self.survey in self.names else -1
        self.survey = self.names[(index + 1) % len(self.names)]
        self.table = None
        self.loaded = False
        self._show_title()
        self.compute(keep_shown=False)  # another survey's displays

    def action_reload(self) -> None:
        self.compute()
        self.notify(_("Genberegnet fra databasen"), timeout=2)

    def on_screen_suspend(self) -> None:
        self._under_dialog = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        if self.loaded and not self._under_dialog:  # back from Udtræk or Kodning: codings may have changed
            self.compute()
        self._under_dialog = False

    # -------------------------------------------------------------------- help

    def help_extra(self) -> HelpSections:
        return [
            (
                N_("Dimensionerne"),
                [
                    ("↑ ↓", N_("flyt markøren; den fælles visning nedenfor følger dimensionen")),
                    (N_("Spm."), N_("antal spørgsmål i dimensionen")),
                    ("α (n)", N_("Cronbachs α over spørgsmålene (respondenter med alle svar)")),
                    (N_("Gns. (95 % KI)"), N_("gennemsnit med 95 %-konfidensinterval pr. gruppe (runde)")),
                ],
            ),
            (
                N_("Temaerne"),
                [
                    (N_("Lav / Høj"), N_("andel af respondenterne med lav / høj score, hvis åbne svar har temaet")),
                    (N_("Forskel"), N_("høj minus lav i procentpoint")),
                    ("Enter", N_("åbn temaets udsagn i Udtræk")),
                ],
            ),
        ]

    def action_show_keys(self) -> None:
        sections = help_sections(self, EVERYWHERE_HERE)
        self.app.push_screen(HelpDialog(TITLE, sections, own_question_mark=True))
