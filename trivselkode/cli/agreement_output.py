"""How ``trivselkode agreement`` prints its figures: per code, or per source × code (``--by-source``).

Tables for people (Rich, data shown literally), CSV in long form for
spreadsheets; JSON is the reports' own ``as_json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trivselkode.cli.common import emit_data, note, plain_console

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
    return "–" if x is None else f"{x:.3f}"


def _undefined_text(undefined: dict[str, str] | None) -> str:
    return "; ".join(f"{k}: {v}" for k, v in (undefined or {}).items())


def _say_meaning(meaning: dict[str, Any] | None) -> None:
    if meaning:
        note(str(meaning["text"]))


def per_code_csv(report: AgreementReport) -> None:
    from trivselkode.domain.cells import csv_text

    rows = [c.__dict__ for c in report.codes] + [{**report.pooled.__dict__, "code": "samlet", "name": ""}]
    emit_data(csv_text([*FIELDS, "note"], [{**r, "undefined": _undefined_text(r["undefined"])} for r in rows]))


def per_code_table(report: AgreementReport) -> None:
    from rich.table import Table

    table = Table(
        "Kode", "Enheder", "Enighed", "Cohens κ", "Kripp. α", "B–P κ", "Uenige",
        title=f"Kodere: {', '.join(report.coders)} · enhed: {report.unit}",
    )  # fmt: skip
    rows: list[tuple[str, CodeAgreement]] = [(c.code, c) for c in report.codes] + [("samlet", report.pooled)]
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
            note(f"{label}: " + "; ".join(f"{k} ikke defineret ({v})" for k, v in r.undefined.items()))
        if r.note:
            note(f"{label}: {r.note}")
    _say_meaning(report.meaning)


def by_source_csv(report: BySourceReport) -> None:
    from trivselkode.domain.cells import csv_text

    rows = []
    for src in report.sources:
        for c in [*src.codes, src.pooled]:
            row = {**c.__dict__, "source": src.source, "title": src.title}
            if c is src.pooled:
                row.update(code="samlet", name="")
            rows.append({**row, "undefined": _undefined_text(c.undefined)})
    emit_data(csv_text(["source", "title", *FIELDS, "note"], rows))


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
        title=f"Enighed pr. kilde · kodere: {', '.join(report.coders)} · enhed: {report.unit}",
        caption="Celle: Krippendorffs α (antal uenige enheder); – ikke defineret; ! se noten",
    )
    table.add_column("Kilde", no_wrap=True, min_width=min(20, max(len(s.source) for s in report.sources)))
    table.add_column("Enh.", justify="right", no_wrap=True, min_width=4)
    for key in [*(k for k, _name in report.codes), "samlet"]:
        table.add_column(key, justify="right", no_wrap=True)
    for src in report.sources:
        by_key = {c.code: c for c in src.codes}
        table.add_row(
            src.source, str(src.units), *[_cell(by_key.get(key)) for key, _n in report.codes], _cell(src.pooled)
        )
    plain_console().print(table)
    for src in report.sources:
        for c in [*src.codes, src.pooled]:
            label = f"{src.source} · {'samlet' if c is src.pooled else c.code}"
            if c.note:
                note(f"{label}: {c.note}")
    _say_meaning(report.meaning)
