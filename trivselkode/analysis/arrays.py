"""Codings and passages as numpy arrays, read straight from the database.

Reports count with arrays, not ORM objects: every coding is one row of
parallel integer arrays (passage id, code id, coder id), read in one query
whose values the database joins into one string that numpy parses at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
from sqlmodel import Session

from trivselkode.storage.db import driver_connection

if TYPE_CHECKING:
    from trivselkode.analysis.frequencies import Codebook, CodeInfo


def raw_rows(session: Session, sql: str) -> list[tuple]:
    """Rows of a fixed SQL statement straight from the database driver.

    Skips SQLAlchemy's row processing, which costs more than the query itself
    on half a million rows. ``sql`` holds no parameters (integers only).
    """
    cursor = driver_connection(session)[0].cursor()
    try:
        cursor.execute(sql)
        return cast("list[tuple]", cursor.fetchall())
    finally:
        cursor.close()


def unique_sorted(a: np.ndarray) -> np.ndarray:
    """``np.unique`` for int64 arrays by sorting (faster for large arrays)."""
    if a.size == 0:
        return a
    s = np.sort(a)
    keep = np.empty(s.size, dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


@dataclass
class CodingArrays:
    """Every coding as parallel arrays: passage id, code id, coder id."""

    passage: np.ndarray
    code: np.ndarray
    coder: np.ndarray

    def of_coders(self, coder_ids: Sequence[int]) -> CodingArrays:
        """The codings of these coders only."""
        if not self.coder.size:
            return self
        wanted = np.zeros(int(max(self.coder.max(), *coder_ids)) + 1, dtype=bool)
        wanted[list(coder_ids)] = True
        mask = wanted[self.coder]
        if mask.all():
            return self
        return CodingArrays(self.passage[mask], self.code[mask], self.coder[mask])

    def mapped(
        self, book: Codebook, codes: Sequence[CodeInfo], rollup: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(index into codes, passage id, coder id)`` of the codings that count for ``codes``.

        With ``rollup`` a coding of a descendant counts for every chosen code above it.
        """
        parts_r, parts_p, parts_c = [], [], []
        size = int(self.code.max()) + 1 if self.code.size else 1
        lookup = np.full(max(size, max((c.id for c in codes), default=0) + 1), -1, dtype=np.int64)
        for i, code in enumerate(codes):
            if rollup and book.has_children(code.id):
                members = np.zeros(size, dtype=bool)
                members[[m for m in book.subtree(code.id) if m < size]] = True
                mask = members[self.code] if self.code.size else np.zeros(0, dtype=bool)
                parts_r.append(np.full(int(mask.sum()), i, dtype=np.int64))
                parts_p.append(self.passage[mask])
                parts_c.append(self.coder[mask])
            else:
                lookup[code.id] = i
        idx = lookup[self.code] if self.code.size else np.zeros(0, dtype=np.int64)
        mask = idx >= 0
        parts_r.append(idx[mask])
        parts_p.append(self.passage[mask])
        parts_c.append(self.coder[mask])
        return np.concatenate(parts_r), np.concatenate(parts_p), np.concatenate(parts_c)


def max_id(session: Session, table: str) -> int:
    value = raw_rows(session, f"SELECT MAX(id) FROM {table}")[0][0]
    return int(value or 0)


def int_column(session: Session, expr: str, table: str, where: str = "") -> np.ndarray:
    """One integer expression over a table's rows as an array.

    The database joins the values into one comma-separated string
    (``group_concat`` / ``string_agg``) that numpy parses at once: on half a
    million rows several times faster than fetching them row by row.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        agg = f"group_concat({expr}, ',')"
    elif dialect == "postgresql":
        agg = f"string_agg(CAST({expr} AS TEXT), ',')"
    else:
        rows = raw_rows(session, f"SELECT {expr} FROM {table} {where}")
        return np.array(rows, dtype=np.int64).reshape(-1)
    text = raw_rows(session, f"SELECT {agg} FROM {table} {where}")[0][0]
    if not text:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(text, sep=",", dtype=np.int64)


def load_coding_arrays(session: Session, coder_ids: Sequence[int] | None = None, condition: str = "") -> CodingArrays:
    """The codings (of ``coder_ids``, or all; meeting the SQL ``condition``) packed into one integer a row, in one query."""
    conditions = [f"coder_id IN ({', '.join(str(int(i)) for i in coder_ids)})"] if coder_ids else []
    conditions += [condition] if condition else []
    return _load_codings(session, conditions, _packing(session))


def iter_coding_arrays(
    session: Session, passage_ids: np.ndarray, condition: str = "", chunk: int = 8192
) -> Iterator[tuple[int, np.ndarray, CodingArrays]]:
    """The codings meeting the SQL ``condition`` of ``passage_ids`` (ascending), a query per ``chunk`` of them:
    ``(start, passage_ids[start:start + chunk], codings)``.

    Each query reads one range of passage ids, so the peak memory stays that of one chunk however
    large the project; a range also holds the codings of passages between those asked for (the
    caller leaves them out). Write ``+coder_id`` and ``+code_id`` in ``condition`` so that SQLite
    reads the range from the (passage, code, coder) index instead of looking up rows by coder or code.
    """
    packing = _packing(session)
    for start in range(0, passage_ids.size, chunk):
        part = passage_ids[start : start + chunk]
        conditions = [f"passage_id BETWEEN {int(part[0])} AND {int(part[-1])}"] + ([condition] if condition else [])
        yield start, part, _load_codings(session, conditions, packing)


def _packing(session: Session) -> tuple[int, int, int]:
    """Bits of the largest coder, code and passage id."""
    return (
        max(max_id(session, "coder"), 1).bit_length(),
        max(max_id(session, "code"), 1).bit_length(),
        max(max_id(session, "passage"), 1).bit_length(),
    )


def _load_codings(session: Session, conditions: list[str], packing: tuple[int, int, int]) -> CodingArrays:
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    coder_bits, code_bits, passage_bits = packing
    if coder_bits + code_bits + passage_bits <= 62:
        m_code = 1 << coder_bits
        m_passage = 1 << (coder_bits + code_bits)
        packed = int_column(
            session,
            f"CAST(passage_id AS BIGINT) * {m_passage} + CAST(code_id AS BIGINT) * {m_code} + coder_id",
            "coding",
            where,
        )
        return CodingArrays(
            packed >> (coder_bits + code_bits), (packed >> coder_bits) & ((1 << code_bits) - 1), packed & (m_code - 1)
        )
    rows = raw_rows(session, f"SELECT passage_id, code_id, coder_id FROM coding {where}")
    arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return CodingArrays(arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy())


@dataclass
class PassageArrays:
    """Per passage id: its participant id (-1 where no passage has that id)."""

    participant: np.ndarray


def load_passage_arrays(session: Session) -> PassageArrays:
    bits = max(max_id(session, "participant"), 1).bit_length()
    packed = int_column(session, f"CAST(id AS BIGINT) * {1 << bits} + participant_id", "passage")
    ids = packed >> bits
    size = int(ids.max()) + 1 if ids.size else 1
    participant = np.full(size, -1, dtype=np.int64)
    participant[ids] = packed & ((1 << bits) - 1)
    return PassageArrays(participant)
