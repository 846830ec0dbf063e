"""Agreement, disagreements, consensus and merging through the command line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Cli, write

TEXT = "".join(
    [
        "---\nkind: interview\nsite: Viborg\nparticipants:\n  - {id: I, role: interviewer}\n  - {id: P1, gender: mand, age: 40}\n---\n",
        *[f"I: Spørgsmål {n}?\nP1: Svar nummer {n}. Det er en sætning mere.\n" for n in range(1, 11)],
    ]
)
# Passages: odd numbers are the interviewer's, even numbers P1's answers (10 units).


@pytest.fixture
def two_coders(cli, tmp_path):
    assert cli("init").exit_code == 0
    assert cli("import", str(write(tmp_path / "k1.txt", TEXT))).exit_code == 0
    rows = ["source,passage,code,coder,start,end,memo"]
    # T1: anne codes answers 1-5, bo 1-4 and 6 -> units 10, disagreements 2
    rows += [f"k1,{2 * n},T1,anne,,," for n in (1, 2, 3, 4, 5)]
    rows += [f"k1,{2 * n},T1,bo,,," for n in (1, 2, 3, 4, 6)]
    # T2: both on answer 7; bo also on the interviewer's turn 1 (never a unit)
    rows += ["k1,14,T2,anne,,,", "k1,14,T2,bo,,,", "k1,1,T2,bo,,,"]
    assert cli("codings", "import", str(write(tmp_path / "c.csv", "\n".join(rows) + "\n"))).exit_code == 0
    return cli


def _done(cli, *coders):
    for c in coders:
        assert cli("sources", "done", "-s", "k1", "--coder", c).exit_code == 0


def test_units_need_everyone_done(two_coders):
    result = two_coders("agreement", "--coders", "anne,bo")
    assert result.exit_code == 1 and "sources done" in result.stderr
    _done(two_coders, "anne")
    assert two_coders("agreement", "--coders", "anne,bo").exit_code == 1
    _done(two_coders, "bo")
    doc = two_coders.json("agreement", "--coders", "anne,bo")
    assert doc["coders"] == ["anne", "bo"] and doc["units"] == 10
    t1 = next(c for c in doc["codes"] if c["code"] == "T1")
    # anne: 1111100000, bo: 1111010000 -> 8/10 agree; p_e = .5*.5+.5*.5 = .5; kappa = .6
    assert t1["units"] == 10 and t1["disagreements"] == 2
    assert t1["agreement"] == pytest.approx(0.8, abs=1e-12)
    assert t1["cohen_kappa"] == pytest.approx(0.6, abs=1e-12)
    assert t1["brennan_prediger"] == pytest.approx(0.6, abs=1e-12)
    # alpha (nominal, 2 coders, 20 values): 1 - (19 * 4/20... ) computed by the pure function
    from trivselkode.analysis.agreement import krippendorff_alpha

    a = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    b = [1, 1, 1, 1, 0, 1, 0, 0, 0, 0]
    assert t1["krippendorff_alpha"] == pytest.approx(krippendorff_alpha([a, b]), abs=1e-15)
    t2 = next(c for c in doc["codes"] if c["code"] == "T2")
    assert t2["disagreements"] == 0 and t2["agreement"] == 1.0
    assert set(doc["pooled"]) >= {
        "units",
        "agreement",
        "cohen_kappa",
        "krippendorff_alpha",
        "brennan_prediger",
        "disagreements",
        "undefined",
    }
    assert set(t1) >= {
        "code",
        "units",
        "agreement",
        "cohen_kappa",
        "krippendorff_alpha",
        "brennan_prediger",
        "disagreements",
        "undefined",
    }


def test_undefined_is_said_not_nan(two_coders):
    _done(two_coders, "anne", "bo")
    doc = two_coders.json("agreement", "--coders", "anne,bo", "--codes", "T3")
    t3 = doc["codes"][0]
    assert t3["krippendorff_alpha"] is None and t3["cohen_kappa"] is None
    assert "krippendorff_alpha" in t3["undefined"] and t3["undefined"]["krippendorff_alpha"]
    assert "NaN" not in json.dumps(doc)


def test_all_treats_unfinished_coder_as_missing(two_coders):
    _done(two_coders, "anne")
    doc = two_coders.json("agreement", "--coders", "anne,bo", "--all")
    # units: participant passages anyone coded = answers 1..7 (7 units)
    t1 = next(c for c in doc["codes"] if c["code"] == "T1")
    assert doc["units"] == 7
    # bo did not finish and did not code answer 5 -> missing there, so 6 pairable units
    assert t1["units"] == 6


def test_span_unit(two_coders):
    cli = two_coders
    _done(cli, "anne", "bo")
    # answer 8 (passage 16): "Svar nummer 8. Det er en sætning mere." — first sentence is 0..14
    for coder, (a, b) in {"anne": (0, 14), "bo": (0, 13)}.items():
        assert (
            cli(
                "codings", "add", "-s", "k1", "-p", "16", "-c", "T5", "--start", str(a), "--end", str(b), coder=coder
            ).exit_code
            == 0
        )
    doc = cli.json("agreement", "--coders", "anne,bo", "--codes", "T5", "--unit", "span", "--overlap", "0.9")
    t5 = doc["codes"][0]
    assert t5["units"] == 1 and t5["disagreements"] == 0  # 13/14 = 0.93 >= 0.9
    doc = cli.json("agreement", "--coders", "anne,bo", "--codes", "T5", "--unit", "span", "--overlap", "0.95")
    assert doc["codes"][0]["units"] == 2 and doc["codes"][0]["disagreements"] == 2


def test_methods_paragraph(two_coders):
    _done(two_coders, "anne", "bo")
    result = two_coders("agreement", "--coders", "anne,bo", "--methods", "--lang", "en", "--samples", "200")
    assert result.exit_code == 0, result.stderr
    assert "Krippendorff's alpha" in result.stdout and "95% bootstrap CI" in result.stdout
    assert "Trivselskodebog" in result.stdout
    doc = two_coders.json("agreement", "--coders", "anne,bo", "--methods", "--samples", "200")
    assert "Krippendorffs alfa" in doc["methods"]
    low, high = doc["pooled"]["krippendorff_alpha_ci95"]
    assert low <= doc["pooled"]["krippendorff_alpha"] <= high
    # Nothing settled: no word of a consensus.
    assert "konsensus" not in doc["methods"] and "consensus" not in result.stdout


def test_methods_paragraph_says_how_much_was_settled_and_by_whom(two_coders):
    _done(two_coders, "anne", "bo")
    settle = ["consensus", "settle", "-s", "k1", "--code", "T1", "--coders", "anne,bo"]
    assert two_coders(*settle, "--passage", "10", "--take", "a", "--by", "mette").exit_code == 0
    doc = two_coders.json("agreement", "--coders", "anne,bo", "--methods", "--samples", "50")
    assert doc["pooled"]["disagreements"] == 2
    assert doc["methods"].endswith(
        "Koderne var uenige om 2 af 20 kombinationer af enhed og kode. "
        "1 af 2 uenigheder blev afgjort af mette i en konsensuskodning."
    )
    assert two_coders(*settle, "--passage", "12", "--take", "neither", "--by", "mette").exit_code == 0
    en = two_coders.json("agreement", "--coders", "anne,bo", "--methods", "--samples", "50", "--lang", "en")
    assert en["methods"].endswith("All 2 disagreements were settled by mette into a consensus coding.")
    # The reports read the consensus now that nothing is open, and say so.
    result = two_coders("report", "frequencies", "--codes", "T1", "--format", "json")
    assert "Grundlag: konsensus af anne og bo." in result.stderr
    assert json.loads(result.stdout)[0]["passages"] == 5 and json.loads(result.stdout)[0]["open_disagreements"] == 0


def test_reports_say_why_settled_work_is_left_unused(two_coders):
    _done(two_coders, "anne", "bo")
    assert (
        two_coders(
            "consensus",
            "settle",
            "-s",
            "k1",
            "--code",
            "T1",
            "--coders",
            "anne,bo",
            "--passage",
            "10",
            "--take",
            "b",
            "--by",
            "mette",
        ).exit_code
        == 0
    )
    result = two_coders("report", "frequencies", "--codes", "T1")
    assert result.exit_code == 0
    assert "konsensus: 1 af 2 uenigheder afgjort – bruger foreningsmængden" in result.stderr
    consensus = two_coders("report", "frequencies", "--codes", "T1", "--consensus", "--format", "json")
    assert "1 af 2 uenigheder er åbne" in consensus.stderr
    row = json.loads(consensus.stdout)[0]
    # agreed on answers 1–4; answer 5 (anne's) settled to b (off); answer 6 (bo's) open, counted.
    # (bo's T2 on the interviewer's turn 1 is never a unit: no disagreement, carried as in the union.)
    assert (row["passages"], row["open_disagreements"]) == (5, 1)


def test_disagreements_listing(two_coders):
    _done(two_coders, "anne", "bo")
    rows = two_coders.json("disagreements", "--coders", "anne,bo")
    assert [(r["passage"], r["codes"]) for r in rows] == [(10, ["T1"]), (12, ["T1"])]
    assert rows[0]["coders"]["anne"][0]["code"] == "T1" and rows[0]["coders"]["bo"] == []
    md = two_coders("disagreements", "--coders", "anne,bo", "--code", "T1").stdout
    assert "udsagn 10" in md and "**anne**: T1" in md


def test_consensus_settles_without_touching_coders(two_coders):
    _done(two_coders, "anne", "bo")
    cli = two_coders
    before = [r for r in cli.json("codings", "export") if r["coder"] != "konsensus"]
    assert (
        cli(
            "consensus",
            "settle",
            "-s",
            "k1",
            "-p",
            "10",
            "-c",
            "T1",
            "--take",
            "a",
            "--coders",
            "anne,bo",
            "--by",
            "forsker",
        ).exit_code
        == 0
    )
    assert (
        cli(
            "consensus",
            "settle",
            "-s",
            "k1",
            "-p",
            "12",
            "-c",
            "T1",
            "--take",
            "neither",
            "--coders",
            "anne,bo",
            "--by",
            "forsker",
        ).exit_code
        == 0
    )
    after = cli.json("codings", "export")
    assert [r for r in after if r["coder"] != "konsensus"] == before
    assert [(r["passage"], r["code"]) for r in after if r["coder"] == "konsensus"] == [(10, "T1")]
    # changing one's mind replaces the decision
    assert (
        cli(
            "consensus",
            "settle",
            "-s",
            "k1",
            "-p",
            "10",
            "-c",
            "T1",
            "--take",
            "b",
            "--coders",
            "anne,bo",
            "--by",
            "forsker",
        ).exit_code
        == 0
    )
    assert [r for r in cli.json("codings", "export") if r["coder"] == "konsensus"] == []
    decisions = cli.json("consensus", "list")
    assert [(d["passage"], d["choice"], d["settled_by"]) for d in decisions] == [
        (10, "b", "forsker"),
        (12, "neither", "forsker"),
    ]
    assert all(d["settled_at"] for d in decisions)
    bad = cli(
        "consensus", "settle", "-s", "k1", "-p", "10", "-c", "T1", "--take", "måske", "--coders", "anne,bo", "--by", "x"
    )
    assert bad.exit_code == 1 and "a, b, both eller neither" in bad.stderr


# ---- merging ---------------------------------------------------------------


def _laptop(tmp_path: Path, name: str, coder: str, passages: list[int], code: str = "T1", db: str | None = None) -> Cli:
    cli = Cli(db or tmp_path / f"{name}.db")
    assert cli("init").exit_code == 0
    assert cli("import", str(write(tmp_path / "src" / "k1.txt", TEXT))).exit_code == 0
    for p in passages:
        assert cli("codings", "add", "-s", "k1", "-p", str(p), "-c", code, coder=coder).exit_code == 0
    assert cli("sources", "done", "-s", "k1", "--coder", coder).exit_code == 0
    return cli


@pytest.mark.parametrize(
    "into, other",
    [
        ("sqlite", "sqlite"),
        pytest.param("postgres", "sqlite", marks=pytest.mark.postgres),
        pytest.param("sqlite", "postgres", marks=pytest.mark.postgres),
    ],
)
def test_merge_twice_adds_nothing_and_keeps_both(tmp_path, request, monkeypatch, into, other):
    """A laptop file merged into another, into the shared server project, and a server project into a file."""
    monkeypatch.chdir(tmp_path)  # where a server project's snapshot lands
    a = _laptop(tmp_path, "a", "anne", [2, 4, 6], db=request.getfixturevalue("pg_url") if into == "postgres" else None)
    b = _laptop(tmp_path, "b", "bo", [2, 8], db=request.getfixturevalue("pg_url") if other == "postgres" else None)
    dry = a.json("merge", str(b.db), "--dry-run")
    assert dry["dry_run"] and dry["added"]["codings"] == 2
    assert a.json("status")["codings"] == 3  # nothing stored by a dry run
    first = a.json("merge", str(b.db))
    assert first["added"]["codings"] == 2 and first["added"]["coders"] == 1 and first["backup"]
    assert Path(first["backup"]).exists()
    second = a.json("merge", str(b.db))
    assert second["added"] == {}
    status = a.json("status")
    assert status["codings"] == 5 and status["done"] == {"anne": ["k1"], "bo": ["k1"]}
    assert status["sources"] == 1
    # the copy taken before the first merge is the project as it was, and opens as one
    assert Cli(first["backup"]).json("status")["codings"] == 3


def test_merge_new_source_codes_and_name_conflicts(tmp_path):
    a = _laptop(tmp_path, "a", "anne", [2])
    b = _laptop(tmp_path, "b", "bo", [4])
    other_text = TEXT.replace("Svar nummer 3.", "Svar nummer tre.")  # same name, revised text
    write(tmp_path / "src2" / "k1.txt", other_text)
    assert b("import", str(tmp_path / "src2" / "k1.txt"), "--replace").exit_code == 0
    assert b("codings", "add", "-s", "k1", "-p", "6", "-c", "T2", coder="bo").exit_code == 0
    assert b("import", str(write(tmp_path / "src3" / "ny.txt", "P1: Helt ny kilde her.\n"))).exit_code == 0
    assert b("codings", "add", "-s", "ny", "-p", "1", "-c", "T3", coder="bo").exit_code == 0
    kb = write(
        tmp_path / "kb.yaml",
        "name: X\nversion: 2\ncodes:\n  - {key: T1, name: Andet navn}\n  - {key: NY, name: Ny kode}\n",
    )
    assert b("codebook", "load", str(kb)).exit_code == 0
    assert b("codings", "add", "-s", "ny", "-p", "1", "-c", "NY", coder="bo").exit_code == 0
    report = a.json("merge", str(b.db))
    assert report["added"]["sources"] == 1 and report["added"]["codes"] == 1
    assert any("T1" in c and "Andet navn" in c for c in report["conflicts"])
    assert any("anden tekst" in c for c in report["conflicts"])
    rows = {(r["source"], r["passage"], r["code"], r["coder"]) for r in a.json("codings", "export")}
    assert ("k1", 6, "T2", "bo") in rows  # re-anchored onto our text
    assert ("ny", 1, "T3", "bo") in rows and ("ny", 1, "NY", "bo") in rows
    codes = {c["key"]: c for c in a.json("codebook", "show")}
    assert codes["T1"]["name"] != "Andet navn"


@pytest.fixture(scope="module")
def merge_laptops(tmp_path_factory) -> Path:
    """Two laptops' projects (anne's and bo's) with the source and nothing coded, built once:
    each example of the property starts from copies of them."""
    tmp = tmp_path_factory.mktemp("laptops")
    _laptop(tmp, "a", "anne", [])
    _laptop(tmp, "b", "bo", [])
    return tmp


def _copy_sqlite(src: Path, dst: Path) -> Path:
    """A consistent copy of an SQLite project (SQLite's own backup, whatever its journal holds)."""
    with sqlite3.connect(src) as source, sqlite3.connect(dst) as target:
        source.backup(target)
    source.close()
    target.close()
    return dst


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    a_codings=st.sets(
        st.tuples(st.sampled_from([2, 4, 6, 8, 10]), st.sampled_from(["T1", "T2", "B.social"])), max_size=8
    ),
    b_codings=st.sets(
        st.tuples(st.sampled_from([2, 4, 6, 8, 10]), st.sampled_from(["T1", "T3", "L.mening"])), max_size=8
    ),
)
def test_merge_properties(merge_laptops, tmp_path_factory, a_codings, b_codings):
    tmp = tmp_path_factory.mktemp("merge")
    a, b = (Cli(_copy_sqlite(merge_laptops / f"{name}.db", tmp / f"{name}.db")) for name in ("a", "b"))
    for p, c in a_codings:
        assert a("codings", "add", "-s", "k1", "-p", str(p), "-c", c, coder="anne").exit_code == 0
    for p, c in b_codings:
        assert b("codings", "add", "-s", "k1", "-p", str(p), "-c", c, coder="bo").exit_code == 0
    a.json("merge", str(b.db))
    once = sorted(map(json.dumps, a.json("codings", "export")))
    a.json("merge", str(b.db))
    twice = sorted(map(json.dumps, a.json("codings", "export")))
    assert once == twice  # merging again changes nothing
    got = {(r["passage"], r["code"], r["coder"]) for r in a.json("codings", "export")}
    want = {(p, c, "anne") for p, c in a_codings} | {(p, c, "bo") for p, c in b_codings}
    assert got == want  # disjoint coders: every coding of both
