"""Participants' effective attributes, age bands and the labels of reports.

A participant's attributes are its own (``gender``, ``age``, ``site`` and the
free ``attributes`` mapping) on top of what it inherits from its source
(``site``, ``kind``, ``context``, ``round``): a value set on the participant
wins. ``age_band`` is derived from ``age`` with configurable bounds.

Labels for reports come in Danish (the default) and English; values of the
standard attributes are translated (``kvinde`` → ``Kvinde``/``Woman``), any
other value is shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from trivselkode.domain.vocabulary import ATTRIBUTE_ALIASES
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _, gettext_for, language
from trivselkode.storage.coding_views import describe_attributes
from trivselkode.storage.models import INTERVIEWER, Participant, Source

LANGS = ("da", "en")

# The standard attributes a report can group by, in the order they are listed.
STANDARD_ATTRIBUTES = ("site", "kind", "context", "gender", "age_band", "age", "round", "source")
# Inherited from the source unless the participant sets them.
SOURCE_ATTRIBUTES = ("site", "kind", "context", "round")
# Keys of ``Participant.attributes`` that mean a standard column.
_ALIASES = {
    **{key: std for key, std in ATTRIBUTE_ALIASES.items() if key != std},  # køn, alder, bibliotek, …
    "kildetype": "kind",
    "kontekst": "context",
    "runde": "round",
    "aldersgruppe": "age_band",
}

DEFAULT_AGE_BOUNDS = (18, 30, 45, 60, 75)

_ATTRIBUTE_LABELS = {
    "da": {
        "site": "Bibliotek",
        "kind": "Kildetype",
        "context": "Kontekst",
        "gender": "Køn",
        "age_band": "Aldersgruppe",
        "age": "Alder",
        "round": "Runde",
        "source": "Kilde",
        "role": "Rolle",
        "participant": "Deltager",
    },
    "en": {
        "site": "Library",
        "kind": "Source kind",
        "context": "Context",
        "gender": "Gender",
        "age_band": "Age band",
        "age": "Age",
        "round": "Round",
        "source": "Source",
        "role": "Role",
        "participant": "Participant",
    },
}

_VALUE_LABELS = {
    "gender": {
        "kvinde": ("Kvinde", "Woman"),
        "k": ("Kvinde", "Woman"),
        "woman": ("Kvinde", "Woman"),
        "female": ("Kvinde", "Woman"),
        "mand": ("Mand", "Man"),
        "m": ("Mand", "Man"),
        "man": ("Mand", "Man"),
        "male": ("Mand", "Man"),
        "pige": ("Pige", "Girl"),
        "girl": ("Pige", "Girl"),
        "dreng": ("Dreng", "Boy"),
        "boy": ("Dreng", "Boy"),
        "andet": ("Andet", "Other"),
        "other": ("Andet", "Other"),
        "nonbinær": ("Nonbinær", "Non-binary"),
        "non-binary": ("Nonbinær", "Non-binary"),
    },
    "kind": {
        "interview": ("Interview", "Interview"),
        "voxpop": ("Voxpop", "Vox pop"),
        "survey": ("Spørgeskema", "Questionnaire"),
    },
    "context": {
        "bibliotek": ("Biblioteksbesøg", "Library visit"),
        "arrangement": ("Arrangement", "Event"),
    },
    "role": {
        "participant": ("Deltager", "Participant"),
        "interviewer": ("Interviewer", "Interviewer"),
    },
}

_UNKNOWN = {"da": "(ukendt)", "en": "(unknown)"}
_PERSON = {"da": "Deltager", "en": "Participant"}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise TrivselError(_("ukendt sprog '{lang}'").format(lang=lang), _("brug da eller en"))
    return lang


def _lang(lang: str | None) -> str:
    """``lang``, or the interface's language when None."""
    return lang if lang is not None else language()


def attribute_label(name: str, lang: str | None = None) -> str:
    """The column heading of an attribute (``site`` → ``Bibliotek``/``Library``)."""
    return _ATTRIBUTE_LABELS[_lang(lang)].get(name, name)


def shown_value(name: str, value: Any, lang: str | None = None) -> str:
    """A stored attribute value in a list: as stored (Danish) in Danish, its English name in English."""
    if value is None or value == "":
        return ""
    if _lang(lang) == "da":
        return str(value)
    return value_label(name, value, "en")


def value_label(name: str, value: Any, lang: str | None = None) -> str:
    """A value of an attribute as a report shows it; ``None`` is "(ukendt)"."""
    lang = _lang(lang)
    if value is None or value == "":
        return _UNKNOWN[lang]
    table = _VALUE_LABELS.get(name)
    if table is not None:
        hit = table.get(str(value).strip().lower())
        if hit is not None:
            return hit[0] if lang == "da" else hit[1]
        return str(value)[:1].upper() + str(value)[1:]
    return str(value)


# ---------------------------------------------------------------- age bands


@dataclass(frozen=True)
class AgeBands:
    """Age bands from their lower bounds: (18, 30) → under 18, 18–29, 30+."""

    bounds: tuple[int, ...] = DEFAULT_AGE_BOUNDS

    @classmethod
    def parse(cls, spec: str | None) -> AgeBands:
        """``"18,30,45,60,75"`` (strictly increasing whole numbers)."""
        if spec is None or not spec.strip():
            return cls()
        try:
            bounds = tuple(int(part) for part in spec.replace(";", ",").split(",") if part.strip())
        except ValueError:
            raise TrivselError(
                _("aldersgrænserne '{spec}' er ikke hele tal").format(spec=spec),
                _("skriv fx --age-bands 18,30,45,60,75"),
            ) from None
        if not bounds or any(b < 1 for b in bounds) or any(a >= b for a, b in zip(bounds, bounds[1:])):
            raise TrivselError(
                _("aldersgrænserne '{spec}' skal være positive og stigende").format(spec=spec),
                _("skriv fx --age-bands 18,30,45,60,75"),
            )
        return cls(bounds)

    def labels(self) -> list[str]:
        """Every band's label, youngest first."""
        b = self.bounds
        out = [f"under {b[0]}"]
        out += [f"{lo}–{hi - 1}" if hi - 1 > lo else f"{lo}" for lo, hi in zip(b, b[1:])]
        out.append(f"{b[-1]}+")
        return out

    def band(self, age: int | None) -> str | None:
        if age is None:
            return None
        labels = self.labels()
        for i, bound in enumerate(self.bounds):
            if age < bound:
                return labels[i]
        return labels[-1]

    def order(self, label: str | None) -> int:
        labels = self.labels()
        return labels.index(label) if label in labels else len(labels)


# ---------------------------------------------------------------- participants


@dataclass
class ParticipantInfo:
    """One participant with everything a report needs about them."""

    id: int
    source_id: int
    source: str
    label: str
    role: str
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def is_interviewer(self) -> bool:
        return self.role == INTERVIEWER

    def get(self, name: str) -> Any:
        return self.attrs.get(name)


def _as_int(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def effective_attributes(
    source: dict[str, Any],
    participant: dict[str, Any],
    extra: dict[str, Any],
    age_bands: AgeBands,
) -> dict[str, Any]:
    """Merge a source's and a participant's attributes (the participant wins)."""
    attrs: dict[str, Any] = {"source": source.get("name")}
    for key in SOURCE_ATTRIBUTES:
        attrs[key] = _clean(source.get(key))
    attrs["gender"] = None
    attrs["age"] = None
    attrs["role"] = participant.get("role")
    for key, value in (extra or {}).items():
        key = str(key)
        std = _ALIASES.get(key.lower(), key)
        value = _clean(value)
        if std in ("source", "role"):
            continue
        if value is not None or std not in attrs:
            attrs[std] = value
    for key in ("gender", "age", "site"):
        value = _clean(participant.get(key))
        if value is not None:
            attrs[key] = value
    if isinstance(attrs.get("gender"), str):
        attrs["gender"] = attrs["gender"].lower()
    attrs["age"] = _as_int(attrs.get("age")) if attrs.get("age") is not None else None
    if not isinstance(attrs["age"], int):
        attrs["age"] = None
    attrs["round"] = _as_int(attrs.get("round")) if attrs.get("round") is not None else None
    if attrs.get("age_band") is None:
        attrs["age_band"] = age_bands.band(attrs["age"])
    return attrs


def load_participants(session: Session, age_bands: AgeBands | None = None) -> dict[int, ParticipantInfo]:
    """Every participant (interviewers too) by id, with effective attributes.

    One query over participants joined to their sources; no per-row ORM objects.
    """
    age_bands = age_bands or AgeBands()
    rows = session.exec(
        select(  # type: ignore[call-overload, misc]  # sqlmodel types select() for at most 4 columns
            Participant.id,
            Participant.source_id,
            Participant.label,
            Participant.role,
            Participant.gender,
            Participant.age,
            Participant.site,
            Participant.attributes,
            Source.name,
            Source.site,
            Source.kind,
            Source.context,
            Source.round,
        ).join(Source, col(Participant.source_id) == Source.id)
    ).all()
    out: dict[int, ParticipantInfo] = {}
    for pid, sid, label, role, gender, age, psite, pattrs, sname, ssite, skind, scontext, sround in rows:
        attrs = effective_attributes(
            {"name": sname, "site": ssite, "kind": skind, "context": scontext, "round": sround},
            {"gender": gender, "age": age, "site": psite, "role": role},
            pattrs or {},
            age_bands,
        )
        out[pid] = ParticipantInfo(id=pid, source_id=sid, source=sname, label=label, role=role, attrs=attrs)
    return out


def known_attributes(participants: Iterable[ParticipantInfo]) -> list[str]:
    """The standard attributes and every other key set on some participant."""
    names = list(STANDARD_ATTRIBUTES)
    extra = sorted({k for p in participants for k in p.attrs} - set(names) - {"role"})
    return names + extra


def parse_by(spec: str | Sequence[str] | None, known: Sequence[str]) -> list[str]:
    """``"site,gender"`` → ``["site", "gender"]``, refusing unknown attributes."""
    if spec is None:
        return []
    parts = [spec] if isinstance(spec, str) else list(spec)
    names: list[str] = []
    for part in parts:
        for name in part.split(","):
            name = name.strip()
            if not name:
                continue
            name = _ALIASES.get(name.lower(), name)
            if name not in known:
                raise TrivselError(
                    _("ukendt egenskab '{name}' i --by").format(name=name),
                    _("kendte egenskaber: {names}").format(names=", ".join(known)),
                )
            if name not in names:
                names.append(name)
    return names


def sort_key(name: str, value: Any, age_bands: AgeBands) -> tuple:
    """Order of an attribute's values: age bands youngest first, numbers by size, unknown last."""
    if value is None:
        return (2, 0, "")
    if name == "age_band":
        return (0, age_bands.order(value), str(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value).casefold())


# ---------------------------------------------------------------- attribution


def attribution(attrs: dict[str, Any], lang: str | None = None) -> str:
    """The report's attribution: "– Kvinde, 67 år, Holstebro".

    A missing attribute is left out; without a gender the person is
    "Deltager" ("Participant"), so "– Deltager, Viborg".
    """
    lang = _lang(lang)
    gender = attrs.get("gender")
    person = value_label("gender", gender, lang) if gender else _PERSON[lang]
    parts = [person]
    age = attrs.get("age")
    if isinstance(age, int):
        parts.append(gettext_for(lang)(N_("{age} år")).format(age=age) if lang == "da" else str(age))
    site = attrs.get("site")
    if site:
        parts.append(str(site))
    return "– " + ", ".join(parts)


def speaker_line(speaker: str, attrs: Mapping[str, Any]) -> str:
    """``P1 · Kvinde, 67 år, Holstebro``: a passage's speaker and who they are (its effective attributes)."""
    age = attrs.get("age")
    described = describe_attributes(attrs.get("gender"), age if isinstance(age, int) else None, attrs.get("site"))
    return f"{speaker} · {described}" if described else speaker


def setting_line(attrs: Mapping[str, Any]) -> str:
    """``bibliotek, runde 1``: where a passage was said (its source's context and round); "" if unknown."""
    where = [value_label("context", attrs["context"])] if attrs.get("context") else []
    if attrs.get("round") is not None:
        where.append(_("runde {round}").format(round=attrs["round"]))
    return ", ".join(where)
