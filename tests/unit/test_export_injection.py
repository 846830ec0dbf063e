"""No export runs a formula from data: CSV and XLSX cells that a spreadsheet would evaluate are text.

A project whose source, participant, coder and code names, attribute names and values, memos and
passage texts are the hostile payloads below is exported through the real command line (and one
export through the Eksport screen's core); every CSV cell and every XLSX cell is read back.
Where LibreOffice is installed, it opens the files headlessly and must show the payloads as text.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import insert
from sqlmodel import select

from tests.conftest import Cli
from tests.unit.test_frequencies import sentences_of
from trivselkode.domain.cells import FORMULA_STARTS, csv_unguard, csv_value, is_formula_like
from trivselkode.export import tables
from trivselkode.export.jobs import ReportRequest, run_report
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Code, Coder, Coding, Participant, Passage, Source

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
KEYS = [f"K{i}" for i in range(1, len(PAYLOADS) + 1)]
HOSTILE_CODER = "-bo"  # coder names are letters, digits, "." and "-" (storage.lookup)


def build_hostile_project(path: Path, codings: bool = True) -> None:
    """Six sources, each named by a payload, with a participant, attributes, a passage, a code and memos
    made of payloads; coders anne, bo and -bo."""
    project, _ = open_project(str(path))
    try:
        with project.write() as s:
            for i, (key, payload) in enumerate(zip(KEYS, PAYLOADS)):
                s.add(Code(key=key, name=payload, kind="tema", description=payload, position=i))
            s.flush()
            codes = {c.key: c.id for c in s.exec(select(Code))}
            passages = []
            for i, payload in enumerate(PAYLOADS):
                text = f"{payload} og biblioteket er et godt sted at være for mig og mine venner."
                label = payload
                source = Source(
                    name=payload, title=payload, kind="interview", site=payload, context=payload[:64],
                    text=f"{label}: {text}\n",
                )  # fmt: skip
                s.add(source)
                s.flush()
                attributes = {name: PAYLOADS[(i + j) % len(PAYLOADS)] for j, name in enumerate(PAYLOADS)}
                attributes["saldo"] = -3
                person = Participant(
                    source_id=source.id, label=label, gender="kvinde", age=40 + i, attributes=attributes
                )
                s.add(person)
                s.flush()
                start = len(label) + 2
                passage = Passage(
                    source_id=source.id, number=1, participant_id=person.id, start=start, end=start + len(text),
                    text=text, sentences=sentences_of(text),
                )  # fmt: skip
                s.add(passage)
                s.flush()
                passages.append(passage.id)
            if codings:
                coders = {}
                for name in ["anne", "bo", HOSTILE_CODER]:
                    coder = Coder(name=name)
                    s.add(coder)
                    s.flush()
                    coders[name] = coder.id
                rows = []
                for i, (pid, key, payload) in enumerate(zip(passages, KEYS, PAYLOADS)):
                    rows.append({"passage_id": pid, "code_id": codes[key], "coder_id": coders["anne"], "memo": payload})
                    rows.append({"passage_id": pid, "code_id": codes[key], "coder_id": coders["bo"], "memo": None})
                    other = KEYS[(i + 1) % len(KEYS)]
                    rows.append({"passage_id": pid, "code_id": codes[other], "coder_id": coders["bo"], "memo": payload})
                    rows.append(
                        {"passage_id": pid, "code_id": codes[key], "coder_id": coders[HOSTILE_CODER], "memo": payload}
                    )
                s.execute(insert(Coding), rows)
    finally:
        project.dispose()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "projekt.db"
    build_hostile_project(path)
    return path


@pytest.fixture
def hostile(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "projekt.db"
    shutil.copy(template, path)
    return path


ALL = ",".join(KEYS)
# The command line's exports, each with the file it writes.
COMMANDS = [
    (["codings", "export"], "kodninger.csv"),
    (["report", "frequencies", "--union", "--codes", ALL, "--by", "site"], "frekvenser.csv"),
    (["report", "frequencies", "--union", "--codes", ALL, "--by", "site"], "frekvenser.xlsx"),
    (["report", "matrix", "--union", "--codes", ALL], "matrix.csv"),
    (["report", "matrix", "--union", "--codes", ALL], "matrix.xlsx"),
    (["report", "quotes", "--union", "--codes", ALL, "--min-words", "1"], "citater.csv"),
    (["report", "cooccurrence", "--union", "--rows", ALL, "--cols", ALL], "samforekomst.csv"),
    (["report", "cooccurrence", "--union", "--rows", ALL, "--cols", ALL], "samforekomst.xlsx"),
]


def export(db: Path, args: list[str], out: Path) -> Path:
    result = Cli(db)(*args, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def read(path: Path) -> str:
    """A CSV file's text as written (a CR inside a field stays a CR)."""
    with path.open(encoding="utf-8", newline="") as f:
        return f.read()


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def assert_csv_safe(text: str, payloads: list[str] = PAYLOADS) -> None:
    cells = csv_cells(text)
    live = [c for c in cells if c and c[0] in FORMULA_STARTS and not re.fullmatch(r"-?\d+(?:[.,]\d+)?", c)]
    assert live == []
    for payload in payloads:  # the data is there, behind its quote
        assert any(c.startswith("'" + payload) for c in cells), payload


def xlsx_cells(path: Path) -> list:
    wb = load_workbook(path)
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


def assert_xlsx_safe(path: Path, payloads: list[str] = PAYLOADS) -> None:
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        assert sheets
        for name in sheets:
            assert not re.search(rb"<(\w+:)?f[ >/]", z.read(name)), f"a formula in {name}"
    cells = xlsx_cells(path)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
    for payload in payloads:  # as text, exactly, without a quote
        assert any(isinstance(c.value, str) and c.value.startswith(payload) for c in cells), payload


@pytest.mark.parametrize(("args", "name"), COMMANDS, ids=[n for _, n in COMMANDS])
def test_command_line_exports_carry_no_live_formula(hostile: Path, tmp_path: Path, args: list[str], name: str) -> None:
    out = export(hostile, args, tmp_path / name)
    if name.endswith(".csv"):
        assert_csv_safe(read(out))
    else:
        assert_xlsx_safe(out)


def test_agreement_csv_carries_no_live_formula(hostile: Path) -> None:
    result = Cli(hostile)("agreement", "--coders", "anne,bo", "--all", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    # Standard output shows a CR as a symbol (cli.common.emit_data); the rest is as in a file.
    assert_csv_safe(result.stdout, [p for p in PAYLOADS if "\r" not in p])


def test_numbers_stay_numbers(hostile: Path, tmp_path: Path) -> None:
    """Counts and a negative attribute are numbers in XLSX and unquoted in CSV."""
    rows = list(csv.DictReader(io.StringIO(read(export(hostile, COMMANDS[3][0], tmp_path / "m.csv")), newline="")))
    assert {r["saldo"] for r in rows} == {"-3"}
    assert {r["K1"] for r in rows} == {"0", "1"}
    wb = load_workbook(export(hostile, COMMANDS[4][0], tmp_path / "m.xlsx"))
    ws = wb.active
    header = [c.value for c in ws[1]]
    saldo = [ws.cell(row=r, column=header.index("saldo") + 1) for r in range(2, ws.max_row + 1)]
    assert {(c.value, c.data_type) for c in saldo} == {(-3, "n")}
    counts = [ws.cell(row=r, column=header.index("K1") + 1) for r in range(2, ws.max_row + 1)]
    assert {c.data_type for c in counts} == {"n"}


def test_the_eksport_screens_job_writes_the_same_safe_file(hostile: Path, tmp_path: Path) -> None:
    project, _ = open_project(str(hostile))
    try:
        result = run_report(project, ReportRequest("matrix", tmp_path / "matrix.xlsx", selection="union", codes=ALL))
        assert result.path == tmp_path / "matrix.xlsx"
        assert_xlsx_safe(result.path)
        run_report(
            project, ReportRequest("quotes", tmp_path / "citater.csv", selection="union", codes=ALL, min_words=1)
        )
        assert_csv_safe(read(tmp_path / "citater.csv"))
    finally:
        project.dispose()
    cli = export(hostile, COMMANDS[4][0], tmp_path / "cli.xlsx")
    assert xlsx_values(cli) == xlsx_values(tmp_path / "matrix.xlsx")


def xlsx_values(path: Path) -> list:
    return [(c.coordinate, c.value, c.data_type) for c in xlsx_cells(path)]


def test_a_codings_csv_comes_back_exactly(template: Path, tmp_path: Path) -> None:
    """``codings import`` takes off the quote the export put in front: names and memos come back as they were."""
    bare = tmp_path / "tom.db"
    build_hostile_project(bare, codings=False)
    first = export(template, ["codings", "export"], tmp_path / "a.csv")
    result = Cli(bare)("codings", "import", str(first))
    assert result.exit_code == 0, result.stderr
    assert export(bare, ["codings", "export"], tmp_path / "b.csv").read_bytes() == first.read_bytes()
    as_json = ["codings", "export", "--format", "json"]
    assert (
        export(bare, as_json, tmp_path / "b.json").read_text()
        == export(template, as_json, tmp_path / "a.json").read_text()
    )


# ---------------------------------------------------------------- the writers and the rule


def test_headers_notes_and_numbers_of_a_table() -> None:
    """Column labels and notes go through the rule too; a negative int is a number in both formats."""
    table = tables.Table(
        "T",
        [tables.Column(p, p) for p in PAYLOADS] + [tables.Column("n", "n", "int")],
        [[*PAYLOADS, -2]],
        notes=list(PAYLOADS),
    )
    text = tables.to_csv(table)
    assert_csv_safe(text)
    assert text.rstrip("\n").endswith(",-2")
    data = tables.to_xlsx([table])
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[1]][: len(PAYLOADS)] == PAYLOADS
    assert (ws.cell(row=2, column=len(PAYLOADS) + 1).value, ws.cell(row=2, column=len(PAYLOADS) + 1).data_type) == (
        -2,
        "n",
    )
    assert [ws.cell(row=r, column=1).value for r in range(4, 4 + len(PAYLOADS))] == PAYLOADS
    assert all(c.data_type == "s" for row in ws.iter_rows() for c in row if isinstance(c.value, str))


def test_control_characters_do_not_fail_an_xlsx() -> None:
    table = tables.Table("T", [tables.Column("a", "a")], [["bip\x07bip"], ["_x0041_ og \x01"]])
    ws = load_workbook(io.BytesIO(tables.to_xlsx([table]))).active
    assert [ws.cell(row=r, column=1).value for r in (2, 3)] == ["bip_x0007_bip", "_x005F_x0041_ og _x0001_"]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1", "'=1"), ("+1", "'+1"), ("-x", "'-x"), ("@a", "'@a"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
        ("'=1", "''=1"), ("'abc", "'abc"), ("-2", "-2"), ("-1,5", "-1,5"), ("2-3", "2-3"), (" =1", " =1"),
        ("", ""), (-2, -2), (None, None), (1.5, 1.5),
    ],
)  # fmt: skip
def test_the_rule(value, written) -> None:
    assert csv_value(value) == written
    if isinstance(value, str):
        assert csv_unguard(written) == value


@given(st.text(alphabet=st.sampled_from("'=+-@\t\r\n 0123456789.,ab"), max_size=8))
def test_guarding_is_undone_exactly_and_leaves_nothing_live(text: str) -> None:
    guarded = csv_value(text)
    assert csv_unguard(guarded) == text
    assert not guarded or guarded[0] not in FORMULA_STARTS or not is_formula_like(guarded)


# ---------------------------------------------------------------- LibreOffice, where installed

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_evaluates_nothing(hostile: Path, tmp_path: Path) -> None:
    """LibreOffice opens the XLSX and the CSV and shows every payload as text, nothing computed."""
    xlsx = export(hostile, COMMANDS[4][0], tmp_path / "matrix.xlsx")
    csv_file = export(hostile, COMMANDS[3][0], tmp_path / "matrix.csv")
    out = tmp_path / "lo"
    profile = (tmp_path / "lo-profile").as_uri()
    utf8 = "Text - txt - csv (StarCalc):44,34,76"  # comma, double quote, UTF-8
    for source, convert in ((xlsx, [f"csv:{utf8}"]), (csv_file, ["xlsx", f"--infilter={utf8}"])):
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", *convert, "--outdir", str(out), str(source)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    # The XLSX as LibreOffice computed it: every payload still there as text (=HYPERLINK would show "y").
    assert_csv_safe_after_libreoffice(read(out / "matrix.csv"))
    # The CSV as LibreOffice read it: no formula cells, the payloads behind their quote.
    cells = xlsx_cells(out / "matrix.xlsx")
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    for payload in PAYLOADS:
        assert any(isinstance(c.value, str) and lf(c.value).startswith("'" + lf(payload)) for c in cells), payload


def lf(text: str) -> str:
    """LibreOffice turns a CR inside a cell into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def assert_csv_safe_after_libreoffice(text: str) -> None:
    cells = csv_cells(text)
    for payload in PAYLOADS:
        assert any(lf(c).startswith(lf(payload)) for c in cells), payload
