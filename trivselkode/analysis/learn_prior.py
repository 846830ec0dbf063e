"""The codebook's own words as a prior for the learned suggestions.

A project's codings are few (the demo has 276 coded passages) and written by
a handful of speakers; a new speaker says the same things in other words.
The codebook says what each code means in the researchers' words: its
description, what it includes, its characteristics and its example quotes
(from the study's report). Each of those texts becomes a training row of
its code, weighed :data:`CODEBOOK_WEIGHT` of a coded passage, and a negative
row of the code's siblings (the codes of the same parent: a theme's text is
no example of another theme).

The rows only ever enter the training folds: a model's threshold and its
calibration are chosen on the project's own codings, out of fold, never on
the codebook's texts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

from trivselkode.analysis.learn import BLOCKS, Example, _weights, word_features
from trivselkode.analysis.suggest import Analyzed

CODEBOOK_WEIGHT = 0.3  # a text of the codebook weighs this much of a coded passage
FIELDS = ("description", "include", "characteristics", "examples")

Prior = tuple[sparse.csr_matrix, np.ndarray, np.ndarray]  # a code's codebook rows, their labels, their weights


def codebook_examples(codes: Iterable[Mapping[str, Any]], analyze: Callable[[str], Analyzed]) -> list[Example]:
    """One example per codebook text of each live code: that code on, its siblings off.

    ``codes``: dicts with ``key``, ``parent`` (the parent's key or None) and
    the :data:`FIELDS` (a text or a list of texts).
    """
    live = list(codes)
    siblings: dict[object, set[str]] = {}
    for code in live:
        siblings.setdefault(code.get("parent"), set()).add(code["key"])
    out = []
    for code in live:
        others = frozenset(siblings[code.get("parent")] - {code["key"]})
        for field in FIELDS:
            value = code.get(field) or ()
            for text in [value] if isinstance(value, str) else value:
                words = analyze(str(text)).words
                if words:
                    out.append(Example(tuple(words), frozenset({code["key"]}), others))
    return out


def transform(examples: Sequence[Example], vocabulary: Sequence[str], idf: np.ndarray) -> sparse.csr_matrix:
    """Further passages weighed as :meth:`LearnedModel._vector` weighs one (features of ``vocabulary`` only)."""
    index = {name: i for i, name in enumerate(vocabulary)}
    blocks = np.array([BLOCKS.index(v[0]) for v in vocabulary], dtype=np.int8)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for r, e in enumerate(examples):
        counts: dict[int, float] = {}
        for name, _i in word_features(e.words):
            f = index.get(name)
            if f is not None:
                counts[f] = counts.get(f, 0.0) + (0.5 if name.startswith("b:") else 1.0)
        for f, w in _weights(counts, idf, blocks).items():
            rows.append(r)
            cols.append(f)
            vals.append(w)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(examples), len(vocabulary)))


def prior_for(key: str, codebook: Sequence[Example], matrix: sparse.csr_matrix) -> Prior | None:
    """The codebook rows that speak of ``key`` (on or off), with their labels and weights; None if none do."""
    rows = [i for i, e in enumerate(codebook) if key in e.codes or key in e.rejected]
    if not rows:
        return None
    labels = np.array([key in codebook[i].codes for i in rows], np.int64)
    return matrix[rows], labels, np.full(len(rows), CODEBOOK_WEIGHT)


def with_prior(
    X: sparse.csr_matrix, y: np.ndarray, w: np.ndarray, prior: Prior | None
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """The training rows with the codebook's rows for the code added."""
    if prior is None:
        return X, y, w
    return sparse.vstack([X, prior[0]]).tocsr(), np.concatenate([y, prior[1]]), np.concatenate([w, prior[2]])
