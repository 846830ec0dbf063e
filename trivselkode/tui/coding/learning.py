"""The app's learned model for Kodning's suggestions: trained in the background, retrained as codings accumulate.

One :class:`~trivselkode.analysis.learn_process.LearnerProcess` per app
(``TrivselApp.learner``) trains the model from the project's codings (every
coder's, or the consensus where it exists) in a helper process and saves it
to a temporary file; a thread worker waits on that process (the UI's thread
never does) and loads the file with :meth:`LearnedModel.load`. Until the
first model is ready the keyword suggestions show.

A training starts when Kodning is first opened, after every
:data:`RETRAIN_EVERY` new codings by this coder in this session, and on ``r``
in Kodning. One already running is not started twice: one more is queued and
starts when it ends, so the newest codings are always learned from. Quitting
does not wait for a training: the app's unmount closes the learner, which
kills a training in progress.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from trivselkode.i18n import _, ngettext
from trivselkode.storage.db import explain_failure

if TYPE_CHECKING:
    from textual.app import App

    from trivselkode.analysis.learn import LearnedModel
    from trivselkode.analysis.learn_process import Learner, Trained

#: New codings by this coder (this session) after which the model is trained again.
RETRAIN_EVERY = 10


@dataclass
class ModelTrained(Message):
    """A training ended with a model, loaded (posted to the app from the training worker)."""

    model: LearnedModel
    trained: Trained


@dataclass
class TrainingFailed(Message):
    """A training ended without a model: the suggestions go on with the last one (or the keywords)."""

    error: str


def model_status(model: LearnedModel | None, training: bool) -> str:
    """What the suggestions are made from, as Kodning's panel says it."""
    if model is not None and model.codes:
        n = model.n_examples
        status = ngettext("Forslag: lært af {n} kodede udsagn", "Forslag: lært af {n} kodede udsagn", n).format(n=n)
    else:
        status = _("Forslag: nøgleord")
    return status + (" · " + _("lærer …") if training else "")


class ModelKeeper:
    """The app's current model and its trainings (one at a time, one more queued)."""

    def __init__(self, app: App, learner: Learner, *, enabled: bool, changed: Callable[[bool], None]) -> None:
        self.app = app
        self.learner = learner
        self.enabled = enabled  # False: no training at all (tests, benches): the keywords suggest
        self.model: LearnedModel | None = None
        self.generation = 0  # bumped with each new model: suggestions scored with an older one are dropped
        self.training = False
        self.queued = False
        self.trainings = 0  # started so far
        self._since = 0  # new codings since the last training started
        self._changed = changed  # called on the UI thread: (a new model?) -> None
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._current: Path | None = None

    def status(self) -> str:
        """What the suggestions are made from now (Kodning's panel)."""
        return model_status(self.model, self.training)

    def train(self) -> None:
        """Train again in the background (or once more after the one running)."""
        if not self.enabled:
            return
        if self.training:
            self.queued = True
            return
        self.training, self.queued, self._since = True, False, 0
        self.trainings += 1
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="trivselkode-model-", ignore_cleanup_errors=True)
        out = Path(self._folder.name) / f"model-{self.trainings}.npz"
        url: str = self.app.project.url  # type: ignore[attr-defined]  # TrivselApp's
        learner, app = self.learner, self.app

        def job() -> None:
            try:
                trained = learner.train(url, coder=None, out=out)
                # numpy comes with it: imported once the helper has trained, not while a screen opens
                from trivselkode.analysis.learn import LearnedModel

                model = LearnedModel.load(trained.path)
            except Exception as exc:  # the helper killed on quitting, a bad file, the server gone: said, not fatal
                app.post_message(TrainingFailed(explain_failure(exc)))
                return
            app.post_message(ModelTrained(model, trained))

        app.run_worker(job, thread=True, group="learn", exit_on_error=False, description="learn")
        self._changed(False)

    def start(self) -> None:
        """Kodning opened: the first training, unless one has started already."""
        if self.trainings == 0:
            self.train()

    def coded(self, count: int) -> None:
        """This coder stored ``count`` new codings: every :data:`RETRAIN_EVERY` of them, train again."""
        if count <= 0 or not self.enabled:
            return
        self._since += count
        if self._since >= RETRAIN_EVERY:
            self.train()

    def trained(self, message: ModelTrained) -> None:
        """On the UI thread: the new model replaces the old one; a queued training starts."""
        self.training = False
        self.model = message.model
        self.generation += 1
        old, self._current = self._current, message.trained.path
        if old is not None and old != self._current:
            old.unlink(missing_ok=True)
        self._after()
        self._changed(True)

    def failed(self, message: TrainingFailed) -> None:
        self.training = False
        self.app.notify(
            _("Forslagene kunne ikke lære af kodningerne: {error}").format(error=message.error),
            severity="warning",
            timeout=6,
        )
        self._after()
        self._changed(False)

    def _after(self) -> None:
        if self.queued:
            self.train()

    def close(self) -> None:
        """Stop the learner (a training in progress is killed) and remove the model files."""
        self.enabled = False
        self.learner.close()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
