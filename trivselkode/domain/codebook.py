"""The codebook file: parse it, validate it, write it back.

A codebook is a YAML file (UTF-8) with a top-level mapping of ``name``,
``version`` and ``codes``; ``codes`` is a list of code mappings, which nest
either with ``parent: KEY`` or with a ``children:`` list.

Validation works on the *composed* node tree (``yaml.compose``), not on
``yaml.safe_load`` output, so that every problem can point at the line and
column of the node that causes it, and so that duplicate mapping keys (which
PyYAML otherwise accepts silently, keeping the last) are caught. Every
problem is reported, not just the first one; a :class:`Codebook` is built
only when there are none.

Codes nest at most :data:`MAX_CODE_DEPTH` levels deep (nested ``children`` or
a chain of ``parent`` links), and a file whose YAML nests deeper than that
allows, or whose aliases (``*name``) would expand it far beyond its own size,
is refused before it is composed (see :mod:`trivselkode.domain.yamlguard`):
so neither a deep tree nor an alias "bomb" costs more than the file's size.

Pure: PyYAML and the standard library only (no database, no UI).
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from trivselkode.domain.yamlguard import YamlLimit, check_yaml
from trivselkode.errors import TrivselError

__all__ = [
    "CODE_FIELDS",
    "RESERVED_SHORTCUTS",
    "Codebook",
    "CodebookInvalid",
    "MAX_CODE_DEPTH",
    "CodeSpec",
    "Problem",
    "dump_codebook",
    "load_codebook_file",
    "read_codebook_text",
    "validate_codebook_file",
    "validate_codebook_text",
]

#: Keys the coding screen binds for itself; no code may use one as its shortcut.
RESERVED_SHORTCUTS: frozenset[str] = frozenset(
    {
        "j", "k", "n", "p", "s", "m", "u", "d", "e", "o", "r", "q", "g", "G", "A",
        "?", "/", "*", "+", " ",
        "space", "enter", "escape", "tab", "up", "down", "left", "right",
    }
)  # fmt: skip

_RESERVED_CHARS = (
    " ".join(sorted((k for k in RESERVED_SHORTCUTS if len(k) == 1 and k != " "), key=str.lower)) + " space"
)

#: The fields of a code, in the order :func:`dump_codebook` writes them.
CODE_FIELDS: tuple[str, ...] = (
    "key",
    "name",
    "parent",
    "kind",
    "shortcut",
    "color",
    "description",
    "include",
    "exclude",
    "characteristics",
    "examples",
    "keywords",
)
_CODE_FIELD_SET = frozenset(CODE_FIELDS) | {"children"}
_TOP_FIELDS = ("name", "version", "codes")
_TEXT_FIELDS = ("description", "include", "exclude")
_LIST_FIELDS = ("characteristics", "examples", "keywords")

_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_NULL_TAG = "tag:yaml.org,2002:null"
#: How deep codes may nest (a top-level code is at level 1). Deeper trees are
#: refused when a codebook or a REFI-QDA file is read, so that nothing that
#: walks the tree later (display, export, roll-up) can run out of stack.
MAX_CODE_DEPTH = 100
# Nested ``children`` take two YAML levels a code (a list, a mapping), below
# the top mapping and ``codes``; a list field inside the deepest code one more.
_MAX_YAML_DEPTH = 2 * MAX_CODE_DEPTH + 4
_COLOR_RE = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")


# --------------------------------------------------------------------------- model


@dataclass
class CodeSpec:
    """One code as the codebook file describes it.

    ``line`` (where the code's mapping starts in the file) is for messages
    only and takes no part in equality, so a codebook equals itself after a
    round trip through :func:`dump_codebook`.
    """

    key: str
    name: str
    parent: str | None = None
    kind: str = ""
    description: str = ""
    include: str = ""
    exclude: str = ""
    characteristics: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    color: str | None = None
    shortcut: str | None = None
    position: int = 0
    line: int = field(default=0, compare=False)


@dataclass
class Codebook:
    """A whole codebook: codes flattened depth-first in file order."""

    name: str
    version: int | str = 1
    codes: list[CodeSpec] = field(default_factory=list)

    def get(self, key: str) -> CodeSpec | None:
        for code in self.codes:
            if code.key == key:
                return code
        return None

    def children_of(self, key: str | None) -> list[CodeSpec]:
        """The codes whose parent is ``key`` (``None``: the top-level codes)."""
        return [c for c in self.codes if c.parent == key]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a codebook file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class CodebookInvalid(TrivselError):
    """A codebook file has problems; ``.problems`` lists every one of them."""

    def __init__(self, problems: Iterable[Problem], hint: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        if self.problems:
            message = str(self.problems[0])
            if len(self.problems) > 1:
                message += f" (and {len(self.problems) - 1} more)"
        else:  # pragma: no cover - never raised without a problem
            message = "the codebook is invalid"
        super().__init__(message, hint)


# ---------------------------------------------------------------------- validation


def normalize_color(value: str) -> str | None:
    """``#RGB``/``#rrggbb`` → lower-case ``#rrggbb``; anything else → ``None``."""
    value = value.strip()
    if not _COLOR_RE.match(value):
        return None
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(choice.lower(), choice)
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return f" (did you mean {by_lower[close[0]]!r}?)" if close else ""


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL_TAG:
        return "empty"
    return f"{node.value!r}"


@dataclass
class _Entry:
    """A code while it is being validated, with the nodes to point at."""

    spec: CodeSpec
    node: MappingNode
    key_node: Node | None
    parent_node: Node | None  # the value node of an explicit ``parent:``
    explicit_parent: str | None
    nested_parent: str | None  # the key of the enclosing code under ``children``
    shortcut_node: Node | None
    key_ok: bool


class _Validator:
    def __init__(self, text: str, file: str) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.lines = self.text.split("\n")
        self.file = file
        self.problems: list[Problem] = []
        self.entries: list[_Entry] = []
        self._open: set[int] = set()  # ids of code mappings being walked (alias loops)

    # -- reporting

    def at(self, line: int, column: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, column, message))

    def add(self, node: Node, message: str) -> None:
        mark = node.start_mark
        self.at(mark.line + 1, mark.column + 1, message)

    # -- entry point

    def run(self) -> Codebook | None:
        root = self._compose()
        if root is None:
            return None
        self._check_duplicate_mapping_keys(root)
        if not isinstance(root, MappingNode):
            self.add(
                root,
                f"the top level is {_describe(root)}, but a codebook must be a mapping "
                "with `name`, `version` and `codes` (see codebooks/trivsel.yaml)",
            )
            return None

        fields = self._fields(root)
        for name, (key_node, _value) in fields.items():
            if name not in _TOP_FIELDS:
                self.add(
                    key_node,
                    f"unknown top-level field {name!r}{_did_you_mean(name, _TOP_FIELDS)}; "
                    "a codebook has only `name`, `version` and `codes`",
                )

        book_name = ""
        if "name" not in fields:
            self.add(root, "the codebook has no `name`; add a line such as `name: Trivselskodebog`")
        else:
            book_name = self._text(fields["name"][1], "name", required=True, owner="the codebook") or ""

        version: int | str = 1
        if "version" in fields:
            version = self._version(fields["version"][1])

        if "codes" not in fields:
            self.add(root, "the codebook has no `codes`; add `codes:` with a list of codes (`- key: ...`)")
        else:
            codes_node = fields["codes"][1]
            if isinstance(codes_node, SequenceNode):
                if not codes_node.value:
                    self.add(codes_node, "`codes` is empty; list at least one code (`- key: T1`, `name: ...`)")
                self._walk_codes(codes_node, nested_parent=None, nested=False)
            elif isinstance(codes_node, ScalarNode) and codes_node.tag == _NULL_TAG:
                self.add(
                    fields["codes"][0],
                    "`codes` is empty; list the codes under it, each starting with `- key: ...`",
                )
            else:
                self.add(
                    codes_node,
                    f"`codes` is {_describe(codes_node)}, but it must be a list of codes, "
                    "each starting with `- key: ...`",
                )

        self._cross_check()
        if self.problems:
            return None
        return Codebook(name=book_name, version=version, codes=[e.spec for e in self.entries])

    # -- YAML

    def _compose(self) -> Node | None:
        try:
            check_yaml(self.text, max_depth=_MAX_YAML_DEPTH)
            root = yaml.compose(self.text, Loader=yaml.SafeLoader)
        except YamlLimit as exc:
            if exc.kind == "depth":
                message = (
                    f"the YAML nests more than {exc.limit} levels deep here; codes may nest at most "
                    f"{MAX_CODE_DEPTH} levels (`children` within `children`) – flatten the tree"
                )
            elif exc.kind == "cycle":
                message = f"the alias *{exc.anchor} refers to the value it stands in, so the file would never end; remove the alias"
            else:
                message = (
                    f"the aliases (*{exc.anchor} and others) repeat so much that the file would grow to over "
                    f"{exc.limit:,} characters; write the values out instead of using aliases"
                )
            self.at(exc.line + 1, exc.column + 1, message)
            return None
        except yaml.MarkedYAMLError as exc:
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
                message = (
                    "the file holds more than one YAML document (a second `---`); a codebook "
                    "is one document – remove the `---` line or split the file"
                )
            elif exc.problem and "'\\t'" in exc.problem:
                message = f"YAML syntax error: {detail}; indent with spaces, not tabs"
            else:
                message = f"YAML syntax error: {detail}; check the indentation, colons and quotes around this point"
            if mark is None:
                self.at(1, 1, message)
            else:
                self.at(mark.line + 1, mark.column + 1, message)
            return None
        except yaml.reader.ReaderError as exc:
            position = max(0, min(exc.position, len(self.text)))
            line = self.text.count("\n", 0, position) + 1
            column = position - (self.text.rfind("\n", 0, position) + 1) + 1
            char = exc.character if isinstance(exc.character, str) else chr(exc.character)
            self.at(
                line,
                column,
                f"the character U+{ord(char):04X} is not allowed in a YAML file; delete it",
            )
            return None
        except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error is one of the above
            self.at(1, 1, f"the file is not valid YAML: {exc}".replace("\n", " "))
            return None
        if root is None:
            self.at(
                1,
                1,
                "the codebook file is empty; it must be a mapping with `name`, "
                "`version` and `codes` (see codebooks/trivsel.yaml)",
            )
        return root

    def _check_duplicate_mapping_keys(self, root: Node) -> None:
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
                            self.add(
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

    def _fields(self, node: MappingNode) -> dict[str, tuple[Node, Node]]:
        """Field name → (key node, value node); the last of duplicates wins, as in YAML."""
        fields: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.add(key_node, "a field name must be a plain word such as `name`, not a list or mapping")
                continue
            fields[key_node.value] = (key_node, value_node)
        return fields

    # -- scalar helpers

    def _text(self, node: Node, name: str, *, required: bool = False, owner: str = "") -> str | None:
        """A free-text field: any scalar, taken as written; ``None`` when empty."""
        if not isinstance(node, ScalarNode):
            self.add(node, f"`{name}` is {_describe(node)}, but it must be text")
            return None
        if node.tag == _NULL_TAG or not node.value.strip():
            if required:
                self.add(node, f"`{name}` of {owner} is empty; write a {name} after `{name}:`")
            return None
        return node.value

    def _version(self, node: Node) -> int | str:
        if not isinstance(node, ScalarNode):
            self.add(node, f"`version` is {_describe(node)}, but it must be a number or text such as `1`")
            return 1
        if node.tag == _NULL_TAG or not node.value.strip():
            return 1
        if node.tag == _INT_TAG and re.fullmatch(r"[-+]?[0-9]+", node.value):
            return int(node.value)
        return node.value

    def _list(self, node: Node, name: str, owner: str) -> list[str]:
        if isinstance(node, ScalarNode) and node.tag == _NULL_TAG:
            return []
        if not isinstance(node, SequenceNode):
            self.add(
                node,
                f"`{name}` of {owner} is {_describe(node)}, but it must be a list of texts: "
                f"write `{name}: [a, b]` or one `- item` per line",
            )
            return []
        items: list[str] = []
        for item in node.value:
            if not isinstance(item, ScalarNode):
                self.add(item, f"an entry of `{name}` of {owner} is {_describe(item)}, but each entry must be text")
            elif item.tag == _NULL_TAG or not item.value.strip():
                self.add(item, f"an entry of `{name}` of {owner} is empty; remove it or write the text")
            else:
                items.append(item.value)
        return items

    def _color(self, key_node: Node, node: Node, owner: str) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == _NULL_TAG:
            # `color: #2e7d32` without quotes: the colour is a YAML comment.
            line_no = key_node.end_mark.line
            if line_no < len(self.lines):
                hash_at = self.lines[line_no].find("#", key_node.end_mark.column)
                if hash_at >= 0:
                    self.at(
                        line_no + 1,
                        hash_at + 1,
                        f"the colour of {owner} is read as a YAML comment because `#` is not "
                        'quoted; write it in quotes, e.g. `color: "#2e7d32"`',
                    )
            return None
        if not isinstance(node, ScalarNode):
            self.add(node, f'`color` of {owner} is {_describe(node)}; write a colour such as "#2e7d32"')
            return None
        color = normalize_color(node.value)
        if color is None:
            self.add(
                node,
                f'`color` {node.value!r} of {owner} is not a colour; write it as "#rrggbb" '
                'or "#rgb" in hexadecimal, e.g. "#2e7d32"',
            )
        return color

    def _shortcut(self, node: Node, owner: str) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == _NULL_TAG:
            return None
        if not isinstance(node, ScalarNode):
            self.add(node, f"`shortcut` of {owner} is {_describe(node)}, but it must be one character")
            return None
        value = node.value
        if value == "":
            self.add(node, f"`shortcut` of {owner} is empty; give one character or leave the line out")
        elif value in RESERVED_SHORTCUTS:
            self.add(
                node,
                f"shortcut {value!r} of {owner} is reserved by the coding screen; choose a "
                f"character that is neither reserved ({_RESERVED_CHARS}) nor used by another code",
            )
        elif len(value) != 1:
            self.add(
                node,
                f"shortcut {value!r} of {owner} is not a single character; use one letter, digit "
                "or sign (in quotes if it is a digit)",
            )
        elif not value.isprintable():
            self.add(node, f"shortcut {value!r} of {owner} is not a printable character; use a letter or digit")
        else:
            return value
        return None

    # -- codes

    def _walk_codes(self, seq: SequenceNode, nested_parent: str | None, nested: bool) -> None:
        for item in seq.value:
            if not isinstance(item, MappingNode):
                self.add(
                    item,
                    f"a code is {_describe(item)}, but each code must be a mapping with at least "
                    "`key` and `name` (`- key: T1` on one line, `name: ...` below it)",
                )
                continue
            if id(item) in self._open:
                self.add(item, "a code is nested inside itself through a YAML alias; remove the alias")
                continue
            self._open.add(id(item))
            try:
                self._code(item, nested_parent, nested)
            finally:
                self._open.discard(id(item))

    def _code(self, node: MappingNode, nested_parent: str | None, nested: bool) -> None:
        fields = self._fields(node)

        key: str | None = None
        key_node: Node | None = None
        if "key" not in fields:
            self.add(node, "a code has no `key`; give it a unique key such as `T8` or `B.leg`")
        else:
            key_node = fields["key"][1]
            if not isinstance(key_node, ScalarNode) or key_node.tag not in (_STR_TAG, _NULL_TAG):
                self.add(
                    key_node,
                    f"the key {_describe(key_node)} is not a string; write it in quotes "
                    '(e.g. `key: "T1"`) or start it with a letter',
                )
            elif not key_node.value.strip():
                self.add(key_node, "the key of a code is empty; give it a unique key such as `T8`")
            elif key_node.value != key_node.value.strip():
                self.add(key_node, f"the key {key_node.value!r} has spaces at its start or end; remove them")
            else:
                key = key_node.value
        owner = f"code {key!r}" if key else "a code"

        for name, (fkey_node, _v) in fields.items():
            if name not in _CODE_FIELD_SET:
                hint = (
                    " (YAML merge keys are not supported here)"
                    if name == "<<"
                    else _did_you_mean(name, _CODE_FIELD_SET)
                )
                self.add(
                    fkey_node,
                    f"unknown field {name!r} in {owner}{hint}; the fields of a code are "
                    + ", ".join(CODE_FIELDS)
                    + " and children",
                )

        name = ""
        if "name" not in fields:
            self.add(node, f"{owner} has no `name`; add `name:` with its Danish name")
        else:
            name = self._text(fields["name"][1], "name", required=True, owner=owner) or ""

        explicit_parent: str | None = None
        parent_node: Node | None = None
        if "parent" in fields:
            parent_node = fields["parent"][1]
            if isinstance(parent_node, ScalarNode) and parent_node.tag == _NULL_TAG:
                parent_node = None
            elif not isinstance(parent_node, ScalarNode) or parent_node.tag != _STR_TAG:
                self.add(
                    parent_node, f"`parent` of {owner} is {_describe(parent_node)}; write the key of the parent code"
                )
                parent_node = None
            elif not parent_node.value.strip():
                parent_node = None
            else:
                explicit_parent = parent_node.value
                if nested and nested_parent is not None and explicit_parent != nested_parent:
                    self.add(
                        parent_node,
                        f"{owner} is nested under `children` of {nested_parent!r} but says "
                        f"`parent: {explicit_parent}`; remove the `parent` line or move the code",
                    )

        kind = ""
        if "kind" in fields:
            kind_node = fields["kind"][1]
            if isinstance(kind_node, ScalarNode) and kind_node.tag == _NULL_TAG:
                pass
            elif not isinstance(kind_node, ScalarNode) or kind_node.tag != _STR_TAG:
                self.add(
                    kind_node,
                    f"`kind` of {owner} is {_describe(kind_node)}, but it must be text such as "
                    "tema, behov, livskvalitet or miljø",
                )
            else:
                kind = kind_node.value.strip()

        texts: dict[str, str] = {}
        for text_field in _TEXT_FIELDS:
            if text_field in fields:
                texts[text_field] = self._text(fields[text_field][1], text_field) or ""
        lists: dict[str, list[str]] = {}
        for list_field in _LIST_FIELDS:
            if list_field in fields:
                lists[list_field] = self._list(fields[list_field][1], list_field, owner)

        color = None
        if "color" in fields:
            color = self._color(fields["color"][0], fields["color"][1], owner)
        shortcut = None
        shortcut_node = None
        if "shortcut" in fields:
            shortcut_node = fields["shortcut"][1]
            shortcut = self._shortcut(shortcut_node, owner)

        spec = CodeSpec(
            key=key or "",
            name=name,
            parent=explicit_parent if explicit_parent is not None else (nested_parent if nested else None),
            kind=kind,
            description=texts.get("description", ""),
            include=texts.get("include", ""),
            exclude=texts.get("exclude", ""),
            characteristics=lists.get("characteristics", []),
            examples=lists.get("examples", []),
            keywords=lists.get("keywords", []),
            color=color,
            shortcut=shortcut,
            position=len(self.entries),
            line=node.start_mark.line + 1,
        )
        self.entries.append(
            _Entry(
                spec=spec,
                node=node,
                key_node=key_node,
                parent_node=parent_node,
                explicit_parent=explicit_parent,
                nested_parent=nested_parent if nested else None,
                shortcut_node=shortcut_node if shortcut else None,
                key_ok=key is not None,
            )
        )

        if "children" in fields:
            children = fields["children"][1]
            if isinstance(children, SequenceNode):
                # Without a valid key the children cannot name their parent;
                # the missing key is reported already.
                self._walk_codes(children, nested_parent=key, nested=True)
            elif not (isinstance(children, ScalarNode) and children.tag == _NULL_TAG):
                self.add(
                    children,
                    f"`children` of {owner} is {_describe(children)}, but it must be a list of codes, "
                    "each starting with `- key: ...`",
                )

    def _cross_check(self) -> None:
        by_key: dict[str, _Entry] = {}
        for entry in self.entries:
            if not entry.key_ok:
                continue
            first = by_key.get(entry.spec.key)
            if first is None:
                by_key[entry.spec.key] = entry
            else:
                assert entry.key_node is not None
                self.add(
                    entry.key_node,
                    f"duplicate code key {entry.spec.key!r}: the code on line {first.spec.line} "
                    "has it already; every key must be unique",
                )

        by_shortcut: dict[str, _Entry] = {}
        for entry in self.entries:
            shortcut = entry.spec.shortcut
            if shortcut is None or entry.shortcut_node is None:
                continue
            first = by_shortcut.get(shortcut)
            if first is None:
                by_shortcut[shortcut] = entry
            else:
                other = f"code {first.spec.key!r}" if first.key_ok else "another code"
                self.add(
                    entry.shortcut_node,
                    f"duplicate shortcut {shortcut!r}: {other} (line {first.spec.line}) uses it "
                    "already; give each code its own shortcut",
                )

        for entry in self.entries:
            parent = entry.explicit_parent
            if parent is not None and parent not in by_key and entry.parent_node is not None:
                self.add(
                    entry.parent_node,
                    f"unknown parent {parent!r}: no code has that key"
                    f"{_did_you_mean(parent, by_key)}; use the key of an existing code or remove the line",
                )

        # Cycles in parent links (an explicit `parent`, else the nesting).
        parent_of: dict[str, str] = {}
        for key, entry in by_key.items():
            link = entry.explicit_parent if entry.explicit_parent is not None else entry.nested_parent
            if link is not None and link in by_key:
                parent_of[key] = link
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
                    self.add(
                        node,
                        f"code {key!r} is in a cycle of parents ({shown}); a code cannot be its "
                        "own ancestor – remove or change one of these parent links",
                    )
            for key in path:
                state[key] = 2

        # Depth: a chain of parents longer than MAX_CODE_DEPTH (cycles are reported above).
        depth: dict[str, int] = {}
        for start in by_key:
            chain: list[str] = []
            current = start
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
            self.add(
                entry.parent_node or entry.key_node or entry.node,
                f"code {too_deep[0]!r} lies {depth[too_deep[0]]} levels deep ({len(too_deep)} code(s) "
                f"deeper than {MAX_CODE_DEPTH}); codes may nest at most {MAX_CODE_DEPTH} levels – "
                "give it a parent higher up",
            )


def validate_codebook_text(text: str, file: str = "<codebook>") -> tuple[Codebook | None, list[Problem]]:
    """Check a codebook's YAML text; return the codebook (or ``None``) and every problem.

    The problems are sorted by line and column. The codebook is built only
    when there are no problems.
    """
    validator = _Validator(text, file)
    codebook = validator.run()
    problems = sorted(validator.problems, key=lambda p: (p.line, p.column))
    return (codebook if not problems else None), problems


# --------------------------------------------------------------------------- files


def read_codebook_text(path: str | Path) -> str:
    """The text of a codebook file (UTF-8, with or without BOM).

    Raises :class:`TrivselError` with a one-line message when the file is
    missing, unreadable, binary or not UTF-8.
    """
    p = Path(path)
    if not p.exists():
        raise TrivselError(f"codebook file not found: {p}", hint="check the path and the file name")
    if p.is_dir():
        raise TrivselError(f"{p} is a folder, not a codebook file", hint="give the path of a .yaml file")
    try:
        data = p.read_bytes()
    except PermissionError:
        raise TrivselError(f"cannot read codebook file {p}: permission denied") from None
    except OSError as exc:
        raise TrivselError(f"cannot read codebook file {p}: {exc.strerror or exc}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TrivselError(f"codebook file {p} is UTF-16, not UTF-8", hint="save it as UTF-8")
    if b"\x00" in data:
        raise TrivselError(
            f"codebook file {p} is not a text file (it contains binary data)",
            hint="a codebook is a YAML text file in UTF-8",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TrivselError(
            f"codebook file {p} is not UTF-8 (byte 0x{data[exc.start]:02x} on line {line})",
            hint="save it as UTF-8",
        ) from None


def validate_codebook_file(path: str | Path) -> tuple[Codebook | None, list[Problem]]:
    """:func:`validate_codebook_text` on a file; unreadable files raise :class:`TrivselError`."""
    return validate_codebook_text(read_codebook_text(path), str(path))


def load_codebook_file(path: str | Path) -> Codebook:
    """Read and validate a codebook file; raise :class:`CodebookInvalid` on any problem."""
    codebook, problems = validate_codebook_file(path)
    if problems or codebook is None:
        raise CodebookInvalid(
            problems,
            hint=f"run `trivselkode codebook validate {shlex.quote(str(path))}` to see every problem",
        )
    return codebook


# ---------------------------------------------------------------------------- dump


class _FlowList(list):
    """A list written in flow style: ``[a, b, c]``."""


class _Dumper(yaml.SafeDumper):
    """Indents block lists under their key, as the bundled codebook is written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        return dumper.represent_scalar(_STR_TAG, data, style="|")
    return dumper.represent_scalar(_STR_TAG, data)


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_FlowList, _represent_flow_list)


def dump_codebook(codebook: Codebook) -> str:
    """The codebook as YAML: a flat list in position order, nested by ``parent:``.

    Empty fields are left out. ``validate_codebook_text`` of the result gives
    back an equal :class:`Codebook` (positions renumbered 0, 1, 2, … in order).
    """
    codes = []
    for code in sorted(codebook.codes, key=lambda c: c.position):
        entry: dict[str, object] = {"key": code.key, "name": code.name}
        if code.parent:
            entry["parent"] = code.parent
        if code.kind:
            entry["kind"] = code.kind
        if code.shortcut:
            entry["shortcut"] = code.shortcut
        if code.color:
            entry["color"] = code.color
        for text_field in _TEXT_FIELDS:
            value = getattr(code, text_field)
            if value:
                entry[text_field] = value
        for list_field in _LIST_FIELDS:
            values = list(getattr(code, list_field))
            if values:
                entry[list_field] = _FlowList(values) if list_field == "keywords" else values
        codes.append(entry)
    document = {"name": codebook.name, "version": codebook.version, "codes": codes}
    return yaml.dump(
        document,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
        indent=2,
    )
