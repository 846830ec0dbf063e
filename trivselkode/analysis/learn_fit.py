"""Training a :class:`~trivselkode.analysis.learn.LearnedModel` with scikit-learn.

Imported only to train (in a helper process or the CLI), never to score.

For each code with at least :data:`MIN_POSITIVES` coded passages:

- positives are the passages coded with it; negatives are the other coded
  passages, the passages a coder rejected it for (those count double: a
  coder looked and said no) and the examples that carry no code and reject
  none (a passage a coder read and found nothing in);
- a logistic regression (liblinear's dual solver, the classes as they
  come: the calibration below sets each code's base rate, and weighing a
  rare code's few positives up only lets the model learn them by heart)
  is fitted on the TF-IDF vectors of :mod:`trivselkode.analysis.learn`;
- stratified k-fold cross-validation gives every passage a score from a model
  that did not see it; a logistic regression on those out-of-fold scores and
  the passage's keyword score for the code (``a·z + b·k + c``; Platt scaling
  when the code has no keywords; ``b`` never negative) turns them into a
  probability, and the threshold is the lowest probability at
  which the out-of-fold suggestions it would show are right at least
  :data:`TARGET_PRECISION` of the time. Where no threshold reaches that, the
  one with the best F1 is taken, but never below :data:`THRESHOLD_FLOOR`;
- given ``groups`` (code key -> its group: the codes of one kind under one
  parent, e.g. the themes), each group also gets a top threshold
  (:func:`group_thresholds`): the lowest probability, not below
  :data:`THRESHOLD_FLOOR`, from which the group's highest-scoring code is
  right at least :data:`TARGET_PRECISION` of the time out of fold. A group's
  first code is shown from there even below its own threshold, so that the
  ``+`` key has a suggestion where the codings say the first one is usually right.

On a large project the codes are trained :data:`WORKERS` at a time in forked
worker processes (threads would share liblinear's random generator and make
the result depend on timing); each fit seeds it, so the model is the same
whichever process trains which code.
On a large project the cross-validation runs on a random sample of
:data:`CV_SAMPLE` passages (three folds) and the final fit on every positive
and a sample of the negatives (:data:`FIT_SAMPLE` rows in all), so that
10,000 passages × 40 codes train in seconds.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

from trivselkode.analysis.learn import (
    BLOCK_WEIGHTS,
    BLOCKS,
    KEYWORD_CAP,
    Example,
    LearnedModel,
    keyword_lists,
    word_features,
)
from trivselkode.analysis.learn_prior import Prior, prior_for, transform, with_prior
from trivselkode.analysis.suggest import KeywordIndex

MIN_POSITIVES = 3
TARGET_PRECISION = 2 / 3
THRESHOLD_FLOOR = 0.5  # the best-F1 fallback never shows a suggestion below this probability
PRECISION_FLOOR = 0.3  # nor does a threshold that reaches the target precision
MAX_FOLDS = 5
C = 2.0  # inverse regularisation strength (features are unit-length blocks)
REJECTED_WEIGHT = 2.0
# Above this many passages cross-validation runs on a random sample of them, in three folds.
CV_SAMPLE = 1500
FIT_SAMPLE = 3000  # the final fit: every positive and negatives sampled up to this many rows in all
WORKERS = 2
# coef, intercept, (a, b, c), threshold, each row's out-of-fold probability (NaN: not cross-validated)
Fitted = tuple[np.ndarray, float, tuple[float, float, float], float, np.ndarray]
PARALLEL_FROM = 2000  # passages from which the codes are trained in worker processes

_task: Callable[[int], Fitted | None] | None = None  # the forked workers' job (inherited, not pickled)


def _call(j: int) -> Fitted | None:
    assert _task is not None
    return _task(j)


def _map(one: Callable[[int], Fitted | None], n_codes: int, n_rows: int) -> list[Fitted | None]:
    """``one(j)`` for every code, in worker processes for a large project where the system can fork."""
    global _task
    if n_rows < PARALLEL_FROM or WORKERS < 2 or n_codes < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [one(j) for j in range(n_codes)]
    _task = one
    try:
        with multiprocessing.get_context("fork").Pool(min(WORKERS, n_codes)) as pool:
            return pool.map(_call, range(n_codes), chunksize=1)
    finally:
        _task = None


def _doc_features(examples: Sequence[Example]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Every feature name, and (row, feature id, count) for each feature of each example.

    Faster than :func:`~trivselkode.analysis.learn.word_features` example by example: a lemma's
    own features (``l:`` and ``c:``) are worked out once per distinct lemma.
    """
    names: dict[str, int] = {}
    per_lemma: dict[str, list[int]] = {}
    rows: list[int] = []
    ids: list[int] = []
    counts: list[float] = []
    for r, e in enumerate(examples):
        lemmas = [w[1] for w in e.words]
        for lemma in lemmas:
            own = per_lemma.get(lemma)
            if own is None:
                own = [names.setdefault(name, len(names)) for name, _i in word_features([("", lemma, 0, 0)])]
                per_lemma[lemma] = own
            ids.extend(own)
            counts.extend([1.0] * len(own))
        pairs = [names.setdefault(f"b:{a} {b}", len(names)) for a, b in zip(lemmas, lemmas[1:])]
        ids.extend(pairs)
        counts.extend([1.0] * len(pairs))  # a pair counts half for each of its two words
        rows.extend([r] * (len(ids) - len(rows)))
    return list(names), np.array(rows, np.int64), np.array(ids, np.int64), np.array(counts)


def _matrix(examples: Sequence[Example]) -> tuple[sparse.csr_matrix, list[str], np.ndarray]:
    """The examples' TF-IDF matrix (as :meth:`LearnedModel._vector` weighs one passage), its vocabulary and idf.

    Features in fewer than two passages are left out (none when there are under 50 passages).
    """
    names, rows, ids, counts = _doc_features(examples)
    n = len(examples)
    X = sparse.csr_matrix((counts, (rows, ids)), shape=(n, len(names)))
    X.sum_duplicates()
    df = np.bincount(X.indices, minlength=len(names))
    keep = np.flatnonzero(df >= (2 if n >= 50 else 1))
    order = keep[np.argsort(np.array(names, dtype=object)[keep].astype(str), kind="stable")]
    vocabulary = [names[i] for i in order]
    idf = (np.log((1 + n) / (1 + df[order])) + 1.0).astype(np.float32)
    X = X[:, order].tocsr()
    X.sort_indices()
    blocks = np.array([BLOCKS.index(v[0]) for v in vocabulary], dtype=np.int64)
    X.data = (1.0 + np.log(X.data)) * idf[X.indices].astype(np.float64)
    row_of = np.repeat(np.arange(n), np.diff(X.indptr))
    cell = row_of * len(BLOCKS) + blocks[X.indices]
    norms = np.sqrt(np.bincount(cell, weights=X.data**2, minlength=n * len(BLOCKS)))
    scale = np.array([BLOCK_WEIGHTS[b] for b in BLOCKS])[blocks[X.indices]] / norms[cell]
    X.data = X.data * scale
    return X, vocabulary, idf


def _classifier(seed: int) -> LogisticRegression:
    return LogisticRegression(solver="liblinear", dual=True, C=C, tol=1e-3, random_state=seed, max_iter=1000)


def _logistic(X: np.ndarray, y: np.ndarray, ridge: float = 1e-3, steps: int = 50) -> np.ndarray:
    """Weights (last: the intercept) of a logistic regression on a few columns, by Newton's method.

    A tiny ridge keeps the weights finite when out-of-fold scores separate the classes perfectly.
    """
    A = np.column_stack([X, np.ones(len(X))])
    w = np.zeros(A.shape[1])
    penalty = np.full(A.shape[1], ridge)
    penalty[-1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(A @ w, -35.0, 35.0)))
        gradient = A.T @ (p - y) + penalty * w
        hessian = (A * (p * (1 - p))[:, None]).T @ A + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def _combine(scores: np.ndarray, kw: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(a, b, c) so that sigmoid(a * score + b * keyword score + c) is calibrated on these out-of-fold scores."""
    yf = y.astype(np.float64)
    if kw.any():
        a, b, c = _logistic(np.column_stack([scores, kw]), yf)
        if b > 0:
            return float(a), float(b), float(c)
    a, c = _logistic(scores.reshape(-1, 1), yf)
    return float(a), 0.0, float(c)


def top_threshold(p: np.ndarray, right: np.ndarray) -> float:
    """The lowest probability from which a group's first code is right >= TARGET_PRECISION (1.0: none).

    ``p``: each cross-validated passage's highest out-of-fold probability in the group;
    ``right``: whether the passage carries that code. Never below :data:`THRESHOLD_FLOOR`:
    the first code is shown by this rule only when it is at least as likely as not.
    """
    order = np.argsort(-p, kind="stable")
    p_sorted, right_sorted = p[order], right[order].astype(np.float64)
    precision = np.cumsum(right_sorted) / np.arange(1, len(p) + 1)
    last = np.append(p_sorted[1:] != p_sorted[:-1], True)
    ok = last & (precision >= TARGET_PRECISION) & (p_sorted >= THRESHOLD_FLOOR)
    return float(p_sorted[np.flatnonzero(ok)[-1]]) if ok.any() else 1.0


def group_thresholds(probabilities: np.ndarray, carries: np.ndarray, groups: Sequence[str | None]) -> list[float]:
    """Per code, the :func:`top_threshold` of its group (codes of one kind under one parent); 1.0 for none.

    ``probabilities``: (passages, codes) out-of-fold probabilities, NaN where a code was not
    cross-validated on a passage; only passages cross-validated for every code of the group count.
    """
    out = [1.0] * len(groups)
    for group in sorted({g for g in groups if g is not None}):
        cols = np.array([j for j, g in enumerate(groups) if g == group])
        if len(cols) < 2:
            continue
        P = probabilities[:, cols]
        rows = np.flatnonzero(~np.isnan(P).any(axis=1))
        if not len(rows):
            continue
        best = np.argmax(P[rows], axis=1)
        value = top_threshold(P[rows, best], carries[rows, cols[best]])
        for j in cols:
            out[int(j)] = value
    return out


def choose_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The lowest threshold whose shown suggestions are right >= TARGET_PRECISION, else the best F1 (>= floor)."""
    order = np.argsort(-p, kind="stable")
    p_sorted, y_sorted = p[order], y[order].astype(np.float64)
    tp = np.cumsum(y_sorted)
    shown = np.arange(1, len(p) + 1)
    # Only cut between distinct probabilities: the last index of each run of ties.
    last = np.append(p_sorted[1:] != p_sorted[:-1], True)
    precision = tp / shown
    ok = last & (precision >= TARGET_PRECISION) & (p_sorted >= PRECISION_FLOOR)
    if ok.any():
        return float(p_sorted[np.flatnonzero(ok)[-1]])
    positives = max(float(y.sum()), 1.0)
    f1 = 2 * tp / (shown + positives)
    candidates = np.flatnonzero(last & (p_sorted >= THRESHOLD_FLOOR))
    if not len(candidates):
        return 1.0  # nothing passes the floor out of fold: the model shows nothing for this code
    return float(p_sorted[candidates[np.argmax(f1[candidates])]])


def _fit_code(
    X: sparse.csr_matrix, y: np.ndarray, kw: np.ndarray, weight: np.ndarray, seed: int, prior: Prior | None = None
) -> Fitted:
    """The regression, its combination with the keywords and its threshold for one code.

    ``prior``: the codebook's rows for the code (:mod:`trivselkode.analysis.learn_prior`), added to every
    training fold and to the final fit, never scored out of fold.
    """
    rng = np.random.default_rng(seed)
    cv_rows = np.arange(len(y))
    max_folds = MAX_FOLDS
    if len(y) > CV_SAMPLE:  # a uniform sample: its precision and calibration are the whole set's
        cv_rows = np.sort(rng.choice(len(y), CV_SAMPLE, replace=False))
        max_folds = 3
    yc = y[cv_rows]
    folds = min(max_folds, int(yc.sum()), int(len(yc) - yc.sum()))
    if folds >= 2:
        Xc, wc, oof = X[cv_rows], weight[cv_rows], np.zeros(len(cv_rows))
        for train_i, test_i in StratifiedKFold(folds, shuffle=True, random_state=seed).split(cv_rows, yc):
            Xt, yt, wt = with_prior(Xc[train_i], yc[train_i], wc[train_i], prior)
            clf = _classifier(seed).fit(Xt, yt, sample_weight=wt)
            oof[test_i] = clf.decision_function(Xc[test_i])
        a, b, c = _combine(oof, kw[cv_rows], yc)
        p_cv = 1.0 / (1.0 + np.exp(-(a * oof + b * kw[cv_rows] + c)))
        threshold = choose_threshold(p_cv, yc)
        p_oof = np.full(len(y), np.nan)
        p_oof[cv_rows] = p_cv
    else:
        a, b, c, threshold, p_oof = 1.0, 0.0, 0.0, 1.0, np.full(len(y), np.nan)
    fit_rows = np.arange(len(y))
    fit_weight = weight
    negatives = np.flatnonzero(y == 0)
    room = FIT_SAMPLE - int(y.sum())
    if len(y) > FIT_SAMPLE and len(negatives) > room:
        keep = rng.choice(negatives, max(room, FIT_SAMPLE // 2), replace=False)
        fit_rows = np.sort(np.concatenate([np.flatnonzero(y == 1), keep]))
        # The kept negatives stand for all of them: the classes weigh as in the whole set, as they did
        # in the cross-validated fits the calibration (a, b, c) was chosen on.
        fit_weight = np.where(y == 0, weight * (len(negatives) / len(keep)), weight)
    Xf, yf, wf = with_prior(X[fit_rows], y[fit_rows], fit_weight[fit_rows], prior)
    clf = _classifier(seed).fit(Xf, yf, sample_weight=wf)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0]), (a, b, c), threshold, p_oof


class _AllKnown:
    """Every word is known: no misspelling matches while training (fast; the examples carry no known words)."""

    def __contains__(self, word: object) -> bool:
        return True


def _keyword_scores(
    examples: Sequence[Example],
    codes: Sequence[str],
    keywords: Mapping[str, Sequence[str]],
    share: Mapping[str, float] | None,
) -> np.ndarray:
    """(examples, codes): each passage's keyword score for each code (capped), as scoring will see it."""
    out = np.zeros((len(examples), len(codes)))
    if not keywords:
        return out
    index = KeywordIndex(keyword_lists(keywords))
    column = {code: j for j, code in enumerate(codes)}
    for i, e in enumerate(examples):
        for s in index.suggest(e.words, known=_AllKnown(), share=share):
            if s.code_key in column:
                out[i, column[s.code_key]] = min(s.score, KEYWORD_CAP)
    return out


def function_words() -> frozenset[str]:
    """spaCy's Danish stop words (``hvis``, ``skal``, ``jo``): counted as features, never given as a reason.

    Not the codebook's keywords among them: ``alene`` is a stop word and a keyword of T1 and T3.
    """
    from spacy.lang.da.stop_words import STOP_WORDS

    return frozenset(str(w).lower() for w in STOP_WORDS)


def fit(
    examples: Sequence[Example],
    code_keys: Sequence[str],
    *,
    share: Mapping[str, float] | None = None,
    seed: int = 0,
    keywords: Mapping[str, Sequence[str]] | None = None,
    groups: Mapping[str, str] | None = None,
    codebook: Sequence[Example] = (),
) -> LearnedModel:
    """Train the model (see the module's docstring); ``codebook``: the codebook's texts as a prior."""
    groups = dict(groups or {})
    keywords = {code: tuple(words) for code, words in (keywords or {}).items()}
    coded = list(examples)
    counts = {key: sum(1 for e in coded if key in e.codes) for key in code_keys}
    trained = [key for key in code_keys if counts[key] >= MIN_POSITIVES]
    if not trained:
        model = LearnedModel.empty(share)
        model.n_examples = len(coded)
        return model
    X, vocabulary, idf = _matrix(coded)
    prior_rows = transform(codebook, vocabulary, idf)
    K = _keyword_scores(coded, trained, keywords, share)

    column = {key: j for j, key in enumerate(trained)}
    carries = np.zeros((len(coded), len(trained)), bool)
    rejects = np.zeros((len(coded), len(trained)), bool)
    for i, e in enumerate(coded):
        carries[i, [column[k] for k in e.codes if k in column]] = True
        rejects[i, [column[k] for k in e.rejected if k in column and k not in e.codes]] = True
    # Rows for every code: passages with codes, and those with neither codes nor rejections (nothing found).
    common = np.array([bool(e.codes) or not e.rejected for e in coded])

    def one(j: int) -> Fitted | None:
        rows = np.flatnonzero(common | rejects[:, j])
        y = carries[rows, j].astype(np.int64)
        if y.sum() < MIN_POSITIVES or y.sum() == len(y):
            return None
        weight = np.where(rejects[rows, j], REJECTED_WEIGHT, 1.0)
        return _fit_code(X[rows], y, K[rows, j], weight, seed, prior_for(trained[j], codebook, prior_rows))

    results = _map(one, len(trained), len(coded))
    kept = [(key, r) for key, r in zip(trained, results) if r is not None]
    probabilities = np.full((len(coded), len(kept)), np.nan)
    for c, (key, r) in enumerate(kept):
        probabilities[np.flatnonzero(common | rejects[:, column[key]]), c] = r[4]
    kept_columns = [column[key] for key, _r in kept]
    tops = group_thresholds(probabilities, carries[:, kept_columns], [groups.get(key) for key, _r in kept])
    if not kept:
        model = LearnedModel.empty(share)
        model.n_examples = len(coded)
        return model
    return LearnedModel(
        codes=tuple(key for key, _r in kept),
        vocabulary=tuple(vocabulary),
        idf=idf,
        coef=np.stack([r[0] for _k, r in kept], axis=1).astype(np.float32),
        intercept=np.array([r[1] for _k, r in kept], np.float32),
        combine=np.array([r[2] for _k, r in kept], np.float32),
        thresholds={key: r[3] for key, r in kept},
        groups={key: groups[key] for key, _r in kept if key in groups},
        top_thresholds={key: t for (key, _r), t in zip(kept, tops)},
        quiet=function_words() - {kw for kws in keywords.values() for kw in kws},  # "alene" is a stop word
        share=dict(share or {}),
        n_examples=len(coded),
        keywords={code: tuple(words) for code, words in keywords.items() if code in {key for key, _r in kept}},
    )
