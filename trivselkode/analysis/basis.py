"""Whose codings a report reads: one coder, the union of coders, or their consensus.

- **One coder** (``--coder NAME``): that coder's codings.
- **The union** (``--union``): the coders other than ``konsensus``; a passage
  carrying a code for any of them carries it once.
- **The consensus** of two coders A and B (``--consensus``, SPEC §6): their
  agreement plus what was settled. Per passage and code:

  * both coded it → on; neither did → off;
  * one of them did (a *disagreement*) and a decision settled it → what was
    settled: ``a`` takes A's codings, ``b`` B's, ``both`` both, ``neither``
    none (a decision records its coders in order, so ``a`` means the coder
    named first there). A ``manual`` decision, or a legacy one without its
    coders, is what the ``konsensus`` coder carries there. A disagreement
    without a decision on which the ``konsensus`` coder carries the code
    (settled by a version before decisions were recorded) counts as settled
    on;
  * a disagreement not settled is *open*, and counts as in the union.

  The units are the participants' passages, as for agreement (SPEC §7): on
  an interviewer's turn, which is never compared, what either coder coded is
  carried as in the union and is no disagreement.

  The consensus codings are the distinct spans of the codings taken (of A
  and B, or of ``konsensus`` for manual decisions).

- **The default**: the consensus when its two coders are known and none of
  their disagreements is open, else the union; :meth:`Selection.explain` says
  why when settled work is left unused ("konsensus: 4 af 145 uenigheder
  afgjort – bruger foreningsmængden").

The two coders of the consensus are the ones given (``--coders A,B``), else
the pair the decisions name, else the only two coders with codings.

Everything is read in a few queries (coders, decisions, the pair's codings
as packed integers, their sub-spans) and worked out with numpy on sorted
arrays of pair keys ``passage_id << code_bits | code_id``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import numpy.typing as npt
from sqlmodel import Session, col, select

from trivselkode.analysis.arrays import CodingArrays, load_coding_arrays, max_id, raw_rows, unique_sorted
from trivselkode.config import CONSENSUS_CODER
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _, gettext_for, language, normalize
from trivselkode.storage.consensus import PairDecision, decisions_by_passage
from trivselkode.storage.lookup import coder_by_name
from trivselkode.storage.models import INTERVIEWER, Coder

EMPTY = np.zeros(0, dtype=np.int64)


# ---------------------------------------------------------------- what was chosen


@dataclass(frozen=True)
class ConsensusState:
    """How far the consensus of two coders has come."""

    coders: tuple[str, str]
    disagreements: int
    settled: int
    settled_by: tuple[str, ...] = ()  # who settled them, most first

    @property
    def open(self) -> int:
        return self.disagreements - self.settled

    def names(self, lang: str | None = None) -> str:
        return gettext_for(lang)(N_(" og ")).join(self.coders)


@dataclass(frozen=True)
class Selection:
    """Whose codings a report reads (see the module doc)."""

    mode: str  # "coder" | "union" | "consensus"
    coder_ids: tuple[int, ...]  # the coders whose codings make up the basis
    coder_names: tuple[str, ...]
    consensus: ConsensusState | None = None  # the consensus pair's state, where it is known
    consensus_coder_id: int | None = None  # the reserved coder's id, where it has codings
    unused: str | None = None  # the default is the union although decisions exist: "settled" or the reason (Danish)
    counts: tuple[tuple[int, int], ...] = ()  # codings per coder id in the whole project

    def explain(self, lang: str | None = None) -> str | None:
        """Why the default is not the consensus, when settled work is left unused; else None.

        In ``lang`` (None: the interface's language); the reason itself was said in the
        interface's language, so another language gets the general words.
        """
        if self.unused is None:
            return None
        t = gettext_for(lang)
        state = self.consensus
        if self.unused == "settled" and state is not None:
            return t(N_("konsensus: {settled} af {total} uenigheder afgjort – bruger foreningsmængden")).format(
                settled=state.settled, total=state.disagreements
            )
        if (normalize(lang) or language()) == language():
            return t(N_("konsensus: {reason} – bruger foreningsmængden")).format(reason=self.unused)
        return t(N_("konsensus: dens to kodere kendes ikke (navngiv dem med --coders A,B) – bruger foreningsmængden"))

    @property
    def why(self) -> str | None:
        """:meth:`explain` in the interface's language."""
        return self.explain()

    @property
    def open_disagreements(self) -> int | None:
        """Open disagreements counted in (consensus only)."""
        return self.consensus.open if self.mode == "consensus" and self.consensus else None

    def fraction(self, coder_ids: Sequence[int] | None = None) -> float:
        """The share of all codings that ``coder_ids`` (default: the selection's) hold."""
        ids = set(self.coder_ids if coder_ids is None else coder_ids)
        total = sum(n for _, n in self.counts)
        return sum(n for i, n in self.counts if i in ids) / total if total else 1.0

    def describe(self, lang: str | None = None) -> str:
        """``koder anne``, ``foreningsmængden af anne, bo``, ``konsensus af anne og bo (…)``.

        In ``lang`` (None: the interface's language).
        """
        t = gettext_for(lang)
        if self.mode == "coder":
            return t(N_("koder {name}")).format(name=self.coder_names[0])
        if self.mode == "union":
            return t(N_("foreningsmængden af {names}")).format(names=", ".join(self.coder_names))
        state = self.consensus
        assert state is not None
        text = t(N_("konsensus af {names}")).format(names=state.names(lang))
        if state.open:
            text += t(N_(" ({open} af {total} uenigheder er åbne og tæller som i foreningsmængden)")).format(
                open=state.open, total=state.disagreements
            )
        return text

    def label(self) -> str:
        """:meth:`describe` with :attr:`why` in brackets when there is one: the basis line of a report."""
        return self.describe() + (f" ({self.why})" if self.why else "")


@dataclass
class Basis:
    """A selection and the codings it reads."""

    selection: Selection
    codings: CodingArrays  # the codings that count (for the consensus: its distinct spans, coder 0)
    code_bits: int  # pair keys are passage_id << code_bits | code_id
    open_pairs: np.ndarray = field(default_factory=lambda: EMPTY)  # open disagreements (consensus only)
    firm_pairs: np.ndarray = field(default_factory=lambda: EMPTY)  # agreed or settled on (where a pair is known)
    pair_coders: np.ndarray = field(default_factory=lambda: EMPTY)  # with firm_pairs' order: how many of A, B coded it

    def key(self, passage: np.ndarray, code: np.ndarray) -> np.ndarray:
        return (passage.astype(np.int64) << self.code_bits) | code.astype(np.int64)

    def is_open(self, passage: np.ndarray, code: np.ndarray) -> np.ndarray:
        return _member(self.key(passage, code), self.open_pairs)

    def is_firm(self, passage: np.ndarray, code: np.ndarray) -> np.ndarray:
        return _member(self.key(passage, code), self.firm_pairs)

    def coders_on(self, passage: np.ndarray, code: np.ndarray) -> np.ndarray:
        """How many of the consensus's two coders coded each firm (passage, code); 0 elsewhere."""
        keys = self.key(passage, code)
        found = _member(keys, self.firm_pairs)
        out = np.zeros(keys.shape, dtype=np.int64)
        out[found] = self.pair_coders[np.searchsorted(self.firm_pairs, keys[found])]
        return out


TABLE_LIMIT = 1 << 26  # keys up to this are looked up in a table of booleans (64 MB at most)


def _member(keys: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Whether each (non-negative) key is in the sorted, unique ``sorted_set``."""
    if not sorted_set.size or not keys.size:
        return np.zeros(keys.shape, dtype=bool)
    top = max(int(keys.max()), int(sorted_set[-1])) + 1
    if top <= TABLE_LIMIT and top <= 64 * (keys.size + sorted_set.size):
        table = np.zeros(top, dtype=bool)
        table[sorted_set] = True
        return table[keys]
    pos = np.minimum(np.searchsorted(sorted_set, keys), sorted_set.size - 1)
    return sorted_set[pos] == keys


# ---------------------------------------------------------------- the consensus


def _sorted_union(*parts: npt.ArrayLike) -> np.ndarray:
    """The sorted union of disjoint sorted arrays."""
    return np.sort(np.concatenate([np.asarray(p, dtype=np.int64) for p in parts]))


def _interviewer_passages(session: Session) -> np.ndarray:
    """The ids of the interviewers' passages, sorted."""
    rows = raw_rows(
        session,
        "SELECT passage.id FROM passage JOIN participant ON participant.id = passage.participant_id "
        f"WHERE participant.role = '{INTERVIEWER}' ORDER BY passage.id",
    )
    return np.array(rows, dtype=np.int64).reshape(-1)


@dataclass
class _Consensus:
    state: ConsensusState
    codings: CodingArrays
    open_pairs: np.ndarray
    firm_pairs: np.ndarray
    pair_coders: np.ndarray


def _settled_on(
    settled_here: np.ndarray,
    applying: dict[int, PairDecision],
    name_a: str,
    only_a: np.ndarray,
    k: np.ndarray,
) -> tuple[list[int], list[int], Counter[str]]:
    """Where the decisions settle the pair's disagreements: taking A's or B's codings, or the
    konsensus coder's; and how many each settler settled."""
    on_ab: list[int] = []  # settled on, taking A's or B's codings
    on_k: list[int] = []  # settled on, taking the konsensus coder's codings
    by: Counter[str] = Counter()
    coded_a = set(only_a.tolist())
    carried_k = set(k.tolist())
    for pk in settled_here.tolist():
        d = applying[pk]
        by[d.settled_by] += 1
        if d.choice == "both":
            on_ab.append(pk)
        elif d.choice in ("a", "b") and len(d.coders) == 2:
            if (d.coders[0 if d.choice == "a" else 1] == name_a) == (pk in coded_a):
                on_ab.append(pk)
        elif d.choice != "neither" and pk in carried_k:  # manual, or a decision that does not name its coders
            on_k.append(pk)
    return on_ab, on_k, by


def _consensus(
    session: Session,
    pair: tuple[tuple[str, int], tuple[str, int]],
    consensus_id: int | None,
    decisions: dict[tuple[int, int], PairDecision],
    code_bits: int,
) -> _Consensus:
    """The consensus of the pair (see the module doc), worked out on sorted arrays of pair keys."""
    (name_a, id_a), (name_b, id_b) = pair
    names = (name_a, name_b)
    ids = ", ".join(str(int(i)) for i in [id_a, id_b] + ([consensus_id] if consensus_id is not None else []))
    # Whole-passage codings as packed integers; the few sub-spans as rows. "+coder_id": a scan of
    # the table beats the coder index when most codings are these coders' (SQLite's idiom; harmless elsewhere).
    whole = load_coding_arrays(session, None, f"+coder_id IN ({ids}) AND start IS NULL")
    spans = np.array(
        raw_rows(
            session,
            f'SELECT passage_id, code_id, coder_id, start, "end" FROM coding WHERE +coder_id IN ({ids}) AND start IS NOT NULL',
        ),
        dtype=np.int64,
    ).reshape(-1, 5)
    whole_key = (whole.passage << code_bits) | whole.code
    span_key = (spans[:, 0] << code_bits) | spans[:, 1]

    def coded_by(coder: int) -> np.ndarray:
        return unique_sorted(np.concatenate([whole_key[whole.coder == coder], span_key[spans[:, 2] == coder]]))

    a, b = coded_by(id_a), coded_by(id_b)
    k = coded_by(consensus_id) if consensus_id is not None else EMPTY
    a_in_b, b_in_a = _member(a, b), _member(b, a)
    both, only_a, only_b = a[a_in_b], a[~a_in_b], b[~b_in_a]
    differ = _sorted_union(only_a, only_b)
    # Interviewers' turns are never units of agreement (SPEC §7): what one coder coded there is carried as in the union.
    asked = _member(differ >> code_bits, _interviewer_passages(session))
    disagreements, carried_over = differ[~asked], differ[asked]

    applying = {(p << code_bits) | c: d for (p, c), d in decisions.items() if d.applies_to(names)}
    decided = _member(disagreements, np.array(sorted(applying), dtype=np.int64))
    settled_here, undecided = disagreements[decided], disagreements[~decided]
    carried = _member(undecided, k)
    legacy, open_pairs = undecided[carried], undecided[~carried]  # legacy: konsensus carries it, no decision

    on_ab, on_k, by = _settled_on(settled_here, applying, name_a, only_a, k)
    firm_ab = _sorted_union(both, on_ab)
    take_ab = _sorted_union(firm_ab, open_pairs, carried_over)
    take_k = _sorted_union(on_k, legacy)

    def taken(keys: np.ndarray, coder: np.ndarray) -> np.ndarray:
        by_ab = ((coder == id_a) | (coder == id_b)) & _member(keys, take_ab)
        return by_ab | ((coder == (consensus_id if consensus_id is not None else -1)) & _member(keys, take_k))

    # One coding a distinct span: each pair's whole-passage coding once, each sub-span once.
    whole_taken = unique_sorted(whole_key[taken(whole_key, whole.coder)])
    chosen = spans[taken(span_key, spans[:, 2])]
    distinct = np.unique(chosen[:, [0, 1, 3, 4]], axis=0) if chosen.size else np.zeros((0, 4), dtype=np.int64)
    passage = np.concatenate([whole_taken >> code_bits, distinct[:, 0]])
    code = np.concatenate([whole_taken & ((1 << code_bits) - 1), distinct[:, 1]])
    codings = CodingArrays(passage, code, np.zeros(passage.size, dtype=np.int64))

    firm = _sorted_union(firm_ab, take_k)
    pair_coders = _member(firm, a).astype(np.int64) + _member(firm, b)
    state = ConsensusState(
        names,
        int(disagreements.size),
        int(settled_here.size + legacy.size),
        tuple(n for n, _ in sorted(by.items(), key=lambda kv: (-kv[1], kv[0])) if n),
    )
    return _Consensus(state, codings, open_pairs, firm, pair_coders)


# ---------------------------------------------------------------- choosing


def _active(session: Session) -> tuple[dict[str, int], tuple[tuple[int, int], ...]]:
    counts = {int(i): int(n) for i, n in raw_rows(session, "SELECT coder_id, COUNT(*) FROM coding GROUP BY coder_id")}
    if not counts:
        return {}, ()
    names = {
        name: cast(int, cid)
        for cid, name in session.exec(select(Coder.id, Coder.name).where(col(Coder.id).in_(list(counts))))
    }
    return names, tuple(sorted(counts.items()))


def parse_pair(spec: str | Sequence[str] | None) -> tuple[str, str] | None:
    """``anne,bo`` → ("anne", "bo"); refuses anything but two different coders."""
    if spec is None:
        return None
    parts = [p.strip() for s in ([spec] if isinstance(spec, str) else spec) for p in s.split(",") if p.strip()]
    if len(parts) != 2 or parts[0] == parts[1]:
        raise TrivselError(_("--coders skal nævne to forskellige kodere"), _("fx --coders anne,bo"))
    if CONSENSUS_CODER in parts:
        raise TrivselError(
            _("'{name}' er konsensus selv og kan ikke være en af dens to kodere").format(name=CONSENSUS_CODER),
            _("fx --coders anne,bo"),
        )
    return parts[0], parts[1]


def _pair(
    session: Session,
    humans: dict[str, int],
    decisions: dict[tuple[int, int], PairDecision],
    given: tuple[str, str] | None,
) -> tuple[tuple[tuple[str, int], tuple[str, int]] | None, str | None]:
    """The consensus pair with ids, or None and the reason."""
    if given is not None:
        rows = [coder_by_name(session, name) for name in given]
        return ((rows[0].name, int(cast(int, rows[0].id))), (rows[1].name, int(cast(int, rows[1].id)))), None
    named: Counter[tuple[str, ...]] = Counter(d.coders for d in decisions.values() if len(d.coders) == 2)
    distinct = {tuple(sorted(p)) for p in named}
    if len(distinct) > 1:
        pairs = "; ".join(",".join(p) for p in sorted(distinct))
        return None, _("afgørelserne er truffet mellem flere koderpar ({pairs}); vælg et med --coders A,B").format(
            pairs=pairs
        )
    if distinct:
        order = named.most_common(1)[0][0]
        found = {
            c.name: int(cast(int, c.id)) for c in session.exec(select(Coder).where(col(Coder.name).in_(list(order))))
        }
        if len(found) == 2:
            return ((order[0], found[order[0]]), (order[1], found[order[1]])), None
    if len(humans) == 2:
        (na, ia), (nb, ib) = sorted(humans.items())
        return ((na, ia), (nb, ib)), None
    if len(humans) < 2:
        return None, _("konsensus kræver to kodere med kodninger")
    return None, _("der er {n} kodere ({items}); vælg konsensussens to med --coders A,B").format(
        n=len(humans), items=", ".join(sorted(humans))
    )


def load_basis(
    session: Session,
    *,
    coder: str | None = None,
    union: bool = False,
    consensus: bool = False,
    coders: str | Sequence[str] | None = None,
    firm: bool = False,
) -> Basis:
    """The selection the options ask for and the codings it reads.

    ``coders`` names the consensus's two coders. With ``firm`` the consensus
    pair's agreed and settled codings are worked out also when the basis is
    not the consensus (quotes rank by them).
    """
    if sum((coder is not None, union, consensus)) > 1:
        raise TrivselError(_("vælg højst én af --coder, --union og --consensus"))
    given = parse_pair(coders)
    active, counts = _active(session)
    if not active:
        raise TrivselError(
            _("projektet har ingen kodninger endnu"),
            _(
                "kod udsagn i kodningsskærmen, med `trivselkode codings add` eller importér dem med `trivselkode codings import`"
            ),
        )
    consensus_id = active.get(CONSENSUS_CODER)
    humans = {n: i for n, i in sorted(active.items()) if n != CONSENSUS_CODER}
    code_bits = max(max_id(session, "code"), 1).bit_length()
    one = None
    if coder is not None:
        one = coder_by_name(session, coder)
        if one.name == CONSENSUS_CODER:  # the reserved coder's name means the consensus
            one, consensus = None, True
        elif one.name not in active:
            raise TrivselError(
                _("koderen '{name}' har ingen kodninger").format(name=one.name),
                _("kodere med kodninger: {items}").format(items=", ".join(sorted(active))),
            )
    mode = "consensus" if consensus else "union" if union else "coder" if one is not None else "auto"

    made, decisions, reason, pair = None, {}, None, None
    if mode in ("consensus", "auto") or firm:
        decisions = decisions_by_passage(session)
        pair, reason = _pair(session, humans, decisions, given)
        if pair is None and mode == "consensus":
            raise TrivselError(
                _("der er ingen konsensus at vise: {reason}").format(reason=reason),
                _("eller brug --union eller --coder NAVN"),
            )
        if pair is not None:
            made = _consensus(session, pair, consensus_id, decisions, code_bits)
    state = made.state if made is not None else None
    known = {"firm_pairs": made.firm_pairs, "pair_coders": made.pair_coders} if made is not None else {}
    if mode == "auto":
        mode = "consensus" if state is not None and state.open == 0 else "union"

    if mode == "consensus":
        assert made is not None and state is not None and pair is not None
        selection = Selection("consensus", (pair[0][1], pair[1][1]), state.coders, state, consensus_id, None, counts)
        return Basis(selection, made.codings, code_bits, open_pairs=made.open_pairs, **known)
    if mode == "coder":
        assert one is not None
        selection = Selection("coder", (int(cast(int, one.id)),), (one.name,), state, consensus_id, None, counts)
        return Basis(selection, _read(session, selection), code_bits, **known)
    if not humans:
        raise TrivselError(_("kun konsensus har kodninger; der er ingen kodere at forene"), _("brug --consensus"))
    unused = None
    if not union and state is not None and state.settled:
        unused = "settled"
    elif not union and state is None and decisions:
        unused = reason
    selection = Selection("union", tuple(humans.values()), tuple(humans), state, consensus_id, unused, counts)
    return Basis(selection, _read(session, selection), code_bits, **known)


def _read(session: Session, selection: Selection) -> CodingArrays:
    """The selection's coders' codings: a small part by the coder index, a large one by one scan."""
    small = selection.fraction() < 0.5
    codings = load_coding_arrays(session, selection.coder_ids if small else None)
    return codings if small else codings.of_coders(selection.coder_ids)


__all__ = ["Basis", "ConsensusState", "Selection", "load_basis", "parse_pair"]
