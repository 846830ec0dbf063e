"""How ``trivselkode agreement`` prints its figures: per code, or per source × code (``--by-source``).

Tables for people (Rich, data shown literally), CSV in long form for
spreadsheets; JSON is the reports' own ``as_json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trivselkode.cli.common import emit_data, note, plain_console
from trivselkode.i18n import _, format_number

if TYPE_CHECKING:
    from trivselkode.analysis.agreement_by_source import BySourceReport
    from trivselkode.analysis.icr import AgreementReport, CodeAgreement

FIELDS = [
    "code",
    "name",
    "units",
    "agreement",
    "cohen_kappa",
    "krippendorff_alpha",
    "brennan_prediger",
    "disagreements",
    "undefined",
]


def num(x: float | None) -> str:
    """A coefficient for people: three decimals in the interface's locale (0,978 or 0.978)."""
    return "–" if x is None else format_number(x, 3)


def _undefined_text(undefined: dict[str, str] | None) -> str:
    return "; ".join(f"{k}: {v}" for k, v in (undefined or {}).items())


def _say_meaning(meaning: dict[str, Any] | None) -> None:
    if meaning:
        note(str(meaning["text"]))


def per_code_csv(report: AgreementReport, tsv: bool = False) -> None:
    from trivselkode.domain.cells import csv_text
    from trivselkode.export.tsv import csv_to_tsv

    rows = [c.__dict__ for c in report.codes] + [{**report.pooled.__dict__, "code": "samlet", "name": ""}]
    text = csv_text([*FIELDS, "note"], [{**r, "undefined": _undefined_text(r["undefined"])} for r in rows])
    emit_data(csv_to_tsv(text) if tsv else text)


def per_code_table(report: AgreementReport) -> None:
    from rich.table import Table

    table = Table(
        _("Kode"), _("Enheder"), _("Enighed"), _("Cohens κ"), _("Kripp. α"), _("B–P κ"), _("Uenige"),
        title=_("Kodere: {coders} · enhed: {unit}").format(coders=", ".join(report.coders), unit=report.unit),
    )  # fmt: skip
    rows: list[tuple[str, CodeAgreement]] = [(c.code, c) for c in report.codes] + [(_("samlet"), report.pooled)]
    for label, r in rows:
        table.add_row(
            label,
            str(r.units),
            num(r.agreement),
            num(r.cohen_kappa),
            num(r.krippendorff_alpha),
            num(r.brennan_prediger),
            str(r.disagreements),
        )
    plain_console().print(table)
    for label, r in rows:
        if r.undefined:
            undefined = "; ".join(
                _("{measure} ikke defineret ({why})").format(measure=k, why=v) for k, v in r.undefined.items()
            )
            note(f"{label}: {undefined}")
        if r.note:
            note(f"{label}: {r.note}")
    _say_meaning(report.meaning)


def by_source_csv(report: BySourceReport, tsv: bool = False) -> None:
    from trivselkode.domain.cells import csv_text
    from trivselkode.export.tsv import csv_to_tsv

    rows = []
    for src in report.sources:
        for c in [*src.codes, src.pooled]:
            row = {**c.__dict__, "source": src.source, "title": src.title}
            if c is src.pooled:
                row.update(code="samlet", name="")
            rows.append({**row, "undefined": _undefined_text(c.undefined)})
    text = csv_text(["source", "title", *FIELDS, "note"], rows)
    emit_data(csv_to_tsv(text) if tsv else text)


def _cell(c: CodeAgreement | None) -> str:
    if c is None:
        return ""
    mark = "!" if c.note else ""
    return f"{num(c.krippendorff_alpha)} ({c.disagreements}){mark}"


def by_source_table(report: BySourceReport) -> None:
    """Sources down, codes across; each cell Krippendorff's α and (disagreements); ``!`` where a note applies."""
    from rich import box
    from rich.table import Table

    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
        title=_("Enighed pr. kilde · kodere: {coders} · enhed: {unit}").format(
            coders=", ".join(report.coders), unit=report.unit
        ),
        caption=_("Celle: Krippendorffs α (antal uenige enheder); – ikke defineret; ! se noten"),
    )
    table.add_column(_("Kilde"), no_wrap=True, min_width=min(20, max(len(s.source) for s in report.sources)))
    table.add_column(_("Enh."), justify="right", no_wrap=True, min_width=4)
    for key in [*(k for k, _name in report.codes), _("samlet")]:
        table.add_column(key, justify="right", no_wrap=True)
    for src in report.sources:
        by_key = {c.code: c for c in src.codes}
        table.add_row(
            src.source, str(src.units), *[_cell(by_key.get(key)) for key, _n in report.codes], _cell(src.pooled)
        )
    plain_console().print(table)
    for src in report.sources:
        for c in [*src.codes, src.pooled]:
            label = f"{src.source} · {_('samlet') if c is src.pooled else c.code}"
            if c.note:
                note(f"{label}: {c.note}")
    _say_meaning(report.meaning)
