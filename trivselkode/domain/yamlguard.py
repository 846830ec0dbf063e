"""Limits on a YAML document before it is composed: nesting depth and alias expansion.

A few hundred bytes of YAML can stand for gigabytes: an anchor (``&a``)
referred to nine times by another anchor, referred to nine times … (a
"billion laughs" of aliases), or a mapping that contains itself
(``&a [*a]``). PyYAML shares the aliased nodes, but whatever walks or copies
the result (validation, storing metadata as JSON) expands them. And its
composer recurses once per level, so a document nested a few thousand levels
deep ends in a ``RecursionError``.

:func:`check_yaml` reads the document's events once (PyYAML's parser keeps
its own stack; it does not recurse) and refuses it, at the first offending
place, when

* it nests deeper than ``max_depth`` collections (mappings and lists);
* an alias refers to the collection it stands in (the document would be
  infinite);
* its aliases, expanded, add more than ``max_extra`` to it (or more than the
  document's own length, when that is larger). The size of a value counts
  one for each mapping, list or scalar and one for each character of a
  scalar.

Pure: PyYAML only; the caller words the message in its own language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import yaml

__all__ = ["DEFAULT_MAX_EXTRA", "YamlLimit", "check_yaml"]

DEFAULT_MAX_EXTRA = 100_000


@dataclass
class YamlLimit(Exception):
    """Why a document was refused, and where (0-based line and column, as PyYAML's marks)."""

    kind: str  # "depth" | "cycle" | "aliases"
    line: int
    column: int
    anchor: str | None = None
    limit: int = 0

    def __str__(self) -> str:  # for logs; callers write their own message
        return f"{self.kind} at line {self.line + 1}, column {self.column + 1}"


def _at(kind: str, event: Any, **extra: Any) -> YamlLimit:
    mark = event.start_mark
    return YamlLimit(kind, mark.line if mark else 0, mark.column if mark else 0, **extra)


# libyaml's parser when PyYAML was built with it: several times faster, same marks.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_yaml(text: str, *, max_depth: int, max_extra: int = DEFAULT_MAX_EXTRA) -> None:
    """Raise :class:`YamlLimit` when ``text`` nests too deep or its aliases expand too far.

    A syntax error ends the check quietly where it is: everything before it
    has been checked, and the caller's own loader reports the error (with
    its own wording) when it reaches the same place. (libyaml reads ahead and
    gives up on flow collections nested 1,000 deep before its events get
    there; then the check is made again with PyYAML's own parser.)
    """
    if _clearly_within(text, max_depth):
        return
    try:
        _check(text, _FAST_LOADER, max_depth, max_extra)
    except yaml.YAMLError:
        if _FAST_LOADER is yaml.SafeLoader:
            return
        try:
            _check(text, yaml.SafeLoader, max_depth, max_extra)
        except yaml.YAMLError:
            return


def _clearly_within(text: str, max_depth: int) -> bool:
    """Whether ``text`` can hold neither an alias nor collections ``max_depth`` deep, at a glance.

    An alias is written with ``*``; every collection begins with an indicator
    of its own (``:`` or ``?`` of a mapping's key, ``-`` of a sequence's item,
    ``[`` or ``{``), so fewer indicators than ``max_depth`` cannot nest that
    deep. Most front matter is such: a few lines of ``key: value``.
    """
    if "*" in text:
        return False
    indicators = text.count(":") + text.count("?") + text.count("-") + text.count("[") + text.count("{")
    return indicators < max_depth


def _check(text: str, loader: type, max_depth: int, max_extra: int) -> None:
    allowed_extra = max(max_extra, len(text))
    extra = 0
    weights: dict[str, int] = {}  # anchor -> expanded size of its value
    open_anchors: set[str] = set()
    stack: list[list[Any]] = [[None, 0]]  # [anchor, expanded size so far] of each open collection
    parser = loader(text)
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, yaml.ScalarEvent):
                weight = 1 + len(event.value)
                stack[-1][1] += weight
                if event.anchor:
                    weights[event.anchor] = weight
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor in open_anchors:
                    raise _at("cycle", event, anchor=event.anchor)
                alias_weight = weights.get(cast(str, event.anchor))  # an alias always names its anchor
                if alias_weight is None:
                    continue  # an undefined alias: the composer says so, with its place
                stack[-1][1] += alias_weight
                extra += alias_weight - 1
                if extra > allowed_extra:
                    raise _at("aliases", event, anchor=event.anchor, limit=allowed_extra)
            elif isinstance(event, yaml.CollectionStartEvent):
                if len(stack) > max_depth:
                    raise _at("depth", event, limit=max_depth)
                stack.append([event.anchor, 1])
                if event.anchor:
                    open_anchors.add(event.anchor)
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, weight = stack.pop()
                if anchor:
                    weights[anchor] = weight
                    open_anchors.discard(anchor)
                stack[-1][1] += weight
            elif isinstance(event, yaml.DocumentStartEvent):
                stack = [[None, 0]]
    finally:
        parser.dispose()
