"""A codebook's YAML as nodes: composed with every syntax problem placed at its line and column.

The helpers :mod:`trivselkode.domain.codebook_validate` words its messages with.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from trivselkode.domain.codebook_spec import MAX_CODE_DEPTH
from trivselkode.domain.yamlguard import YamlLimit, check_yaml

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
NULL_TAG = "tag:yaml.org,2002:null"
# Nested ``children`` take two YAML levels a code (a list, a mapping), below
# the top mapping and ``codes``; a list field inside the deepest code one more.
_MAX_YAML_DEPTH = 2 * MAX_CODE_DEPTH + 4

#: Reports a problem at a 1-based line and column.
At = Callable[[int, int, str], None]
#: Reports a problem at a node.
Add = Callable[[Node, str], None]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(choice.lower(), choice)
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return f" (did you mean {by_lower[close[0]]!r}?)" if close else ""


def describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL_TAG:
        return "empty"
    return f"{node.value!r}"


def compose(text: str, at: At) -> Node | None:
    """``text`` composed (not loaded: every node keeps its place); ``None``, with the problem told ``at``."""
    try:
        check_yaml(text, max_depth=_MAX_YAML_DEPTH)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except YamlLimit as exc:
        at(exc.line + 1, exc.column + 1, _limit_message(exc))
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is None:
            at(1, 1, _syntax_message(exc))
        else:
            at(mark.line + 1, mark.column + 1, _syntax_message(exc))
        return None
    except yaml.reader.ReaderError as exc:
        position = max(0, min(exc.position, len(text)))
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        at(line, column, f"the character U+{ord(char):04X} is not allowed in a YAML file; delete it")
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error is one of the above
        at(1, 1, f"the file is not valid YAML: {exc}".replace("\n", " "))
        return None
    if root is None:
        at(
            1,
            1,
            "the codebook file is empty; it must be a mapping with `name`, "
            "`version` and `codes` (see codebooks/trivsel.yaml)",
        )
    return root


def _limit_message(exc: YamlLimit) -> str:
    if exc.kind == "depth":
        return (
            f"the YAML nests more than {exc.limit} levels deep here; codes may nest at most "
            f"{MAX_CODE_DEPTH} levels (`children` within `children`) – flatten the tree"
        )
    if exc.kind == "cycle":
        return (
            f"the alias *{exc.anchor} refers to the value it stands in, so the file would never end; remove the alias"
        )
    return (
        f"the aliases (*{exc.anchor} and others) repeat so much that the file would grow to over "
        f"{exc.limit:,} characters; write the values out instead of using aliases"
    )


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    parts = []
    if exc.context:
        context = exc.context
        cm = exc.context_mark
        if cm is not None and mark is not None and (cm.line, cm.column) != (mark.line, mark.column):
            context += f" (from line {cm.line + 1}, column {cm.column + 1})"
        parts.append(context)
    if exc.problem:
        parts.append(exc.problem)
    detail = ": ".join(parts) or "the file is not valid YAML"
    if exc.problem and "another document" in exc.problem:
        return (
            "the file holds more than one YAML document (a second `---`); a codebook "
            "is one document – remove the `---` line or split the file"
        )
    if exc.problem and "'\\t'" in exc.problem:
        return f"YAML syntax error: {detail}; indent with spaces, not tabs"
    return f"YAML syntax error: {detail}; check the indentation, colons and quotes around this point"


def check_duplicate_mapping_keys(root: Node, add: Add) -> None:
    """Tell ``add`` of every key a mapping has twice (YAML would silently keep the last)."""
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, MappingNode):
            first: dict[str, Node] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode):
                    if key_node.value in first:
                        earlier = first[key_node.value].start_mark.line + 1
                        add(
                            key_node,
                            f"duplicate key {key_node.value!r} in the same mapping (first on "
                            f"line {earlier}); YAML would silently keep only the last one – "
                            "remove or merge one of them",
                        )
                    else:
                        first[key_node.value] = key_node
                else:
                    stack.append(key_node)
                stack.append(value_node)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
