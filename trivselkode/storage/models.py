"""Every table of a project, as SQLModel models.

One project is one database. The same models run on SQLite (the default)
and PostgreSQL; nothing here is dialect-specific.

Offsets: ``Passage.start``/``end`` index ``Source.text`` (Python ``str``
indices, i.e. Unicode code points, end exclusive), so
``source.text[p.start:p.end] == p.text``. ``Coding.start``/``end`` index the
passage text; both ``None`` means the whole passage.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint, func
from sqlmodel import Field, SQLModel, col

SCHEMA_VERSION = 7
APP_ID = "trivselkode"

INTERVIEWER = "interviewer"
PARTICIPANT = "participant"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Meta(SQLModel, table=True):
    """Key/value facts about the project: the app marker and schema version."""

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


class Code(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=128, unique=True, index=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    parent_id: int | None = Field(default=None, foreign_key="code.id", ondelete="SET NULL")
    kind: str = Field(default="", max_length=64)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    include: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    exclude: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    characteristics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    examples: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    color: str | None = Field(default=None, max_length=16)
    shortcut: str | None = Field(default=None, max_length=8)
    position: int = 0
    retired: bool = False
    # The English of the bilingual codebook (schema version 5); "" / [] when there is none.
    name_en: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    definition_en: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    include_en: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    exclude_en: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    characteristics_en: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, default=list, server_default="[]")
    )
    examples_en: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, default=list, server_default="[]")
    )


class Source(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255, unique=True, index=True)
    title: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    kind: str | None = Field(default=None, max_length=32)
    site: str | None = Field(default=None, max_length=128)
    context: str | None = Field(default=None, max_length=64)
    round: int | None = None
    date: str | None = Field(default=None, max_length=32)
    file_name: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    content_hash: str = Field(default="", max_length=64, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    imported_at: datetime = Field(default_factory=utcnow)


class Participant(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("source_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", ondelete="CASCADE", index=True)
    label: str = Field(max_length=255)
    role: str = Field(default=PARTICIPANT, max_length=32)
    gender: str | None = Field(default=None, max_length=32)
    age: int | None = None
    site: str | None = Field(default=None, max_length=128)
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Passage(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("source_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    # Indexed by (source_id, number) and by ix_passage_source_participant (schema version 7).
    source_id: int = Field(foreign_key="source.id", ondelete="CASCADE")
    number: int
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE", index=True)
    start: int
    end: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    # Sentence boundaries as [[start, end], ...] relative to the passage text.
    sentences: list[list[int]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cue_start: float | None = None
    cue_end: float | None = None


class Coder(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Coding(SQLModel, table=True):
    """One coder's code on one passage, optionally narrowed to a sub-span."""

    id: int | None = Field(default=None, primary_key=True)
    passage_id: int = Field(foreign_key="passage.id", ondelete="CASCADE", index=True)
    # Indexed by ix_coding_code_passage_coder (schema version 7).
    code_id: int = Field(foreign_key="code.id", ondelete="CASCADE")
    coder_id: int = Field(foreign_key="coder.id", ondelete="CASCADE", index=True)
    start: int | None = None
    end: int | None = None
    memo: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)


# One row per passage + code + coder + span; NULL spans (whole passage) compare equal.
Index(
    "ux_coding_unique",
    col(Coding.passage_id),
    col(Coding.code_id),
    col(Coding.coder_id),
    func.coalesce(Coding.start, -1),
    func.coalesce(Coding.end, -1),
    unique=True,
)

# Schema version 7. A theme's codings by code, covering (passage, coder): the overview's theme bars are
# counted from this index alone, reading only the themes' entries. It serves every lookup by code too
# (the code_id index it replaced was its prefix).
Index("ix_coding_code_passage_coder", col(Coding.code_id), col(Coding.passage_id), col(Coding.coder_id))

# Schema version 7. A source's passages with their speakers: the overview's counts per source read this
# index, not the passage rows (their text). It serves every lookup by source too (the source_id index it
# replaced was its prefix).
Index("ix_passage_source_participant", col(Passage.source_id), col(Passage.participant_id))


class UnplacedCoding(SQLModel, table=True):
    """A coding a revised transcript could not re-anchor: kept, flagged, listed."""

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", ondelete="CASCADE", index=True)
    passage_number: int
    speaker: str = Field(default="", max_length=255)
    passage_text: str = Field(sa_column=Column(Text, nullable=False))
    code_id: int = Field(foreign_key="code.id", ondelete="CASCADE")
    coder_id: int = Field(foreign_key="coder.id", ondelete="CASCADE")
    start: int | None = None
    end: int | None = None
    memo: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    unplaced_at: datetime = Field(default_factory=utcnow)


class Memo(SQLModel, table=True):
    """Free text on a source, a passage or a code (exactly one of them)."""

    id: int | None = Field(default=None, primary_key=True)
    source_id: int | None = Field(default=None, foreign_key="source.id", ondelete="CASCADE", index=True)
    passage_id: int | None = Field(default=None, foreign_key="passage.id", ondelete="CASCADE", index=True)
    code_id: int | None = Field(default=None, foreign_key="code.id", ondelete="CASCADE", index=True)
    coder_id: int = Field(foreign_key="coder.id", ondelete="CASCADE")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SourceDone(SQLModel, table=True):
    """A coder's mark that they finished coding a source."""

    source_id: int = Field(foreign_key="source.id", ondelete="CASCADE", primary_key=True)
    coder_id: int = Field(foreign_key="coder.id", ondelete="CASCADE", primary_key=True)
    done_at: datetime = Field(default_factory=utcnow)


class Star(SQLModel, table=True):
    """A coder's mark on a passage as a quote candidate."""

    passage_id: int = Field(foreign_key="passage.id", ondelete="CASCADE", primary_key=True)
    coder_id: int = Field(foreign_key="coder.id", ondelete="CASCADE", primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)


class Position(SQLModel, table=True):
    """Where a coder last was in a source (the coding screen reopens there)."""

    source_id: int = Field(foreign_key="source.id", ondelete="CASCADE", primary_key=True)
    coder_id: int = Field(foreign_key="coder.id", ondelete="CASCADE", primary_key=True)
    passage_number: int
    updated_at: datetime = Field(default_factory=utcnow)


class Decision(SQLModel, table=True):
    """A settled disagreement: what the consensus coder carries for one code on one passage.

    The coders' own codings are never changed; the consensus coder's codings
    follow the decision. Added in schema version 2.
    """

    __table_args__ = (UniqueConstraint("passage_id", "code_id"),)

    id: int | None = Field(default=None, primary_key=True)
    passage_id: int = Field(foreign_key="passage.id", ondelete="CASCADE", index=True)
    code_id: int = Field(foreign_key="code.id", ondelete="CASCADE", index=True)
    choice: str = Field(max_length=16)  # a | b | both | neither | manual
    coders: str = Field(default="", max_length=255)  # the compared coders, comma-separated, A first
    settled_by: str = Field(max_length=64)
    settled_at: datetime = Field(default_factory=utcnow)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # schema version 3


class DecisionEvent(SQLModel, table=True):
    """The audit trail of settlements: one row each time a disagreement is settled, changed or undone.

    ``choice`` is what the decision became (``undone`` when it was removed);
    the passage text is read through ``passage_id``. Rows are only ever
    added. Added in schema version 3.
    """

    id: int | None = Field(default=None, primary_key=True)
    passage_id: int = Field(foreign_key="passage.id", ondelete="CASCADE", index=True)
    code_id: int = Field(foreign_key="code.id", ondelete="CASCADE", index=True)
    choice: str = Field(max_length=16)  # a | b | both | neither | manual | undone
    previous: str | None = Field(default=None, max_length=16)  # the choice before, if any
    coders: str = Field(default="", max_length=255)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    by: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow)


class QuoteChoice(SQLModel, table=True):
    """The researcher's choice among a code's candidate quotes, kept for the next export.

    ``state`` is ``picked`` (used, in ``position`` order, before any automatic
    choice) or ``dropped`` (never used for this code). ``start``/``end``
    narrow the quote inside the passage (``None``: the automatic trim).
    Added in schema version 3.
    """

    __table_args__ = (UniqueConstraint("code_id", "passage_id"),)

    id: int | None = Field(default=None, primary_key=True)
    code_id: int = Field(foreign_key="code.id", ondelete="CASCADE", index=True)
    passage_id: int = Field(foreign_key="passage.id", ondelete="CASCADE", index=True)
    state: str = Field(max_length=16)  # picked | dropped
    position: int = 0
    start: int | None = None
    end: int | None = None
    chosen_by: str = Field(default="", max_length=64)
    chosen_at: datetime = Field(default_factory=utcnow)


class SuggestionRejection(SQLModel, table=True):
    """A coder's "no" to a suggested code on a passage (the review queue's ``n``).

    The passage is not offered again to that coder for that code, and the
    learned suggestions count it as a negative example. Per coder, like
    codings. Added in schema version 4.
    """

    passage_id: int = Field(foreign_key="passage.id", ondelete="CASCADE", primary_key=True)
    code_id: int = Field(foreign_key="code.id", ondelete="CASCADE", primary_key=True, index=True)
    coder_id: int = Field(foreign_key="coder.id", ondelete="CASCADE", primary_key=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Survey(SQLModel, table=True):
    """An imported questionnaire (SPEC §7b): its definition and the file its answers came from.

    ``definition`` is :meth:`SurveyDefinition.to_dict`; ``content_hash`` is
    the hash of the responses file and the definition together (a re-import
    of both changes nothing). ``source_id`` is the source holding the open
    answers, if any. Added in schema version 6.
    """

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255, unique=True, index=True)
    title: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    definition: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    file_name: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    content_hash: str = Field(default="", max_length=64)
    source_id: int | None = Field(default=None, foreign_key="source.id", ondelete="SET NULL", index=True)
    imported_at: datetime = Field(default_factory=utcnow)


class Respondent(SQLModel, table=True):
    """One respondent of a survey: their round, standard attributes and raw answers (not reversed).

    ``answers`` holds one little-endian float64 per item of the survey's
    definition, in the order of its items, NaN where the answer is missing
    (read with :func:`trivselkode.storage.surveys.load_survey`): 100,000
    respondents load in a blink, where JSON took seconds. ``participant_id``
    is the same person in the survey's open-answer source. Added in schema
    version 6.
    """

    __table_args__ = (UniqueConstraint("survey_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", ondelete="CASCADE", index=True)
    label: str = Field(max_length=255)
    round: str | None = Field(default=None, max_length=64)
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    answers: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    participant_id: int | None = Field(default=None, foreign_key="participant.id", ondelete="SET NULL", index=True)
