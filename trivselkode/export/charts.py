"""Bar charts of code frequencies (matplotlib, Agg backend; no display needed).

Horizontal bars, one group of bars per code (codebook order, top to bottom),
one bar per group of the ``by`` attributes. Readable in black and white
print: every group has its own grey and hatching pattern and a black edge,
so colour is never the only difference. Labels in Danish or English.

Each group's size is in its legend label ("Holstebro (n=12)"; without
groups, in the axis label). A group of fewer than :data:`SMALL` participants
is marked "(n=3*)" with a footnote: its shares rest on a handful of people.
``min_n`` leaves out groups smaller than that (named in the footnote). A
participant without a value for the attribute is in the group "(ukendt)", a
category of its own, never merged into another; without ``min_n`` it is drawn
only when it has at least :data:`SMALL` participants (else named in the
footnote: one participant without a value would be drawn as 100 %). With the
share as measure a group without participants (only interviewers' turns
coded) has no share and is left out, never drawn.

The figure's size is ``size`` (``"8.5x6"``: width × height in centimetres,
for a journal's column width) or chosen from the number of bars; ``dpi`` is
a PNG's resolution (150 when not given), so a PNG is ``size × dpi`` pixels.
"""

from __future__ import annotations

import io
import re
import textwrap
from typing import Any

from trivselkode.analysis.attributes import attribute_label, value_label
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _, gettext_for

MEASURES = ("share", "passages", "participants", "codings")
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "+++", "ooo", "---", "|||", "***")
GREYS = ("0.25", "0.85", "0.55", "1.0", "0.4", "0.7", "0.95", "0.15", "0.6", "0.8")

#: Groups with fewer participants than this are marked with an asterisk.
SMALL = 5
#: A PNG's resolution when none is given.
DEFAULT_DPI = 150
CM = 1 / 2.54  # inches per centimetre

_AXIS = {
    "share": N_("Andel af deltagere (%)"),
    "passages": N_("Udsagn"),
    "participants": N_("Deltagere"),
    "codings": N_("Kodninger"),
    "themes": N_("Temaernes hyppighed"),
    "codes": N_("Kodernes hyppighed"),
    "all": N_("Alle"),
}


def parse_size(spec: str | None) -> tuple[float, float] | None:
    """``"8.5x6"`` (or ``8,5x6``, ``8.5×6``, ``8.5x6cm``): width and height in centimetres, 2–100 each."""
    if spec is None or not spec.strip():
        return None
    match = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*[x×X]\s*(\d+(?:[.,]\d+)?)\s*(?:cm)?\s*", spec)
    if not match:
        raise TrivselError(
            _("størrelsen '{size}' er ikke BREDDExHØJDE i cm").format(size=spec), _("skriv fx --size 8.5x6")
        )
    width, height = (float(g.replace(",", ".")) for g in match.groups())
    if not (2 <= width <= 100 and 2 <= height <= 100):
        raise TrivselError(
            _("størrelsen '{size}' skal være mellem 2 og 100 cm hver vej").format(size=spec),
            _("skriv fx --size 8.5x6"),
        )
    return width, height


def check_dpi(dpi: int | None) -> int:
    if dpi is None:
        return DEFAULT_DPI
    if not 50 <= dpi <= 1200:
        raise TrivselError(
            _("opløsningen {dpi} dpi går ikke").format(dpi=dpi), _("vælg mellem 50 og 1200, fx --dpi 300")
        )
    return dpi


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


def size_label(n: int) -> str:
    """``n=12``, or ``n=3*`` for a small group."""
    return f"n={n}*" if n < SMALL else f"n={n}"


def group_label(result: Any, group: tuple, lang: str, pseudonymizer: Any = None) -> str:
    """The legend's label: the group's values and its size, ``Holstebro (n=12)``; ``(ukendt) (n=2*)``."""
    text = " · ".join(value_label(n, v, lang) for n, v in zip(result.by, group))
    if pseudonymizer is not None:
        text = pseudonymizer.text(text)
    return f"{text} ({size_label(result.group_sizes.get(group, 0))})"


def shown_groups(result: Any, measure: str, min_n: int | None = None) -> tuple[list[tuple], list[tuple]]:
    """The groups drawn and those left out.

    Left out: a group under ``min_n`` participants; without ``min_n``, the unknown value's group when it
    has fewer than :data:`SMALL` (a handful of people without a value say nothing about the attribute,
    and one of them would be drawn as 100 %); with the share as measure, a group without participants.
    """
    groups = result.groups or [()]
    if not result.by:
        return list(groups), []
    shown, left_out = [], []
    for g in groups:
        n = result.group_sizes.get(g, 0)
        unknown = all(v is None or v == "" for v in g)
        small = n < min_n if min_n is not None else (unknown and n < SMALL)
        if small or (measure == "share" and n == 0):
            left_out.append(g)
        else:
            shown.append(g)
    return shown, left_out


def _draw_bars(
    ax: Any,
    result: Any,
    groups: list[tuple],
    values: dict[tuple[str, tuple], float],
    measure: str,
    lang: str,
    pseudonymizer: Any,
    narrow: bool = False,
) -> None:
    """One bar per code for each group, its own grey and hatching, with its value beside it when few."""
    _ = gettext_for(lang)
    codes = result.codes
    n_codes, n_groups = len(codes), max(len(groups), 1)
    bar = 0.8 / n_groups
    for j, g in enumerate(groups):
        ys = [i + (j - (n_groups - 1) / 2) * bar for i in range(n_codes)]
        xs = [values.get((c.key, g), 0) for c in codes]
        label = group_label(result, g, lang, pseudonymizer) if result.by else _(_AXIS["all"])
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
            ax.bar_label(bars, labels=[fmt_value(x) for x in xs], padding=2, fontsize=5 if narrow else 7)


def _label_axes(
    ax: Any,
    result: Any,
    groups: list[tuple],
    values: dict[tuple[str, tuple], float],
    measure: str,
    lang: str,
    title: str | None,
    names: dict[str, str],
    narrow: bool,
) -> None:
    """The code names, the measure's axis and grid, the heading and (with groups) the legend."""
    _ = gettext_for(lang)
    codes = result.codes
    ax.set_yticks(range(len(codes)))
    ax.set_yticklabels(
        [_code_label(c.key, names.get(c.key, c.name), 24 if narrow else 34) for c in codes], fontsize=6 if narrow else 8
    )
    if narrow:
        ax.tick_params(axis="x", labelsize=6)
    ax.invert_yaxis()
    xlabel = _(_AXIS[measure])
    if not result.by:  # the one group's size goes on the axis
        xlabel += f" · {size_label(sum(result.group_sizes.values()))}"
    ax.set_xlabel(xlabel, fontsize=7 if narrow else None)
    if measure != "share":
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if measure == "share":
        top = max([v for (_k, g), v in values.items() if g in groups] + [10])
        ax.set_xlim(0, min(100, top * 1.15) if top < 87 else 100)
    ax.xaxis.grid(True, color="0.85", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    themes = codes and all(c.kind == "tema" for c in codes)
    heading = title or _(_AXIS["themes" if themes else "codes"])
    if result.by and not title:
        by = ", ".join(attribute_label(n, lang).lower() for n in result.by)
        heading = _("{heading} fordelt på {by}").format(heading=heading, by=by)
    inches = float(ax.figure.get_size_inches()[0])
    heading = textwrap.fill(heading, width=max(24, int(inches * (11 if narrow else 9))))
    ax.set_title(heading, fontsize=11 if not narrow else 8, loc="left")
    if result.by and groups:
        if narrow:  # a journal column: the legend under the bars
            ax.legend(
                loc="upper center",
                bbox_to_anchor=(0.5, -0.2),
                ncol=min(len(groups), 2),
                fontsize=6,
                frameon=False,
            )
        else:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=True, edgecolor="0.5")


def footnotes(
    result: Any, shown: list[tuple], left_out: list[tuple], min_n: int | None, lang: str, pseudonymizer: Any
) -> list[str]:
    """The chart's notes: what the asterisk means, which groups were left out."""
    _ = gettext_for(lang)
    notes = []
    if result.by and any(result.group_sizes.get(g, 0) < SMALL for g in shown):
        notes.append(_("* færre end {n} deltagere i gruppen: tallene er usikre.").format(n=SMALL))
    if left_out:
        labels = ", ".join(group_label(result, g, lang, pseudonymizer) for g in left_out)
        least = min_n if min_n is not None else SMALL
        notes.append(_("Udeladt (færre end {n} deltagere eller ingen): {groups}.").format(n=least, groups=labels))
    return notes


def frequency_chart(
    result: Any,
    fmt: str = "png",
    lang: str = "da",
    measure: str = "share",
    title: str | None = None,
    pseudonymizer: Any = None,
    *,
    dpi: int | None = None,
    size: str | None = None,
    min_n: int | None = None,
    names: dict[str, str] | None = None,
) -> bytes:
    """The chart of a :class:`FrequencyResult` as PNG, SVG or PDF bytes (group labels pseudonymised if asked).

    ``size`` is ``"WIDTHxHEIGHT"`` in centimetres; ``dpi`` a PNG's resolution; groups under ``min_n``
    participants are left out; ``names`` are the codes' names in ``lang`` (else the stored names).
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib import rcParams

    if min_n is not None and min_n < 0:
        raise TrivselError(_("--min-n skal være 0 eller mere"), _("fx --min-n 5"))
    resolution = check_dpi(dpi)
    cm = parse_size(size)
    values = _values(result, measure)
    shown, left_out = shown_groups(result, measure, min_n)
    if result.by and not shown:
        raise TrivselError(_("ingen gruppe har mindst {n} deltagere").format(n=min_n), _("vælg en mindre --min-n"))
    notes = footnotes(result, shown, left_out, min_n, lang, pseudonymizer)
    n_codes, n_groups = len(result.codes), max(len(shown), 1)
    if cm is not None:
        figsize = (cm[0] * CM, cm[1] * CM)
    else:
        figsize = (9, max(2.5, 0.9 + n_codes * (0.25 + 0.22 * n_groups) + 0.25 * len(notes)))
    narrow = cm is not None and cm[0] < 12  # a journal's column: legend under the bars, smaller type
    rcParams["svg.hashsalt"] = "trivselkode"
    rcParams["svg.fonttype"] = "none"  # text stays text in SVG: editable and searchable
    rcParams["hatch.linewidth"] = 0.8
    fig, ax = plt.subplots(figsize=figsize)
    try:
        _draw_bars(ax, result, shown, values, measure, lang, pseudonymizer, narrow)
        _label_axes(ax, result, shown, values, measure, lang, title, names or {}, narrow)
        bottom = 0.0
        if notes:
            text = "\n".join(textwrap.fill(n, width=max(30, int(figsize[0] * 14))) for n in notes)
            fig.text(0.01, 0.01, text, fontsize=7 if narrow else 8, ha="left", va="bottom")
            bottom = min(0.4, (0.16 * (text.count("\n") + 1)) / figsize[1])
        fig.tight_layout(rect=(0, bottom, 1, 1))
        buf = io.BytesIO()
        if fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None})
        elif fmt == "pdf":
            fig.savefig(buf, format="pdf", metadata={"CreationDate": None, "Creator": None, "Producer": None})
        else:
            fig.savefig(buf, format="png", dpi=resolution, metadata={"Software": None})
        return buf.getvalue()
    finally:
        plt.close(fig)
