"""Background work that fails is said in one line; the app goes on.

Every screen's workers run with ``exit_on_error=False``: when one raises (the
database server gone, the network down, a full disk), the screen shows what
went wrong and how to mend it, and the coder keeps the session. What was
being saved was one transaction, so nothing is half-stored; once the server
is back, the next action (or ``r`` where a screen offers it) works again.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState

from trivselkode.storage.db import explain_failure


class SaysWorkerFailures:
    """Mixed into a screen: a worker of it that ends in an error becomes a notification."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        self.log.error(f"worker {event.worker.name!r} failed: {event.worker.error!r}")  # type: ignore[attr-defined]
        self.app.notify(explain_failure(event.worker.error), severity="error", timeout=10)  # type: ignore[attr-defined]
