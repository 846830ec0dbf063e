"""``consensus settle --reason``, ``consensus undo``, ``consensus list``/``audit``, ``consensus settings``
and ``agreement --by-source`` through the command line, read back from the project file."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import select

from tests.conftest import write
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Decision, DecisionEvent

TEXT = "".join(
    [
        "---\nkind: interview\nsite: Viborg\nparticipants:\n  - {id: I, role: interviewer}\n  - {id: P1, gender: mand, age: 40}\n---\n",
        *[f"I: Spørgsmål {n}?\nP1: Svar nummer {n}. Det er en sætning mere.\n" for n in range(1, 7)],
    ]
)
SETTLE = ["consensus", "settle", "-s", "k1", "-c", "T1", "--coders", "anne,bo"]


@pytest.fixture
def cli(sqlite_cli, tmp_path):
    cli = sqlite_cli
    assert cli("init").exit_code == 0
    for name in ("k1", "k2"):
        text = TEXT.replace("Svar nummer", "Svar" if name == "k2" else "Svar nummer")  # not the same text twice
        assert cli("import", str(write(tmp_path / f"{name}.txt", text))).exit_code == 0
    rows = ["source,passage,code,coder,start,end,memo"]
    rows += [f"k1,{p},T1,anne,,," for p in (2, 4, 6)] + [f"k1,{p},T1,bo,,," for p in (2, 8)]
    rows += [f"k2,{p},T1,{c},,," for p in (2, 4) for c in ("anne", "bo")]
    rows += ["k2,6,T2,anne,,,", "k2,6,T2,bo,0,14,"]
    assert cli("codings", "import", str(write(tmp_path / "c.csv", "\n".join(rows) + "\n"))).exit_code == 0
    for source in ("k1", "k2"):
        for coder in ("anne", "bo"):
            assert cli("sources", "done", "-s", source, "--coder", coder).exit_code == 0
    return cli


def stored(cli) -> tuple[list[Decision], list[DecisionEvent]]:
    project, _ = open_project(str(cli.db))
    try:
        with project.read() as s:
            return list(s.exec(select(Decision))), list(s.exec(select(DecisionEvent).order_by(DecisionEvent.id)))
    finally:
        project.dispose()


def test_settle_with_reason_list_change_and_undo(cli) -> None:
    result = cli(*SETTLE, "-p", "4", "--take", "a", "--by", "mette", "--reason", "svaret handler om tryghed")
    assert result.exit_code == 0, result.stderr
    assert "Begrundelse: svaret handler om tryghed" in result.stderr
    [decision], [event] = stored(cli)
    assert (decision.choice, decision.reason, decision.settled_by) == ("a", "svaret handler om tryghed", "mette")
    assert (event.choice, event.previous, event.reason, event.by) == ("a", None, "svaret handler om tryghed", "mette")

    rows = cli.json("consensus", "list")
    assert [(r["passage"], r["choice"], r["reason"]) for r in rows] == [(4, "a", "svaret handler om tryghed")]
    table = cli("consensus", "list").stdout
    assert "k1 udsagn 4 T1: a (anne/bo) af mette" in table and "begrundelse: svaret handler om tryghed" in table

    result = cli(*SETTLE, "-p", "4", "--take", "neither", "--by", "lars")
    assert "Ændret (før: a)" in result.stderr
    assert cli.json("consensus", "list")[0]["reason"] == "svaret handler om tryghed"  # kept

    result = cli("consensus", "undo", "-s", "k1", "-p", "4", "-c", "T1", "--by", "mette", "--reason", "for tidligt")
    assert result.exit_code == 0 and "åben igen" in result.stderr
    decisions, events = stored(cli)
    assert decisions == []
    assert [(e.choice, e.previous, e.reason) for e in events] == [
        ("a", None, "svaret handler om tryghed"),
        ("neither", "a", "svaret handler om tryghed"),
        ("undone", "neither", "for tidligt"),
    ]
    assert cli.json("consensus", "list") == []


def test_undo_of_nothing_says_so_in_one_line(cli) -> None:
    result = cli("consensus", "undo", "-s", "k1", "-p", "4", "-c", "T1", "--by", "mette")
    assert result.exit_code != 0
    assert "ikke afgjort" in result.stderr and "Traceback" not in result.stderr
    assert stored(cli) == ([], [])


def test_audit_in_three_formats(cli) -> None:
    assert cli(*SETTLE, "-p", "4", "--take", "a", "--by", "mette", "--reason", "tryghed").exit_code == 0
    assert cli(*SETTLE, "-p", "8", "--take", "b", "--by", "lars").exit_code == 0
    assert cli("consensus", "undo", "-s", "k1", "-p", "8", "-c", "T1", "--by", "mette").exit_code == 0
    doc = cli.json("consensus", "audit")
    assert [(r["action"], r["by"], r["passage"], r["choice"], r["reason"]) for r in doc] == [
        ("settled", "mette", 4, "a", "tryghed"),
        ("settled", "lars", 8, "b", None),
        ("undone", "mette", 8, "undone", None),
    ]
    assert doc[0]["text"] == "Svar nummer 2. Det er en sætning mere." and doc[0]["coders"] == ["anne", "bo"]
    result = cli("consensus", "audit", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["action"] for r in rows] == ["settled", "settled", "undone"] and rows[0]["coders"] == "anne,bo"
    lines = cli("consensus", "audit").stdout.splitlines()
    assert lines[0].endswith(" · mette · afgjort · k1 #4 T1 · a (anne)")
    assert lines[1:3] == ["  Begrundelse: tryghed", "  P1: »Svar nummer 2. Det er en sætning mere.«"]
    assert lines[6].endswith(" · mette · ophævet · k1 #8 T1 · b (bo) → undone") and lines[7] == "  Ingen begrundelse"
    assert [r["passage"] for r in cli.json("consensus", "audit", "--code", "T2")] == []


def test_allow_own_fix_setting(cli) -> None:
    assert cli.json("consensus", "settings") == {"allow_own_fix": False, "queue_learns_from_all": False}
    shown = cli("consensus", "settings")
    assert "fra" in shown.stdout and "--allow-own-fix" in shown.stderr
    assert cli("consensus", "settings", "--allow-own-fix").exit_code == 0
    assert cli.json("consensus", "settings")["allow_own_fix"] is True
    assert cli.json("consensus", "settings", "--no-allow-own-fix")["allow_own_fix"] is False


def test_queue_learns_from_all_setting(cli) -> None:
    from trivselkode.storage.db import open_project
    from trivselkode.storage.project_settings import queue_learns_from_all

    assert cli.json("consensus", "settings", "--queue-learns-from-all") == {
        "allow_own_fix": False,
        "queue_learns_from_all": True,
    }
    project, _ = open_project(str(cli.db))
    try:
        assert queue_learns_from_all(project) is True
    finally:
        project.dispose()
    assert "(queue_learns_from_all): til" in cli("consensus", "settings").stdout
    assert cli.json("consensus", "settings", "--queue-learns-from-own")["queue_learns_from_all"] is False


def test_agreement_by_source_table_json_csv(cli) -> None:
    doc = cli.json("agreement", "--coders", "anne,bo", "--by-source")
    assert doc["coders"] == ["anne", "bo"] and doc["unit"] == "passage"
    by_source = {s["source"]: s for s in doc["sources"]}
    assert set(by_source) == {"k1", "k2"}
    t1 = {s: next(c for c in by_source[s]["codes"] if c["code"] == "T1") for s in by_source}
    # k1: anne 2,4,6 / bo 2,8 over the answers 2..12 -> 3 disagreements of 6; k2: agree on T1
    assert (t1["k1"]["units"], t1["k1"]["disagreements"]) == (6, 3)
    assert t1["k1"]["agreement"] == pytest.approx(0.5, abs=1e-12)
    assert (t1["k2"]["disagreements"], t1["k2"]["agreement"]) == (0, 1.0)
    assert by_source["k1"]["disagreements"] == 3 and by_source["k1"]["pooled"]["disagreements"] == 3
    # the whole report on k1 alone gives the same figures
    alone = cli.json("agreement", "--coders", "anne,bo", "--sources", "k1", "--codes", "T1,T2")
    assert t1["k1"]["krippendorff_alpha"] == alone["codes"][0]["krippendorff_alpha"]
    assert "NaN" not in json.dumps(doc)
    table = cli("agreement", "--coders", "anne,bo", "--by-source")
    assert table.exit_code == 0 and "Enighed pr. kilde" in table.stdout and "k1" in table.stdout
    rows = list(csv.DictReader(io.StringIO(cli("agreement", "--by-source", "--format", "csv").stdout)))
    assert {(r["source"], r["code"]) for r in rows} >= {("k1", "T1"), ("k1", "samlet"), ("k2", "T2")}
    refused = cli("agreement", "--by-source", "--methods")
    assert refused.exit_code != 0 and "--by-source" in refused.stderr and refused.stdout == ""


def test_span_units_say_what_the_figure_means(cli) -> None:
    doc = cli.json("agreement", "--coders", "anne,bo", "--unit", "span", "--codes", "T2")
    assert doc["overlap"] == 0.9
    assert doc["meaning"]["min_units"] == 10 and doc["meaning"]["meaningful"] is False
    assert "systematisk uenighed" in doc["meaning"]["text"]
    assert doc["codes"][0]["note"].startswith("kun 2 spænd-enheder")
    result = cli("agreement", "--coders", "anne,bo", "--unit", "span", "--codes", "T2")
    assert "siger ikke meget" in result.stderr and "mindst 90 % overlap" in result.stderr
    by_source = cli.json("agreement", "--by-source", "--unit", "span", "--codes", "T2")
    assert by_source["meaning"]["overlap"] == 0.9 and "text" in by_source["meaning"]


def test_methods_appendix_through_the_cli(cli) -> None:
    assert cli(*SETTLE, "-p", "4", "--take", "a", "--by", "mette", "--reason", "tryghed").exit_code == 0
    doc = cli.json("agreement", "--coders", "anne,bo", "--methods", "--samples", "20")
    assert "Bilag: afgjorte uenigheder" in doc["methods"]
    assert "- k1, udsagn 4, T1: A (anne) (afgjort af mette): tryghed" in doc["methods"]
