"""Validating a codebook file's YAML: every problem, each at the line and column of its node.

The rules are in :mod:`trivselkode.domain.codebook`'s module doc; each code is read
here, the checks across codes are :mod:`trivselkode.domain.codebook_checks`.
"""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from trivselkode.domain.codebook_checks import Entry, cross_check
from trivselkode.domain.codebook_spec import (
    CODE_FIELD_SET,
    CODE_FIELDS,
    LIST_FIELDS,
    RESERVED_CHARS,
    RESERVED_SHORTCUTS,
    TEXT_FIELDS,
    TOP_FIELDS,
    Codebook,
    CodeSpec,
    Problem,
    normalize_color,
)
from trivselkode.domain.codebook_yaml import (
    INT_TAG,
    NULL_TAG,
    STR_TAG,
    check_duplicate_mapping_keys,
    compose,
    describe,
    did_you_mean,
)


class Validator:
    def __init__(self, text: str, file: str) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.lines = self.text.split("\n")
        self.file = file
        self.problems: list[Problem] = []
        self.entries: list[Entry] = []
        self._open: set[int] = set()  # ids of code mappings being walked (alias loops)

    # -- reporting

    def at(self, line: int, column: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, column, message))

    def add(self, node: Node, message: str) -> None:
        mark = node.start_mark
        self.at(mark.line + 1, mark.column + 1, message)

    # -- entry point

    def run(self) -> Codebook | None:
        root = compose(self.text, self.at)
        if root is None:
            return None
        check_duplicate_mapping_keys(root, self.add)
        if not isinstance(root, MappingNode):
            self.add(
                root,
                f"the top level is {describe(root)}, but a codebook must be a mapping "
                "with `name`, `version` and `codes` (see codebooks/trivsel.yaml)",
            )
            return None

        fields = self._fields(root)
        for name, (key_node, _value) in fields.items():
            if name not in TOP_FIELDS:
                self.add(
                    key_node,
                    f"unknown top-level field {name!r}{did_you_mean(name, TOP_FIELDS)}; "
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
            elif isinstance(codes_node, ScalarNode) and codes_node.tag == NULL_TAG:
                self.add(
                    fields["codes"][0],
                    "`codes` is empty; list the codes under it, each starting with `- key: ...`",
                )
            else:
                self.add(
                    codes_node,
                    f"`codes` is {describe(codes_node)}, but it must be a list of codes, "
                    "each starting with `- key: ...`",
                )

        cross_check(self.entries, self.add)
        if self.problems:
            return None
        return Codebook(name=book_name, version=version, codes=[e.spec for e in self.entries])

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
            self.add(node, f"`{name}` is {describe(node)}, but it must be text")
            return None
        if node.tag == NULL_TAG or not node.value.strip():
            if required:
                self.add(node, f"`{name}` of {owner} is empty; write a {name} after `{name}:`")
            return None
        return node.value

    def _version(self, node: Node) -> int | str:
        if not isinstance(node, ScalarNode):
            self.add(node, f"`version` is {describe(node)}, but it must be a number or text such as `1`")
            return 1
        if node.tag == NULL_TAG or not node.value.strip():
            return 1
        if node.tag == INT_TAG and re.fullmatch(r"[-+]?[0-9]+", node.value):
            return int(node.value)
        return node.value

    def _list(self, node: Node, name: str, owner: str) -> list[str]:
        if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return []
        if not isinstance(node, SequenceNode):
            self.add(
                node,
                f"`{name}` of {owner} is {describe(node)}, but it must be a list of texts: "
                f"write `{name}: [a, b]` or one `- item` per line",
            )
            return []
        items: list[str] = []
        for item in node.value:
            if not isinstance(item, ScalarNode):
                self.add(item, f"an entry of `{name}` of {owner} is {describe(item)}, but each entry must be text")
            elif item.tag == NULL_TAG or not item.value.strip():
                self.add(item, f"an entry of `{name}` of {owner} is empty; remove it or write the text")
            else:
                items.append(item.value)
        return items

    def _color(self, key_node: Node, node: Node, owner: str) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
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
            self.add(node, f'`color` of {owner} is {describe(node)}; write a colour such as "#2e7d32"')
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
        if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return None
        if not isinstance(node, ScalarNode):
            self.add(node, f"`shortcut` of {owner} is {describe(node)}, but it must be one character")
            return None
        value = node.value
        if value == "":
            self.add(node, f"`shortcut` of {owner} is empty; give one character or leave the line out")
        elif value in RESERVED_SHORTCUTS:
            self.add(
                node,
                f"shortcut {value!r} of {owner} is reserved by the coding screen; choose a "
                f"character that is neither reserved ({RESERVED_CHARS}) nor used by another code",
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
                    f"a code is {describe(item)}, but each code must be a mapping with at least "
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
        key, key_node = self._key(node, fields)
        owner = f"code {key!r}" if key else "a code"
        self._unknown_fields(fields, owner)
        name = ""
        if "name" not in fields:
            self.add(node, f"{owner} has no `name`; add `name:` with its Danish name")
        else:
            name = self._text(fields["name"][1], "name", required=True, owner=owner) or ""
        explicit_parent, parent_node = self._parent(fields, owner, nested_parent if nested else None)
        kind = self._kind(fields, owner)
        texts: dict[str, str] = {}
        for text_field in TEXT_FIELDS:
            if text_field in fields:
                texts[text_field] = self._text(fields[text_field][1], text_field) or ""
        lists: dict[str, list[str]] = {}
        for list_field in LIST_FIELDS:
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
            Entry(
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
            self._children(fields["children"][1], key, owner)

    def _key(self, node: MappingNode, fields: dict[str, tuple[Node, Node]]) -> tuple[str | None, Node | None]:
        """The code's key (``None`` when missing or unusable) and its node."""
        if "key" not in fields:
            self.add(node, "a code has no `key`; give it a unique key such as `T8` or `B.leg`")
            return None, None
        key_node = fields["key"][1]
        if not isinstance(key_node, ScalarNode) or key_node.tag not in (STR_TAG, NULL_TAG):
            self.add(
                key_node,
                f"the key {describe(key_node)} is not a string; write it in quotes "
                '(e.g. `key: "T1"`) or start it with a letter',
            )
        elif not key_node.value.strip():
            self.add(key_node, "the key of a code is empty; give it a unique key such as `T8`")
        elif key_node.value != key_node.value.strip():
            self.add(key_node, f"the key {key_node.value!r} has spaces at its start or end; remove them")
        else:
            return key_node.value, key_node
        return None, key_node

    def _unknown_fields(self, fields: dict[str, tuple[Node, Node]], owner: str) -> None:
        for name, (fkey_node, _v) in fields.items():
            if name not in CODE_FIELD_SET:
                hint = (
                    " (YAML merge keys are not supported here)" if name == "<<" else did_you_mean(name, CODE_FIELD_SET)
                )
                self.add(
                    fkey_node,
                    f"unknown field {name!r} in {owner}{hint}; the fields of a code are "
                    + ", ".join(CODE_FIELDS)
                    + " and children",
                )

    def _parent(
        self, fields: dict[str, tuple[Node, Node]], owner: str, nested_parent: str | None
    ) -> tuple[str | None, Node | None]:
        """An explicit ``parent:`` and its node (``nested_parent``: the code this one is nested under)."""
        if "parent" not in fields:
            return None, None
        parent_node = fields["parent"][1]
        if isinstance(parent_node, ScalarNode) and parent_node.tag == NULL_TAG:
            return None, None
        if not isinstance(parent_node, ScalarNode) or parent_node.tag != STR_TAG:
            self.add(parent_node, f"`parent` of {owner} is {describe(parent_node)}; write the key of the parent code")
            return None, None
        if not parent_node.value.strip():
            return None, None
        explicit_parent = parent_node.value
        if nested_parent is not None and explicit_parent != nested_parent:
            self.add(
                parent_node,
                f"{owner} is nested under `children` of {nested_parent!r} but says "
                f"`parent: {explicit_parent}`; remove the `parent` line or move the code",
            )
        return explicit_parent, parent_node

    def _kind(self, fields: dict[str, tuple[Node, Node]], owner: str) -> str:
        if "kind" not in fields:
            return ""
        kind_node = fields["kind"][1]
        if isinstance(kind_node, ScalarNode) and kind_node.tag == NULL_TAG:
            return ""
        if not isinstance(kind_node, ScalarNode) or kind_node.tag != STR_TAG:
            self.add(
                kind_node,
                f"`kind` of {owner} is {describe(kind_node)}, but it must be text such as "
                "tema, behov, livskvalitet or miljø",
            )
            return ""
        return kind_node.value.strip()

    def _children(self, children: Node, key: str | None, owner: str) -> None:
        if isinstance(children, SequenceNode):
            # Without a valid key the children cannot name their parent;
            # the missing key is reported already.
            self._walk_codes(children, nested_parent=key, nested=True)
        elif not (isinstance(children, ScalarNode) and children.tag == NULL_TAG):
            self.add(
                children,
                f"`children` of {owner} is {describe(children)}, but it must be a list of codes, "
                "each starting with `- key: ...`",
            )


def validate_codebook_text(text: str, file: str = "<codebook>") -> tuple[Codebook | None, list[Problem]]:
    """Check a codebook's YAML text; return the codebook (or ``None``) and every problem.

    The problems are sorted by line and column. The codebook is built only
    when there are no problems.
    """
    validator = Validator(text, file)
    codebook = validator.run()
    problems = sorted(validator.problems, key=lambda p: (p.line, p.column))
    return (codebook if not problems else None), problems
