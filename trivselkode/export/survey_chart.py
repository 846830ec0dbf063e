"""The questionnaire's chart: each dimension's mean with its 95 % confidence interval, per group.

One row per dimension (the survey's order, top to bottom; names wrapped),
one point per group of ``--by`` (rounds by default) with its interval drawn
as an error bar with caps. The value axis runs over the scale's full range,
from its minimum to its maximum exactly, so a mean of 4.2 on a 1–5 scale is
never drawn as if it were near the top of a cut axis.

Readable in black and white print: each group has its own marker shape, its
own grey fill (from :data:`trivselkode.export.charts.GREYS`) and its own line
style for the interval, so colour is never the only difference. The legend
names each group with its size (``1. runde (n=120)``, a range when the
dimensions' n differ, ``n=3*`` for a small group as the frequency chart
marks it); the footnote says what is drawn ("Gennemsnit med 95
%-konfidensinterval"). The title is the survey's title.

The chart reads only :meth:`SurveyReport.to_json`'s document (``title``,
``by``, ``lang``, ``scale``, ``dimensions[].name`` and their ``groups[]``
with ``label``, ``n``, ``mean`` and ``ci``), so it draws what the report
says. Matplotlib is imported only when a chart is drawn; size and resolution
follow the frequency chart (:func:`~trivselkode.export.charts.parse_size`,
:func:`~trivselkode.export.charts.check_dpi`).
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trivselkode.errors import TrivselError
from trivselkode.export.charts import CM, GREYS, SMALL, check_dpi, parse_size, size_label
from trivselkode.i18n import N_, _, gettext_for

#: The formats a chart is written in, by their file suffix.
FORMATS = ("png", "svg", "pdf")
#: Marker shapes, one per group (told apart without colour).
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
#: The interval's line style, one per group.
LINESTYLES = ("solid", "dashed", "dotted", "dashdot", (0, (5, 1)), (0, (1, 1)), (0, (3, 1, 1, 1)))
#: The footnote that says what the chart shows.
WHAT_IS_DRAWN = N_("Gennemsnit med 95 %-konfidensinterval")

# What savefig is told per format: no dates or software names, so the same report gives the same file.
_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "png": {"metadata": {"Software": None}},
    "svg": {"metadata": {"Date": None}},
    "pdf": {"metadata": {"CreationDate": None, "Creator": None, "Producer": None}},
}


@dataclass(frozen=True)
class Series:
    """One group across the dimensions: its label, and per dimension its n, mean and interval."""

    label: str
    n: tuple[int, ...]
    means: tuple[float | None, ...]
    cis: tuple[tuple[float, float] | None, ...]

    def size(self) -> str:
        """``n=120``, ``n=118–120`` when the dimensions' n differ, a star when a group is small."""
        lo, hi = min(self.n, default=0), max(self.n, default=0)
        if lo == hi:
            return size_label(hi)
        return f"n={lo}–{hi}*" if lo < SMALL else f"n={lo}–{hi}"

    def small(self) -> bool:
        return min(self.n, default=0) < SMALL


@dataclass(frozen=True)
class ChartData:
    """What the chart draws, read from a survey report's JSON document."""

    title: str
    by: str | None
    lang: str
    scale: tuple[int, int]
    dimensions: tuple[str, ...]
    series: tuple[Series, ...]


def chart_data(report: Any) -> ChartData:
    """The chart's data from ``report.to_json()``: one series per group of ``by``, or one of all respondents."""
    doc = report.to_json()
    lang = doc.get("lang") or "da"
    _ = gettext_for(lang)
    dims = doc["dimensions"]
    by = doc.get("by")
    labels: dict[Any, str] = {}  # group value -> label, in the report's order
    for dim in dims:
        for group in dim.get("groups") or []:
            labels.setdefault(group.get(by), str(group.get("label") or group.get(by)))
    if not labels:  # no groups: everyone, from the dimensions' own figures
        series = [_series(_("Alle"), dims)]
    else:
        series = [_series(label, [_group_of(dim, by, value) for dim in dims]) for value, label in labels.items()]
    scale = doc["scale"]
    return ChartData(
        title=str(doc.get("title") or doc.get("survey") or ""),
        by=by if labels else None,
        lang=lang,
        scale=(int(scale["min"]), int(scale["max"])),
        dimensions=tuple(str(dim["name"]) for dim in dims),
        series=tuple(series),
    )


def _group_of(dim: dict[str, Any], by: str | None, value: Any) -> dict[str, Any]:
    """The dimension's figures for the group ``value`` (none when nobody in it has a score)."""
    for group in dim.get("groups") or []:
        if group.get(by) == value:
            return group
    return {"n": 0, "mean": None, "ci": None}


def _series(label: str, figures: list[dict[str, Any]]) -> Series:
    return Series(
        label=label,
        n=tuple(int(f.get("n") or 0) for f in figures),
        means=tuple(f.get("mean") for f in figures),
        cis=tuple(_interval(f.get("ci")) for f in figures),
    )


def _interval(ci: Any) -> tuple[float, float] | None:
    """``[lo, hi]`` as a pair; None when there is none (fewer than two answers, no variance)."""
    if not ci or any(v is None or not math.isfinite(v) for v in ci):
        return None
    return float(ci[0]), float(ci[1])


def chart_format(out: Path) -> str:
    """The format the suffix of ``out`` names: png, svg or pdf; any other suffix is refused in one line."""
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise TrivselError(
            _("kan ikke skrive et diagram som '{name}'").format(name=out.name),
            _("vælg et filnavn, der ender på {suffixes}").format(suffixes=", ".join("." + f for f in FORMATS)),
        )
    return suffix


def survey_chart(report: Any, out: Path, *, dpi: int | None = None, size: str | None = None) -> None:
    """Write the chart of ``report`` to ``out`` (PNG, SVG or PDF by its suffix), whole or not at all.

    ``dpi`` is a PNG's resolution (150 when not given); ``size`` ``"WIDTHxHEIGHT"`` in centimetres.
    Everything is checked before the file is touched.
    """
    from trivselkode.storage.files import check_target, replace_atomically, write_data

    fmt = chart_format(Path(out))
    target = check_target(Path(out))
    data = render_survey_chart(report, fmt, dpi=dpi, size=size)
    replace_atomically(target, lambda tmp: write_data(tmp, data))


def render_survey_chart(report: Any, fmt: str = "png", *, dpi: int | None = None, size: str | None = None) -> bytes:
    """The chart of ``report`` as PNG, SVG or PDF bytes (the same report gives the same bytes)."""
    if fmt not in FORMATS:
        raise TrivselError(_("ukendt diagramformat '{fmt}'").format(fmt=fmt), _("brug png, svg eller pdf"))
    resolution = check_dpi(dpi)
    cm = parse_size(size)
    data = chart_data(report)
    plt = _pyplot()
    with plt.rc_context({"svg.hashsalt": "trivselkode", "svg.fonttype": "none"}):  # SVG text stays text
        fig = draw(data, cm)
        try:
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, dpi=resolution, **_SAVE_OPTIONS[fmt])
            return buf.getvalue()
        finally:
            plt.close(fig)


def draw(data: ChartData, cm: tuple[float, float] | None = None) -> Any:
    """The matplotlib figure of ``data`` (``cm``: width and height in centimetres); the caller closes it."""
    plt = _pyplot()
    notes = footnotes(data)
    rows = len(data.dimensions)
    groups = len(data.series)
    if cm is not None:
        figsize = (cm[0] * CM, cm[1] * CM)
    else:
        figsize = (9.0, max(3.0, 1.6 + rows * (0.3 + 0.2 * groups) + 0.2 * len(notes)))
    narrow = figsize[0] < 12 * CM  # a journal's column: legend under the plot, smaller type
    fig, ax = plt.subplots(figsize=figsize)
    _draw_points(ax, data, narrow)
    _label_axes(ax, data, narrow)
    bottom = _footnote(fig, notes, narrow)
    if narrow:  # a journal's column: the legend under the plot, above the notes
        handles, labels = ax.get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.01, bottom), fontsize=6, frameon=False)
        bottom += min(0.3, (0.13 * len(labels) + 0.08) / figsize[1])
    else:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=True, edgecolor="0.5")
    fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig


def _pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend (no display needed), imported only when a chart is drawn."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _footnote(fig: Any, notes: list[str], narrow: bool) -> float:
    """Write ``notes`` under the plot, wrapped to the figure's width; the share of its height they take."""
    width, height = (float(v) for v in fig.get_size_inches())
    lines = [line for note in notes for line in textwrap.wrap(note, width=max(30, int(width * 14)))]
    fig.text(0.01, 0.01, "\n".join(lines), fontsize=7 if narrow else 8, ha="left", va="bottom")
    return min(0.4, 0.16 * len(lines) / height)


def _draw_points(ax: Any, data: ChartData, narrow: bool = False) -> None:
    """Each group's means as markers of its own shape and grey, the intervals as capped bars in its line style."""
    groups = len(data.series)
    step = min(0.8 / max(groups, 1), 0.25)
    for j, series in enumerate(data.series):
        ys = [i + (j - (groups - 1) / 2) * step for i in range(len(data.dimensions))]
        xs = [m if m is not None else math.nan for m in series.means]
        below = [
            x - ci[0] if ci is not None and m is not None else math.nan
            for x, m, ci in zip(xs, series.means, series.cis)
        ]
        above = [
            ci[1] - x if ci is not None and m is not None else math.nan
            for x, m, ci in zip(xs, series.means, series.cis)
        ]
        container = ax.errorbar(
            xs,
            ys,
            xerr=[below, above],
            fmt=MARKERS[j % len(MARKERS)],
            markersize=5 if narrow else 7,
            markerfacecolor=GREYS[j % len(GREYS)],
            markeredgecolor="black",
            markeredgewidth=0.9,
            ecolor="black",
            elinewidth=1.0,
            capsize=3 if narrow else 4,
            capthick=1.0,
            label=f"{series.label} ({series.size()})",
            zorder=3,
        )
        for lines in container.lines[2]:
            lines.set_linestyle(LINESTYLES[j % len(LINESTYLES)])
        for artist in container.get_children():  # a mean at the scale's end is drawn whole
            artist.set_clip_on(False)


def _label_axes(ax: Any, data: ChartData, narrow: bool) -> None:
    """The dimensions' names (wrapped), the scale's whole range, the title and the legend."""
    _ = gettext_for(data.lang)
    low, high = data.scale
    ax.set_yticks(range(len(data.dimensions)))
    ax.set_yticklabels([_wrap(name, 20 if narrow else 26) for name in data.dimensions], fontsize=6 if narrow else 9)
    ax.set_ylim(len(data.dimensions) - 0.5, -0.5)  # first dimension on top
    ax.set_xlim(low, high)
    ax.set_xticks(range(low, high + 1))
    ax.set_xlabel(_("Gennemsnit på skalaen {low}–{high}").format(low=low, high=high), fontsize=7 if narrow else None)
    if narrow:
        ax.tick_params(axis="x", labelsize=6)
    ax.grid(axis="x", color="0.85", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    heading = data.title
    if data.by:
        from trivselkode.analysis.attributes import attribute_label

        by = attribute_label(data.by, data.lang).lower()
        heading = _("{heading} fordelt på {by}").format(heading=heading, by=by)
    per_inch = 11 if narrow else 9  # characters of the title's type per inch of the figure's width
    width = max(24, int(float(ax.figure.get_size_inches()[0]) * per_inch))
    ax.set_title("\n".join(textwrap.wrap(heading, width)), fontsize=8 if narrow else 11, loc="left")


def _wrap(name: str, width: int) -> str:
    """A dimension's name on at most three lines."""
    lines = textwrap.wrap(name, width=width) or [""]
    if len(lines) > 3:
        lines = [*lines[:2], textwrap.shorten(" ".join(lines[2:]), width=width, placeholder="…")]
    return "\n".join(lines)


def footnotes(data: ChartData) -> list[str]:
    """What is drawn, and (when one is) that a group is small or has no interval."""
    _ = gettext_for(data.lang)
    notes = [_(WHAT_IS_DRAWN) + "."]
    if any(s.small() for s in data.series):
        notes.append(_("* færre end {n} deltagere i gruppen: tallene er usikre.").format(n=SMALL))
    if any(len(set(s.n)) > 1 for s in data.series):
        notes.append(_("n som spænd: færrest og flest svarpersoner med en score på en dimension."))
    if any(m is not None and ci is None for s in data.series for m, ci in zip(s.means, s.cis)):
        notes.append(_("Et punkt uden interval bygger på én besvarelse."))
    return notes
