"""How Enighed says its figures and settings: the coefficients' Danish names, numbers, why one is
undefined, what a figure means, the settings line and the line under the table."""

from __future__ import annotations

from rich.text import Text

from trivselkode.analysis import agreement as coefficients
from trivselkode.analysis.icr import AgreementReport, CodeAgreement
from trivselkode.i18n import N_, _
from trivselkode.tui.common.plain import inert_line

FIELD_LABELS = {
    "agreement": N_("Enighed"),
    "cohen_kappa": N_("Cohens κ"),
    "krippendorff_alpha": N_("Krippendorffs α"),
    "brennan_prediger": "Brennan–Prediger κ",
}

# The core gives its reasons in English (they go into JSON); the screen speaks Danish.
REASONS_DA = {
    coefficients.NO_PAIRABLE: N_("færre end to parrede værdier: ingen enhed er kodet af mindst to kodere"),
    coefficients.NO_VARIATION: N_("ingen variation: alle værdier er ens, så den forventede uenighed er 0"),
    coefficients.NO_UNITS: N_("ingen enheder at sammenligne"),
    coefficients.COHEN_NO_VARIATION: N_(
        "ingen variation: begge kodere har brugt samme værdi overalt, så tilfældig enighed er 1"
    ),
}


def number(x: float | None) -> str:
    """A coefficient as the table shows it (as the CLI prints it): three decimals, or "–" when undefined."""
    return "–" if x is None else f"{x:.3f}"


def undefined_reasons(row: CodeAgreement, coders: int) -> list[tuple[str, str]]:
    """(coefficient label, Danish reason) for every coefficient the row leaves undefined."""
    out = [(_(FIELD_LABELS.get(k, k)), _(REASONS_DA.get(v, v))) for k, v in (row.undefined or {}).items()]
    if row.cohen_kappa is None and "cohen_kappa" not in (row.undefined or {}) and coders != 2:
        out.append((_(FIELD_LABELS["cohen_kappa"]), _("gælder kun for præcis to kodere; se Krippendorffs α")))
    return out


def settings_line(
    coders: list[str], pair: tuple[str, str] | None, unit: str, overlap: float, all_passages: bool
) -> Text:
    """Which coders, which pair side by side, which unit, which passages, each with its key."""
    text = Text()
    text.append(_("Kodere "), style="dim")
    text.append(inert_line(", ".join(coders)) if coders else "–", style="bold")
    text.append(" [k]", style="dim")
    if pair and len(coders) > 2:
        text.append(_("  side om side "), style="dim")
        text.append(inert_line(f"{pair[0]} ↔ {pair[1]}"), style="bold")
        text.append(" [v]", style="dim")
    text.append(_("  ·  Enhed "), style="dim")
    if unit == "span":
        text.append(_("spænd ≥ {percent:g} %").format(percent=overlap * 100), style="bold")
        text.append(" [u, o]", style="dim")
    else:
        text.append(_("udsagn"), style="bold")
        text.append(" [u]", style="dim")
    text.append("  ·  ", style="dim")
    text.append(_("alle kodede udsagn") if all_passages else _("færdige kilder"), style="bold")
    text.append(" [a]", style="dim")
    return text


def details_text(
    report: AgreementReport, row: CodeAgreement, pair: tuple[str, str] | None, counts: tuple[int, int]
) -> Text:
    """The line under the table for the highlighted row: the pair's (disagreements, settled), why a figure
    is undefined, and what the figure means (a note on the row; the span units' meaning)."""
    text = Text()
    if row is report.pooled:
        text.append(_("samlet"), style="bold")
        text.append(_(" – alle {n} brugte koder under ét").format(n=len(report.codes)))
    else:
        text.append(inert_line(row.code), style="bold")
        text.append(f" {inert_line(row.name)}")
    text.append("\n")
    count, settled = counts
    if pair:
        a, b = pair
        text.append(inert_line(f"{a} ↔ {b}: "), style="dim")
        if count:
            text.append(
                _("{count} uenige udsagn, {settled} afgjort").format(count=count, settled=settled),
                style="bold" if settled < count else "green",
            )
            text.append(_(" · Enter: gennemgå"), style="dim")
        else:
            text.append(_("ingen uenigheder at afgøre"))
    for label, reason in undefined_reasons(row, len(report.coders)):
        text.append(_("\n{label} ikke defineret: ").format(label=label), style="yellow")
        text.append(inert_line(reason))
    if row.note:
        text.append("\n" + inert_line(row.note), style="yellow")
    if report.meaning:
        text.append("\n" + inert_line(report.meaning["text"]), style="dim italic")
    elif report.notes:
        text.append("\n" + inert_line(report.notes[-1]), style="dim italic")
    return text
