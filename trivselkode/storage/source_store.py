"""Storing a parsed source: its row, its participants and its passages.

The one way a source gets into the project, for the text import
(:mod:`trivselkode.importers.pipeline`) and the REFI-QDA import
(:mod:`trivselkode.importers.refi`) alike: :func:`insert_source` for a new
source, :func:`update_source_details` for one whose text is unchanged, and
:func:`~trivselkode.storage.source_revision.revise_source` for a revised text.

A parsed source is anything shaped like
:class:`~trivselkode.importers.base.ParsedSource` (storage does not import
the importers): see :class:`SourceLike`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Table, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlmodel import Session, select

from trivselkode.storage.db import bulk_insert, driver_connection, insert_sql, placeholder
from trivselkode.storage.models import Participant, Passage, Source, utcnow
from trivselkode.storage.sources import SOURCE_FIELDS


class TurnLike(Protocol):
    """One turn of a parsed source (:class:`~trivselkode.importers.base.ParsedTurn`)."""

    @property
    def speaker(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def cue_start(self) -> float | None: ...
    @property
    def cue_end(self) -> float | None: ...


class ParticipantLike(Protocol):
    """One participant of a parsed source (:class:`~trivselkode.importers.base.ParsedParticipant`)."""

    @property
    def label(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def gender(self) -> str | None: ...
    @property
    def age(self) -> int | None: ...
    @property
    def site(self) -> str | None: ...
    @property
    def attributes(self) -> Mapping[str, Any]: ...


class SourceLike(Protocol):
    """A parsed source (:class:`~trivselkode.importers.base.ParsedSource`)."""

    @property
    def name(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def file_name(self) -> str: ...
    @property
    def metadata(self) -> Mapping[str, Any]: ...
    @property
    def participants(self) -> Sequence[ParticipantLike]: ...
    @property
    def turns(self) -> Sequence[TurnLike]: ...


def source_fields(parsed: SourceLike, digest: str) -> dict[str, Any]:
    """The ``Source`` columns for ``parsed`` (metadata it has no column for goes to ``extra``)."""
    meta = dict(parsed.metadata)
    fields: dict[str, Any] = {"title": str(meta.pop("title", "") or parsed.name)}
    for key in ("kind", "site", "context", "round"):
        fields[key] = meta.pop(key, None)
    date = meta.pop("date", None)
    fields["date"] = str(date) if date is not None else None
    fields.update(file_name=Path(parsed.file_name).name, content_hash=digest, text=parsed.text)
    meta.pop("name", None)
    meta.pop("participants", None)
    fields["extra"] = _jsonable(meta)
    return fields


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _participant_fields(p: ParticipantLike) -> dict[str, Any]:
    return {
        "role": p.role,
        "gender": p.gender,
        "age": p.age,
        "site": p.site,
        "attributes": _jsonable(dict(p.attributes)),
    }


_SOURCE: Table = Source.__table__  # type: ignore[attr-defined]  # sqlmodel's types lack __table__
_PARTICIPANT: Table = Participant.__table__  # type: ignore[attr-defined]  # sqlmodel's types lack __table__
_PASSAGE: Table = Passage.__table__  # type: ignore[attr-defined]  # sqlmodel's types lack __table__
# Statements built once: the import runs them for every file.
_STORED_TURNS = (
    select(_PASSAGE.c.start, _PASSAGE.c.end, _PARTICIPANT.c.label)
    .join(_PARTICIPANT, _PASSAGE.c.participant_id == _PARTICIPANT.c.id)
    .where(_PASSAGE.c.source_id == bindparam("source_id"))
    .order_by(_PASSAGE.c.number)
)
_SOURCE_COLUMNS = [c.name for c in _SOURCE.c if c.name != "id"]
_PARTICIPANT_COLUMNS = [c.name for c in _PARTICIPANT.c if c.name != "id"]


@dataclass(frozen=True)
class _Statements:
    """The import's statements in one dialect's SQL, run on the driver's cursor.

    SQLAlchemy's per-statement work (compiling the cache key, processing each
    parameter, building result rows) costs more than SQLite's own for these
    small statements run once a file. The values are what SQLAlchemy would
    send: each column's own bind processor for this dialect (JSON as text,
    SQLite's datetimes as text) is applied here.
    """

    insert_source: str
    returning: bool  # the new source's id comes back as a row (else: the cursor's lastrowid)
    insert_participant: str
    participant_ids: str
    same_sources: str
    source_processors: list[Callable[[Any], Any] | None]
    participant_processors: list[Callable[[Any], Any] | None]


_STATEMENTS: WeakKeyDictionary[Dialect, _Statements] = WeakKeyDictionary()


def _processors(table: Table, columns: list[str], dialect: Dialect) -> list[Callable[[Any], Any] | None]:
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]


def _statements(dialect: Dialect) -> _Statements:
    found = _STATEMENTS.get(dialect)
    if found is not None:
        return found
    quote = dialect.identifier_preparer.quote
    mark = placeholder(dialect)
    returning = dialect.name != "sqlite"
    source, participant = quote(_SOURCE.name), quote(_PARTICIPANT.name)
    found = _Statements(
        insert_source=insert_sql(dialect, _SOURCE, _SOURCE_COLUMNS)
        + (f" RETURNING {quote('id')}" if returning else ""),
        returning=returning,
        insert_participant=insert_sql(dialect, _PARTICIPANT, _PARTICIPANT_COLUMNS),
        participant_ids=f"SELECT {quote('label')}, {quote('id')} FROM {participant} WHERE {quote('source_id')} = {mark}",
        same_sources=(
            f"SELECT {quote('id')}, {quote('name')}, {quote('content_hash')} FROM {source} "
            f"WHERE {quote('name')} = {mark} OR {quote('content_hash')} = {mark} ORDER BY {quote('id')}"
        ),
        source_processors=_processors(_SOURCE, _SOURCE_COLUMNS, dialect),
        participant_processors=_processors(_PARTICIPANT, _PARTICIPANT_COLUMNS, dialect),
    )
    _STATEMENTS[dialect] = found
    return found


def _cursor(session: Session) -> tuple[DBAPICursor, _Statements]:
    """A driver cursor in the session's transaction, and the statements in its dialect."""
    dbapi, dialect = driver_connection(session)
    return dbapi.cursor(), _statements(dialect)


def _row(values: dict[str, Any], columns: list[str], processors: list[Callable[[Any], Any] | None]) -> tuple[Any, ...]:
    return tuple(values[c] if p is None else p(values[c]) for c, p in zip(columns, processors))


def same_turns(session: Session, source_id: int, parsed: SourceLike) -> bool:
    """Whether the stored passages of the source are ``parsed``'s turns (same offsets and speakers)."""
    stored = session.execute(_STORED_TURNS, {"source_id": source_id}).all()
    return len(stored) == len(parsed.turns) and all(
        row[0] == t.start and row[1] == t.end and row[2] == t.speaker for row, t in zip(stored, parsed.turns)
    )


def insert_source(session: Session, parsed: SourceLike, digest: str, sentences: list[str]) -> int:
    """A new source, its participants and its passages, on the driver's cursor (no ORM objects); its id.

    ``sentences`` holds each turn's sentences as JSON
    (:func:`trivselkode.importers.pipeline.segment`).
    """
    cursor, sql = _cursor(session)
    try:
        fields = {"name": parsed.name, "imported_at": utcnow(), **source_fields(parsed, digest)}
        cursor.execute(sql.insert_source, _row(fields, _SOURCE_COLUMNS, sql.source_processors))
        source_id: int = cast(Any, cursor.fetchone())[0] if sql.returning else cursor.lastrowid
        if parsed.participants:
            cursor.executemany(
                sql.insert_participant,
                [
                    _row(
                        {"source_id": source_id, "label": p.label, **_participant_fields(p)},
                        _PARTICIPANT_COLUMNS,
                        sql.participant_processors,
                    )
                    for p in parsed.participants
                ],
            )
        cursor.execute(sql.participant_ids, (source_id,))
        ids: dict[str, int] = dict(cursor.fetchall())
    finally:
        cursor.close()
    insert_passages(session, source_id, parsed, sentences, ids)
    return source_id


def stored_participants(session: Session, source_id: int) -> dict[str, Participant]:
    """The source's participants by label."""
    return {p.label: p for p in session.exec(select(Participant).where(Participant.source_id == source_id))}


def upsert_participants(
    session: Session, source: Source, participants: Sequence[ParticipantLike], existing: dict[str, Participant]
) -> dict[str, int]:
    """Add or update ``participants`` of ``source`` (``existing``: its stored ones by label); their ids by label."""
    rows: dict[str, Participant] = {}
    for p in participants:
        row = existing.get(p.label)
        if row is None:
            row = Participant(source_id=cast(int, source.id), label=p.label, **_participant_fields(p))
        else:
            # Keep attributes set after import unless the file now states them.
            row.role = p.role
            row.gender = p.gender if p.gender is not None else row.gender
            row.age = p.age if p.age is not None else row.age
            row.site = p.site if p.site is not None else row.site
            row.attributes = {**row.attributes, **_jsonable(dict(p.attributes))}
        session.add(row)
        rows[p.label] = row
    session.flush()  # one batch of inserts for all of them
    return {label: cast(int, row.id) for label, row in rows.items()}


def update_source_details(session: Session, source: Source, parsed: SourceLike, digest: str) -> None:
    """Metadata of an unchanged source: the fields ``parsed`` states, and its extra metadata merged in."""
    fields = source_fields(parsed, digest)
    for key in SOURCE_FIELDS:
        if key in parsed.metadata and fields[key] is not None and getattr(source, key) != fields[key]:
            setattr(source, key, fields[key])
    source.extra = {**(source.extra or {}), **fields["extra"]}
    session.add(source)


_PASSAGE_COLUMNS = [
    "source_id",
    "number",
    "participant_id",
    "start",
    "end",
    "text",
    "sentences",
    "cue_start",
    "cue_end",
]


def insert_passages(
    session: Session,
    source_id: int,
    parsed: SourceLike,
    sentences: list[str],
    participant_ids: dict[str, int],
) -> None:
    """The source's passages, one per turn of ``parsed``, numbered from 1."""
    sid = source_id
    values = [
        (sid, n, participant_ids[t.speaker], t.start, t.end, t.text, sents, t.cue_start, t.cue_end)
        for n, (t, sents) in enumerate(zip(parsed.turns, sentences), start=1)
    ]
    bulk_insert(session, _PASSAGE, _PASSAGE_COLUMNS, values)


class SameSource(NamedTuple):
    """A stored source :func:`same_sources` found."""

    id: int
    name: str
    content_hash: str


def same_sources(session: Session, name: str, digest: str) -> list[SameSource]:
    """(id, name, content_hash) of the source named ``name`` and of those with the text ``digest``, in one look."""
    cursor, sql = _cursor(session)
    try:
        cursor.execute(sql.same_sources, (name, digest))
        return [SameSource(*row) for row in cursor.fetchall()]
    finally:
        cursor.close()
