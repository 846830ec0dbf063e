"""The review queue: one code's uncoded passages, best first, decided one by one (no UI here).

The terminal UI's review queue (Forslagskø) ranks, for one code, the
participant passages this coder has neither coded with it nor rejected for
it (:func:`trivselkode.analysis.learn_project.rank_for_code`, run in the
learner's helper process), and then walks that list: ``y`` codes the
current passage, ``n`` rejects it, ``u`` takes the last decision back.

- :func:`fetch_ranking` trains the model and ranks through a learner (the
  helper process, or anything with its ``train``/``rank``) and reads what the
  screen shows of each ranked passage (:func:`load_items`).
- :class:`ReviewQueue` is the walk itself, pure: the passages still to
  decide, in order, and the decisions made, so the next passage is there at
  once after a decision and a new ranking can replace the order without
  offering a decided passage again.

Blind coding: the model learns only from this coder's codings and
rejections unless the project's flag
:data:`~trivselkode.storage.project_settings.QUEUE_LEARNS_FROM_ALL` is on
(then from everyone's, or the consensus where it exists).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import and_
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from trivselkode.analysis.attributes import load_participants, setting_line, speaker_line
from trivselkode.domain.undo import CodingAction
from trivselkode.storage.models import INTERVIEWER, Passage

if TYPE_CHECKING:
    from trivselkode.analysis.learn_process import Learner
    from trivselkode.analysis.learn_project import Ranked

Verdict = Literal["y", "n"]
_CHUNK = 500  # passage ids per query (well below any database's parameter limit)


@dataclass(frozen=True)
class QueueItem:
    """One ranked passage as the queue shows it."""

    passage_id: int
    source: str
    number: int
    speaker: str
    attrs: Mapping[str, Any]
    text: str
    score: float
    why: tuple[str, ...] = ()
    before: str = ""  # the turn before it (the question it answers), "" if none
    before_speaker: str = ""

    def describe_speaker(self) -> str:
        """``P1 · Kvinde, 67 år, Holstebro · bibliotek, runde 1``."""
        where = setting_line(self.attrs)
        return (
            f"{speaker_line(self.speaker, self.attrs)} · {where}" if where else speaker_line(self.speaker, self.attrs)
        )


@dataclass(frozen=True)
class Ranking:
    """A ranking fetched for the queue."""

    items: list[QueueItem]
    examples: int  # passages the model learned from
    learned_from_all: bool  # from every coder's codings (the project's flag), else from this coder's
    seconds: float


def fetch_ranking(learner: Learner, project: Any, code_key: str, *, coder: str, model: Path) -> Ranking:
    """Train the model (this coder's codings, or everyone's if the project says so), rank, read the passages.

    Slow (seconds on a large project): run it in a worker thread; the learner
    does the heavy part in its own process.
    """
    from trivselkode.storage.project_settings import queue_learns_from_all

    began = time.perf_counter()
    from_all = queue_learns_from_all(project)
    trained = learner.train(project.url, coder=None if from_all else coder, out=model)
    ranked = learner.rank(project.url, code_key, coder=coder, model=model)
    items = load_items(project, ranked)
    return Ranking(items, trained.examples, from_all, time.perf_counter() - began)


def load_items(project: Any, ranked: Sequence[Ranked]) -> list[QueueItem]:
    """What the queue shows of each ranked passage, in the ranking's order (interviewer turns and gone passages left out)."""
    ids = [r.passage_id for r in ranked]
    before = aliased(Passage)
    rows: dict[int, tuple] = {}
    with project.read() as session:
        people = load_participants(session)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            query = (
                select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
                    Passage.id, Passage.participant_id, Passage.text, before.participant_id, before.text
                )
                .outerjoin(
                    before,
                    and_(col(before.source_id) == Passage.source_id, col(before.number) == col(Passage.number) - 1),
                )
                .where(col(Passage.id).in_(chunk))
            )
            for pid, part_id, text, before_part, before_text in session.exec(query):
                rows[pid] = (part_id, text, before_part, before_text)
    items = []
    for r in ranked:
        if r.passage_id not in rows:
            continue
        part_id, text, before_part, before_text = rows[r.passage_id]
        person = people.get(part_id)
        if person is None or person.role == INTERVIEWER:
            continue
        prev = people.get(before_part) if before_part is not None else None
        attrs = {k: v for k, v in person.attrs.items() if k not in ("source", "role", "name")}
        items.append(
            QueueItem(
                passage_id=r.passage_id,
                source=r.source_name,
                number=r.number,
                speaker=person.label,
                attrs=attrs,
                text=text,
                score=r.score,
                why=tuple(r.why),
                before=before_text or "",
                before_speaker=prev.label if prev is not None else "",
            )
        )
    return items


def decided_elsewhere(project: Any, coder: str, code_key: str, passage_ids: Iterable[int]) -> set[int]:
    """Of ``passage_ids``, those the coder has coded with the code or rejected for it (in Kodning, elsewhere)."""
    from trivselkode.storage.training import decided_passages

    return decided_passages(project, coder, code_key) & set(passage_ids)


@dataclass
class Decision:
    """A ``y`` (coded) or ``n`` (rejected) on a passage; ``action``: the coding a ``y`` stored (``None`` if none)."""

    item: QueueItem
    verdict: Verdict
    action: CodingAction | None = None
    stored: bool = False  # the write is in the database (an undo waits for it)
    undoing: bool = False  # its undo is being stored (a second ``u`` takes the one before)


@dataclass
class ReviewQueue:
    """The passages still to decide (``pending``, the current one first) and the decisions made, last last."""

    pending: list[QueueItem] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    @property
    def current(self) -> QueueItem | None:
        return self.pending[0] if self.pending else None

    @property
    def coded(self) -> int:
        return sum(1 for d in self.decisions if d.verdict == "y")

    @property
    def rejected(self) -> int:
        return sum(1 for d in self.decisions if d.verdict == "n")

    @property
    def remaining(self) -> int:
        return len(self.pending)

    def counts(self) -> str:
        """``12 kodet · 3 afvist · 140 tilbage``."""
        return f"{self.coded} kodet · {self.rejected} afvist · {self.remaining} tilbage"

    def decide(self, verdict: Verdict) -> Decision | None:
        """Decide the current passage: it leaves the queue, the next one is current."""
        if not self.pending:
            return None
        decision = Decision(self.pending.pop(0), verdict)
        self.decisions.append(decision)
        return decision

    def skip(self) -> None:
        """The current passage to the end of the queue, undecided."""
        if len(self.pending) > 1:
            self.pending.append(self.pending.pop(0))

    def last(self) -> Decision | None:
        """The decision the next undo takes back (not one whose undo is being stored)."""
        return next((d for d in reversed(self.decisions) if not d.undoing), None)

    def mark(self, passage_id: int, verdict: Verdict, action: CodingAction | None = None) -> Decision | None:
        """A pending passage decided elsewhere (a redo of its coding): a decision like one made here."""
        item = next((i for i in self.pending if i.passage_id == passage_id), None)
        if item is None:
            return None
        self.pending.remove(item)
        decision = Decision(item, verdict, action, stored=True)
        self.decisions.append(decision)
        return decision

    def decision_of(self, passage_id: int) -> Decision | None:
        return next((d for d in reversed(self.decisions) if d.item.passage_id == passage_id), None)

    def restore(self, passage_id: int) -> Decision | None:
        """Take back the decision on a passage (an undo): it is the current passage again."""
        decision = self.decision_of(passage_id)
        if decision is None:
            return None
        self.decisions.remove(decision)
        self.pending.insert(0, decision.item)
        return decision

    def drop(self, passage_ids: Iterable[int]) -> int:
        """Leave out passages decided elsewhere (coded in Kodning, a redo); how many went."""
        gone = set(passage_ids)
        before = len(self.pending)
        self.pending = [i for i in self.pending if i.passage_id not in gone]
        return before - len(self.pending)

    def rerank(self, items: Sequence[QueueItem]) -> None:
        """A new ranking: its order from now on, the current passage kept first, decided passages never again."""
        decided = {d.item.passage_id for d in self.decisions}
        current = self.current
        keep = [current] if current is not None else []
        shown = {current.passage_id} if current is not None else set()
        self.pending = keep + [i for i in items if i.passage_id not in decided and i.passage_id not in shown]
