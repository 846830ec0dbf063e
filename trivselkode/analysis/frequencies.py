"""Code frequencies: codings, passages, sources and participants per code.

Whose codings count (a :class:`Selection`):

- one coder (``--coder NAME``);
- the consensus (the reserved coder ``konsensus``);
- the union of the coders other than ``konsensus`` (a passage carrying a
  code for any of them counts once for that code);
- by default the consensus where it has codings, else the union.

Per code, and per group of the ``by`` attributes (the combination of their
values), a row holds

- ``codings``: coding rows of the selected coders (sub-spans each count);
- ``passages``: distinct passages carrying the code;
- ``sources``: distinct sources of those passages;
- ``participants``: distinct participants (never interviewers) who said one;
- ``share``: ``participants`` over the group's participants (interviewers not
  counted), rounded to four decimals; 0 for an empty group.

Codings on interviewers' turns count in ``codings``, ``passages`` and
``sources`` but never as a participant. With ``rollup``, a code counts
passages carrying it or any code below it in the codebook tree.

The work is one query for every coding (packed into one integer a row) and
sorting and counting with numpy; no ORM object is built per coding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlmodel import Session, select

from trivselkode.analysis.attributes import (
    AgeBands,
    ParticipantInfo,
    known_attributes,
    load_participants,
    parse_by,
    sort_key,
)
from trivselkode.config import CONSENSUS_CODER
from trivselkode.errors import NotFound, TrivselError
from trivselkode.storage.db import Project
from trivselkode.storage.lookup import coder_by_name
from trivselkode.storage.models import Code, Coder

# Names a user may give instead of a codebook kind.
KIND_ALIASES = {
    "themes": "tema",
    "theme": "tema",
    "temaer": "tema",
    "needs": "behov",
    "need": "behov",
    "qualities": "livskvalitet",
    "quality": "livskvalitet",
    "livskvaliteter": "livskvalitet",
    "environment": "miljø",
    "miljo": "miljø",
}

FREQUENCY_KEYS = ("code", "name", "codings", "passages", "sources", "participants", "share")


# ---------------------------------------------------------------- selection


@dataclass(frozen=True)
class Selection:
    """Whose codings a report reads."""

    mode: str  # "coder" | "consensus" | "union" | "all"
    coder_ids: tuple[int, ...]
    coder_names: tuple[str, ...]
    consensus_id: int | None = None
    # Codings per coder id in the whole project (to choose how to read them).
    counts: tuple[tuple[int, int], ...] = ()

    def fraction(self) -> float:
        """The share of all codings this selection reads."""
        total = sum(n for _, n in self.counts)
        mine = sum(n for i, n in self.counts if i in self.coder_ids)
        return mine / total if total else 1.0

    def describe(self, lang: str = "da") -> str:
        names = ", ".join(self.coder_names)
        if self.mode == "coder":
            return f"{'koder' if lang == 'da' else 'coder'} {names}"
        if self.mode == "consensus":
            return "konsensus" if lang == "da" else "consensus"
        if self.mode == "union":
            return f"{'foreningsmængden af' if lang == 'da' else 'union of'} {names}"
        return f"{'alle kodere' if lang == 'da' else 'all coders'} ({names})"


def _coding_counts(session: Session) -> dict[int, int]:
    return {int(i): int(n) for i, n in raw_rows(session, "SELECT coder_id, COUNT(*) FROM coding GROUP BY coder_id")}


def _coders_with_codings(session: Session, counts: dict[int, int]) -> dict[str, int]:
    if not counts:
        return {}
    return {name: cid for cid, name in session.exec(select(Coder.id, Coder.name).where(Coder.id.in_(list(counts))))}


def resolve_selection(
    session: Session,
    coder: str | None = None,
    union: bool = False,
    consensus: bool = False,
    default: str = "auto",
) -> Selection:
    """The selection the options ask for; ``default`` is ``auto`` (consensus, else union) or ``all``."""
    if sum((coder is not None, union, consensus)) > 1:
        raise TrivselError("vælg højst én af --coder, --union og --consensus")
    counts = _coding_counts(session)
    active = _coders_with_codings(session, counts)
    facts = tuple(sorted(counts.items()))
    if not active:
        raise TrivselError(
            "projektet har ingen kodninger endnu",
            "kod udsagn i kodningsskærmen, med `trivselkode codings add` eller importér dem med `trivselkode codings import`",
        )
    consensus_id = active.get(CONSENSUS_CODER)
    humans = {n: i for n, i in sorted(active.items()) if n != CONSENSUS_CODER}
    if coder is not None:
        row = coder_by_name(session, coder)
        if row.name not in active:
            raise TrivselError(f"koderen '{row.name}' har ingen kodninger", f"kodere med kodninger: {', '.join(sorted(active))}")
        mode = "consensus" if row.name == CONSENSUS_CODER else "coder"
        return Selection(mode, (row.id,), (row.name,), consensus_id, facts)
    if consensus:
        if consensus_id is None:
            raise TrivselError(
                "der er ingen konsensuskodning endnu",
                "afgør uenighederne under Enighed, eller brug --union eller --coder NAVN",
            )
        return Selection("consensus", (consensus_id,), (CONSENSUS_CODER,), consensus_id, facts)
    if union or (default == "auto" and consensus_id is None):
        if not humans:
            raise TrivselError("kun konsensus har kodninger; der er ingen kodere at forene", "brug --consensus")
        return Selection("union", tuple(humans.values()), tuple(humans), consensus_id, facts)
    if default == "auto":
        return Selection("consensus", (consensus_id,), (CONSENSUS_CODER,), consensus_id, facts)
    ordered = sorted(active.items())
    return Selection("all", tuple(i for _, i in ordered), tuple(n for n, _ in ordered), consensus_id, facts)


# ---------------------------------------------------------------- codes


@dataclass(frozen=True)
class CodeInfo:
    id: int
    key: str
    name: str
    kind: str
    parent_id: int | None
    description: str
    keywords: tuple[str, ...]
    retired: bool


@dataclass
class Codebook:
    """The project's codes in codebook order, with the tree."""

    codes: list[CodeInfo]
    by_key: dict[str, CodeInfo] = field(init=False)
    by_id: dict[int, CodeInfo] = field(init=False)
    children: dict[int, list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_key = {c.key: c for c in self.codes}
        self.by_id = {c.id: c for c in self.codes}
        self.children = defaultdict(list)
        for c in self.codes:
            if c.parent_id is not None and c.parent_id in self.by_id:
                self.children[c.parent_id].append(c.id)

    def subtree(self, code_id: int) -> list[int]:
        """The code and every code below it."""
        out, stack, seen = [], [code_id], set()
        while stack:
            cid = stack.pop()
            if cid in seen:
                continue
            seen.add(cid)
            out.append(cid)
            stack.extend(reversed(self.children.get(cid, [])))
        return out

    def has_children(self, code_id: int) -> bool:
        return bool(self.children.get(code_id))

    def kinds(self) -> list[str]:
        return sorted({c.kind for c in self.codes if c.kind})

    def resolve(self, spec: str | Sequence[str] | None, default: Sequence[CodeInfo] | None = None) -> list[CodeInfo]:
        """Code keys, kinds (``tema``) or aliases (``themes``), comma-separated, in codebook order.

        Unknown names are refused naming the closest ones. Retired codes come
        only when named by key.
        """
        if spec is None or (not isinstance(spec, str) and not list(spec)):
            return list(default) if default is not None else [c for c in self.codes if not c.retired]
        parts = [spec] if isinstance(spec, str) else list(spec)
        wanted: list[CodeInfo] = []
        for part in parts:
            for token in part.split(","):
                token = token.strip()
                if not token:
                    continue
                kind = KIND_ALIASES.get(token.lower(), token)
                if token in self.by_key:
                    found = [self.by_key[token]]
                elif kind in self.kinds():
                    found = [c for c in self.codes if c.kind == kind and not c.retired]
                else:
                    from rapidfuzz import process

                    choices = list(self.by_key) + self.kinds() + sorted(KIND_ALIASES)
                    hits = process.extract(token, choices, limit=3, score_cutoff=60)
                    hint = ("mente du " + " eller ".join(f"'{h[0]}'" for h in hits) + "?") if hits else None
                    raise NotFound(
                        f"koden '{token}' findes ikke i kodebogen",
                        hint or "se `trivselkode codebook show`; brug kodenøgler som T1 eller typer som tema",
                    )
                for code in found:
                    if code not in wanted:
                        wanted.append(code)
        if not wanted:
            raise TrivselError("ingen koder valgt", "angiv fx --codes T1,T2 eller --codes tema")
        order = {c.id: i for i, c in enumerate(self.codes)}
        return sorted(wanted, key=lambda c: order[c.id])


def load_codebook(session: Session) -> Codebook:
    rows = session.exec(
        select(Code.id, Code.key, Code.name, Code.kind, Code.parent_id, Code.description, Code.keywords, Code.retired).order_by(
            Code.position, Code.id
        )
    ).all()
    return Codebook(
        [
            CodeInfo(cid, key, name, kind or "", parent, description or "", tuple(keywords or ()), bool(retired))
            for cid, key, name, kind, parent, description, keywords, retired in rows
        ]
    )


def code_mapping(book: Codebook, codes: Sequence[CodeInfo], rollup: bool) -> list[tuple[int, int]]:
    """(coded code id, reported code id) pairs: identity, or every descendant with ``rollup``."""
    if not rollup:
        return [(c.id, c.id) for c in codes]
    return [(member, c.id) for c in codes for member in book.subtree(c.id)]


# ---------------------------------------------------------------- raw arrays


def raw_rows(session: Session, sql: str) -> list[tuple]:
    """Rows of a fixed SQL statement straight from the database driver.

    Skips SQLAlchemy's row processing, which costs more than the query itself
    on half a million rows. ``sql`` holds no parameters (integers only).
    """
    cursor = session.connection().connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
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

    def select(self, selection: Selection) -> CodingArrays:
        if not self.coder.size:
            return self
        wanted = np.zeros(int(max(self.coder.max(), *selection.coder_ids)) + 1, dtype=bool)
        wanted[list(selection.coder_ids)] = True
        mask = wanted[self.coder]
        if mask.all():
            return self
        return CodingArrays(self.passage[mask], self.code[mask], self.coder[mask])

    def mapped(self, book: Codebook, codes: Sequence[CodeInfo], rollup: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def _max_id(session: Session, table: str) -> int:
    value = raw_rows(session, f"SELECT MAX(id) FROM {table}")[0][0]
    return int(value or 0)


def _int_column(session: Session, expr: str, table: str, where: str = "") -> np.ndarray:
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


def load_coding_arrays(session: Session, coder_ids: Sequence[int] | None = None) -> CodingArrays:
    """The codings (of ``coder_ids``, or all) packed into one integer a row, in one query."""
    where = f"WHERE coder_id IN ({', '.join(str(int(i)) for i in coder_ids)})" if coder_ids else ""
    coder_bits = max(_max_id(session, "coder"), 1).bit_length()
    code_bits = max(_max_id(session, "code"), 1).bit_length()
    passage_bits = max(_max_id(session, "passage"), 1).bit_length()
    if coder_bits + code_bits + passage_bits <= 62:
        m_code = 1 << coder_bits
        m_passage = 1 << (coder_bits + code_bits)
        packed = _int_column(
            session,
            f"CAST(passage_id AS BIGINT) * {m_passage} + CAST(code_id AS BIGINT) * {m_code} + coder_id",
            "coding",
            where,
        )
        return CodingArrays(packed >> (coder_bits + code_bits), (packed >> coder_bits) & ((1 << code_bits) - 1), packed & (m_code - 1))
    rows = raw_rows(session, f"SELECT passage_id, code_id, coder_id FROM coding {where}")
    arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return CodingArrays(arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy())


@dataclass
class PassageArrays:
    """Per passage id: its participant id (-1 where no passage has that id)."""

    participant: np.ndarray


def load_passage_arrays(session: Session) -> PassageArrays:
    bits = max(_max_id(session, "participant"), 1).bit_length()
    packed = _int_column(session, f"CAST(id AS BIGINT) * {1 << bits} + participant_id", "passage")
    ids = packed >> bits
    size = int(ids.max()) + 1 if ids.size else 1
    participant = np.full(size, -1, dtype=np.int64)
    participant[ids] = packed & ((1 << bits) - 1)
    return PassageArrays(participant)


# ---------------------------------------------------------------- frequencies


@dataclass
class FrequencyResult:
    rows: list[dict[str, Any]]
    by: list[str]
    codes: list[CodeInfo]
    selection: Selection
    groups: list[tuple]
    group_sizes: dict[tuple, int]
    rollup: bool = False


@dataclass
class ProjectData:
    """What every report reads once: participants, codebook, codings, passages."""

    participants: dict[int, ParticipantInfo]
    book: Codebook
    codings: CodingArrays
    passages: PassageArrays
    selection: Selection


def load_project_data(
    project: Project,
    *,
    coder: str | None = None,
    union: bool = False,
    consensus: bool = False,
    default: str = "auto",
    age_bands: AgeBands | None = None,
) -> ProjectData:
    with project.read() as session:
        participants = load_participants(session, age_bands or AgeBands())
        selection = resolve_selection(session, coder, union, consensus, default)
        book = load_codebook(session)
        # A small part is faster read by the coder index, a large one by one scan.
        codings = load_coding_arrays(session, selection.coder_ids if selection.fraction() < 0.5 else None)
        passages = load_passage_arrays(session)
    return ProjectData(participants, book, codings, passages, selection)


def compute_frequencies(
    project: Project,
    *,
    coder: str | None = None,
    union: bool = False,
    consensus: bool = False,
    by: str | Sequence[str] | None = None,
    codes: str | Sequence[str] | None = None,
    rollup: bool = False,
    age_bands: AgeBands | None = None,
) -> FrequencyResult:
    """The frequency rows (see the module doc), codes in codebook order, groups sorted."""
    age_bands = age_bands or AgeBands()
    data = load_project_data(project, coder=coder, union=union, consensus=consensus, age_bands=age_bands)
    by_names = parse_by(by, known_attributes(data.participants.values()))
    clash = [n for n in by_names if n in FREQUENCY_KEYS]
    if clash:
        raise TrivselError(f"egenskaben '{clash[0]}' kan ikke bruges i --by (navnet er optaget af en kolonne)")
    chosen = data.book.resolve(codes)
    return frequencies_of(data, chosen, by_names, age_bands, rollup)


def group_of(info: ParticipantInfo | None, by: Sequence[str]) -> tuple:
    if info is None:
        return tuple(None for _ in by)
    return tuple(info.attrs.get(name) for name in by)


def frequencies_of(
    data: ProjectData,
    codes: Sequence[CodeInfo],
    by: Sequence[str],
    age_bands: AgeBands,
    rollup: bool = False,
) -> FrequencyResult:
    """Count with arrays: one pass of sorting and bincounts, no loop over codings."""
    participants = data.participants
    # Groups and per-participant lookups.
    max_pid = max(participants, default=0)
    group_index: dict[tuple, int] = {}
    p_group = np.zeros(max_pid + 2, dtype=np.int64)
    p_source = np.zeros(max_pid + 2, dtype=np.int64)
    p_counted = np.zeros(max_pid + 2, dtype=bool)
    group_sizes: dict[tuple, int] = defaultdict(int)
    for pid, info in participants.items():
        g = group_of(info, by)
        p_group[pid] = group_index.setdefault(g, len(group_index))
        p_source[pid] = info.source_id
        p_counted[pid] = not info.is_interviewer
        if not info.is_interviewer:
            group_sizes[g] += 1
    groups = list(group_index)
    n_groups = max(len(groups), 1)
    n_codes = len(codes)

    selected = data.codings.select(data.selection)
    r, passage, _coder = selected.mapped(data.book, codes, rollup)
    part = data.passages.participant[passage] if passage.size else passage
    cell = r * n_groups + p_group[part]
    size = n_codes * n_groups
    codings = np.bincount(cell, minlength=size)

    span_p = int(data.passages.participant.size)
    rp = unique_sorted(r * span_p + passage)
    r1, pa1 = rp // span_p, rp % span_p
    part1 = data.passages.participant[pa1]
    cell1 = r1 * n_groups + p_group[part1]
    passages = np.bincount(cell1, minlength=size)

    span_part = max_pid + 2
    rq = unique_sorted(r1 * span_part + part1)
    r2, part2 = rq // span_part, rq % span_part
    keep = p_counted[part2]
    people = np.bincount((r2 * n_groups + p_group[part2])[keep], minlength=size)

    span_src = int(p_source.max()) + 1 if p_source.size else 1
    cs = unique_sorted(cell1 * span_src + p_source[part1])
    sources = np.bincount(cs // span_src, minlength=size)

    per_group = codings.reshape(n_codes, n_groups).sum(axis=0) if n_codes else np.zeros(n_groups, dtype=np.int64)
    shown = [gi for gi, g in enumerate(groups) if group_sizes.get(g, 0) or per_group[gi]]
    shown.sort(key=lambda gi: tuple(sort_key(n, v, age_bands) for n, v in zip(by, groups[gi])))
    if not by:
        shown = [group_index[()]] if () in group_index else []
        if not shown:
            groups, shown = [()], [0]
    out: list[dict[str, Any]] = []
    for i, code in enumerate(codes):
        for gi in shown:
            g = groups[gi]
            k = i * n_groups + gi
            n = group_sizes.get(g, 0)
            row: dict[str, Any] = {"code": code.key, "name": code.name}
            for name, value in zip(by, g):
                row[name] = value
            row.update(
                {
                    "codings": int(codings[k]),
                    "passages": int(passages[k]),
                    "sources": int(sources[k]),
                    "participants": int(people[k]),
                    "share": round(int(people[k]) / n, 4) if n else 0.0,
                }
            )
            out.append(row)
    return FrequencyResult(out, list(by), list(codes), data.selection, [groups[gi] for gi in shown], dict(group_sizes), rollup)
