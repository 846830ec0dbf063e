"""``n`` when nothing is left to code in a source: say so and offer the next unfinished source.

The next unfinished source is the first after this one, in the overview's
order and going round, that the coder has not marked done and that has
participants' passages the coder has not coded. Enter opens it in Kodning;
Escape stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from trivselkode.i18n import _
from trivselkode.storage.coding_views import OverviewRow, overview_rows
from trivselkode.storage.db import explain_failure
from trivselkode.tui.common.confirm import ConfirmDialog

if TYPE_CHECKING:
    from trivselkode.tui.coding.screen import CodingScreen


def next_unfinished(rows: Sequence[OverviewRow], current: str) -> OverviewRow | None:
    """The first source after ``current`` (going round) not done by the coder and with passages left to code."""
    names = [r.name for r in rows]
    start = names.index(current) + 1 if current in names else 0
    for row in [*rows[start:], *rows[:start]]:
        if row.name != current and not row.done_by_me and row.coded < row.participant_passages:
            return row
    return None


def offer_next_source(screen: CodingScreen) -> None:
    """Say that nothing is left to code here and offer the next unfinished source (read in a worker)."""
    app, coder, current = screen.tapp, screen.tapp.coder, screen.source_name
    done_here = screen.view is not None and coder in screen.view.done_by

    def job() -> None:
        try:
            found = next_unfinished(overview_rows(app.project, coder), current)
        except Exception as exc:  # shown, never swallowed
            said = _("Kilderne kunne ikke læses: {error}").format(error=explain_failure(exc))
            app.call_from_thread(app.notify, said, severity="error")
            return
        app.call_from_thread(_offer, screen, found, done_here)

    screen.run_worker(job, thread=True, group="next-source", exclusive=True, exit_on_error=False)


def _offer(screen: CodingScreen, found: OverviewRow | None, done_here: bool) -> None:
    hint = "" if done_here else " " + _("Tryk d for at markere den færdig.")
    if found is None:
        said = _("Der er intet mere at kode i {source}, og ingen anden kilde mangler.").format(
            source=screen.source_name
        )
        screen.app.notify(said + hint)
        return
    question = (
        _("Der er intet mere at kode i {source}.").format(source=screen.source_name)
        + hint
        + "\n\n"
        + _("Åbn den næste ufærdige kilde, {source} ({coded} af {total} kodet)?").format(
            source=found.name, coded=found.coded, total=found.participant_passages
        )
    )

    def answered(yes: bool | None) -> None:
        if yes:
            screen.tapp.open_coding(found.name, None)

    screen.app.push_screen(ConfirmDialog(question, yes=_("Åbn"), no=_("Bliv"), title=_("Intet mere at kode")), answered)
