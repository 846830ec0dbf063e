"""The questionnaire's chart: real PNG/SVG/PDF files, the scale's whole range, black-and-white readability.

The chart reads only the report's JSON document (``SurveyReport.to_json``), so these tests hand it one of
that shape, its figures computed by :func:`trivselkode.analysis.survey_stats.summarize` from seeded
random answers; the command-line tests draw it from a real imported survey.
"""

from __future__ import annotations

import html
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trivselkode.analysis.survey_stats import summarize
from trivselkode.errors import TrivselError
from trivselkode.export.survey_chart import chart_data, draw, render_survey_chart, survey_chart

DIMENSIONS = {
    "tryghed": ("Tryghed", "Safety"),
    "orientering": ("Orientering og overblik over bibliotekets tilbud", "Orientation and overview of the services"),
    "sociale": ("Det sociale", "The social"),
}
ROUNDS = {"1": ("1. runde", "round 1"), "2": ("2. runde", "round 2")}


def _summary(values: np.ndarray) -> dict[str, Any]:
    s = summarize(values)
    return {"n": s.n, "mean": s.mean, "sd": s.sd, "ci": list(s.ci) if s.ci else None}


class JsonReport:
    """A stand-in for a ``SurveyReport``: only ``to_json()``, with the figures of seeded random scores."""

    def __init__(
        self, by: str | None = "round", lang: str = "da", scale: tuple[int, int] = (1, 5), rounds: dict | None = None
    ) -> None:
        rng = np.random.default_rng(7)
        rounds = ROUNDS if rounds is None else rounds
        self.doc: dict[str, Any] = {
            "survey": "trivsel",
            "title": "Brugerundersøgelse på bibliotekerne" if lang == "da" else "Library user survey",
            "by": by,
            "lang": lang,
            "scale": {"min": scale[0], "max": scale[1]},
            "dimensions": [],
        }
        sizes = {"1": 40, "2": 33, "3": 1}
        for i, (key, names) in enumerate(DIMENSIONS.items()):
            per_round = {
                r: np.clip(rng.normal(4.5 - 0.3 * i, 0.6, _size(sizes.get(r, 20), i)), scale[0], scale[1])
                for r in rounds
            }
            groups = [
                {by: r, "label": labels[0 if lang == "da" else 1], **_summary(per_round[r])}
                for r, labels in rounds.items()
            ]
            self.doc["dimensions"].append(
                {
                    "key": key,
                    "name": names[0 if lang == "da" else 1],
                    **_summary(np.concatenate(list(per_round.values()))),
                    "groups": groups if by else [],
                }
            )

    def to_json(self) -> dict[str, Any]:
        return self.doc


def _size(n: int, i: int) -> int:
    """A group's n on dimension ``i``: one fewer per dimension for a large group (some left items out)."""
    return n - i if n > 5 else n


def svg_texts(data: bytes) -> list[str]:
    """The texts of an SVG written with text as text."""
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", data.decode("utf-8"))]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def figure():
    """A drawn figure of the default report (closed afterwards)."""
    import matplotlib.pyplot as plt

    made = []

    def make(report: Any, cm: tuple[float, float] | None = None) -> Any:
        fig = draw(chart_data(report), cm)
        made.append(fig)
        return fig

    yield make
    for fig in made:
        plt.close(fig)


def test_png_svg_and_pdf_are_real_files_of_their_kind(tmp_path: Path) -> None:
    report = JsonReport()
    png, svg, pdf = tmp_path / "c.png", tmp_path / "c.svg", tmp_path / "c.pdf"
    survey_chart(report, png, dpi=100, size="10x8")
    survey_chart(report, svg)
    survey_chart(report, pdf)
    # 10 × 8 cm at 100 dpi: 393 × 314 pixels.
    assert png_size(png.read_bytes()) == (int(10 / 2.54 * 100), int(8 / 2.54 * 100))
    root = ET.fromstring(svg.read_bytes())
    assert root.tag.endswith("svg")
    texts = svg_texts(svg.read_bytes())
    joined = " ".join(texts)
    for name, _en in DIMENSIONS.values():
        assert " ".join(name.split()) in joined  # wrapped over lines, every word there
    assert {"1", "2", "3", "4", "5"} <= set(texts)  # the scale's ticks, 1 to 5
    assert "Brugerundersøgelse på bibliotekerne fordelt på runde" in joined
    assert "Gennemsnit med 95 %-konfidensinterval." in texts
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary file left behind


def test_the_same_report_gives_the_same_bytes() -> None:
    report = JsonReport()
    assert render_survey_chart(report, "svg") == render_survey_chart(report, "svg")
    assert render_survey_chart(report, "png") == render_survey_chart(report, "png")


@pytest.mark.parametrize("scale", [(1, 5), (0, 10), (1, 7)])
def test_the_axis_runs_over_the_whole_scale_exactly(figure, scale: tuple[int, int]) -> None:
    ax = figure(JsonReport(scale=scale)).axes[0]
    assert ax.get_xlim() == scale  # means near 4 never narrow it
    ticks = [t for t in ax.get_xticks() if scale[0] <= t <= scale[1]]
    assert ticks[0] == scale[0] and ticks[-1] == scale[1]
    assert len(ax.get_yticks()) == len(DIMENSIONS)


def test_groups_differ_in_shape_fill_and_line_not_colour_alone(figure) -> None:
    from matplotlib.colors import to_rgb

    rounds = {"1": ("1. runde", "round 1"), "2": ("2. runde", "round 2"), "4": ("4. runde", "round 4")}
    fig = figure(JsonReport(rounds=rounds))
    ax = fig.axes[0]
    containers = ax.containers
    assert len(containers) == 3
    markers = [c.lines[0].get_marker() for c in containers]
    fills = [to_rgb(c.lines[0].get_markerfacecolor()) for c in containers]
    styles = [tuple(map(str, c.lines[2][0].get_linestyle())) for c in containers]
    assert len(set(markers)) == 3 and len(set(fills)) == 3 and len(set(styles)) == 3
    for fill in fills:  # greys: red, green and blue alike
        assert fill[0] == fill[1] == fill[2]
    for c in containers:
        assert to_rgb(c.lines[0].get_markeredgecolor()) == (0.0, 0.0, 0.0)
        assert len(c.lines[1]) == 2  # the interval has caps at both ends
        assert c.has_xerr
    legend = ax.get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels[0] == "1. runde (n=38–40)"  # n per group; a range when the dimensions' n differ
    assert labels[1] == "2. runde (n=31–33)"


def test_the_interval_drawn_is_the_reports(figure) -> None:
    report = JsonReport()
    ax = figure(report).axes[0]
    first = report.doc["dimensions"][0]["groups"][0]
    bars = ax.containers[0].lines[2][0].get_segments()
    (x0, _y0), (x1, _y1) = bars[0]
    assert (x0, x1) == pytest.approx(tuple(first["ci"]))
    assert ax.containers[0].lines[0].get_xdata()[0] == pytest.approx(first["mean"])


def test_without_groups_one_series_of_everyone(figure) -> None:
    report = JsonReport(by=None)
    ax = figure(report).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    n = [d["n"] for d in report.doc["dimensions"]]
    assert labels == [f"Alle (n={min(n)}–{max(n)})"]
    assert "fordelt på" not in ax.get_title()


def test_a_group_of_one_is_marked_and_drawn_without_an_interval(figure) -> None:
    rounds = {"1": ("1. runde", "round 1"), "3": ("3. runde", "round 3")}
    fig = figure(JsonReport(rounds=rounds))
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[1] == "3. runde (n=1*)"
    notes = " ".join(t.get_text() for t in fig.texts)
    assert "færre end 5" in notes and "uden interval" in notes
    segments = ax.containers[1].lines[2][0].get_segments()
    assert all(seg.size == 0 or np.isnan(seg).any() for seg in segments)  # no bar drawn
    assert not np.isnan(np.asarray(ax.containers[1].lines[0].get_xdata(), dtype=float)).any()  # yet the mean is


def test_a_narrow_column_puts_the_legend_under_the_plot(figure) -> None:
    fig = figure(JsonReport(), (8.5, 10))
    assert fig.axes[0].get_legend() is None and len(fig.legends) == 1
    assert tuple(round(v * 2.54, 2) for v in fig.get_size_inches()) == (8.5, 10.0)


def test_english_labels_in_english(figure) -> None:
    data = render_survey_chart(JsonReport(lang="en"), "svg")
    texts = svg_texts(data)
    joined = " ".join(texts)
    assert "Mean with 95 % confidence interval." in texts
    assert "Library user survey by round" in joined
    assert "Safety" in texts and "round 1 (n=38–40)" in texts
    assert "Mean on the scale 1–5" in texts
    assert "Gennemsnit" not in joined and "runde" not in joined


def test_an_unknown_suffix_is_refused_and_nothing_written(tmp_path: Path) -> None:
    with pytest.raises(TrivselError) as caught:
        survey_chart(JsonReport(), tmp_path / "chart.jpg")
    assert "chart.jpg" in caught.value.message and ".png, .svg, .pdf" in str(caught.value.hint)
    with pytest.raises(TrivselError):
        survey_chart(JsonReport(), tmp_path / "chart.png", dpi=10)
    assert list(tmp_path.iterdir()) == []


def test_the_survey_commands_import_matplotlib_only_to_draw() -> None:
    code = (
        "import sys; import trivselkode.cli.main, trivselkode.cli.survey_chart, trivselkode.export.survey_chart; "
        "print('matplotlib' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
