"""Finding sources, participants, passages, codes and coders by their names.

A name that is not found raises :class:`NotFound` naming the closest
existing names, so a typo is mended in one go.
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import process
from sqlmodel import Session, select

from trivselkode.errors import NotFound, TrivselError
from trivselkode.i18n import _
from trivselkode.storage.models import Code, Coder, Participant, Passage, Source

_CODER_RE = re.compile(r"^[\w.\-]{1,64}$", re.UNICODE)


def _suggest(name: str, choices: list[str]) -> str | None:
    if not choices:
        return None
    hits = process.extract(name, choices, limit=3, score_cutoff=60)
    if not hits:
        return None
    return "mente du " + _(" eller ").join(f"'{h[0]}'" for h in hits) + "?"


def _by_unique(session: Session, column: Any, value: str, missing: str, hint: str) -> Any:
    """The row whose unique ``column`` is ``value``; else NotFound, naming the nearest values."""
    row = session.exec(select(column.class_).where(column == value)).first()
    if row is None:
        raise NotFound(missing, _suggest(value, list(session.exec(select(column)))) or hint)
    return row


def source_by_name(session: Session, name: str) -> Source:
    return _by_unique(
        session,
        Source.name,
        name,
        _("kilden '{name}' findes ikke i projektet").format(name=name),
        "se `trivselkode status`",
    )


def code_by_key(session: Session, key: str) -> Code:
    return _by_unique(
        session,
        Code.key,
        key,
        _("koden '{key}' findes ikke i kodebogen").format(key=key),
        "se `trivselkode codebook show`",
    )


def participant_by_label(session: Session, source: Source, label: str) -> Participant:
    participant = session.exec(
        select(Participant).where(Participant.source_id == source.id, Participant.label == label)
    ).first()
    if participant is None:
        labels = list(session.exec(select(Participant.label).where(Participant.source_id == source.id)))
        raise NotFound(
            _("deltageren '{label}' findes ikke i kilden '{name}'").format(label=label, name=source.name),
            _("deltagerne er: {items}").format(items=", ".join(labels)) if labels else None,
        )
    return participant


def passage_by_number(session: Session, source: Source, number: int) -> Passage:
    passage = session.exec(select(Passage).where(Passage.source_id == source.id, Passage.number == number)).first()
    if passage is None:
        count = len(session.exec(select(Passage.id).where(Passage.source_id == source.id)).all())
        raise NotFound(
            _("kilden '{name}' har intet udsagn nr. {number}").format(name=source.name, number=number),
            _("udsagnene er nummereret 1–{count}").format(count=count),
        )
    return passage


def check_coder_name(name: str) -> str:
    name = name.strip()
    if not _CODER_RE.match(name):
        raise TrivselError(
            _("ugyldigt kodernavn '{name}'").format(name=name),
            _("brug et kort navn eller initialer (bogstaver, tal, punktum, bindestreg; højst 64 tegn)"),
        )
    return name


def coder_by_name(session: Session, name: str) -> Coder:
    return _by_unique(
        session,
        Coder.name,
        name,
        _("koderen '{name}' findes ikke i projektet").format(name=name),
        _("ingen har kodet endnu"),
    )


def get_or_create_coder(session: Session, name: str) -> Coder:
    """The coder of that name, created on first use (inside the caller's transaction)."""
    name = check_coder_name(name)
    coder = session.exec(select(Coder).where(Coder.name == name)).first()
    if coder is None:
        coder = Coder(name=name)
        session.add(coder)
        session.flush()
    return coder
