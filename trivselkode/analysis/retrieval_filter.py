"""Narrowing and ordering a retrieval's segments: the filter typed in the screen, sorts and groups.

The filter is a line of words, as typed (:func:`parse_filter`)::

    randers kvinde                 rows whose attributes, source, speaker or coders begin with both words
    bibliotek:randers,viborg       site Randers or Viborg (values of one field: either)
    koder:anne  køn:k  alder:60    coder anne, a woman, age band 60–74
    kontekst:arr  runde:2  kilde:holst  type:voxpop

Every word must match (fields and free words alike); a value matches when
the row's value, or a word of it, begins with it (case and accents as
typed: ``-`` stands for the age bands' ``–``). The coder field narrows which
coders' codings count (:meth:`RowFilter.coder_scope`), so ``koder:anne``
retrieves what anne coded, combinations included, as ``--coder anne`` does.
"""

from __future__ import annotations

import re
from bisect import insort
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from trivselkode.analysis.attributes import AgeBands, sort_key
from trivselkode.analysis.retrieval import Segment

ORDERS = ("source", "length")
ORDER_LABELS = {"source": "kilde", "length": "længde"}

#: The fields of the filter: each name the screen accepts → the attribute it means.
FIELDS = {
    "koder": "coder",
    "kodere": "coder",
    "coder": "coder",
    "bibliotek": "site",
    "site": "site",
    "sted": "site",
    "kontekst": "context",
    "context": "context",
    "runde": "round",
    "round": "round",
    "køn": "gender",
    "gender": "gender",
    "alder": "age_band",
    "aldersgruppe": "age_band",
    "age_band": "age_band",
    "age": "age_band",
    "kilde": "source",
    "source": "source",
    "type": "kind",
    "kildetype": "kind",
    "kind": "kind",
    "taler": "speaker",
    "speaker": "speaker",
}
#: What a free word is looked for in.
SEARCHED = ("site", "context", "round", "gender", "age_band", "kind", "source", "speaker", "coder")

_TOKEN = re.compile(r"(?P<field>[^\s:=]+)[:=](?P<value>\S*)|(?P<word>\S+)")
_WORDS = re.compile(r"[^\W_]+")


def _norm(text: str) -> str:
    return text.casefold().replace("-", "–")


@dataclass(frozen=True)
class RowFilter:
    """What :func:`parse_filter` read: values per field (any of them), and free words (each of them)."""

    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    words: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()  # field names that are not fields (shown, then taken as free words)

    @property
    def empty(self) -> bool:
        return not self.fields and not self.words

    def coder_scope(self, coders: Iterable[str]) -> set[str] | None:
        """The coders whose codings count: those ``koder:`` names (by their start); ``None`` for all."""
        wanted = self.fields.get("coder")
        if not wanted:
            return None
        return {c for c in coders if any(_begins(c, w) for w in wanted)}

    def matches(self, segment: Segment) -> bool:
        """Whether the row passes every field (but the coder, see :meth:`coder_scope`) and every free word."""
        for name, wanted in self.fields.items():
            if name == "coder":
                continue
            values = field_values(segment, name)
            if not any(_begins(v, w) for v in values for w in wanted):
                return False
        for word in self.words:
            if not any(_begins(v, word) for name in SEARCHED for v in field_values(segment, name)):
                return False
        return True


def _begins(value: str, wanted: str) -> bool:
    whole, words = _prepared(value)
    return whole.startswith(wanted) or any(w.startswith(wanted) for w in words)


@lru_cache(maxsize=65536)
def _prepared(value: str) -> tuple[str, tuple[str, ...]]:
    """A value as the filter compares it: whole and in words (values repeat: sites, genders, coders)."""
    whole = _norm(value)
    return whole, tuple(_WORDS.findall(whole))


def field_values(segment: Segment, name: str) -> list[str]:
    """The row's values of a field, as text (none when unknown)."""
    if name == "coder":
        return list(segment.coders)
    if name == "source":
        return [segment.source]
    if name == "speaker":
        return [segment.speaker]
    value = segment.attrs.get(name)
    return [] if value is None or value == "" else [str(value)]


def parse_filter(text: str) -> RowFilter:
    """The filter typed: ``felt:værdi[,værdi]`` words and free words (see the module's docstring)."""
    fields: dict[str, list[str]] = {}
    words: list[str] = []
    unknown: list[str] = []
    for m in _TOKEN.finditer(text):
        if m.group("word"):
            words.append(_norm(m.group("word")))
            continue
        name, value = m.group("field").casefold(), m.group("value")
        target = FIELDS.get(name)
        values = [_norm(v) for v in value.split(",") if v.strip()]
        if target is None:
            unknown.append(m.group("field"))
            words.extend(_norm(v) for v in (m.group("field"), *value.split(",")) if v.strip())
            continue
        if values:  # "bibliotek:" alone, half typed: no condition yet
            fields.setdefault(target, []).extend(values)
    return RowFilter({k: tuple(v) for k, v in fields.items()}, tuple(words), tuple(unknown))


def apply_filter(segments: Sequence[Segment], row_filter: RowFilter) -> list[Segment]:
    """The rows that pass ``row_filter`` (its coder field is applied when the rows are selected)."""
    if not row_filter.fields.keys() - {"coder"} and not row_filter.words:
        return list(segments)
    return [s for s in segments if row_filter.matches(s)]


# ---------------------------------------------------------------- order and groups


def _by_source(s: Segment) -> tuple[Any, ...]:
    return (s.source.casefold(), s.source, s.number, s.start is not None, s.start or 0, s.end or 0)


def _by_length(s: Segment) -> tuple[Any, ...]:
    return (-s.length, *_by_source(s))


def order_key(order: str) -> Callable[[Segment], tuple[Any, ...]]:
    """The sort key of an order: by source (name, passage number, place in the passage), or by length
    (the longest coded text first, equal lengths by source)."""
    if order not in ORDERS:
        raise ValueError(order)
    return _by_length if order == "length" else _by_source


def sort_segments(segments: Iterable[Segment], order: str = "source") -> list[Segment]:
    """The rows in ``order`` (see :func:`order_key`)."""
    return sorted(segments, key=order_key(order))


def replace_rows(rows: list[Segment], passages: set[int], new: Iterable[Segment], order: str) -> list[Segment]:
    """``rows`` (in ``order``) with those of ``passages`` replaced by ``new``, still in order.

    The rest is not sorted again: each new row is put in its place by bisection,
    so a recoding on a 10,000-row list costs a few milliseconds.
    """
    key = order_key(order)
    out = [s for s in rows if s.passage_id not in passages]
    for s in new:
        insort(out, s, key=key)
    return out


def attribute_value(segment: Segment, name: str) -> Any:
    if name == "source":
        return segment.source
    return segment.attrs.get(name)


def group_segments(
    segments: Sequence[Segment], by: Sequence[str], age_bands: AgeBands | None = None
) -> list[tuple[tuple[Any, ...], list[Segment]]]:
    """The rows in groups of equal values of the ``by`` attributes, groups in the attributes' order.

    The rows keep their order within a group; without ``by``, one group of all.
    """
    if not by:
        return [((), list(segments))]
    bands = age_bands or AgeBands()
    groups: dict[tuple[Any, ...], list[Segment]] = {}
    for s in segments:
        groups.setdefault(tuple(attribute_value(s, name) for name in by), []).append(s)
    ordered = sorted(groups, key=lambda values: tuple(sort_key(n, v, bands) for n, v in zip(by, values)))
    return [(values, groups[values]) for values in ordered]
