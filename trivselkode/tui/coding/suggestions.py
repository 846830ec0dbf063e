"""Kodning's suggestions for the current passage: scored in a worker, shown in the panel, taken with ``+`` or ``A``.

:class:`PassageSuggester` is the app's way to score a passage (called in a
thread worker): its words from the app's spaCy helper
(:meth:`~trivselkode.analysis.suggest.LemmaProcess.analyze`) and the
codebook's keywords with the app's learned model, if there is one yet
(:class:`~trivselkode.analysis.suggester.Suggester`). :class:`CodingSuggestions`
is the coding screen's side: it computes the suggestions of the passage the
cursor rests on, keeps them per passage, drops them when the model changes,
and leaves out the codes the coder has already put on the passage. Nothing
here writes: a suggestion is stored only when ``+`` or ``A`` takes it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message
from textual.timer import Timer

from trivselkode.analysis.suggest import Analyzed, KeywordIndex, Suggestion
from trivselkode.i18n import _
from trivselkode.storage.coding_views import CodeInfo
from trivselkode.storage.db import explain_failure
from trivselkode.tui.common.dialogs import SuggestionDialog

if TYPE_CHECKING:
    from trivselkode.analysis.learn import LearnedModel
    from trivselkode.analysis.suggester import Suggester
    from trivselkode.tui.coding.screen import CodingScreen

#: ``(text, index) -> suggestions``: a fixed suggester (tests, keywords only) instead of the model.
SuggestFn = Callable[[str, KeywordIndex], list[Suggestion]]
Pair = tuple[Suggestion, CodeInfo]
ANALYZED_KEPT = 4000  # passages whose words are kept for scoring again when the model changes
LISTED_FROM = 0.05  # an unsure suggestion less likely than this is not listed at all (``A``)


class PassageSuggester:
    """Scores a passage's text: the keywords and the learned model, or a fixed :data:`SuggestFn`."""

    def __init__(self, *, analyze: Callable[[str], Analyzed] | None = None, fixed: SuggestFn | None = None) -> None:
        if (analyze is None) == (fixed is None):
            raise ValueError("give analyze or fixed")
        self.analyze = analyze
        self.fixed = fixed
        self._analyzed: dict[str, Analyzed] = {}
        self._scorer: tuple[KeywordIndex, LearnedModel | None, Suggester] | None = None

    def __call__(
        self, text: str, index: KeywordIndex, model: LearnedModel | None, exclude: Collection[str]
    ) -> list[Suggestion]:
        """The codes for ``text``, shown ones first; none of ``exclude`` (the codes on the passage)."""
        if self.fixed is not None:
            from trivselkode.analysis.suggester import keyword_probability

            # Keyword scores as the Suggester gives them for a code no model knows: k / (1 + k).
            found = [
                replace(s, score=round(keyword_probability(s.score), 4))
                for s in self.fixed(text, index)
                if s.code_key not in exclude
            ]
            return sorted(found, key=lambda s: not s.shown)  # stable: the order within each part stays
        analyzed = self._analyzed.get(text)
        if analyzed is None:
            assert self.analyze is not None
            analyzed = self.analyze(text)
            if len(self._analyzed) >= ANALYZED_KEPT:
                self._analyzed.clear()
            self._analyzed[text] = analyzed
        return self._suggester(index, model).suggest(analyzed, exclude=exclude)

    def _suggester(self, index: KeywordIndex, model: LearnedModel | None) -> Suggester:
        kept = self._scorer
        if kept is None or kept[0] is not index or kept[1] is not model:
            # numpy comes with it: imported in the worker that scores, not while the screen opens
            from trivselkode.analysis.suggester import Suggester

            kept = self._scorer = (index, model, Suggester(index, model))
        return kept[2]


@dataclass
class SuggestionsReady(Message):
    """A passage's suggestions, scored with the model of ``generation``."""

    passage_id: int
    suggestions: list[Suggestion]
    generation: int


def with_codes(found: list[Suggestion], codes: list[CodeInfo], exclude: Collection[int] = ()) -> list[Pair]:
    """Each suggestion with its code: not retired, not in ``exclude`` (ids on the passage), shown ones first;
    an unsure one only if it is at least :data:`LISTED_FROM` likely.

    A parent suggested with one of its children says nothing more: the child is kept
    (unless the parent is shown and the child not).
    """
    by_key = {c.key: c for c in codes if not c.retired}
    pairs = [
        (s, by_key[s.code_key])
        for s in found
        if s.code_key in by_key and by_key[s.code_key].id not in exclude and (s.shown or s.score >= LISTED_FROM)
    ]
    any_child = {code.parent_id for _s, code in pairs}
    shown_child = {code.parent_id for s, code in pairs if s.shown}
    kept = [(s, code) for s, code in pairs if code.id not in (shown_child if s.shown else any_child)]
    return sorted(kept, key=lambda pair: not pair[0].shown)


class CodingSuggestions:
    """The coding screen's suggestions: computed where the cursor rests, one worker at a time."""

    def __init__(self, screen: CodingScreen) -> None:
        self.screen = screen
        self.found: dict[int, list[Suggestion]] = {}  # passage id -> suggestions (codes on it excluded)
        self.running = False  # one worker at a time; it picks up where the cursor is when it ends
        self._timer: Timer | None = None
        self._any_ready = False  # until the first suggestions, the words' helper may be loading spaCy

    def show(self, *, now: bool = False) -> None:
        """Show the passage's suggestions; compute them once the cursor has rested a moment.

        Holding j runs past passages nobody reads: their suggestions are not
        computed (``TrivselApp.suggest_delay_s``), only the one the cursor stops on.
        """
        screen, app = self.screen, self.screen.tapp
        panel = screen.panel
        passage = screen.passage
        panel.show_status(app.learning.status())
        if passage is None or passage.is_interviewer or app.suggester is None:
            panel.show_suggestions([])
            return
        found = self.found.get(passage.id)
        if found is not None:
            panel.show_suggestions(self.pairs(found))
            return
        panel.show_suggestions(None, loading=not self._any_ready and self._first_model_load())
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        delay = app.suggest_delay_s
        if now or delay <= 0:
            self.start()
        else:
            self._timer = screen.set_timer(delay, self.start)

    def _first_model_load(self) -> bool:
        return self.screen.tapp.suggester is not None and self.screen.tapp.suggester.fixed is None

    def start(self) -> None:
        """Compute the current passage's suggestions, unless they are known (or a worker is busy)."""
        self._timer = None
        screen, app = self.screen, self.screen.tapp
        passage, suggester = screen.passage, app.suggester
        if passage is None or passage.is_interviewer or screen.index is None or suggester is None:
            return
        if passage.id in self.found:
            return
        if self.running:  # its handler asks for this passage next
            return
        self.running = True
        job = partial(
            self._compute,
            suggester,
            passage.id,
            passage.text,
            screen.index,
            app.learning.model,
            app.learning.generation,
            # Scored whatever codes the passage has: those are left out when shown (:meth:`pairs`), so a
            # code toggled on or off needs no scoring again.
            frozenset(),
        )
        screen.run_worker(job, thread=True, group="suggest", exit_on_error=False, description="suggest")

    def _compute(
        self,
        suggester: PassageSuggester,
        passage_id: int,
        text: str,
        index: KeywordIndex,
        model: LearnedModel | None,
        generation: int,
        exclude: frozenset[str],
    ) -> None:
        """In the worker: score the passage and post the result (an error is said; no suggestions then)."""
        try:
            found = suggester(text, index, model, exclude)
        except Exception as exc:
            self.screen.app.call_from_thread(
                self.screen.app.notify,
                _("Forslag kunne ikke beregnes: {error}").format(error=explain_failure(exc)),
                severity="error",
            )
            found = []
        self.screen.post_message(SuggestionsReady(passage_id, found, generation))

    def ready(self, message: SuggestionsReady) -> None:
        self.running = False
        self._any_ready = True
        if message.generation == self.screen.tapp.learning.generation:  # else: scored with a model now gone
            self.found[message.passage_id] = message.suggestions
        self.show(now=True)  # the current passage's, computing them if the cursor moved on

    def model_changed(self, new_model: bool, *, show: bool = True) -> None:
        """A new model: every passage's suggestions are scored again (the current one's at once, if ``show``)."""
        if new_model:
            self.found.clear()
        if show:
            self.show(now=True)

    def codes_changed(self, passage_ids: Collection[int]) -> None:
        """The coder's codes on these passages changed: the current passage's suggestions are shown again
        without the codes it now has (they were scored regardless of them)."""
        if self.screen.passage is not None and self.screen.passage.id in passage_ids:
            self.show(now=True)

    def pairs(self, found: list[Suggestion]) -> list[Pair]:
        screen = self.screen
        passage = screen.passage
        if screen.view is None or passage is None:
            return []
        return with_codes(found, screen.view.codes, screen.codes_on(passage.id))

    def current(self) -> list[Pair] | None:
        """The current passage's suggestions (shown ones first) with their codes, or ``None`` if not known yet."""
        passage = self.screen.passage
        if passage is None or passage.id not in self.found:
            return None
        return self.pairs(self.found[passage.id])

    def accept(self) -> None:
        """``+``: the first shown suggestion, coded."""
        found = self.current()
        app = self.screen.app
        if found is None:
            app.notify(_("Forslagene er ikke klar endnu."), timeout=3)
            return
        shown = [pair for pair in found if pair[0].shown]
        if shown:
            self.screen.add_code(shown[0][1].id, _("forslag"))
        elif found:
            app.notify(_("Ingen sikre forslag til udsagnet (A viser de usikre)."), timeout=3)
        else:
            app.notify(_("Ingen forslag til udsagnet."), timeout=3)

    def choose(self) -> None:
        """``A``: every suggestion, shown ones first, in a dialog; a digit or Enter codes one."""
        found = self.current()
        if not found:
            self.screen.app.notify(
                _("Ingen forslag til udsagnet.") if found is not None else _("Forslagene er ikke klar endnu."),
                timeout=3,
            )
            return

        def chosen(code_id: int | None) -> None:
            if code_id is not None:
                self.screen.add_code(code_id, _("forslag"))

        self.screen.app.push_screen(SuggestionDialog(found), chosen)
