"""Forslagskø (the review queue) driven by its keys on the real demo project, read back from the database.

The learner is the one test double: the helper process is replaced at its
boundary by :class:`InProcessLearner`, which trains and ranks with the real
core functions (:mod:`trivselkode.analysis.learn_project`) in this process,
on word forms instead of spaCy, and can be held back to show that the keys
work while a ranking runs.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlmodel import select

from tests.tui.conftest import make_app, settle
from trivselkode.storage.db import Project
from trivselkode.storage.models import Code, Coder, Coding, Passage, Source
from trivselkode.storage.rejections import rejected_passages

pytestmark = pytest.mark.anyio

CODER = "anne"  # one of the demo's two coders


_MODELS: dict[tuple, bytes] = {}  # the same training data, the same model (seed 0): trained once per run


class InProcessLearner:
    """``LearnerProcess`` at its boundary: the same train/rank, run in this process on word forms.

    ``hold``: while set, a ranking waits (after its training) until it is cleared — a slow helper.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self.trained_for: list[str | None] = []  # the coder of each training (None: everyone)
        self.ranked = 0
        self.hold = threading.Event()
        self.release = threading.Event()
        self.waiting = threading.Event()

    def train(self, url: str, *, coder: str | None, out: Path):  # noqa: ANN201
        from trivselkode.analysis.learn import LearnedModel
        from trivselkode.analysis.learn_process import Trained
        from trivselkode.analysis.learn_project import train_project
        from trivselkode.analysis.suggest import simple_analyze
        from trivselkode.storage.training import training_passages

        began = time.perf_counter()
        self.trained_for.append(coder)
        key = (coder, tuple(training_passages(self.project, coder=coder)))
        if key not in _MODELS:
            train_project(self.project, coder=coder, analyze=simple_analyze).save(out)
            _MODELS[key] = out.read_bytes()
        out.write_bytes(_MODELS[key])
        model = LearnedModel.load(out)
        return Trained(out, model.n_examples, tuple(model.codes), time.perf_counter() - began)

    def rank(self, url: str, code_key: str, *, coder: str, model: Path, limit: int | None = None):  # noqa: ANN201
        from trivselkode.analysis.learn import LearnedModel
        from trivselkode.analysis.learn_project import rank_for_code
        from trivselkode.analysis.suggest import KeywordIndex, simple_analyze
        from trivselkode.storage.coding_views import load_codes

        if self.hold.is_set():
            self.waiting.set()
            self.release.wait(timeout=30)
        self.ranked += 1
        index = KeywordIndex(load_codes(self.project))
        return rank_for_code(
            self.project, code_key, coder=coder, model=LearnedModel.load(model), index=index,
            analyze=simple_analyze, limit=limit,
        )  # fmt: skip

    def close(self) -> None:
        self.release.set()


def demo_app(project: Project, coder: str = CODER):  # noqa: ANN201
    learner = InProcessLearner(project)
    return make_app(project, coder=coder, learner=learner), learner


async def open_queue(pilot, code: str = "T1"):  # noqa: ANN001, ANN201
    await settle(pilot)
    pilot.app.open_review_queue(code)
    await settle(pilot)
    screen = pilot.app.screen
    assert type(screen).__name__ == "ReviewQueueScreen"
    assert screen.ranked and screen.queue.current is not None
    return screen


async def stored(pilot) -> None:  # noqa: ANN001
    """Wait for the writes alone (a held ranking keeps running)."""
    app = pilot.app
    await pilot.pause()
    writes = [w for w in app.workers if w.group == "write"]
    if writes:  # (an empty list would wait for every worker)
        await app.workers.wait_for_complete(writes)
    await pilot.pause()


def coded(project: Project, code: str = "T1", coder: str = CODER) -> set[int]:
    """The passages ``coder`` coded with ``code``, read fresh from the database."""
    with project.read() as s:
        rows = s.exec(
            select(Coding.passage_id)
            .join(Code, Code.id == Coding.code_id)
            .join(Coder, Coder.id == Coding.coder_id)
            .where(Code.key == code, Coder.name == coder)
        )
        return set(rows)


def where(project: Project, passage_id: int) -> tuple[str, int]:
    with project.read() as s:
        return tuple(s.exec(select(Source.name, Passage.number).join(Passage).where(Passage.id == passage_id)).one())


async def until(pilot, condition, rounds: int = 1000) -> bool:  # noqa: ANN001
    """Let the app run until ``condition()`` holds (a worker thread got somewhere); whether it did."""
    for _ in range(rounds):
        if condition():
            return True
        await pilot.pause(0.01)
    return condition()


def offered(screen) -> list[int]:  # noqa: ANN001
    return [i.passage_id for i in screen.queue.pending]


async def test_y_codes_the_passage_and_the_next_is_there_at_once(demo) -> None:  # noqa: ANN001
    app, _learner = demo_app(demo)
    before, bos = coded(demo), coded(demo, coder="bo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(pilot)
        first = screen.queue.current
        assert first.passage_id not in before
        await pilot.press("y")
        assert screen.queue.current is not first  # before the write is stored
        await settle(pilot)
        assert coded(demo) == before | {first.passage_id}
        assert coded(demo, coder="bo") == bos  # only this coder's codings change
        assert screen.queue.counts().startswith("1 kodet · 0 afvist · ")
        assert first.passage_id not in offered(screen)


async def test_n_rejects_and_the_passage_is_never_offered_again(demo) -> None:  # noqa: ANN001
    app, _learner = demo_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(pilot)
        first = screen.queue.current.passage_id
        before = coded(demo)
        await pilot.press("n")
        await settle(pilot)
        assert rejected_passages(demo, CODER, "T1") == {first}
        assert rejected_passages(demo, "bo", "T1") == set()  # per coder
        assert coded(demo) == before
        await pilot.press("r")  # ranked again: still not offered
        await settle(pilot)
        assert first not in offered(screen)
        await pilot.press("escape")
        await settle(pilot)
        screen = await open_queue(pilot)  # a new queue, ranked from scratch
        assert first not in offered(screen)
        assert screen.queue.counts().startswith("0 kodet · 0 afvist · ")


async def test_u_takes_back_y_and_n(demo) -> None:  # noqa: ANN001
    app, _learner = demo_app(demo)
    before = coded(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(pilot)
        first, second = screen.queue.pending[0].passage_id, screen.queue.pending[1].passage_id
        await pilot.press("y", "n")
        await settle(pilot)
        assert coded(demo) == before | {first} and rejected_passages(demo, CODER, "T1") == {second}
        await pilot.press("u")  # the n: the rejection goes
        await settle(pilot)
        assert rejected_passages(demo, CODER, "T1") == set() and coded(demo) == before | {first}
        assert screen.queue.current.passage_id == second
        await pilot.press("u")  # the y: the coding goes, through the app's undo
        await settle(pilot)
        assert coded(demo) == before
        assert screen.queue.current.passage_id == first
        assert screen.queue.counts().startswith("0 kodet · 0 afvist · ")
        await pilot.press("u")  # nothing more to take back here
        await settle(pilot)
        assert coded(demo) == before
        await pilot.press("y")  # and decided again
        await settle(pilot)
        assert coded(demo) == before | {first}


async def test_space_opens_kodning_at_the_passage_and_escape_comes_back(demo) -> None:  # noqa: ANN001
    app, _learner = demo_app(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_queue(pilot)
        await pilot.press("n")
        await settle(pilot)
        current = screen.queue.current
        await pilot.press("space")
        await settle(pilot)
        coding = app.screen
        assert type(coding).__name__ == "CodingScreen"
        assert (coding.source_name, coding.passage.number) == (current.source, current.number)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.queue.current is current  # where it was
        assert screen.queue.counts().startswith("0 kodet · 1 afvist · ")


async def test_a_passage_coded_in_kodning_leaves_the_queue_and_undo_there_is_seen_here(demo) -> None:  # noqa: ANN001
    app, _learner = demo_app(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_queue(pilot)
        first = screen.queue.current.passage_id
        await pilot.press("y")
        await settle(pilot)
        second = screen.queue.current
        await pilot.press("space")
        await settle(pilot)
        await pilot.press("1")  # T1 (shortcut 1) on it, in Kodning
        await settle(pilot)
        assert second.passage_id in coded(demo)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and second.passage_id not in offered(screen)
        assert screen.queue.current is not second
        app.undo()  # Kodning's coding, then the queue's: the app's one history
        await settle(pilot)
        app.undo()
        await settle(pilot)
        assert first not in coded(demo) and second.passage_id not in coded(demo)
        assert screen.queue.current.passage_id == first


async def test_reached_from_kodebog_udtraek_and_kodning(demo) -> None:  # noqa: ANN001
    from textual.widgets import Tree

    app, _learner = demo_app(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_other_screen("codebook")
        await settle(pilot)
        tree = app.screen.query_one(Tree)
        tree.cursor_line = app.screen.order.index("T3")
        await pilot.press("Q")
        await settle(pilot)
        queue = app.screen
        assert type(queue).__name__ == "ReviewQueueScreen" and queue.code.key == "T3" and queue.queue.current
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "CodebookScreen"
        app.open_retrieval("T2")
        await settle(pilot)
        await pilot.press("Q")
        await settle(pilot)
        queue = app.screen
        assert type(queue).__name__ == "ReviewQueueScreen" and queue.code.key == "T2"
        assert not set(offered(queue)) & coded(demo, "T2")  # this coder's T2 passages are not offered
        await pilot.press("space")  # to Kodning at the passage; its highlighted code's queue from there
        await settle(pilot)
        coding = app.screen
        assert type(coding).__name__ == "CodingScreen"
        t5 = next(c for c in coding.panel.codes if c.key == "T5")
        coding.panel.highlight_code(t5.id)
        await pilot.press("Q")
        await settle(pilot)
        assert app.screen is queue and queue.code.key == "T5" and queue.queue.current  # turned to that code


async def test_keys_work_while_a_ranking_runs(demo) -> None:  # noqa: ANN001
    from trivselkode.tui.common.help import HelpDialog
    from trivselkode.tui.review_queue.decisions import RERANK_EVERY

    app, learner = demo_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(pilot)
        learner.hold.set()  # the next ranking waits for the test
        ids = [i.passage_id for i in screen.queue.pending[: RERANK_EVERY + 2]]
        await pilot.press(*["y"] * RERANK_EVERY)  # the tenth starts a ranking in the background
        await stored(pilot)
        assert await until(pilot, learner.waiting.is_set) and screen.ranking
        assert "rangerer" in str(screen.query_one("#queue-status").render())
        await pilot.press("n", "y")  # decided and stored while it runs
        await stored(pilot)
        assert screen.ranking
        assert set(ids[:RERANK_EVERY]) | {ids[RERANK_EVERY + 1]} <= coded(demo)
        assert rejected_passages(demo, CODER, "T1") == {ids[RERANK_EVERY]}
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpDialog)
        await pilot.press("escape")
        learner.release.set()
        await settle(pilot)
        assert not screen.ranking and learner.ranked == 2
        assert not set(ids) & set(offered(screen))  # the new ranking offers none decided


async def test_keys_work_before_the_first_ranking_arrives(demo) -> None:  # noqa: ANN001
    app, learner = demo_app(demo)
    learner.hold.set()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_review_queue("T1")
        assert await until(pilot, learner.waiting.is_set)
        screen = app.screen
        assert screen.ranking and screen.queue.current is None
        assert "Rangerer udsagnene" in str(screen.query_one("#queue-text").render())
        await pilot.press("y")  # nothing to code yet: said, nothing stored
        await stored(pilot)
        assert type(app.screen).__name__ == "ReviewQueueScreen"
        await pilot.press("escape")  # leaving does not wait
        await pilot.pause()
        assert type(app.screen).__name__ == "OverviewScreen"
        learner.release.set()
        await settle(pilot)


async def test_blind_coding_learns_from_this_coder_unless_the_project_says_so(demo) -> None:  # noqa: ANN001
    from trivselkode.storage.project_settings import set_queue_learns_from_all

    app, learner = demo_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(pilot)
        assert learner.trained_for == [CODER]
        assert "annes kodninger" in str(screen.query_one("#queue-status").render())
        set_queue_learns_from_all(demo, True)
        await pilot.press("r")
        await settle(pilot)
        assert learner.trained_for == [CODER, None]
        assert "alles kodninger" in str(screen.query_one("#queue-status").render())


async def test_a_coder_without_codings_gets_the_keyword_ranking(demo) -> None:  # noqa: ANN001
    app, _learner = demo_app(demo, coder="carl")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(pilot)
        assert "efter nøgleord" in str(screen.query_one("#queue-status").render())
        top = screen.queue.current
        assert top.score > 0 and top.why  # the keywords it matched
        await pilot.press("y")
        await settle(pilot)
        assert coded(demo, coder="carl") == {top.passage_id}


def test_snapshot_80x24(snap_compare, demo) -> None:  # noqa: ANN001
    app, _learner = demo_app(demo)

    async def run_before(pilot) -> None:  # noqa: ANN001
        await open_queue(pilot)
        await pilot.press("n")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
