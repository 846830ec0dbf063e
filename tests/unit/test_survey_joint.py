"""The joint display (``analysis.survey_joint``): every figure against a count made here, from the stored rows.

The expected shares are counted with SQL over the stored respondents, passages, codings and decisions; the
scores are worked out here from the stored raw answers and the definition (reverse items, at least half of a
dimension's items answered), so nothing is taken from the code under test.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.survey_fixtures import survey_project
from trivselkode.analysis.attributes import attribution, load_participants
from trivselkode.analysis.survey_joint import build_joint_display, parse_split
from trivselkode.domain.survey_definition import SurveyDefinition
from trivselkode.errors import TrivselError
from trivselkode.export.survey_joint import render_joint
from trivselkode.storage.coding_ops import set_star
from trivselkode.storage.consensus import settle
from trivselkode.storage.quote_choices import drop, pick

# ---------------------------------------------------------------- counted here


def _rows(project, sql: str, **params) -> list[tuple]:
    with project.read() as session:
        return [tuple(r) for r in session.connection().execute(text(sql), params)]


def _survey_row(project) -> tuple[int, SurveyDefinition]:
    (sid, definition), *_ = _rows(project, "SELECT id, definition FROM survey")
    import json

    return sid, SurveyDefinition.from_dict(json.loads(definition) if isinstance(definition, str) else definition)


def scores_here(project, dimension: str) -> dict[str, float]:
    """Respondent label → dimension score, from the raw answers as stored (one little-endian float64 per item
    of the definition, NaN missing; reversed here as the definition says)."""
    import math
    import struct

    sid, definition = _survey_row(project)
    dim = definition.dimension(dimension)
    items = list(definition.items)
    out = {}
    for label, blob in _rows(project, "SELECT label, answers FROM respondent WHERE survey_id = :s", s=sid):
        answers = dict(zip(items, struct.unpack(f"<{len(items)}d", bytes(blob))))
        values = [
            definition.scale_max + definition.scale_min - x if item in definition.reverse else x
            for item in dim.items
            if not math.isnan(x := answers[item])
        ]
        if len(values) * 2 >= len(dim.items):
            out[label] = sum(values) / len(values)
    return out


def answered_here(project) -> set[str]:
    """Labels of respondents with at least one passage (never an interviewer's)."""
    rows = _rows(
        project,
        "SELECT DISTINCT r.label FROM respondent r JOIN participant pa ON pa.id = r.participant_id "
        "JOIN passage p ON p.participant_id = pa.id WHERE pa.role != 'interviewer'",
    )
    return {r[0] for r in rows}


def theme_codings(project) -> list[tuple[str, int, str, str]]:
    """(respondent label, passage id, theme key, coder name) of every coding of a theme on a respondent's answer."""
    return _rows(
        project,
        "SELECT r.label, p.id, c.key, k.name FROM respondent r "
        "JOIN participant pa ON pa.id = r.participant_id JOIN passage p ON p.participant_id = pa.id "
        "JOIN coding g ON g.passage_id = p.id JOIN code c ON c.id = g.code_id JOIN coder k ON k.id = g.coder_id "
        "WHERE c.kind = 'tema' AND pa.role != 'interviewer'",
    )


def carried_here(project, coder: str | None = None, removed: set[tuple[int, str]] = frozenset()) -> dict[str, set[str]]:
    """Theme key → labels of respondents whose answers carry it: the union of the coders (or one coder), less
    the (passage, theme) pairs ``removed`` (settled off in the consensus)."""
    out: dict[str, set[str]] = defaultdict(set)
    for label, passage, key, name in theme_codings(project):
        if name == "konsensus" or (coder is not None and name != coder) or (passage, key) in removed:
            continue
        out[key].add(label)
    return out


def expected_rows(project, dimension: str, split: float | None, carried: dict[str, set[str]]) -> dict:
    scores = scores_here(project, dimension)
    cut = statistics.median(scores.values()) if split is None else split
    high = {label for label, s in scores.items() if s >= cut}
    low = set(scores) - high
    answered = answered_here(project)
    out = {}
    for key, labels in carried.items():
        counts = (len(labels & low), len(labels & high))
        shares = tuple(n / len(g & answered) for n, g in zip(counts, (low, high)))
        with_ = [scores[x] for x in labels & answered if x in scores]
        without = [scores[x] for x in (answered - labels) if x in scores]
        out[key] = (counts, shares, statistics.mean(with_) if with_ else None, statistics.mean(without))
    return {"split": cut, "low": low, "high": high, "answered": answered, "rows": out}


# ---------------------------------------------------------------- the project


def build_survey_file(folder: Path) -> Path:
    """The survey project (:func:`tests.survey_fixtures.survey_project`) in ``folder``, closed; its file."""
    project = survey_project(folder)
    path = project.path
    project.dispose()
    assert path is not None
    return path


@pytest.fixture(scope="module")
def survey_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The survey project, built once per module; tests copy it."""
    return build_survey_file(tmp_path_factory.mktemp("survey"))


def fresh_copy(survey_file: Path, folder: Path) -> Path:
    """A copy of the module's survey project in ``folder``, for one test to change."""
    from trivselkode.storage.migrations import copy_sqlite_file

    path = folder / "survey.db"
    copy_sqlite_file(survey_file, path)
    return path


@pytest.fixture
def proj(survey_file: Path, tmp_path: Path):
    from trivselkode.storage.db import open_project

    project, _ = open_project(str(fresh_copy(survey_file, tmp_path)))
    yield project
    project.dispose()


def dimension_of(project) -> str:
    return _survey_row(project)[1].dimensions[0].key


def _check(display, expected) -> None:
    assert display.split == pytest.approx(expected["split"])
    assert (display.low_n, display.high_n) == (len(expected["low"]), len(expected["high"]))
    assert display.low_answered == len(expected["low"] & expected["answered"])
    assert display.high_answered == len(expected["high"] & expected["answered"])
    rows = {t.key: t for t in display.themes}
    reverse = {r.key: r for r in display.reverse}
    assert set(expected["rows"]) <= set(rows)
    for key, row in rows.items():
        (low, high), (low_share, high_share), with_mean, without_mean = expected["rows"].get(
            key, ((0, 0), (0.0, 0.0), None, None)
        )
        assert (row.low_count, row.high_count) == (low, high), key
        assert row.low_share == pytest.approx(low_share) and row.high_share == pytest.approx(high_share), key
        assert row.difference == pytest.approx(high_share - low_share), key
        if key in expected["rows"]:
            assert reverse[key].with_mean == pytest.approx(with_mean), key
            assert reverse[key].without_mean == pytest.approx(without_mean), key
            assert reverse[key].difference == pytest.approx(None if with_mean is None else with_mean - without_mean)


def test_shares_and_means_match_a_count_from_the_stored_codings(proj):
    dim = dimension_of(proj)
    display = build_joint_display(proj, dim, union=True, lang="da")
    expected = expected_rows(proj, dim, None, carried_here(proj))
    assert expected["rows"], "the fixture codes themes on the open answers"
    _check(display, expected)
    assert display.split_rule == "median" and display.basis == "union"
    assert display.basis_note.startswith("foreningsmængden af ")


def test_one_coder_counts_only_that_coders_codings(proj):
    dim = dimension_of(proj)
    coder = sorted({name for *_, name in theme_codings(proj)})[0]
    display = build_joint_display(proj, dim, coder=coder, lang="da")
    _check(display, expected_rows(proj, dim, None, carried_here(proj, coder=coder)))
    assert display.basis_note == f"koder {coder}"


def test_a_split_value_puts_scores_at_or_above_it_in_the_high_group(proj):
    dim = dimension_of(proj)
    scores = sorted(set(scores_here(proj, dim).values()))
    value = scores[len(scores) // 3]  # a score that exists: it belongs to the high group
    display = build_joint_display(proj, dim, split=str(value).replace(".", ","), union=True)
    assert display.split_rule == "value"
    _check(display, expected_rows(proj, dim, value, carried_here(proj)))


@pytest.mark.parametrize("where", ["above", "at_min"])
def test_a_split_that_empties_a_group_says_the_range(proj, where):
    dim = dimension_of(proj)
    scores = scores_here(proj, dim).values()
    value = max(scores) + 0.5 if where == "above" else min(scores)  # nobody high / nobody low
    with pytest.raises(TrivselError) as err:
        build_joint_display(proj, dim, split=str(value), union=True, lang="da")
    message = str(err.value)
    assert "\n" not in message and "tom gruppe" in message
    low, high = f"{min(scores):.2f}".replace(".", ","), f"{max(scores):.2f}".replace(".", ",")
    assert f"fra {low} til {high}" in message


def test_a_split_that_is_no_number_is_refused():
    with pytest.raises(TrivselError, match="median eller et tal"):
        parse_split("midten")
    assert parse_split("Median") == ("median", None) and parse_split("3,5") == ("value", 3.5)


def disagreements_here(project) -> dict[str, list[tuple[int, str, int]]]:
    """Theme key → (passage id, source, number) of the pair's disagreements on respondents' answers."""
    coders = sorted({name for *_, name in theme_codings(project) if name != "konsensus"})
    assert len(coders) == 2, "the fixture has two coders"
    by_pair: dict[tuple[int, str], set[str]] = defaultdict(set)
    for _label, passage, key, name in theme_codings(project):
        by_pair[(passage, key)].add(name)
    sources = {
        pid: (src, num)
        for pid, src, num in _rows(
            project, "SELECT p.id, s.name, p.number FROM passage p JOIN source s ON s.id = p.source_id"
        )
    }
    out: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for (passage, key), names in sorted(by_pair.items()):
        if len(names) == 1:
            out[key].append((passage, *sources[passage]))
    return out


def test_the_consensus_leaves_out_what_was_settled_off_and_the_union_does_not(proj):
    dim = dimension_of(proj)
    coders = tuple(sorted({name for *_, name in theme_codings(proj) if name != "konsensus"}))
    disagreements = disagreements_here(proj)
    assert disagreements, "the fixture's two coders disagree somewhere"
    removed = set()
    for key, places in disagreements.items():
        for passage, source, number in places:
            settle(proj, source, number, key, "neither", coders, "lead")
            removed.add((passage, key))
    union = build_joint_display(proj, dim, union=True)
    consensus = build_joint_display(proj, dim, consensus=True, coders=",".join(coders))
    _check(union, expected_rows(proj, dim, None, carried_here(proj)))
    _check(consensus, expected_rows(proj, dim, None, carried_here(proj, removed=removed)))
    assert consensus.basis == "consensus" and consensus.basis_note == f"konsensus af {coders[0]} og {coders[1]}"
    shares = lambda d: [(t.low_share, t.high_share) for t in d.themes]  # noqa: E731
    assert shares(union) != shares(consensus)


def test_each_quote_comes_from_its_group_carries_the_theme_and_is_attributed(proj):
    dim = dimension_of(proj)
    display = build_joint_display(proj, dim, union=True, lang="da")
    expected = expected_rows(proj, dim, None, carried_here(proj))
    codings = theme_codings(proj)
    where = {
        f"{src}#{num}": (pid, label, part)
        for pid, src, num, label, part in _rows(
            proj,
            "SELECT p.id, s.name, p.number, r.label, p.participant_id FROM passage p JOIN source s ON s.id = p.source_id "
            "JOIN respondent r ON r.participant_id = p.participant_id",
        )
    }
    with proj.read() as session:
        people = load_participants(session)
    texts = dict(_rows(proj, "SELECT id, text FROM passage"))
    quoted = 0
    for theme in display.themes:
        for group, quote in ((expected["low"], theme.low_quote), (expected["high"], theme.high_quote)):
            if quote is None:
                continue
            quoted += 1
            pid, label, part = where[quote.ref]
            assert label in group
            assert any(p == pid and k == theme.key for _l, p, k, _c in codings)
            assert quote.attribution == attribution(people[part].attrs, "da")
            pieces = quote.text.split(" […] ")
            assert all(piece in texts[pid] for piece in pieces)
    assert quoted, "some theme has a quotable answer"


@pytest.mark.parametrize("how", ["picked", "starred", "dropped"])
def test_the_researchers_choice_comes_first_and_a_dropped_passage_never(proj, how):
    dim = dimension_of(proj)
    before = build_joint_display(proj, dim, union=True)
    theme = max(before.themes, key=lambda t: t.high_count)
    high = expected_rows(proj, dim, None, carried_here(proj))["high"]
    candidates = [
        (src, num, pid)
        for src, num, pid, label in _rows(
            proj,
            "SELECT DISTINCT s.name, p.number, p.id, r.label FROM passage p JOIN source s ON s.id = p.source_id "
            "JOIN coding g ON g.passage_id = p.id JOIN code c ON c.id = g.code_id "
            "JOIN respondent r ON r.participant_id = p.participant_id WHERE c.key = :k ORDER BY s.name, p.number",
            k=theme.key,
        )
        if label in high
    ]
    assert len(candidates) >= 2 and theme.high_quote is not None
    shown = theme.high_quote.ref
    if how == "dropped":
        src, num = shown.rsplit("#", 1)
        drop(proj, theme.key, src, int(num), "lead")
    else:
        src, num, pid = next(c for c in reversed(candidates) if f"{c[0]}#{c[1]}" != shown)
        if how == "picked":
            pick(proj, theme.key, src, num, "lead")
        else:
            set_star(proj, "anne", pid, True)
    row = next(t for t in build_joint_display(proj, dim, union=True).themes if t.key == theme.key)
    assert row.high_quote is not None
    if how == "dropped":
        assert row.high_quote.ref != shown
    else:
        assert row.high_quote.ref == f"{src}#{num}"


def test_english_names_the_dimension_themes_and_people_in_english(proj):
    dim = dimension_of(proj)
    _sid, definition = _survey_row(proj)
    display = build_joint_display(proj, dim, union=True, lang="en")
    assert display.dimension == (dim, definition.dimension(dim).label("en"))
    assert display.basis_note.startswith("union of ")
    names = {t.key: t.name for t in display.themes}
    assert names["T1"] == "The library as a psychological safety system"
    for theme in display.themes:
        for q in (theme.low_quote, theme.high_quote):
            if q is not None:
                assert "år" not in q.attribution and "Kvinde" not in q.attribution
    out = render_joint(display, "table")
    assert "Joint display" in out and "Low scorers" in out and "Themes among low and high scorers" in out


def test_the_json_document_has_the_documented_shape(proj):
    doc = build_joint_display(proj, dimension_of(proj), union=True).to_json()
    assert list(doc) == [
        "survey",
        "dimension",
        "split",
        "split_rule",
        "basis",
        "basis_note",
        "groups",
        "unscored",
        "themes",
        "reverse",
    ]
    assert set(doc["groups"]) == {"low", "high"} and set(doc["groups"]["low"]) == {"n", "answered"}
    theme = doc["themes"][0]
    assert set(theme) == {"code", "name", "low", "high", "difference"}
    assert set(theme["low"]) == {"count", "share", "quote"}
    assert set(doc["reverse"][0]) == {"code", "name", "with", "without", "difference"}
    assert set(doc["reverse"][0]["with"]) == {"n", "mean", "sd"}


def test_pseudonymized_quotes_hide_what_the_quote_reports_hide(proj):
    from trivselkode.export.pseudonymize import Pseudonymizer

    dim = dimension_of(proj)
    theme = next(t for t in build_joint_display(proj, dim, union=True).themes if t.high_quote is not None)
    assert theme.high_quote is not None
    source, number = theme.high_quote.ref.rsplit("#", 1)
    with proj.write() as session:
        session.connection().execute(
            text(
                "UPDATE passage SET text = 'Skriv til anne.hansen@example.dk eller ring 12 34 56 78, "
                "så svarer jeg gerne.' WHERE number = :n AND source_id = (SELECT id FROM source WHERE name = :s)"
            ),
            {"n": int(number), "s": source},
        )
    pick(proj, theme.key, source, int(number), "lead")  # quoted whatever else the picking would prefer

    def quote(pseudonymizer=None):  # noqa: ANN001, ANN202
        display = build_joint_display(proj, dim, union=True, pseudonymizer=pseudonymizer)
        return next(t for t in display.themes if t.key == theme.key).high_quote

    plain = quote()
    assert plain is not None and "anne.hansen@example.dk" in plain.text
    hidden = quote(Pseudonymizer.from_project(proj))
    assert hidden is not None and hidden.ref == plain.ref
    assert "anne.hansen@example.dk" not in hidden.text and "12 34 56 78" not in hidden.text


def test_a_survey_without_open_answers_is_one_clear_error(tmp_path: Path):
    project = survey_project(tmp_path, open_answers=False, rows=12)
    try:
        with pytest.raises(TrivselError) as err:
            build_joint_display(project, "tryghed")
    finally:
        project.dispose()
    assert "\n" not in str(err.value)
    assert "åbne svar" in err.value.message or "kodninger" in err.value.message
