"""Code frequencies: codings, passages, sources and participants per code.

Whose codings count is a :class:`~trivselkode.analysis.basis.Selection`:
one coder, the union of the coders, or the consensus of two (their
agreement plus what was settled; open disagreements count as in the union);
by default the consensus when none of its disagreements is open, else the
union (see :mod:`trivselkode.analysis.basis`).

Per code, and per group of the ``by`` attributes (the combination of their
values), a row holds

- ``codings``: coding rows of the selected coders (sub-spans each count);
- ``passages``: distinct passages carrying the code;
- ``sources``: distinct sources of those passages;
- ``participants``: distinct participants (never interviewers) who said one;
- ``share``: ``participants`` over the group's participants (interviewers not
  counted), rounded to four decimals; 0 for an empty group;
- with the consensus as basis, ``open_disagreements``: how many of the
  row's passages carry the code (with ``rollup``, the code or one below it)
  through a disagreement not yet settled, counted as in the union.

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
from typing import Any, cast

import numpy as np
from sqlmodel import Session, col, select

from trivselkode.analysis.arrays import CodingArrays, PassageArrays, load_passage_arrays, unique_sorted
from trivselkode.analysis.attributes import (
    AgeBands,
    ParticipantInfo,
    known_attributes,
    load_participants,
    parse_by,
    sort_key,
)
from trivselkode.analysis.basis import Basis, Selection, load_basis
from trivselkode.analysis.overview_counts import ThemeCount, ThemeFrequencies, theme_codes
from trivselkode.domain.codebook_lang import code_name
from trivselkode.errors import NotFound, TrivselError
from trivselkode.i18n import _
from trivselkode.storage.db import Project
from trivselkode.storage.models import Code

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
                elif token.lower() in KIND_ALIASES or kind in KIND_ALIASES.values():
                    raise NotFound(
                        _("kodebogen har ingen koder af typen '{kind}'").format(kind=kind),
                        _("typerne er ") + ", ".join(self.kinds())
                        if self.kinds()
                        else _("angiv kodenøgler, fx --codes T1,T2"),
                    )
                else:
                    from rapidfuzz import process

                    kinds = self.kinds()
                    aliases = [a for a, k in KIND_ALIASES.items() if k in kinds]
                    choices = list(self.by_key) + kinds + sorted(aliases)
                    hits = process.extract(token, choices, limit=3, score_cutoff=60)
                    hint = (
                        _("mente du {names}?").format(names=_(" eller ").join(f"'{h[0]}'" for h in hits))
                        if hits
                        else None
                    )
                    raise NotFound(
                        _("koden '{key}' findes ikke i kodebogen").format(key=token),
                        hint or _("se `trivselkode codebook show`; brug kodenøgler som T1 eller typer som tema"),
                    )
                for code in found:
                    if code not in wanted:
                        wanted.append(code)
        if not wanted:
            raise TrivselError(_("ingen koder valgt"), _("angiv fx --codes T1,T2 eller --codes tema"))
        order = {c.id: i for i, c in enumerate(self.codes)}
        return sorted(wanted, key=lambda c: order[c.id])


def load_codebook(session: Session) -> Codebook:
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
            Code.id, Code.key, Code.name, Code.kind, Code.parent_id, Code.description, Code.keywords, Code.retired
        ).order_by(col(Code.position), col(Code.id))
    ).all()
    return Codebook(
        [
            CodeInfo(cid, key, name, kind or "", parent, description or "", tuple(keywords or ()), bool(retired))
            for cid, key, name, kind, parent, description, keywords, retired in rows
        ]
    )


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
    """What every report reads once: participants, codebook, the basis and its codings, passages."""

    participants: dict[int, ParticipantInfo]
    book: Codebook
    basis: Basis
    passages: PassageArrays

    @property
    def selection(self) -> Selection:
        return self.basis.selection

    @property
    def codings(self) -> CodingArrays:
        """The codings that count under the selection."""
        return self.basis.codings

    def open_codings(self) -> CodingArrays:
        """The open disagreements (consensus only) as codings: passage, code, coder 0."""
        keys = self.basis.open_pairs if self.selection.mode == "consensus" else np.zeros(0, dtype=np.int64)
        bits = self.basis.code_bits
        return CodingArrays(keys >> bits, keys & ((1 << bits) - 1), np.zeros(keys.size, dtype=np.int64))


def load_project_data(
    project: Project,
    *,
    coder: str | None = None,
    union: bool = False,
    consensus: bool = False,
    coders: str | Sequence[str] | None = None,
    firm: bool = False,
    age_bands: AgeBands | None = None,
) -> ProjectData:
    """Read what a report needs in one read transaction (``coders``, ``firm``: see :func:`load_basis`)."""
    with project.read() as session:
        participants = load_participants(session, age_bands or AgeBands())
        basis = load_basis(session, coder=coder, union=union, consensus=consensus, coders=coders, firm=firm)
        book = load_codebook(session)
        passages = load_passage_arrays(session)
    return ProjectData(participants, book, basis, passages)


def compute_frequencies(
    project: Project,
    *,
    coder: str | None = None,
    union: bool = False,
    consensus: bool = False,
    coders: str | Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
    codes: str | Sequence[str] | None = None,
    rollup: bool = False,
    age_bands: AgeBands | None = None,
) -> FrequencyResult:
    """The frequency rows (see the module doc), codes in codebook order, groups sorted."""
    age_bands = age_bands or AgeBands()
    data = load_project_data(project, coder=coder, union=union, consensus=consensus, coders=coders, age_bands=age_bands)
    by_names = parse_by(by, known_attributes(data.participants.values()))
    clash = [n for n in by_names if n in FREQUENCY_KEYS]
    if clash:
        raise TrivselError(
            _("egenskaben '{clash}' kan ikke bruges i --by (navnet er optaget af en kolonne)").format(clash=clash[0])
        )
    chosen = data.book.resolve(codes)
    return frequencies_of(data, chosen, by_names, age_bands, rollup)


def group_of(info: ParticipantInfo | None, by: Sequence[str]) -> tuple:
    if info is None:
        return tuple(None for _ in by)
    return tuple(info.attrs.get(name) for name in by)


def _participant_groups(
    participants: dict[int, ParticipantInfo], by: Sequence[str], max_pid: int
) -> tuple[dict[tuple, int], dict[tuple, int], np.ndarray, np.ndarray, np.ndarray]:
    """The groups of ``by`` and, per participant id, its group, its source and whether it counts.

    Returns the group of each tuple of values, the number of (non-interviewer)
    participants in each, and the three per-participant arrays.
    """
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
    return group_index, group_sizes, p_group, p_source, p_counted


def _shown_groups(
    groups: list[tuple],
    group_index: dict[tuple, int],
    group_sizes: dict[tuple, int],
    per_group: np.ndarray,
    by: Sequence[str],
    age_bands: AgeBands,
) -> tuple[list[tuple], list[int]]:
    """The groups to show a row for, in their order: those with people or codings (one row without ``by``)."""
    shown = [gi for gi, g in enumerate(groups) if group_sizes.get(g, 0) or per_group[gi]]
    shown.sort(key=lambda gi: tuple(sort_key(n, v, age_bands) for n, v in zip(by, groups[gi])))
    if not by:
        shown = [group_index[()]] if () in group_index else []
        if not shown:
            groups, shown = [()], [0]
    return groups, shown


def frequencies_of(
    data: ProjectData,
    codes: Sequence[CodeInfo],
    by: Sequence[str],
    age_bands: AgeBands,
    rollup: bool = False,
) -> FrequencyResult:
    """Count with arrays: one pass of sorting and bincounts, no loop over codings."""
    max_pid = max(data.participants, default=0)
    group_index, group_sizes, p_group, p_source, p_counted = _participant_groups(data.participants, by, max_pid)
    groups = list(group_index)
    n_groups = max(len(groups), 1)
    n_codes = len(codes)

    r, passage, _coder = data.codings.mapped(data.book, codes, rollup)
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

    consensus = data.selection.mode == "consensus"
    if consensus:
        ro, po, _ = data.open_codings().mapped(data.book, codes, rollup)
        ko = unique_sorted(ro * span_p + po)
        ro, po = ko // span_p, ko % span_p
        still = np.bincount(ro * n_groups + p_group[data.passages.participant[po]], minlength=size)

    per_group = codings.reshape(n_codes, n_groups).sum(axis=0) if n_codes else np.zeros(n_groups, dtype=np.int64)
    groups, shown = _shown_groups(groups, group_index, group_sizes, per_group, by, age_bands)
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
            if consensus:
                row["open_disagreements"] = int(still[k])
            out.append(row)
    return FrequencyResult(
        out, list(by), list(codes), data.selection, [groups[gi] for gi in shown], dict(group_sizes), rollup
    )


# ---------------------------------------------------------------- the overview's bars


def theme_frequencies(project: Project) -> ThemeFrequencies:
    """Per theme (codes of kind ``tema``; else the top-level codes), the passages carrying it.

    Read as every report reads by default (the consensus when none of its
    disagreements is open, else the union): a passage counts once per theme.
    """
    with project.read() as session:
        themes = theme_codes(session)
        if not themes:
            return ThemeFrequencies([], "")
        try:
            basis = load_basis(session)
        except TrivselError:  # no codings yet (or only the reserved coder's)
            return ThemeFrequencies([ThemeCount(c.key, code_name(c), c.color, 0) for c in themes], "")
    codings = basis.codings
    ids = np.array([int(cast(int, c.id)) for c in themes], dtype=np.int64)
    keep = np.isin(codings.code, ids)
    pairs = unique_sorted(basis.key(codings.passage[keep], codings.code[keep]))
    counts = np.bincount(pairs & ((1 << basis.code_bits) - 1), minlength=int(ids.max()) + 1)
    selection = basis.selection
    label = selection.label()
    return ThemeFrequencies([ThemeCount(c.key, code_name(c), c.color, int(counts[c.id])) for c in themes], label)
