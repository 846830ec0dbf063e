"""Oversigt: the sources with this coder's progress, and the theme frequencies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Key
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from trivselkode.analysis.attributes import shown_value
from trivselkode.analysis.overview_counts import ThemeFrequencies, theme_counts
from trivselkode.i18n import N_, _
from trivselkode.storage.coding_views import OverviewRow, overview_rows
from trivselkode.tui.common import keys
from trivselkode.tui.common.failures import SaysWorkerFailures
from trivselkode.tui.common.footer import TranslatedFooter
from trivselkode.tui.common.help import HelpInput
from trivselkode.tui.common.plain import inert_line, line
from trivselkode.tui.common.textual_internals import SizedTable
from trivselkode.tui.messages import OpenSource
from trivselkode.tui.overview.columns import COLUMNS, fit_columns, headings
from trivselkode.tui.overview.theme_bars import ThemeBars

KIND_NAMES = {"interview": N_("interview"), "voxpop": N_("voxpop"), "survey": N_("spørgeskema")}
THEMES_LABEL = N_("Temaer – udsagn med temaet")
FILTER_PLACEHOLDER = N_("Skriv for at filtrere kilderne …")
TABLE_SCROLLBAR = 2  # kept free for the list's scrollbar
WARM_UP_DELAY_S = 0.5  # after the overview is first shown: the collector on, the coding screen's module imported


def row_cells(row: OverviewRow) -> dict[str, Text]:
    """A source's cells by column key. Mine: the coder's progress, and ✓ once they marked it done."""
    progress = f"{row.coded}/{row.participant_passages}" + (" ✓" if row.done_by_me else "")
    return {
        "name": Text(inert_line(row.name), no_wrap=True, overflow="ellipsis"),
        "kind": line(kind_name(row.kind), no_wrap=True, overflow="ellipsis"),
        "site": line(row.site, no_wrap=True, overflow="ellipsis"),
        "context": line(context_name(row.context), no_wrap=True, overflow="ellipsis"),
        "passages": Text(str(row.passages), justify="right"),
        "mine": Text(progress, style="bold green" if row.done_by_me else ("" if row.coded else "dim")),
        "done": line(", ".join(row.done_by)),  # wraps between names: no coder is cut off
    }


def row_height(console: Console, cells: list[Text], widths: list[int]) -> int:
    """The lines a row takes, each cell wrapped at its column's width, as the table would wrap it.

    Given to the table rather than left to it (``height=None``): the table would render every
    cell of every row to measure it, seconds for a project of 2,000 sources.
    """
    return max(
        (len(cell.wrap(console, width)) for cell, width in zip(cells, widths, strict=True) if cell.cell_len > width),
        default=1,
    )


def context_name(context: str | None) -> str:
    """A source's context as stored (Danish), or its English name in an English interface."""
    return shown_value("context", context)


def kind_name(kind: str | None) -> str:
    """A source's type as shown (a type the interface does not know is shown as it is stored)."""
    return _(KIND_NAMES[kind]) if kind in KIND_NAMES else (kind or "")


def cell_width(cell: Text) -> int:
    return cell.cell_len


def row_matches(row: OverviewRow, words: list[str]) -> bool:
    hay = " ".join(
        str(v or "") for v in (row.name, row.title, row.kind, kind_name(row.kind), row.site, row.context)
    ).casefold()
    return all(w in hay for w in words)


class OverviewScreen(SaysWorkerFailures, Screen):
    """The project's sources; Enter opens one in the coding screen."""

    BINDINGS = [
        Binding("enter", "open_source", N_("Åbn kilde"), show=True),
        Binding("slash", "focus_filter", N_("Filtrér"), show=True),
        Binding("r", "reload", N_("Opdatér"), show=False),
        Binding("escape", "clear_filter", N_("Ryd filter"), show=False),
        Binding("q", "app.quit", N_("Afslut"), show=True),
        Binding("L,f9", "app.choose_language", N_("Sprog"), show=False),
        # The app's screen keys, shown in this footer (the first screen, where one looks for them).
        *[Binding(k, f"app.open_screen('{which}')", title) for k, which, title in keys.SCREEN_KEYS],
        Binding("P,f7", "open_survey", N_("Spørgeskema")),  # from here only (not a key of every screen)
    ]

    HELP_TEXT = {
        "open_source": N_("åbn den markerede kilde i Kodning"),
        "focus_filter": N_("gå til filterfeltet"),
        "reload": N_("opdatér listen og temaerne fra databasen"),
        "clear_filter": N_("ryd filteret"),
        "app.quit": N_("afslut (alt er allerede gemt)"),
        "app.choose_language": N_("vælg grænsefladens sprog: dansk eller engelsk (huskes til næste gang)"),
        "open_survey": N_("Spørgeskema: skalaernes dimensioner og de kodede åbne svar side om side"),
    }

    HELP_EXTRA = [
        (N_("Filter"), [
            (N_("skriv"), N_("ethvert andet bogstav eller tal filtrerer kilderne (navn, titel, type, bibliotek, kontekst)")),
            ("↓ / Enter", N_("fra filteret: til listens første række / åbn den markerede kilde")),
            ("Escape", N_("ryd filteret")),
        ]),
        (N_("Listen"), [("↑ ↓ PgUp PgDn", N_("flyt markøren")), ("Enter", N_("åbn kilden i Kodning"))]),
    ]  # fmt: skip

    @dataclass
    class RowsLoaded(Message):
        rows: list[OverviewRow]

    @dataclass
    class ThemesLoaded(Message):
        themes: ThemeFrequencies

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[OverviewRow] = []
        self.shown: list[OverviewRow] = []
        self.loaded = False  # the sources and the theme bars have both been shown (the first time)
        self._rows_in = self._themes_in = False
        self._widths: dict[str, int] = {}
        self._redirecting = False  # typing into the table goes to the filter until it has focus
        self.themes: ThemeFrequencies | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="overview-title", classes="screen-title")
        yield HelpInput(placeholder=_(FILTER_PLACEHOLDER), id="filter", select_on_focus=False)
        with Vertical(id="sources-box"):
            yield SizedTable(id="sources", cursor_type="row", zebra_stripes=True)
        yield ThemeBars(id="themes")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self._set_columns(self._fit())
        self.query_one("#sources", DataTable).focus()
        self._update_title()

    def on_resize(self) -> None:
        if self._fit() != self._widths:
            self._fill()

    def _fit(self, cells: list[dict[str, Text]] | None = None) -> dict[str, int]:
        """The columns that fit the terminal now (see :mod:`.columns` for what gives way first);
        ``cells``: every row's :func:`row_cells`, if they are at hand."""
        width = (self.size.width or self.app.size.width) - TABLE_SCROLLBAR
        if cells is None:
            cells = [row_cells(r) for r in self.rows]
        natural = {key: max((cell_width(c[key]) for c in cells), default=0) for key, _h in COLUMNS}
        done_least = max((len(inert_line(n)) for r in self.rows for n in r.done_by), default=0)
        return fit_columns(natural, done_least, width)

    def _set_columns(self, widths: dict[str, int]) -> None:
        table = self.query_one("#sources", DataTable)
        table.clear(columns=True)
        shown = headings()
        for key, width in widths.items():
            table.add_column(shown[key], key=key, width=width)
        self._widths = widths

    def _update_title(self) -> None:
        app = self.app
        coder = getattr(app, "coder", None) or "?"
        name = app.project.display_name
        if app.project.is_sqlite:
            name = Path(name).name
        self.query_one("#overview-title", Static).update(
            Text.assemble(
                (_("Oversigt"), "bold"),
                "  ·  ",
                _("projekt {name}").format(name=inert_line(name)),
                "  ·  ",
                _("koder:"),
                " ",
                (inert_line(coder), "bold"),
            )
        )

    def on_screen_resume(self) -> None:
        self._update_title()
        self.load()

    def action_reload(self) -> None:
        self.load()

    def load(self) -> None:
        """Read the sources and count the themes, in two threads side by side: each is shown when it comes
        (the database works on both at once; the list is filled while the themes are counted)."""
        self._load_rows()
        self._load_themes()

    @work(thread=True, exclusive=True, group="overview-load", exit_on_error=False)
    def _load_rows(self) -> None:
        self.post_message(self.RowsLoaded(overview_rows(self.app.project, getattr(self.app, "coder", None))))

    @work(thread=True, exclusive=True, group="overview-themes", exit_on_error=False)
    def _load_themes(self) -> None:
        # The numbers of theme_frequencies(project), counted by the database where it can.
        self.post_message(self.ThemesLoaded(theme_counts(self.app.project)))

    @on(RowsLoaded)
    def _rows_loaded(self, message: RowsLoaded) -> None:
        self.rows = message.rows
        self._fill()
        self._rows_in = True
        self._check_loaded()

    @on(ThemesLoaded)
    def _themes_loaded(self, message: ThemesLoaded) -> None:
        self.themes = message.themes
        self._show_themes()
        self._themes_in = True
        self._check_loaded()

    def _check_loaded(self) -> None:
        if self.loaded or not (self._rows_in and self._themes_in):
            return
        self.loaded = True
        # A moment after it is shown (drawn by then): the collector the app paused for the start is on
        # again, and the coding screen's module is imported ahead of Enter.
        for hook in ("resume_collector", "warm_up_coding"):
            after_start = getattr(self.app, hook, None)
            if callable(after_start):
                self.set_timer(WARM_UP_DELAY_S, after_start)

    def _show_themes(self) -> None:
        if self.themes is None:
            return
        basis = self.themes.basis
        label = _(THEMES_LABEL)
        if basis:
            label = _("{label}; grundlag: {basis}").format(label=label, basis=basis)
        self.query_one(ThemeBars).set_counts(self.themes.themes, label)

    def language_changed(self) -> None:
        """Show every text again in the interface's language (the app switched it)."""
        self.query_one("#filter", Input).placeholder = _(FILTER_PLACEHOLDER)
        self._update_title()
        self._set_columns(self._fit())
        self._show_themes()
        self._fill()
        self.query_one(ThemeBars).refresh()
        self.refresh_bindings()
        self.load()  # the basis of the themes is described in the language it is read in

    def _fill(self) -> None:
        table = self.query_one("#sources", SizedTable)
        current = self.shown[table.cursor_row].name if self.shown and 0 <= table.cursor_row < len(self.shown) else None
        words = self.query_one("#filter", Input).value.casefold().split()
        every = [row_cells(r) for r in self.rows]
        matching = [(r, cells) for r, cells in zip(self.rows, every, strict=True) if row_matches(r, words)]
        self.shown = [r for r, _cells in matching]
        widths = self._fit(every)
        if widths != self._widths:
            self._set_columns(widths)
        table.clear()
        console = self.app.console
        column_widths = list(widths.values())
        sized = []
        for row, cells in matching:
            shown = [cells[key] for key in widths]
            sized.append((row.name, shown, row_height(console, shown, column_widths)))
        table.add_sized_rows(sized)
        if current is not None:
            for i, row in enumerate(self.shown):
                if row.name == current:
                    table.move_cursor(row=i, animate=False)
                    break
        if not self.rows:
            empty = Text(_("(ingen kilder – indlæs med `trivselkode import FILER`)"), style="dim")
            table.add_row(empty, *[""] * (len(widths) - 1), height=None)

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._fill()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.action_open_source()

    def on_key(self, event: Key) -> None:
        table = self.query_one("#sources", DataTable)
        filt = self.query_one("#filter", Input)
        if self.focused is filt:
            if event.key in ("down", "up", "pagedown", "pageup"):
                table.focus()
                if event.key == "down" and self.shown:
                    table.move_cursor(row=0, animate=False)  # ↓ from the filter: the first row of what it shows
                event.stop()
            return
        if self.focused is table and event.is_printable and event.character and event.character.strip():
            # Keys typed before the focus lands on the filter belong to the filter too, bound or not.
            if not self._redirecting and event.key in self._bound_keys():
                return
            self._redirecting = True
            filt.focus()
            filt.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    @on(events.DescendantFocus)
    def _focus_moved(self) -> None:
        self._redirecting = False

    def _bound_keys(self) -> set[str]:
        """The keys bound here or by the app (``S`` opens Søgning from the list; it does not filter)."""
        return set(self.active_bindings)

    def action_open_survey(self) -> None:
        self.app.open_other_screen("survey")  # type: ignore[attr-defined]

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        filt = self.query_one("#filter", Input)
        if filt.value:
            filt.value = ""
        self.query_one("#sources", DataTable).focus()

    def selected_source(self) -> str | None:
        table = self.query_one("#sources", DataTable)
        if not self.shown or not (0 <= table.cursor_row < len(self.shown)):
            return None
        return self.shown[table.cursor_row].name

    def action_open_source(self) -> None:
        name = self.selected_source()
        if name is not None:
            self.post_message(OpenSource(name))

    @on(DataTable.RowSelected, "#sources")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_source()
