"""Validating a codebook file's YAML: every problem, each at the line and column of its node.

The rules are in :mod:`trivselkode.domain.codebook`'s module doc; each code is read
here, the checks across codes are :mod:`trivselkode.domain.codebook_checks`.
"""

from __future__ import annotations

import re
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from trivselkode.domain.codebook_checks import Entry, cross_check
from trivselkode.domain.codebook_spec import (
    CODE_FIELD_SET,
    CODE_FIELDS,
    EN_LIST_FIELDS,
    EN_TEXT_FIELDS,
    FIELD_ALIASES,
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
from trivselkode.i18n import _


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
                _(
                    "øverste niveau er {what}, men en kodebog skal være en mapping "
                    "med `name`, `version` og `codes` (se codebooks/trivsel.yaml)"
                ).format(what=describe(root)),
            )
            return None

        fields = self._fields(root)
        for name, (key_node, _value) in fields.items():
            if name not in TOP_FIELDS:
                self.add(
                    key_node,
                    _(
                        "ukendt felt {name} på øverste niveau{hint}; en kodebog har kun `name`, `version` og `codes`"
                    ).format(name=repr(name), hint=did_you_mean(name, TOP_FIELDS)),
                )

        book_name = ""
        if "name" not in fields:
            self.add(root, _("kodebogen har intet `name`; tilføj en linje som `name: Trivselskodebog`"))
        else:
            book_name = self._text(fields["name"][1], "name", required=True, owner=_("kodebogen")) or ""

        version: int | str = 1
        if "version" in fields:
            version = self._version(fields["version"][1])

        if "codes" not in fields:
            self.add(root, _("kodebogen har ingen `codes`; tilføj `codes:` med en liste af koder (`- key: ...`)"))
        else:
            codes_node = fields["codes"][1]
            if isinstance(codes_node, SequenceNode):
                if not codes_node.value:
                    self.add(codes_node, _("`codes` er tom; skriv mindst én kode (`- key: T1`, `name: ...`)"))
                self._walk_codes(codes_node, nested_parent=None, nested=False)
            elif isinstance(codes_node, ScalarNode) and codes_node.tag == NULL_TAG:
                self.add(
                    fields["codes"][0],
                    _("`codes` er tom; skriv koderne under den, hver begyndende med `- key: ...`"),
                )
            else:
                self.add(
                    codes_node,
                    _(
                        "`codes` er {what}, men den skal være en liste af koder, hver begyndende med `- key: ...`"
                    ).format(what=describe(codes_node)),
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
                self.add(key_node, _("et feltnavn skal være et enkelt ord som `name`, ikke en liste eller mapping"))
                continue
            fields[key_node.value] = (key_node, value_node)
        return fields

    # -- scalar helpers

    def _text(self, node: Node, name: str, *, required: bool = False, owner: str = "") -> str | None:
        """A free-text field: any scalar, taken as written; ``None`` when empty."""
        if not isinstance(node, ScalarNode):
            self.add(node, _("`{field}` er {what}, men det skal være tekst").format(field=name, what=describe(node)))
            return None
        if node.tag == NULL_TAG or not node.value.strip():
            if required:
                self.add(
                    node,
                    _("`{field}` for {owner} er tomt; skriv et {field} efter `{field}:`").format(
                        field=name, owner=owner
                    ),
                )
            return None
        return node.value

    def _version(self, node: Node) -> int | str:
        if not isinstance(node, ScalarNode):
            self.add(
                node,
                _("`version` er {what}, men den skal være et tal eller en tekst som `1`").format(what=describe(node)),
            )
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
                _(
                    "`{field}` for {owner} er {what}, men det skal være en liste af tekster: "
                    "skriv `{field}: [a, b]` eller ét `- punkt` pr. linje"
                ).format(field=name, owner=owner, what=describe(node)),
            )
            return []
        items: list[str] = []
        for item in node.value:
            if not isinstance(item, ScalarNode):
                self.add(
                    item,
                    _("et punkt i `{field}` for {owner} er {what}, men hvert punkt skal være tekst").format(
                        field=name, owner=owner, what=describe(item)
                    ),
                )
            elif item.tag == NULL_TAG or not item.value.strip():
                self.add(
                    item,
                    _("et punkt i `{field}` for {owner} er tomt; fjern det, eller skriv teksten").format(
                        field=name, owner=owner
                    ),
                )
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
                        _(
                            "farven for {owner} læses som en YAML-kommentar, fordi `#` ikke står i "
                            'anførselstegn; skriv den i anførselstegn, fx `color: "#2e7d32"`'
                        ).format(owner=owner),
                    )
            return None
        if not isinstance(node, ScalarNode):
            self.add(
                node,
                _('`color` for {owner} er {what}; skriv en farve som "#2e7d32"').format(
                    owner=owner, what=describe(node)
                ),
            )
            return None
        color = normalize_color(node.value)
        if color is None:
            self.add(
                node,
                _(
                    '`color` {value} for {owner} er ikke en farve; skriv den som "#rrggbb" '
                    'eller "#rgb" i hexadecimaler, fx "#2e7d32"'
                ).format(value=repr(node.value), owner=owner),
            )
        return color

    def _shortcut(self, node: Node, owner: str) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return None
        if not isinstance(node, ScalarNode):
            self.add(
                node,
                _("`shortcut` for {owner} er {what}, men den skal være ét tegn").format(
                    owner=owner, what=describe(node)
                ),
            )
            return None
        value = node.value
        if value == "":
            self.add(node, _("`shortcut` for {owner} er tom; angiv ét tegn, eller udelad linjen").format(owner=owner))
        elif value in RESERVED_SHORTCUTS:
            self.add(
                node,
                _(
                    "genvejen {value} for {owner} er reserveret af kodningsskærmen; vælg et tegn, "
                    "som hverken er reserveret ({reserved}) eller bruges af en anden kode"
                ).format(value=repr(value), owner=owner, reserved=RESERVED_CHARS),
            )
        elif len(value) != 1:
            self.add(
                node,
                _(
                    "genvejen {value} for {owner} er ikke ét enkelt tegn; brug ét bogstav, ét ciffer "
                    "eller ét tegn (i anførselstegn, hvis det er et ciffer)"
                ).format(value=repr(value), owner=owner),
            )
        elif not value.isprintable():
            self.add(
                node,
                _(
                    "genvejen {value} for {owner} er ikke et tegn, der kan skrives; brug et bogstav eller et ciffer"
                ).format(value=repr(value), owner=owner),
            )
        else:
            return value
        return None

    # -- codes

    def _walk_codes(self, seq: SequenceNode, nested_parent: str | None, nested: bool) -> None:
        for item in seq.value:
            if not isinstance(item, MappingNode):
                self.add(
                    item,
                    _(
                        "en kode er {what}, men hver kode skal være en mapping med mindst "
                        "`key` og `name` (`- key: T1` på én linje, `name: ...` under den)"
                    ).format(what=describe(item)),
                )
                continue
            if id(item) in self._open:
                self.add(item, _("en kode ligger inden i sig selv gennem et YAML-alias; fjern aliaset"))
                continue
            self._open.add(id(item))
            try:
                self._code(item, nested_parent, nested)
            finally:
                self._open.discard(id(item))

    def _code(self, node: MappingNode, nested_parent: str | None, nested: bool) -> None:
        fields = self._fields(node)
        key, key_node = self._key(node, fields)
        owner = _("koden {key}").format(key=repr(key)) if key else _("en kode")
        self._unknown_fields(fields, owner)
        name = ""
        if "name" not in fields:
            self.add(node, _("{owner} har intet `name`; tilføj `name:` med dens danske navn").format(owner=owner))
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
        english = self._english(fields, owner)
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
            **english,
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

    def _english(self, fields: dict[str, tuple[Node, Node]], owner: str) -> dict[str, Any]:
        """The code's English (``name_en`` …; an alias such as ``description_en`` read as its field)."""
        for alias, name in FIELD_ALIASES.items():
            if alias in fields and name in fields:
                self.add(
                    fields[alias][0],
                    _("{owner} har både `{alias}` og `{name}`, som er det samme felt; slet den ene").format(
                        owner=owner, alias=alias, name=name
                    ),
                )
            elif alias in fields:
                fields[name] = fields[alias]
        english: dict[str, Any] = {}
        for text_field in EN_TEXT_FIELDS:
            if text_field in fields:
                english[text_field] = self._text(fields[text_field][1], text_field) or ""
        for list_field in EN_LIST_FIELDS:
            if list_field in fields:
                english[list_field] = self._list(fields[list_field][1], list_field, owner)
        return english

    def _key(self, node: MappingNode, fields: dict[str, tuple[Node, Node]]) -> tuple[str | None, Node | None]:
        """The code's key (``None`` when missing or unusable) and its node."""
        if "key" not in fields:
            self.add(node, _("en kode har ingen `key`; giv den en entydig nøgle som `T8` eller `B.leg`"))
            return None, None
        key_node = fields["key"][1]
        if not isinstance(key_node, ScalarNode) or key_node.tag not in (STR_TAG, NULL_TAG):
            self.add(
                key_node,
                _(
                    "nøglen {what} er ikke en tekst; skriv den i anførselstegn "
                    '(fx `key: "T1"`), eller begynd den med et bogstav'
                ).format(what=describe(key_node)),
            )
        elif not key_node.value.strip():
            self.add(key_node, _("en kodes nøgle er tom; giv den en entydig nøgle som `T8`"))
        elif key_node.value != key_node.value.strip():
            self.add(
                key_node,
                _("nøglen {key} har mellemrum i starten eller slutningen; fjern dem").format(key=repr(key_node.value)),
            )
        else:
            return key_node.value, key_node
        return None, key_node

    def _unknown_fields(self, fields: dict[str, tuple[Node, Node]], owner: str) -> None:
        for name, (fkey_node, _v) in fields.items():
            if name not in CODE_FIELD_SET:
                hint = (
                    " " + _("(YAML-flettenøgler understøttes ikke her)")
                    if name == "<<"
                    else did_you_mean(name, CODE_FIELD_SET)
                )
                self.add(
                    fkey_node,
                    _("ukendt felt {name} i {owner}{hint}; en kodes felter er {fields} og children").format(
                        name=repr(name), owner=owner, hint=hint, fields=", ".join(CODE_FIELDS)
                    ),
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
            self.add(
                parent_node,
                _("`parent` for {owner} er {what}; skriv overkodens nøgle").format(
                    owner=owner, what=describe(parent_node)
                ),
            )
            return None, None
        if not parent_node.value.strip():
            return None, None
        explicit_parent = parent_node.value
        if nested_parent is not None and explicit_parent != nested_parent:
            self.add(
                parent_node,
                _(
                    "{owner} ligger under `children` i {nested} men siger "
                    "`parent: {parent}`; fjern `parent`-linjen, eller flyt koden"
                ).format(owner=owner, nested=repr(nested_parent), parent=explicit_parent),
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
                _(
                    "`kind` for {owner} er {what}, men den skal være en tekst som tema, behov, livskvalitet eller miljø"
                ).format(owner=owner, what=describe(kind_node)),
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
                _(
                    "`children` for {owner} er {what}, men den skal være en liste af koder, "
                    "hver begyndende med `- key: ...`"
                ).format(owner=owner, what=describe(children)),
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
