"""Loading a metadata YAML mapping safely, and finding the file line of any key in it.

Used for front matter and sidecar files (:mod:`trivselkode.importers.metadata`);
YAML that nests deeper than :data:`MAX_YAML_DEPTH` levels or whose aliases
would blow it up is refused before it is loaded (see
:mod:`trivselkode.domain.yamlguard`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

import yaml

from trivselkode.domain.yamlguard import YamlLimit, check_yaml
from trivselkode.errors import TrivselError
from trivselkode.i18n import _, format_integer

__all__ = ["MAX_YAML_DEPTH", "LineOf", "YamlPath", "load_yaml_mapping", "no_line"]

# Metadata is a mapping of values, lists and participants' mappings: a few levels.
MAX_YAML_DEPTH = 32

# A path into the YAML document, e.g. ("participants", 2, "age").
YamlPath = tuple[Any, ...]
LineOf = Callable[[YamlPath], "int | None"]


def no_line(path: YamlPath) -> int | None:
    """A ``line_of`` for a document without lines: it knows none."""
    return None


def _line_finder(root: yaml.Node | None, first_line: int) -> LineOf:
    """A function from a path in the document to its 1-based line in the file."""

    def line_of(path: YamlPath) -> int | None:
        node = root
        best = node.start_mark.line if node is not None else None
        for step in path:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                        child = value
                        best = key.start_mark.line
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if 0 <= step < len(node.value):
                    child = node.value[step]
                    best = child.start_mark.line
            if child is None:
                break
            node = child
            best = node.start_mark.line
        return None if best is None else first_line + best

    return line_of


def _duplicate_key(node: yaml.Node) -> yaml.ScalarNode | None:
    """The first key that occurs twice in a mapping anywhere under ``node``."""
    stack = [node]
    seen: set[int] = set()  # a node shared through an alias is checked once
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            seen_keys: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen_keys:
                        return key
                    seen_keys.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return None


# libyaml's loader when PyYAML was built with it: several times faster, same marks.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml_mapping(text: str, file: str, first_line: int = 1) -> tuple[dict[str, Any], LineOf]:
    """Parse ``text`` (which starts at line ``first_line`` of ``file``) as a YAML mapping.

    Returns the mapping (empty for an empty document) and a ``line_of``
    function giving the file line of a path in it.
    """
    fast = _plain_mapping(text)
    if fast is not None:
        data, root = fast
        return data, _plain_line_finder(root, first_line)
    try:
        check_yaml(text, max_depth=MAX_YAML_DEPTH)
    except YamlLimit as exc:
        where = f"{file}:{first_line + exc.line}"
        if exc.kind == "depth":
            raise TrivselError(
                _("{where}: metadata er indlejret mere end {limit} niveauer dybt").format(where=where, limit=exc.limit),
                hint=_("skriv metadata som 'nøgle: værdi' og deltagerne som en liste"),
            ) from None
        if exc.kind == "cycle":
            raise TrivselError(
                _(
                    "{where}: aliasset *{anchor} henviser til den værdi, det selv står i, så metadata ville aldrig ende"
                ).format(where=where, anchor=exc.anchor),
                hint=_("fjern aliasset og skriv værdien ud"),
            ) from None
        raise TrivselError(
            _(
                "{where}: YAML-aliasserne (*{anchor} m.fl.) gentager så meget, at metadata ville fylde over {limit} tegn"
            ).format(where=where, anchor=exc.anchor, limit=format_integer(exc.limit)),
            hint=_("skriv værdierne ud i stedet for at bruge aliasser (*navn)"),
        ) from None
    loader = _SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, no_line
        duplicate = _duplicate_key(node)
        if duplicate is not None:
            raise TrivselError(
                _("{file}:{value}: nøglen '{value2}' står to gange").format(
                    file=file, value=first_line + duplicate.start_mark.line, value2=duplicate.value
                ),
                hint=_("slet den ene"),
            )
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        problem = exc.problem or exc.context or _("ukendt fejl")
        raise TrivselError(
            _("{file}:{line}: ugyldig YAML ({problem})").format(file=file, line=line, problem=problem),
            hint=_("ret linjen; brug 'nøgle: værdi', og sæt tekst med kolon i anførselstegn"),
        ) from None
    except yaml.YAMLError as exc:
        raise TrivselError(
            _("{file}:{first_line}: ugyldig YAML ({exc})").format(file=file, first_line=first_line, exc=exc)
        ) from None
    finally:
        loader.dispose()
    if data is None:
        return {}, no_line
    if not isinstance(data, dict):
        raise TrivselError(
            _("{file}:{value}: metadata skal være en samling af 'nøgle: værdi'").format(
                file=file, value=first_line + node.start_mark.line
            ),
            hint=_("skriv fx 'kind: interview' på hver sin linje"),
        )
    return data, _line_finder(node, first_line)


# --------------------------------------------------------------------------- the plain case, without the YAML loader
#
# Most metadata is a few lines of ``key: value`` and a list of participants
# (``- {id: P1, gender: kvinde}`` or ``- id: P1`` with more keys below).
# :func:`_plain_mapping` reads exactly such documents, with values that are
# plain words, and refuses (None) anything else, which the YAML loader then
# reads: every value that YAML could read otherwise (quoted, with a colon,
# ``#``, a bracket or an indicator in it, or written over several lines) and
# every value the loader's implicit resolvers would type (``yes``, ``null``,
# ``1.5``, ``2024-01-02``, ``0x1F``), but for the plain decimal integers.
# What it returns is what the loader returns, line numbers included (a test
# compares them); nothing it accepts can nest or alias, so the limits of
# :mod:`trivselkode.domain.yamlguard` are kept.

_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
_NOT_PLAIN = "#'\"{}\\[\\]&*!|>%@`\\\\:"  # never in a value read here (nor the control characters)
# A value: a letter or digit first, no space last, none of _NOT_PLAIN (in a flow mapping no comma either).
_BLOCK_VALUE = rf"[^\W_](?:[^{_NOT_PLAIN}]*[^\s{_NOT_PLAIN}])?"
_FLOW_VALUE = rf"[^\W_](?:[^,{_NOT_PLAIN}]*[^\s,{_NOT_PLAIN}])?"
_TOP_LINE = re.compile(rf"({_KEY}):(?: ({_BLOCK_VALUE}))?")
_FLOW_ITEM = re.compile(rf"( +)- \{{({_KEY}: {_FLOW_VALUE}(?:, {_KEY}: {_FLOW_VALUE})*)\}}")
_BLOCK_ITEM = re.compile(rf"( +)- ({_KEY}): ({_BLOCK_VALUE})")
_BLOCK_MORE = re.compile(rf"( +)({_KEY}): ({_BLOCK_VALUE})")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_INT = "tag:yaml.org,2002:int"


class _Node(NamedTuple):
    """Where a value begins (0-based line) and, for a mapping or a list, its nodes."""

    line: int
    value: dict[str, _Node] | list[_Node] | None = None


def _plain_value(value: str) -> str | int | None:
    """``value`` as the loader constructs that plain scalar, when it is a string or a decimal integer; else None."""
    resolvers = _SAFE_LOADER.yaml_implicit_resolvers
    for tag, regexp in resolvers.get(value[0], []) + resolvers.get(None, []):
        if regexp.match(value):
            return int(value) if tag == _INT and _DECIMAL.fullmatch(value) else None
    return value if value.isprintable() else None


def _plain_key(key: str) -> bool:
    """Whether the loader takes ``key`` for the string it is."""
    return _plain_value(key) == key


def _plain_mapping(text: str) -> tuple[dict[str, Any], _Node] | None:
    """``text`` read as the YAML loader would, when it is plain ``key: value`` lines and a list of
    participants (see above): the mapping and its nodes' lines. None when it is anything else."""
    if _SAFE_LOADER.yaml_path_resolvers:
        return None
    data: dict[str, Any] = {}
    nodes: dict[str, _Node] = {}
    root: int | None = None
    items: list[Any] | None = None  # the list being read (its key had no value)
    item_nodes: list[_Node] = []
    indent = ""  # the list's items' indentation
    current: dict[str, Any] | None = None  # the block mapping of the item being read
    current_nodes: dict[str, _Node] = {}
    for number, line in enumerate(text.split("\n")):
        if not line:
            continue
        if line[0] != " ":
            if items is not None and not items:
                return None  # a key without a value that is no list: the loader's null, not read here
            items = current = None
            match = _TOP_LINE.fullmatch(line)
            if match is None:
                return None
            key, raw = match.groups()
            if key in data or not _plain_key(key):
                return None
            if root is None:
                root = number
            if raw is None:
                items, item_nodes = [], []
                data[key] = items
                nodes[key] = _Node(-1, item_nodes)  # its line: its first item's
                continue
            value = _plain_value(raw)
            if value is None:
                return None
            data[key] = value
            nodes[key] = _Node(number)
            continue
        if items is None:
            return None
        if current is not None and not line.startswith(indent + "- "):
            match = _BLOCK_MORE.fullmatch(line)  # the next key of the item's mapping, below its first
            if match is None or len(match.group(1)) != len(indent) + 2:
                return None
            key, raw = match.group(2), match.group(3)
            value = _plain_value(raw)
            if key in current or value is None or not _plain_key(key):
                return None
            current[key] = value
            current_nodes[key] = _Node(number)
            continue
        item = _item(line, number, indent if items else None)
        if item is None:
            return None
        indent, mapping, mapping_nodes, block = item
        if not items:
            nodes[next(reversed(nodes))] = _Node(number, item_nodes)
        items.append(mapping)
        item_nodes.append(_Node(number, mapping_nodes))
        current, current_nodes = (mapping, mapping_nodes) if block else (None, {})
    if root is None or (items is not None and not items):
        return None
    return data, _Node(root, nodes)


def _item(line: str, number: int, indent: str | None) -> tuple[str, dict[str, Any], dict[str, _Node], bool] | None:
    """One participant's line ``- {key: value, …}`` or ``- key: value`` (more keys may follow below it):
    its indentation, mapping, nodes and whether it is the latter. None when it is no such line, or is
    not indented as ``indent`` (the list's first item's, when there is one)."""
    mapping: dict[str, Any] = {}
    nodes: dict[str, _Node] = {}
    match = _FLOW_ITEM.fullmatch(line)
    if match is not None:
        pairs = [entry.split(": ") for entry in match.group(2).split(", ")]
        block = False
    else:
        match = _BLOCK_ITEM.fullmatch(line)
        if match is None:
            return None
        pairs = [[match.group(2), match.group(3)]]
        block = True
    spaces = match.group(1)
    if indent is not None and spaces != indent:
        return None
    for key, raw in pairs:
        value = _plain_value(raw)
        if key in mapping or value is None or not _plain_key(key):
            return None
        mapping[key] = value
        nodes[key] = _Node(number)
    return spaces, mapping, nodes, block


def _plain_line_finder(root: _Node, first_line: int) -> LineOf:
    """:func:`_line_finder` for what :func:`_plain_mapping` read."""

    def line_of(path: YamlPath) -> int | None:
        node = root
        for step in path:
            child = None
            if isinstance(node.value, dict):
                child = node.value.get(str(step))
            elif isinstance(node.value, list) and isinstance(step, int):
                if 0 <= step < len(node.value):
                    child = node.value[step]
            if child is None:
                break
            node = child
        return first_line + node.line

    return line_of
