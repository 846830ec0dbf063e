"""Why a piece of database work failed, said plainly: a damaged or read-only project, a
full disk, a database that went away (see :func:`explain_failure`)."""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from trivselkode.errors import Refused, TrivselError
from trivselkode.i18n import N_, _
from trivselkode.storage.urls import mask_url

# SQLite's primary result codes that matter to a user (sqlite3.Error.sqlite_errorcode & 0xff).
_SQLITE_READONLY, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 8, 11, 13, 26
RESTORE_HINT = N_(
    "gendan projektet fra en sikkerhedskopi: kopiér den seneste (fra `trivselkode backup`) ind over filen, "
    "eller åbn kopien direkte med --db KOPI.db"
)


def damaged_refusal(name: str, detail: str) -> Refused:
    return Refused(
        _("projektet {name} er beskadiget ({detail}); intet er skrevet eller eksporteret").format(
            name=name, detail=detail
        ),
        _(RESTORE_HINT),
    )


def read_only_refusal(name: str, reason: str) -> Refused:
    return Refused(
        _("projektet {name} er skrivebeskyttet ({reason}); intet er gemt").format(name=name, reason=reason),
        _("bed ejeren om skriveadgang, eller kopiér projektet til en mappe, du selv kan skrive i"),
    )


def _sqlite_code(exc: BaseException) -> int | None:
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_damage(exc: BaseException) -> bool:
    """SQLite found the file damaged ("database disk image is malformed", "file is not a database")."""
    text = first_line(exc).lower()
    return _sqlite_code(exc) in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in text


def is_read_only_failure(exc: BaseException) -> bool:
    return _sqlite_code(exc) == _SQLITE_READONLY or "readonly database" in first_line(exc).lower()


def is_disk_full(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, OSError):
        return orig.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    return _sqlite_code(exc) == _SQLITE_FULL or "disk is full" in first_line(exc).lower()


def explain_failure(exc: BaseException) -> str:
    """One line for whatever stopped a piece of work: our own errors as they are, the
    database going away (server, network, disk) said plainly, anything else named."""
    if isinstance(exc, TrivselError):
        return str(exc)
    if isinstance(exc, (DBAPIError, sqlite3.DatabaseError)) and is_damage(exc):
        return _("projektet er beskadiget ({detail}) – {hint}").format(detail=first_line(exc), hint=_(RESTORE_HINT))
    if isinstance(exc, (DBAPIError, sqlite3.DatabaseError)) and is_read_only_failure(exc):
        return _(
            "projektet er skrivebeskyttet ({first_line}) – bed ejeren om skriveadgang, eller kopiér projektet til en mappe, du selv kan skrive i"
        ).format(first_line=first_line(exc))
    if isinstance(exc, (DBAPIError, sqlite3.DatabaseError, OSError)) and is_disk_full(exc):
        return _("disken er fuld ({first_line}) – frigør plads, og prøv igen").format(first_line=first_line(exc))
    if isinstance(exc, (OperationalError, InterfaceError)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        first = first_line(exc).lower()
        if "locked" in first or "lock timeout" in first:
            return _("databasen er optaget af en anden proces ({first_line}) – prøv igen om lidt").format(
                first_line=first_line(exc)
            )
        return _(
            "databasen svarede ikke ({mask_url}) – tjek forbindelsen til databaseserveren eller disken, og prøv igen"
        ).format(mask_url=mask_url(first_line(exc)))
    text = str(exc).strip()
    return _("uventet fejl: {name}").format(name=type(exc).__name__) + (
        f": {mask_url(text.splitlines()[0])}" if text else ""
    )


def first_line(exc: BaseException) -> str:
    """The first line of the driver's message, any password in it masked."""
    text = str(getattr(exc, "orig", None) or exc)
    return mask_url(text.strip().splitlines()[0]) if text.strip() else type(exc).__name__
