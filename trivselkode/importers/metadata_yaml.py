"""Loading a metadata YAML mapping safely, and finding the file line of any key in it.

Used for front matter and sidecar files (:mod:`trivselkode.importers.metadata`);
YAML that nests deeper than :data:`MAX_YAML_DEPTH` levels or whose aliases
would blow it up is refused before it is loaded (see
:mod:`trivselkode.domain.yamlguard`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
