"""Source metadata: YAML front matter and sidecar files, and participants.

The same keys are accepted in a text file's front matter and in a sidecar
file (``interview3.vtt`` + ``interview3.yaml``):

* ``name``, ``title``, ``kind`` (``interview``/``voxpop``/``survey``), ``site``,
  ``context`` (``bibliotek``/``arrangement``), ``round`` (a whole number),
  ``date`` (kept as text, ``2025-03-14``);
* ``participants``: a list of mappings with ``id`` (the label used in the
  transcript), ``role`` (``participant``/``interviewer``, also Danish
  ``deltager``), ``gender``/``køn``, ``age``/``alder`` (a whole number),
  ``site``/``bibliotek``, and any other keys, which become attributes. A bare
  string in the list is an id;
* ``speaker_pattern``: a regular expression for the transcript's own speaker
  labels (see :func:`trivselkode.importers.labels.compile_speaker_pattern`);
  it is an instruction to the import and is not stored with the source;
* any other key is kept as it is in the metadata (e.g. ``names: [...]`` for a
  later pseudonymisation).

Problems are reported as :class:`TrivselError` naming the file and the
1-based line in that file. YAML that nests deeper than :data:`MAX_YAML_DEPTH`
levels, or whose aliases (``*name``) would expand it far beyond its own size
or into itself, is refused before it is loaded (see
:mod:`trivselkode.domain.yamlguard`): metadata never stores more than its file
holds.

:class:`ParticipantBook` keeps a source's participants while a format parser
meets their labels: declared ones first, in declaration order, then undeclared
ones in order of first appearance, each with one warning.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trivselkode.domain.vocabulary import ATTRIBUTE_ALIASES, CONTEXTS, INTERVIEWER_LABELS, SOURCE_KINDS
from trivselkode.domain.yamlguard import YamlLimit, check_yaml
from trivselkode.errors import TrivselError
from trivselkode.importers.base import ParsedParticipant
from trivselkode.importers.encoding import decode_bytes
from trivselkode.importers.labels import compile_speaker_pattern

__all__ = [
    "SIDECAR_SUFFIXES",
    "LineOf",
    "ParticipantBook",
    "SourceMetadata",
    "default_role",
    "find_sidecar",
    "jsonable",
    "load_sidecar",
    "load_yaml_mapping",
    "parse_metadata",
    "read_sidecar",
]

SIDECAR_SUFFIXES = (".yaml", ".yml")
ROLES = {
    "participant": "participant",
    "deltager": "participant",
    "interviewer": "interviewer",
    "intervieweren": "interviewer",
}
# Column widths of the storage model; longer values are refused here, clearly.
MAX_LABEL = 255
MAX_FIELD = {"gender": 32, "site": 128, "kind": 32, "context": 64, "date": 32, "name": 255}
MAX_AGE = 130
# Metadata is a mapping of values, lists and participants' mappings: a few levels.
MAX_YAML_DEPTH = 32

# A path into the YAML document, e.g. ("participants", 2, "age").
YamlPath = tuple[Any, ...]
LineOf = Callable[[YamlPath], "int | None"]


def _no_line(path: YamlPath) -> int | None:
    return None


@dataclass
class SourceMetadata:
    """Validated metadata: the source's keys and its declared participants."""

    values: dict[str, Any] = field(default_factory=dict)
    participants: list[ParsedParticipant] = field(default_factory=list)
    file: str | None = None  # where it came from (front matter's file or the sidecar)
    speaker_pattern: re.Pattern[str] | None = None  # the transcript's own speaker labels


def default_role(label: str) -> str:
    """``interviewer`` for the interviewer labels (case-insensitive), else ``participant``."""
    return "interviewer" if label.strip().casefold() in INTERVIEWER_LABELS else "participant"


def jsonable(value: Any) -> Any:
    """``value`` with dates as ISO text and tuples as lists, so it can be stored as JSON."""
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# --------------------------------------------------------------------------- YAML


def _where(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line else file


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
                f"{where}: metadata er indlejret mere end {exc.limit} niveauer dybt",
                hint="skriv metadata som 'nøgle: værdi' og deltagerne som en liste",
            ) from None
        if exc.kind == "cycle":
            raise TrivselError(
                f"{where}: aliasset *{exc.anchor} henviser til den værdi, det selv står i, så metadata ville aldrig ende",
                hint="fjern aliasset og skriv værdien ud",
            ) from None
        raise TrivselError(
            f"{where}: YAML-aliasserne (*{exc.anchor} m.fl.) gentager så meget, at metadata ville fylde over "
            f"{exc.limit:_} tegn".replace("_", "."),
            hint="skriv værdierne ud i stedet for at bruge aliasser (*navn)",
        ) from None
    loader = _SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, _no_line
        duplicate = _duplicate_key(node)
        if duplicate is not None:
            raise TrivselError(
                f"{file}:{first_line + duplicate.start_mark.line}: nøglen '{duplicate.value}' står to gange",
                hint="slet den ene",
            )
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        problem = exc.problem or exc.context or "ukendt fejl"
        raise TrivselError(
            f"{file}:{line}: ugyldig YAML ({problem})",
            hint="ret linjen; brug 'nøgle: værdi', og sæt tekst med kolon i anførselstegn",
        ) from None
    except yaml.YAMLError as exc:
        raise TrivselError(f"{file}:{first_line}: ugyldig YAML ({exc})") from None
    finally:
        loader.dispose()
    if data is None:
        return {}, _no_line
    if not isinstance(data, dict):
        raise TrivselError(
            f"{file}:{first_line + node.start_mark.line}: metadata skal være en samling af 'nøgle: værdi'",
            hint="skriv fx 'kind: interview' på hver sin linje",
        )
    return data, _line_finder(node, first_line)


# --------------------------------------------------------------------------- validation


def _text_value(value: Any, key: str, where: str, max_len: int | None = None) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise TrivselError(f"{where}: '{key}' skal være en enkelt værdi, ikke en liste eller samling")
    text = jsonable(value)
    text = " ".join(str(text).split())
    if not text:
        return None
    if max_len is not None and len(text) > max_len:
        raise TrivselError(f"{where}: '{key}' er for lang ({len(text)} tegn, højst {max_len})", hint="forkort den")
    return text


def _one_of(allowed: tuple[str, ...]) -> str:
    return allowed[0] if len(allowed) == 1 else f"{', '.join(allowed[:-1])} eller {allowed[-1]}"


def _choice(value: Any, key: str, allowed: tuple[str, ...], where: str) -> str | None:
    text = _text_value(value, key, where)
    if text is None:
        return None
    folded = text.casefold()
    if folded not in allowed:
        raise TrivselError(f"{where}: ukendt {key} '{text}'", hint=f"brug {_one_of(allowed)}")
    return folded


def parse_int(value: Any) -> int | None:
    """A whole number from an int, an integral float or digits in text; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit() and text.isascii():
            return int(text)
    return None


def _whole(value: Any, key: str, where: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = parse_int(value)
    if number is None:
        raise TrivselError(f"{where}: '{key}' skal være et helt tal, ikke '{value}'", hint=f"skriv fx '{key}: 1'")
    return number


def _age(value: Any, where: str, key: str = "age") -> int | None:
    age = _whole(value, key, where)
    if age is not None and not 0 <= age <= MAX_AGE:
        raise TrivselError(f"{where}: alderen {age} er ikke mulig", hint="skriv alderen i hele år")
    return age


def _participant(item: Any, index: int, file: str, line_of: LineOf) -> ParsedParticipant:
    path = ("participants", index)
    where = _where(file, line_of(path))
    if isinstance(item, (str, int)) and not isinstance(item, bool):
        item = {"id": item}
    if not isinstance(item, Mapping):
        raise TrivselError(
            f"{where}: en deltager skal være en samling som '{{id: P1, køn: kvinde, alder: 67}}'",
        )
    raw_id = item.get("id", item.get("label"))
    label = _text_value(raw_id, "id", where, MAX_LABEL)
    if label is None:
        raise TrivselError(f"{where}: deltageren mangler 'id'", hint="skriv fx '- {id: P1}'")
    fields: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    role: str | None = None
    for key, value in item.items():
        key_text = str(key)
        folded = key_text.strip().casefold()
        key_where = _where(file, line_of((*path, key_text)))
        if folded in ("id", "label"):
            continue
        if folded == "role" or folded == "rolle":
            text = _text_value(value, "role", key_where)
            if text is None:
                continue
            role = ROLES.get(text.casefold())
            if role is None:
                raise TrivselError(
                    f"{key_where}: ukendt rolle '{text}' for deltageren '{label}'",
                    hint="brug participant (deltager) eller interviewer",
                )
            continue
        standard = ATTRIBUTE_ALIASES.get(folded)
        if standard is None:
            if value is not None:
                attributes[key_text] = jsonable(value)
            continue
        if standard in fields:
            raise TrivselError(f"{key_where}: '{standard}' er angivet to gange for deltageren '{label}'")
        if standard == "age":
            fields["age"] = _age(value, key_where, key_text)
        else:
            fields[standard] = _text_value(value, key_text, key_where, MAX_FIELD[standard])
    return ParsedParticipant(
        label=label,
        role=role or default_role(label),
        gender=fields.get("gender"),
        age=fields.get("age"),
        site=fields.get("site"),
        attributes=attributes,
    )


def parse_metadata(mapping: Mapping[str, Any], file: str, line_of: LineOf | None = None) -> SourceMetadata:
    """Validate and normalise a front matter or sidecar mapping from ``file``.

    ``line_of(path)`` gives the 1-based file line of a key (see
    :func:`load_yaml_mapping`); without it errors name only the file.
    """
    line_of = line_of or _no_line
    values: dict[str, Any] = {}
    participants: list[ParsedParticipant] = []
    speaker_pattern: re.Pattern[str] | None = None
    for key, value in mapping.items():
        key_text = str(key)
        folded = key_text.strip().casefold()
        where = _where(file, line_of((key_text,)))
        if folded in ("name", "title", "site", "date"):
            text = _text_value(value, folded, where, MAX_FIELD.get(folded))
            if text is not None:
                values[folded] = text
        elif folded == "kind":
            kind = _choice(value, "kind", SOURCE_KINDS, where)
            if kind is not None:
                values["kind"] = kind
        elif folded == "context":
            context = _choice(value, "context", CONTEXTS, where)
            if context is not None:
                values["context"] = context
        elif folded == "round":
            number = _whole(value, "round", where)
            if number is not None:
                values["round"] = number
        elif folded == "speaker_pattern":
            if value is None:
                continue
            if not isinstance(value, str) or not value.strip():
                raise TrivselError(
                    f"{where}: 'speaker_pattern' skal være et regulært udtryk i anførselstegn",
                    hint=r"skriv fx speaker_pattern: '^(?P<label>[A-ZÆØÅ]+) >'",
                )
            speaker_pattern = compile_speaker_pattern(value, where)
        elif folded in ("participants", "deltagere"):
            if value is None:
                continue
            if not isinstance(value, list):
                raise TrivselError(
                    f"{where}: 'participants' skal være en liste",
                    hint="skriv hver deltager på sin egen linje, fx '  - {id: P1, køn: kvinde}'",
                )
            seen: dict[str, int] = {}
            for index, item in enumerate(value):
                participant = _participant(item, index, file, line_of)
                folded_label = participant.label.casefold()
                if folded_label in seen:
                    raise TrivselError(
                        f"{_where(file, line_of(('participants', index)))}: deltageren '{participant.label}' "
                        "er angivet to gange",
                        hint="giv hver deltager sit eget id",
                    )
                seen[folded_label] = index
                participants.append(participant)
        else:
            values[key_text] = jsonable(value)
    return SourceMetadata(values=values, participants=participants, file=file, speaker_pattern=speaker_pattern)


# --------------------------------------------------------------------------- sidecar


def find_sidecar(path: str | Path) -> Path | None:
    """``X.yaml`` or ``X.yml`` beside ``X.<suffix>``, if there is one."""
    path = Path(path)
    for suffix in SIDECAR_SUFFIXES:
        candidate = path.with_suffix(suffix)
        if candidate != path and candidate.is_file():
            return candidate
    return None


def _read_sidecar_raw(path: str | Path) -> tuple[Path | None, dict[str, Any], LineOf]:
    sidecar = find_sidecar(path)
    if sidecar is None:
        return None, {}, _no_line
    try:
        data = sidecar.read_bytes()
    except OSError as exc:
        raise TrivselError(f"{sidecar} kan ikke læses: {exc.strerror or exc}") from None
    text = decode_bytes(data, str(sidecar))
    mapping, line_of = load_yaml_mapping(text, str(sidecar))
    return sidecar, mapping, line_of


def read_sidecar(path: str | Path) -> dict[str, Any]:
    """The raw mapping of the sidecar beside ``path`` (empty when there is none)."""
    return _read_sidecar_raw(path)[1]


def load_sidecar(path: str | Path) -> SourceMetadata:
    """The validated metadata from the sidecar beside ``path`` (empty when there is none)."""
    sidecar, mapping, line_of = _read_sidecar_raw(path)
    if sidecar is None:
        return SourceMetadata()
    return parse_metadata(mapping, str(sidecar), line_of)


# --------------------------------------------------------------------------- participants


class ParticipantBook:
    """A source's participants as a parser meets their labels.

    Labels match case-insensitively: ``p1`` in the text is the declared
    ``P1``. Undeclared labels are added in order of first appearance with one
    warning each (unless ``warn=False``).
    """

    def __init__(self, declared: list[ParsedParticipant] | None = None) -> None:
        self.participants: list[ParsedParticipant] = []
        self.warnings: list[str] = []
        self.unrecognised: list[tuple[str, int]] = []  # label-like line starts that are no label: (text, line)
        self._by_key: dict[str, ParsedParticipant] = {}
        self.declared: set[str] = set()
        for participant in declared or []:
            key = participant.label.casefold()
            if key in self._by_key:
                continue
            # A copy: the caller's metadata stays as it was declared.
            copy = ParsedParticipant(
                label=participant.label,
                role=participant.role,
                gender=participant.gender,
                age=participant.age,
                site=participant.site,
                attributes=dict(participant.attributes),
            )
            self._by_key[key] = copy
            self.participants.append(copy)
            self.declared.add(key)

    def known(self, label: str) -> bool:
        return label.casefold() in self._by_key

    def get(self, label: str) -> ParsedParticipant | None:
        return self._by_key.get(label.casefold())

    def resolve(
        self,
        label: str,
        *,
        where: str | None = None,
        warn: bool = True,
        role: str | None = None,
        said: str = "",
    ) -> ParsedParticipant:
        """The participant for ``label``, added (with a warning) when new.

        A new participant's role is ``role``, else :func:`default_role` of the
        label; ``said`` is what the label told about them (for the warning).
        """
        key = label.casefold()
        participant = self._by_key.get(key)
        if participant is None:
            participant = ParsedParticipant(label=label, role=role or default_role(label))
            self._by_key[key] = participant
            self.participants.append(participant)
            if warn:
                at = f" ({where})" if where else ""
                role = " som interviewer" if participant.role == "interviewer" else ""
                told = f" med {said} fra etiketten" if said else ""
                self.warnings.append(
                    f"ukendt deltager '{label}'{at} er oprettet{role}{told}; "
                    "angiv den under 'participants' i metadata for at sætte rolle, køn og alder"
                )
        return participant
