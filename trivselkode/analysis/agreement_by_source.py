"""Agreement per source and code: which interview needs another look.

The units are those of :func:`trivselkode.analysis.icr.agreement_report`
(the same coders, codes, sources, ``all_passages`` and unit), split by the
source each unit comes from; every figure comes from the one implementation
of the coefficients (:func:`~trivselkode.analysis.kappa.binary_agreement`).
A code nobody used anywhere is left out (unless named in ``codes``), as in
the per-code report; in each source every remaining code has a cell, so the
table is a full source × code grid. Span units are matched within each
source's passages, as in the whole report (segments never match across
passages). The pooled figure of a source treats each (unit, code) pair of
that source as one unit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sqlmodel import col, select

from trivselkode.analysis.agreement_meaning import general, row_note
from trivselkode.analysis.icr import CodeAgreement, Segments, Units, build_units, span_units, unit_segments
from trivselkode.analysis.kappa import binary_agreement
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.storage.db import Project
from trivselkode.storage.models import Passage, Source


@dataclass
class SourceAgreement:
    """One source's row: per code, and pooled over its codes."""

    source: str
    title: str
    units: int  # the source's passages (passage units) or its matched segments pooled over codes (span units)
    codes: list[CodeAgreement]
    pooled: CodeAgreement

    def as_json(self) -> dict[str, Any]:
        pooled = asdict(self.pooled)
        pooled.pop("code")
        pooled.pop("name")
        return {
            "source": self.source,
            "title": self.title,
            "units": self.units,
            "disagreements": self.pooled.disagreements,
            "pooled": pooled,
            "codes": [asdict(c) for c in self.codes],
        }


@dataclass
class BySourceReport:
    coders: list[str]
    unit: str
    overlap: float | None
    codes: list[tuple[str, str]]  # (key, name) of the columns, in codebook order
    sources: list[SourceAgreement]
    notes: list[str] = field(default_factory=list)
    meaning: dict[str, Any] | None = None

    def cell(self, source: str, code: str) -> CodeAgreement | None:
        """The figures of one code in one source (``*``: the source pooled)."""
        row = next((r for r in self.sources if r.source == source), None)
        if row is None:
            return None
        if code == "*":
            return row.pooled
        return next((c for c in row.codes if c.code == code), None)

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "coders": self.coders,
            "unit": self.unit,
            "codes": [{"code": k, "name": n} for k, n in self.codes],
            "sources": [s.as_json() for s in self.sources],
            "notes": self.notes,
        }
        if self.overlap is not None:
            doc["overlap"] = self.overlap
        if self.meaning is not None:
            doc["meaning"] = self.meaning
        return doc


def _figures(key: str, name: str, matrix: np.ndarray, unit: str) -> CodeAgreement:
    row = CodeAgreement.of(key, name, binary_agreement(matrix))
    row.note = row_note(row, unit)
    return row


def _sub_units(units: Units, columns: list[int], source: str) -> Units:
    """The units of one source: the given columns of every matrix."""
    return Units(
        coders=units.coders,
        passage_ids=[units.passage_ids[j] for j in columns],
        sources=[source],
        matrices={cid: m[:, columns] for cid, m in units.matrices.items()},
        codes=units.codes,
        notes=units.notes,
    )


def agreement_by_source(
    project: Project,
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    sources: list[str] | None = None,
    all_passages: bool = False,
    unit: str = "passage",
    overlap: float = 0.9,
) -> BySourceReport:
    """Agreement per source × code (see the module docstring)."""
    if unit not in ("passage", "span"):
        raise TrivselError(_("ukendt enhed '{unit}'").format(unit=unit), _("brug --unit passage eller --unit span"))
    units = build_units(project, coders, codes, sources, all_passages)
    if not units.passage_ids:
        raise TrivselError(
            _("der er ingen enheder at sammenligne"),
            _("markér kilderne færdige for alle kodere (`trivselkode sources done`), eller brug --all"),
        )
    used = {cid: kn for cid, kn in units.codes.items() if codes or (units.matrices[cid] == 1).any()}
    with project.read() as s:
        where = dict(s.exec(select(Passage.id, Passage.source_id).where(col(Passage.id).in_(units.passage_ids))).all())
        names = {sid: (name, title) for sid, name, title in s.exec(select(Source.id, Source.name, Source.title))}
    columns: dict[int, list[int]] = {}
    for j, pid in enumerate(units.passage_ids):
        columns.setdefault(where[pid], []).append(j)
    by_source: dict[int, Segments] = {}
    if unit == "span":  # read once, matched per source
        for code_id, segs in unit_segments(units, project).items():
            for seg in segs:
                by_source.setdefault(where[seg[1]], {}).setdefault(code_id, []).append(seg)
    rows = []
    for sid, cols in sorted(columns.items(), key=lambda kv: names[kv[0]][0]):
        name, title = names[sid]
        sub = _sub_units(units, cols, name)
        if unit == "span":
            sub = span_units(sub, project, overlap, segments=by_source.get(sid, {}))
        cells = [_figures(key, code_name, sub.matrices[cid], unit) for cid, (key, code_name) in used.items()]
        pooled_matrix = (
            np.concatenate([sub.matrices[cid] for cid in used], axis=1)
            if used
            else np.zeros((len(units.coders), 0), dtype=np.int8)
        )
        pooled = _figures("*", "samlet", pooled_matrix, unit)
        count = len(cols) if unit == "passage" else int(pooled_matrix.shape[1])
        rows.append(SourceAgreement(name, title, count, cells, pooled))
    notes = list(units.notes)
    if unit == "span":
        notes.append(
            _("spænd-enheder er parret inden for hver kilde (mindst {value:g} % overlap)").format(value=overlap * 100)
        )
    report = BySourceReport(
        coders=units.coders,
        unit=unit,
        overlap=overlap if unit == "span" else None,
        codes=list(used.values()),
        sources=rows,
        notes=notes,
    )
    negative = any(
        c.krippendorff_alpha is not None and c.krippendorff_alpha < 0 for r in rows for c in [*r.codes, r.pooled]
    )
    report.meaning = general(unit, overlap, negative)
    return report


__all__ = ["BySourceReport", "SourceAgreement", "agreement_by_source"]
