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
from trivselkode.i18n import _, format_integer

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
    return " " + _("(mente du {name}?)").format(name=repr(by_lower[close[0]])) if close else ""


def describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return _("en mapping")
    if isinstance(node, SequenceNode):
        return _("en liste")
    if node.tag == NULL_TAG:
        return _("tom")
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
        at(
            line,
            column,
            _("tegnet U+{code} er ikke tilladt i en YAML-fil; slet det").format(code=f"{ord(char):04X}"),
        )
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error is one of the above
        at(1, 1, _("filen er ikke gyldig YAML: {error}").format(error=exc).replace("\n", " "))
        return None
    if root is None:
        at(
            1,
            1,
            _(
                "kodebogsfilen er tom; den skal være en mapping med `name`, "
                "`version` og `codes` (se codebooks/trivsel.yaml)"
            ),
        )
    return root


def _limit_message(exc: YamlLimit) -> str:
    if exc.kind == "depth":
        return _(
            "YAML'en er indlejret mere end {limit} niveauer dybt her; koder kan højst indlejres "
            "{max} niveauer (`children` i `children`) – gør træet fladere"
        ).format(limit=exc.limit, max=MAX_CODE_DEPTH)
    if exc.kind == "cycle":
        return _(
            "aliaset *{anchor} henviser til den værdi, det selv står i, så filen ville aldrig ende; fjern aliaset"
        ).format(anchor=exc.anchor)
    return _(
        "aliaserne (*{anchor} og andre) gentages så meget, at filen ville vokse til over "
        "{limit} tegn; skriv værdierne ud i stedet for at bruge aliaser"
    ).format(anchor=exc.anchor, limit=format_integer(exc.limit))


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    parts = []
    if exc.context:
        context = exc.context
        cm = exc.context_mark
        if cm is not None and mark is not None and (cm.line, cm.column) != (mark.line, mark.column):
            context += " " + _("(fra linje {line}, kolonne {column})").format(line=cm.line + 1, column=cm.column + 1)
        parts.append(context)
    if exc.problem:
        parts.append(exc.problem)
    detail = ": ".join(parts) or _("filen er ikke gyldig YAML")
    if exc.problem and "another document" in exc.problem:
        return _(
            "filen rummer mere end ét YAML-dokument (endnu en `---`); en kodebog "
            "er ét dokument – fjern `---`-linjen, eller del filen"
        )
    if exc.problem and "'\\t'" in exc.problem:
        return _("YAML-syntaksfejl: {detail}; ryk ind med mellemrum, ikke tabulatorer").format(detail=detail)
    return _("YAML-syntaksfejl: {detail}; tjek indrykningen, kolonerne og anførselstegnene omkring dette sted").format(
        detail=detail
    )


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
                            _(
                                "nøglen {key} står to gange i samme mapping (første gang på linje {line}); "
                                "YAML ville i stilhed kun beholde den sidste – fjern eller flet den ene"
                            ).format(key=repr(key_node.value), line=earlier),
                        )
                    else:
                        first[key_node.value] = key_node
                else:
                    stack.append(key_node)
                stack.append(value_node)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
