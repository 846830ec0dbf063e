"""The review's actions beyond the four settle keys: a reason, undo, correcting one's own coding, the log.

:class:`ReviewActions` is the base of
:class:`~trivselkode.tui.agreement.review.DisagreementReviewScreen`; its keys
(:data:`ACTION_BINDINGS`) are listed in that screen's ``BINDINGS``.

- ``r`` settles the current disagreement, or changes its settlement, with a
  reason (:class:`~trivselkode.tui.agreement.dialogs.ReasonDialog`), through
  the screen's own settle worker.
- ``x`` undoes the settlement (:func:`trivselkode.storage.consensus.unsettle`):
  the decision and the consensus coding of the code there go, the
  disagreement is open again.
- ``o`` toggles the code under review on the passage for the coder at the
  screen, when the project allows it (``allow_own_fix``,
  :mod:`trivselkode.storage.project_settings`), through the one writer of
  codings (:func:`trivselkode.storage.coding_ops.toggle_code`); the code's
  agreement is recomputed at once and shown.
- ``h`` opens the audit log (:class:`~trivselkode.tui.agreement.audit.AuditScreen`).

Every change is one transaction in a thread worker and adds a row to the
audit trail; the screen shows it once it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from trivselkode.analysis.review import CHOICE_LABELS, ReviewItem
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _
from trivselkode.storage.db import Project, explain_failure
from trivselkode.tui.agreement.audit import AuditScreen
from trivselkode.tui.agreement.dialogs import ReasonDialog
from trivselkode.tui.agreement.words import number
from trivselkode.tui.common.lang import translated
from trivselkode.tui.messages import CodingsChanged

# Texts of other modules shown here, declared for the catalogue: analysis.review's CHOICE_LABELS
# (begge, ingen, manuelt: declared in .audit) and storage.project_settings' OWN_FIX_HINT.
N_("slå det til med `trivselkode consensus settings --allow-own-fix`")

ACTION_BINDINGS = [
    Binding(
        "r", "reason", N_("Begrundelse"), show=False, tooltip=N_("afgør (eller ret afgørelsen) med en begrundelse")
    ),
    Binding("x", "undo_settlement", N_("Ophæv"), show=False, tooltip=N_("ophæv afgørelsen: uenigheden er åben igen")),
    Binding(
        "o",
        "own_fix",
        N_("Ret egen"),
        show=False,
        tooltip=N_("sæt/fjern koden på udsagnet i din egen kodning (hvis tilladt)"),
    ),
    Binding(
        "h", "audit", N_("Log"), show=False, tooltip=N_("afgørelsesloggen: hvem afgjorde hvad, hvornår og hvorfor")
    ),
]


def agreement_line(row) -> str:  # noqa: ANN001 (an icr.CodeAgreement)
    """``T1 nu: enighed 0.900 · κ 0.780 · α 0.770 · 1 uenige``: a code's recomputed figures in one line."""
    return _(
        "{code} nu: enighed {agreement} · κ {cohen_kappa} · α {krippendorff_alpha} · {disagreements} uenige"
    ).format(
        code=row.code,
        agreement=number(row.agreement),
        cohen_kappa=number(row.cohen_kappa),
        krippendorff_alpha=number(row.krippendorff_alpha),
        disagreements=row.disagreements,
    )


class ReviewActions(Screen[int]):
    """Reason, undo, own fix and the log, for the review screen (which provides the attributes below)."""

    project: Project
    coder: str
    pair: tuple[str, str]
    code: str | None
    all_passages: bool
    unit: str
    overlap: float
    items: list[ReviewItem]
    index: int
    busy: bool

    @dataclass
    class ItemChanged(Message):
        """An undo or an own fix is stored: the item as it is now, and a line saying what happened."""

        index: int
        item: ReviewItem
        said: str
        resolved: bool | None = None  # own fix: the two coders now agree (None: not an own fix)

    @dataclass
    class ActionFailed(Message):
        message: str

    def __init__(self) -> None:
        super().__init__()
        self.resolved: set[tuple[int, int]] = set()  # corrected by a coder: no longer a disagreement
        self.last_action: str | None = None

    if TYPE_CHECKING:  # defined by the review screen (tui/agreement/review.py), which subclasses this

        def _show(self, index: int) -> None: ...

        def _show_counter(self) -> None: ...

        def _start_settle(self, index: int, choice: str, reason: str | None = None) -> None: ...

    @property
    def current(self) -> ReviewItem | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    # ------------------------------------------------------------- reason

    def action_reason(self) -> None:
        item = self.current
        if item is None or self.busy:
            return
        a, b = item.coders
        choices = [
            ("a", f"A ({a})"),
            ("b", f"B ({b})"),
            ("both", _(CHOICE_LABELS["both"])),
            ("neither", _(CHOICE_LABELS["neither"])),
        ]
        decision = item.decision
        heading = _("{code} · {source} udsagn {number}").format(code=item.code, source=item.source, number=item.number)
        index = self.index

        def chosen(result: tuple[str, str] | None) -> None:
            if result is not None and 0 <= index < len(self.items):
                self._start_settle(index, result[0], result[1])

        current = decision.choice if decision is not None else None
        reason = (decision.reason or "") if decision is not None else ""
        self.app.push_screen(ReasonDialog(heading, choices, current, reason), chosen)

    # --------------------------------------------------------------- undo

    def action_undo_settlement(self) -> None:
        item = self.current
        if item is None or self.busy:
            return
        if not item.settled:
            self.notify(_("Denne uenighed er ikke afgjort; der er intet at ophæve."), timeout=3)
            return
        self.busy = True
        self._show_counter()
        self._undo(self.index, item)

    @work(thread=True, group="review-settle", exit_on_error=False)
    def _undo(self, index: int, item: ReviewItem) -> None:
        from trivselkode.analysis.review import reload_item
        from trivselkode.storage.consensus import unsettle

        try:
            done = unsettle(self.project, item.source, item.number, item.code, self.coder)
            fresh = reload_item(self.project, item)
        except TrivselError as exc:
            self.post_message(self.ActionFailed(str(exc)))
            return
        except Exception as exc:  # the database or a bug: said; one transaction, so nothing half-stored
            self.post_message(self.ActionFailed(explain_failure(exc)))
            return
        said = _("Ophævet: {code} · {source} #{number} (var {previous})").format(
            code=item.code,
            source=item.source,
            number=item.number,
            previous=translated(CHOICE_LABELS.get(done.previous or "", done.previous or "")),
        )
        self.post_message(self.ItemChanged(index, fresh, said))

    # ------------------------------------------------------------ own fix

    def action_own_fix(self) -> None:
        from trivselkode.storage.project_settings import OWN_FIX_HINT, allow_own_fix

        item = self.current
        if item is None or self.busy:
            return
        if self.coder not in item.coders:
            a, b = item.coders
            self.notify(
                _("Du ({coder}) er ikke en af de to kodere her; kun {a} og {b} kan rette deres egen kodning.").format(
                    coder=self.coder, a=a, b=b
                ),
                severity="warning",
                timeout=5,
            )
            return
        if not allow_own_fix(self.project):
            self.notify(
                _("Projektet tillader ikke at rette egen kodning her; {OWN_FIX_HINT}.").format(
                    OWN_FIX_HINT=_(OWN_FIX_HINT)
                ),
                timeout=6,
            )
            return
        self.busy = True
        self._show_counter()
        self._own_fix(self.index, item)

    @work(thread=True, group="review-settle", exit_on_error=False)
    def _own_fix(self, index: int, item: ReviewItem) -> None:
        from trivselkode.analysis.icr import agreement_report
        from trivselkode.analysis.review import disagreeing_pairs, reload_item
        from trivselkode.storage.coding_ops import toggle_code

        unit, overlap, everything = self.unit, self.overlap, self.all_passages
        try:
            added, _removed = toggle_code(self.project, self.coder, item.passage_id, item.code_id)
            fresh = reload_item(self.project, item)
            still = (item.passage_id, item.code_id) in disagreeing_pairs(
                self.project,
                item.coders,
                item.code,
                sources=[item.source],
                all_passages=everything,
                unit=unit,
                overlap=overlap,
            )
            report = agreement_report(
                self.project, list(item.coders), [item.code], all_passages=everything, unit=unit, overlap=overlap
            )
        except TrivselError as exc:
            self.post_message(self.ActionFailed(str(exc)))
            return
        except Exception as exc:  # said; the toggle is one transaction
            self.post_message(self.ActionFailed(explain_failure(exc)))
            return
        what = _("sat på") if added else _("fjernet fra")
        said = _("Din {code} er {what} udsagn {number}. ").format(
            code=item.code, what=what, number=item.number
        ) + agreement_line(report.codes[0])
        self.post_message(self.ItemChanged(index, fresh, said, resolved=not still))

    # --------------------------------------------------------------- audit

    def action_audit(self) -> None:
        self.app.push_screen(AuditScreen(self.project, self.code))

    # ------------------------------------------------------------ results

    @on(ItemChanged)
    def _item_changed(self, message: ItemChanged) -> None:
        self.busy = False
        if not 0 <= message.index < len(self.items):
            return
        self.items[message.index] = message.item
        key = (message.item.passage_id, message.item.code_id)
        if message.resolved is True:
            self.resolved.add(key)
        elif message.resolved is False:
            self.resolved.discard(key)
        self.post_message(CodingsChanged(message.item.source))
        self.last_action = message.said
        if message.index == self.index:
            self._show(self.index)
        else:
            self._show_counter()

    @on(ActionFailed)
    def _action_failed(self, message: ActionFailed) -> None:
        self.busy = False
        self.notify(_("Ikke gemt: {message}").format(message=message.message), severity="error", timeout=8)
        self._show_counter()

    def action_text(self) -> Text:
        """The line of the last undo or own fix (shown in the decision area), or nothing."""
        return Text(self.last_action or "", style="dim")
