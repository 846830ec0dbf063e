"""The foundation's command line, end to end through typer's CliRunner."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import INTERVIEW, REPO, write

CODEBOOK = REPO / "codebooks" / "trivsel.yaml"


def _one_line_error(result) -> str:  # noqa: ANN001
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, "an error must say what is wrong"
    assert lines[-1].startswith("fejl:") or lines[0].startswith("fejl:")
    return result.stderr


@pytest.fixture
def loaded(cli, interview_file):
    assert cli("init").exit_code == 0
    result = cli("import", str(interview_file))
    assert result.exit_code == 0, result.stderr
    return cli


def test_init_loads_bundled_codebook(cli):
    result = cli("init")
    assert result.exit_code == 0, result.stderr
    codes = cli.json("codebook", "show")
    keys = {c["key"] for c in codes}
    assert {f"T{i}" for i in range(1, 8)} <= keys
    t1 = next(c for c in codes if c["key"] == "T1")
    assert set(t1) >= {"key", "name", "parent", "kind", "shortcut", "color", "retired"}
    assert t1["shortcut"] == "1" and t1["kind"] == "tema" and t1["retired"] is False
    assert next(c for c in codes if c["key"] == "B.social")["parent"] == "B"


def test_init_twice_refuses(cli):
    assert cli("init").exit_code == 0
    result = cli("init")
    assert "allerede en kodebog" in _one_line_error(result)


def test_any_command_creates_missing_project_and_says_how_to_load_codebook(sqlite_cli, db_path):
    cli = sqlite_cli
    result = cli("status", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["codes"] == 0
    assert "codebook load" in result.stderr
    assert db_path.exists()


def test_status_json_shape(loaded):
    doc = loaded.json("status")
    assert {"sources", "passages", "participants", "codes", "coders", "codings", "done"} <= set(doc)
    assert doc["sources"] == 1
    assert doc["passages"] == 5
    assert doc["participants"] == 2  # interviewer included
    assert doc["codings"] == 0


def test_import_same_file_again_is_noop(loaded, interview_file):
    result = loaded("import", str(interview_file), "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["files"][0]["status"] == "unchanged"
    assert loaded.json("status")["passages"] == 5


def test_codings_add_remove_export(loaded):
    ok = loaded(
        "codings", "add", "--source", "holstebro-interview-01", "--passage", "2", "--code", "T1", "--coder", "anne"
    )
    assert ok.exit_code == 0, ok.stderr
    # sentence-level span with memo
    ok = loaded(
        "codings",
        "add",
        "-s",
        "holstebro-interview-01",
        "-p",
        "2",
        "-c",
        "T3",
        "--start",
        "0",
        "--end",
        "44",
        "--memo",
        "citat",
        coder="bo",
    )
    assert ok.exit_code == 0, ok.stderr
    rows = loaded.json("codings", "export")
    assert rows == [
        {
            "source": "holstebro-interview-01",
            "passage": 2,
            "code": "T1",
            "coder": "anne",
            "start": None,
            "end": None,
            "memo": None,
        },
        {
            "source": "holstebro-interview-01",
            "passage": 2,
            "code": "T3",
            "coder": "bo",
            "start": 0,
            "end": 44,
            "memo": "citat",
        },
    ]
    assert loaded.json("codings", "export", "--coder", "bo")[0]["coder"] == "bo"
    csv_text = loaded("codings", "export").stdout
    assert csv_text.splitlines()[0] == "source,passage,code,coder,start,end,memo"
    assert (
        loaded("codings", "remove", "-s", "holstebro-interview-01", "-p", "2", "-c", "T1", "--coder", "anne").exit_code
        == 0
    )
    assert len(loaded.json("codings", "export")) == 1
    again = loaded("codings", "remove", "-s", "holstebro-interview-01", "-p", "2", "-c", "T1", "--coder", "anne")
    assert "har ikke kodet" in _one_line_error(again)


def test_coding_same_thing_twice_is_one_row(loaded):
    for _ in range(2):
        assert (
            loaded("codings", "add", "-s", "holstebro-interview-01", "-p", "2", "-c", "T1", coder="anne").exit_code == 0
        )
    assert loaded.json("status")["codings"] == 1


def test_bad_coding_references(loaded):
    err = _one_line_error(loaded("codings", "add", "-s", "holstebro-interview-0", "-p", "2", "-c", "T1", coder="anne"))
    assert "holstebro-interview-01" in err  # suggests the near name
    err = _one_line_error(
        loaded("codings", "add", "-s", "holstebro-interview-01", "-p", "99", "-c", "T1", coder="anne")
    )
    assert "nr. 99" in err
    err = _one_line_error(loaded("codings", "add", "-s", "holstebro-interview-01", "-p", "2", "-c", "T9", coder="anne"))
    assert "T9" in err
    err = _one_line_error(
        loaded(
            "codings",
            "add",
            "-s",
            "holstebro-interview-01",
            "-p",
            "2",
            "-c",
            "T1",
            "--start",
            "5",
            "--end",
            "500",
            coder="anne",
        )
    )
    assert "spændet" in err
    err = _one_line_error(loaded("codings", "add", "-s", "holstebro-interview-01", "-p", "2", "-c", "T1"))
    assert "TRIVSELKODE_CODER" in err
    assert loaded.json("status")["codings"] == 0


def test_codings_import_all_or_nothing(loaded, tmp_path):
    good = write(
        tmp_path / "k.csv",
        "source,passage,code,coder,start,end,memo\n"
        "holstebro-interview-01,2,T1,anne,,,\n"
        "holstebro-interview-01,4,T2,anne,,,ro\n"
        "holstebro-interview-01,4,T2,bo,0,33,\n",
    )
    result = loaded("codings", "import", str(good), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["added"] == 3
    # importing again adds nothing
    assert json.loads(loaded("codings", "import", str(good), "--format", "json").stdout)["added"] == 0
    bad = write(
        tmp_path / "bad.csv",
        "source,passage,code,coder,start,end,memo\n"
        "holstebro-interview-01,2,T5,anne,,,\n"
        "holstebro-interview-01,2,T99,anne,,,\n"
        "ukendt,1,T1,anne,,,\n"
        "holstebro-interview-01,42,T1,anne,,,\n",
    )
    result = loaded("codings", "import", str(bad))
    err = _one_line_error(result)
    assert "linje 3" in err and "T99" in err
    assert "linje 4" in err and "linje 5" in err
    assert loaded.json("status")["codings"] == 3  # nothing from the bad file


def test_sources_done_and_status(loaded):
    assert loaded("sources", "done", "-s", "holstebro-interview-01", "--coder", "anne").exit_code == 0
    assert loaded.json("status")["done"] == {"anne": ["holstebro-interview-01"]}
    assert loaded("sources", "done", "-s", "holstebro-interview-01", "--coder", "anne", "--undo").exit_code == 0
    assert loaded.json("status")["done"] == {"anne": []}


def test_sources_and_participants_set(loaded):
    doc = loaded.json("sources", "set", "-s", "holstebro-interview-01", "round=2", "interviewer_navn=Mie")
    assert doc["round"] == 2 and doc["extra"]["interviewer_navn"] == "Mie"
    err = _one_line_error(loaded("sources", "set", "-s", "holstebro-interview-01", "kind=podcast"))
    assert "kildetype" in err
    doc = loaded.json("participants", "set", "-s", "holstebro-interview-01", "-p", "P1", "alder=68", "uddannelse=lærer")
    assert doc["age"] == 68 and doc["attributes"] == {"uddannelse": "lærer"}
    err = _one_line_error(loaded("participants", "set", "-s", "holstebro-interview-01", "-p", "P1", "alder=gammel"))
    assert "helt tal" in err
    rows = loaded.json("participants", "list")
    assert [r["label"] for r in rows] == ["I", "P1"]


def test_participant_remove_cuts_their_words(loaded):
    loaded("codings", "add", "-s", "holstebro-interview-01", "-p", "2", "-c", "T1", coder="anne")
    err = _one_line_error(loaded("participants", "remove", "-s", "holstebro-interview-01", "-p", "P1"))
    assert "--yes" in err
    result = loaded("participants", "remove", "-s", "holstebro-interview-01", "-p", "P1", "--yes")
    assert result.exit_code == 0, result.stderr
    status = loaded.json("status")
    assert status["passages"] == 3 and status["codings"] == 0 and status["participants"] == 1
    from sqlmodel import select

    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Passage, Source

    project, _ = open_project(str(loaded.db))
    with project.read() as s:
        source = s.exec(select(Source)).one()
        assert "tro på verden" not in source.text and "roligere" not in source.text
        for p in s.exec(select(Passage)):
            assert source.text[p.start : p.end] == p.text
        assert [p.number for p in s.exec(select(Passage).order_by(Passage.number))] == [1, 2, 3]
    project.dispose()


def test_source_remove(loaded):
    assert loaded("sources", "remove", "-s", "holstebro-interview-01", "--yes").exit_code == 0
    assert loaded.json("status")["sources"] == 0


def test_revision_keeps_codings_and_lists_unplaced(loaded, interview_file):
    loaded("codings", "add", "-s", "holstebro-interview-01", "-p", "2", "-c", "T1", coder="anne")
    loaded(
        "codings",
        "add",
        "-s",
        "holstebro-interview-01",
        "-p",
        "4",
        "-c",
        "T2",
        "--start",
        "0",
        "--end",
        "33",
        coder="anne",
    )
    loaded("codings", "add", "-s", "holstebro-interview-01", "-p", "5", "-c", "T7", coder="bo")  # interviewer's "Tak."
    revised = INTERVIEW.replace(
        "I: Hvad betyder biblioteket for dig?\n",
        "I: Velkommen.\nI: Hvad betyder biblioteket for dig?\n",
    ).replace("I: Tak.\n", "")
    interview_file.write_text(revised, encoding="utf-8")
    result = loaded("import", str(interview_file), "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)["files"][0]
    assert doc["status"] == "revised"
    assert [u["code"] for u in doc["unplaced"]] == ["T7"]
    rows = loaded.json("codings", "export")
    assert [(r["passage"], r["code"], r["start"], r["end"]) for r in rows] == [(3, "T1", None, None), (5, "T2", 0, 33)]
    unplaced = loaded.json("codings", "unplaced")
    assert unplaced[0]["code"] == "T7" and unplaced[0]["text"] == "Tak."


def test_name_clash_refused_then_name_and_replace(loaded, interview_file, tmp_path):
    other = write(tmp_path / "x" / "holstebro-interview-01.txt", "P1: Noget helt andet om cykler og vejret.\nP2: Ja.\n")
    result = loaded("import", str(other))
    err = _one_line_error(result)
    assert "--name" in err and "--replace" in err
    assert loaded.json("status")["sources"] == 1
    assert loaded("import", str(other), "--name", "andet").exit_code == 0
    assert loaded.json("status")["sources"] == 2
    assert loaded("import", str(other), "--replace").exit_code == 0
    assert loaded.json("status")["passages"] == 4


def test_folder_with_one_bad_file_imports_the_rest(cli, tmp_path):
    folder = tmp_path / "mappe"
    write(folder / "a.txt", "P1: En replik her.\n")
    (folder / "b.txt").write_bytes(b"\x00\x01\x02binary\x00" * 10)
    write(folder / "c.txt", "P1: Endnu en.\n")
    result = cli("import", str(folder))
    assert result.exit_code == 1
    assert "b.txt" in result.stderr
    assert cli.json("status")["sources"] == 2


def test_strict_import_is_all_or_nothing(cli, tmp_path):
    folder = tmp_path / "mappe"
    write(folder / "a.txt", "P1: En replik her.\n")
    write(folder / "b.txt", "")
    result = cli("import", str(folder), "--strict")
    _one_line_error(result)
    assert cli.json("status")["sources"] == 0


@pytest.mark.parametrize(
    "content, expect",
    [
        (b"", "tom"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binær"),
        (b"---\ntitle: a: b\n---\nP1: Hej.\n", "dårlig.txt:2"),
    ],
    ids=["empty", "binary", "bad-front-matter"],
)
def test_bad_files_are_one_clear_line(cli, tmp_path, content, expect):
    path = tmp_path / "dårlig.txt"
    path.write_bytes(content)
    result = cli("import", str(path))
    err = _one_line_error(result)
    assert expect in err.lower()
    assert cli.json("status")["sources"] == 0


def test_newer_schema_database_refused(sqlite_cli, db_path):
    cli = sqlite_cli
    assert cli("init").exit_code == 0
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    err = _one_line_error(cli("status"))
    assert "skemaversion 99" in err


def test_not_a_database_refused(tmp_path):
    from tests.conftest import Cli

    bogus = write(tmp_path / "noter.db", "bare tekst\n")
    err = _one_line_error(Cli(bogus)("status"))
    assert "ikke en trivselkode-database" in err
    assert bogus.read_text() == "bare tekst\n"


def test_unwritable_output_path(loaded, tmp_path):
    err = _one_line_error(loaded("codings", "export", "--out", str(tmp_path / "findes-ikke" / "k.csv")))
    assert "findes ikke" in err
    err = _one_line_error(loaded("codebook", "export", "--out", str(tmp_path / "nej" / "kb.yaml")))
    assert "findes ikke" in err


def test_codebook_validate_reports_file_line_column(cli, tmp_path):
    bad = write(
        tmp_path / "kb.yaml",
        "name: X\nversion: 1\ncodes:\n  - key: A\n    name: a\n    color: '#12'\n  - key: A\n    name: b\n    parent: Q\n",
    )
    result = cli("codebook", "validate", str(bad))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{bad}:6:") for line in lines)
    assert any(line.startswith(f"{bad}:7:") for line in lines)
    assert any(line.startswith(f"{bad}:9:") for line in lines)


def test_codebook_reload_retires_used_codes(cli, tmp_path, interview_file):
    first = write(
        tmp_path / "kb.yaml",
        "name: Lille\nversion: 1\ncodes:\n  - {key: A, name: Alfa, shortcut: '1'}\n  - {key: B, name: Beta, shortcut: '2'}\n"
        "  - {key: C, name: Gamma}\n",
    )
    assert cli("codebook", "load", str(first)).exit_code == 0
    assert cli("import", str(interview_file)).exit_code == 0
    assert cli("codings", "add", "-s", "holstebro-interview-01", "-p", "2", "-c", "A", coder="anne").exit_code == 0
    second = write(
        tmp_path / "kb2.yaml",
        "name: Lille\nversion: 2\ncodes:\n  - {key: B, name: Beta ny, shortcut: '1'}\n  - {key: D, name: Delta}\n",
    )
    result = cli("codebook", "load", str(second), "--prune", "--format", "json")  # without --prune nothing goes
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["retired"] == ["A"] and report["deleted"] == ["C"]
    assert report["added"] == ["D"] and report["updated"] == ["B"]
    codes = {c["key"]: c for c in cli.json("codebook", "show")}
    assert codes["A"]["retired"] is True and codes["A"]["codings"] == 1
    assert codes["B"]["name"] == "Beta ny" and codes["B"]["shortcut"] == "1"
    assert "C" not in codes
    assert cli.json("status")["codings"] == 1


def test_codebook_export_round_trips(cli, tmp_path):
    assert cli("init").exit_code == 0
    out = tmp_path / "ud.yaml"
    assert cli("codebook", "export", "--out", str(out)).exit_code == 0
    from trivselkode.domain.codebook import load_codebook_file

    exported = load_codebook_file(out)
    original = load_codebook_file(CODEBOOK)
    assert [c.key for c in exported.codes] == [c.key for c in original.codes]
    assert exported.codes == original.codes


def test_json_output_is_one_document_on_stdout(tmp_path, interview_file):
    import subprocess
    import sys

    db = tmp_path / "p.db"
    cmd = [sys.executable, "-m", "trivselkode", "--db", str(db)]
    subprocess.run([*cmd, "init"], check=True, capture_output=True)
    result = subprocess.run([*cmd, "import", str(interview_file), "--format", "json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)  # exactly one document
    result = subprocess.run([*cmd, "status", "--format", "json"], capture_output=True, text=True)
    assert json.loads(result.stdout)["sources"] == 1


def test_status_does_not_import_spacy(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "p.db"
    code = (
        "import sys\n"
        "from trivselkode.cli.main import run\n"
        f"sys.argv = ['trivselkode', '--db', {str(db)!r}, 'status', '--format', 'json']\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "assert 'spacy' not in sys.modules, 'spacy imported'\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
