"""Respondents' scores from a stored questionnaire, and the groups of a report.

The stored survey is built here from stand-ins with the fields of
``trivselkode.storage.surveys.StoredSurvey``/``StoredRespondent`` (the scores
read nothing else), so these tests need no database.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.survey_fixtures import DIMENSIONS as FIXTURE_DIMENSIONS
from tests.survey_fixtures import REVERSE as FIXTURE_REVERSE
from tests.survey_fixtures import survey_project, survey_rows
from trivselkode.analysis.attributes import AgeBands
from trivselkode.analysis.survey_scores import (
    BY_CHOICES,
    group_label,
    group_of,
    item_matrix,
    respondent_scores,
)
from trivselkode.domain.survey_definition import Dimension, SurveyDefinition
from trivselkode.errors import TrivselError
from trivselkode.i18n import translator
from trivselkode.storage.surveys import StoredRespondent, StoredSurvey


def Respondent(  # noqa: N802 (reads as the stored type it builds)
    id: int, label: str, round: str | None, attributes: dict[str, Any], answers: dict[str, float | None]
) -> StoredRespondent:
    return StoredRespondent(id, label, round, attributes, answers, None)


def Survey(  # noqa: N802 (as above)
    id: int,
    name: str,
    title: str,
    definition: SurveyDefinition,
    source_id: int | None,
    source_name: str | None,
    respondents: tuple[StoredRespondent, ...],
) -> StoredSurvey:
    """A survey made by hand (no stored answer matrix): :meth:`StoredSurvey.matrix` reads the answers."""
    return StoredSurvey(id, name, title, definition, source_id, source_name, respondents)


DIMENSIONS = (
    Dimension("tryghed", "Tryghed", "Safety", ("q1", "q2", "q3")),
    Dimension("orientering", "Orientering", "", ("q4", "q5", "q6", "q7")),
)
REVERSE = ("q2", "q6")


def definition(scale: tuple[int, int] = (1, 5)) -> SurveyDefinition:
    return SurveyDefinition(
        title="Test",
        scale_min=scale[0],
        scale_max=scale[1],
        respondent="id",
        round="runde",
        attributes={"bibliotek": "site", "køn": "gender", "alder": "age"},
        open_answers=(),
        missing=("", "ved ikke"),
        reverse=REVERSE,
        dimensions=DIMENSIONS,
    )


def survey(answers: list[dict[str, float | None]], scale: tuple[int, int] = (1, 5)) -> Survey:
    respondents = tuple(
        Respondent(i + 1, f"R{i + 1}", str(1 + i % 2), {"site": "Viborg"}, a) for i, a in enumerate(answers)
    )
    return Survey(1, "s", "Test", definition(scale), None, None, respondents)


ITEMS = ("q1", "q2", "q3", "q4", "q5", "q6", "q7")
ANSWER = st.one_of(st.none(), st.integers(min_value=1, max_value=5).map(float))
ANSWERS = st.lists(st.dictionaries(st.sampled_from(ITEMS), ANSWER, max_size=len(ITEMS)), min_size=0, max_size=25)


def _by_hand(answers: dict[str, float | None], items: tuple[str, ...], least_half: bool) -> float:
    """The mean of a respondent's answered items (reverse turned as 6 − x), by a plain loop."""
    values = []
    for item in items:
        raw = answers.get(item)
        if raw is not None:
            values.append(6 - raw if item in REVERSE else raw)
    if not values or (least_half and len(values) * 2 < len(items)):
        return math.nan
    return sum(values) / len(values)


@settings(max_examples=40, deadline=None)
@given(ANSWERS)
def test_scores_agree_with_a_loop_over_the_answers(answers: list[dict[str, float | None]]) -> None:
    s = survey(answers)
    scores = respondent_scores(s)
    assert scores.respondents == s.respondents
    assert scores.items == ITEMS
    assert set(scores.dimensions) == {"tryghed", "orientering"}
    for i, a in enumerate(answers):
        for dim in DIMENSIONS:
            np.testing.assert_allclose(scores.dimensions[dim.key][i], _by_hand(a, dim.items, True), atol=1e-12)
        np.testing.assert_allclose(scores.overall[i], _by_hand(a, ITEMS, False), atol=1e-12)


def test_item_matrix_turns_reverse_items_and_keeps_file_order() -> None:
    s = survey([{"q1": 1, "q2": 1, "q6": 5}, {"q1": 4, "q2": None, "q6": 2}], scale=(1, 5))
    m = item_matrix(s, ["q2", "q1", "q6", "q7"])
    np.testing.assert_array_equal(m, [[5, 1, 1, math.nan], [math.nan, 4, 4, math.nan]])
    # another scale: 0-10 turns x into 10 - x
    m = item_matrix(survey([{"q2": 3.0}], scale=(0, 10)), ["q2"])
    np.testing.assert_array_equal(m, [[7.0]])


def test_an_empty_survey_has_empty_scores() -> None:
    scores = respondent_scores(survey([]))
    assert scores.overall.shape == (0,)
    assert scores.matrix.shape == (0, len(ITEMS))
    assert all(v.shape == (0,) for v in scores.dimensions.values())


def test_columns_are_the_items_of_a_dimension() -> None:
    scores = respondent_scores(survey([{"q1": 2, "q2": 2, "q3": 3}, {"q1": 5, "q2": 4, "q3": None}]))
    np.testing.assert_array_equal(scores.columns(("q3", "q2")), [[3, 4], [math.nan, 2]])


def _respondent(round_: str | None = None, **attributes: Any) -> Respondent:
    return Respondent(1, "R1", round_, attributes, {})


def test_group_of_reads_the_round_and_the_standard_attributes() -> None:
    r = _respondent(" 2 ", site="Holstebro", context="arrangement", gender="Kvinde", age=67)
    assert group_of(r, "round") == "2"
    assert group_of(r, "site") == "Holstebro"
    assert group_of(r, "context") == "arrangement"
    assert group_of(r, "gender") == "kvinde"
    assert group_of(r, "age_band") == "60–74"
    assert group_of(r, "age_band", AgeBands((18, 70))) == "18–69"
    assert group_of(_respondent(age="70"), "age_band", AgeBands((18, 70))) == "70+"
    assert group_of(_respondent(age=17.0), "age_band") == "under 18"
    nobody = _respondent(site="", gender=None)
    assert [group_of(nobody, by) for by in BY_CHOICES] == [None] * len(BY_CHOICES)


def test_group_of_refuses_an_unknown_grouping() -> None:
    with pytest.raises(TrivselError) as caught:
        group_of(_respondent(), "colour")
    assert "colour" in str(caught.value)


def test_group_labels_in_both_languages() -> None:
    assert group_label("round", "1", "da") == "1. runde"
    assert group_label("round", "forår", "da") == "forår"
    assert group_label("gender", "kvinde", "da") == "Kvinde"
    assert group_label("gender", "kvinde", "en") == "Woman"
    assert group_label("context", "bibliotek", "en") == "Library visit"
    assert group_label("site", "Viborg", "en") == "Viborg"
    assert group_label("age_band", "60–74", "en") == "60–74"


@pytest.mark.skipif(
    translator("en").gettext("{round}. runde") == "{round}. runde",
    reason="the English catalogue is rebuilt from i18n/en/survey_b.json by tools/i18n.py",
)
def test_round_label_in_english() -> None:
    assert group_label("round", "2", "en") == "round 2"


def test_scores_of_an_imported_survey_agree_with_its_file(tmp_path: Path) -> None:
    """The stored survey of tests/survey_fixtures.py, scored, against the same rows read as text here."""
    from trivselkode.storage.surveys import load_survey

    project = survey_project(tmp_path, rows=40, seed=3, open_answers=False)
    try:
        with project.read() as session:
            stored = load_survey(session)
    finally:
        project.dispose()
    rows = survey_rows(rows=40, seed=3, open_answers=False)
    scores = respondent_scores(stored)
    assert [r.label for r in scores.respondents] == [row["id"] for row in rows]

    def answer(row: dict[str, str], item: str) -> float | None:
        cell = row[item].strip().casefold()
        if cell in ("", "ved ikke", "9"):
            return None
        return 6.0 - int(cell) if item in FIXTURE_REVERSE else float(cell)

    for i, row in enumerate(rows):
        for key, (_name, _en, items) in FIXTURE_DIMENSIONS.items():
            values = [v for v in (answer(row, item) for item in items) if v is not None]
            expected = sum(values) / len(values) if len(values) * 2 >= len(items) else math.nan
            np.testing.assert_allclose(scores.dimensions[key][i], expected, atol=1e-12)
        every = [answer(row, item) for _n, _e, items in FIXTURE_DIMENSIONS.values() for item in items]
        answered = [v for v in every if v is not None]
        np.testing.assert_allclose(scores.overall[i], sum(answered) / len(answered), atol=1e-12)
        respondent = scores.respondents[i]
        assert group_of(respondent, "round") == row["runde"]
        assert group_of(respondent, "site") == row["bibliotek"]
        assert group_of(respondent, "gender") == row["køn"]
        assert group_of(respondent, "age_band") == AgeBands().band(int(row["alder"]))
