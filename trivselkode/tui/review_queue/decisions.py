"""Deciding in the review queue: ``y`` codes, ``n`` rejects, ``u`` takes the last one back.

A mixin of :class:`~trivselkode.tui.review_queue.screen.ReviewQueueScreen`.
A decision moves the queue on at once (:class:`~trivselkode.analysis.review_queue.ReviewQueue`);
the write follows through the app's writer (:meth:`TrivselApp.run_write`),
in the order typed. A ``y`` is stored with the same core call as Kodning and
Udtræk (:func:`~trivselkode.storage.coding_ops.apply_change`) and recorded
in the app's undo history, so an undo anywhere takes it back and the queue
follows (:meth:`QueueDecisions.show_history_step`); an ``n`` is a rejection
(:func:`~trivselkode.storage.rejections.reject`). A write that is refused
puts its passage back. Handlers are named ``on_<message>`` (Textual finds
those on a mixin; ``@on`` needs the class).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trivselkode.analysis.review_queue import ReviewQueue
from trivselkode.domain.undo import CodingAction, CodingFact
from trivselkode.i18n import _
from trivselkode.storage import coding_ops as ops
from trivselkode.tui.messages import CodingsChanged, Refused, Stored

if TYPE_CHECKING:
    from trivselkode.tui.app import TrivselApp

RERANK_EVERY = 10  # decisions between background rankings


@dataclass
class QueueCoded(Stored):
    """A ``y`` is stored (``result``: added, removed)."""

    passage_id: int
    label: str
    source_name: str
    passage_number: int


@dataclass
class QueueRejected(Stored):
    """An ``n`` is stored (``result``: whether the rejection is new)."""

    passage_id: int


@dataclass
class QueueTakenBack(Stored):
    """An undo of a ``y`` or an ``n`` is stored: the passage is the current one again."""

    passage_id: int
    what: str


@dataclass
class QueueWriteRefused(Refused):
    """A decision was not stored: the passage is put back (``restore``). Bubbles on to the app, which says it."""

    passage_id: int
    restore: bool


class QueueDecisions:
    """``y``, ``n``, ``s`` and ``u`` on the current passage (mixed into the screen)."""

    app: Any
    tapp: TrivselApp
    coder: str
    code: ops.CodeInfo | None
    queue: ReviewQueue
    ranking: bool
    _since_rank: int
    # and from the screen: rank(), _show(), post_message()

    def _decided(self) -> None:
        self._since_rank += 1
        if self._since_rank >= RERANK_EVERY:
            self.rank()
        self._show()

    def _nothing_to_decide(self) -> bool:
        if self.queue.current is not None and self.code is not None:
            return False
        self.app.notify(
            _("Rangeringen er i gang.") if self.ranking else _("Intet udsagn at tage stilling til."), timeout=2
        )
        return True

    def action_accept(self) -> None:
        item, code = self.queue.current, self.code
        if self._nothing_to_decide() or item is None or code is None:
            return
        self.queue.decide("y")
        label = _("{key} på udsagn {number}").format(key=code.key, number=item.number)
        self.tapp.run_write(
            ops.apply_change,
            self.coder,
            added=[CodingFact(item.passage_id, code.id)],
            reply_to=self,
            stored=QueueCoded(item.passage_id, label, item.source, item.number),
            refused=QueueWriteRefused(item.passage_id, restore=True),
        )
        self._decided()

    def action_reject(self) -> None:
        from trivselkode.storage.rejections import reject

        item, code = self.queue.current, self.code
        if self._nothing_to_decide() or item is None or code is None:
            return
        self.queue.decide("n")
        self.tapp.run_write(
            reject,
            self.coder,
            item.passage_id,
            code.key,
            reply_to=self,
            stored=QueueRejected(item.passage_id),
            refused=QueueWriteRefused(item.passage_id, restore=True),
        )
        self._decided()

    def action_skip(self) -> None:
        self.queue.skip()
        self._show()

    def on_queue_coded(self, message: QueueCoded) -> None:
        added, removed = message.result
        decision = self.queue.decision_of(message.passage_id)
        action = self.tapp.history.record_change(
            added,
            removed,
            label=message.label,
            source_name=message.source_name,
            passage_number=message.passage_number,
        )
        if decision is not None:
            decision.action, decision.stored = (action if added else None), True
        self.post_message(CodingsChanged(message.source_name))

    def on_queue_rejected(self, message: QueueRejected) -> None:
        decision = self.queue.decision_of(message.passage_id)
        if decision is not None:
            decision.stored = True

    def on_queue_write_refused(self, message: QueueWriteRefused) -> None:
        if message.restore:  # the decision was not stored: the passage is back
            if self.queue.restore(message.passage_id) is not None:
                self._show()
        elif (decision := self.queue.decision_of(message.passage_id)) is not None:
            decision.undoing = False  # its undo was not stored: it can be tried again

    # ------------------------------------------------------------------- undo

    def action_undo(self) -> None:
        from trivselkode.storage.rejections import unreject

        last, code = self.queue.last(), self.code
        if last is None or code is None:
            self.app.notify(_("Intet at fortryde i køen."), timeout=2)
            return
        if not last.stored:
            self.app.notify(_("Gemmer stadig – tryk u igen om et øjeblik."), timeout=2)
            return
        item = last.item
        last.undoing = last.action is not None or last.verdict == "n"  # a write follows
        if last.verdict == "n":
            what = _("afvisning af {key} på udsagn {number}").format(key=code.key, number=item.number)
            self.tapp.run_write(
                unreject, self.coder, item.passage_id, code.key, reply_to=self,
                stored=QueueTakenBack(item.passage_id, what),
                refused=QueueWriteRefused(item.passage_id, restore=False),
            )  # fmt: skip
        elif last.action is None:  # it was coded already: nothing was stored, nothing to take back
            self.queue.restore(item.passage_id)
            self._show()
        elif self.tapp.history.peek_undo() is last.action:
            self.tapp.undo()  # the app's undo: shown here by show_history_step, redo works in Kodning too
        else:  # coded elsewhere since: take back this coding alone
            self.tapp.run_write(
                ops.apply_change, self.coder, removed=list(last.action.added), reply_to=self,
                stored=QueueTakenBack(item.passage_id, last.action.label),
                refused=QueueWriteRefused(item.passage_id, restore=False),
            )  # fmt: skip

    def on_queue_taken_back(self, message: QueueTakenBack) -> None:
        if self.queue.restore(message.passage_id) is not None:
            self._show()
        self.app.notify(_("Fortrudt: {what}").format(what=message.what), timeout=2)

    def show_history_step(self, action: CodingAction, added: list[CodingFact], removed: list[CodingFact]) -> None:
        """An undo or redo of this coder's codings (here or in Kodning): the queue follows it."""
        code = self.code
        if code is None:
            return
        changed = False
        for fact in removed:
            decision = self.queue.decision_of(fact.passage_id)
            if fact.code_id == code.id and decision is not None and decision.verdict == "y":
                changed |= self.queue.restore(fact.passage_id) is not None
        for fact in added:
            if fact.code_id == code.id:
                changed |= self.queue.mark(fact.passage_id, "y", action) is not None
        if changed:
            self._show()
