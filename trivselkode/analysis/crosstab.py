"""Crosstab: codes × the values of one attribute, n and % per cell.

The counts are those of the frequency report with ``--by`` (one attribute):
a cell's ``n`` is the number of participants of the group (never
interviewers) who said a passage carrying the code, and its ``share`` is
``n`` over the group's participants — the share the frequencies report as
``share``. The group sizes head the columns; a *total* column counts every
participant. A participant without a value for the attribute belongs to the
group ``None`` ("(ukendt)"), a group of its own, shown last.

Whose codings count is a :class:`~trivselkode.analysis.basis.Selection`, as
in every report (the consensus by default when none of its disagreements is
open, else the union).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trivselkode.analysis.attributes import AgeBands, known_attributes, parse_by
from trivselkode.analysis.basis import Selection
from trivselkode.analysis.frequencies import CodeInfo, frequencies_of, load_project_data
from trivselkode.errors import TrivselError
from trivselkode.i18n import _


@dataclass(frozen=True)
class Cell:
    n: int  # participants of the group who said a passage carrying the code
    share: float  # n over the group's participants, 0–1 (JSON: four decimals); 0 for an empty group


@dataclass
class Crosstab:
    attribute: str
    codes: list[CodeInfo]
    groups: list[Any]  # the attribute's values, sorted; None is the unknown value (last)
    sizes: list[int]  # participants in each group (interviewers not counted)
    total: int  # participants in all
    cells: list[list[Cell]]  # per code, per group
    totals: list[Cell]  # per code, over all participants
    selection: Selection
    rollup: bool = False
    open_disagreements: int | None = None  # consensus only: passages of the table's codes still open

    def records(self, value_label: Any = None) -> dict[str, Any]:
        """The JSON document (see ``trivselkode report crosstab --help`` and the README)."""
        label = value_label or (lambda v: v)
        doc: dict[str, Any] = {
            "attribute": self.attribute,
            "measure": "participants",
            "basis": self.selection.mode,
            "groups": [{"value": g, "label": label(g), "n": n} for g, n in zip(self.groups, self.sizes)],
            "total": self.total,
            "rows": [
                {
                    "code": code.key,
                    "name": code.name,
                    "cells": [{"value": g, "n": c.n, "share": round(c.share, 4)} for g, c in zip(self.groups, row)],
                    "total": {"n": tot.n, "share": round(tot.share, 4)},
                }
                for code, row, tot in zip(self.codes, self.cells, self.totals)
            ],
        }
        if self.open_disagreements is not None:
            doc["open_disagreements"] = self.open_disagreements
        return doc


def compute_crosstab(
    project: Any,
    *,
    by: str | Sequence[str],
    codes: str | Sequence[str] | None = None,
    rollup: bool = False,
    age_bands: AgeBands | None = None,
    coder: str | None = None,
    union: bool = False,
    consensus: bool = False,
    coders: str | Sequence[str] | None = None,
) -> Crosstab:
    """The crosstab of ``codes`` (default: every live code) by the one attribute ``by``."""
    age_bands = age_bands or AgeBands()
    data = load_project_data(project, coder=coder, union=union, consensus=consensus, coders=coders, age_bands=age_bands)
    names = parse_by(by, known_attributes(data.participants.values()))
    if len(names) != 1:
        raise TrivselError(
            _("en krydstabel fordeler på én egenskab"), _("angiv én egenskab, fx --by site (eller gender, age_band …)")
        )
    attribute = names[0]
    chosen = data.book.resolve(codes)
    grouped = frequencies_of(data, chosen, [attribute], age_bands, rollup)
    whole = frequencies_of(data, chosen, [], age_bands, rollup)
    groups = [g[0] for g in grouped.groups]
    sizes = [grouped.group_sizes.get(g, 0) for g in grouped.groups]
    index = {(r["code"], r[attribute]): r for r in grouped.rows}
    total = sum(sizes)

    def cell(n: int, size: int) -> Cell:
        return Cell(n, n / size if size else 0.0)

    cells = [[cell(index[(c.key, g)]["participants"], n) for g, n in zip(groups, sizes)] for c in chosen]
    by_code = {r["code"]: r for r in whole.rows}
    totals = [cell(by_code[c.key]["participants"], total) for c in chosen]
    open_count = None
    if data.selection.mode == "consensus":
        open_count = sum(int(r.get("open_disagreements", 0)) for r in whole.rows)
    return Crosstab(
        attribute,
        list(chosen),
        groups,
        sizes,
        total,
        cells,
        totals,
        data.selection,
        rollup,
        open_count,
    )
