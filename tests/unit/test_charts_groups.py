"""Charts: each group's size in the legend, small groups marked or left out, size and resolution, unknown values."""

from __future__ import annotations

import io
import re

import pytest

from tests.unit.test_frequencies import build_project
from trivselkode.analysis.frequencies import compute_frequencies
from trivselkode.errors import TrivselError
from trivselkode.export.charts import frequency_chart, parse_size


def spec() -> dict:
    """Holstebro: 6 participants (all say T1); Viborg: 3 (one says T1); 2 without a site (one says T1)."""
    people = [{"label": f"P{i}"} for i in range(6)]
    return {
        "coders": ["anne"],
        "sources": [
            {
                "name": "holstebro",
                "site": "Holstebro",
                "participants": people,
                "passages": [(f"P{i}", "Her er trygt.") for i in range(6)],
            },
            {
                "name": "viborg",
                "site": "Viborg",
                "participants": people[:3],
                "passages": [(f"P{i}", "Her er stille.") for i in range(3)],
            },
            {
                "name": "ukendt",
                "participants": people[:2],
                "passages": [("P0", "Rart."), ("P1", "Godt.")],
            },
        ],
        "codings": [("holstebro", i + 1, "T1", "anne") for i in range(6)]
        + [("viborg", 1, "T1", "anne"), ("ukendt", 1, "T1", "anne"), ("viborg", 2, "T2", "anne")],
    }


def svg_texts(data: bytes) -> list[str]:
    """The texts of an SVG written with text as text (``svg.fonttype = none``)."""
    import html

    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", data.decode("utf-8"))]


@pytest.fixture(scope="module")
def result():
    project = build_project(spec())
    yield compute_frequencies(project, by="site", codes="T1,T2", union=True)
    project.dispose()


def test_sizes_in_the_legend_small_groups_marked_and_unknown_a_category_of_its_own(result):
    texts = svg_texts(frequency_chart(result, "svg"))
    assert "Holstebro (n=6)" in texts
    assert "Viborg (n=3*)" in texts  # under 5 participants: marked
    assert any(t.startswith("* færre end 5 deltagere") for t in texts)
    # Two participants without a site: a group of their own, not drawn by default but named in the note.
    assert "(ukendt) (n=2*)" not in texts
    assert any(t.startswith("Udeladt") and "(ukendt) (n=2*)" in t for t in texts)
    # Asked for (--min-n 1), it is drawn as the share it is: 1 of 2 is 50, not 100.
    drawn = svg_texts(frequency_chart(result, "svg", min_n=1))
    assert "(ukendt) (n=2*)" in drawn and not any(t.startswith("Udeladt") for t in drawn)
    shares = {(r["code"], r["site"]): r["share"] for r in result.rows}
    assert shares[("T1", None)] == 0.5 and shares[("T1", "Holstebro")] == 1.0
    assert "50" in drawn and "50" not in texts


def test_one_participant_without_a_value_is_never_drawn_as_100_percent():
    one = spec()
    one["sources"][2]["participants"] = one["sources"][2]["participants"][:1]
    one["sources"][2]["passages"] = one["sources"][2]["passages"][:1]
    project = build_project(one)
    try:
        result = compute_frequencies(project, by="site", codes="T1", union=True)
    finally:
        project.dispose()
    assert {r["site"]: r["share"] for r in result.rows}[None] == 1.0  # the table says it as it is
    texts = svg_texts(frequency_chart(result, "svg"))
    # "100" twice: the axis's last tick and Holstebro's bar (6 of 6); the unknown bar is not drawn.
    assert texts.count("100") == 2 and "(ukendt) (n=1*)" not in texts
    assert any(t.startswith("Udeladt") and "(ukendt) (n=1*)" in t for t in texts)


def test_min_n_leaves_small_groups_out_and_says_so(result):
    texts = svg_texts(frequency_chart(result, "svg", min_n=5))
    assert "Holstebro (n=6)" in texts
    assert not any(t.startswith("Viborg") for t in texts)
    note = next(t for t in texts if t.startswith("Udeladt"))
    assert "Viborg (n=3*)" in note and "(ukendt) (n=2*)" in note
    assert not any(t.startswith("* færre") for t in texts)  # no small group is drawn
    with pytest.raises(TrivselError):
        frequency_chart(result, "svg", min_n=50)


def test_english_labels_and_the_size_on_the_axis_without_groups():
    project = build_project(spec())
    try:
        whole = compute_frequencies(project, codes="T1", union=True)
    finally:
        project.dispose()
    texts = svg_texts(frequency_chart(whole, "svg", lang="en"))
    assert any(t.endswith("· n=11") for t in texts)  # 6 + 3 + 2 participants


@pytest.mark.parametrize(("size", "dpi"), [("8.5x6", 300), ("17,4x10cm", 150), ("8×8", 600)])
def test_size_in_centimetres_and_dpi_make_the_pixels(result, size, dpi):
    from PIL import Image

    png = frequency_chart(result, "png", dpi=dpi, size=size)
    width_cm, height_cm = parse_size(size)
    image = Image.open(io.BytesIO(png))
    expected = (width_cm / 2.54 * dpi, height_cm / 2.54 * dpi)
    assert all(abs(got - want) < 1 for got, want in zip(image.size, expected))  # matplotlib truncates
    assert round(image.info["dpi"][0]) == dpi


def test_default_png_is_150_dpi(result):
    from PIL import Image

    image = Image.open(io.BytesIO(frequency_chart(result, "png")))
    assert round(image.info["dpi"][0]) == 150 and image.size[0] == 9 * 150


def test_bad_sizes_and_resolutions_are_refused(result):
    for size in ("8.5", "axb", "1x5", "8x500"):
        with pytest.raises(TrivselError):
            parse_size(size)
    with pytest.raises(TrivselError):
        frequency_chart(result, "png", dpi=10)


def test_pdf(result):
    assert frequency_chart(result, "pdf", size="8.5x6").startswith(b"%PDF")
