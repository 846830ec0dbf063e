"""A questionnaire's definition (SPEC §7b): its YAML, validated with every problem at FILE:LINE:COL.

The file has exactly these keys (``?``: optional)::

    title: Brugeres oplevelser af biblioteket
    scale: {min: 1, max: 5}
    respondent: id                 # column with the respondent's id
    round: runde                   # ? column with the round
    attributes: {bibliotek: site, køn: gender, alder: age}   # ? column -> site | gender | age | context
    open_answers: [svar]           # ? columns with open answers
    missing: ["", "ved ikke", "9"] # cell texts that mean "no answer"
    reverse: [q6]                  # ? items scored max + min - x
    dimensions:
      - {key: tryghed, name: Tryghed, name_en: Safety, items: [q1, q2, q3]}

Every column has one role: the respondent id, the round, an attribute, an
open answer or an item of exactly one dimension. Column names are compared
as the tabular importer reads a header: runs of white space as one space,
case-insensitively (:func:`column_key`).

Pure: PyYAML only (through :mod:`trivselkode.domain.codebook_yaml`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from trivselkode.domain.codebook_spec import CodebookInvalid, Problem
from trivselkode.domain.codebook_yaml import (
    INT_TAG,
    NULL_TAG,
    check_duplicate_mapping_keys,
    compose,
    describe,
    did_you_mean,
)
from trivselkode.errors import TrivselError
from trivselkode.i18n import _

__all__ = [
    "STANDARD_ATTRIBUTES",
    "Dimension",
    "SurveyDefinition",
    "SurveyDefinitionInvalid",
    "column_key",
    "load_definition",
    "parse_definition",
]

TOP_KEYS = ("title", "scale", "respondent", "round", "attributes", "open_answers", "missing", "reverse", "dimensions")
REQUIRED_KEYS = ("title", "scale", "respondent", "missing", "dimensions")
SCALE_KEYS = ("min", "max")
DIMENSION_KEYS = ("key", "name", "name_en", "items")
STANDARD_ATTRIBUTES = ("site", "gender", "age", "context")
#: The most steps a scale may have (a Likert scale has 4 to 11; a slip such as 1-100 is refused).
MAX_SCALE_STEPS = 101
_WHOLE = re.compile(r"[-+]?[0-9]+")


def column_key(name: str) -> str:
    """A column name as columns are compared: white space runs as one space, case folded."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Dimension:
    """A scale of the questionnaire: its key, names and items (column names)."""

    key: str
    name: str
    name_en: str
    items: tuple[str, ...]

    def label(self, lang: str) -> str:
        """The English name in English when there is one, else the Danish."""
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class SurveyDefinition:
    """A validated questionnaire definition (see the module doc)."""

    title: str
    scale_min: int
    scale_max: int
    respondent: str
    round: str | None
    attributes: dict[str, str]
    open_answers: tuple[str, ...]
    missing: tuple[str, ...]
    reverse: tuple[str, ...]
    dimensions: tuple[Dimension, ...]

    @property
    def items(self) -> tuple[str, ...]:
        """Every item of every dimension, in the order they first occur."""
        return tuple(dict.fromkeys(item for d in self.dimensions for item in d.items))

    def dimension(self, key: str) -> Dimension:
        """The dimension ``key`` (case-insensitive); a :class:`TrivselError` naming the known keys if none."""
        for dimension in self.dimensions:
            if dimension.key == key:
                return dimension
        for dimension in self.dimensions:
            if dimension.key.casefold() == key.casefold():
                return dimension
        known = [d.key for d in self.dimensions]
        raise TrivselError(
            _("spørgeskemaet har ingen dimension {key}{hint}").format(key=repr(key), hint=did_you_mean(key, known)),
            _("vælg en af {keys}").format(keys=", ".join(known)),
        )

    def is_missing(self, cell: str) -> bool:
        """Whether a cell's text means "no answer" (empty, or one of ``missing`` after strip and casefold)."""
        text = cell.strip().casefold()
        return not text or text in {m.strip().casefold() for m in self.missing}

    def to_dict(self) -> dict[str, Any]:
        """The definition as JSON-ready data, in the YAML's own shape (:meth:`from_dict` reads it back)."""
        data: dict[str, Any] = {
            "title": self.title,
            "scale": {"min": self.scale_min, "max": self.scale_max},
            "respondent": self.respondent,
            "round": self.round,
            "attributes": dict(self.attributes),
            "open_answers": list(self.open_answers),
            "missing": list(self.missing),
            "reverse": list(self.reverse),
            "dimensions": [
                {"key": d.key, "name": d.name, "name_en": d.name_en, "items": list(d.items)} for d in self.dimensions
            ],
        }
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SurveyDefinition:
        """The definition :meth:`to_dict` gave (as stored; not validated again)."""
        return cls(
            title=str(data["title"]),
            scale_min=int(data["scale"]["min"]),
            scale_max=int(data["scale"]["max"]),
            respondent=str(data["respondent"]),
            round=data.get("round"),
            attributes={str(k): str(v) for k, v in (data.get("attributes") or {}).items()},
            open_answers=tuple(data.get("open_answers") or ()),
            missing=tuple(data.get("missing") or ()),
            reverse=tuple(data.get("reverse") or ()),
            dimensions=tuple(
                Dimension(key=d["key"], name=d["name"], name_en=d.get("name_en") or "", items=tuple(d["items"]))
                for d in data["dimensions"]
            ),
        )


class SurveyDefinitionInvalid(CodebookInvalid):
    """A definition file has problems (``FILE:LINE:COL: what``, as a codebook's): the first is the message,
    ``.problems`` holds them all."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        super().__init__(problems, _("ret spørgeskemadefinitionen (se README, afsnittet om spørgeskemaer)"))


def load_definition(path: Path) -> SurveyDefinition:
    """Read and validate a definition file; :class:`TrivselError` (``FILE:LINE:COL: what``) on any problem."""
    return parse_definition(_read(Path(path)), str(path))


def parse_definition(text: str, name: str) -> SurveyDefinition:
    """Validate a definition's YAML ``text`` (``name`` is the file shown in messages); every problem raised at once."""
    reader = _Reader(text, name)
    definition = reader.run()
    if reader.problems or definition is None:
        raise SurveyDefinitionInvalid(sorted(reader.problems, key=lambda p: (p.line, p.column)))
    return definition


def _read(path: Path) -> str:
    """The text of a definition file (UTF-8, with or without BOM); one-line errors when it cannot be read."""
    if not path.is_file():
        raise TrivselError(
            _("spørgeskemadefinitionen findes ikke: {path}").format(path=path), _("tjek stien og filnavnet")
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TrivselError(
            _("spørgeskemadefinitionen {path} kan ikke læses: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    if b"\x00" in data:
        raise TrivselError(
            _("spørgeskemadefinitionen {path} er ikke en tekstfil").format(path=path),
            _("en spørgeskemadefinition er en YAML-tekstfil i UTF-8"),
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TrivselError(
            _("spørgeskemadefinitionen {path} er ikke UTF-8 (byte {offset})").format(path=path, offset=exc.start),
            _("gem den som UTF-8"),
        ) from None


def _is_empty(text: str) -> bool:
    """Whether the YAML holds no value at all (only comments, white space or ``---``)."""
    try:
        return all(
            isinstance(token, (yaml.StreamStartToken, yaml.StreamEndToken, yaml.DocumentStartToken))
            for token in yaml.scan(text, Loader=yaml.SafeLoader)
        )
    except yaml.YAMLError:
        return False


class _Reader:
    """Walks the composed YAML, collecting every problem at its node."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        self.file = file
        self.problems: list[Problem] = []
        # Column key -> what it already is (for "one role a column"), by the first node naming it.
        self._roles: dict[str, str] = {}
        # Column key -> item, of every dimension read (also one refused for another problem).
        self._items: dict[str, str] = {}

    def at(self, line: int, column: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, column, message))

    def add(self, node: Node, message: str) -> None:
        self.at(node.start_mark.line + 1, node.start_mark.column + 1, message)

    # -- the document

    def run(self) -> SurveyDefinition | None:
        if _is_empty(self.text):
            self.at(1, 1, _("spørgeskemadefinitionen er tom; den skal være en mapping med `title`, `scale` …"))
            return None
        root = compose(self.text, self.at)
        if root is None:
            return None
        check_duplicate_mapping_keys(root, self.add)
        if not isinstance(root, MappingNode):
            self.add(
                root,
                _("øverste niveau er {what}, men en spørgeskemadefinition skal være en mapping med {keys}").format(
                    what=describe(root), keys=", ".join(REQUIRED_KEYS)
                ),
            )
            return None
        fields = self._fields(root, TOP_KEYS, _("på øverste niveau"))
        for key in REQUIRED_KEYS:
            if key not in fields:
                self.add(root, _("definitionen mangler `{key}`").format(key=key))
        title = self._text(fields.get("title"), "title") or ""
        scale = self._scale(fields.get("scale"))
        respondent = self._column(fields.get("respondent"), "respondent", _("respondentens id"))
        round_column = self._column(fields.get("round"), "round", _("runden"), optional=True)
        attributes = self._attributes(fields.get("attributes"))
        open_answers = self._columns(fields.get("open_answers"), "open_answers", _("et åbent svar"))
        missing = self._missing(fields.get("missing"))
        dimensions = self._dimensions(fields.get("dimensions"))
        reverse = self._reverse(fields.get("reverse"))
        if self.problems or scale is None or respondent is None:
            return None
        return SurveyDefinition(
            title=title,
            scale_min=scale[0],
            scale_max=scale[1],
            respondent=respondent,
            round=round_column,
            attributes=attributes,
            open_answers=tuple(open_answers),
            missing=tuple(missing),
            reverse=tuple(reverse),
            dimensions=tuple(dimensions),
        )

    def _fields(self, node: MappingNode, allowed: tuple[str, ...], where: str) -> dict[str, tuple[Node, Node]]:
        """Key name -> (key node, value node), each unknown key told with the ones allowed."""
        fields: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.add(key_node, _("en nøgle skal være et enkelt ord, ikke en liste eller mapping"))
                continue
            if key_node.value not in allowed:
                self.add(
                    key_node,
                    _("ukendt nøgle {key} {where}{hint}; tilladt er {allowed}").format(
                        key=repr(key_node.value),
                        where=where,
                        hint=did_you_mean(key_node.value, allowed),
                        allowed=", ".join(allowed),
                    ),
                )
                continue
            fields[key_node.value] = (key_node, value_node)
        return fields

    # -- scalars

    def _text(self, field: tuple[Node, Node] | None, name: str) -> str | None:
        """A required text (``None``, told, when it is empty or not text)."""
        if field is None:
            return None
        key_node, node = field
        if not isinstance(node, ScalarNode):
            self.add(node, _("`{key}` er {what}, men skal være en tekst").format(key=name, what=describe(node)))
            return None
        if node.tag == NULL_TAG or not node.value.strip():
            self.add(key_node, _("`{key}` er tom; skriv en tekst efter `{key}:`").format(key=name))
            return None
        return node.value.strip()

    def _optional_text(self, field: tuple[Node, Node] | None, name: str) -> str:
        """An optional text: "" when absent or empty."""
        if field is None or (isinstance(field[1], ScalarNode) and field[1].tag == NULL_TAG):
            return ""
        return self._text(field, name) or ""

    def _name(self, node: Node, what: str) -> str | None:
        """A column name written as a scalar (``q1``, ``"Køn"``, ``7``); ``None``, told, otherwise."""
        if not isinstance(node, ScalarNode) or node.tag == NULL_TAG or not node.value.strip():
            self.add(
                node,
                _("{what} skal være et kolonnenavn, men er {value}").format(what=what, value=describe(node)),
            )
            return None
        return " ".join(node.value.split())

    def _claim(self, node: Node, column: str, role: str) -> None:
        """Give ``column`` its ``role``; a column with a role already is told at ``node``."""
        key = column_key(column)
        earlier = self._roles.get(key)
        if earlier is not None:
            self.add(
                node,
                _("kolonnen {column} er både {earlier} og {role}; en kolonne kan kun have én rolle").format(
                    column=repr(column), earlier=earlier, role=role
                ),
            )
            return
        self._roles[key] = role

    def _column(self, field: tuple[Node, Node] | None, name: str, role: str, *, optional: bool = False) -> str | None:
        if field is None:
            return None
        key_node, node = field
        if optional and isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return None
        column = self._name(node, f"`{name}`")
        if column is not None:
            self._claim(node, column, role)
        return column

    def _scale(self, field: tuple[Node, Node] | None) -> tuple[int, int] | None:
        """``{min: 1, max: 5}`` as ``(1, 5)``: two whole numbers, min below max."""
        if field is None:
            return None
        key_node, node = field
        if not isinstance(node, MappingNode):
            self.add(
                node,
                _("`scale` er {what}, men skal være en mapping som `{{min: 1, max: 5}}`").format(what=describe(node)),
            )
            return None
        fields = self._fields(node, SCALE_KEYS, _("i `scale`"))
        bounds: dict[str, int] = {}
        for key in SCALE_KEYS:
            if key not in fields:
                self.add(node, _("`scale` mangler `{key}`; skriv fx `scale: {{min: 1, max: 5}}`").format(key=key))
                continue
            value = fields[key][1]
            if not isinstance(value, ScalarNode) or value.tag != INT_TAG or not _WHOLE.fullmatch(value.value):
                self.add(
                    value,
                    _("`scale.{key}` er {what}, men skal være et helt tal").format(key=key, what=describe(value)),
                )
                continue
            bounds[key] = int(value.value)
        if len(bounds) < 2:
            return None
        low, high = bounds["min"], bounds["max"]
        if low >= high:
            self.add(
                fields["max"][1],
                _("`scale.max` ({high}) skal være større end `scale.min` ({low})").format(high=high, low=low),
            )
            return None
        if high - low + 1 > MAX_SCALE_STEPS:
            self.add(
                fields["max"][1],
                _("skalaen {low}–{high} har over {steps} trin; en Likert-skala har typisk 5 eller 7").format(
                    low=low, high=high, steps=MAX_SCALE_STEPS
                ),
            )
            return None
        return low, high

    # -- lists and mappings

    def _sequence(self, field: tuple[Node, Node] | None, name: str) -> list[Node]:
        """The items of a list field (empty when absent or null; a non-list told)."""
        if field is None:
            return []
        _key_node, node = field
        if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return []
        if not isinstance(node, SequenceNode):
            self.add(
                node,
                _("`{key}` er {what}, men skal være en liste: skriv `{key}: [a, b]`").format(
                    key=name, what=describe(node)
                ),
            )
            return []
        return list(node.value)

    def _columns(self, field: tuple[Node, Node] | None, name: str, role: str) -> list[str]:
        columns: list[str] = []
        for node in self._sequence(field, name):
            column = self._name(node, _("et punkt i `{key}`").format(key=name))
            if column is not None:
                self._claim(node, column, role)
                columns.append(column)
        return columns

    def _missing(self, field: tuple[Node, Node] | None) -> list[str]:
        values: list[str] = []
        for node in self._sequence(field, "missing"):
            if not isinstance(node, ScalarNode):
                self.add(node, _("et punkt i `missing` er {what}, men skal være en tekst").format(what=describe(node)))
            elif node.tag == NULL_TAG:
                values.append("")
            else:
                values.append(node.value.strip())
        return values

    def _attributes(self, field: tuple[Node, Node] | None) -> dict[str, str]:
        """Column -> standard attribute, each standard attribute for one column."""
        if field is None:
            return {}
        _key_node, node = field
        if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return {}
        if not isinstance(node, MappingNode):
            self.add(
                node,
                _("`attributes` er {what}, men skal være en mapping som `{{bibliotek: site, køn: gender}}`").format(
                    what=describe(node)
                ),
            )
            return {}
        attributes: dict[str, str] = {}
        taken: set[str] = set()
        for column_node, value_node in node.value:
            column = self._name(column_node, _("en nøgle i `attributes`"))
            if column is None:
                continue
            standard = value_node.value.strip() if isinstance(value_node, ScalarNode) else ""
            if standard not in STANDARD_ATTRIBUTES:
                self.add(
                    value_node,
                    _("kolonnen {column} er knyttet til {value}{hint}; vælg en af {allowed}").format(
                        column=repr(column),
                        value=describe(value_node),
                        hint=did_you_mean(standard, STANDARD_ATTRIBUTES),
                        allowed=", ".join(STANDARD_ATTRIBUTES),
                    ),
                )
                continue
            if standard in taken:
                self.add(
                    value_node,
                    _("to kolonner er knyttet til {standard}; knyt kun én kolonne til hver attribut").format(
                        standard=standard
                    ),
                )
                continue
            taken.add(standard)
            self._claim(column_node, column, _("attributten {standard}").format(standard=standard))
            attributes[column] = standard
        return attributes

    def _dimensions(self, field: tuple[Node, Node] | None) -> list[Dimension]:
        if field is None:
            return []
        key_node, node = field
        if (isinstance(node, ScalarNode) and node.tag == NULL_TAG) or (
            isinstance(node, SequenceNode) and not node.value
        ):
            self.add(key_node, _("`dimensions` er tom; skriv mindst én dimension (`- key: …`)"))
            return []
        dimensions: list[Dimension] = []
        keys: dict[str, int] = {}
        for node in self._sequence(field, "dimensions"):
            dimension = self._dimension(node)
            if dimension is None:
                continue
            first = keys.get(dimension.key.casefold())
            if first is not None:
                self.add(
                    node,
                    _("dimensionen {key} står to gange (første gang på linje {line}); giv hver sin nøgle").format(
                        key=repr(dimension.key), line=first
                    ),
                )
                continue
            keys[dimension.key.casefold()] = node.start_mark.line + 1
            dimensions.append(dimension)
        return dimensions

    def _dimension(self, node: Node) -> Dimension | None:
        if not isinstance(node, MappingNode):
            self.add(
                node,
                _("en dimension er {what}, men skal være en mapping med `key`, `name` og `items`").format(
                    what=describe(node)
                ),
            )
            return None
        fields = self._fields(node, DIMENSION_KEYS, _("i en dimension"))
        for required in ("key", "name", "items"):
            if required not in fields:
                self.add(node, _("dimensionen mangler `{key}`").format(key=required))
        key = self._text(fields.get("key"), "key")
        name = self._text(fields.get("name"), "name")
        name_en = self._optional_text(fields.get("name_en"), "name_en")
        owner = _("et spørgsmål i dimensionen {key}").format(key=repr(key or "?"))
        items: list[str] = []
        for item_node in self._sequence(fields.get("items"), "items"):
            item = self._name(item_node, _("et punkt i `items`"))
            if item is not None:
                self._claim(item_node, item, owner)
                self._items.setdefault(column_key(item), item)
                items.append(item)
        if "items" in fields and not items and not self.problems_at(fields["items"][1]):
            self.add(fields["items"][0], _("dimensionen {key} har ingen spørgsmål i `items`").format(key=repr(key)))
        if key is None or name is None or not items:
            return None
        return Dimension(key=key, name=name, name_en=name_en, items=tuple(items))

    def problems_at(self, node: Node) -> bool:
        """Whether a problem was told inside ``node`` (so an empty result needs no second message)."""
        start, end = node.start_mark, node.end_mark
        return any(
            (start.line + 1, start.column + 1) <= (p.line, p.column) <= (end.line + 1, end.column + 1)
            for p in self.problems
        )

    def _reverse(self, field: tuple[Node, Node] | None) -> list[str]:
        items = self._items
        reverse: list[str] = []
        for node in self._sequence(field, "reverse"):
            item = self._name(node, _("et punkt i `reverse`"))
            if item is None:
                continue
            known = items.get(column_key(item))
            if known is None:
                self.add(
                    node,
                    _("det omvendte spørgsmål {item} står ikke i nogen dimension{hint}").format(
                        item=repr(item), hint=did_you_mean(item, items.values())
                    ),
                )
                continue
            if known not in reverse:
                reverse.append(known)
        return reverse
