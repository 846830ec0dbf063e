"""A model learned from the project's own codings: which codes a passage may carry.

Each analysed passage (its words with their lemmas, see
:mod:`trivselkode.analysis.suggest`) becomes a sparse vector of three blocks
of features, each weighted TF-IDF style (``1 + log tf`` times a smoothed idf)
and scaled to unit length:

- ``l:`` the lemmas of its words, small ones too: in speech ``hun`` (the
  librarian), ``vi`` and ``ingen`` say as much as the nouns;
- ``b:`` pairs of neighbouring lemmas (``ikke tryg`` is not ``tryg``);
- ``c:`` letter groups of 3–4 inside each lemma of four letters or more (``<tryg``, ``hed>``):
  compounds and inflections the lemma table does not know still share features
  with the words they are made of (``tryghedsfølelse`` with ``tryghed``).

One logistic regression per code (trained with scikit-learn in
:mod:`trivselkode.analysis.learn_fit`, imported only to train) turns the
vector into a score ``z``. The codebook's keywords are the second witness:
their score ``k`` for the code (:meth:`KeywordIndex.suggest`, with the
keywords the model was trained with). A small logistic regression fitted on
out-of-fold scores combines the two into a probability,
``sigmoid(a·z + b·k + c)``: the codings themselves say how much the keywords
are to be trusted (Platt scaling when there are no keywords). A threshold per
code, chosen by cross-validation on that same probability, says when a
suggestion is shown; a code that scores highest among its group (the codes
of one kind under one parent, e.g. the themes) may be shown from the group's
lower threshold, where the codings say a group's first code is right as
often. Scoring is plain numpy: the weights are a features ×
codes matrix. A model is saved as a ``.npz`` of plain arrays (no pickle) and
loaded with :meth:`LearnedModel.load`.
"""

from __future__ import annotations

import math
import os
import zipfile
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from trivselkode.analysis.suggest import HasKeywords, KeywordIndex, Suggestion, Word

FORMAT = "trivselkode-learned-model"
FORMAT_VERSION = 1

NGRAM_MIN, NGRAM_MAX = 3, 4
NGRAM_WORD_MIN = 4  # shorter lemmas (jeg, det, bog) are features enough by themselves
KEYWORD_CAP = 3.0  # a keyword score above this says no more
WHY_COMMON = 0.3  # a word in this share of the project's passages or more is named as no reason
# How much each block weighs in a passage's vector (each block has unit length before this).
BLOCK_WEIGHTS = {"l": 1.0, "b": 0.5, "c": 0.8}
BLOCKS = tuple(BLOCK_WEIGHTS)


def word_features(words: Sequence[Word]) -> Iterator[tuple[str, int]]:
    """Every feature of a passage with the index of the word it comes from (a pair: both words, twice)."""
    for i, (_form, lemma, _s, _e) in enumerate(words):
        yield "l:" + lemma, i
        if len(lemma) >= NGRAM_WORD_MIN:
            marked = f"<{lemma}>"
            for n in range(NGRAM_MIN, NGRAM_MAX + 1):
                for j in range(len(marked) - n + 1):
                    yield "c:" + marked[j : j + n], i
    for i in range(len(words) - 1):
        name = f"b:{words[i][1]} {words[i + 1][1]}"
        yield name, i
        yield name, i + 1


def _weights(counts: dict[int, float], idf: np.ndarray, blocks: np.ndarray) -> dict[int, float]:
    """Feature id -> weight: (1 + log tf) * idf, each block scaled to unit length and weighted."""
    out: dict[int, float] = {}
    norms: dict[int, float] = {}
    for f, tf in counts.items():
        w = (1.0 + math.log(tf)) * float(idf[f])
        out[f] = w
        b = int(blocks[f])
        norms[b] = norms.get(b, 0.0) + w * w
    scale = {b: BLOCK_WEIGHTS[BLOCKS[b]] / math.sqrt(s) for b, s in norms.items() if s > 0}
    return {f: w * scale[int(blocks[f])] for f, w in out.items()}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0))))


@dataclass(eq=False)
class LearnedModel:
    """What the project's codings taught: weights per code, thresholds, and the words' passage shares."""

    codes: tuple[str, ...]
    vocabulary: tuple[str, ...]
    idf: np.ndarray  # (features,) float32
    coef: np.ndarray  # (features, codes) float32
    intercept: np.ndarray  # (codes,) float32
    combine: np.ndarray  # (codes, 3) float32: probability = sigmoid(a * score + b * keyword score + c)
    thresholds: dict[str, float]
    share: dict[str, float] = field(default_factory=dict)
    n_examples: int = 0
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code key -> its keywords when trained
    groups: dict[str, str] = field(default_factory=dict)  # code key -> its group (codes of a kind under a parent)
    top_thresholds: dict[str, float] = field(default_factory=dict)  # shown from here when first in its group
    quiet: frozenset[str] = frozenset()  # function words (spaCy's Danish stop words) never named as a reason
    _index: dict[str, int] = field(init=False, repr=False)
    _blocks: np.ndarray = field(init=False, repr=False)
    _keyword_index: KeywordIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {name: i for i, name in enumerate(self.vocabulary)}
        self._blocks = np.fromiter(
            (BLOCKS.index(v[0]) for v in self.vocabulary), dtype=np.int8, count=len(self.vocabulary)
        )
        self._keyword_index = KeywordIndex(keyword_lists(self.keywords))

    @classmethod
    def empty(cls, share: Mapping[str, float] | None = None) -> LearnedModel:
        """A model with no codes (a new project): suggestions come from the keywords alone."""
        return cls(
            codes=(),
            vocabulary=(),
            idf=np.zeros(0, np.float32),
            coef=np.zeros((0, 0), np.float32),
            intercept=np.zeros(0, np.float32),
            combine=np.zeros((0, 3), np.float32),
            thresholds={},
            share=dict(share or {}),
        )

    # ------------------------------------------------------------------ scoring
    def _vector(self, words: Sequence[Word]) -> tuple[dict[int, float], dict[int, list[int]]]:
        """The passage's weighted features and, for each, the words it came from."""
        counts: dict[int, float] = {}
        sources: dict[int, list[int]] = {}
        for name, i in word_features(words):
            f = self._index.get(name)
            if f is None:
                continue
            counts[f] = counts.get(f, 0.0) + (0.5 if name.startswith("b:") else 1.0)
            sources.setdefault(f, []).append(i)
        return _weights(counts, self.idf, self._blocks), sources

    def keyword_suggestions(self, words: Sequence[Word], *, known: Container[str] = frozenset()) -> list[Suggestion]:
        """The keyword suggestions of the keywords the model was trained with (its keyword witness)."""
        return self._keyword_index.suggest(words, known=known, share=self.share)

    def probabilities(
        self,
        words: Sequence[Word],
        *,
        known: Container[str] = frozenset(),
        keywords: Sequence[Suggestion] | None = None,
    ) -> dict[str, float]:
        """Code key -> the probability that the passage carries it (codes with a model only).

        ``known``: the passage's word forms the lemma table knows (see
        :class:`~trivselkode.analysis.suggest.Analyzed`); ``keywords``: this
        passage's :meth:`keyword_suggestions`, if the caller has them already.
        """
        if not self.codes:
            return {}
        vec, _ = self._vector(words)
        z = self.intercept.astype(np.float64)
        if vec:
            ids = np.fromiter(vec, dtype=np.int64, count=len(vec))
            z = z + np.fromiter(vec.values(), dtype=np.float64, count=len(vec)) @ self.coef[ids]
        k = np.zeros(len(self.codes))
        if self.keywords:
            found = {
                s.code_key: s.score
                for s in (keywords if keywords is not None else self.keyword_suggestions(words, known=known))
            }
            k = np.array([min(found.get(code, 0.0), KEYWORD_CAP) for code in self.codes])
        p = _sigmoid(self.combine[:, 0] * z + self.combine[:, 1] * k + self.combine[:, 2])
        return {code: float(v) for code, v in zip(self.codes, p)}

    def shown(self, probabilities: Mapping[str, float]) -> set[str]:
        """The codes among :meth:`probabilities` whose suggestion is shown.

        A code is shown from its threshold; the first code of its group (the codes of one
        kind under one parent, e.g. the themes) also from the group's lower top threshold,
        chosen by cross-validation so that a group's first code is right as often.
        """
        first: dict[str, tuple[float, str]] = {}
        for key, p in probabilities.items():
            group = self.groups.get(key)
            if group is not None and (group not in first or p > first[group][0]):
                first[group] = (p, key)
        tops = {key for p, key in first.values() if p >= self.top_thresholds.get(key, 1.0)}
        return {key for key, p in probabilities.items() if p >= self.thresholds[key] or key in tops}

    def why(self, words: Sequence[Word], code_key: str, k: int = 3) -> tuple[str, ...]:
        """The passage's words (as written, lower case) that weighed most for ``code_key``, at most ``k``."""
        return self.why_many(words, [code_key], k).get(code_key, ())

    def why_many(self, words: Sequence[Word], code_keys: Sequence[str], k: int = 3) -> dict[str, tuple[str, ...]]:
        """:meth:`why` for several codes at once (the passage is weighed once).

        A feature's weight times the code's coefficient is shared among the
        words it comes from; a word form's weight is its best occurrence's;
        only words that count for the code are named, the heaviest first, and
        none as common as :data:`WHY_COMMON` in the project (``om``, ``jeg``)
        and no function word (``hvis``, ``skal``: :attr:`quiet`).
        """
        columns = [(key, self.codes.index(key)) for key in dict.fromkeys(code_keys) if key in self.codes]
        if not columns or k <= 0:
            return {}
        vec, sources = self._vector(words)
        if not vec:
            return {key: () for key, _c in columns}
        features = list(vec)
        share = np.zeros((len(words), len(features)))
        for j, f in enumerate(features):
            for i in sources[f]:
                share[i, j] += vec[f] / len(sources[f])
        by_word = share @ self.coef[np.array(features)][:, [c for _key, c in columns]].astype(np.float64)
        out: dict[str, tuple[str, ...]] = {}
        for j, (key, _c) in enumerate(columns):
            best: dict[str, float] = {}
            for i in np.argsort(-by_word[:, j], kind="stable"):
                v = float(by_word[i, j])
                if v <= 0 or len(best) >= k:
                    break
                form, lemma = words[i][0], words[i][1]
                if self.share.get(lemma, 0.0) < WHY_COMMON and form not in self.quiet and lemma not in self.quiet:
                    best.setdefault(form, v)
            out[key] = tuple(best)
        return out

    # ------------------------------------------------------------------ storage
    def save(self, path: Path) -> None:
        """Write the model to ``path`` as a ``.npz`` of plain arrays (readable without pickle).

        Written beside ``path`` and renamed into place: a reader never sees half a model.
        """
        share_keys = sorted(self.share)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as out:
                np.savez_compressed(
                    out,
                    format=np.array(FORMAT),
                    version=np.array(FORMAT_VERSION, np.int64),
                    codes=np.array(self.codes, dtype=str),
                    vocabulary=np.array(self.vocabulary, dtype=str),
                    idf=self.idf.astype(np.float32),
                    coef=self.coef.astype(np.float32),
                    intercept=self.intercept.astype(np.float32),
                    combine=self.combine.astype(np.float32),
                    thresholds=np.array([self.thresholds[c] for c in self.codes], np.float64),
                    share_keys=np.array(share_keys, dtype=str),
                    share_values=np.array([self.share[k] for k in share_keys], np.float64),
                    n_examples=np.array(self.n_examples, np.int64),
                    keyword_codes=np.array([c for c, kws in self.keywords.items() for _ in kws], dtype=str),
                    keyword_words=np.array([kw for kws in self.keywords.values() for kw in kws], dtype=str),
                    groups=np.array([self.groups.get(c, "") for c in self.codes], dtype=str),
                    top_thresholds=np.array([self.top_thresholds.get(c, 1.0) for c in self.codes], np.float64),
                    quiet=np.array(sorted(self.quiet), dtype=str),
                )
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> LearnedModel:
        """The model saved at ``path``; ValueError if it is no trivselkode model (or a damaged one)."""
        try:
            data = np.load(path, allow_pickle=False)
            if not hasattr(data, "files"):  # a single .npy array
                raise ValueError("it holds one array, not a model")
            with data:
                arrays = {name: data[name] for name in data.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
            raise ValueError(f"{path} is not a readable trivselkode model: {exc}") from exc
        mark = arrays.get("format")
        if mark is None or mark.shape != () or str(mark) != FORMAT:
            raise ValueError(f"{path} is not a trivselkode model (no '{FORMAT}' mark)")
        version = arrays.get("version")
        if version is None or version.shape != () or version.dtype.kind not in "iu" or int(version) != FORMAT_VERSION:
            raise ValueError(f"{path} is a trivselkode model of another version ({version}); train it again")
        try:
            codes = tuple(str(c) for c in arrays["codes"])
            vocabulary = tuple(str(v) for v in arrays["vocabulary"])
            coef, idf = arrays["coef"].astype(np.float32), arrays["idf"].astype(np.float32)
            intercept, combine = arrays["intercept"].astype(np.float32), arrays["combine"].astype(np.float32)
            thresholds = [float(t) for t in arrays["thresholds"]]
            share = dict(zip((str(k) for k in arrays["share_keys"]), (float(v) for v in arrays["share_values"])))
            n_examples = int(arrays["n_examples"])
            keywords: dict[str, tuple[str, ...]] = {}
            for code, kw in zip(arrays["keyword_codes"], arrays["keyword_words"], strict=True):
                keywords[str(code)] = (*keywords.get(str(code), ()), str(kw))
            # A model saved before groups were learnt shows each code by its own threshold only.
            groups = [str(g) for g in arrays.get("groups", np.array([""] * len(codes)))]
            tops = [float(t) for t in arrays.get("top_thresholds", np.ones(len(codes)))]
            quiet = frozenset(str(w) for w in arrays.get("quiet", np.array([], dtype=str)))  # none before
        except KeyError as exc:
            raise ValueError(f"{path} is a damaged trivselkode model: {exc} is missing") from exc
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path} is a damaged trivselkode model: {exc}") from exc
        n_f, n_c = len(vocabulary), len(codes)
        if (
            coef.shape != (n_f, n_c)
            or idf.shape != (n_f,)
            or intercept.shape != (n_c,)
            or combine.shape != (n_c, 3)
            or len(thresholds) != n_c
            or len(groups) != n_c
            or len(tops) != n_c
            or any(not v or v[0] not in BLOCK_WEIGHTS for v in vocabulary)
        ):
            raise ValueError(f"{path} is a damaged trivselkode model: its arrays do not fit together")
        return cls(
            codes=codes,
            vocabulary=vocabulary,
            idf=idf,
            coef=coef,
            intercept=intercept,
            combine=combine,
            thresholds=dict(zip(codes, thresholds)),
            share=share,
            n_examples=n_examples,
            keywords=keywords,
            groups={c: g for c, g in zip(codes, groups) if g},
            top_thresholds=dict(zip(codes, tops)),
            quiet=quiet,
        )


@dataclass(frozen=True)
class Example:
    """One analysed passage and what the coders said about it."""

    words: tuple[Word, ...]  # analysed passage (annotations already no words)
    codes: frozenset[str]  # code keys the passage carries (leaf and parent keys as coded)
    rejected: frozenset[str] = frozenset()  # codes a coder rejected for it (negatives)


def train(
    examples: Sequence[Example],
    code_keys: Sequence[str],
    *,
    share: Mapping[str, float] | None = None,
    seed: int = 0,
    keywords: Iterable[HasKeywords | dict[str, Any]] | None = None,
    groups: Mapping[str, str] | None = None,
    codebook: Sequence[Example] = (),
) -> LearnedModel:
    """A model of ``code_keys`` learned from ``examples`` (see :mod:`trivselkode.analysis.learn_fit`).

    Codes with too few positive examples get no model (their suggestions come
    from the keywords alone). ``keywords``: the codebook's codes (objects or
    dicts with ``key`` and ``keywords``, as for :class:`KeywordIndex`); the
    model then learns how far to trust each code's keywords, and keeps them.
    Without, it learns from the words alone. ``groups``: code key -> its group
    (the codes of one kind under one parent, e.g. the themes): a group's
    highest-scoring code may be shown from a lower threshold
    (:meth:`LearnedModel.shown`). ``codebook``: the codebook's own texts as
    weak examples (:mod:`trivselkode.analysis.learn_prior`). Deterministic for a given ``seed``.
    """
    from trivselkode.analysis.learn_fit import fit

    return fit(
        examples,
        code_keys,
        share=share,
        seed=seed,
        keywords=keyword_map(keywords or ()),
        groups=groups,
        codebook=codebook,
    )


def keyword_map(codes: Iterable[HasKeywords | dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    """Code key -> its keywords, for the codes that are not retired and have any."""
    out: dict[str, tuple[str, ...]] = {}
    for code in codes:
        get = code.get if isinstance(code, dict) else lambda name, c=code: getattr(c, name, None)
        if get("retired"):
            continue
        words = tuple(str(w) for w in get("keywords") or () if str(w).strip())
        if words:
            out[str(get("key"))] = words
    return out


def keyword_lists(keywords: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """:func:`keyword_map`'s mapping as codes a :class:`KeywordIndex` takes."""
    return [{"key": key, "keywords": list(words)} for key, words in keywords.items()]
