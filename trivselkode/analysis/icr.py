"""Inter-coder agreement in a project: forming units and reporting per code.

The coefficients themselves live in :mod:`trivselkode.analysis.agreement`
(pure functions); this module decides what the units are.

Passage unit (the default): the units are the participants' passages
(interviewer turns are never units) of the sources that every compared
coder has marked done. With ``all_passages``: every participant passage that
any compared coder coded; a coder who has not marked that source done and
did not code the passage is a missing value there. Per code, each coder's
value on a unit is present (1) or absent (0).

Span unit: per code, each coder's codings are segments (a sub-span, or the
whole passage). Segments of different coders that overlap by at least
``overlap`` of the longer one are one unit on which they agree; every other
segment is a unit of its own, present for its coder and absent for the
rest. This is the segment matching MAXQDA uses; as there, there are no
units where everybody is absent, so chance-corrected coefficients run lower
than on passages.

Pooled figures treat every (unit, code) pair as one unit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any, cast

import numpy as np
from sqlmodel import Session, col, select

from trivselkode.analysis.agreement import AgreementUndefined, BinaryAgreement, krippendorff_alpha_ci
from trivselkode.analysis.agreement_counts import reason_text
from trivselkode.analysis.agreement_meaning import explain
from trivselkode.analysis.arrays import CodingArrays, int_column, iter_coding_arrays, max_id, unique_sorted
from trivselkode.analysis.kappa import agreement_of_counts, binary_counts
from trivselkode.analysis.methods_text import methods_paragraph
from trivselkode.errors import TrivselError
from trivselkode.i18n import _, format_percent
from trivselkode.storage.db import Project
from trivselkode.storage.lookup import coder_by_name, source_by_name
from trivselkode.storage.models import INTERVIEWER, Code, Coder, Coding, Participant, Passage, Source, SourceDone

FIELDS = ("agreement", "cohen_kappa", "krippendorff_alpha", "brennan_prediger")


@dataclass
class Units:
    """The units of a comparison and each coder's codings on them."""

    coders: list[str]
    passage_ids: list[int]
    sources: list[str]
    # value matrix per code id: coders × units, 1/0/-1
    matrices: dict[int, np.ndarray]
    codes: dict[int, tuple[str, str]]  # code id -> (key, name)
    notes: list[str] = field(default_factory=list)
    unit: str = "passage"


# The figures of a BinaryAgreement under the code's key and name: a record of its own, not a
# subclass, because the JSON rows list the fields in this order (code and name first).
@dataclass
class CodeAgreement:
    code: str
    name: str
    units: int
    agreement: float | None
    cohen_kappa: float | None
    krippendorff_alpha: float | None
    brennan_prediger: float | None
    disagreements: int
    undefined: dict[str, str] | None
    note: str | None = None  # what the figure means when it needs saying (analysis.agreement_meaning)

    @classmethod
    def of(cls, key: str, name: str, result: BinaryAgreement) -> CodeAgreement:
        return cls(
            code=key,
            name=name,
            units=result.units,
            agreement=result.agreement,
            cohen_kappa=result.cohen_kappa,
            krippendorff_alpha=result.krippendorff_alpha,
            brennan_prediger=result.brennan_prediger,
            disagreements=result.disagreements,
            undefined={name: reason_text(why) for name, why in result.undefined.items()} or None,
        )


@dataclass
class AgreementReport:
    coders: list[str]
    units: int
    unit: str
    sources: list[str]
    codes: list[CodeAgreement]
    pooled: CodeAgreement
    notes: list[str]
    alpha_ci: tuple[float, float] | None = None
    overlap: float | None = None  # span units only
    meaning: dict[str, Any] | None = None  # analysis.agreement_meaning: what the figures mean, when it needs saying

    def as_json(self) -> dict[str, Any]:
        pooled = asdict(self.pooled)
        pooled.pop("code")
        pooled.pop("name")
        doc: dict[str, Any] = {
            "coders": self.coders,
            "unit": self.unit,
            "units": self.units,
            "sources": len(self.sources),
            "codes": [asdict(c) for c in self.codes],
            "pooled": pooled,
            "notes": self.notes,
        }
        if self.alpha_ci is not None:
            doc["pooled"]["krippendorff_alpha_ci95"] = list(self.alpha_ci)
        if self.overlap is not None:
            doc["overlap"] = self.overlap
        if self.meaning is not None:
            doc["meaning"] = self.meaning
        return doc


def _resolve(project: Project, coders: list[str] | None, codes: list[str] | None, sources: list[str] | None):
    with project.read() as s:
        if coders:
            coder_rows = [coder_by_name(s, name) for name in coders]
        else:
            # Every coder who has coded, except the consensus coder.
            coder_rows = list(
                s.exec(select(Coder).where(col(Coder.id).in_(select(Coding.coder_id).distinct())).order_by(Coder.name))
            )
            coder_rows = [c for c in coder_rows if c.name != "konsensus"]
        if len(coder_rows) < 2:
            raise TrivselError(_("der skal mindst to kodere til en sammenligning"), _("angiv dem med --coders A,B"))
        if len({c.id for c in coder_rows}) != len(coder_rows):
            raise TrivselError(_("den samme koder er nævnt to gange i --coders"))
        all_codes = {c.key: c for c in s.exec(select(Code))}
        if codes:
            unknown = [k for k in codes if k not in all_codes]
            if unknown:
                raise TrivselError(
                    _("ukendt kode: {items}").format(items=_(", ").join(unknown)), _("se `trivselkode codebook show`")
                )
            code_rows = [all_codes[k] for k in codes]
        else:
            code_rows = sorted((c for c in all_codes.values() if not c.retired), key=lambda c: (c.position, c.key))
        source_rows = [source_by_name(s, name) for name in sources] if sources else None
    return coder_rows, code_rows, source_rows


def build_units(
    project: Project,
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    sources: list[str] | None = None,
    all_passages: bool = False,
) -> Units:
    """Form the passage units and each coder's present/absent value per code.

    The codings are read as integer arrays (:mod:`trivselkode.analysis.arrays`), a range of
    passages at a time, and scattered into one codes × coders × units array; each code's matrix is
    a view of it.
    """
    coder_rows, code_rows, source_rows = _resolve(project, coders, codes, sources)
    coder_ids = [cast(int, c.id) for c in coder_rows]
    code_ids = [cast(int, c.id) for c in code_rows]
    code_of, coder_of = _index_of(code_ids), _index_of(coder_ids)
    notes: list[str] = []
    with project.read() as s:
        conn = s.connection()
        done = [
            (int(source_id), int(coder_id))
            for source_id, coder_id in conn.execute(
                select(SourceDone.source_id, SourceDone.coder_id).where(col(SourceDone.coder_id).in_(coder_ids))
            )
        ]
        source_names: dict[int, str] = dict(conn.execute(select(Source.id, Source.name)).all())
        scope = {cast(int, src.id) for src in source_rows} if source_rows else None
        if all_passages:
            shape = (len(code_ids), len(coder_ids))
            passage_ids, unit_sources, cube = _all_coded_passages(s, shape, code_of, coder_of, scope, done, notes)
        else:
            passage_ids, unit_sources = _done_passages(s, coder_ids, scope, done, source_names, notes)
            cube = np.zeros((len(code_ids), len(coder_ids), passage_ids.size), dtype=np.int8)
            condition = f"+coder_id IN ({_id_list(coder_ids)}) AND +code_id IN ({_id_list(code_ids)})"
            for start, part, codings in iter_coding_arrays(s, passage_ids if code_ids else passage_ids[:0], condition):
                _mark_present(cube, start, part, codings, code_of, coder_of)
    return Units(
        coders=[c.name for c in coder_rows],
        passage_ids=passage_ids.tolist(),
        sources=sorted({source_names[sid] for sid in unique_sorted(unit_sources).tolist()}),
        matrices={cid: cube[code_of[cid]] for cid in code_ids},
        codes={c.id: (c.key, c.name) for c in code_rows},
        notes=notes,
    )


def _id_list(ids: Any) -> str:
    return ", ".join(str(int(i)) for i in ids)


def _index_of(ids: list[int]) -> np.ndarray:
    """Position of each id in ``ids`` (the last, for an id named twice), indexed by id; -1 for other ids."""
    out = np.full(max(ids, default=0) + 1, -1, dtype=np.int64)
    out[ids] = np.arange(len(ids))
    return out


def _padded(lookup: np.ndarray, largest: int) -> np.ndarray:
    """``lookup`` extended with -1 to index ``largest``."""
    if largest < lookup.size:
        return lookup
    return np.concatenate([lookup, np.full(largest + 1 - lookup.size, -1, dtype=lookup.dtype)])


def _mark_present(
    cube: np.ndarray, start: int, part: np.ndarray, codings: CodingArrays, code_of: np.ndarray, coder_of: np.ndarray
) -> None:
    """1 in ``cube`` (codes × coders × units, contiguous) where a coder coded a code on a unit of ``part``,
    the units from ``start`` on; codings of other passages, codes or coders are left out."""
    if not (codings.passage.size and part.size):
        return
    low = min(int(part[0]), int(codings.passage.min()))
    unit_of = np.full(max(int(part[-1]), int(codings.passage.max())) - low + 1, -1, dtype=np.int64)
    unit_of[part - low] = np.arange(start, start + part.size)
    unit = unit_of[codings.passage - low]
    code = _padded(code_of, int(codings.code.max()))[codings.code]
    coder = _padded(coder_of, int(codings.coder.max()))[codings.coder]
    keep = (unit >= 0) & (code >= 0) & (coder >= 0)
    _codes, coders, units = cube.shape
    cube.reshape(-1)[((code * coders + coder) * units + unit)[keep]] = 1


def _participant_passages(session: Session, condition: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Passage ids (ascending) and their source ids of the participants' passages (meeting the SQL
    ``condition`` on ``passage``): an interviewer's passage is never a unit."""
    bits = max(max_id(session, "source"), 1).bit_length()
    packed = np.sort(
        int_column(
            session,
            f"CAST(passage.id AS BIGINT) * {1 << bits} + passage.source_id",
            "passage JOIN participant ON participant.id = passage.participant_id",
            f"WHERE participant.role != '{INTERVIEWER}'" + (f" AND {condition}" if condition else ""),
        )
    )
    return packed >> bits, packed & ((1 << bits) - 1)


def _all_coded_passages(
    session: Session,
    shape: tuple[int, int],
    code_of: np.ndarray,
    coder_of: np.ndarray,
    scope: set[int] | None,
    done: list[tuple[int, int]],
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The units with ``all_passages`` (every participant passage one of the coders coded), their
    sources, and the codes × coders × units values (``shape``: codes × coders): 1 where a coder
    coded the code on the unit, -1 where the coder neither marked the source done nor coded the
    passage, else 0."""
    passages, sources = _participant_passages(
        session, f"passage.source_id IN ({_id_list(sorted(scope))})" if scope is not None else ""
    )
    codes, coders = shape
    finished = np.zeros((coders, int(sources.max()) + 1 if sources.size else 0), dtype=bool)
    for source_id, coder_id in done:
        if source_id < finished.shape[1]:
            finished[coder_of[coder_id], source_id] = True
    kept, kept_sources, pieces = [], [], []
    coder_ids = np.flatnonzero(coder_of >= 0)
    condition = f"+coder_id IN ({_id_list(coder_ids)})"  # every code: any coding makes a passage a unit
    for start, part, codings in iter_coding_arrays(session, passages, condition):
        coded = np.zeros((1, coders, part.size), dtype=np.int8)  # by any code: as if every code were one
        _mark_present(coded, 0, part, codings, np.zeros(int(codings.code.max(initial=0)) + 1, np.int64), coder_of)
        keep = coded[0].any(axis=0)
        part_sources = sources[start : start + part.size][keep]
        base = np.where(coded[0][:, keep].astype(bool) | finished[:, part_sources], 0, -1).astype(np.int8)
        piece = np.empty((codes, coders, base.shape[1]), dtype=np.int8)
        piece[:] = base
        _mark_present(piece, 0, part[keep], codings, code_of, coder_of)
        kept.append(part[keep])
        kept_sources.append(part_sources)
        pieces.append(piece)
    notes.append(
        _(
            "enheder: alle deltagerudsagn, som mindst én af koderne har kodet; en koder, der ikke har markeret kilden færdig og ikke har kodet udsagnet, tæller som manglende værdi"
        )
    )
    if not pieces:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros((codes, coders, 0), dtype=np.int8)
    return np.concatenate(kept), np.concatenate(kept_sources), np.concatenate(pieces, axis=2)


def _done_passages(
    session: Session,
    coder_ids: list[int],
    scope: set[int] | None,
    done: list[tuple[int, int]],
    source_names: dict[int, str],
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """The default units: the participant passages of the sources every coder marked done, and their sources."""
    who: dict[int, set[int]] = defaultdict(set)
    for source_id, coder_id in done:
        who[source_id].add(coder_id)
    complete = sorted(sid for sid, by in who.items() if set(coder_ids) <= by and (scope is None or sid in scope))
    if complete:
        passages, sources = _participant_passages(session, f"passage.source_id IN ({_id_list(complete)})")
    else:
        passages = sources = np.zeros(0, dtype=np.int64)
    skipped = (set(scope) if scope is not None else set(source_names)) - set(complete)
    notes.append(
        _("enheder: deltagerudsagn i de {n} kilder, som alle {coders} kodere har markeret færdige").format(
            n=len(complete), coders=len(coder_ids)
        )
        + (
            _("; {n} kilde(r) uden alles færdigmarkering er udeladt (brug --all for at tage dem med)").format(
                n=len(skipped)
            )
            if skipped
            else ""
        )
    )
    return passages, sources


def _segments(project: Project, coder_ids: list[int], code_ids: list[int], passage_ids: set[int] | None):
    """Per code: [(coder_id, passage_id, start, end)] in source coordinates."""
    with project.read() as s:
        rows = s.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
                Coding.code_id, Coding.coder_id, Coding.passage_id, Coding.start, Coding.end, Passage.start, Passage.end
            )
            .join(Passage, col(Coding.passage_id) == Passage.id)
            .where(col(Coding.coder_id).in_(coder_ids), col(Coding.code_id).in_(code_ids))
        ).all()
    out: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    for code_id, coder_id, pid, cs, ce, ps, pe in rows:
        if passage_ids is not None and pid not in passage_ids:
            continue
        start, end = (ps + cs, ps + ce) if cs is not None else (ps, pe)
        out[code_id].append((coder_id, pid, start, end))
    return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    longer = max(a[1] - a[0], b[1] - b[0])
    return inter / longer if inter > 0 and longer > 0 else 0.0


Segments = dict[int, list[tuple[int, int, int, int]]]  # code id -> [(coder id, passage id, start, end)]


def unit_segments(units: Units, project: Project) -> Segments:
    """The compared coders' codings on the units' passages as segments in source coordinates, per code."""
    with project.read() as s:
        ids = {name: cast(int, cid) for cid, name in s.exec(select(Coder.id, Coder.name))}
    return _segments(project, [ids[name] for name in units.coders], list(units.codes), set(units.passage_ids))


def span_units(units: Units, project: Project, overlap: float, segments: Segments | None = None) -> Units:
    """Re-form the units of ``units`` as matched segments (see the module docstring).

    ``segments``: :func:`unit_segments` of these units (or of more), when the caller has read them already.
    """
    if not 0 < overlap <= 1:
        raise TrivselError(_("--overlap skal ligge mellem 0 og 1"), _("fx --overlap 0.9"))
    with project.read() as s:
        ids = {name: cast(int, cid) for cid, name in s.exec(select(Coder.id, Coder.name))}
    coder_ids = [ids[name] for name in units.coders]
    coder_index = {cid: i for i, cid in enumerate(coder_ids)}
    if segments is None:
        segments = _segments(project, coder_ids, list(units.codes), set(units.passage_ids))
    matrices: dict[int, np.ndarray] = {}
    for code_id in units.codes:
        groups: list[dict[int, tuple[int, int, int]]] = []  # coder index -> (passage, start, end)
        for coder_id, pid, start, end in sorted(segments.get(code_id, []), key=lambda t: (t[1], t[2], t[3], t[0])):
            i = coder_index[coder_id]
            best, best_score = None, 0.0
            for group in groups:
                if i in group:
                    continue
                anchor = next(iter(group.values()))
                if anchor[0] != pid:
                    continue
                score = _overlap((start, end), anchor[1:])
                if score >= overlap and score > best_score:
                    best, best_score = group, score
            if best is None:
                groups.append({i: (pid, start, end)})
            else:
                best[i] = (pid, start, end)
        m = np.zeros((len(coder_ids), len(groups)), dtype=np.int8)
        for j, group in enumerate(groups):
            for i in group:
                m[i, j] = 1
        matrices[code_id] = m
    notes = list(units.notes) + [
        _(
            "spænd-enheder: segmenter af samme kode, der overlapper mindst {percent} af det længste segment, er én enhed; øvrige segmenter er hver sin enhed"
        ).format(percent=format_percent(overlap, 0))
    ]
    return Units(
        coders=units.coders,
        passage_ids=units.passage_ids,
        sources=units.sources,
        matrices=matrices,
        codes=units.codes,
        notes=notes,
        unit="span",
    )


def agreement_report(
    project: Project,
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    sources: list[str] | None = None,
    all_passages: bool = False,
    unit: str = "passage",
    overlap: float = 0.9,
    ci_samples: int = 0,
    seed: int = 1,
) -> AgreementReport:
    units = build_units(project, coders, codes, sources, all_passages)
    if unit == "span":
        units = span_units(units, project, overlap)
    elif unit != "passage":
        raise TrivselError(_("ukendt enhed '{unit}'").format(unit=unit), _("brug --unit passage eller --unit span"))
    if not units.passage_ids:
        raise TrivselError(
            _("der er ingen enheder at sammenligne"),
            _("markér kilderne færdige for alle kodere (`trivselkode sources done`), eller brug --all"),
        )
    rows = []
    used = []
    pooled_counts = binary_counts(np.zeros((len(units.coders), 0), dtype=np.int8))
    for code_id, (key, name) in units.codes.items():
        m = units.matrices[code_id]
        if not codes and not (m == 1).any():
            continue  # a code nobody used tells nothing; list it with --codes
        counts = binary_counts(m)
        rows.append(CodeAgreement.of(key, name, agreement_of_counts(counts)))
        used.append(m)
        pooled_counts += counts  # the pooled figures: every (unit, code) pair one unit
    pooled = CodeAgreement.of("*", "samlet", agreement_of_counts(pooled_counts))
    ci = None
    if ci_samples and pooled.krippendorff_alpha is not None:
        pooled_matrix = np.concatenate(used, axis=1)
        try:
            ci = krippendorff_alpha_ci(_alpha_data(pooled_matrix), "nominal", samples=ci_samples, seed=seed)
        except AgreementUndefined:
            ci = None
        del pooled_matrix
    report = AgreementReport(
        coders=units.coders,
        units=len(units.passage_ids) if unit == "passage" else sum(m.shape[1] for m in used),
        unit=unit,
        sources=units.sources,
        codes=rows,
        pooled=pooled,
        notes=units.notes,
        alpha_ci=ci,
    )
    explain(report, overlap)
    return report


def _alpha_data(matrix: np.ndarray) -> np.ndarray:
    """A coders × units 1/0/-1 matrix as floats for :func:`krippendorff_alpha_ci`, NaN where missing.

    Alpha numbers the values of an array in sorted order, those of nested lists in the order first
    seen (row by row); the bootstrap's draws follow that numbering. So when a 1 is seen first, the
    values are swapped (1 -> 0, 0 -> 1; nominal alpha does not depend on the labels), and the interval
    is bit for bit the one the rows as lists of 1, 0 and None give, at a fraction of the cost.
    """
    flat = matrix.reshape(-1)
    seen = np.flatnonzero(flat >= 0)
    data = matrix.astype(np.float64)
    if seen.size and flat[seen[0]] == 1:
        np.subtract(1.0, data, out=data)
    data[matrix < 0] = np.nan
    return data


def disagreements(
    project: Project,
    coders: list[str],
    code: str | None = None,
    sources: list[str] | None = None,
    all_passages: bool = False,
) -> list[dict[str, Any]]:
    """Each unit where the compared coders differ on a code, with their codes and memos."""
    units = build_units(project, coders, [code] if code else None, sources, all_passages)
    ids_by_key = {key: cid for cid, (key, _name) in units.codes.items()}
    differing: dict[int, set[str]] = defaultdict(set)
    for key, cid in ids_by_key.items():
        m = units.matrices[cid]
        known = m >= 0
        ones = ((m == 1) & known).sum(axis=0)
        zeros = ((m == 0) & known).sum(axis=0)
        for j in np.nonzero((ones > 0) & (zeros > 0))[0]:
            differing[units.passage_ids[int(j)]].add(key)
    if not differing:
        return []
    with project.read() as s:
        coder_ids = {name: cid for cid, name in s.exec(select(Coder.id, Coder.name))}
        rows = s.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
                Passage, Source.name, Participant.label, Participant.gender, Participant.age
            )
            .join(Source, col(Passage.source_id) == Source.id)
            .join(Participant, col(Passage.participant_id) == Participant.id)
            .where(col(Passage.id).in_(list(differing)))
        ).all()
        codings = s.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
                Coding.passage_id, Coder.name, Code.key, Coding.start, Coding.end, Coding.memo
            )
            .join(Coder, col(Coding.coder_id) == Coder.id)
            .join(Code, col(Coding.code_id) == Code.id)
            .where(
                col(Coding.passage_id).in_(list(differing)),
                col(Coding.coder_id).in_([coder_ids[c] for c in units.coders]),
            )
            .order_by(col(Code.position), col(Code.key))
        ).all()
    by_passage: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: {c: [] for c in units.coders})
    for pid, coder, key, start, end, memo in codings:
        by_passage[pid][coder].append({"code": key, "start": start, "end": end, "memo": memo})
    out = []
    for passage, source, label, _gender, _age in sorted(rows, key=lambda r: (r[1], r[0].number)):
        out.append(
            {
                "source": source,
                "passage": passage.number,
                "speaker": label,
                "text": passage.text,
                "codes": sorted(differing[passage.id]),
                "coders": {c: by_passage[passage.id][c] for c in units.coders},
            }
        )
    return out


__all__ = [
    "FIELDS",
    "AgreementReport",
    "CodeAgreement",
    "Units",
    "agreement_report",
    "build_units",
    "disagreements",
    "methods_paragraph",
    "span_units",
    "unit_segments",
]
