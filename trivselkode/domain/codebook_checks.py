"""The checks across a codebook's codes: unique keys and shortcuts, known parents, no
cycle of parents, and no tree deeper than :data:`MAX_CODE_DEPTH`.

Each code is checked on its own by :mod:`trivselkode.domain.codebook_validate`; these
checks run once every code has been read.
"""

from __future__ import annotations

from dataclasses import dataclass

from yaml.nodes import MappingNode, Node

from trivselkode.domain.codebook_spec import MAX_CODE_DEPTH, CodeSpec
from trivselkode.domain.codebook_yaml import Add, did_you_mean
from trivselkode.i18n import _


@dataclass
class Entry:
    """A code while it is being validated, with the nodes to point at."""

    spec: CodeSpec
    node: MappingNode
    key_node: Node | None
    parent_node: Node | None  # the value node of an explicit ``parent:``
    explicit_parent: str | None
    nested_parent: str | None  # the key of the enclosing code under ``children``
    shortcut_node: Node | None
    key_ok: bool


def cross_check(entries: list[Entry], add: Add) -> None:
    """Tell ``add`` of every problem between the codes of ``entries``."""
    by_key = _unique_keys(entries, add)
    _unique_shortcuts(entries, add)
    for entry in entries:
        parent = entry.explicit_parent
        if parent is not None and parent not in by_key and entry.parent_node is not None:
            add(
                entry.parent_node,
                _(
                    "ukendt overkode {parent}: ingen kode har den nøgle{hint}; brug nøglen fra en "
                    "eksisterende kode, eller fjern linjen"
                ).format(parent=repr(parent), hint=did_you_mean(parent, by_key)),
            )
    # Parent links: an explicit `parent`, else the nesting.
    parent_of: dict[str, str] = {}
    for key, entry in by_key.items():
        link = entry.explicit_parent if entry.explicit_parent is not None else entry.nested_parent
        if link is not None and link in by_key:
            parent_of[key] = link
    _no_cycles(by_key, parent_of, add)
    _not_too_deep(by_key, parent_of, add)


def _unique_keys(entries: list[Entry], add: Add) -> dict[str, Entry]:
    """The first code of each key; a later one with the same key is a problem."""
    by_key: dict[str, Entry] = {}
    for entry in entries:
        if not entry.key_ok:
            continue
        first = by_key.get(entry.spec.key)
        if first is None:
            by_key[entry.spec.key] = entry
        else:
            assert entry.key_node is not None
            add(
                entry.key_node,
                _(
                    "kodenøglen {key} findes to gange: koden på linje {line} har den allerede; hver nøgle skal være entydig"
                ).format(key=repr(entry.spec.key), line=first.spec.line),
            )
    return by_key


def _unique_shortcuts(entries: list[Entry], add: Add) -> None:
    by_shortcut: dict[str, Entry] = {}
    for entry in entries:
        shortcut = entry.spec.shortcut
        if shortcut is None or entry.shortcut_node is None:
            continue
        first = by_shortcut.get(shortcut)
        if first is None:
            by_shortcut[shortcut] = entry
        else:
            other = _("koden {key}").format(key=repr(first.spec.key)) if first.key_ok else _("en anden kode")
            add(
                entry.shortcut_node,
                _(
                    "genvejen {shortcut} findes to gange: {other} (linje {line}) bruger den allerede; "
                    "giv hver kode sin egen genvej"
                ).format(shortcut=repr(shortcut), other=other, line=first.spec.line),
            )


def _no_cycles(by_key: dict[str, Entry], parent_of: dict[str, str], add: Add) -> None:
    """Every code in a cycle of parent links is a problem."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in by_key:
        if state.get(start):
            continue
        path: list[str] = []
        current: str | None = start
        while current is not None and not state.get(current):
            state[current] = 1
            path.append(current)
            current = parent_of.get(current)
        if current is not None and state.get(current) == 1:
            cycle = path[path.index(current) :]
            shown = " → ".join(cycle + [cycle[0]])
            for key in cycle:
                entry = by_key[key]
                node = entry.parent_node or entry.key_node or entry.node
                add(
                    node,
                    _(
                        "koden {key} indgår i en ring af overkoder ({cycle}); en kode kan ikke være sin "
                        "egen forfader – fjern eller ret et af disse led"
                    ).format(key=repr(key), cycle=shown),
                )
        for key in path:
            state[key] = 2


def _not_too_deep(by_key: dict[str, Entry], parent_of: dict[str, str], add: Add) -> None:
    """Depth: a chain of parents longer than MAX_CODE_DEPTH (cycles are reported apart)."""
    depth: dict[str, int] = {}
    for start in by_key:
        chain: list[str] = []
        current: str | None = start
        while current is not None and current not in depth and current not in chain:
            chain.append(current)
            current = parent_of.get(current)
        base = depth.get(current, 0) if current is not None else 0
        for key in reversed(chain):
            base += 1
            depth[key] = base
    too_deep = [key for key in by_key if depth.get(key, 0) > MAX_CODE_DEPTH]
    if too_deep:
        entry = by_key[too_deep[0]]
        add(
            entry.parent_node or entry.key_node or entry.node,
            _(
                "koden {key} ligger {depth} niveauer dybt ({n} kode(r) dybere end {max}); koder kan "
                "højst indlejres {max} niveauer – giv den en overkode højere oppe"
            ).format(key=repr(too_deep[0]), depth=depth[too_deep[0]], n=len(too_deep), max=MAX_CODE_DEPTH),
        )
