"""``trivselkode refi`` and ``codebook load X.qdc`` end to end."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.unit.test_refi_export import assert_valid, make_fixture_project, snapshot
from tests.unit.test_refi_import import ATLAS, TAGUETTE, make_qdpx
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


def test_atlas_split_names_and_skips(db_url):
    cli = Cli(db_url)
    result = cli("refi", "import", str(ATLAS), "--split-names", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert "coke.diet-coke" in doc["codes_added"]
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
    strip = lambda rows: sorted((r["key"], r["name"], r["parent"], r["kind"], r["shortcut"], r["color"], r["include"]) for r in rows if not r["retired"])  # noqa: E731
    assert strip(after) == strip(before)
    # into a new project: keys made from names, hierarchy and kinds kept
    fresh = Cli(tmp_path / "ny.db")
    assert fresh("codebook", "load", str(out)).exit_code == 0
    rows = {r["name"]: r for r in fresh.json("codebook", "show")}
    assert rows["Sociale behov"]["parent"] == rows["Behov"]["key"]
    assert rows["Tryghed"]["kind"] == "tema" and rows["Tryghed"]["color"] == "#2e7d32"


def test_taguette_codebook_load_warns(tmp_path):
    cli = Cli(tmp_path / "p.db")
    result = cli("codebook", "load", str(TAGUETTE))
    assert result.exit_code == 0, result.stderr
    assert "advarsel:" in result.stderr and "Sets" in result.stderr
    assert {r["name"] for r in cli.json("codebook", "show")} == {"xsd:element name", "CodeBook", "Variables"}


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
