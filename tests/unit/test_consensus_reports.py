"""The consensus every report reads is the coders' agreement plus what was settled (SPEC §6).

Random projects (two or three coders, sub-spans, interviewer turns) get
decisions through the real :func:`settle` — none, some or all of the
disagreements, with every choice, the two coders named in either order,
stale decisions on passages that are no longer a disagreement, and legacy
``konsensus`` codings without a decision. Every report's figures are then
checked against a plain-Python computation of the consensus from the
codings and decisions tables: frequencies (by attributes, rolled up),
co-occurrence, the matrix, quotes, the overview's bars, the Eksport job and
the chart's numbers, for the explicit consensus and for the default basis.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert
from sqlmodel import select

from tests.unit.test_frequencies import CODES, build_project, expected_rows, small_spec
from trivselkode.analysis.cooccurrence import compute_cooccurrence, compute_matrix
from trivselkode.analysis.frequencies import compute_frequencies, theme_frequencies
from trivselkode.analysis.quotes import collect_quotes
from trivselkode.errors import TrivselError
from trivselkode.export.jobs import ReportRequest, run_report
from trivselkode.storage.consensus import settle
from trivselkode.storage.models import Code, Coder, Coding, Decision, Participant, Passage, Source

KEYS = [c[0] for c in CODES]
CHILDREN = {"B": ["B.social", "B.gennem"], "B.gennem": ["B.frihed"]}

# ---------------------------------------------------------------- random projects with decisions


@st.composite
def projects(draw) -> dict[str, Any]:
    """A spec for ``build_project`` plus the decisions and legacy consensus codings to add."""
    coders = ["anne", "bo"] + (["carl"] if draw(st.integers(0, 3)) == 0 else [])
    sources = []
    for s in range(draw(st.integers(1, 3))):
        participants = [{"label": "I", "role": "interviewer"}] if draw(st.booleans()) else []
        for p in range(draw(st.integers(1, 3))):
            participants.append(
                {
                    "label": f"P{p + 1}",
                    "gender": draw(st.sampled_from(["kvinde", "mand", None])),
                    "age": draw(st.sampled_from([None, 25, 70])),
                    "site": draw(st.sampled_from([None, "Viborg"])),
                }
            )
        labels = [p["label"] for p in participants]
        passages = [
            (
                draw(st.sampled_from(labels)),
                f"Her er jeg tryg og kan snakke med folk nummer {n}. Det er godt, siger kilde {s}.",
            )
            for n in range(draw(st.integers(1, 5)))
        ]
        sources.append(
            {
                "name": f"kilde-{s}",
                "site": draw(st.sampled_from(["Randers", "Holstebro"])),
                "kind": "interview",
                "participants": participants,
                "passages": passages,
            }
        )
    slots = [(src["name"], n + 1) for src in sources for n in range(len(src["passages"]))]
    raw = draw(
        st.lists(
            st.tuples(st.sampled_from(slots), st.sampled_from(KEYS), st.sampled_from(coders), st.booleans()),
            min_size=1,
            max_size=30,
        )
    )
    codings, seen = [], set()
    for (src, number), key, coder, narrow in raw:
        span = (0, 8) if narrow else (None, None)
        if (src, number, key, coder, span) not in seen:
            seen.add((src, number, key, coder, span))
            codings.append((src, number, key, coder, *span))
    # The disagreements of anne and bo, and how many of them to settle.
    mine = defaultdict(set)
    for src, number, key, coder, *_ in codings:
        mine[coder].add((src, number, key))
    disagreements = sorted(mine["anne"] ^ mine["bo"])
    how = draw(st.sampled_from(["none", "some", "all"]))
    chosen = {"none": [], "all": disagreements}.get(how)
    if chosen is None:
        chosen = [d for d in disagreements if draw(st.booleans())]
    decisions = [
        (
            *d,
            draw(st.sampled_from(["a", "b", "both", "neither"])),
            draw(st.sampled_from([("anne", "bo"), ("bo", "anne")])),
        )
        for d in chosen
    ]
    # A stale decision (no longer a disagreement) and a legacy consensus coding without one.
    if draw(st.booleans()):
        src, number = draw(st.sampled_from(slots))
        key = draw(st.sampled_from(KEYS))
        if (src, number, key) not in disagreements:
            decisions.append((src, number, key, draw(st.sampled_from(["a", "both", "neither"])), ("anne", "bo")))
    legacy = []
    unsettled = [d for d in disagreements if d not in chosen]
    if unsettled and draw(st.booleans()):
        legacy.append(draw(st.sampled_from(unsettled)))
    return {"coders": coders, "sources": sources, "codings": codings, "decisions": decisions, "legacy": legacy}


def build(spec: dict[str, Any]):
    project = build_project({k: v for k, v in spec.items() if k not in ("decisions", "legacy")})
    for src, number, key, choice, pair in spec["decisions"]:
        settle(project, src, number, key, choice, pair, "lead")
    with project.write() as s:
        if spec["legacy"]:
            consensus = s.exec(select(Coder).where(Coder.name == "konsensus")).first() or Coder(name="konsensus")
            s.add(consensus)
            s.flush()
            rows = []
            for src, number, key in spec["legacy"]:
                pid = s.exec(
                    select(Passage.id)
                    .join(Source, Passage.source_id == Source.id)
                    .where(Source.name == src, Passage.number == number)
                ).one()
                cid = s.exec(select(Code.id).where(Code.key == key)).one()
                rows.append({"passage_id": pid, "code_id": cid, "coder_id": consensus.id, "start": None, "end": None})
            s.execute(insert(Coding), rows)
    return project


# ---------------------------------------------------------------- the consensus in plain Python


def oracle(project, pair: tuple[str, str] = ("anne", "bo")) -> dict[str, Any]:
    """The consensus of ``pair`` from the codings and decisions tables, without the code under test."""
    with project.read() as s:
        names = {c.id: c.name for c in s.exec(select(Coder))}
        codings = list(s.exec(select(Coding)))
        decisions = {(d.passage_id, d.code_id): d for d in s.exec(select(Decision))}
        asked = set(s.exec(select(Passage.id).join(Participant).where(Participant.role == "interviewer")))
    coded: dict[str, set] = defaultdict(set)
    spans: dict[tuple, set] = defaultdict(set)
    for c in codings:
        coded[names[c.coder_id]].add((c.passage_id, c.code_id))
        spans[(names[c.coder_id], c.passage_id, c.code_id)].add((c.start, c.end))
    a, b = pair
    on: dict[tuple[int, int], set] = {}
    open_, settled, disagreements = set(), 0, 0
    for key in coded[a] | coded[b]:
        takes = [a, b]
        if (key in coded[a]) != (key in coded[b]) and key[0] not in asked:  # interviewers' turns: as the union
            disagreements += 1
            d = decisions.get(key)
            between = d.coders.split(",") if d is not None and d.coders else []
            if d is not None and (not between or set(between) == set(pair)):
                settled += 1
                if d.choice == "neither":
                    takes = []
                elif d.choice in ("a", "b") and len(between) == 2:
                    takes = [between[0] if d.choice == "a" else between[1]]
                elif d.choice != "both":
                    takes = ["konsensus"]
            elif d is None and key in coded["konsensus"]:
                settled += 1
                takes = ["konsensus"]
            else:
                open_.add(key)
        taken = set().union(*(spans.get((who, *key), set()) for who in takes))
        if taken:
            on[key] = taken
    return {"on": on, "open": open_, "settled": settled, "disagreements": disagreements}


def rows_of(on: dict[tuple[int, int], set]) -> list[SimpleNamespace]:
    """The consensus as coding rows (one per distinct span), for ``expected_rows``."""
    return [SimpleNamespace(passage_id=p, code_id=c) for (p, c), found in on.items() for _ in found]


def ids(project) -> tuple[dict[str, int], dict[int, int], dict[int, str]]:
    """Code ids by key; each passage's participant; each participant's role."""
    with project.read() as s:
        codes = {c.key: c.id for c in s.exec(select(Code))}
        speaker = {p.id: p.participant_id for p in s.exec(select(Passage))}
        roles = {p.id: p.role for p in s.exec(select(Participant))}
    return codes, speaker, roles


def members(codes: dict[str, int], key: str, rollup: bool) -> set[int]:
    out = {codes[key]}
    if rollup:
        for child in CHILDREN.get(key, []):
            out |= members(codes, child, rollup)
    return out


def expected_open(project, found: dict[str, Any], by: list[str], rollup: bool) -> dict[tuple, int]:
    """Per (code, group): the open disagreements among the group's passages."""
    rows = [SimpleNamespace(passage_id=p, code_id=c) for p, c in found["open"]]
    counted = expected_rows(project, coders=set(), by=by, rollup=rollup, codings=rows)
    return {k: v["passages"] for k, v in counted.items()}


def default_pair(spec: dict[str, Any]) -> tuple[str, str] | None:
    """The pair of the default basis (SPEC §6): the decisions', else the only two coders with codings."""
    if spec["decisions"]:
        return ("anne", "bo")
    coders_with = sorted({c[3] for c in spec["codings"]} - {"konsensus"})
    return (coders_with[0], coders_with[1]) if len(coders_with) == 2 else None


def default_mode(spec: dict[str, Any], found: dict[str, Any]) -> str:
    """``found``: the oracle of :func:`default_pair`'s pair."""
    return "consensus" if default_pair(spec) is not None and not found["open"] else "union"


# ---------------------------------------------------------------- every report against it


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=projects(), by=st.sampled_from([[], ["site"], ["gender", "age_band"]]), rollup=st.booleans())
def test_every_report_reads_the_consensus_as_defined(spec, by, rollup):
    project = build(spec)
    try:
        found = oracle(project)
        codes, speaker, roles = ids(project)

        # Frequencies, with the open disagreements per row.
        result = compute_frequencies(project, consensus=True, coders="anne,bo", by=by, rollup=rollup)
        assert result.selection.mode == "consensus"
        state = result.selection.consensus
        assert (state.disagreements, state.settled, state.open) == (
            found["disagreements"],
            found["settled"],
            len(found["open"]),
        )
        expected = expected_rows(project, coders=set(), by=by, rollup=rollup, codings=rows_of(found["on"]))
        open_rows = expected_open(project, found, by, rollup)
        got = {(r["code"], tuple(r[n] for n in by)): r for r in result.rows}
        for key, row in got.items():
            want = expected.get(key, {"codings": 0, "passages": 0, "sources": 0, "participants": 0})
            assert {k: row[k] for k in ("codings", "passages", "sources", "participants")} == {
                k: want[k] for k in ("codings", "passages", "sources", "participants")
            }, key
            assert row["open_disagreements"] == open_rows.get(key, 0), key
        assert {k for k, v in expected.items() if v["passages"]} <= set(got)

        # Co-occurrence: passages carrying both, and of them those where either is open.
        co = compute_cooccurrence(
            project, rows="T1,T2", cols="B.social,B.frihed", consensus=True, coders="anne,bo", rollup=rollup
        )
        for i, r in enumerate(co.rows):
            for j, c in enumerate(co.cols):
                with_r = {p for (p, cid) in found["on"] if cid in members(codes, r.key, rollup)}
                with_c = {p for (p, cid) in found["on"] if cid in members(codes, c.key, rollup)}
                both = with_r & with_c
                opened = {
                    p
                    for p in both
                    if any(
                        (p, cid) in found["open"]
                        for cid in members(codes, r.key, rollup) | members(codes, c.key, rollup)
                    )
                }
                assert (co.counts[i, j], co.open_counts[i, j]) == (len(both), len(opened)), (r.key, c.key)

        # The matrix: 1 where any of the participant's passages carries the code.
        matrix = compute_matrix(project, consensus=True, coders="anne,bo", rollup=rollup)
        with project.read() as s:
            people = {(src, p.label): p.id for p, src in s.exec(select(Participant, Source.name).join(Source))}
        for row, still in zip(matrix.rows, matrix.open_counts):
            pid = people[(row["source"], row["participant"])]
            for key in KEYS:
                carried = any(speaker[p] == pid and cid in members(codes, key, rollup) for (p, cid) in found["on"])
                assert row[key] == int(carried), (row, key)
            assert still == len(
                {
                    (p, cid)
                    for (p, cid) in found["open"]
                    if speaker[p] == pid and any(cid in members(codes, key, rollup) for key in KEYS)
                }
            )

        # Quotes: candidates are exactly the consensus's passages of the participants.
        collection = collect_quotes(project, consensus=True, coders="anne,bo", codes=",".join(KEYS), n=50, min_words=1)
        for group in collection.codes:
            carried = {
                p for (p, cid) in found["on"] if cid == codes[group.code.key] and roles[speaker[p]] != "interviewer"
            }
            assert group.candidates == len(carried), group.code.key
            assert {q.passage_id for q in group.quotes} <= carried
            for q in group.quotes:
                assert q.open == ((q.passage_id, codes[group.code.key]) in found["open"])
        for row, q in zip(collection.rows(), collection.quotes):
            assert row["open_disagreements"] == int(q.open)

        # The default basis: the consensus only when nothing is open, else the union.
        default = compute_frequencies(project, by=by, rollup=rollup)
        pair = default_pair(spec)
        found_default = oracle(project, pair) if pair not in (None, ("anne", "bo")) else found
        assert default.selection.mode == default_mode(spec, found_default)
        if default.selection.mode == "union":
            humans = {c[3] for c in spec["codings"]} - {"konsensus"}
            expected_default = expected_rows(project, coders=humans, by=by, rollup=rollup)
            if found_default["settled"] and default_mode(spec, {"open": set()}) == "consensus":
                assert default.selection.why == (
                    f"konsensus: {found_default['settled']} af {found_default['disagreements']} uenigheder afgjort"
                    " – bruger foreningsmængden"
                )
        else:
            expected_default = expected_rows(
                project, coders=set(), by=by, rollup=rollup, codings=rows_of(found_default["on"])
            )
        for r in default.rows:
            want = expected_default.get((r["code"], tuple(r[n] for n in by)), {"passages": 0})
            assert r["passages"] == want["passages"], r

        # The overview's bars read the default too.
        bars = {t.key: t.passages for t in theme_frequencies(project).themes}
        plain = {r["code"]: r["passages"] for r in compute_frequencies(project, codes="tema").rows}
        assert bars == plain
    finally:
        project.dispose()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(spec=projects())
def test_the_export_job_and_the_chart_read_the_same_consensus(spec, tmp_path_factory):
    project = build(spec)
    out = tmp_path_factory.mktemp("export")
    try:
        known = default_mode(spec, {"open": set()}) == "consensus"  # the pair can be known without --coders
        for selection in ("auto", "consensus"):
            request = ReportRequest("frequencies", out / "f.json", selection=selection, codes="T1,T2,B.social")
            if selection == "consensus" and not known:
                with pytest.raises(TrivselError):
                    run_report(project, request)
                return
            run_report(project, request)
            got = json.loads((out / "f.json").read_text(encoding="utf-8"))
            options = {"consensus": True} if selection == "consensus" else {}
            assert got == compute_frequencies(project, codes="T1,T2,B.social", **options).rows
        # The chart's bars are labelled with their numbers (text in the SVG).
        run_report(
            project, ReportRequest("chart", out / "c.svg", selection="consensus", codes="T1,T2", measure="passages")
        )
        labels = re.findall(r"font-size: 7px[^>]*>([^<]*)</text>", (out / "c.svg").read_text(encoding="utf-8"))
        wanted = [r["passages"] for r in compute_frequencies(project, codes="T1,T2", consensus=True).rows]
        assert sorted(int(x) for x in labels) == sorted(wanted)
    finally:
        project.dispose()


# ---------------------------------------------------------------- examples


def test_one_settled_disagreement_does_not_empty_the_report():
    """The bug as reported: one settled T1 disagreement made T1 count 1 passage and T2 none."""
    project = build_project(small_spec())
    union = {r["code"]: r["passages"] for r in compute_frequencies(project).rows}
    settle(project, "holstebro-1", 3, "T2", "a", ("anne", "bo"), "lead")  # anne coded T2, bo did not
    after = compute_frequencies(project)
    assert after.selection.mode == "union"
    assert after.selection.why == "konsensus: 1 af 3 uenigheder afgjort – bruger foreningsmængden"
    assert {r["code"]: r["passages"] for r in after.rows} == union
    consensus = {r["code"]: r for r in compute_frequencies(project, consensus=True).rows}
    # T2: the settled answer and anne's T2 on the interviewer's turn (never a unit: carried as in the union).
    assert consensus["T1"]["passages"] == 1 and consensus["T2"]["passages"] == 2
    assert consensus["T2"]["open_disagreements"] == 0
    assert compute_frequencies(project, consensus=True).selection.describe() == (
        "konsensus af anne og bo (2 af 3 uenigheder er åbne og tæller som i foreningsmængden)"
    )


def test_when_everything_is_settled_the_consensus_is_the_default():
    project = build_project(small_spec())
    for src, n, key, take in [
        ("holstebro-1", 3, "T2", "neither"),
        ("viborg-1", 1, "B.social", "b"),
        ("viborg-1", 2, "B.frihed", "neither"),
    ]:
        settle(project, src, n, key, take, ("anne", "bo"), "lead")
    result = compute_frequencies(project)
    assert result.selection.mode == "consensus" and result.selection.why is None
    rows = {r["code"]: r for r in result.rows}
    # T2 is left on the interviewer's turn only (anne's; never a unit, carried as in the union).
    assert rows["T2"]["passages"] == 1 and rows["B.social"]["passages"] == 1 and rows["B.frihed"]["passages"] == 0
    assert rows["T1"]["codings"] == 2  # the whole passage and bo's sub-span: distinct spans
    assert all(r["open_disagreements"] == 0 for r in result.rows)


def test_the_only_two_coders_with_codings_are_the_default_pair_whoever_they_are():
    """Three coders, codings by anne and carl only, no decision: the default is the consensus of anne and carl."""
    spec = {
        "coders": ["anne", "bo", "carl"],
        "sources": [{"name": "kilde-0", "site": "Randers", "kind": "interview", "participants": [{"label": "P1"}],
                     "passages": [("P1", "Her er jeg tryg."), ("P1", "Det er godt.")]}],
        "codings": [("kilde-0", 1, "T1", "anne", None, None), ("kilde-0", 1, "T1", "carl", None, None)],
    }  # fmt: skip
    project = build_project(spec)
    try:
        result = compute_frequencies(project, codes="T1")
        assert result.selection.mode == "consensus" and result.selection.describe().startswith(
            "konsensus af anne og carl"
        )
        assert [(r["code"], r["passages"]) for r in result.rows] == [("T1", 1)]
        with project.write() as s:  # carl codes passage 2 too: one open disagreement, back to the union
            pid = s.exec(select(Passage.id).where(Passage.number == 2)).one()
            cid = s.exec(select(Code.id).where(Code.key == "T1")).one()
            carl = s.exec(select(Coder.id).where(Coder.name == "carl")).one()
            s.execute(
                insert(Coding), [{"passage_id": pid, "code_id": cid, "coder_id": carl, "start": None, "end": None}]
            )
        assert compute_frequencies(project, codes="T1").selection.mode == "union"
    finally:
        project.dispose()


def test_decisions_name_their_coders_in_order():
    """'a' takes the coder named first in the decision, whichever order the report names them."""
    project = build_project(small_spec())
    settle(project, "viborg-1", 1, "B.social", "a", ("bo", "anne"), "lead")  # bo coded it
    rows = {r["code"]: r for r in compute_frequencies(project, consensus=True, coders="anne,bo").rows}
    assert rows["B.social"]["passages"] == 1 and rows["B.social"]["open_disagreements"] == 0


def test_legacy_consensus_codings_count_as_settled():
    spec = small_spec()
    spec["coders"].append("konsensus")
    spec["codings"].append(("viborg-1", 2, "B.frihed", "konsensus"))
    project = build_project(spec)
    state = compute_frequencies(project, consensus=True).selection.consensus
    assert (state.disagreements, state.settled) == (3, 1)


def test_the_pair_is_asked_for_when_it_cannot_be_known():
    spec = small_spec()
    spec["coders"].append("carl")
    spec["codings"].append(("viborg-1", 1, "T1", "carl"))
    project = build_project(spec)
    with pytest.raises(TrivselError) as err:
        compute_frequencies(project, consensus=True)
    assert "--coders" in str(err.value)
    assert compute_frequencies(project).selection.mode == "union"
    assert compute_frequencies(project, consensus=True, coders="anne,bo").selection.consensus.coders == ("anne", "bo")
    # Decisions name their pair: it is the consensus, and carl is not in it.
    settle(project, "viborg-1", 1, "B.social", "b", ("anne", "bo"), "lead")
    assert compute_frequencies(project, consensus=True).selection.consensus.coders == ("anne", "bo")
    # Decisions between two pairs: the default says why it is the union.
    settle(project, "viborg-1", 2, "B.frihed", "a", ("anne", "carl"), "lead")
    default = compute_frequencies(project)
    assert default.selection.mode == "union" and "flere koderpar" in default.selection.why
    for bad in ("anne", "anne,anne", "anne,konsensus", "anne,bo,carl"):
        with pytest.raises(TrivselError):
            compute_frequencies(project, consensus=True, coders=bad)


def test_the_consensus_coder_is_not_coded_by_hand():
    """A hand-made konsensus coding would be a settlement nobody decided."""
    from trivselkode.storage.codings import CodingRef, add_coding, remove_coding

    project = build_project(small_spec())
    for call in (add_coding, remove_coding):
        with pytest.raises(TrivselError) as err:
            call(project, CodingRef(source="viborg-1", passage=1, code="T1", coder="konsensus"))
        assert "consensus settle" in str(err.value)
    assert compute_frequencies(project, consensus=True).selection.consensus.settled == 0
