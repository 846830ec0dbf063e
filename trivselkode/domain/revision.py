"""Re-anchoring passages and spans when a transcript is revised after coding.

Pure functions over plain data: the import pipeline feeds them the old
passages and the new turns and moves codings by the mapping they return.

The alignment first pairs turns that are unchanged (same speaker, same
text) in order, then, between those anchors, pairs the most similar
remaining turns (rapidfuzz) when they are similar enough. A turn that finds
no partner maps to ``None``; its codings are kept aside, never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz import fuzz, process

# A revised turn must be at least this similar (0-100) to carry its old codings.
TURN_SIMILARITY = 60.0
# A quoted sub-span must be found at least this well in the revised turn.
SPAN_SIMILARITY = 85.0
# Two texts at least this similar (0-100) are one source revised, not a clash.
SOURCE_SIMILARITY = 60.0


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str


def texts_similar(old: str, new: str, threshold: float = SOURCE_SIMILARITY) -> float | None:
    """The similarity (0-100) of two transcripts, or ``None`` below ``threshold``."""
    score = fuzz.ratio(old, new, score_cutoff=threshold)
    return score if score else None


def align_turns(old: Sequence[Turn], new: Sequence[Turn], threshold: float = TURN_SIMILARITY) -> list[int | None]:
    """For each old turn, the index of its counterpart among ``new``, or ``None``.

    Each new turn is used at most once and the order of matched turns is kept.
    """
    result: list[int | None] = [None] * len(old)
    matcher = SequenceMatcher(a=list(old), b=list(new), autojunk=False)
    anchors: list[tuple[int, int]] = []
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            result[block.a + k] = block.b + k
            anchors.append((block.a + k, block.b + k))
    # Gaps between consecutive anchors (with sentinels at both ends).
    bounds = [(-1, -1), *anchors, (len(old), len(new))]
    for (a0, b0), (a1, b1) in zip(bounds, bounds[1:]):
        old_gap = range(a0 + 1, a1)
        new_gap = list(range(b0 + 1, b1))
        if old_gap and new_gap:
            _match_gap(old, new, old_gap, new_gap, result, threshold)
    return result


def _match_gap(
    old: Sequence[Turn],
    new: Sequence[Turn],
    old_gap: range,
    new_gap: list[int],
    result: list[int | None],
    threshold: float,
) -> None:
    old_idx = list(old_gap)
    scores = process.cdist(
        [old[i].text for i in old_idx],
        [new[j].text for j in new_gap],
        scorer=fuzz.ratio,
        score_cutoff=threshold,
    )
    candidates: list[tuple[float, int, int]] = []
    for r, c in zip(*scores.nonzero()):
        i, j = old_idx[int(r)], new_gap[int(c)]
        score = float(scores[r, c])
        if old[i].speaker == new[j].speaker:
            score += 5.0  # same speaker breaks ties
        candidates.append((score, i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    chosen: list[tuple[int, int]] = []
    for _score, i, j in candidates:
        if i in taken_old or j in taken_new:
            continue
        # Keep the order: no crossing with pairs already chosen in this gap.
        if any((i < ci) != (j < cj) for ci, cj in chosen):
            continue
        taken_old.add(i)
        taken_new.add(j)
        chosen.append((i, j))
        result[i] = j
    return None


def move_span(old_text: str, new_text: str, start: int, end: int) -> tuple[int, int] | None:
    """Where the sub-span ``old_text[start:end]`` lies in ``new_text``, or ``None``.

    An exact occurrence wins (the one nearest the old position); otherwise
    the best fuzzy alignment if it is close enough.
    """
    piece = old_text[start:end]
    if not piece:
        return None
    hits = []
    pos = new_text.find(piece)
    while pos != -1:
        hits.append(pos)
        pos = new_text.find(piece, pos + 1)
    if hits:
        best = min(hits, key=lambda h: abs(h - start))
        return best, best + len(piece)
    alignment = fuzz.partial_ratio_alignment(piece, new_text, score_cutoff=SPAN_SIMILARITY)
    if alignment is None:
        return None
    s, e = alignment.dest_start, alignment.dest_end
    if s >= e:
        return None
    return s, e
