"""The overview's counts: theme bars counted by the database equal theme_frequencies; the rows' progress."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from tests.unit.test_consensus_reports import build, projects
from tests.unit.test_frequencies import CODES, build_project
from trivselkode.analysis import frequencies
from trivselkode.analysis.frequencies import theme_frequencies
from trivselkode.analysis.overview_counts import theme_counts
from trivselkode.storage.coding_views import overview_rows
from trivselkode.storage.consensus import settle
from trivselkode.storage.models import Code

KEYS = [c[0] for c in CODES]
THEMES = [k for k, _n, kind, _p, _w in CODES if kind == "tema"]


def _source(name: str, n: int, interviewer: bool = True) -> dict[str, Any]:
    participants = ([{"label": "I", "role": "interviewer"}] if interviewer else []) + [{"label": "P1"}]
    labels = [p["label"] for p in participants]
    passages = [(labels[i % len(labels)], f"Udsagn nummer {i} i {name}, her er der ro.") for i in range(n)]
    return {"name": name, "site": "Viborg", "kind": "interview", "participants": participants, "passages": passages}


@st.composite
def many_coders(draw) -> dict[str, Any]:
    """Up to four coders (``konsensus`` among them or not), sub-spans, interviewer turns, and sometimes
    decisions naming one pair or two: the default basis is the union or the consensus."""
    coders = draw(st.lists(st.sampled_from(["anne", "bo", "carl", "dorte", "konsensus"]), unique=True, max_size=4))
    sources = [
        _source(f"kilde-{s}", draw(st.integers(1, 5)), draw(st.booleans())) for s in range(draw(st.integers(1, 3)))
    ]
    slots = [(src["name"], n + 1) for src in sources for n in range(len(src["passages"]))]
    codings, seen = [], set()
    if coders:
        for (src, number), key, coder, narrow in draw(
            st.lists(
                st.tuples(st.sampled_from(slots), st.sampled_from(KEYS), st.sampled_from(coders), st.booleans()),
                max_size=30,
            )
        ):
            span = (0, draw(st.integers(3, 8))) if narrow else (None, None)
            if (src, number, key, coder, span) not in seen:
                seen.add((src, number, key, coder, span))
                codings.append((src, number, key, coder, *span))
    humans = [c for c in coders if c != "konsensus"]
    decisions = []
    if len(humans) >= 2 and draw(st.booleans()):
        pairs = [(a, b) for a in humans for b in humans if a != b]
        for _ in range(draw(st.integers(1, 3))):
            src, number = draw(st.sampled_from(slots))
            decisions.append(
                (
                    src,
                    number,
                    draw(st.sampled_from(KEYS)),
                    draw(st.sampled_from(["a", "both", "neither"])),
                    draw(st.sampled_from(pairs)),
                )
            )
    retire = draw(st.sampled_from([None, *THEMES]))
    return {
        "coders": coders,
        "sources": sources,
        "codings": codings,
        "decisions": decisions,
        "legacy": [],
        "retire": retire,
    }


def _build(spec: dict[str, Any], db: str = ":memory:"):  # noqa: ANN202
    """``build_project`` with the spec's decisions settled and its ``retire`` theme retired."""
    project = build_project({k: v for k, v in spec.items() if k not in ("decisions", "legacy", "retire")}, db)
    for src, number, key, choice, pair in spec["decisions"]:
        settle(project, src, number, key, choice, pair, "lead")
    if spec.get("retire"):
        with project.write() as s:
            code = s.exec(select(Code).where(Code.key == spec["retire"])).one()
            code.retired = True
            s.add(code)
    return project


def _same(project) -> None:  # noqa: ANN001
    """theme_counts and theme_frequencies agree on ``project``, which is disposed of afterwards."""
    try:
        ours, theirs = theme_counts(project), theme_frequencies(project)
        assert [(t.key, t.name, t.color, t.passages) for t in ours.themes] == [
            (t.key, t.name, t.color, t.passages) for t in theirs.themes
        ]
        assert ours.basis == theirs.basis
        assert ours == theirs
    finally:
        project.dispose()


#: Found by hypothesis: only the reserved coder has codings, and a decision names anne and bo as the
#: pair; the reports read "konsensus af anne og bo", the overview said no basis.
ONLY_CONSENSUS_AND_A_DECISION = {
    "coders": ["anne", "bo", "carl", "konsensus"],
    "sources": [
        {
            "name": f"kilde-{i}",
            "site": "Viborg",
            "kind": "interview",
            "participants": [{"label": "P1"}],
            "passages": [("P1", f"Udsagn nummer 0 i kilde-{i}, her er der ro.")],
        }
        for i in range(3)
    ],
    "codings": [("kilde-0", 1, "T1", "konsensus", None, None)],
    "decisions": [("kilde-0", 1, "T2", "a", ("anne", "bo"))],
    "legacy": [],
    "retire": None,
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=many_coders())
@example(spec=ONLY_CONSENSUS_AND_A_DECISION)
def test_theme_counts_equal_theme_frequencies_for_any_coders(spec) -> None:  # noqa: ANN001
    _same(_build(spec))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=projects())
def test_theme_counts_equal_theme_frequencies_with_consensus_and_decisions(spec) -> None:  # noqa: ANN001
    _same(build(spec))


def _three_coders() -> dict[str, Any]:
    codings = [
        ("a", 2, "T1", "anne"),
        ("a", 2, "T1", "bo"),  # the same passage: once
        ("a", 2, "T1", "carl", 0, 5),  # a sub-span of it: still once
        ("a", 4, "T1", "carl", 0, 5),
        ("a", 4, "T1", "carl", 6, 9),  # two sub-spans of one passage: once
        ("a", 1, "T2", "bo"),  # an interviewer's turn counts
        ("a", 3, "B.social", "anne"),  # not a theme
        ("b", 1, "T2", "konsensus"),  # the reserved coder is not in the union
        ("b", 2, "T2", "carl"),
    ]
    return {
        "coders": ["anne", "bo", "carl", "konsensus"],
        "sources": [_source("a", 4), _source("b", 2)],
        "codings": codings,
        "decisions": [],
        "legacy": [],
    }


def test_the_union_is_counted_by_the_database(monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    """Three coders and no decisions: the union, counted without theme_frequencies, the same numbers."""
    project = _build(_three_coders(), db_url)
    try:
        expected = theme_frequencies(project)

        def refuse(project):  # noqa: ANN001, ANN202
            raise AssertionError("theme_frequencies read every coding")

        monkeypatch.setattr(frequencies, "theme_frequencies", refuse)
        ours = theme_counts(project)
        assert ours == expected
        assert [(t.key, t.passages) for t in ours.themes] == [("T1", 2), ("T2", 2)]
        assert ours.basis == "foreningsmængden af anne, bo, carl"
    finally:
        project.dispose()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_union_is_described_in_the_interface_language(lang: str) -> None:
    from trivselkode.i18n import language, set_language

    project = _build(_three_coders())
    before = language()
    try:
        set_language(lang)
        ours = theme_counts(project)
        assert ours == theme_frequencies(project)
        assert ours.basis == {"da": "foreningsmængden af anne, bo, carl", "en": "union of anne, bo, carl"}[lang]
        assert ours.themes[0].name == theme_frequencies(project).themes[0].name
    finally:
        set_language(before)
        project.dispose()


def test_decisions_of_two_pairs_leave_the_union_and_say_why(db_url: str) -> None:
    spec = _three_coders() | {
        "decisions": [("a", 2, "T1", "both", ("anne", "bo")), ("a", 4, "T1", "neither", ("bo", "carl"))]
    }
    project = _build(spec, db_url)
    try:
        ours = theme_counts(project)
        assert ours == theme_frequencies(project)
        assert ours.basis.startswith(
            "foreningsmængden af anne, bo, carl (konsensus: afgørelserne er truffet mellem flere"
        )
    finally:
        project.dispose()


@pytest.mark.parametrize(
    ("coders", "codings", "basis"),
    [
        ([], [], ""),  # no codings
        (["konsensus"], [("a", 2, "T1", "konsensus")], ""),  # only the reserved coder's
        (["anne"], [("a", 2, "T1", "anne")], "foreningsmængden af anne"),  # one coder: no pair
    ],
)
def test_few_coders(coders, codings, basis, db_url) -> None:  # noqa: ANN001
    spec = {"coders": coders, "sources": [_source("a", 3)], "codings": codings, "decisions": [], "legacy": []}
    project = _build(spec, db_url)
    try:
        ours = theme_counts(project)
        assert ours == theme_frequencies(project) and ours.basis == basis
    finally:
        project.dispose()


def test_a_codebook_without_themes_counts_the_top_level_codes() -> None:
    codes = [(k, n, "behov" if kind == "tema" else kind, p, w) for k, n, kind, p, w in CODES]
    spec = {
        "codes": codes,
        "coders": ["anne", "bo", "carl"],
        "sources": [_source("a", 3)],
        "decisions": [],
        "legacy": [],
    }
    spec["codings"] = [("a", 2, "B", "anne"), ("a", 2, "B.social", "bo"), ("a", 3, "T2", "carl")]
    project = _build(spec)
    try:
        ours = theme_counts(project)
        assert ours == theme_frequencies(project)
        assert [(t.key, t.passages) for t in ours.themes] == [("T1", 0), ("T2", 1), ("B", 1)]
    finally:
        project.dispose()


def test_a_codebook_without_codes_has_no_bars() -> None:
    project = build_project({"codes": [], "coders": [], "sources": []})
    try:
        assert theme_counts(project) == theme_frequencies(project)
        assert theme_counts(project).themes == []
    finally:
        project.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=many_coders(), who=st.sampled_from(["anne", "bo", "konsensus", "nobody", None]))
@example(  # found by hypothesis: the decision's consensus coding was not in the expectation
    spec={**ONLY_CONSENSUS_AND_A_DECISION, "codings": [("kilde-0", 1, "T1", "anne", None, None)]}, who="konsensus"
)
def test_overview_rows_count_what_each_source_holds(spec, who) -> None:  # noqa: ANN001
    """Passages, participants' passages, and those the coder coded (any coding, interviewers' turns not counted)."""
    project = _build(spec)
    try:
        rows = {r.name: r for r in overview_rows(project, who)}
        assert sorted(rows) == sorted(src["name"] for src in spec["sources"])
        coded: dict[str, set[int]] = defaultdict(set)
        for src, number, _key, coder, *_span in spec["codings"]:
            if coder == who:
                coded[src].add(number)
        if who == "konsensus":  # settling copies the chosen coders' codings into the consensus: the last per place
            carries = {(src, number, key) for src, number, key, coder, *_span in spec["codings"] if coder == who}
            has = {(src, number, key, coder) for src, number, key, coder, *_span in spec["codings"]}
            for src, number, key, choice, (a, b) in spec["decisions"]:
                take = {"a": (a,), "b": (b,), "both": (a, b)}.get(choice, ())  # the coders' codings copied in
                on = any((src, number, key, coder) in has for coder in take)
                (carries.add if on else carries.discard)((src, number, key))
            coded = defaultdict(set)
            for src, number, _key in carries:
                coded[src].add(number)
        for src in spec["sources"]:
            roles = {p["label"]: p.get("role", "participant") for p in src["participants"]}
            spoken = {n + 1 for n, (label, _text) in enumerate(src["passages"]) if roles[label] != "interviewer"}
            row = rows[src["name"]]
            assert (row.passages, row.participant_passages, row.coded) == (
                len(src["passages"]),
                len(spoken),
                len(coded[src["name"]] & spoken),
            )
    finally:
        project.dispose()


def test_overview_rows_on_either_database(db_url: str) -> None:
    project = _build(_three_coders(), db_url)
    try:
        rows = {r.name: r for r in overview_rows(project, "carl")}
        # a: passages 1 and 3 are the interviewer's; carl coded 2 and 4 (sub-spans); b: carl coded 2 (P1's).
        assert [(n, r.passages, r.participant_passages, r.coded) for n, r in sorted(rows.items())] == [
            ("a", 4, 2, 2),
            ("b", 2, 1, 1),
        ]
        assert [r.coded for r in overview_rows(project, None)] == [0, 0]
        assert [r.coded for r in overview_rows(project, "konsensus")] == [0, 0]  # b 1 is the interviewer's
    finally:
        project.dispose()
