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

Beside this module: :mod:`~trivselkode.importers.metadata_yaml` (loading the
YAML) and :mod:`~trivselkode.importers.participant_book`.

:class:`ParticipantBook` keeps a source's participants while a format parser
meets their labels: declared ones first, in declaration order, then undeclared
ones in order of first appearance, each with one warning.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trivselkode.domain.vocabulary import ATTRIBUTE_ALIASES, CONTEXTS, SOURCE_KINDS
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.importers.base import ParsedParticipant
from trivselkode.importers.encoding import decode_bytes
from trivselkode.importers.labels import compile_speaker_pattern
from trivselkode.importers.metadata_yaml import MAX_YAML_DEPTH, LineOf, YamlPath, load_yaml_mapping, no_line
from trivselkode.importers.participant_book import ParticipantBook, default_role

__all__ = [
    "MAX_YAML_DEPTH",
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


@dataclass
class SourceMetadata:
    """Validated metadata: the source's keys and its declared participants."""

    values: dict[str, Any] = field(default_factory=dict)
    participants: list[ParsedParticipant] = field(default_factory=list)
    file: str | None = None  # where it came from (front matter's file or the sidecar)
    speaker_pattern: re.Pattern[str] | None = None  # the transcript's own speaker labels


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


# --------------------------------------------------------------------------- where


def _where(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line else file


class _Place:
    """``file:line`` of a path in the metadata, looked up only when a message names it."""

    __slots__ = ("_file", "_line_of", "_path")

    def __init__(self, file: str, line_of: LineOf, path: YamlPath) -> None:
        self._file, self._line_of, self._path = file, line_of, path

    def __str__(self) -> str:
        return _where(self._file, self._line_of(self._path))


#: Where a value is, for messages: written out, or looked up when shown.
Where = str | _Place


# --------------------------------------------------------------------------- validation


def _text_value(value: Any, key: str, where: Where, max_len: int | None = None) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise TrivselError(
            _("{where}: '{key}' skal være en enkelt værdi, ikke en liste eller samling").format(where=where, key=key)
        )
    text = jsonable(value)
    text = " ".join(str(text).split())
    if not text:
        return None
    if max_len is not None and len(text) > max_len:
        raise TrivselError(
            _("{where}: '{key}' er for lang ({n} tegn, højst {max_len})").format(
                where=where, key=key, n=len(text), max_len=max_len
            ),
            hint=_("forkort den"),
        )
    return text


def _one_of(allowed: tuple[str, ...]) -> str:
    return (
        allowed[0]
        if len(allowed) == 1
        else _("{items} eller {allowed}").format(items=", ".join(allowed[:-1]), allowed=allowed[-1])
    )


def _choice(value: Any, key: str, allowed: tuple[str, ...], where: Where) -> str | None:
    text = _text_value(value, key, where)
    if text is None:
        return None
    folded = text.casefold()
    if folded not in allowed:
        raise TrivselError(
            _("{where}: ukendt {key} '{text}'").format(where=where, key=key, text=text),
            hint=_("brug {one_of}").format(one_of=_one_of(allowed)),
        )
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


def _whole(value: Any, key: str, where: Where) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = parse_int(value)
    if number is None:
        raise TrivselError(
            _("{where}: '{key}' skal være et helt tal, ikke '{value}'").format(where=where, key=key, value=value),
            hint=_("skriv fx '{key}: 1'").format(key=key),
        )
    return number


def _age(value: Any, where: Where, key: str = "age") -> int | None:
    age = _whole(value, key, where)
    if age is not None and not 0 <= age <= MAX_AGE:
        raise TrivselError(
            _("{where}: alderen {age} er ikke mulig").format(where=where, age=age), hint=_("skriv alderen i hele år")
        )
    return age


def _participant(item: Any, index: int, file: str, line_of: LineOf) -> ParsedParticipant:
    path = ("participants", index)
    where = _Place(file, line_of, path)
    if isinstance(item, (str, int)) and not isinstance(item, bool):
        item = {"id": item}
    if not isinstance(item, Mapping):
        raise TrivselError(
            _("{where}: en deltager skal være en samling som '{{id: P1, køn: kvinde, alder: 67}}'").format(where=where),
        )
    raw_id = item.get("id", item.get("label"))
    label = _text_value(raw_id, "id", where, MAX_LABEL)
    if label is None:
        raise TrivselError(_("{where}: deltageren mangler 'id'").format(where=where), hint=_("skriv fx '- {id: P1}'"))
    fields: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    role: str | None = None
    for key, value in item.items():
        key_text = str(key)
        folded = key_text.strip().casefold()
        key_where = _Place(file, line_of, (*path, key_text))
        if folded in ("id", "label"):
            continue
        if folded == "role" or folded == "rolle":
            text = _text_value(value, "role", key_where)
            if text is None:
                continue
            role = ROLES.get(text.casefold())
            if role is None:
                raise TrivselError(
                    _("{key_where}: ukendt rolle '{text}' for deltageren '{label}'").format(
                        key_where=key_where, text=text, label=label
                    ),
                    hint=_("brug participant (deltager) eller interviewer"),
                )
            continue
        standard = ATTRIBUTE_ALIASES.get(folded)
        if standard is None:
            if value is not None:
                attributes[key_text] = jsonable(value)
            continue
        if standard in fields:
            raise TrivselError(
                _("{key_where}: '{standard}' er angivet to gange for deltageren '{label}'").format(
                    key_where=key_where, standard=standard, label=label
                )
            )
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
    line_of = line_of or no_line
    values: dict[str, Any] = {}
    participants: list[ParsedParticipant] = []
    speaker_pattern: re.Pattern[str] | None = None
    for key, value in mapping.items():
        key_text = str(key)
        folded = key_text.strip().casefold()
        where = _Place(file, line_of, (key_text,))
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
                    _("{where}: 'speaker_pattern' skal være et regulært udtryk i anførselstegn").format(where=where),
                    hint=_("skriv fx speaker_pattern: '^(?P<label>[A-ZÆØÅ]+) >'"),
                )
            speaker_pattern = compile_speaker_pattern(value, str(where))
        elif folded in ("participants", "deltagere"):
            if value is None:
                continue
            if not isinstance(value, list):
                raise TrivselError(
                    _("{where}: 'participants' skal være en liste").format(where=where),
                    hint=_("skriv hver deltager på sin egen linje, fx '  - {{id: P1, køn: kvinde}}'").format(),
                )
            seen: dict[str, int] = {}
            for index, item in enumerate(value):
                participant = _participant(item, index, file, line_of)
                folded_label = participant.label.casefold()
                if folded_label in seen:
                    raise TrivselError(
                        _("{where}: deltageren '{label}' er angivet to gange").format(
                            where=_where(file, line_of(("participants", index))), label=participant.label
                        ),
                        hint=_("giv hver deltager sit eget id"),
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
        return None, {}, no_line
    try:
        data = sidecar.read_bytes()
    except OSError as exc:
        raise TrivselError(
            _("{sidecar} kan ikke læses: {value}").format(sidecar=sidecar, value=exc.strerror or exc)
        ) from None
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
