"""Bar charts of code frequencies (matplotlib, Agg backend; no display needed).

Horizontal bars, one group of bars per code (codebook order, top to bottom),
one bar per group of the ``by`` attributes. Readable in black and white
print: every group has its own grey and hatching pattern and a black edge,
so colour is never the only difference. Labels in Danish or English.
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

from trivselkode.analysis.attributes import attribute_label, value_label

MEASURES = ("share", "passages", "participants", "codings")
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "+++", "ooo", "---", "|||", "***")
GREYS = ("0.25", "0.85", "0.55", "1.0", "0.4", "0.7", "0.95", "0.15", "0.6", "0.8")

_AXIS = {
    "da": {
        "share": "Andel af deltagere (%)",
        "passages": "Udsagn",
        "participants": "Deltagere",
        "codings": "Kodninger",
        "themes": "Temaernes hyppighed",
        "codes": "Kodernes hyppighed",
        "by": "fordelt på",
        "all": "Alle",
    },
    "en": {
        "share": "Share of participants (%)",
        "passages": "Passages",
        "participants": "Participants",
        "codings": "Codings",
        "themes": "Frequency of themes",
        "codes": "Frequency of codes",
        "by": "by",
        "all": "All",
    },
}


def _code_label(key: str, name: str, width: int = 34) -> str:
    lines = textwrap.wrap(f"{key} {name}", width=width)
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width=width, placeholder="…")]
    return "\n".join(lines)


def _values(result: Any, measure: str) -> dict[tuple[str, tuple], float]:
    """Each (code, group)'s value of ``measure``, a share in per cent."""
    values: dict[tuple[str, tuple], float] = {}
    for row in result.rows:
        g = tuple(row[name] for name in result.by)
        v = row[measure]
        values[(row["code"], g)] = v * 100 if measure == "share" else v
    return values


def _draw_bars(
    ax: Any,
    result: Any,
    values: dict[tuple[str, tuple], float],
    measure: str,
    lang: str,
    pseudonymizer: Any,
) -> None:
    """One bar per code for each group, its own grey and hatching, with its value beside it when few."""
    words = _AXIS.get(lang, _AXIS["da"])
    codes = result.codes
    groups = result.groups or [()]
    n_codes, n_groups = len(codes), len(groups)
    bar = 0.8 / n_groups
    for j, g in enumerate(groups):
        ys = [i + (j - (n_groups - 1) / 2) * bar for i in range(n_codes)]
        xs = [values.get((c.key, g), 0) for c in codes]
        label = " · ".join(value_label(n, v, lang) for n, v in zip(result.by, g)) if result.by else words["all"]
        if pseudonymizer is not None:
            label = pseudonymizer.text(label)
        bars = ax.barh(
            ys,
            xs,
            height=bar * 0.92,
            color=GREYS[j % len(GREYS)],
            edgecolor="black",
            linewidth=0.7,
            hatch=HATCHES[j % len(HATCHES)],
            label=label,
        )
        if n_codes * n_groups <= 60:
            fmt_value = (lambda v: f"{v:.0f}") if measure == "share" else (lambda v: f"{int(v)}")
            ax.bar_label(bars, labels=[fmt_value(x) for x in xs], padding=2, fontsize=7)


def _label_axes(
    ax: Any, result: Any, values: dict[tuple[str, tuple], float], measure: str, lang: str, title: str | None
) -> None:
    """The code names, the measure's axis and grid, the heading and (with groups) the legend."""
    words = _AXIS.get(lang, _AXIS["da"])
    codes = result.codes
    ax.set_yticks(range(len(codes)))
    ax.set_yticklabels([_code_label(c.key, c.name) for c in codes], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(words[measure])
    if measure != "share":
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if measure == "share":
        top = max([v for v in values.values()] + [10])
        ax.set_xlim(0, min(100, top * 1.15) if top < 87 else 100)
    ax.xaxis.grid(True, color="0.85", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    themes = codes and all(c.kind == "tema" for c in codes)
    heading = title or words["themes" if themes else "codes"]
    if result.by:
        heading += f" {words['by']} " + ", ".join(attribute_label(n, lang).lower() for n in result.by)
    ax.set_title(heading, fontsize=11, loc="left")
    if result.by:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=True, edgecolor="0.5")


def frequency_chart(
    result: Any,
    fmt: str = "png",
    lang: str = "da",
    measure: str = "share",
    title: str | None = None,
    pseudonymizer: Any = None,
) -> bytes:
    """The chart of a :class:`FrequencyResult` as PNG or SVG bytes (group labels pseudonymised if asked)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib import rcParams

    values = _values(result, measure)
    n_codes, n_groups = len(result.codes), len(result.groups or [()])
    height = max(2.5, 0.9 + n_codes * (0.25 + 0.22 * n_groups))
    rcParams["svg.hashsalt"] = "trivselkode"
    rcParams["svg.fonttype"] = "none"  # text stays text in SVG: editable and searchable
    rcParams["hatch.linewidth"] = 0.8
    fig, ax = plt.subplots(figsize=(9, height))
    try:
        _draw_bars(ax, result, values, measure, lang, pseudonymizer)
        _label_axes(ax, result, values, measure, lang, title)
        fig.tight_layout()
        buf = io.BytesIO()
        if fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None})
        else:
            fig.savefig(buf, format="png", dpi=150, metadata={"Software": None})
        return buf.getvalue()
    finally:
        plt.close(fig)
