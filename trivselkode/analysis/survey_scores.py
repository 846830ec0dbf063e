"""Respondents' scores from a stored questionnaire, and the groups a report compares.

The answers are stored raw (as the respondent ticked them); here reverse-coded
items are turned (max + min − x) and every respondent gets a score per dimension
and an overall score (SPEC §7b): the mean of their answered items, a dimension
score missing when fewer than half of its items are answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from trivselkode.analysis.attributes import AgeBands, value_label
from trivselkode.analysis.survey_stats import dimension_scores, overall_scores
from trivselkode.domain.survey_definition import column_key
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _, gettext_for

if TYPE_CHECKING:
    from trivselkode.storage.surveys import StoredRespondent, StoredSurvey

__all__ = ["BY_CHOICES", "Scores", "group_label", "group_of", "item_matrix", "respondent_scores"]

#: What a report may group respondents by.
BY_CHOICES = ("round", "site", "context", "gender", "age_band")
_ROUND_LABEL = N_("{round}. runde")


def item_matrix(survey: StoredSurvey, items: Sequence[str]) -> np.ndarray:
    """Respondents (file order) × ``items``: the answers, reverse items turned, NaN where missing.

    An item the definition marks reverse is scored scale max + scale min − answer.
    """
    matrix = survey.matrix(list(items))  # the stored answers as one array: no per-answer Python
    definition = survey.definition
    reverse = {column_key(name) for name in definition.reverse}
    for j, item in enumerate(items):
        if column_key(item) in reverse:
            matrix[:, j] = definition.scale_max + definition.scale_min - matrix[:, j]
    return matrix


@dataclass(frozen=True)
class Scores:
    """Every respondent's scores, in file order.

    ``dimensions`` maps a dimension's key to the respondents' scores on it and
    ``overall`` holds the overall scores (NaN = missing). ``items`` and ``matrix``
    (extra to the interface) are the definition's items and :func:`item_matrix` of them,
    so a report can take a dimension's columns without reading the answers again.
    """

    respondents: tuple[StoredRespondent, ...]
    dimensions: dict[str, np.ndarray]
    overall: np.ndarray
    items: tuple[str, ...] = ()
    matrix: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))

    def columns(self, items: Sequence[str]) -> np.ndarray:
        """The columns of ``matrix`` for ``items`` (reverse items already turned)."""
        where = {item: j for j, item in enumerate(self.items)}
        return self.matrix[:, [where[item] for item in items]]


def respondent_scores(survey: StoredSurvey) -> Scores:
    """The dimension and overall scores of every respondent of ``survey``."""
    items = tuple(survey.definition.items)
    matrix = item_matrix(survey, items)
    where = {item: j for j, item in enumerate(items)}
    dimensions = {
        d.key: dimension_scores(matrix[:, [where[item] for item in d.items]]) for d in survey.definition.dimensions
    }
    return Scores(tuple(survey.respondents), dimensions, overall_scores(matrix), items, matrix)


def _text(value: Any) -> str | None:
    """A stored attribute value as group text; None when empty."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _age(value: Any) -> int | None:
    """An age as a whole number, or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def group_of(respondent: StoredRespondent, by: str, age_bands: AgeBands | None = None) -> str | None:
    """The group of ``respondent`` when grouping by ``by``; None when it is unknown.

    ``round`` is the respondent's round, ``site``/``context``/``gender`` its attribute (gender
    in lower case, as the interview reports compare it), ``age_band`` the band of its age.
    """
    if by == "round":
        return _text(respondent.round)
    if by in ("site", "context"):
        return _text(respondent.attributes.get(by))
    if by == "gender":
        gender = _text(respondent.attributes.get("gender"))
        return gender.lower() if gender else None
    if by == "age_band":
        return (age_bands or AgeBands()).band(_age(respondent.attributes.get("age")))
    check_by(by)
    return None  # not reached: check_by refuses every other ``by``


def check_by(by: str) -> str:
    """``by`` when it is one of :data:`BY_CHOICES`; else a :class:`TrivselError` naming them."""
    if by not in BY_CHOICES:
        raise TrivselError(
            _("ukendt gruppering '{by}'").format(by=by),
            _("vælg en af {choices}").format(choices=", ".join(BY_CHOICES)),
        )
    return by


def group_label(by: str, value: str, lang: str) -> str:
    """A group as a report shows it: round ``"1"`` → "1. runde" / "round 1"; others as the attribute reports do."""
    if by == "round":
        text = str(value).strip()
        return gettext_for(lang)(_ROUND_LABEL).format(round=text) if text.isdigit() else text
    return value_label(by, value, lang)
