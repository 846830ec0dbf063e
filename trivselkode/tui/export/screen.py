"""Eksport: run a report, the codings, the REFI-QDA project or the codebook to a file.

Left, the kinds of export; right, the options the matching command-line
command offers (``trivselkode report …``, ``codings export``, ``refi
export``, ``codebook export``) as a form, and the output file, named in the
current folder after the report (``temafrekvenser.xlsx``). The format
follows the file's suffix, and choosing a format changes the suffix.

Enter in a field, the Eksportér button or ctrl+e runs the export in a thread
worker (:func:`trivselkode.export.jobs.run_report`, the same core functions
as the command line); the worker posts its progress and its outcome, and
the screen shows them: where the file went (its full path), or the error as
one line — nothing is ever half-written. Escape goes back (and calls off an
export that is still running).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    OptionList,
    ProgressBar,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.option_list import Option

from trivselkode.analysis.attributes import attribute_label
from trivselkode.config import CONSENSUS_CODER
from trivselkode.errors import TrivselError
from trivselkode.export.jobs import (
    FORMAT_LABELS,
    KINDS,
    REPORT_KINDS,
    SUFFIXES,
    ExportCancelled,
    ExportChoices,
    ExportResult,
    ReportRequest,
    default_name,
    describe_error,
    export_choices,
    run_report,
    with_format,
)
from trivselkode.i18n import N_, _, format_number, language
from trivselkode.storage.db import Project
from trivselkode.tui.common.failures import SaysWorkerFailures
from trivselkode.tui.common.footer import TranslatedFooter
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.keys import QUIT_ONLY, HelpSections, help_sections
from trivselkode.tui.common.lang import translated
from trivselkode.tui.common.plain import PlainInput, inert_line, line, para

# The form's fields that each kind of export shows (the options of its command).
FIELDS: dict[str, tuple[str, ...]] = {
    "frequencies": (
        "out",
        "fmt",
        "selection",
        "codes",
        "by",
        "lang",
        "pseudonymize",
        "key",
        "more",
        "rollup",
        "age_bands",
    ),
    "cooccurrence": ("out", "fmt", "selection", "rows", "cols", "lang", "more", "rollup"),
    "matrix": ("out", "fmt", "selection", "codes", "pseudonymize", "key", "more", "rollup", "age_bands"),
    "quotes": (
        "out",
        "fmt",
        "selection",
        "codes",
        "n",
        "choose",
        "lang",
        "pseudonymize",
        "key",
        "more",
        "title",
        "words",
        "pins",
        "excludes",
        "age_bands",
    ),  # fmt: skip
    "chart": (
        "out",
        "fmt",
        "selection",
        "codes",
        "by",
        "measure",
        "lang",
        "pseudonymize",
        "key",
        "more",
        "title",
        "rollup",
        "age_bands",
    ),  # fmt: skip
    "codings": ("out", "fmt", "selection", "pseudonymize", "key"),
    "refi": ("out", "pseudonymize", "key"),
    "codebook": ("out", "fmt", "retired"),
}
ALL_FIELDS = tuple(dict.fromkeys(f for fields in FIELDS.values() for f in fields))
# Fields whose value belongs to one kind of export (the rest are shared between kinds).
PER_KIND = ("out", "fmt", "selection", "codes")

CODES_PLACEHOLDER = {
    "frequencies": N_("tom = alle koder; fx tema, behov, T1,T2"),
    "matrix": N_("tom = alle koder; fx tema, T1,T2"),
    "quotes": N_("tom = alle kodede koder; fx tema, T1"),
    "chart": N_("tom = temaerne; fx behov, T1,T2"),
}
MEASURE_OPTIONS = [
    (N_("Andel af deltagere"), "share"),
    (N_("Udsagn"), "passages"),
    (N_("Deltagere"), "participants"),
    (N_("Kodninger"), "codings"),
]
LANG_OPTIONS = [(N_("Dansk"), "da"), (N_("Engelsk"), "en")]


class FieldInput(PlainInput):
    """A form field that leaves ``?`` to the screen (it shows the keys); a file name or code list needs none."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if character == "?":
            return False
        return super().check_consume_key(key, character)


class FieldRow(Horizontal):
    """One line of the form: a label and its widget(s)."""

    def __init__(self, label: str, *children: Any, field: str) -> None:
        super().__init__(Label(label, classes="export-label"), *children, id=f"ex-row-{field}", classes="export-field")


class ExportScreen(SaysWorkerFailures, Screen[None]):
    """Pick an export, set its options and a file, and run it in a worker."""

    HELP_TITLE = N_("Eksport")

    CSS_PATH = str(Path(__file__).with_name("screen.tcss"))

    BINDINGS = [
        Binding(
            "ctrl+e", "run_export", N_("Eksportér"), priority=True, tooltip=N_("kør eksporten (også Enter i et felt)")
        ),
        Binding(
            "ctrl+o", "choose_quotes", N_("Citatvalg"), priority=True, tooltip=N_("vælg, fravælg og ordn citaterne")
        ),
        Binding(
            "escape",
            "back",
            N_("Tilbage"),
            tooltip=N_("tilbage (en eksport, der kører, afbrydes; intet skrives halvt)"),
        ),
        Binding("question_mark", "show_keys", N_("Taster"), priority=True, tooltip=N_("vis alle taster")),
    ]

    # ----------------------------------------------------------------- messages

    @dataclass
    class ChoicesLoaded(Message):
        choices: ExportChoices

    @dataclass
    class ChoicesFailed(Message):
        message: str

    @dataclass
    class ExportProgressed(Message):
        generation: int
        step: int
        steps: int
        text: str

        def can_replace(self, message: Message) -> bool:
            """A newer step of the same export makes an unhandled older one moot."""
            return isinstance(message, ExportScreen.ExportProgressed) and message.generation == self.generation

    @dataclass
    class ExportFinished(Message):
        generation: int
        result: ExportResult

    @dataclass
    class ExportFailed(Message):
        generation: int
        message: str
        cancelled: bool = False

    # --------------------------------------------------------------- lifecycle

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.kind = REPORT_KINDS[0].key
        self.choices: ExportChoices | None = None
        self.values: dict[str, dict[str, Any]] = {}
        self.generation = 0
        self.running = False
        self.running_kind = self.kind
        self.cancel: threading.Event | None = None
        self.last_result: ExportResult | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="export-title")
        with Horizontal(id="export-body"):
            yield OptionList(*[Option(_(k.title), id=k.key) for k in REPORT_KINDS], id="export-kinds")
            with VerticalScroll(id="export-form", can_focus=False):  # Tab goes field to field; the form follows
                yield Static("", id="export-description")
                yield FieldRow(_("Fil"), FieldInput(id="ex-out", compact=True), field="out")
                yield Static("", id="export-target")
                yield FieldRow(
                    _("Format"),
                    Select(self._format_options(self.kind), id="ex-fmt", compact=True, allow_blank=False),
                    field="fmt",
                )
                yield FieldRow(
                    _("Grundlag"),
                    Select(self._selection_options(self.kind), id="ex-selection", compact=True, allow_blank=False),
                    field="selection",
                )
                yield FieldRow(_("Koder"), FieldInput(id="ex-codes", compact=True), field="codes")
                yield FieldRow(
                    _("Rækker"),
                    FieldInput("tema", id="ex-rows", compact=True, placeholder=_("fx tema eller T1,T2")),
                    field="rows",
                )
                yield FieldRow(
                    _("Kolonner"),
                    FieldInput("behov", id="ex-cols", compact=True, placeholder=_("fx behov eller B.social")),
                    field="cols",
                )
                yield FieldRow(_("Fordel på"), SelectionList[str](id="ex-by", compact=True), field="by")
                yield FieldRow(
                    _("Mål"),
                    Select(
                        [(_(label), value) for label, value in MEASURE_OPTIONS],
                        id="ex-measure",
                        value="share",
                        compact=True,
                        allow_blank=False,
                    ),
                    field="measure",
                )
                yield FieldRow(_("Antal citater"), FieldInput("5", id="ex-n", type="integer", compact=True), field="n")
                yield FieldRow(
                    _("Citatvalg"), Button(_("Vælg citaterne … (ctrl+o)"), id="ex-choose", compact=True), field="choose"
                )
                yield FieldRow(
                    _("Sprog"),
                    Select(
                        [(_(label), value) for label, value in LANG_OPTIONS],
                        id="ex-lang",
                        value=language(),  # a report in the interface's language unless asked otherwise
                        compact=True,
                        allow_blank=False,
                    ),
                    field="lang",
                )
                yield FieldRow(
                    _("Pseudonymisér"),
                    Checkbox(_("navne, CPR, telefon, e-mail"), id="ex-pseudonymize", compact=True),
                    field="pseudonymize",
                )
                yield FieldRow(
                    _("Nøglefil"),
                    FieldInput(
                        id="ex-key",
                        compact=True,
                        placeholder=_("tom = ingen nøgle; fx navnenoegle.csv (kun ved pseudonymisering)"),
                    ),
                    field="key",
                )
                yield FieldRow(
                    _("Udgåede koder"),
                    Checkbox(_("tag med (kun YAML)"), id="ex-retired", compact=True),
                    field="retired",
                )
                yield FieldRow(_("Flere valg"), field="more")
                yield FieldRow(
                    _("Titel"), PlainInput(id="ex-title", compact=True, placeholder=_("standard-titlen")), field="title"
                )
                # "til" alone is "on" elsewhere: the words between and after the fields come from one message
                _before, between, after = _("{min} til {max} ord").replace("{max}", "{min}").split("{min}")
                yield FieldRow(
                    _("Citatlængde"),
                    FieldInput("8", id="ex-min_words", type="integer", compact=True),
                    Static(between.strip(), classes="export-words"),
                    FieldInput("60", id="ex-max_words", type="integer", compact=True),
                    Static(after.strip(), classes="export-words"),
                    field="words",
                )
                yield FieldRow(
                    _("Fasthold"),
                    FieldInput(id="ex-pins", compact=True, placeholder=_("KILDE#N, … tages med først")),
                    field="pins",
                )
                yield FieldRow(
                    _("Udelad"),
                    FieldInput(id="ex-excludes", compact=True, placeholder=_("KILDE#N, … tages ikke med")),
                    field="excludes",
                )
                yield FieldRow(
                    _("Overordnede"),
                    Checkbox(_("koder tæller underkoderne med"), id="ex-rollup", compact=True),
                    field="rollup",
                )
                yield FieldRow(
                    _("Aldersgrupper"),
                    FieldInput(id="ex-age_bands", compact=True, placeholder="18,30,45,60,75"),
                    field="age_bands",
                )
        with Vertical(id="export-run"):
            with Horizontal(id="export-actions"):
                yield Button(_("Eksportér"), id="ex-run", variant="primary", compact=True)
                yield ProgressBar(total=3, show_eta=False, id="ex-progress")
            yield Static(_("Henter projektets kodere og egenskaber …"), id="export-status")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        kinds = self.query_one("#export-kinds", OptionList)
        kinds.highlighted = 0
        kinds.focus()
        self._show_kind(self.kind)
        self._load_choices()

    def on_unmount(self) -> None:
        if self.cancel is not None:
            self.cancel.set()

    def _title(self) -> Text:
        return line(_("Eksport · {display_name}").format(display_name=self.project.display_name))

    # ----------------------------------------------------------------- choices

    @work(thread=True, exclusive=True, group="export-choices", exit_on_error=False)
    def _load_choices(self) -> None:
        try:
            choices = export_choices(self.project)
        except Exception as exc:  # shown, never swallowed
            self.post_message(self.ChoicesFailed(describe_error(exc)))
            return
        self.post_message(self.ChoicesLoaded(choices))

    @on(ChoicesLoaded)
    def _choices_loaded(self, message: ChoicesLoaded) -> None:
        self.choices = message.choices
        by = self.query_one("#ex-by", SelectionList)
        by.clear_options()
        by.add_options([(line(attribute_label(name, language())), name) for name in message.choices.attributes])
        if message.choices.attributes:
            by.highlighted = 0  # space toggles the first one straight after Tab
        self._save_kind()  # what was typed before the choices came
        for kind in REPORT_KINDS:
            values = self.values.setdefault(kind.key, {})
            if "out" in values and values["out"] == default_name(kind.key, values.get("fmt")):
                values["out"] = default_name(kind.key, values.get("fmt"), message.choices.project_stem)
            if values.get("codes") == "tema" and "tema" not in message.choices.kinds:
                values["codes"] = ""  # a codebook without themes: every code
        self._show_kind(self.kind)
        if not self.running:
            coders = [c for c in message.choices.coders if c != CONSENSUS_CODER]
            hint = (
                _("ingen kodninger endnu")
                if not message.choices.coders
                else _("kodere med kodninger: {coders}").format(coders=", ".join(coders) or _("kun konsensus"))
            )
            basis = message.choices.basis_note
            self._status(
                _("Vælg en eksport og tryk Enter i et felt (eller ctrl+e). {hint}.").format(
                    hint=hint[:1].upper() + hint[1:]
                )
                + (_(" Standardgrundlag: {basis}.").format(basis=basis) if basis else "")
            )

    @on(ChoicesFailed)
    def _choices_failed(self, message: ChoicesFailed) -> None:
        self.notify(
            _("Projektet kunne ikke læses: {message}").format(message=message.message), severity="error", timeout=10
        )
        self._status(_("Projektet kunne ikke læses: {message}").format(message=message.message), "-error")

    # ------------------------------------------------------------ kind and form

    @on(OptionList.OptionHighlighted, "#export-kinds")
    def _kind_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.kind:
            self._show_kind(event.option.id, save=True)

    @on(OptionList.OptionSelected, "#export-kinds")
    def _kind_selected(self) -> None:
        self.query_one("#ex-out", Input).focus()

    @staticmethod
    def _format_options(kind: str) -> list[tuple[str, str]]:
        return [(translated(FORMAT_LABELS[f]), f) for f in KINDS[kind].formats]

    def _selection_options(self, kind: str) -> list[tuple[str, str]]:
        """The choices of basis. They name coders, whose names are letters, digits, '.' and '-' only
        (``check_coder_name``): no markup; shown inert all the same."""
        return [(inert_line(label), value) for label, value in self._selection_choices(kind)]

    def _selection_choices(self, kind: str) -> list[tuple[str, str]]:
        coders = self.choices.coders if self.choices else []
        if kind == "codings":
            return [(_("Alle kodere"), "auto")] + [(_("Koder: {c}").format(c=c), f"coder:{c}") for c in coders]
        humans = [c for c in coders if c != CONSENSUS_CODER]
        default = self.choices.default_basis if self.choices else ""
        label = {"consensus": _("Standard: konsensus"), "union": _("Standard: alle koderes forening")}.get(
            default, _("Standard")
        )
        options = [(label, "auto")]
        if self.choices is not None and self.choices.has_consensus:
            options.append((self.choices.consensus[:1].upper() + self.choices.consensus[1:], "consensus"))
        if humans:
            options.append((_("Alle koderes forening"), "union"))
        options += [(_("Koder: {c}").format(c=c), f"coder:{c}") for c in humans]
        return options

    def _defaults(self, kind: str) -> dict[str, Any]:
        stem = self.choices.project_stem if self.choices else "projekt"
        spec = KINDS[kind]
        codes = ""
        if kind == "frequencies" and (self.choices is None or "tema" in self.choices.kinds):
            codes = "tema"
        return {
            "out": default_name(kind, spec.formats[0], stem),
            "fmt": spec.formats[0],
            "selection": "auto",
            "codes": codes,
        }

    def _save_kind(self) -> None:
        values = self.values.setdefault(self.kind, {})
        values["out"] = self.query_one("#ex-out", Input).value
        fmt = self.query_one("#ex-fmt", Select).value
        if isinstance(fmt, str):
            values["fmt"] = fmt
        selection = self.query_one("#ex-selection", Select).value
        if isinstance(selection, str):
            values["selection"] = selection
        values["codes"] = self.query_one("#ex-codes", Input).value

    def _show_kind(self, kind: str, save: bool = False) -> None:
        """Lay the form out for ``kind`` with its own file, format, selection and codes."""
        if save:
            self._save_kind()
        self.kind = kind
        spec = KINDS[kind]
        values = {**self._defaults(kind), **self.values.get(kind, {})}
        self.values[kind] = values
        shown = FIELDS[kind]
        for name in ALL_FIELDS:
            self.query_one(f"#ex-row-{name}").display = name in shown
        self.query_one("#export-description", Static).update(line(_(spec.description)))
        fmt = self.query_one("#ex-fmt", Select)
        fmt.set_options(self._format_options(kind))
        fmt.value = values["fmt"] if values["fmt"] in spec.formats else spec.formats[0]
        selection = self.query_one("#ex-selection", Select)
        options = self._selection_options(kind)
        selection.set_options(options)
        wanted = values.get("selection", "auto")
        selection.value = wanted if wanted in [v for _, v in options] else "auto"
        selection.mutate_reactive(Select.value)  # the same value may carry another label for this kind
        codes = self.query_one("#ex-codes", Input)
        codes.placeholder = translated(CODES_PLACEHOLDER.get(kind, ""))
        codes.value = values.get("codes", "")
        out = self.query_one("#ex-out", Input)
        out.value = values["out"]
        out.cursor_position = len(out.value)
        self.query_one("#export-form", VerticalScroll).scroll_home(animate=False)
        self._show_target()

    @on(Select.Changed, "#ex-fmt")
    def _format_changed(self) -> None:
        fmt = self.query_one("#ex-fmt", Select).value
        if not isinstance(fmt, str):
            return
        out = self.query_one("#ex-out", Input)
        renamed = with_format(out.value, fmt)
        if renamed != out.value and SUFFIXES.get(Path(out.value).suffix.lower()) != fmt:
            out.value = renamed
            out.cursor_position = len(renamed)

    @on(Input.Changed, "#ex-out")
    def _out_changed(self) -> None:
        value = self.query_one("#ex-out", Input).value
        by_suffix = SUFFIXES.get(Path(value).suffix.lower())
        fmt = self.query_one("#ex-fmt", Select)
        if by_suffix in KINDS[self.kind].formats and fmt.value != by_suffix:
            fmt.value = by_suffix
        self._show_target()

    def _target(self) -> Path | None:
        value = self.query_one("#ex-out", Input).value.strip()
        if not value:
            return None
        return Path(os.path.abspath(Path(value).expanduser()))

    def _show_target(self) -> None:
        """The full path under the file field, and a word on what would happen to it."""
        line = self.query_one("#export-target", Static)
        path = self._target()
        warn = False
        if path is None:
            text = _("Skriv et filnavn.")
            warn = True
        else:
            text = f"→ {path}"
            suffix = path.suffix.lower()
            spec = KINDS[self.kind]
            if suffix in SUFFIXES and SUFFIXES[suffix] not in spec.formats:
                allowed = ", ".join(FORMAT_LABELS[f].split("(")[-1].rstrip(")") for f in spec.formats)
                text += _("  ({title} kan ikke skrives som {suffix}; brug {allowed})").format(
                    title=_(spec.title), suffix=suffix, allowed=allowed
                )
                warn = True
            elif path.is_dir():
                text += _("  (er en mappe)")
                warn = True
            elif not path.parent.is_dir():
                text += _("  (mappen findes ikke)")
                warn = True
            elif path.exists():
                text += _("  (findes – overskrives)")
        line.update(Text(inert_line(text)))
        line.set_class(warn, "-warning")

    # ------------------------------------------------------------------- export

    def _int(self, field: str, what: str) -> int:
        raw = self.query_one(f"#ex-{field}", Input).value.strip()
        try:
            return int(raw)
        except ValueError:
            raise TrivselError(
                _("{what} skal være et helt tal").format(what=what),
                _("skriv fx {example}").format(example=self.query_one(f"#ex-{field}", Input).placeholder or "5"),
            ) from None

    def _refs(self, field: str) -> list[str]:
        raw = self.query_one(f"#ex-{field}", Input).value
        return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]

    def build_request(self) -> ReportRequest:
        """The request the form describes (refusing numbers that are not numbers)."""
        kind = self.kind
        out = self.query_one("#ex-out", Input).value.strip()
        if not out:
            raise TrivselError(_("der er intet filnavn"), _("skriv fx {example}").format(example=default_name(kind)))
        fmt = self.query_one("#ex-fmt", Select).value
        selection = self.query_one("#ex-selection", Select).value
        fields = FIELDS[kind]
        request = ReportRequest(
            kind=kind,
            out=Path(out).expanduser(),
            fmt=fmt if isinstance(fmt, str) and "fmt" in fields else None,
            selection=selection if isinstance(selection, str) and "selection" in fields else "auto",
            pseudonymize="pseudonymize" in fields and self.query_one("#ex-pseudonymize", Checkbox).value,
        )
        if "key" in fields:
            key = self.query_one("#ex-key", Input).value.strip()
            request.key = Path(key).expanduser() if key else None
        if "codes" in fields:
            request.codes = self.query_one("#ex-codes", Input).value.strip() or None
        if "rows" in fields:
            request.rows = self.query_one("#ex-rows", Input).value.strip() or "themes"
            request.cols = self.query_one("#ex-cols", Input).value.strip() or "needs"
        if "by" in fields:
            request.by = list(self.query_one("#ex-by", SelectionList).selected)
        if "measure" in fields:
            request.measure = str(self.query_one("#ex-measure", Select).value)
        if "lang" in fields:
            request.lang = str(self.query_one("#ex-lang", Select).value)
        if "rollup" in fields:
            request.rollup = self.query_one("#ex-rollup", Checkbox).value
        if "age_bands" in fields:
            request.age_bands = self.query_one("#ex-age_bands", Input).value.strip() or None
        if "title" in fields:
            request.title = self.query_one("#ex-title", Input).value.strip() or None
        if "n" in fields:
            request.n = self._int("n", _("antallet af citater"))
        if "words" in fields:
            request.min_words = self._int("min_words", _("den korteste citatlængde"))
            request.max_words = self._int("max_words", _("den længste citatlængde"))
        if "pins" in fields:
            request.pins = self._refs("pins")
            request.excludes = self._refs("excludes")
        if "retired" in fields:
            request.retired = self.query_one("#ex-retired", Checkbox).value
        return request

    def action_run_export(self) -> None:
        if self.running:
            self.notify(
                _("En eksport kører allerede – vent på den, eller tryk Escape for at afbryde."), severity="warning"
            )
            return
        try:
            request = self.build_request()
        except TrivselError as exc:
            self._show_failure(str(exc))
            return
        self.generation += 1
        self.cancel = threading.Event()
        self.running = True
        self.running_kind = request.kind
        self.add_class("-running")
        run = self.query_one("#ex-run", Button)
        run.label = _("Eksporterer …")
        run.disabled = True
        self.query_one("#ex-progress", ProgressBar).update(total=3, progress=0)
        self._status(_("{title}: starter …").format(title=_(KINDS[request.kind].title)))
        self._export(self.generation, request, self.cancel)

    def action_choose_quotes(self) -> None:
        """Open Citatvalg on the quotes form's codes and options (switching to Citater first)."""
        from trivselkode.tui.export.quote_choice import QuoteChoiceScreen

        if self.kind != "quotes":
            self._show_kind("quotes", save=True)
            self.query_one("#export-kinds", OptionList).highlighted = [k.key for k in REPORT_KINDS].index("quotes")
        try:
            request = self.build_request()
        except TrivselError as exc:
            self.notify(_("Citatvalg kan ikke åbnes: {exc}").format(exc=exc), severity="error", timeout=10)
            return
        self.app.push_screen(QuoteChoiceScreen(self.project, self.coder, request))

    @on(Button.Pressed, "#ex-choose")
    def _choose_pressed(self) -> None:
        self.action_choose_quotes()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_run_export()

    @on(Button.Pressed, "#ex-run")
    def _run_pressed(self) -> None:
        self.action_run_export()

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self, generation: int, request: ReportRequest, cancel: threading.Event) -> None:
        def progress(step: int, steps: int, text: str) -> None:
            self.post_message(self.ExportProgressed(generation, step, steps, text))

        try:
            result = run_report(self.project, request, progress=progress, cancel=cancel)
        except ExportCancelled as exc:
            self.post_message(self.ExportFailed(generation, str(exc), cancelled=True))
            return
        except Exception as exc:  # every failure is shown as one line; nothing is half-written
            self.post_message(self.ExportFailed(generation, describe_error(exc)))
            return
        self.post_message(self.ExportFinished(generation, result))

    @on(ExportProgressed)
    def _progressed(self, message: ExportProgressed) -> None:
        if message.generation != self.generation or not self.running:
            return
        bar = self.query_one("#ex-progress", ProgressBar)
        if message.step == 0:
            bar.update(total=None)  # the long part, of unknown length: a moving bar
        else:
            bar.update(total=message.steps, progress=message.step)
        self._status(f"{_(KINDS[self.running_kind].title)}: {message.text}")

    def _done_running(self) -> None:
        self.running = False
        self.cancel = None
        self.remove_class("-running")
        run = self.query_one("#ex-run", Button)
        run.label = _("Eksportér")
        run.disabled = False

    @on(ExportFinished)
    def _finished(self, message: ExportFinished) -> None:
        if message.generation != self.generation:
            return
        self._done_running()
        result = message.result
        self.last_result = result
        title = _(KINDS[result.kind].title)
        self._status(
            _("✓ {title} skrevet til {path} ({size}). {summary}").format(
                title=title, path=result.path, size=_size(result.bytes), summary=result.summary
            ),
            "-done",
        )
        self.notify(
            _("{title} skrevet til {path}").format(title=title, path=result.path), title=_("Eksporteret"), timeout=8
        )
        for warning in result.warnings:
            self.notify(_("Advarsel: {warning}").format(warning=warning), severity="warning", timeout=10)
        self._show_target()

    @on(ExportFailed)
    def _failed(self, message: ExportFailed) -> None:
        if message.generation != self.generation:
            return
        self._done_running()
        if message.cancelled:
            self._status(_("Eksporten er afbrudt; der er ikke skrevet nogen fil."))
            return
        self._show_failure(message.message)

    def _show_failure(self, message: str) -> None:
        line = _("Ikke eksporteret: {message}").format(message=message)
        self._status(f"✗ {line}", "-error")
        self.notify(line, severity="error", timeout=10)

    def _status(self, text: str, state: str = "") -> None:
        status = self.query_one("#export-status", Static)
        status.update(para(text))
        status.set_class(state == "-error", "-error")
        status.set_class(state == "-done", "-done")

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        if self.running and self.cancel is not None:
            self.cancel.set()
            self.notify(_("Eksporten er afbrudt; der er ikke skrevet nogen fil."), severity="warning")
        self.app.pop_screen()

    def help_extra(self) -> HelpSections:
        """The keys beyond the bindings (the app's help shows these after them)."""
        return [
            (
                _("Eksporterne (til venstre)"),
                [
                    ("↑ ↓", _("vælg eksport; formularen til højre skifter med")),
                    ("Enter", _("gå til filnavnet")),
                ],
            ),
            (
                _("Formularen"),
                [
                    ("Tab shift+Tab", _("næste / forrige felt")),
                    ("Enter", _("i et tekstfelt: eksportér")),
                    ("mellemrum", _("slå et afkrydsningsfelt eller en egenskab under 'Fordel på' til/fra")),
                    ("Enter ↑ ↓", _("i en rulleliste (Format, Grundlag, Sprog, Mål): åbn og vælg")),
                    (
                        _("Fil"),
                        _("filnavnet bestemmer formatet (.xlsx, .csv, .docx …); et andet format skifter endelsen"),
                    ),
                    (_("Koder"), _("tom = standard; typer som tema, behov eller nøgler som T1,T2")),
                ],
            ),
        ]

    def action_show_keys(self) -> None:
        sections = help_sections(self, QUIT_ONLY)
        self.app.push_screen(HelpDialog(_(self.HELP_TITLE), sections, look="compact", own_question_mark=True))


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{format_number(n / 1024, 0)} kB"
    return f"{format_number(n / 1024 / 1024, 1)} MB"
