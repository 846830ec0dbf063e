"""Forslagskø: for one code, the uncoded participant passages ranked by the model, decided one key each.

The screen ranks once (in a thread worker, through the app's learner, which
trains and ranks in its own process: :func:`~trivselkode.analysis.review_queue.fetch_ranking`)
and then walks the list (:class:`~trivselkode.analysis.review_queue.ReviewQueue`):
after ``y`` or ``n`` the next passage is there at once, and the writes follow
through the app's writer. Every tenth decision (or ``r``) it ranks again in the
background with what was decided; the keys keep working meanwhile.

- ``y`` codes the passage through the same core call as Kodning and Udtræk
  (:func:`~trivselkode.storage.coding_ops.apply_change`) and records it in the
  app's undo history, so ``u`` here or in Kodning takes it back;
- ``n`` rejects it (:func:`~trivselkode.storage.rejections.reject`): it is not
  offered again for the code, and the model learns from it;
- ``u`` takes the last ``y`` or ``n`` back (a rejection is removed again);
- ``space`` opens the passage in Kodning; Escape there comes back here.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from trivselkode.analysis.review_queue import Ranking, ReviewQueue, decided_elsewhere, fetch_ranking
from trivselkode.config import CONSENSUS_CODER
from trivselkode.i18n import N_, _
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.db import Project, explain_failure
from trivselkode.tui.common.failures import SaysWorkerFailures
from trivselkode.tui.common.footer import TranslatedFooter
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.keys import EVERYWHERE_HERE, help_sections
from trivselkode.tui.common.picker import CodePickerDialog
from trivselkode.tui.common.plain import inert_line
from trivselkode.tui.messages import JumpToPassage
from trivselkode.tui.review_queue.decisions import QueueDecisions
from trivselkode.tui.review_queue.keys import HELP_EXTRA, HELP_TEXT
from trivselkode.tui.review_queue.view import empty_text, item_head, item_text

if TYPE_CHECKING:
    from trivselkode.analysis.learn_process import Learner
    from trivselkode.tui.app import TrivselApp


class ReviewQueueScreen(SaysWorkerFailures, Screen[None], QueueDecisions):
    """The review queue of one code for this coder."""

    CSS_PATH = str(Path(__file__).with_name("screen.tcss"))
    HELP_TITLE = N_("Forslagskø")
    HELP_TEXT = HELP_TEXT

    BINDINGS = [
        Binding("y", "accept", N_("Kod")),
        Binding("n", "reject", N_("Afvis")),
        Binding("space", "open_context", N_("Kontekst")),
        Binding("u", "undo", N_("fortryd¦Fortryd")),
        Binding("s", "skip", N_("Spring over"), show=False),
        Binding("r", "rerank", N_("Rangér"), show=False),
        Binding("p", "choose_code", N_("Kode"), show=False),
        Binding("escape", "escape", N_("Tilbage")),
        Binding("q", "back", N_("Tilbage"), show=False),
        Binding("question_mark", "show_keys", N_("Taster"), priority=True),
    ]

    @dataclass
    class RankingDone(Message):
        ranking: Ranking
        generation: int

    @dataclass
    class RankingFailed(Message):
        error: str
        generation: int

    @dataclass
    class ElsewhereChecked(Message):
        gone: set[int]

    def __init__(self, project: Project, coder: str | None, code_key: str | None = None) -> None:
        super().__init__()
        self.project = project
        self.coder = coder or ""
        self.code_key = code_key
        self.code: ops.CodeInfo | None = None
        self.codes: list[ops.CodeInfo] = []
        self.queue = ReviewQueue()
        self.ranking = False  # a ranking is running
        self.ranked = False  # a ranking of this code has arrived
        self.last_ranking: Ranking | None = None
        self._again = False  # rank again once the running one is done
        self._since_rank = 0
        self._generation = 0
        self._model_dir: Path | None = None
        self._under_dialog = False
        self._started = False  # on_mount has run (the codebook is read)

    @property
    def tapp(self) -> TrivselApp:
        return self.app  # type: ignore[return-value]

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(_("Forslagskø"), id="queue-title", classes="screen-title")
        yield Static("", id="queue-status")
        yield Static("", id="queue-head")
        with VerticalScroll(id="queue-body"):
            yield Static("", id="queue-text")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self._started = True
        self.query_one("#queue-body").focus()
        self._read_codes()
        if self.code_key is None:
            self.action_choose_code()
        else:
            self.show_code(self.code_key)

    def _read_codes(self) -> bool:
        """The codebook, read at once (one small query): the title and the picker need it now."""
        try:
            self.codes = ops.load_codes(self.project)
        except Exception as exc:  # the server gone: said; p tries again
            self.app.notify(
                _("Kodebogen kunne ikke hentes: {error}").format(error=explain_failure(exc)),
                severity="error",
                timeout=8,
            )
            return False
        return True

    def on_unmount(self) -> None:
        if self._model_dir is not None:
            shutil.rmtree(self._model_dir, ignore_errors=True)

    def show_code(self, code_key: str) -> None:
        """Review ``code_key`` (from Kodebog, Udtræk, Kodning): a fresh queue, ranked anew."""
        self.code_key = code_key
        if not self._started:
            return  # on_mount shows it
        code = next((c for c in self.codes if c.key == code_key), None)
        if self.coder == CONSENSUS_CODER:
            self.app.notify(
                _("'{CONSENSUS_CODER}' kodes ikke direkte; åbn køen under dit eget navn.").format(
                    CONSENSUS_CODER=CONSENSUS_CODER
                ),
                severity="error",
            )
            self.code = None
        elif code is None or code.retired:
            what = _("er udgået") if code is not None else _("findes ikke i kodebogen")
            self.app.notify(
                _("Koden {code_key} {what}; vælg en anden med p.").format(code_key=code_key, what=what),
                severity="error",
                timeout=6,
            )
            self.code = None
        else:
            self.code = code
        self.queue = ReviewQueue()
        self.ranked = False
        self._generation += 1
        if self.code is not None:
            self.rank()
        self._show()

    # ----------------------------------------------------------------- ranking

    def rank(self) -> None:
        """Rank in the background (after the running ranking, if one runs); the keys keep working."""
        if self.code is None:
            return
        if self.ranking:
            self._again = True
            return
        self.ranking, self._again, self._since_rank = True, False, 0
        self._show_status()
        self._run_ranking(self.code.key, self._generation)

    def learner(self) -> Learner:
        """The app's learner: training and ranking in its helper process, one request at a time."""
        return self.tapp.learner

    def _model_path(self) -> Path:
        if self._model_dir is None:
            self._model_dir = Path(tempfile.mkdtemp(prefix="trivselkode-forslagsko-"))
        return self._model_dir / "model.npz"

    @work(thread=True, group="review-queue-rank", exit_on_error=False)
    def _run_ranking(self, code_key: str, generation: int) -> None:
        try:  # the model is this screen's own file: Kodning's model learns from everyone
            ranking = fetch_ranking(self.learner(), self.project, code_key, coder=self.coder, model=self._model_path())
        except Exception as exc:  # the helper gone, the server gone: said, the queue kept
            self.post_message(self.RankingFailed(explain_failure(exc), generation))
            return
        self.post_message(self.RankingDone(ranking, generation))

    @on(RankingDone)
    def _ranking_done(self, message: RankingDone) -> None:
        self.ranking = False
        if message.generation == self._generation:
            self.queue.rerank(message.ranking.items)
            self.ranked = True
            self.last_ranking = message.ranking
            self._show()
        if self._again:
            self.rank()
        self._show_status()

    @on(RankingFailed)
    def _ranking_failed(self, message: RankingFailed) -> None:
        self.ranking = False
        if message.generation == self._generation:
            self.app.notify(
                _("Udsagnene kunne ikke rangeres: {error}").format(error=message.error), severity="error", timeout=8
            )
            self.ranked = True
            self._show()
        if self._again:
            self.rank()

    # ---------------------------------------------------------------- showing

    def _show(self) -> None:
        self._show_title()
        self._show_status()
        item = self.queue.current
        head = self.query_one("#queue-head", Static)
        body = self.query_one("#queue-body", VerticalScroll)
        text = self.query_one("#queue-text", Static)
        if item is None:
            head.update("")
            head.display = False
            text.update(empty_text(self.code.key if self.code else None, self.ranking, self.ranked))
        else:
            head.display = True
            head.update(item_head(item))
            text.update(item_text(item))
        body.scroll_home(animate=False)

    def _show_title(self) -> None:
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(_("Forslagskø"), style="bold")
        if self.code is not None:
            title.append(" · " + inert_line(self.code.key), style="bold")
            title.append(" · " + inert_line(self.code.name))
        self.query_one("#queue-title", Static).update(title)

    def _show_status(self) -> None:
        queue = self.queue
        counts = _("{coded} kodet · {rejected} afvist · {remaining} tilbage").format(
            coded=queue.coded, rejected=queue.rejected, remaining=queue.remaining
        )
        parts = [counts] if self.ranked else []
        if self.ranking:
            parts.append(_("rangerer …") if self.ranked else _("rangerer udsagnene …"))
        elif self.last_ranking is not None:
            learned = self.last_ranking
            whose = (
                _("alles kodninger") if learned.learned_from_all else _("{coder}s kodninger").format(coder=self.coder)
            )
            parts.append(
                _("lært af {examples} udsagn ({whose})").format(examples=learned.examples, whose=whose)
                if learned.examples
                else _("efter nøgleord")
            )
        line = Text(inert_line(" · ".join(parts)), no_wrap=True, overflow="ellipsis")
        self.query_one("#queue-status", Static).update(line)

    # ---------------------------------------------------------------- context

    def action_open_context(self) -> None:
        item = self.queue.current
        if item is not None:
            self.post_message(JumpToPassage(item.source, item.number))

    def on_screen_suspend(self) -> None:
        self._under_dialog = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        """Back from Kodning (or another screen): passages coded or rejected there leave the queue."""
        if self.ranked and not self._under_dialog and self.code is not None and self.queue.pending:
            self._check_elsewhere(self.code.key, [i.passage_id for i in self.queue.pending])
        self._under_dialog = False

    @work(thread=True, group="review-queue-check", exit_on_error=False)
    def _check_elsewhere(self, code_key: str, passage_ids: list[int]) -> None:
        self.post_message(self.ElsewhereChecked(decided_elsewhere(self.project, self.coder, code_key, passage_ids)))

    @on(ElsewhereChecked)
    def _elsewhere_checked(self, message: ElsewhereChecked) -> None:
        if message.gone and self.queue.drop(message.gone):
            self._show()

    # ------------------------------------------------------------------- misc

    def action_rerank(self) -> None:
        self.rank()
        self._show_status()

    def action_choose_code(self) -> None:
        if not self.codes and not self._read_codes():
            return
        if not self.codes:
            self.app.notify(_("Kodebogen er tom."), severity="warning")
            return

        def chosen(code_id: int | None) -> None:
            key = next((c.key for c in self.codes if c.id == code_id), None)
            if key is not None:
                self.show_code(key)
            elif self.code is None:  # opened without a code and none chosen
                self.action_back()

        self.app.push_screen(CodePickerDialog.for_codes(self.codes, title=_("Forslagskø: vælg kode")), chosen)

    def action_escape(self) -> None:
        self.action_back()

    def action_back(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def help_extra(self) -> list[tuple[str, list[tuple[str, str]]]]:
        return [(_(title), [(_(keys), _(what)) for keys, what in rows]) for title, rows in HELP_EXTRA]

    def action_show_keys(self) -> None:
        sections = help_sections(self, EVERYWHERE_HERE)
        self.app.push_screen(HelpDialog(_(self.HELP_TITLE), sections, own_question_mark=True))
