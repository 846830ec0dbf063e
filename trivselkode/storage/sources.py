"""Sources and participants after import: metadata, attributes, removal."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import func
from sqlmodel import col, select

from trivselkode.domain.text import content_hash
from trivselkode.domain.vocabulary import ATTRIBUTE_ALIASES, CONTEXTS, SOURCE_KINDS
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.storage.db import Project
from trivselkode.storage.lookup import participant_by_label, source_by_name
from trivselkode.storage.models import INTERVIEWER, PARTICIPANT, Coding, Participant, Passage, Source

SOURCE_FIELDS = ("title", "kind", "site", "context", "round", "date")
PARTICIPANT_ROLES = (PARTICIPANT, INTERVIEWER)


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """``["køn=kvinde", "alder=67"]`` → ``{"køn": "kvinde", "alder": "67"}``."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise TrivselError(
                _("'{pair}' er ikke på formen NØGLE=VÆRDI").format(pair=pair), _("skriv fx site=Viborg eller alder=67")
            )
        out[key] = value.strip()
    if not out:
        raise TrivselError(_("intet at ændre"), _("angiv mindst én NØGLE=VÆRDI"))
    return out


def _as_int(key: str, value: str) -> int | None:
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise TrivselError(_("{key} skal være et helt tal, ikke '{value}'").format(key=key, value=value)) from None


def set_source_fields(project: Project, name: str, values: dict[str, str]) -> dict[str, Any]:
    """Set metadata on a source; unknown keys go to its extra metadata. Empty values clear."""
    with project.write() as session:
        source = source_by_name(session, name)
        extra = dict(source.extra)
        for key, value in values.items():
            if key == "name":
                if not value:
                    raise TrivselError(_("en kilde skal have et navn"))
                clash = session.exec(select(Source.id).where(Source.name == value, Source.id != source.id)).first()
                if clash is not None:
                    raise TrivselError(
                        _("der findes allerede en kilde ved navn '{value}'").format(value=value),
                        _("vælg et andet navn"),
                    )
                source.name = value
            elif key == "kind":
                if value and value not in SOURCE_KINDS:
                    raise TrivselError(
                        _("ukendt kildetype '{value}'").format(value=value),
                        _("brug en af: {items}").format(items=", ".join(SOURCE_KINDS)),
                    )
                source.kind = value or None
            elif key == "context":
                if value and value not in CONTEXTS:
                    raise TrivselError(
                        _("ukendt kontekst '{value}'").format(value=value),
                        _("brug en af: {items}").format(items=", ".join(CONTEXTS)),
                    )
                source.context = value or None
            elif key == "round":
                source.round = _as_int("round", value)
            elif key in ("title", "site", "date"):
                setattr(source, key, value or (None if key != "title" else ""))
            elif value == "":
                extra.pop(key, None)
            else:
                extra[key] = value
        source.extra = extra
        session.add(source)
        session.flush()
        return source_summary(source)


def source_summary(source: Source) -> dict[str, Any]:
    return {
        "name": source.name,
        "title": source.title,
        "kind": source.kind,
        "site": source.site,
        "context": source.context,
        "round": source.round,
        "date": source.date,
        "file_name": source.file_name,
        **({"extra": dict(source.extra)} if source.extra else {}),
    }


def set_participant_fields(project: Project, source_name: str, label: str, values: dict[str, str]) -> dict[str, Any]:
    """Set attributes of a participant: gender, age, site, role and any others."""
    with project.write() as session:
        source = source_by_name(session, source_name)
        participant = participant_by_label(session, source, label)
        attributes = dict(participant.attributes)
        for key, value in values.items():
            std = ATTRIBUTE_ALIASES.get(key.lower(), key)
            if std == "gender":
                participant.gender = value.lower() or None
            elif std == "age":
                participant.age = _as_int("alder", value)
            elif std == "site":
                participant.site = value or None
            elif std == "role":
                if value not in PARTICIPANT_ROLES:
                    raise TrivselError(
                        _("ukendt rolle '{value}'").format(value=value),
                        _("brug en af: {items}").format(items=", ".join(PARTICIPANT_ROLES)),
                    )
                participant.role = value
            elif std == "label":
                if not value:
                    raise TrivselError(_("en deltager skal have en betegnelse"))
                clash = session.exec(
                    select(Participant.id).where(
                        Participant.source_id == source.id, Participant.label == value, Participant.id != participant.id
                    )
                ).first()
                if clash is not None:
                    raise TrivselError(_("kilden har allerede en deltager '{value}'").format(value=value))
                participant.label = value
            elif value == "":
                attributes.pop(key, None)
            else:
                attributes[key] = value
        participant.attributes = attributes
        session.add(participant)
        session.flush()
        return participant_summary(participant, source)


def participant_summary(participant: Participant, source: Source) -> dict[str, Any]:
    return {
        "source": source.name,
        "label": participant.label,
        "role": participant.role,
        "gender": participant.gender,
        "age": participant.age,
        "site": participant.site,
        **({"attributes": dict(participant.attributes)} if participant.attributes else {}),
    }


def removal_counts(project: Project, source_name: str, label: str | None = None) -> dict[str, int]:
    """What removing a source (or one participant of it) would delete."""
    with project.read() as session:
        source = source_by_name(session, source_name)
        passages = select(Passage.id).where(Passage.source_id == source.id)
        if label is not None:
            participant = participant_by_label(session, source, label)
            passages = passages.where(Passage.participant_id == participant.id)
        ids = list(session.exec(passages))
        codings = (
            session.exec(select(func.count()).select_from(Coding).where(col(Coding.passage_id).in_(ids))).one()
            if ids
            else 0
        )
    return {"passages": len(ids), "codings": int(codings)}


def remove_source(project: Project, name: str) -> dict[str, int]:
    counts = removal_counts(project, name)
    with project.write() as session:
        session.delete(source_by_name(session, name))
    return counts


def remove_participant(project: Project, source_name: str, label: str) -> dict[str, int]:
    """Withdrawn consent: delete a participant's passages, codings and text.

    Their turns are cut out of the source text (the other passages' offsets
    are shifted), so nothing they said stays in the project.
    """
    counts = removal_counts(project, source_name, label)
    with project.write() as session:
        source = source_by_name(session, source_name)
        participant = participant_by_label(session, source, label)
        passages = list(
            session.exec(select(Passage).where(Passage.source_id == source.id).order_by(col(Passage.number)))
        )
        text = source.text
        pieces: list[str] = []
        cursor = 0
        shift = 0
        keep: list[Passage] = []
        for p in passages:
            if p.participant_id == participant.id:
                # Cut the whole line(s) of the turn, from its line start to its line end.
                line_start = text.rfind("\n", 0, p.start) + 1
                line_end = text.find("\n", p.end)
                line_end = len(text) if line_end == -1 else line_end + 1
                line_start = max(line_start, cursor)
                pieces.append(text[cursor:line_start])
                shift += line_end - line_start
                cursor = line_end
                continue
            keep.append(p)
            p.start -= shift
            p.end -= shift
        pieces.append(text[cursor:])
        for p in passages:
            if p.participant_id == participant.id:
                session.delete(p)
        session.flush()
        # Renumber in two steps so the unique (source, number) never clashes.
        for number, p in enumerate(keep, start=1):
            p.number = -number
            session.add(p)
        session.flush()
        for p in keep:
            p.number = -p.number
            session.add(p)
        source.text = "".join(pieces)
        source.content_hash = content_hash(source.text)
        session.add(source)
        session.delete(participant)
    return counts


def participant_rows(project: Project, source_name: str | None = None) -> list[dict[str, Any]]:
    """Every participant (of one source, if given) with their attributes and passage count."""
    with project.read() as session:
        query = select(Participant, Source).join(Source, col(Participant.source_id) == Source.id)
        if source_name is not None:
            query = query.where(Participant.source_id == source_by_name(session, source_name).id)
        counts = dict(
            session.exec(select(Passage.participant_id, func.count()).group_by(col(Passage.participant_id))).all()
        )
        rows = []
        for participant, source in session.exec(query.order_by(Source.name, col(Participant.id))):
            rows.append(
                {
                    **participant_summary(participant, source),
                    "attributes": dict(participant.attributes),
                    "passages": counts.get(cast(int, participant.id), 0),
                }
            )
    return rows
