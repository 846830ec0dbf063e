"""The review queue's walk (pure) and what it reads of the ranked passages, without Textual."""

from __future__ import annotations

from pathlib import Path

from tests.tui.conftest import build_project, code_ids, passage_ids
from trivselkode.analysis.learn_project import Ranked
from trivselkode.analysis.review_queue import QueueItem, ReviewQueue, decided_elsewhere, load_items
from trivselkode.domain.undo import CodingAction, CodingFact
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.rejections import reject


def item(pid: int) -> QueueItem:
    return QueueItem(passage_id=pid, source="s", number=pid, speaker="P1", attrs={}, text=f"udsagn {pid}", score=0.5)


def ids(queue: ReviewQueue) -> list[int]:
    return [i.passage_id for i in queue.pending]


def test_deciding_walks_on_and_counts() -> None:
    queue = ReviewQueue([item(1), item(2), item(3)])
    assert queue.counts() == "0 kodet · 0 afvist · 3 tilbage"
    queue.decide("y")
    queue.decide("n")
    assert queue.current == item(3) and queue.counts() == "1 kodet · 1 afvist · 1 tilbage"
    queue.decide("y")
    assert queue.current is None and queue.decide("n") is None
    assert queue.counts() == "2 kodet · 1 afvist · 0 tilbage"


def test_restore_makes_the_passage_current_again_whichever_decision_it_was() -> None:
    queue = ReviewQueue([item(1), item(2), item(3)])
    queue.decide("y")
    queue.decide("n")
    assert queue.last().item.passage_id == 2
    queue.last().undoing = True  # its undo is being stored: the next u takes the one before
    assert queue.last().item.passage_id == 1
    assert queue.restore(2).verdict == "n" and ids(queue) == [2, 3]
    assert queue.restore(1).verdict == "y" and ids(queue) == [1, 2, 3]
    assert queue.restore(1) is None and queue.decisions == []


def test_a_new_ranking_keeps_the_current_passage_and_never_offers_a_decided_one() -> None:
    queue = ReviewQueue([item(1), item(2), item(3), item(4)])
    queue.decide("n")  # 1
    queue.rerank([item(4), item(1), item(3), item(5), item(2)])
    assert ids(queue) == [2, 4, 3, 5]  # 2 was on screen: it stays first
    queue.skip()
    assert ids(queue) == [4, 3, 5, 2]


def test_decided_elsewhere_leaves_and_a_redo_counts_as_coded() -> None:
    queue = ReviewQueue([item(1), item(2), item(3)])
    assert queue.drop({2, 9}) == 1 and ids(queue) == [1, 3]
    action = CodingAction(added=(CodingFact(3, 7),))
    decision = queue.mark(3, "y", action)
    assert decision is not None and decision.action is action and decision.stored
    assert ids(queue) == [1] and queue.coded == 1


def test_load_items_reads_speaker_attributes_and_the_turn_before(tmp_path: Path) -> None:
    project = build_project(tmp_path / "p.db")
    pids = passage_ids(project)["holstebro-1"]
    ranked = [
        Ranked(pids[3], "holstebro-1", 4, 0.9, ("ord: ro",)),
        Ranked(pids[0], "holstebro-1", 1, 0.8, ()),  # an interviewer's turn: never offered
        Ranked(999_999, "gone", 1, 0.7, ()),  # a passage gone since: left out
        Ranked(pids[1], "holstebro-1", 2, 0.1, ()),
    ]
    items = load_items(project, ranked)
    assert [i.passage_id for i in items] == [pids[3], pids[1]]
    first = items[0]
    assert first.text == "Jeg læser aviser i ro og fred. Det er stille." and first.why == ("ord: ro",)
    assert first.before_speaker == "I" and first.before == "Hvad laver du, når du er her?"
    assert first.describe_speaker() == "P1 · Kvinde, 67 år, Holstebro · Biblioteksbesøg"
    project.dispose()


def test_decided_elsewhere_is_this_coders_codings_and_rejections_of_the_code(tmp_path: Path) -> None:
    project = build_project(tmp_path / "p.db")
    pids, codes = passage_ids(project)["holstebro-1"], code_ids(project)
    ops.toggle_code(project, "ann", pids[1], codes["T1"])
    ops.toggle_code(project, "ann", pids[3], codes["T2"])  # another code
    ops.toggle_code(project, "bo", pids[4], codes["T1"])  # another coder
    reject(project, "ann", pids[6], "T1")
    assert decided_elsewhere(project, "ann", "T1", pids) == {pids[1], pids[6]}
    project.dispose()
