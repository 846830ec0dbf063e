"""``trivselkode survey chart``: a real imported survey drawn as PNG, SVG or PDF, into a file or a pipe."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.survey_fixtures import survey_project


@pytest.fixture(scope="module")
def survey_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project file with a two-round survey imported (read only by these tests)."""
    project = survey_project(tmp_path_factory.mktemp("survey"), rows=40, rounds=2)
    path = project.path
    assert path is not None
    project.dispose()
    return path


@pytest.fixture
def cli(survey_db: Path) -> Cli:
    return Cli(survey_db)


@pytest.fixture(scope="module")
def report(survey_db: Path) -> dict:
    """The survey report the chart draws, as JSON (by round, Danish)."""
    from trivselkode.analysis.survey_report import build_survey_report
    from trivselkode.storage.db import open_project

    project, _ = open_project(str(survey_db))
    try:
        return build_survey_report(project, lang="da").to_json()
    finally:
        project.dispose()


def svg_texts(data: bytes) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", data.decode("utf-8"))]


def one_line(stderr: str) -> bool:
    return stderr.strip() != "" and stderr.strip().count("\n") == 0


def test_png_svg_and_pdf_by_the_suffix(cli: Cli, tmp_path: Path) -> None:
    for name, magic in (("c.png", b"\x89PNG\r\n\x1a\n"), ("c.pdf", b"%PDF-")):
        target = tmp_path / name
        result = cli("survey", "chart", "--out", str(target))
        assert result.exit_code == 0, result.stderr
        assert target.read_bytes().startswith(magic)
        assert "Diagrammet skrevet til" in result.stderr
    svg = tmp_path / "c.svg"
    assert cli("survey", "chart", "--out", str(svg), "--size", "16x12").exit_code == 0
    assert ET.fromstring(svg.read_bytes()).tag.endswith("svg")


def test_the_svg_shows_the_reports_dimensions_groups_and_whole_scale(cli: Cli, tmp_path: Path, report: dict) -> None:
    svg = tmp_path / "c.svg"
    result = cli("survey", "chart", "--out", str(svg))
    assert result.exit_code == 0, result.stderr
    texts = svg_texts(svg.read_bytes())
    joined = " ".join(texts)
    assert report["by"] == "round"  # two rounds: grouped by round without --by
    for dim in report["dimensions"]:
        assert " ".join(dim["name"].split()) in joined
    low, high = report["scale"]["min"], report["scale"]["max"]
    ticks = [str(v) for v in range(low, high + 1)]
    assert [t for t in texts if t in ticks] == ticks  # the axis from the scale's minimum to its maximum
    for group in report["dimensions"][0]["groups"]:
        assert any(t.startswith(f"{group['label']} (n=") for t in texts)
    assert report["title"] in joined
    assert "Gennemsnit med 95 %-konfidensinterval." in texts


def test_by_another_attribute(cli: Cli, tmp_path: Path) -> None:
    svg = tmp_path / "site.svg"
    result = cli("survey", "chart", "--by", "site", "--out", str(svg))
    assert result.exit_code == 0, result.stderr
    assert "fordelt på bibliotek" in " ".join(svg_texts(svg.read_bytes()))
    bad = cli("survey", "chart", "--by", "shoe_size", "--out", str(tmp_path / "x.svg"))
    assert bad.exit_code != 0 and one_line(bad.stderr) and not (tmp_path / "x.svg").exists()


def test_english_labels(cli: Cli, tmp_path: Path) -> None:
    svg = tmp_path / "en.svg"
    result = cli("survey", "chart", "--lang", "en", "--out", str(svg))
    assert result.exit_code == 0, result.stderr
    texts = svg_texts(svg.read_bytes())
    assert "Mean with 95 % confidence interval." in texts
    assert any(t.startswith("round 1 (n=") for t in texts)
    assert "Gennemsnit" not in " ".join(texts)


def test_out_dash_writes_the_files_bytes_into_a_pipe(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "c.svg"
    assert cli("survey", "chart", "--out", str(target)).exit_code == 0
    piped = cli("survey", "chart", "--out", "-", "--format", "svg")
    assert piped.exit_code == 0, piped.stderr
    assert piped.stdout_bytes == target.read_bytes()
    assert "skrevet til" not in piped.stderr
    png = cli("survey", "chart", "--out", "-")
    assert png.exit_code == 0 and png.stdout_bytes.startswith(b"\x89PNG")


def test_out_dash_is_refused_on_a_terminal(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("trivselkode.cli.pipes.stdout_is_terminal", lambda: True)
    refused = cli("survey", "chart", "--out", "-", "--format", "pdf")
    assert refused.exit_code != 0 and one_line(refused.stderr)
    assert "PDF" in refused.stderr and not refused.stdout_bytes


@pytest.mark.parametrize(
    "args",
    [
        ("--out", "{tmp}/chart.jpg"),  # a suffix no chart has
        ("--out", "{tmp}/chart.docx"),
        ("--out", "{tmp}/chart.png", "--format", "svg"),  # the suffix says otherwise
        ("--out", "{tmp}/chart.png", "--size", "1x1"),
        ("--out", "{tmp}/chart.png", "--dpi", "5"),
        ("--out", "{tmp}/chart.png", "--survey", "findes-ikke"),
    ],
)
def test_mistakes_are_one_clear_line_and_nothing_is_written(cli: Cli, tmp_path: Path, args: tuple[str, ...]) -> None:
    result = cli("survey", "chart", *(a.format(tmp=tmp_path) for a in args))
    assert result.exit_code != 0
    assert one_line(result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_suffix_names_the_ones_it_takes(cli: Cli, tmp_path: Path) -> None:
    result = cli("survey", "chart", "--out", str(tmp_path / "chart.jpg"))
    assert "chart.jpg" in result.stderr and ".png" in result.stderr and ".svg" in result.stderr
