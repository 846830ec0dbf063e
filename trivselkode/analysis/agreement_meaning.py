"""What an agreement figure means, said beside it: above all for span units (``--unit span``).

With span units there are no units on which every coder left the code out,
so the chance-corrected coefficients run lower than on passages, and a code
with a handful of segments gives a figure that says little. A negative α is
not an error but systematic disagreement: the coders agree less than chance
would make them. :func:`explain` writes that into the report: a ``note`` on
each row it concerns and a ``meaning`` for the whole (Danish, as the notes;
the machine-readable parts beside the text).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trivselkode.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from trivselkode.analysis.icr import AgreementReport, CodeAgreement

#: Fewer span units than this on a code: its figure is not meaningful.
MIN_SPAN_UNITS = 10

NEGATIVE = N_("α under 0: systematisk uenighed (mindre enighed end ved tilfældighed)")


def few_units(units: int) -> str:
    return ngettext(
        "kun {n} spænd-enhed (under {least}): siger ikke meget",
        "kun {n} spænd-enheder (under {least}): siger ikke meget",
        units,
    ).format(n=units, least=MIN_SPAN_UNITS)


def row_note(row: CodeAgreement, unit: str) -> str | None:
    """The warning for one row (a code, a source's code, or the pooled row), or None when it needs none."""
    parts = []
    if unit == "span" and row.units < MIN_SPAN_UNITS:
        parts.append(few_units(row.units))
    alpha = row.krippendorff_alpha
    if alpha is not None and alpha < 0:
        parts.append(_(NEGATIVE))
    return "; ".join(parts) or None


def span_text(overlap: float) -> str:
    """What a span figure means, in two sentences (shown under the table and in JSON)."""
    return _(
        "Spænd-enheder: segmenter af samme kode med mindst {overlap:g} % overlap er én enhed, "
        "alle andre hver sin; der er ingen enheder, hvor alle har udeladt koden, så κ og α bliver lavere end på "
        "udsagn. Under {least} enheder siger tallet ikke meget; et negativt α betyder systematisk "
        "uenighed (mindre enighed end ved tilfældighed), ikke en fejl."
    ).format(overlap=overlap * 100, least=MIN_SPAN_UNITS)


def general(unit: str, overlap: float, negative: bool) -> dict[str, Any] | None:
    """What the figures mean in general: for span units always, for passages only when some α is negative."""
    if unit != "span" and not negative:
        return None
    if unit == "span":
        return {"unit": unit, "overlap": overlap, "min_units": MIN_SPAN_UNITS, "text": span_text(overlap)}
    text = _(NEGATIVE)
    return {"unit": unit, "text": text[0].upper() + text[1:] + "."}


def meaning(rows: list[CodeAgreement], pooled: CodeAgreement, unit: str, overlap: float) -> dict[str, Any] | None:
    """The ``meaning`` of a report: :func:`general`, and which codes' figures say little or are negative."""
    negative = [r.code for r in [*rows, pooled] if r.krippendorff_alpha is not None and r.krippendorff_alpha < 0]
    doc = general(unit, overlap, bool(negative))
    if doc is None:
        return None
    if unit == "span":
        doc["meaningful"] = pooled.units >= MIN_SPAN_UNITS
    doc["not_meaningful"] = [r.code for r in rows if unit == "span" and r.units < MIN_SPAN_UNITS]
    doc["negative_alpha"] = ["samlet" if c == "*" else c for c in negative]
    return doc


def explain(report: AgreementReport, overlap: float) -> None:
    """Set each row's ``note`` and the report's ``meaning``."""
    for row in [*report.codes, report.pooled]:
        row.note = row_note(row, report.unit)
    report.overlap = overlap if report.unit == "span" else None
    report.meaning = meaning(report.codes, report.pooled, report.unit, overlap)


__all__ = ["MIN_SPAN_UNITS", "NEGATIVE", "explain", "general", "meaning", "row_note", "span_text"]
