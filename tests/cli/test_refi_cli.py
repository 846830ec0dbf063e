"""``trivselkode refi`` and ``codebook load X.qdc`` end to end."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import INTERVIEW, Cli, write
from tests.unit import refi_fixtures as F
from tests.unit.test_refi_export import assert_valid, make_fixture_project, snapshot
from tests.unit.test_refi_import import make_qdpx
from trivselkode.storage.db import open_project


def _one_line_error(result) -> str:  # noqa: ANN001
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("fejl:"), result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fx")
    make_fixture_project(folder).dispose()
    return folder / "fixture.db"


def test_export_and_import_round_trip(fixture_db, tmp_path, db_url):
    """Exported from a file, imported into a file or a PostgreSQL database, exported again."""
    out = tmp_path / "ud.qdpx"
    src = Cli(fixture_db)
    result = src("refi", "export", str(out), "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["sources"] == 2 and doc["codings"] == 9 and doc["bytes"] == out.stat().st_size
    with zipfile.ZipFile(out) as zf:
        assert_valid(zf.read("project.qde"))
    dst = Cli(db_url)
    result = dst("refi", "import", str(out), "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["trivselkode"] is True and report["codings"] == 9
    assert [s["status"] for s in report["sources"]] == ["imported", "imported"]
    a, _ = open_project(str(fixture_db))
    b, _ = open_project(db_url)
    try:
        assert snapshot(a) == snapshot(b)
    finally:
        a.dispose()
        b.dispose()
    # exported again from there: the same document, but for when the sources were imported
    assert dst("refi", "export", str(tmp_path / "igen.qdpx")).exit_code == 0
    with zipfile.ZipFile(out) as first, zipfile.ZipFile(tmp_path / "igen.qdpx") as second:
        one, two = (re.sub(rb'(creationDateTime=")[^"]*', rb"\1", zf.read("project.qde")) for zf in (first, second))
        one, two = (re.sub(rb'(<Project [^>]*name=")[^"]*', rb"\1", x) for x in (one, two))
    assert one == two
    # again: nothing new
    again = dst.json("refi", "import", str(out))
    assert again["codings"] == 0 and again["codes_added"] == []


def test_table_output_and_reading_note(tmp_path):
    path = make_qdpx(tmp_path)
    cli = Cli(tmp_path / "p.db")
    result = cli("refi", "import", str(path), coder="ole")
    assert result.exit_code == 0, result.stderr
    assert "importeret" in result.stdout and "Samtale" in result.stdout
    assert "UTF-16-enheder, CRLF talt som 2" in result.stderr
    assert "advarsel:" in result.stderr  # the colour that is not a colour


def test_json_has_the_reading(tmp_path):
    path = make_qdpx(tmp_path)
    doc = Cli(tmp_path / "p.db").json("refi", "import", str(path))
    (source,) = doc["sources"]
    assert source["reading"] == "utf16-crlf2" and source["on_word_boundary"] == 2
    assert set(source["reading_scores"]) == {"codepoint-crlf2", "codepoint-crlf1", "utf16-crlf2", "utf16-crlf1"}


def test_atlas_split_names_and_skips(db_url, tmp_path):
    cli = Cli(db_url)
    result = cli("refi", "import", str(F.atlas_qde(tmp_path)), "--split-names", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert "kaffe.sort-kaffe" in doc["codes_added"]
    assert "sprunget over:" in result.stderr and "video" in result.stderr


def test_export_codebook_and_load_it_back(fixture_db, tmp_path):
    out = tmp_path / "k.qdc"
    src = Cli(fixture_db)
    assert src("refi", "export-codebook", str(out)).exit_code == 0
    assert_valid(out.read_bytes(), "Codebook.xsd")
    # into the same project: keys found again by GUID, nothing else lost
    before = src.json("codebook", "show")
    result = src("codebook", "load", str(out), "--format", "json")
    assert result.exit_code == 0, result.stderr
    after = src.json("codebook", "show")

    def strip(rows):  # noqa: ANN001, ANN202
        return sorted(
            (r["key"], r["name"], r["parent"], r["kind"], r["shortcut"], r["color"], r["include"])
            for r in rows
            if not r["retired"]
        )

    assert strip(after) == strip(before)
    # into a new project: keys made from names, hierarchy and kinds kept
    fresh = Cli(tmp_path / "ny.db")
    assert fresh("codebook", "load", str(out)).exit_code == 0
    rows = {r["name"]: r for r in fresh.json("codebook", "show")}
    assert rows["Sociale behov"]["parent"] == rows["Behov"]["key"]
    assert rows["Tryghed"]["kind"] == "tema" and rows["Tryghed"]["color"] == "#2e7d32"


def test_taguette_codebook_load_warns(tmp_path):
    cli = Cli(tmp_path / "p.db")
    result = cli("codebook", "load", str(F.taguette_qdc(tmp_path)))
    assert result.exit_code == 0, result.stderr
    assert "advarsel:" in result.stderr and "Sets" in result.stderr
    assert {r["name"] for r in cli.json("codebook", "show")} == {"ro", "fællesskab", "personale"}


def test_pseudonymized_export(fixture_db, tmp_path):
    out = tmp_path / "p.qdpx"
    result = Cli(fixture_db)("refi", "export", str(out), "--pseudonymize")
    assert result.exit_code == 0, result.stderr
    assert "pseudonymiseret" in result.stderr
    with zipfile.ZipFile(out) as zf:
        assert all(b"Karen" not in zf.read(n) for n in zf.namelist())


def test_errors_are_one_line_and_import_nothing(tmp_path):
    cli = Cli(tmp_path / "p.db")
    empty = tmp_path / "tom.qdpx"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("hej.txt", "hej")
    assert "ingen .qde" in _one_line_error(cli("refi", "import", str(empty)))
    html = tmp_path / "x.qde"
    html.write_text("<html/>", encoding="utf-8")
    assert "ikke REFI-QDA" in _one_line_error(cli("refi", "import", str(html)))
    assert not (tmp_path / "p.db").exists()  # a bad file makes no project
    assert cli("codebook", "show").exit_code == 0
    missing = make_qdpx(tmp_path, include_text=False)
    assert "mangler i arkivet" in _one_line_error(cli("refi", "import", str(missing)))
    assert "findes ikke" in _one_line_error(cli("refi", "import", str(tmp_path / "nej.qdpx")))
    assert "findes ikke" in _one_line_error(cli("refi", "export", str(tmp_path / "nej" / "x.qdpx")))
    assert cli.json("codebook", "show") == []


# --------------------------------------------------------------------------- files from other programs


def test_qc_and_openqda_files_import_everything(tmp_path):
    cli = Cli(tmp_path / "p.db")
    doc = cli.json("refi", "import", str(F.qc_qdpx(tmp_path)))
    assert doc["codings"] == len(F.QC_CODINGS) and doc["skipped"] == []
    assert sorted(s["name"] for s in doc["sources"]) == ["holstebro", "viborg"]
    result = cli("refi", "import", str(F.openqda_qdpx(tmp_path)), "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert len(doc["codes_added"]) == 44 and doc["codings"] == 3
    assert result.stderr.count("ikke GUID'er") == 1


# --------------------------------------------------------------------------- codebook load never removes codes unasked


def _bundled(tmp_path) -> Cli:
    cli = Cli(tmp_path / "p.db")
    assert cli("init").exit_code == 0
    return cli


def _active(cli: Cli) -> set[str]:
    return {r["key"] for r in cli.json("codebook", "show") if not r["retired"]}


def test_loading_a_foreign_qdc_keeps_every_code_of_the_project(tmp_path):
    cli = _bundled(tmp_path)
    bundled = _active(cli)
    assert len(bundled) == 27
    result = cli("codebook", "load", str(F.openqda_qdc(tmp_path)))
    assert result.exit_code == 0, result.stderr
    assert "27 koder findes ikke i filen og er bevaret; brug --prune for at trække dem tilbage" in result.stderr
    assert "44 nye" in result.stderr
    after = _active(cli)
    assert bundled < after and len(after) == 27 + 44
    assert {r["key"]: r["shortcut"] for r in cli.json("codebook", "show")}["T1"] == "1"


def test_loading_a_yaml_without_some_codes_keeps_them_and_says_which(tmp_path):
    cli = _bundled(tmp_path)
    small = write(
        tmp_path / "lille.yaml",
        "name: Lille\nversion: 2\ncodes:\n  - {key: T1, name: Nyt navn}\n  - {key: NY, name: Ny kode}\n",
    )
    doc = cli.json("codebook", "load", str(small))
    assert doc["added"] == ["NY"] and doc["updated"] == ["T1"]
    assert len(doc["kept"]) == 26 and "T2" in doc["kept"] and doc["retired"] == doc["deleted"] == []
    assert doc["prune"] is False and doc["dry_run"] is False
    rows = {r["key"]: r for r in cli.json("codebook", "show")}
    assert len(rows) == 28 and rows["T1"]["name"] == "Nyt navn" and not rows["T2"]["retired"]


def test_prune_prints_the_plan_then_retires_used_codes_and_deletes_unused_ones(tmp_path):
    cli = _bundled(tmp_path)
    write(tmp_path / "data" / "holstebro-interview-01.txt", INTERVIEW)
    assert cli("import", str(tmp_path / "data")).exit_code == 0
    assert cli("codings", "add", "-s", "holstebro-interview-01", "-p", "2", "-c", "T2", coder="anne").exit_code == 0
    qdc = F.taguette_qdc(tmp_path)
    # --dry-run: the plan, and nothing changes
    before = cli.json("codebook", "show")
    result = cli("codebook", "load", str(qdc), "--prune", "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["dry_run"] is True and plan["prune"] is True
    assert (
        plan["retired"] == ["T2"] and len(plan["deleted"]) == 26 and plan["added"] == ["ro", "faellesskab", "personale"]
    )
    assert "Ville udgå" in result.stderr and "T2" in result.stderr
    assert cli.json("codebook", "show") == before
    # --prune: the plan first, then the deed
    result = cli("codebook", "load", str(qdc), "--prune")
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    plan_at = next(i for i, line in enumerate(lines) if line.startswith("Plan for --prune: 1 udgår"))
    done_at = next(i for i, line in enumerate(lines) if "indlæst" in line)
    assert plan_at < done_at
    assert any(line.startswith("Plan for --prune: 26 slettes") for line in lines)
    rows = {r["key"]: r for r in cli.json("codebook", "show")}
    assert set(rows) == {"T2", "ro", "faellesskab", "personale"}
    assert rows["T2"]["retired"] and rows["T2"]["codings"] == 1 and rows["T2"]["shortcut"] is None
    assert cli.json("codings", "export")[0]["code"] == "T2"


def test_codebook_load_json_is_one_document_with_notes_on_stderr(tmp_path):
    cli = _bundled(tmp_path)
    result = cli("codebook", "load", str(F.taguette_qdc(tmp_path)), "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) == {
        "file",
        "codebook",
        "added",
        "updated",
        "unchanged",
        "kept",
        "retired",
        "deleted",
        "shortcuts_freed",
        "prune",
        "dry_run",
        "warnings",
    }
    assert doc["codebook"] == {"name": "taguette", "version": 1} and len(doc["kept"]) == 27
    assert any("<Sets/>" in w for w in doc["warnings"])
    assert "advarsel:" in result.stderr and "brug --prune" in result.stderr


def test_a_bad_qdc_is_refused_in_one_line_and_makes_no_project(tmp_path):
    cli = Cli(tmp_path / "p.db")
    bad = tmp_path / "x.qdc"
    bad.write_text("<CodeBook><Codes>", encoding="utf-8")
    assert "XML" in _one_line_error(cli("codebook", "load", str(bad)))
    assert not (tmp_path / "p.db").exists()


def test_export_codebook_of_an_empty_project_is_refused_in_one_line(tmp_path):
    cli = Cli(tmp_path / "p.db")
    assert cli("status").exit_code == 0  # the project exists, with no codes
    out = tmp_path / "tom.qdc"
    assert "mindst én kode" in _one_line_error(cli("refi", "export-codebook", str(out)))
    assert not out.exists()
    result = cli("refi", "export", str(tmp_path / "tom.qdpx"))
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "tom.qdpx") as zf:
        assert_valid(zf.read("project.qde"))
