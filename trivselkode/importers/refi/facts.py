"""Facts about sources and participants: REFI-QDA variables and cases, or our own note, as metadata."""

from __future__ import annotations

from typing import Any

from trivselkode.domain.vocabulary import ATTRIBUTE_ALIASES, CONTEXTS, SOURCE_KINDS
from trivselkode.i18n import _
from trivselkode.importers.base import ParsedParticipant
from trivselkode.importers.refi.model import PARAGRAPH_SPEAKER, RefiDocument, RSource, RVariable
from trivselkode.importers.refi.read import as_int

_ROLES = {
    "participant": "participant",
    "deltager": "participant",
    "interviewer": "interviewer",
    "intervieweren": "interviewer",
}


def variable_facts(values: dict[str, Any], variables: dict[str, RVariable]) -> dict[str, Any]:
    """Variable GUID → value as name → value."""
    out: dict[str, Any] = {}
    for g, value in values.items():
        var = variables.get(g)
        if var is not None and var.name:
            out[var.name] = value
    return out


def participant_from_case(label: str, facts: dict[str, Any], warnings: list[str]) -> ParsedParticipant:
    from trivselkode.importers.metadata import default_role, jsonable

    p = ParsedParticipant(label=label, role=default_role(label))
    for name, value in facts.items():
        folded = name.strip().casefold()
        if folded in ("role", "rolle"):
            role = _ROLES.get(str(value).strip().casefold())
            if role:
                p.role = role
                continue
        standard = ATTRIBUTE_ALIASES.get(folded)
        if standard == "age":
            age = value if isinstance(value, int) and not isinstance(value, bool) else as_int(str(value))
            if age is not None and 0 <= age <= 130:
                p.age = age
                continue
            warnings.append(
                _("deltageren '{label}': alderen '{value}' er ikke et helt tal og er gemt som egenskab").format(
                    label=label, value=value
                )
            )
            p.attributes[name] = jsonable(value)
        elif standard in ("gender", "site"):
            setattr(p, standard, " ".join(str(value).split())[: 32 if standard == "gender" else 128] or None)
        else:
            p.attributes[name] = jsonable(value)
    return p


def own_participant(data: dict[str, Any]) -> ParsedParticipant:
    age = data.get("age")
    return ParsedParticipant(
        label=str(data.get("label") or PARAGRAPH_SPEAKER),
        role="interviewer" if data.get("role") == "interviewer" else "participant",
        gender=data.get("gender"),
        age=age if isinstance(age, int) and not isinstance(age, bool) else None,
        site=data.get("site"),
        attributes=dict(data.get("attributes") or {}),
    )


def source_metadata(
    rsource: RSource, doc: RefiDocument, own: dict[str, Any] | None, warnings: list[str]
) -> dict[str, Any]:
    from trivselkode.importers.metadata import jsonable

    if own is not None:
        facts = (own.get("sources") or {}).get(rsource.guid)
        if isinstance(facts, dict):
            meta: dict[str, Any] = dict(facts.get("extra") or {})
            for key in ("title", "kind", "site", "context", "round", "date"):
                if facts.get(key) is not None:
                    meta[key] = facts[key]
            return meta
    meta = {}
    for name, value in variable_facts(rsource.values, doc.variables).items():
        folded = name.strip().casefold()
        key = {
            "bibliotek": "site",
            "library": "site",
            "titel": "title",
            "type": "kind",
            "kontekst": "context",
            "runde": "round",
            "dato": "date",
        }.get(folded, folded)
        if key == "kind" and str(value).strip().casefold() in SOURCE_KINDS:
            meta["kind"] = str(value).strip().casefold()
        elif key == "context" and str(value).strip().casefold() in CONTEXTS:
            meta["context"] = str(value).strip().casefold()
        elif key == "round" and (isinstance(value, int) or as_int(str(value)) is not None):
            meta["round"] = value if isinstance(value, int) else as_int(str(value))
        elif key in ("title", "site", "date"):
            meta[key] = " ".join(str(value).split())[: 128 if key == "site" else 10_000]
        else:
            if key in ("kind", "context", "round"):
                warnings.append(
                    _("kilden '{name}': {name2} = '{value}' er ikke en kendt værdi; gemt som ekstra metadata").format(
                        name=rsource.name, name2=name, value=value
                    )
                )
            meta[name] = jsonable(value)
    return meta
