"""Versioned schema migrations.

``MIGRATIONS[v]`` upgrades a database from schema version ``v`` to ``v + 1``.
Before any step runs, an SQLite project is copied beside itself
(``NAME.db.v{old}.bak``) with the online backup API, so a failed migration
loses nothing. On PostgreSQL a migration ends by giving every role the rights
on the new tables that it has on the existing ones (:func:`renew_grants`), so
coders' least-privilege roles keep working after an upgrade.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.storage.models import SCHEMA_VERSION, Meta

Migration = Callable[[Connection], None]


def _v1_to_v2(conn: Connection) -> None:
    """Version 2 adds the table of settled disagreements (consensus decisions)."""
    from trivselkode.storage.models import Decision

    # With its indexes.
    Decision.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]  # sqlmodel's types lack __table__


def _v2_to_v3(conn: Connection) -> None:
    """Version 3 adds a settlement's reason, the settlements' audit trail and the chosen quotes."""
    from sqlalchemy import inspect

    from trivselkode.storage.models import DecisionEvent, QuoteChoice

    if "reason" not in {c["name"] for c in inspect(conn).get_columns("decision")}:
        conn.execute(text("ALTER TABLE decision ADD COLUMN reason TEXT"))
    DecisionEvent.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]  # sqlmodel's types lack __table__
    QuoteChoice.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]  # as above


def _v3_to_v4(conn: Connection) -> None:
    """Version 4 adds the coders' rejected suggestions (the review queue's ``n``)."""
    from trivselkode.storage.models import SuggestionRejection

    SuggestionRejection.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]  # as above


def _v4_to_v5(conn: Connection) -> None:
    """Version 5 adds the English of the bilingual codebook: ``name_en``, ``definition_en`` … on every code.

    Each column is added as the model declares it (its type in this dialect,
    NOT NULL with an empty default), so an upgraded project has the columns a
    new one has, on SQLite and PostgreSQL alike.
    """
    from sqlalchemy import inspect

    from trivselkode.domain.codebook_spec import EN_FIELDS
    from trivselkode.storage.models import Code

    have = {c["name"] for c in inspect(conn).get_columns("code")}
    table = Code.__table__  # type: ignore[attr-defined]  # as above
    quote = conn.dialect.identifier_preparer.quote
    for name in EN_FIELDS:
        if name in have:
            continue
        column = table.c[name]
        kind = column.type.compile(dialect=conn.dialect)
        default = "'[]'" if name.endswith(("characteristics_en", "examples_en")) else "''"
        conn.execute(text(f"ALTER TABLE code ADD COLUMN {quote(name)} {kind} NOT NULL DEFAULT {default}"))


def _v5_to_v6(conn: Connection) -> None:
    """Version 6 adds the questionnaires: the surveys and their respondents (SPEC §7b)."""
    from trivselkode.storage.models import Respondent, Survey

    Survey.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]  # as above
    Respondent.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]  # as above


#: Version 7's indexes: each new one (named as the models name it) and the one its prefix makes redundant.
V7_INDEXES = (
    ("coding", "ix_coding_code_passage_coder", "ix_coding_code_id"),
    ("passage", "ix_passage_source_participant", "ix_passage_source_id"),
)


def _v6_to_v7(conn: Connection) -> None:
    """Version 7 indexes the codings by (code, passage, coder) and the passages by (source, participant).

    The overview's theme bars and its counts per source are then read from
    these indexes alone. Each replaces the index of its first column
    (``ix_coding_code_id``, ``ix_passage_source_id``), which it serves in every
    lookup; so a project has as many indexes as before. Created as the models
    declare them, on SQLite and PostgreSQL alike; a step already done is not
    done again.
    """
    from sqlalchemy.schema import CreateIndex

    from trivselkode.storage.models import Coding, Passage

    tables = {"coding": Coding.__table__, "passage": Passage.__table__}  # type: ignore[attr-defined]  # as above
    quote = conn.dialect.identifier_preparer.quote
    for table_name, new, old in V7_INDEXES:
        index = next(ix for ix in tables[table_name].indexes if ix.name == new)
        conn.execute(CreateIndex(index, if_not_exists=True))
        conn.execute(text(f"DROP INDEX IF EXISTS {quote(old)}"))


# Version 1 is the first released schema; each later version adds its step here.
MIGRATIONS: dict[int, Migration] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
    5: _v5_to_v6,
    6: _v6_to_v7,
}


def copy_sqlite_file(src: Path, dest: Path) -> None:
    """A consistent copy of an SQLite database, while others may write to it, into the new file ``dest``."""
    source = sqlite3.connect(str(src))
    try:
        target = sqlite3.connect(str(dest))
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def backup_sqlite_file(src: Path, dest: Path) -> None:
    """:func:`copy_sqlite_file` to a temporary file beside ``dest``, renamed into place when whole.

    A failure (a full disk) removes the temporary file and its journal.
    """
    tmp = dest.with_name(f".{dest.name}.tmp{os.getpid()}-{threading.get_ident()}")
    try:
        copy_sqlite_file(src, tmp)
        tmp.replace(dest)
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)


def migrate(project, from_version: int) -> Path | None:  # noqa: ANN001 (Project, import cycle)
    """Bring the project from ``from_version`` up to ``SCHEMA_VERSION``."""
    backup: Path | None = None
    if project.is_sqlite and project.engine.url.database not in (None, "", ":memory:"):
        path = Path(project.engine.url.database)
        backup = path.with_name(f"{path.name}.v{from_version}.bak")
        try:
            backup_sqlite_file(path, backup)
        except (sqlite3.Error, OSError) as exc:
            raise TrivselError(
                _(
                    "projektet {path} skal opdateres til skemaversion {version}, men sikkerhedskopien "
                    "{backup} kunne ikke skrives ({reason}); intet er ændret"
                ).format(
                    path=path,
                    version=SCHEMA_VERSION,
                    backup=backup.name,
                    reason=str(exc).strip() or type(exc).__name__,
                ),
                _("frigør plads på disken (eller giv skriveadgang til mappen), og åbn projektet igen"),
            ) from None
    version = from_version
    with project.engine.connect() as conn:
        conn.execution_options(trivselkode_write=True)
        with conn.begin():
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](conn)
                version += 1
            if conn.dialect.name == "postgresql":
                renew_grants(conn)
            with Session(bind=conn) as session:
                session.merge(Meta(key="schema_version", value=str(version)))
                session.flush()
    return backup


_ACL = text(
    """
    SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS role, a.privilege_type
    FROM pg_class c
    CROSS JOIN LATERAL aclexplode(c.relacl) a
    LEFT JOIN pg_roles r ON r.oid = a.grantee
    WHERE c.oid = to_regclass(:name) AND a.grantee <> c.relowner
    """
)


def renew_grants(conn: Connection, reference: str = "coding") -> None:
    """PostgreSQL: every role gets on every project table (and its id sequence) the rights it has on ``reference``.

    The README's set-up grants coders their rights on the tables that exist
    when it runs; a table a later migration adds would otherwise be closed to
    them. The rights on the ``reference`` table (and its sequence) are the
    pattern; the owner's own rights are left alone.
    """
    table_rights = conn.execute(_ACL, {"name": f'"{reference}"'}).all()
    reference_seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": f'"{reference}"'}).scalar()
    seq_rights = conn.execute(_ACL, {"name": reference_seq}).all() if reference_seq else []
    for table in SQLModel.metadata.sorted_tables:
        quoted = conn.dialect.identifier_preparer.quote(table.name)
        if conn.execute(text("SELECT to_regclass(:t)"), {"t": quoted}).scalar() is None:
            continue
        for role, privilege in table_rights:
            conn.execute(text(f"GRANT {privilege} ON TABLE {quoted} TO {role}"))
        if "id" in table.c and seq_rights:
            seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": quoted}).scalar()
            if seq:
                for role, privilege in seq_rights:
                    conn.execute(text(f"GRANT {privilege} ON SEQUENCE {seq} TO {role}"))
