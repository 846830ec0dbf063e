"""The learned suggestions of one project: trained on its codings, and the review queue's ranking.

:func:`train_project` reads what the coders did
(:func:`trivselkode.storage.training.training_passages`: one coder's
codings and rejections, or every coder's with the consensus where it
settled a passage), analyses each passage's text and trains
:func:`trivselkode.analysis.learn.train` on it. The model also carries how
common each lemma is in the project's participant passages (``share``), so
that keywords as common as ``sidde`` or ``bog`` weigh little.

:func:`rank_for_code` is the review queue: the participant passages a coder
has neither coded with a code nor rejected for it, best first by the
keywords and the model together (:class:`trivselkode.analysis.suggester.Suggester`).

Both run in process (the CLI, the benchmark, tests); the terminal UI runs
them in a helper process (:mod:`trivselkode.analysis.learn_process`) so that
spaCy and scikit-learn never hold its GIL.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import col, select

from trivselkode.analysis.learn import Example, LearnedModel, train
from trivselkode.analysis.suggest import Analyzed, KeywordIndex, spacy_analyze
from trivselkode.storage.db import Project
from trivselkode.storage.lookup import code_by_key
from trivselkode.storage.models import Code, Source
from trivselkode.storage.training import (
    codebook_texts,
    decided_passages,
    keyword_codes,
    live_code_keys,
    participant_passages,
    training_passages,
)

if TYPE_CHECKING:
    from trivselkode.storage.training import TrainingPassage

Analyze = Callable[[str], Analyzed]

SHARE_SAMPLE = 3000  # participant passages read for the lemmas' shares, at most


def sample_evenly(items: Sequence[str], most: int = SHARE_SAMPLE) -> list[str]:
    """At most ``most`` of ``items``, spread evenly over them (the same every time)."""
    n = len(items)
    if n <= most:
        return list(items)
    return [items[i * n // most] for i in range(most)]


def lemma_share(texts: Sequence[str], analyze: Analyze) -> dict[str, float]:
    """Lemma → the share of ``texts`` (a sample of :data:`SHARE_SAMPLE`) whose words include it."""
    sample = sample_evenly(texts)
    counts: dict[str, int] = {}
    for text in sample:
        for lemma in {w[1] for w in analyze(text).words}:
            counts[lemma] = counts.get(lemma, 0) + 1
    return {lemma: round(n / len(sample), 6) for lemma, n in counts.items()} if sample else {}


def code_groups(project: Project) -> dict[str, str]:
    """Code key -> its group: the codes of one kind under one parent (``"/tema"`` for the themes)."""
    with project.read() as s:
        rows = [
            (int(i), str(k), p, str(kind or ""))
            for i, k, p, kind in s.execute(select(col(Code.id), col(Code.key), col(Code.parent_id), col(Code.kind)))
        ]
    key_of = {i: key for i, key, _p, _k in rows}
    return {key: f"{key_of.get(parent, '') if parent is not None else ''}/{kind}" for _i, key, parent, kind in rows}


def examples_of(rows: Sequence[TrainingPassage], analyze: Analyze) -> list[Example]:
    return [Example(tuple(analyze(r.text).words), r.codes, r.rejected) for r in rows]


def train_project(
    project: Project,
    *,
    coder: str | None = None,
    exclude_source_ids: Collection[int] = (),
    analyze: Analyze = spacy_analyze,
) -> LearnedModel:
    """A model of the project's live codes, learned from ``coder``'s work (None: every coder's).

    ``exclude_source_ids``: sources whose passages are not learnt from (those
    a measurement asks about). The lemmas' shares come from every
    participant passage (no codings are read for them); the codes' groups
    (:func:`code_groups`) give each kind of code its top threshold; the
    codebook's own texts are weak examples of their codes (:mod:`trivselkode.analysis.learn_prior`).
    """
    from trivselkode.analysis.learn_prior import codebook_examples  # scipy: only where a model is trained

    rows = training_passages(project, coder=coder, exclude_source_ids=exclude_source_ids)
    share = lemma_share([text for *_, text in participant_passages(project)], analyze)
    return train(
        examples_of(rows, analyze),
        live_code_keys(project),
        share=share,
        keywords=keyword_codes(project),
        groups=code_groups(project),
        codebook=codebook_examples(codebook_texts(project), analyze),
    )


@dataclass(frozen=True)
class Ranked:
    """One passage in the review queue: where it is, how likely it carries the code, and why."""

    passage_id: int
    source_name: str
    number: int
    score: float
    why: tuple[str, ...]


def rank_for_code(
    project: Project,
    code_key: str,
    *,
    coder: str,
    model: LearnedModel,
    index: KeywordIndex,
    analyze: Analyze = spacy_analyze,
    limit: int | None = None,
) -> list[Ranked]:
    """The participant passages ``coder`` has not coded with ``code_key`` nor rejected for it, best first.

    Every such passage is in the list (those nothing points to last, with
    score 0), ties in source and number order. NotFound for a code that does not exist.
    """
    with project.read() as s:
        code_by_key(s, code_key)
        names = {int(i): str(n) for i, n in s.execute(select(col(Source.id), col(Source.name)))}
    from trivselkode.analysis.suggester import Suggester

    done = decided_passages(project, coder, code_key)
    suggester = Suggester(index, model)
    out = []
    for pid, source_id, number, text in participant_passages(project):
        if pid in done:
            continue
        found = suggester.suggest(analyze(text), codes=[code_key], limit=1)
        best = found[0] if found else None
        score, why = (best.score, best.why) if best is not None and best.code_key == code_key else (0.0, ())
        out.append(Ranked(pid, names[source_id], number, float(score), tuple(why)))
    out.sort(key=lambda r: -r.score)  # stable: ties keep the source and number order
    return out[:limit] if limit is not None else out
