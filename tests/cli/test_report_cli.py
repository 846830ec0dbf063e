"""``trivselkode report …`` end to end: every format opened as what it claims to be."""

from __future__ import annotations

import csv
import io
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_frequencies import build_project
from tests.unit.test_quotes import ranking_spec

BIN = Path(sys.executable).parent / "trivselkode"


def report_spec() -> dict:
    spec = ranking_spec()
    # A name that must disappear with --pseudonymize, and needs to cross with the themes.
    spec["sources"][0]["participants"][1] = {"label": "Karen", "gender": "kvinde", "age": 67}
    spec["sources"][0]["passages"][1] = (
        "Karen",
        "Jeg hedder Karen, ring på 12 34 56 78 hvis du vil høre mere om stedet.",
    )
    spec["sources"][0]["passages"][3] = (
        "Karen",
        "Efter min skilsmisse var det her, jeg fandt ro til at tænke tingene igennem.",
    )
    spec["sources"][0]["extra"] = {"names": ["Mette"]}
    spec["stars"] = [("holstebro-1", 2, "anne")]
    spec["codings"] += [
        ("holstebro-1", 2, "B.social", "anne"),
        ("holstebro-1", 4, "B.frihed", "bo"),
        ("viborg-1", 2, "T2", "anne"),
        ("viborg-1", 2, "B.social", "anne"),
    ]
    spec["codings"] = [c for c in spec["codings"] if c[3] != "konsensus"]
    return spec


@pytest.fixture
def project_cli(cli):
    build_project(report_spec(), str(cli.db)).dispose()
    return cli


def one_line_error(result) -> str:  # noqa: ANN001
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("fejl:"), result.stderr
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


# ---------------------------------------------------------------- frequencies


def test_frequencies_table_in_danish_and_english(project_cli):
    result = project_cli("report", "frequencies", "--codes", "tema")
    assert result.exit_code == 0, result.stderr
    assert "Kode" in result.stdout and "Andel" in result.stdout and "Deltagere" in result.stdout
    assert "Temaernes hyppighed" in result.stdout
    assert "foreningsmængden af anne, bo" in result.stderr
    en = project_cli("report", "frequencies", "--codes", "themes", "--lang", "en", "--by", "gender")
    assert "Share" in en.stdout and "Gender" in en.stdout and "Woman" in en.stdout


def test_frequencies_json_rows(project_cli):
    rows = project_cli.json("report", "frequencies", "--by", "site", "--codes", "T1,T2")
    assert set(rows[0]) == {"code", "name", "site", "codings", "passages", "sources", "participants", "share"}
    t1 = {r["site"]: r for r in rows if r["code"] == "T1"}
    assert t1["Holstebro"]["participants"] == 2 and t1["Holstebro"]["share"] == 1.0
    plain = project_cli.json("report", "frequencies", "--codes", "T1")
    assert plain == [
        {
            "code": "T1",
            "name": "Biblioteket som et psykologisk tryghedssystem",
            "codings": 17,
            "passages": 15,
            "sources": 3,
            "participants": 6,
            "share": 1.0,
        }
    ]


def test_coder_from_the_environment_never_filters_a_report(project_cli):
    everyone = project_cli.json("report", "frequencies")
    assert project_cli.json("report", "frequencies", coder="bo") == everyone
    bo = project_cli.json("report", "frequencies", "--coder", "bo")
    assert bo != everyone


def test_frequencies_xlsx_csv_md(project_cli, tmp_path):
    from openpyxl import load_workbook

    xlsx = tmp_path / "hyppighed.xlsx"
    result = project_cli("report", "frequencies", "--by", "site", "--out", str(xlsx))
    assert result.exit_code == 0, result.stderr
    ws = load_workbook(xlsx).active
    header = [c.value for c in ws[1]]
    assert header == ["Kode", "Navn", "Bibliotek", "Kodninger", "Udsagn", "Kilder", "Deltagere", "Andel"]
    first = [c.value for c in ws[2]]
    assert first[0] == "T1" and first[2] == "Holstebro" and first[7] == 1.0
    assert ws.cell(row=2, column=8).number_format == "0.0%"

    out = tmp_path / "hyppighed.csv"
    assert project_cli("report", "frequencies", "--out", str(out), "--lang", "en").exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["Code"] == "T1" and rows[0]["Share"] == "1.0000"

    md = project_cli("report", "frequencies", "--format", "md", "--codes", "T1")
    assert "| Kode | Navn |" in md.stdout and "100,0\u00a0%" in md.stdout  # Babel's Danish percent: a no-break space
    assert leftovers(tmp_path) == []


def test_frequencies_errors_are_one_line_and_write_nothing(project_cli, tmp_path):
    err = one_line_error(project_cli("report", "frequencies", "--by", "skostørrelse"))
    assert "skostørrelse" in err and "age_band" in err and "site" in err
    err = one_line_error(project_cli("report", "frequencies", "--codes", "T9"))
    assert "T9" in err
    err = one_line_error(project_cli("report", "frequencies", "--format", "xlsx"))
    assert "--out" in err
    target = tmp_path / "mangler" / "x.csv"
    err = one_line_error(project_cli("report", "frequencies", "--out", str(target)))
    assert "findes ikke" in err and not target.parent.exists()
    err = one_line_error(project_cli("report", "frequencies", "--consensus", "--coders", "anne,anne"))
    assert "to forskellige kodere" in err
    err = one_line_error(project_cli("report", "frequencies", "--union", "--coder", "bo"))
    assert "højst én" in err
    out = tmp_path / "x.csv"
    one_line_error(project_cli("report", "frequencies", "--by", "nej", "--out", str(out)))
    assert not out.exists() and leftovers(tmp_path) == []


def test_an_empty_project_says_so(sqlite_cli, tmp_path):
    build_project({"sources": report_spec()["sources"]}, str(sqlite_cli.db)).dispose()
    for command in (
        ["frequencies"],
        ["quotes"],
        ["cooccurrence"],
        ["matrix"],
        ["chart", "--out", str(tmp_path / "c.png")],
    ):
        err = one_line_error(sqlite_cli("report", *command))
        assert "ingen kodninger" in err
    assert not (tmp_path / "c.png").exists()


def test_a_folder_as_target_is_refused(project_cli, tmp_path):
    folder = tmp_path / "citater.md"
    folder.mkdir()
    err = one_line_error(project_cli("report", "quotes", "--out", str(folder)))
    assert "er en mappe" in err
    assert folder.is_dir() and leftovers(tmp_path) == []


def test_unwritable_target_is_refused(project_cli, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere")
    locked = tmp_path / "låst"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        err = one_line_error(project_cli("report", "quotes", "--out", str(locked / "c.md")))
        assert "skrive" in err
    finally:
        locked.chmod(0o700)


# ---------------------------------------------------------------- co-occurrence and matrix


def test_cooccurrence_themes_by_needs(project_cli, tmp_path):
    cells = project_cli.json("report", "cooccurrence")
    got = {(c["row"], c["col"]): c["passages"] for c in cells}
    assert got[("T1", "B.social")] == 2 and got[("T1", "B.frihed")] == 1 and got[("T2", "B.social")] == 1
    assert {c["col"] for c in cells} == {"B.social", "B.frihed"}  # grouping codes nobody coded are left out
    table = project_cli("report", "cooccurrence", "--rows", "T1,T2", "--cols", "needs", "--rollup")
    assert table.exit_code == 0 and "B.gennem" in table.stdout
    xlsx = tmp_path / "samforekomst.xlsx"
    assert project_cli("report", "cooccurrence", "--out", str(xlsx)).exit_code == 0
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active
    assert [c.value for c in ws[1]] == ["Kode", "Navn", "B.social", "B.frihed"]
    one_line_error(project_cli("report", "cooccurrence", "--rows", "feelings"))


def test_matrix_csv_xlsx_json(project_cli, tmp_path):
    result = project_cli("report", "matrix", "--codes", "T1,T2,B.social")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[:2] == ["source", "participant"] and list(rows[0])[-3:] == ["T1", "T2", "B.social"]
    karen = next(r for r in rows if r["participant"] == "Karen")
    assert (
        karen["T1"] == "1" and karen["B.social"] == "1" and karen["gender"] == "kvinde" and karen["site"] == "Holstebro"
    )
    assert len(rows) == 6  # interviewers are not rows
    data = project_cli.json("report", "matrix", "--pseudonymize")
    assert "Karen" not in json.dumps(data, ensure_ascii=False)
    xlsx = tmp_path / "m.xlsx"
    assert project_cli("report", "matrix", "--out", str(xlsx)).exit_code == 0
    from openpyxl import load_workbook

    assert load_workbook(xlsx).active.max_row == 7


# ---------------------------------------------------------------- quotes


def test_quotes_json_are_verbatim_and_attributed(project_cli):
    from sqlmodel import select

    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Passage, Source

    rows = project_cli.json("report", "quotes", "--codes", "T1,T2", "-n", "3")
    assert rows and set(rows[0]) == {"code", "text", "attribution", "reference", "source", "passage"}
    assert rows[0]["attribution"] == "– Kvinde, 67 år, Holstebro"  # the starred passage first
    project, _ = open_project(str(project_cli.db))
    try:
        with project.read() as s:
            for row in rows:
                src = s.exec(select(Source).where(Source.name == row["source"])).one()
                passage = s.exec(
                    select(Passage).where(Passage.source_id == src.id, Passage.number == row["passage"])
                ).one()
                for piece in row["text"].split(" […] "):
                    assert piece in passage.text and piece in src.text
    finally:
        project.dispose()
    en = project_cli.json("report", "quotes", "--codes", "T1", "-n", "1", "--lang", "en")
    assert en[0]["attribution"] == "– Woman, 67, Holstebro"


def test_quotes_pseudonymized(project_cli):
    rows = project_cli.json("report", "quotes", "--codes", "T1", "--pseudonymize")
    text = json.dumps(rows, ensure_ascii=False)
    assert "Karen" not in text and "12 34 56 78" not in text
    assert "[Navn 1]" in text and "[Telefon]" in text


def test_quotes_markdown_docx_html_csv(project_cli, tmp_path):
    md = project_cli("report", "quotes", "--codes", "T1,T2", "-n", "2")
    assert md.exit_code == 0, md.stderr
    assert md.stdout.startswith("# Repræsentative citater")
    assert "## Tema 1: Biblioteket som et psykologisk tryghedssystem" in md.stdout
    assert "> – Kvinde, 67 år, Holstebro" in md.stdout and "> “" in md.stdout

    docx_path = tmp_path / "citater.docx"
    result = project_cli(
        "report", "quotes", "--codes", "T1,T2", "-n", "2", "--out", str(docx_path), "--title", "Citater"
    )
    assert result.exit_code == 0, result.stderr
    from docx import Document

    doc = Document(str(docx_path))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    assert paragraphs[0] == ("Title", "Citater")
    headings = [t for style, t in paragraphs if style == "Heading 1"]
    assert headings == ["Tema 1: Biblioteket som et psykologisk tryghedssystem", "Tema 2: Et unikt rum for mental ro"]
    quotes = [t for style, t in paragraphs if style == "Quote"]
    assert len(quotes) == 3 and all(q.startswith("“") and q.endswith("”") for q in quotes)
    assert "– Kvinde, 67 år, Holstebro" in [t for _, t in paragraphs]

    html_path = tmp_path / "citater.html"
    assert project_cli("report", "quotes", "--out", str(html_path), "--lang", "en").exit_code == 0
    import lxml.html

    tree = lxml.html.fromstring(html_path.read_text(encoding="utf-8"))
    assert tree.get("lang") == "en-GB"  # the language tag of the text, British English
    assert tree.findtext(".//h1") == "Representative quotes"
    assert tree.xpath("//h2")[0].text_content() == "Theme 1: Biblioteket som et psykologisk tryghedssystem"
    figures = tree.xpath("//figure")
    assert figures and all(f.find("blockquote") is not None for f in figures)
    assert figures[0].findtext("figcaption") == "– Woman, 67, Holstebro"
    assert figures[0].get("data-source") == "holstebro-1" and figures[0].get("data-passage") == "2"

    csv_out = project_cli("report", "quotes", "--format", "csv", "--codes", "T1")
    rows = list(csv.DictReader(io.StringIO(csv_out.stdout)))
    assert list(rows[0]) == ["code", "text", "attribution", "reference", "source", "passage"]
    assert rows[0]["source"] == "holstebro-1" and rows[0]["passage"] == "2"
    assert leftovers(tmp_path) == []


def test_quotes_pin_exclude_and_bad_references(project_cli):
    rows = project_cli.json("report", "quotes", "--codes", "T1", "-n", "1", "--pin", "randers-1#4")
    assert [(r["source"], r["passage"]) for r in rows] == [("randers-1", 4)]
    rows = project_cli.json("report", "quotes", "--codes", "T1", "-n", "1", "--exclude", "holstebro-1#2")
    assert (rows[0]["source"], rows[0]["passage"]) != ("holstebro-1", 2)
    err = one_line_error(project_cli("report", "quotes", "--pin", "randers-1#99"))
    assert "99" in err
    err = one_line_error(project_cli("report", "quotes", "--pin", "randers-1"))
    assert "KILDE#N" in err
    err = one_line_error(project_cli("report", "quotes", "--min-words", "30", "--max-words", "10"))
    assert "ordgrænserne" in err


# ---------------------------------------------------------------- charts


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_chart_png_and_svg(project_cli, tmp_path):
    png = tmp_path / "temaer.png"
    result = project_cli("report", "chart", "--by", "site", "--out", str(png))
    assert result.exit_code == 0, result.stderr
    width, height = png_size(png)
    assert width >= 1000 and height >= 300
    svg = tmp_path / "temaer.svg"
    result = project_cli(
        "report",
        "chart",
        "--out",
        str(svg),
        "--measure",
        "passages",
        "--lang",
        "en",
        "--codes",
        "T1,T2,B.social",
        "--by",
        "gender",
    )
    assert result.exit_code == 0, result.stderr
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "Passages" in text and "<pattern" in text  # hatching, not colour alone
    one_line_error(project_cli("report", "chart", "--out", str(tmp_path / "x.png"), "--by", "skonummer"))
    assert not (tmp_path / "x.png").exists() and leftovers(tmp_path) == []


# ---------------------------------------------------------------- codings export


def test_codings_export_pseudonymized(project_cli):
    from sqlmodel import select

    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Coding

    project, _ = open_project(str(project_cli.db))
    try:
        with project.write() as s:
            coding = s.exec(select(Coding)).first()
            coding.memo = "Karen nævner Mette, mail karen@example.dk"
            s.add(coding)
    finally:
        project.dispose()
    plain = project_cli("codings", "export")
    assert "Karen nævner Mette" in plain.stdout
    pseudo = project_cli("codings", "export", "--pseudonymize")
    assert pseudo.exit_code == 0, pseudo.stderr
    assert "Karen" not in pseudo.stdout and "Mette" not in pseudo.stdout and "[E-mail]" in pseudo.stdout


# ---------------------------------------------------------------- one JSON document


def test_json_on_stdout_is_exactly_one_document(tmp_path):
    db = tmp_path / "projekt.db"
    build_project(report_spec(), str(db)).dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIVSELKODE_")}
    for command in (["frequencies", "--by", "site"], ["quotes", "-n", "2"]):
        done = subprocess.run(
            [str(BIN), "--db", str(db), "report", *command, "--format", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        document = json.loads(done.stdout)  # raises if there were two documents or stray notes
        assert isinstance(document, list) and document
        assert done.stderr.strip()  # the note on the basis went to standard error
