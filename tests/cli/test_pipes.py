"""The command line in pipes and scripts: ``--out -``, ``--format tsv``, formats that fit their file,
whole tables in a pipe, ``import -`` and ``trivselkode paths``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import INTERVIEW, Cli


@pytest.fixture
def demo_cli(demo_file: Path, tmp_path: Path) -> Cli:
    from trivselkode.storage.migrations import copy_sqlite_file

    path = tmp_path / "demo.db"
    copy_sqlite_file(demo_file, path)
    return Cli(path)


def _stdout_bytes(result) -> bytes:  # noqa: ANN001
    return result.stdout_bytes


# ---------------------------------------------------------------- --out -


@pytest.mark.parametrize(
    "args",
    [
        ("report", "frequencies", "--format", "csv"),
        ("report", "frequencies", "--format", "md"),
        ("report", "frequencies", "--format", "tsv"),
        ("report", "cooccurrence", "--format", "json"),
        ("codings", "export", "--format", "csv"),
        ("codings", "export", "--format", "json"),
        ("codebook", "export"),
        ("retrieve", "--code", "T3", "--format", "md"),
        ("report", "quotes", "--codes", "T3", "--candidates", "--format", "md"),
        ("report", "crosstab", "--by", "site", "--format", "csv"),
        ("report", "words", "--code", "T3", "--format", "tsv"),
    ],
)
def test_out_dash_writes_to_stdout_what_out_file_writes(demo_cli: Cli, tmp_path: Path, args: tuple[str, ...]) -> None:
    suffix = {"csv": ".csv", "md": ".md", "tsv": ".tsv", "json": ".json"}.get(args[-1], ".yaml")
    target = tmp_path / f"out{suffix}"
    to_file = demo_cli(*args, "--out", str(target))
    assert to_file.exit_code == 0, to_file.stderr
    piped = demo_cli(*args, "--out", "-")
    assert piped.exit_code == 0, piped.stderr
    assert _stdout_bytes(piped) == target.read_bytes()
    assert "skrevet til" not in piped.stderr


def test_binary_formats_go_to_stdout_only_when_it_is_not_a_terminal(
    demo_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import load_workbook

    result = demo_cli("report", "frequencies", "--format", "xlsx", "--out", "-")
    assert result.exit_code == 0, result.stderr
    book = load_workbook(io.BytesIO(_stdout_bytes(result)))
    assert book.active.cell(row=1, column=1).value == "Kode"

    chart = demo_cli("report", "chart", "--out", "-", "--format", "pdf")
    assert chart.exit_code == 0, chart.stderr
    assert _stdout_bytes(chart).startswith(b"%PDF")

    monkeypatch.setattr("trivselkode.cli.pipes.stdout_is_terminal", lambda: True)
    refused = demo_cli("report", "frequencies", "--format", "xlsx", "--out", "-")
    assert refused.exit_code != 0
    assert "XLSX" in refused.stderr and "terminal" in refused.stderr
    assert refused.stderr.count("\n") == 1 and not refused.stdout_bytes
    docx = demo_cli("retrieve", "--code", "T3", "--format", "docx", "--out", "-")
    assert docx.exit_code != 0 and "DOCX" in docx.stderr


def test_text_to_a_terminal_shows_control_characters_inert(demo_cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("trivselkode.cli.pipes.stdout_is_terminal", lambda: True)
    result = demo_cli("report", "frequencies", "--format", "csv", "--out", "-")
    assert result.exit_code == 0 and result.stdout.startswith("Kode,Navn")


# ---------------------------------------------------------------- --format tsv


def test_tsv_is_one_header_row_and_one_line_per_row(demo_cli: Cli) -> None:
    result = demo_cli("report", "frequencies", "--format", "tsv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    as_csv = list(csv.reader(io.StringIO(demo_cli("report", "frequencies", "--format", "csv").stdout)))
    assert [line.split("\t") for line in lines] == as_csv
    assert lines[0].split("\t")[:2] == ["Kode", "Navn"]


@pytest.mark.parametrize(
    "args",
    [
        ("report", "frequencies", "--by", "site"),
        ("report", "cooccurrence"),
        ("agreement", "--coders", "anne,bo"),
        ("consensus", "audit"),
        ("codings", "export"),
        ("report", "quotes", "--codes", "T3", "--candidates"),
        ("report", "matrix"),
        ("retrieve", "--code", "T3"),
    ],
)
def test_tsv_wherever_csv_is(demo_cli: Cli, args: tuple[str, ...]) -> None:
    as_csv = demo_cli(*args, "--format", "csv")
    as_tsv = demo_cli(*args, "--format", "tsv")
    assert as_csv.exit_code == 0 and as_tsv.exit_code == 0, as_tsv.stderr
    csv_rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    tsv_rows = [line.split("\t") for line in as_tsv.stdout.splitlines()]
    assert len(tsv_rows) == len(csv_rows) and tsv_rows[0] == csv_rows[0]
    assert all(len(row) == len(csv_rows[0]) for row in tsv_rows)


def test_tsv_keeps_each_row_on_one_line() -> None:
    from trivselkode.export.tsv import tsv_text

    text = tsv_text(["a", "b"], [["x\ty", "line one\nline two"], [None, "=1+1"]])
    assert text == "a\tb\nx y\tline one line two\n\t'=1+1\n"


# ---------------------------------------------------------------- the suffix fits the format


def test_a_suffix_that_does_not_fit_the_format_is_refused(demo_cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "x.xlsx"
    result = demo_cli("report", "frequencies", "--format", "csv", "--out", str(target))
    assert result.exit_code != 0
    assert "--format csv" in result.stderr and "x.xlsx" in result.stderr
    assert result.stderr.strip().count("\n") == 0 and not target.exists()
    codings = demo_cli("codings", "export", "--format", "json", "--out", str(tmp_path / "k.csv"))
    assert codings.exit_code != 0 and not (tmp_path / "k.csv").exists()
    book = demo_cli("codebook", "export", "--out", str(tmp_path / "kodebog.xlsx"))
    assert book.exit_code != 0 and not (tmp_path / "kodebog.xlsx").exists()


def test_without_format_the_suffix_chooses_it(demo_cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "kodninger.json"
    assert demo_cli("codings", "export", "--out", str(target)).exit_code == 0
    assert isinstance(json.loads(target.read_text(encoding="utf-8")), list)
    tsv = tmp_path / "hyppigheder.tsv"
    assert demo_cli("report", "frequencies", "--out", str(tsv)).exit_code == 0
    assert tsv.read_text(encoding="utf-8").startswith("Kode\tNavn")


def test_chart_writes_pdf_by_its_suffix_and_refuses_a_suffix_it_cannot_write(demo_cli: Cli, tmp_path: Path) -> None:
    pdf = tmp_path / "temaer.pdf"
    result = demo_cli("report", "chart", "--out", str(pdf))
    assert result.exit_code == 0, result.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    docx = tmp_path / "temaer.docx"
    refused = demo_cli("report", "chart", "--out", str(docx))
    assert refused.exit_code != 0 and ".pdf" in refused.stderr and not docx.exists()
    clash = demo_cli("report", "chart", "--format", "svg", "--out", str(tmp_path / "x.png"))
    assert clash.exit_code != 0 and not (tmp_path / "x.png").exists()


# ---------------------------------------------------------------- tables in a pipe


def test_a_table_in_a_pipe_is_never_cut_to_80_columns(demo_cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    result = demo_cli("sources", "list")
    assert result.exit_code == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) > 80
    assert "holstebro-interview-01-laes-for-livet" in result.stdout
    assert "…" not in result.stdout


# ---------------------------------------------------------------- import -


def test_import_from_stdin_with_a_name(sqlite_cli: Cli) -> None:
    result = sqlite_cli("import", "-", "--name", "holstebro-5", input=INTERVIEW)
    assert result.exit_code == 0, result.stderr
    assert "holstebro-5" in result.stdout
    sources = sqlite_cli.json("sources", "list")
    assert [s["name"] for s in sources] == ["holstebro-5"]
    vtt = "WEBVTT\n\n00:00.000 --> 00:02.000\n<v I>Hvordan går det?\n\n00:02.000 --> 00:05.000\n<v P1>Godt, tak.\n"
    sub = sqlite_cli("import", "-", "--name", "holstebro-6.vtt", input=vtt)
    assert sub.exit_code == 0, sub.stderr
    assert {s["name"] for s in sqlite_cli.json("sources", "list")} == {"holstebro-5", "holstebro-6"}
    again = sqlite_cli("import", "-", "--name", "holstebro-5", "--format", "json", input=INTERVIEW)
    assert again.exit_code == 0, again.stderr
    assert [(f["path"], f["status"]) for f in json.loads(again.stdout)["files"]] == [("-", "unchanged")]


def test_import_from_stdin_without_a_name_is_one_clear_line(sqlite_cli: Cli, interview_file: Path) -> None:
    result = sqlite_cli("import", "-", input=INTERVIEW)
    assert result.exit_code != 0
    assert "--name" in result.stderr and result.stderr.strip().count("\n") == 0
    mixed = sqlite_cli("import", "-", str(interview_file), "--name", "x", input=INTERVIEW)
    assert mixed.exit_code != 0 and "standard-input" in mixed.stderr


# ---------------------------------------------------------------- trivselkode paths


def test_paths_names_the_bundled_files_the_project_and_the_settings(sqlite_cli: Cli, tmp_path: Path) -> None:
    from trivselkode.config import bundled_codebook, data_dir
    from trivselkode.i18n import user_settings_path

    info = sqlite_cli.json("paths")
    assert set(info) == {"codebook", "transcripts", "project", "project_exists", "settings", "settings_exists"}
    assert info["codebook"] == str(bundled_codebook()) and Path(info["codebook"]).is_file()
    assert info["transcripts"] == str(data_dir("transcripts")) and Path(info["transcripts"]).is_dir()
    assert info["project"] == str(Path(sqlite_cli.db).resolve()) and info["project_exists"] is False
    assert info["settings"] == str(user_settings_path())
    assert not Path(sqlite_cli.db).exists()  # named, never created
    table = sqlite_cli("paths")
    assert table.exit_code == 0 and info["codebook"] in table.stdout and info["transcripts"] in table.stdout


def test_progress_shows_on_a_terminal_only(demo_cli: Cli, tmp_path: Path) -> None:
    result = demo_cli("report", "frequencies", "--out", str(tmp_path / "f.csv"))
    assert result.exit_code == 0, result.stderr
    assert "Bygger" not in result.stderr and "\x1b" not in result.stderr  # a pipe: no spinner, no escapes


def test_demo_out_dash_is_refused(sqlite_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = sqlite_cli("demo", "--out", "-")
    assert result.exit_code != 0 and "--out demo.db" in result.stderr
    assert not (tmp_path / "-").exists()


def test_refi_exports_write_to_standard_output(demo_cli: Cli, tmp_path: Path) -> None:
    import zipfile

    from lxml import etree

    project = demo_cli("refi", "export", "-")
    assert project.exit_code == 0, project.stderr
    with zipfile.ZipFile(io.BytesIO(_stdout_bytes(project))) as archive:
        assert "project.qde" in archive.namelist()
    codebook = demo_cli("--lang", "en", "refi", "export-codebook", "-")
    assert codebook.exit_code == 0, codebook.stderr
    names = etree.fromstring(_stdout_bytes(codebook)).xpath("//*[local-name()='Code']/@name")
    assert "Low pressure, high value" in names
    both = demo_cli("--lang", "da", "refi", "export", "-", "--format", "json")
    assert both.exit_code == 1 and both.stdout == "" and both.stderr.startswith("fejl: --format json og -")
