"""Code × code co-occurrence on passages, and the participant × code matrix.

Co-occurrence: for a row code and a column code, the number of passages that
carry both under the selection (one coder, the consensus, or the union; the
default as for frequencies). With the consensus as basis, each cell also
counts the passages among them where either code is an open disagreement. Rows and columns are each a kind (``tema``,
``behov``, …, or the aliases ``themes``, ``needs``, ``qualities``,
``environment``) or a comma list of code keys; the default is themes × needs.
A code with codes below it that nobody coded directly is left out of a kind
(it only groups), unless ``rollup`` counts its descendants for it.

Matrix: one row per participant (never interviewers) with their source,
label and attributes, and one 0/1 column per code: 1 when any of their
passages carries the code under the selection. With the consensus as basis,
each row also knows the open disagreements on that participant's passages
(its JSON rows carry ``open_disagreements``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from trivselkode.analysis.arrays import CodingArrays, unique_sorted
from trivselkode.analysis.attributes import STANDARD_ATTRIBUTES, AgeBands, known_attributes
from trivselkode.analysis.basis import Selection
from trivselkode.analysis.frequencies import KIND_ALIASES, Codebook, CodeInfo, ProjectData, load_project_data
from trivselkode.storage.db import Project

MATRIX_FIXED = ("source", "participant")


@dataclass
class Cooccurrence:
    rows: list[CodeInfo]
    cols: list[CodeInfo]
    counts: np.ndarray  # len(rows) × len(cols)
    selection: Selection
    open_counts: np.ndarray | None = None  # consensus only: of counts, passages where either code is open

    def records(self) -> list[dict[str, Any]]:
        """JSON rows: one per cell, zeros included."""
        out = []
        for i, r in enumerate(self.rows):
            for j, c in enumerate(self.cols):
                cell = {
                    "row": r.key,
                    "row_name": r.name,
                    "col": c.key,
                    "col_name": c.name,
                    "passages": int(self.counts[i, j]),
                }
                if self.open_counts is not None:
                    cell["open_disagreements"] = int(self.open_counts[i, j])
                out.append(cell)
        return out


def _is_kind(book: Codebook, spec: str) -> bool:
    token = spec.strip()
    return token not in book.by_key and KIND_ALIASES.get(token.lower(), token) in book.kinds()


def _pairs(
    data: ProjectData, codes: Sequence[CodeInfo], rollup: bool, codings: CodingArrays | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Unique (code index, passage id) pairs of the selection (or of ``codings``), as two arrays."""
    r, passage, _ = (data.codings if codings is None else codings).mapped(data.book, codes, rollup)
    span = int(data.passages.participant.size)
    keys = unique_sorted(r * span + passage)
    return keys // span, keys % span


def compute_cooccurrence(
    project: Project,
    *,
    rows: str | Sequence[str] | None = "tema",
    cols: str | Sequence[str] | None = "behov",
    coder: str | None = None,
    union: bool = False,
    consensus: bool = False,
    coders: str | Sequence[str] | None = None,
    rollup: bool = False,
) -> Cooccurrence:
    data = load_project_data(project, coder=coder, union=union, consensus=consensus, coders=coders)
    book = data.book
    row_codes = book.resolve(rows or "tema")
    col_codes = book.resolve(cols or "behov")
    every = list(dict.fromkeys([*row_codes, *col_codes]))
    code_idx, passage = _pairs(data, every, rollup)
    coded = set(code_idx.tolist())

    def keep(codes: list[CodeInfo], spec: Any) -> list[CodeInfo]:
        specs = [spec] if isinstance(spec, str) else list(spec or ["tema"])
        by_kind = all(_is_kind(book, part) for s in specs for part in s.split(",") if part.strip())
        if not by_kind or rollup:
            return codes
        return [c for c in codes if not book.has_children(c.id) or every.index(c) in coded]

    row_codes, col_codes = keep(row_codes, rows), keep(col_codes, cols)
    # A passage × code incidence, then rows' columns multiplied out.
    passages = unique_sorted(passage)
    p_index = np.searchsorted(passages, passage)
    incidence = np.zeros((len(every), max(passages.size, 1)), dtype=np.int32)
    if passage.size:
        incidence[code_idx, p_index] = 1
    ri = [every.index(c) for c in row_codes]
    ci = [every.index(c) for c in col_codes]

    def product(m: np.ndarray) -> np.ndarray:
        return np.asarray(m[ri] @ m[ci].T if ri and ci else np.zeros((len(ri), len(ci))), dtype=np.int64)

    counts = product(incidence)
    open_counts = None
    if data.selection.mode == "consensus":
        # A cell's passages where neither code is open are the product of the firm incidence.
        firm = incidence.copy()
        o_idx, o_passage = _pairs(data, every, rollup, data.open_codings())
        known = np.isin(o_passage, passages)
        firm[o_idx[known], np.searchsorted(passages, o_passage[known])] = 0
        open_counts = counts - product(firm)
    return Cooccurrence(row_codes, col_codes, counts, data.selection, open_counts)


# ---------------------------------------------------------------- matrix


@dataclass
class Matrix:
    columns: list[str]  # source, participant, attributes..., code keys
    attributes: list[str]
    codes: list[CodeInfo]
    rows: list[dict[str, Any]]
    selection: Selection
    open_counts: list[int] | None = None  # consensus only: per row, the open disagreements on its passages


def compute_matrix(
    project: Project,
    *,
    codes: str | Sequence[str] | None = None,
    coder: str | None = None,
    union: bool = False,
    consensus: bool = False,
    coders: str | Sequence[str] | None = None,
    rollup: bool = False,
    age_bands: AgeBands | None = None,
) -> Matrix:
    data = load_project_data(project, coder=coder, union=union, consensus=consensus, coders=coders, age_bands=age_bands)
    chosen = data.book.resolve(codes)
    code_idx, passage = _pairs(data, chosen, rollup)
    people = data.passages.participant[passage] if passage.size else passage
    present = set(zip(people.tolist(), code_idx.tolist()))
    attributes = [a for a in known_attributes(data.participants.values()) if a not in ("source", "role")]
    keys = [c.key for c in chosen]
    clash = set(keys) & (set(attributes) | set(MATRIX_FIXED))
    if clash:
        attributes = [a for a in attributes if a not in clash]
    participants = sorted(
        (p for p in data.participants.values() if not p.is_interviewer),
        key=lambda p: (p.source, p.label),
    )
    rows = []
    for p in participants:
        row: dict[str, Any] = {"source": p.source, "participant": p.label}
        for name in attributes:
            row[name] = p.attrs.get(name)
        for i, key in enumerate(keys):
            row[key] = 1 if (p.id, i) in present else 0
        rows.append(row)
    standard = [a for a in STANDARD_ATTRIBUTES if a in attributes]
    ordered_attrs = standard + [a for a in attributes if a not in standard]
    open_counts = None
    if data.selection.mode == "consensus":
        # Distinct open (passage, code) pairs of the chosen codes (and, rolled up, the codes below them).
        opened = data.open_codings()
        counted = {m for c in chosen for m in (data.book.subtree(c.id) if rollup else [c.id])}
        keep = np.isin(opened.code, np.fromiter(counted, dtype=np.int64, count=len(counted)))
        per_person = np.bincount(
            data.passages.participant[opened.passage[keep]], minlength=max(data.participants, default=0) + 1
        )
        open_counts = [int(per_person[p.id]) for p in participants]
    return Matrix([*MATRIX_FIXED, *ordered_attrs, *keys], ordered_attrs, chosen, rows, data.selection, open_counts)
