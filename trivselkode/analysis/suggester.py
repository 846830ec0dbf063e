"""Suggestions for a passage: the codebook's keywords and the model learned from the codings, together.

- A code the model knows (:class:`~trivselkode.analysis.learn.LearnedModel`,
  trained on enough of the project's codings) is scored by the model: its
  probability already weighs the passage's words and the code's keyword score
  as the codings taught it to (see :mod:`trivselkode.analysis.learn`), and it
  is shown when it reaches the code's threshold, chosen by cross-validation so
  that shown suggestions are right at least two times in three.
- A code the model does not know (a new project, a code with too few codings)
  is scored by its keywords alone, ``k / (1 + k)`` for a keyword score ``k``,
  and shown by the keyword rule (``k >=`` :data:`~trivselkode.analysis.suggest.KEYWORD_SHOWN`).

Each suggestion says why, in Danish: ``nøgleord: tryg`` (the keywords the
passage matched) and ``ord: personalet, smilte`` (the words that weighed most
in the model). Shown suggestions come first, then by score. Codes already on
the passage (``exclude``) are never suggested. Nothing here stores anything.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from trivselkode.analysis.learn import LearnedModel
from trivselkode.analysis.suggest import Analyzed, KeywordIndex, Suggestion
from trivselkode.i18n import _

WHY_WORDS = 3  # the model's words named in a suggestion's why


def keyword_probability(score: float) -> float:
    """A keyword score (0, 1, 2.3, …) as a number in [0, 1): ``k / (1 + k)``."""
    return max(score, 0.0) / (1.0 + max(score, 0.0))


class Suggester:
    """Ranks a passage's codes by the keywords and, where the project has taught one, the learned model."""

    def __init__(self, index: KeywordIndex, model: LearnedModel | None = None) -> None:
        self.index = index
        self.model = model if model is not None and model.codes else None
        self.share = model.share if model is not None else None

    def suggest(
        self,
        analyzed: Analyzed,
        *,
        exclude: Collection[str] = (),
        codes: Collection[str] | None = None,
        limit: int | None = None,
    ) -> list[Suggestion]:
        """The passage's suggestions, best first (shown ones first); ``codes`` restricts them to these keys."""
        words = analyzed.words
        wanted = set(codes) if codes is not None else None
        skip = set(exclude)

        def allowed(key: str) -> bool:
            return key not in skip and (wanted is None or key in wanted)

        by_keywords = self.index.suggest(words, known=analyzed.known, share=self.share)
        keyword_of = {s.code_key: s for s in by_keywords}
        out: list[Suggestion] = []
        model = self.model
        if model is not None:
            probabilities = model.probabilities(words, known=analyzed.known, keywords=by_keywords)
            shown = model.shown(probabilities)  # over every code: a group's first is first of them all
            for key, p in probabilities.items():
                # A code deleted or retired since the model was trained is suggested no more.
                if not allowed(key) or (self.index.order and key not in self.index.order):
                    continue
                kw = keyword_of.get(key)
                out.append(
                    Suggestion(
                        code_key=key,
                        score=round(p, 4),
                        matched_words=kw.matched_words if kw is not None else (),
                        shown=key in shown,
                        why=kw.why if kw is not None else (),
                    )
                )
        for s in by_keywords:
            if (model is not None and s.code_key in model.codes) or not allowed(s.code_key):
                continue
            out.append(replace(s, score=round(keyword_probability(s.score), 4)))
        order = self.index.order
        out.sort(key=lambda s: (not s.shown, -s.score, order.get(s.code_key, len(order)), s.code_key))
        out = out[:limit] if limit is not None else out
        if model is None:
            return out
        # The model's words, for the suggestions returned only (the passage weighed once).
        named = model.why_many(words, [s.code_key for s in out if s.code_key in model.codes], WHY_WORDS)
        return [
            replace(s, why=(*s.why, _("ord: {words}").format(words=", ".join(named[s.code_key]))))
            if named.get(s.code_key)
            else s
            for s in out
        ]
