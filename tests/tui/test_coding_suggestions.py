"""Kodning's learned suggestions: shown without writing, taken with ``+``, learned again in the background.

The app trains its model through a learner at the process boundary: here a
double that trains in this process (on the word forms, as the app scores
them with ``analyze=simple_analyze``) once its gate is open, so a test can
hold a training running while it presses keys; one test runs the real
:class:`~trivselkode.analysis.learn_process.LearnerProcess` (with spaCy) to
the end, one quits while it trains.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, insert, inspect, select, text
from textual.pilot import Pilot
from textual.worker import WorkerState

from tests.tui.conftest import build_project, code_ids, codings, make_app, passage_ids, sentences, settle
from trivselkode.analysis.learn_process import LearnerProcess, Trained
from trivselkode.analysis.learn_project import train_project
from trivselkode.analysis.suggest import simple_analyze
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.models import Participant, Passage, Source
from trivselkode.tui.coding.codebook_panel import CodebookPanel
from trivselkode.tui.coding.learning import RETRAIN_EVERY
from trivselkode.tui.coding.screen import CodingScreen
from trivselkode.tui.common.dialogs import SuggestionDialog

pytestmark = pytest.mark.anyio
SOURCE = "laering"

# Passages about the staff's help, without any of T4's keywords (personale, venlig, hjælpsom):
# only a model learned from codings can suggest T4 for them.
STAFF = [
    "Bibliotekaren hjalp mig med at finde en bog om haver.",
    "Bibliotekaren viste mig, hvordan jeg låner e-bøger.",
    "Hun ved skranken hjalp mig med printeren.",
    "Bibliotekaren fandt den rigtige bog til mit barnebarn.",
    "Manden ved skranken forklarede mig det hele tålmodigt.",
    "Bibliotekaren hjalp mig med min computer.",
    "De ansatte hjalp mig med at bestille bøger hjem.",
    "Bibliotekaren tog sig god tid til at hjælpe mig.",
]
OTHER = [
    "Jeg kommer for at læse avisen hver morgen.",
    "Der er mange aviser og blade at vælge imellem.",
    "Om søndagen er der lukket.",
    "Jeg tager bussen herind to gange om ugen.",
    "Min datter kommer også her med børnene.",
    "Bøgerne står lidt rodet på hylderne.",
    "Kaffen i hjørnet er god.",
    "Jeg kan godt lide de nye lænestole.",
    "Parkeringen er et problem.",
    "Vi læser højt for børnene om lørdagen.",
    "Jeg låner mest krimier.",
    "Der er internet, så jeg arbejder herfra.",
]
TARGET = "Bibliotekaren hjalp mig med at finde en roman."  # like STAFF; nobody codes it
TURNS = [*STAFF, *OTHER, TARGET]  # passage n is TURNS[n - 1]; all the participant's
TARGET_NUMBER = len(TURNS)


class InProcessLearner:
    """The learner at the process boundary: trains in this process (word forms), once ``gate`` is open."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.gate = gate or threading.Event()
        if gate is None:
            self.gate.set()
        self.started = 0
        self.finished = 0
        self.closed = False

    def train(self, url: str, *, coder: str | None, out: Path) -> Trained:
        self.started += 1
        if not self.gate.wait(timeout=120):  # a safety net for a broken test, not a timing
            raise RuntimeError("the test never opened the gate")
        project, _ = open_project(url)
        try:
            model = train_project(project, coder=coder, analyze=simple_analyze)
        finally:
            project.dispose()
        model.save(out)
        self.finished += 1
        return Trained(out, model.n_examples, model.codes, 0.0)

    def rank(self, *args: object, **kwargs: object) -> list:
        raise AssertionError("Kodning never ranks")

    def close(self) -> None:
        self.closed = True


@pytest.fixture()
def learn_project(tui_db: str):  # noqa: ANN201
    """The small project, and a source whose passages a model can learn T4 from (bo coded the others)."""
    project = build_project(tui_db)
    with project.write() as s:
        src = Source(name=SOURCE, title="Læring", kind="interview", site="Skive", context="bibliotek", text="")
        s.add(src)
        s.flush()
        person = Participant(source_id=src.id, label="P1", gender="kvinde", age=58)
        s.add(person)
        s.flush()
        s.execute(
            insert(Passage),
            [
                dict(source_id=src.id, number=n, participant_id=person.id, start=0, end=len(t), text=t,
                     sentences=sentences(t))
                for n, t in enumerate(TURNS, start=1)
            ],
        )  # fmt: skip
    pids, codes = passage_ids(project)[SOURCE], code_ids(project)
    for n, turn in enumerate(TURNS, start=1):
        if turn in OTHER:
            ops.toggle_code(project, "bo", pids[n - 1], codes["T5" if n % 2 else "T2"])
    yield project
    project.dispose()


def learning_app(project: Project, learner: InProcessLearner, **kwargs):  # noqa: ANN003, ANN201
    """The app as it runs for a coder, but scoring on word forms and training through ``learner``."""
    kwargs.setdefault("suggester", "default")
    return make_app(project, analyze=simple_analyze, learn=True, learner=learner, **kwargs)


async def settle_keys(pilot: Pilot) -> None:
    """Wait for every worker but the training (held at its gate), and for what they posted."""
    app = pilot.app
    await pilot.pause()
    for _round in range(20):
        busy = [w for w in app.workers if w.group != "learn" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
        if not busy:
            break
        await app.workers.wait_for_complete(busy)
        await pilot.pause()
    await pilot.pause()


async def open_source(  # noqa: ANN201
    pilot: Pilot,
    number: int | None = None,
    *,
    wait=settle,
    source: str = SOURCE,  # noqa: ANN001
) -> CodingScreen:
    await wait(pilot)
    pilot.app.open_coding(source, number)
    for _round in range(200):  # a busy machine may mount the screen after the first pause: wait, bounded
        await wait(pilot)
        screen = pilot.app.screen
        if isinstance(screen, CodingScreen) and screen.loaded and screen.suggest.current() is not None:
            return screen
    raise AssertionError(f"Kodning did not load {source!r}: the screen is {pilot.app.screen!r}")


def scores(screen: CodingScreen) -> dict[str, tuple[float, bool]]:
    """The current passage's suggestions: code key -> (score, shown)."""
    return {code.key: (s.score, s.shown) for s, code in screen.suggest.current() or []}


def raw_scores(screen: CodingScreen) -> dict[str, float]:
    """Every code the current passage was scored for (the unlikely ones too): code key -> score."""
    return {s.code_key: s.score for s in screen.suggest.found.get(screen.passage.id, [])}


def panel_text(screen: CodingScreen) -> str:
    return str(screen.query_one("#suggestions").render())


def row_counts(project: Project) -> dict[str, int]:
    with project.engine.connect() as conn:
        names = inspect(conn).get_table_names()
        return {name: conn.execute(select(func.count()).select_from(text(f'"{name}"'))).scalar_one() for name in names}


async def go_to(pilot: Pilot, screen: CodingScreen, number: int, *, wait=settle) -> None:  # noqa: ANN001
    screen.jump_to(number)
    await wait(pilot)
    await wait(pilot)


# --------------------------------------------------------------------------- tests


async def test_showing_suggestions_writes_nothing(learn_project) -> None:  # noqa: ANN001
    learner = InProcessLearner()
    app = learning_app(learn_project, learner)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot, 2, source="holstebro-1")  # "Jeg føler mig tryg her. ..."
        await settle(pilot)
        assert learner.finished == 1 and app.learning.model is not None
        before = row_counts(learn_project)
        coded = codings(learn_project, "bo"), codings(learn_project)
        await go_to(pilot, screen, 4)  # suggestions scored and shown for passage 4 ...
        await go_to(pilot, screen, 2)  # ... and for passage 2
        assert "T1" in scores(screen) and " T1 " in panel_text(screen)
        await pilot.press("A")  # all of them in the dialog, and closed again
        assert isinstance(app.screen, SuggestionDialog)
        await pilot.press("escape")
        await settle(pilot)
        app.learning.train()  # a new model: every suggestion scored again
        await settle(pilot)
        assert learner.finished == 2 and "T1" in scores(screen)
        screen.save_position_now()  # where the cursor is is stored on leaving anyway: not a suggestion's write
        after_position = row_counts(learn_project)
        assert {k: v for k, v in after_position.items() if k != "position"} == {
            k: v for k, v in before.items() if k != "position"
        }
        assert (codings(learn_project, "bo"), codings(learn_project)) == coded
        assert codings(learn_project) == set()


async def test_plus_codes_the_first_shown_suggestion(learn_project) -> None:  # noqa: ANN001
    app = make_app(learn_project, suggester="default", analyze=simple_analyze, learn=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_coding("holstebro-1", 2)  # "Jeg føler mig tryg her. Ingen dømmer mig." : T1's keywords
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        found = screen.suggest.current()
        shown = [code.key for s, code in found if s.shown]
        assert shown, found
        assert "Forslag: nøgleord" in panel_text(screen)
        assert f"1  {shown[0]} " in panel_text(screen)
        await pilot.press("plus")
        await settle(pilot)
        assert codings(learn_project) == {(2, shown[0], None, None)}
        assert shown[0] not in scores(screen)  # on the passage now: not suggested again


async def test_plus_says_so_when_nothing_is_shown(learn_project) -> None:  # noqa: ANN001
    app = make_app(learn_project, suggester="default", analyze=simple_analyze, learn=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot, TARGET_NUMBER)
        assert not any(shown for _score, shown in scores(screen).values())
        assert "Ingen sikre forslag" in panel_text(screen)
        await pilot.press("plus")
        await settle(pilot)
        assert codings(learn_project) == set()
        assert any("Ingen sikre forslag" in n.message or "Ingen forslag" in n.message for n in app._notifications)


async def test_a_code_on_the_passage_is_not_suggested(learn_project) -> None:  # noqa: ANN001
    app = make_app(learn_project, suggester="default", analyze=simple_analyze, learn=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_coding("holstebro-1", 2)
        await settle(pilot)
        screen = app.screen
        assert "T1" in scores(screen)
        scored = []
        compute = screen.suggest._compute
        screen.suggest._compute = lambda *args: (scored.append(args[1]), compute(*args))  # type: ignore[method-assign]
        await pilot.press("1")  # T1 on the passage
        await settle(pilot)
        assert codings(learn_project) == {(2, "T1", None, None)}
        assert "T1" not in scores(screen)
        assert " T1 " not in panel_text(screen)
        await pilot.press("1")  # taken off again: suggested again
        await settle(pilot)
        assert codings(learn_project) == set()
        assert "T1" in scores(screen) and " T1 " in panel_text(screen)
        assert scored == []  # scored regardless of the codes on the passage: a toggle scores nothing again


async def test_retraining_after_new_codings_changes_the_scores(learn_project) -> None:  # noqa: ANN001
    learner = InProcessLearner()
    app = learning_app(learn_project, learner)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot, TARGET_NUMBER)
        await settle(pilot)
        assert learner.finished == 1
        first = app.learning.model
        assert "T4" not in first.codes  # nobody has coded T4 yet
        before = raw_scores(screen).get("T4")
        assert "Forslag: lært af" in panel_text(screen) and f"{first.n_examples} kodede udsagn" in panel_text(screen)

        for n, turn in enumerate(TURNS, start=1):  # the coder codes the staff's help as T4
            if turn in STAFF[:6]:
                await go_to(pilot, screen, n)
                await pilot.press("4")
                await settle(pilot)
        assert {(n, "T4", None, None) for n in range(1, 7)} <= codings(learn_project)
        assert learner.started == 1  # six codings: not yet
        await go_to(pilot, screen, TARGET_NUMBER)
        assert raw_scores(screen).get("T4") == before

        await pilot.press("r")  # reload and learn again
        await settle(pilot)
        assert learner.finished == 2 and app.learning.model is not first
        assert "T4" in app.learning.model.codes
        after = raw_scores(screen).get("T4")
        assert after is not None and after != before  # the suggestion for a like passage changed
        assert f"lært af {app.learning.model.n_examples} kodede udsagn" in panel_text(screen)
        assert codings(learn_project) == {(n, "T4", None, None) for n in range(1, 7)}  # nothing else written


async def test_every_few_new_codings_the_model_learns_again(learn_project) -> None:  # noqa: ANN001
    learner = InProcessLearner()
    app = learning_app(learn_project, learner)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot, 1)
        await settle(pilot)
        assert learner.started == 1
        for number in range(1, RETRAIN_EVERY + 1):
            await go_to(pilot, screen, number)
            assert learner.started == 1
            await pilot.press("3")
            await settle(pilot)
        assert len(codings(learn_project)) == RETRAIN_EVERY
        assert learner.started == 2 and learner.finished == 2


async def test_keys_work_while_a_training_runs(learn_project) -> None:  # noqa: ANN001
    gate = threading.Event()
    learner = InProcessLearner(gate)
    app = learning_app(learn_project, learner)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_source(pilot, 2, wait=settle_keys)
            assert learner.started == 1 and app.learning.training and learner.finished == 0
            assert "Forslag: nøgleord · lærer" in panel_text(screen)  # the keywords meanwhile
            await pilot.press("j", "4")  # move on and code, while the training runs
            await settle_keys(pilot)
            assert screen.passage.number == 3
            assert codings(learn_project) == {(3, "T4", None, None)}
            await pilot.press("r")  # one more training asked for: queued, not started twice
            await settle_keys(pilot)
            assert learner.started == 1 and app.learning.queued
            await pilot.press("u")
            await settle_keys(pilot)
            assert codings(learn_project) == set()
            assert learner.finished == 0 and app.learning.model is None

            gate.set()
            await settle(pilot)
            assert learner.started == 2 and learner.finished == 2  # the queued one ran after the first
            assert not app.learning.training and app.learning.model is not None
            assert "lærer" not in panel_text(screen)
    finally:
        gate.set()
    assert learner.closed  # the app closed its learner on quitting


async def test_quitting_while_the_real_learner_trains_kills_it(learn_project) -> None:  # noqa: ANN001
    """The real helper process (spaCy, scikit-learn) is training when the coder quits: it is killed."""
    app = make_app(learn_project, suggester="default", analyze=simple_analyze, learn=True)
    assert isinstance(app.learner, LearnerProcess)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_source(pilot, 2, wait=settle_keys)
        proc = None
        for _round in range(400):  # bounded: until the worker has started the helper
            proc = app.learner._proc
            if proc is not None:
                break
            await pilot.pause(0.01)
        assert proc is not None and app.learning.training
        assert proc.poll() is None  # loading spaCy and training: seconds
        await pilot.press("ctrl+q")
    assert proc.poll() is not None and proc.returncode != 0  # killed, not finished


async def test_the_real_learner_trains_and_leads_the_suggestions(learn_project) -> None:  # noqa: ANN001
    """End to end: the helper process trains on bo's codings (with spaCy); the panel says what it learned from."""
    app = make_app(learn_project, suggester="default", analyze=simple_analyze, learn=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot, TARGET_NUMBER)
        await settle(pilot)
        model = app.learning.model
        assert model is not None and model.n_examples == len(OTHER)
        assert set(model.codes) == {"T2", "T5"}
        assert f"Forslag: lært af {len(OTHER)} kodede udsagn" in panel_text(screen)
        assert {"T2", "T5"} <= set(raw_scores(screen))  # scored by the model
        assert codings(learn_project) == set()


async def test_review_queue_key_opens_the_queue_for_the_highlighted_code(learn_project) -> None:  # noqa: ANN001
    app = make_app(learn_project, learn=False)
    asked: list[str | None] = []
    app.open_review_queue = asked.append  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot, 2)
        screen.query_one(CodebookPanel).highlight_code(code_ids(learn_project)["T4"])
        await pilot.press("Q")
        await settle(pilot)
        assert asked == ["T4"]
        assert codings(learn_project) == set()
