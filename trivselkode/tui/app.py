"""The terminal UI: the app, its global keys, screen switching and the writer.

Every change a screen makes goes through :meth:`TrivselApp.run_write`: a
thread worker runs one core function (one transaction) and posts the result
back; writes run one at a time in the order they were asked for, so "toggle,
toggle" is stored as it was typed. The writer answers with typed messages,
not callbacks: a :class:`~trivselkode.tui.messages.Stored` of the screen's
own kind (what was stored, ``result`` filled in), which the screen shows in
its handler, so a change is shown only once it is stored; or a
:class:`~trivselkode.tui.messages.Refused` (what was refused, and why),
which bubbles up to the app and becomes a notification. Nothing is lost.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeGuard, cast

from textual import on
from textual.app import App
from textual.binding import Binding
from textual.message_pump import MessagePump
from textual.screen import ModalScreen, Screen
from textual.widgets import TextArea

from trivselkode.analysis.learn_process import Learner, LearnerProcess
from trivselkode.config import Settings
from trivselkode.domain.undo import CodingAction, CodingFact, UndoHistory
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _, language, save_language, set_language
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.db import Project, explain_failure
from trivselkode.tui.coding.learning import ModelKeeper, ModelTrained, TrainingFailed
from trivselkode.tui.common import keys
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.lang import LANGUAGE_NAMES, LanguageDialog
from trivselkode.tui.common.plain import inert, inert_line
from trivselkode.tui.common.textual_internals import own_bindings
from trivselkode.tui.messages import (
    CoderChosen,
    CodingsChanged,
    HistoryStepRefused,
    HistoryStepStored,
    JumpToPassage,
    OpenSource,
    Refused,
    Stored,
)
from trivselkode.tui.overview.screen import OverviewScreen

if TYPE_CHECKING:
    from trivselkode.analysis.learn import LearnedModel
    from trivselkode.analysis.suggest import Analyzed, LemmaProcess
    from trivselkode.tui.coding.screen import CodingScreen
    from trivselkode.tui.coding.suggestions import PassageSuggester, SuggestFn

#: The coding screen's module, imported when a source is first opened (it brings the suggestions, the
#: learned model and numpy): the overview is drawn without it.
CODING_SCREEN_MODULE = "trivselkode.tui.coding.screen"


def coding_screen_class() -> type[CodingScreen]:
    """The coding screen's class (its module imported on first use)."""
    import importlib

    return cast("type[CodingScreen]", importlib.import_module(CODING_SCREEN_MODULE).CodingScreen)


def _import_quietly(module_name: str) -> None:
    """Import a module ahead of its use; a failure is left to show where the module is used."""
    import importlib

    try:
        importlib.import_module(module_name)
    except Exception:  # noqa: BLE001, S110 (said when the screen is opened)
        pass


def is_coding_screen(screen: object) -> TypeGuard[CodingScreen]:
    """Whether ``screen`` is a coding screen; without importing its module (none exists until it is)."""
    module = sys.modules.get(CODING_SCREEN_MODULE)
    cls = getattr(module, "CodingScreen", None) if module is not None else None
    return cls is not None and isinstance(screen, cls)


OTHER_SCREENS = {
    "search": ("trivselkode.tui.search.screen", "SearchScreen", N_("Søgning")),
    "codebook": ("trivselkode.tui.codebook.screen", "CodebookScreen", N_("Kodebog")),
    "agreement": ("trivselkode.tui.agreement.screen", "AgreementScreen", N_("Enighed")),
    "export": ("trivselkode.tui.export.screen", "ExportScreen", N_("Eksport")),
    "retrieval": ("trivselkode.tui.retrieval.screen", "RetrievalScreen", N_("Udtræk")),
    # P or F7 on the overview (OverviewScreen.action_open_survey), not from every screen.
    "survey": ("trivselkode.tui.survey.screen", "SurveyScreen", N_("Spørgeskema")),
    # No key of its own: opened on a code from Kodebog, Udtræk and Kodning (open_review_queue).
    "review_queue": ("trivselkode.tui.review_queue.screen", "ReviewQueueScreen", N_("Forslagskø")),
}


def help_sections(screen: Screen, app: App) -> keys.HelpSections:
    """What ``?`` shows over ``screen``: its bindings, its extra notes, and the keys that work everywhere."""
    return keys.help_sections(screen)


#: Thread workers that only read (or ask a helper process): quitting does not wait for them. Every other
#: group (``write``, a screen's own writes, an export) is waited for before the app exits.
READ_ONLY_GROUPS = frozenset(
    {
        "overview-load",
        "overview-themes",
        "coding-load",
        "next-source",
        "suggest",
        "learn",
        "codebook-load",
        "agreement",
        "agreement-by-source",
        "audit",
        "review-load",
        "export-choices",
        "search-index",
        "search",
        "search-refresh",
        "retrieval-load",
        "survey-report",
        "survey-joint",
        "review-queue-rank",
        "review-queue-check",
    }
)
#: The garbage collector, paused by :func:`run_tui` while the app starts, is on again this long after the app
#: was mounted at the latest (the overview turns it on a moment after it is shown: see resume_collector).
COLLECTOR_PAUSE_LIMIT_S = 5.0
QUIT_SWITCH_INTERVAL_S = 0.0005  # on quitting, a busy worker thread hands the GIL back this soon (default 5 ms)


class _DaemonThreads(concurrent.futures.ThreadPoolExecutor):
    """The event loop's executor when the app runs for real: each thread worker in a daemon thread.

    asyncio's default executor is joined when the loop closes, and its threads
    when the interpreter ends, so quitting would wait for a read still running
    (the search index of a large project: seconds). Daemon threads are not
    waited for; what must finish (a write) is awaited by :meth:`TrivselApp.action_quit`.
    A ThreadPoolExecutor (asyncio takes no other) whose pool is never used: each job gets
    a thread of its own.
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 (handed to whoever awaits the future)
                future.set_exception(exc)
            else:
                future.set_result(result)

        threading.Thread(target=run, name="trivselkode-worker", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to join: the threads are daemons, and the writes were awaited before the exit."""


class _WriteOrder:
    """Tickets that make write workers take their turns in the order they were started."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next = 0
        self._serving = 0

    def ticket(self) -> int:
        with self._cond:
            ticket = self._next
            self._next += 1
            return ticket

    @contextmanager
    def turn(self, ticket: int) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: self._serving == ticket)
        try:
            yield
        finally:
            with self._cond:
                self._serving += 1
                self._cond.notify_all()


class TrivselApp(App):
    """trivselkode's terminal UI."""

    CSS_PATH = "app.tcss"
    TITLE = "trivselkode"
    ENABLE_COMMAND_PALETTE = False

    BINDINGS = [
        Binding("ctrl+q", "quit", N_("Afslut"), priority=True, show=False),
        Binding("question_mark", "show_help", N_("Hjælp"), priority=True, show=True),
        Binding("f1", "show_help", N_("Hjælp"), show=False),
        # The screens, from every screen (the letters not while a text field has focus: it takes them).
        # Hidden from the footers (a screen's own keys need the room; the overview shows them, "?" lists them).
        *[Binding(keys, f"open_screen('{which}')", title, show=False) for keys, which, title in keys.SCREEN_KEYS],
    ]

    def __init__(
        self,
        project: Project,
        settings: Settings,
        *,
        coder: str | None = None,
        suggester: SuggestFn | None | str = "default",
        start_source: str | None = None,
        start_passage: int | None = None,
        suggest_delay_s: float = 0.25,
        analyze: Callable[[str], Analyzed] | None = None,
        learn: bool | None = None,
        learner: Learner | None = None,
    ) -> None:
        """``suggester``: ``"default"`` (keywords and the learned model), ``None`` (no suggestions) or a
        fixed ``(text, index) -> suggestions`` (keywords only); ``analyze`` replaces the spaCy helper;
        ``learn`` (default: with ``"default"``) trains the model in the background with ``learner``."""
        super().__init__()
        self.suggest_delay_s = suggest_delay_s  # the cursor rests this long before suggestions are computed
        self.project = project
        self.settings = settings
        self.coder: str | None = coder or settings.coder
        self._lemma_process: LemmaProcess | None = None  # made on first use (:attr:`_lemmas`)
        # The suggester is made on first use (:attr:`suggester`): its module is the coding screen's.
        self._suggester_made = suggester is None or not (suggester == "default" or callable(suggester))
        self._suggester: PassageSuggester | None = None
        self._fixed: SuggestFn | None = suggester if callable(suggester) else None
        self._analyze = analyze
        # spaCy in a helper process: loading it in this one would stall the screen. The helper is
        # started by its first question; its module (the keyword rules, rapidfuzz) is imported on first use.
        self._with_lemmas = suggester == "default" and analyze is None
        self._helpers_stopped = False
        # Training (and the review queue's ranking) in a helper process; started on first use.
        self.learner: Learner = learner if learner is not None else LearnerProcess()
        enabled = suggester == "default" if learn is None else learn
        self.learning = ModelKeeper(self, self.learner, enabled=enabled, changed=self._model_changed)
        self.start_source = start_source
        self.start_passage = start_passage
        self.history = UndoHistory()
        self.shortcut_warnings: set[str] = set()  # code shortcuts the screen keeps, already told
        self._writes = _WriteOrder()
        self._daemon_workers = False  # run(): thread workers in daemon threads (see _DaemonThreads)
        self.collector_paused = False  # run_tui(): the garbage collector is off until resume_collector()

    @property
    def _lemmas(self) -> LemmaProcess | None:
        """spaCy's helper process (the default suggester's lemmas), ``None`` with a given ``analyze``."""
        if self._with_lemmas and self._lemma_process is None:
            from trivselkode.analysis.suggest import LemmaProcess

            self._lemma_process = LemmaProcess()
            if self._helpers_stopped:
                self._lemma_process.close()  # as if it had been stopped with the others: it starts no helper
        return self._lemma_process

    @property
    def suggester(self) -> PassageSuggester | None:
        """How the coding screen scores a passage: keywords and the learned model (spaCy's lemmas from the
        helper process), a fixed function, or ``None`` (no suggestions)."""
        if not self._suggester_made:
            from trivselkode.tui.coding.suggestions import PassageSuggester

            if self._fixed is not None:
                self._suggester = PassageSuggester(fixed=self._fixed)
            else:
                lemmas = self._lemmas
                self._suggester = PassageSuggester(analyze=lemmas.analyze if lemmas is not None else self._analyze)
            self._suggester_made = True
        return self._suggester

    def warm_up_coding(self) -> None:
        """Import the coding screen's module in a daemon thread, ahead of the first Enter (the overview calls
        this a moment after it is shown: it is no part of the start, and quitting does not wait for it)."""
        if CODING_SCREEN_MODULE not in sys.modules:
            threading.Thread(
                target=_import_quietly, args=(CODING_SCREEN_MODULE,), name="trivselkode-warm-up", daemon=True
            ).start()

    # ----------------------------------------------------------------- start

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run the app until it exits; quitting then waits for no read still running (see :class:`_DaemonThreads`)."""
        self._daemon_workers = True
        return super().run(*args, **kwargs)

    def on_mount(self) -> None:
        if self._daemon_workers:
            asyncio.get_running_loop().set_default_executor(_DaemonThreads())
        if self.collector_paused:
            self.set_timer(COLLECTOR_PAUSE_LIMIT_S, self.resume_collector)  # whatever became of the start
        self.sub_title = inert_line(self.project.display_name)
        if self.coder:
            self._start()
        else:
            from trivselkode.tui.common.dialogs import CoderDialog

            self.push_screen(CoderDialog(), self._coder_chosen)

    def resume_collector(self) -> None:
        """The garbage collector on again, after the start (:func:`run_tui` pauses it until the overview is
        shown: what the start makes is mostly kept, and collecting it took a tenth of the start). What the start
        made is left out of later collections too (frozen), so that the first one, often while a source opens,
        does not go through all of it."""
        if self.collector_paused:
            self.collector_paused = False
            gc.freeze()
            gc.enable()

    def on_unmount(self) -> None:
        self.stop_helpers()

    def stop_helpers(self) -> None:
        """Kill the helper processes (spaCy's, the learner's), waiting for neither; a worker waiting on one
        ends with an error (never shown: the app is closing)."""
        self.learning.close()  # a training in progress is killed
        self._helpers_stopped = True
        if self._lemma_process is not None:
            self._lemma_process.close()

    @property
    def model(self) -> LearnedModel | None:
        """The learned model of the suggestions (every coder's codings), ``None`` until trained."""
        return self.learning.model

    @on(ModelTrained)
    def _model_trained(self, message: ModelTrained) -> None:
        self.learning.trained(message)

    @on(TrainingFailed)
    def _training_failed(self, message: TrainingFailed) -> None:
        self.learning.failed(message)

    def _model_changed(self, new_model: bool) -> None:
        for screen in self.screen_stack:
            if is_coding_screen(screen):
                screen.model_changed(new_model)

    def _coder_chosen(self, name: str | None) -> None:
        if not name:
            self.exit()
            return
        self.post_message(CoderChosen(name))

    @on(CoderChosen)
    def _set_coder(self, message: CoderChosen) -> None:
        self.coder = message.coder
        self._start()

    def _start(self) -> None:
        self.push_screen(OverviewScreen())
        if self.start_source:
            self.open_coding(self.start_source, self.start_passage)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notification, always plain text: messages quote names, paths, errors and what was typed.

        Screens and widgets call this too (``Widget.notify`` passes ``markup=True``
        on): it is shown literally, with its control characters inert.
        """
        super().notify(inert(message), title=inert_line(title), severity=severity, timeout=timeout, markup=False)

    # --------------------------------------------------------------- screens

    @on(OpenSource)
    def _open_source(self, message: OpenSource) -> None:
        self.open_coding(message.source_name, None)

    @on(JumpToPassage)
    def _jump_to_passage(self, message: JumpToPassage) -> None:
        self.open_coding(message.source_name, message.passage_number)

    def open_coding(self, source_name: str, passage_number: int | None) -> None:
        """Open the coding screen on a source (at a passage, or at the coder's last position)."""
        screen = self.screen
        if is_coding_screen(screen) and screen.source_name == source_name and screen.view is not None:
            if passage_number is not None:
                screen.jump_to(passage_number)
            return
        new = coding_screen_class()(source_name, passage_number)
        if is_coding_screen(screen):
            screen.save_position()
            self.switch_screen(new)
        else:
            self.push_screen(new)

    @on(CodingsChanged)
    def _codings_changed(self, message: CodingsChanged) -> None:
        """Another screen changed codings or the codebook: coding screens reload when shown again."""
        for screen in self.screen_stack:
            if is_coding_screen(screen) and message.source_name in (None, screen.source_name):
                screen.stale = True

    def action_open_screen(self, which: str) -> None:
        self.open_other_screen(which)

    def open_other_screen(self, which: str) -> None:
        """Søgning, Kodebog, Enighed, Eksport or Udtræk, imported on first use.

        A screen already on the stack is shown again (the screens above it are
        left with their own "back"), not opened a second time.
        """
        import importlib

        if which not in OTHER_SCREENS:
            title = next((_(t) for _k, w, t in keys.SCREEN_KEYS if w == which), which)
            self.notify(_("{screen} er ikke med i denne version endnu.").format(screen=title), severity="warning")
            return
        module_name, class_name, title = OTHER_SCREENS[which]
        title = _(title)
        if self._back_to(module_name, class_name):
            return
        try:
            module = importlib.import_module(module_name)
            cls = getattr(module, class_name)
        except ModuleNotFoundError as exc:
            # The screen's module, or a package above it, is not installed: not in this version.
            if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
                self.notify(_("{screen} er ikke med i denne version endnu.").format(screen=title), severity="warning")
                return
            self.notify(_("{screen} kunne ikke åbnes: {error}").format(screen=title, error=exc), severity="error")
            return
        except (ImportError, AttributeError) as exc:
            self.notify(_("{screen} kunne ikke åbnes: {error}").format(screen=title, error=exc), severity="error")
            return
        screen = cls(self.project) if which == "codebook" else cls(self.project, self.coder)
        self.push_screen(screen)

    def open_retrieval(self, code_key: str | None = None) -> None:
        """Udtræk on ``code_key`` (Enter on a code in Kodebog); without one, as ``R`` opens it."""
        self.open_other_screen("retrieval")
        show_code = getattr(self.screen, "show_code", None)
        if code_key and callable(show_code):
            show_code(code_key)

    def open_review_queue(self, code_key: str | None) -> None:
        """Forslagskø on ``code_key`` (Q on a code in Kodebog, Udtræk, Kodning); without one, a picker asks.

        A queue already on the stack is shown again (the screens above it go back) and turned to ``code_key``.
        """
        self.open_other_screen("review_queue")
        show_code = getattr(self.screen, "show_code", None)
        if code_key and callable(show_code) and getattr(self.screen, "code_key", None) != code_key:
            show_code(code_key)

    def _back_to(self, module_name: str, class_name: str) -> bool:
        """Show the screen of that class again if it is on the stack: each screen above it goes back."""
        stack = self.screen_stack
        found = [s for s in stack if type(s).__module__ == module_name and type(s).__name__ == class_name]
        if not found:
            return False
        target = found[-1]
        while self.screen is not target:
            depth = len(self.screen_stack)
            back = getattr(self.screen, "action_back", None)
            if callable(back):
                back()  # a screen's own way back: saves its position, cancels its export, reports its result
            while len(self.screen_stack) >= depth:
                self.pop_screen()
        return True

    # ------------------------------------------------------------------ help

    def action_show_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpDialog):
            screen.dismiss(None)
            return
        if type(screen) is OverviewScreen:
            title = N_("Oversigt")
        elif is_coding_screen(screen) and type(screen) is coding_screen_class():
            title = N_("Kodning")
        else:
            title = type(screen).__name__
        self.push_screen(HelpDialog(title, help_sections(screen, self)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_screen":
            # Not over a dialog, nor before the coder is known (the overview is the first screen).
            return not isinstance(self.screen, ModalScreen) and any(
                isinstance(s, OverviewScreen) for s in self.screen_stack
            )
        if action == "show_help":
            if isinstance(self.focused, TextArea):
                return False  # let "?" be typed into a memo
            screen = self.screen
            if "question_mark" in own_bindings(screen):
                return False  # the screen (or dialog) shows its own keys, or a screen's keys close on "?"
        return True

    # -------------------------------------------------------------- language

    def action_choose_language(self) -> None:
        """``L`` on the overview: Dansk or English, remembered for the next start."""
        if isinstance(self.screen, ModalScreen):
            return
        self.push_screen(LanguageDialog(), self._language_chosen)

    def _language_chosen(self, lang: str | None) -> None:
        if lang:
            self.switch_language(lang)

    def switch_language(self, lang: str, *, save: bool = True) -> None:
        """Speak ``lang`` from now on, on every screen on the stack; ``save``: remember it for the next start.

        Each screen with a ``language_changed()`` shows its texts again; every
        screen's bindings are refreshed, so its footer (:class:`TranslatedFooter`)
        follows. Help dialogs and the other screens are built in the language
        spoken when they are opened.
        """
        if save:
            try:
                save_language(lang)
            except OSError as exc:
                self.notify(
                    _("Sproget kunne ikke gemmes til næste gang: {error}").format(error=exc), severity="warning"
                )
        set_language(lang)
        for screen in self.screen_stack:
            changed = getattr(screen, "language_changed", None)
            if callable(changed):
                changed()
            screen.refresh_bindings()
        self.notify(_("Sprog: {language}").format(language=LANGUAGE_NAMES[language()]), timeout=3)

    async def action_quit(self) -> None:
        """Quit at once: positions saved, helpers killed, the writes asked for stored, reads left behind."""
        for screen in self.screen_stack:
            if is_coding_screen(screen):
                screen.save_position_now()
        self.stop_helpers()
        # A worker thread still busy (building a search index, say) would otherwise keep the GIL from
        # the exit for 5 ms at each of its many steps.
        sys.setswitchinterval(min(sys.getswitchinterval(), QUIT_SWITCH_INTERVAL_S))
        await self.finish_writes()
        self.exit()

    async def finish_writes(self) -> None:
        """Wait for every worker that may write (all but :data:`READ_ONLY_GROUPS`): nothing asked for is lost."""
        pending = [w for w in self.workers if w.group not in READ_ONLY_GROUPS and not w.is_finished]
        for worker in pending:
            try:
                await worker.wait()
            except Exception:  # noqa: BLE001 (failed or cancelled: its own handler said so)
                pass

    # ---------------------------------------------------------------- writes

    def run_write(
        self,
        fn: Callable[..., Any],
        *args: Any,
        reply_to: MessagePump | None = None,
        stored: Stored | None = None,
        refused: Refused | None = None,
        **kwargs: Any,
    ) -> None:
        """Run ``fn(project, *args, **kwargs)`` in a thread worker, after every earlier write.

        Once it is stored, ``stored`` (its ``result`` set to what ``fn``
        returned) is posted to ``reply_to`` (the screen that asked; the app if
        none, or if that screen is gone); if it is refused or fails,
        ``refused`` (or a plain :class:`Refused`) with its ``error``.
        """
        ticket = self._writes.ticket()

        def job() -> None:
            with self._writes.turn(ticket):
                try:
                    result = fn(self.project, *args, **kwargs)
                except TrivselError as exc:
                    self._refuse(reply_to, refused, str(exc))
                    return
                except Exception as exc:  # a bug or the environment (the server gone): say it, keep going
                    self.log.error(f"write failed: {exc!r}")
                    self._refuse(reply_to, refused, explain_failure(exc))
                    return
                if stored is not None:
                    stored.result = result
                    self._answer(reply_to, stored)

        self.run_worker(
            job, thread=True, group="write", exit_on_error=False, description=getattr(fn, "__name__", "write")
        )

    def _refuse(self, reply_to: MessagePump | None, refused: Refused | None, error: str) -> None:
        message = refused if refused is not None else Refused()
        message.error = error
        self._answer(reply_to if refused is not None else None, message)

    def _answer(self, reply_to: MessagePump | None, message: Stored | Refused) -> None:
        """Post a writer's answer (from its thread) to the screen that asked, else to the app."""
        if reply_to is None or not reply_to.post_message(message):
            self.post_message(message)

    @on(Refused)
    def _write_refused(self, message: Refused) -> None:
        self.notify(_("Ikke gemt: {error}").format(error=message.error), severity="error", timeout=8)

    # ------------------------------------------------------------- undo/redo

    def undo(self) -> None:
        action = self.history.peek_undo()
        if action is None:
            self.notify(_("Intet at fortryde."), timeout=2)
            return
        self.history.commit_undo(action)  # moved back if the write fails
        self._store_step(action, action.inverted(), redo=False)

    def redo(self) -> None:
        action = self.history.peek_redo()
        if action is None:
            self.notify(_("Intet at gentage."), timeout=2)
            return
        self.history.commit_redo(action)
        self._store_step(action, action, redo=True)

    def _store_step(self, action: CodingAction, change: CodingAction, *, redo: bool) -> None:
        """Store ``change`` (``action`` or its inverse) for an undo or a redo of ``action``."""
        if action.changes_codes:  # it made codes (in vivo, the picker): they go and come back with it
            from trivselkode.storage.codes_while_coding import apply_code_step

            self.run_write(
                apply_code_step,
                self.coder,
                change,
                stored=HistoryStepStored(action, redo),
                refused=HistoryStepRefused(action, redo),
            )
            return
        self.run_write(
            ops.apply_change,
            self.coder,
            added=list(change.added),
            removed=list(change.removed),
            stored=HistoryStepStored(action, redo),
            refused=HistoryStepRefused(action, redo),
        )

    @on(HistoryStepRefused)
    def _history_step_refused(self, message: HistoryStepRefused) -> None:
        """The step was not stored: it goes back where it was in the history."""
        action = message.action
        if message.redo:
            if self.history.peek_undo() is action:
                self.history.commit_undo(action)
        elif self.history.peek_redo() is action:
            self.history.commit_redo(action)

    @on(HistoryStepStored)
    def _history_step_stored(self, message: HistoryStepStored) -> None:
        from trivselkode.storage.codes_while_coding import CodeStep

        if isinstance(message.result, CodeStep):
            step: CodeStep = message.result
            added, removed = step.added, step.removed
            if message.redo:  # made again, under new ids: the history keeps what is true now
                done = replace(message.action, added=tuple(added), removed=tuple(removed), made=step.made)
                self.history.replace(message.action, done)
            self.post_message(CodingsChanged(None))  # the codebook changed: coding screens reload when shown
        else:
            added, removed = message.result
        self._show_action(message.action, added, removed, verb=_("Gentaget") if message.redo else _("Fortrudt"))

    def _show_action(self, action: CodingAction, added: list[CodingFact], removed: list[CodingFact], verb: str) -> None:
        shown = False
        for screen in self.screen_stack:
            if is_coding_screen(screen) and screen.source_name == action.source_name:
                screen.show_action(action, added, removed)
                shown = screen is self.screen
            elif hasattr(screen, "show_history_step"):  # Udtræk: its rows follow the undo or redo
                screen.show_history_step(action, added, removed)
        if shown:
            self.notify(_("{verb}: {action}").format(verb=verb, action=action.label), timeout=2)
        else:
            self.notify(
                _("{verb}: {action} (i {source})").format(verb=verb, action=action.label, source=action.source_name),
                timeout=2,
            )


def run_tui(project: Project, settings: Settings) -> None:
    """Run the TUI on an open project until the user quits."""
    app = TrivselApp(project, settings)
    # What is alive now (the modules, the codebook, the models: hundreds of thousands of objects) lives as
    # long as the process: the collector leaves it out of its full collections from here on. And it pauses
    # while the app starts, until the overview is shown (TrivselApp.resume_collector).
    gc.freeze()
    app.collector_paused = True
    gc.disable()
    try:
        app.run()
    finally:
        gc.enable()
    # The process ends next: its objects need no last cyclic collection (on a large project the
    # interpreter's final one took half a second).
    gc.freeze()
