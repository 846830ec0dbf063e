"""``report crosstab``, ``report words`` and the chart's new options, end to end through the command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.cli.test_report_cli import one_line_error
from tests.conftest import Cli
from tests.unit.test_frequencies import build_project, small_spec
from tests.unit.test_words import spec as words_spec


@pytest.fixture
def small(sqlite_cli: Cli) -> Cli:
    build_project(small_spec(), str(sqlite_cli.db)).dispose()
    return sqlite_cli


@pytest.fixture
def wordy(sqlite_cli: Cli) -> Cli:
    build_project(words_spec(), str(sqlite_cli.db)).dispose()
    return sqlite_cli


def test_crosstab_json_matches_the_hand_count(small):
    doc = small.json("report", "crosstab", "--by", "site", "--codes", "T1,B.frihed", "--union")
    assert [(g["value"], g["n"]) for g in doc["groups"]] == [("Holstebro", 2), ("Randers", 1), ("Viborg", 1)]
    assert doc["total"] == 4
    t1, frihed = doc["rows"]
    assert [c["n"] for c in t1["cells"]] == [1, 0, 0] and t1["cells"][0]["share"] == 0.5
    assert [c["n"] for c in frihed["cells"]] == [0, 1, 0] and frihed["total"] == {"n": 1, "share": 0.25}


def test_crosstab_files_by_suffix(small, tmp_path: Path):
    from docx import Document
    from openpyxl import load_workbook

    for suffix in ("xlsx", "docx", "html", "csv", "md"):
        out = tmp_path / f"krydstabel.{suffix}"
        result = small("report", "crosstab", "--by", "gender", "--out", str(out))
        assert result.exit_code == 0, result.stderr
        assert "Krydstabellen skrevet til" in result.stderr
    ws = load_workbook(tmp_path / "krydstabel.xlsx").active
    assert ws.freeze_panes == "C5" and ws.cell(2, 3).value == "Kvinde"
    assert Document(str(tmp_path / "krydstabel.docx")).tables[0].cell(0, 0).text == "Kode"
    rows = list(csv.reader(io.StringIO((tmp_path / "krydstabel.csv").read_text(encoding="utf-8"))))
    assert rows[0][:2] == ["Kode", "Navn"] and rows[1][2].startswith("n=")
    import lxml.html

    page = lxml.html.fromstring((tmp_path / "krydstabel.html").read_text(encoding="utf-8"))
    assert page.get("lang") == "da-DK"
    cells = [" ".join(c.text_content().split()) for c in page.xpath("//table//th | //table//td")]
    assert "Kode" in cells and "(ukendt)" in cells


def test_crosstab_tsv_on_standard_output(small):
    result = small("report", "crosstab", "--by", "site", "--format", "tsv", "--codes", "T1")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["Kode", "Navn", "Holstebro"] and lines[1].split("\t")[2] == "n=2"


def test_crosstab_refuses_two_attributes_and_none(small):
    line = one_line_error(small("report", "crosstab", "--by", "site,gender"))
    assert "én egenskab" in line
    assert small("report", "crosstab").exit_code != 0  # --by is required


def test_words_and_kwic(wordy, tmp_path: Path):
    doc = wordy.json("report", "words", "--code", "T2", "--by", "site", "--top", "3")
    assert doc["code"] == "T2" and doc["by"] == "site" and doc["passages"] == 2
    assert doc["groups"][1]["words"][0] == {"lemma": "ro", "count": 2, "passages": 1, "forms": ["ro"]}
    text = wordy("report", "words")
    body = text.stdout.split("\n\n")[1]  # the rows, between the title and the notes
    assert text.exit_code == 0 and "bibliotek" in body and "griner" not in body
    kw = wordy.json("report", "words", "--kwic", "biblioteket")
    assert kw["lemma"] == "bibliotek" and len(kw["lines"]) == 3
    out = tmp_path / "ord.xlsx"
    assert wordy("report", "words", "--out", str(out)).exit_code == 0
    from openpyxl import load_workbook

    ws = load_workbook(out).active
    assert ws.cell(1, 2).value == "Ord (lemma)" and isinstance(ws.cell(2, 3).value, int)


def test_words_in_english(wordy):
    from trivselkode.i18n import set_language

    try:
        result = wordy("report", "words", "--lang", "en", "--format", "csv")
    finally:
        set_language("da")
    assert result.exit_code == 0, result.stderr
    assert next(csv.reader(io.StringIO(result.stdout)))[1] == "Word (lemma)"


def test_chart_size_dpi_and_min_n(small, tmp_path: Path):
    from PIL import Image

    png = tmp_path / "c.png"
    result = small("report", "chart", "--by", "site", "--size", "8.5x6", "--dpi", "300", "--out", str(png))
    assert result.exit_code == 0, result.stderr
    width, height = Image.open(png).size
    assert abs(width - 8.5 / 2.54 * 300) < 1 and abs(height - 6 / 2.54 * 300) < 1
    svg = tmp_path / "c.svg"
    result = small("report", "chart", "--by", "site", "--min-n", "2", "--out", str(svg))
    assert result.exit_code == 0, result.stderr
    text = svg.read_text(encoding="utf-8")
    assert "Holstebro (n=2*)" in text and "Udeladt" in text
    one_line_error(small("report", "chart", "--size", "stor", "--out", str(tmp_path / "x.png")))
    assert not (tmp_path / "x.png").exists()


def test_help_names_the_new_commands(small):
    result = small("report", "--help")
    assert "crosstab" in result.stdout and "words" in result.stdout
    assert json.dumps  # the module's JSON is used by Cli.json
