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
from sqlmodel import col, select

from trivselkode.analysis.agreement import AgreementUndefined, BinaryAgreement, binary_agreement, krippendorff_alpha_ci
from trivselkode.analysis.agreement_counts import reason_text
from trivselkode.analysis.agreement_meaning import explain
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
    """Form the passage units and each coder's present/absent value per code."""
    coder_rows, code_rows, source_rows = _resolve(project, coders, codes, sources)
    coder_ids = [c.id for c in coder_rows]
    code_ids = [c.id for c in code_rows]
    notes: list[str] = []
    with project.read() as s:
        conn = s.connection()  # plain Core rows: this runs over hundreds of thousands of codings
        done = defaultdict(set)
        for source_id, coder_id in conn.execute(
            select(SourceDone.source_id, SourceDone.coder_id).where(col(SourceDone.coder_id).in_(coder_ids))
        ):
            done[source_id].add(coder_id)
        scope = {src.id for src in source_rows} if source_rows else None
        codings_query = select(Coding.passage_id, Coding.code_id, Coding.coder_id).where(
            col(Coding.coder_id).in_(coder_ids), col(Coding.code_id).in_(code_ids)
        )
        any_coded: dict[int, set[int]] = defaultdict(set)
        if all_passages:
            rows = _all_coded_passages(conn, coder_ids, scope, any_coded, notes)
        else:
            rows, codings_query = _done_passages(conn, coder_ids, scope, done, codings_query, notes)
        codings = np.array(list(map(tuple, conn.execute(codings_query))), dtype=np.int64).reshape(-1, 3)
        source_names: dict[int, str] = dict(conn.execute(select(Source.id, Source.name)).all())
    rows.sort()
    passage_ids = [pid for pid, _ in rows]
    coder_index = {cid: i for i, cid in enumerate(coder_ids)}
    base = np.zeros((len(coder_ids), len(passage_ids)), dtype=np.int8)
    if all_passages:
        source_of = dict(rows)
        for j, pid in enumerate(passage_ids):
            for cid, i in coder_index.items():
                if cid not in done.get(source_of[pid], set()) and cid not in any_coded.get(pid, set()):
                    base[i, j] = -1
    matrices = {cid: base.copy() for cid in code_ids}
    _mark_present(matrices, codings, passage_ids, coder_index)
    return Units(
        coders=[c.name for c in coder_rows],
        passage_ids=passage_ids,
        sources=sorted({source_names[sid] for _, sid in rows}),
        matrices=matrices,
        codes={c.id: (c.key, c.name) for c in code_rows},
        notes=notes,
    )


def _participant_passages() -> Any:
    """(passage id, source id) of every participant's passage: an interviewer's is never a unit."""
    return (
        select(Passage.id, Passage.source_id)
        .join(Participant, col(Passage.participant_id) == Participant.id)
        .where(Participant.role != INTERVIEWER)
    )


def _all_coded_passages(
    conn: Any, coder_ids: list[int], scope: set[int] | None, any_coded: dict[int, set[int]], notes: list[str]
) -> list[tuple[int, int]]:
    """The units with ``all_passages``: every participant passage one of the coders coded (filling ``any_coded``)."""
    for pid, coder_id in conn.execute(
        select(Coding.passage_id, Coding.coder_id).where(col(Coding.coder_id).in_(coder_ids)).distinct()
    ):
        any_coded[pid].add(coder_id)
    rows = [
        (pid, sid)
        for pid, sid in conn.execute(_participant_passages())
        if pid in any_coded and (scope is None or sid in scope)
    ]
    notes.append(
        _(
            "enheder: alle deltagerudsagn, som mindst én af koderne har kodet; en koder, der ikke har markeret kilden færdig og ikke har kodet udsagnet, tæller som manglende værdi"
        )
    )
    return rows


def _done_passages(
    conn: Any,
    coder_ids: list[int],
    scope: set[int] | None,
    done: dict[int, set[int]],
    codings_query: Any,
    notes: list[str],
) -> tuple[list[tuple[int, int]], Any]:
    """The default units: the participant passages of the sources every coder marked done; and
    ``codings_query`` narrowed to those sources."""
    complete = sorted(sid for sid, who in done.items() if set(coder_ids) <= who and (scope is None or sid in scope))
    rows = list(conn.execute(_participant_passages().where(col(Passage.source_id).in_(complete)))) if complete else []
    codings_query = codings_query.join(Passage, col(Coding.passage_id) == Passage.id).where(
        col(Passage.source_id).in_(complete)
    )
    skipped = (set(scope) if scope is not None else set(conn.execute(select(Source.id)).scalars())) - set(complete)
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
    return rows, codings_query


def _mark_present(
    matrices: dict[int, np.ndarray], codings: np.ndarray, passage_ids: list[int], coder_index: dict[int, int]
) -> None:
    """1 where a coder coded the code on a unit (``codings``: rows of passage, code, coder)."""
    if not (codings.size and passage_ids):
        return
    pids = np.asarray(passage_ids, dtype=np.int64)
    at = np.searchsorted(pids, codings[:, 0])
    inside = (at < pids.size) & (pids[np.minimum(at, pids.size - 1)] == codings[:, 0])
    coder_of = np.vectorize(coder_index.__getitem__, otypes=[np.int64])
    for code_id, matrix in matrices.items():
        pick = inside & (codings[:, 1] == code_id)
        if pick.any():
            matrix[coder_of(codings[pick, 2]), at[pick]] = 1


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
    for code_id, (key, name) in units.codes.items():
        m = units.matrices[code_id]
        if not codes and not (m == 1).any():
            continue  # a code nobody used tells nothing; list it with --codes
        rows.append(CodeAgreement.of(key, name, binary_agreement(m)))
        used.append(m)
    pooled_matrix = np.concatenate(used, axis=1) if used else np.zeros((len(units.coders), 0), dtype=np.int8)
    pooled = CodeAgreement.of("*", "samlet", binary_agreement(pooled_matrix))
    ci = None
    if ci_samples and pooled.krippendorff_alpha is not None:
        data = [[None if v < 0 else int(v) for v in row] for row in pooled_matrix.tolist()]
        try:
            ci = krippendorff_alpha_ci(data, "nominal", samples=ci_samples, seed=seed)
        except AgreementUndefined:
            ci = None
    report = AgreementReport(
        coders=units.coders,
        units=len(units.passage_ids) if unit == "passage" else int(pooled_matrix.shape[1]),
        unit=unit,
        sources=units.sources,
        codes=rows,
        pooled=pooled,
        notes=units.notes,
        alpha_ci=ci,
    )
    explain(report, overlap)
    return report


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
