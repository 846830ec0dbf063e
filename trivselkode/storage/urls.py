"""Database URLs: a path or a URL as SQLAlchemy's, checked before any connection, and shown
or quoted only with their passwords masked (see :mod:`trivselkode.storage.db`)."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from trivselkode.errors import Refused
from trivselkode.i18n import N_, _

_URL_RE = re.compile(r"^[a-z][a-z0-9+]*://", re.IGNORECASE)


# In free text: the password of a URL (up to its last "@", so an unencoded "@" in it is covered too) and
# a password given as a parameter (``?password=…``, ``password=…`` in a libpq connection string).
_TEXT_PASSWORD = re.compile(r"(://[^:/@\s]*:)\S*@")
_PARAM_PASSWORD = re.compile(r"\b(password\s*=\s*)('[^']*'|[^&\s]*)", re.IGNORECASE)
_ENCODE_HINT = N_(
    "skriv @ som %40 og : som %3A i brugernavn og adgangskode (fx postgresql+psycopg://anna:min%40kode@vært/db), "
    "eller udelad adgangskoden og brug PGPASSWORD eller en .pgpass-fil"
)


def mask_url(text: str) -> str:
    """``text`` (a URL or a message holding one) with every password replaced by ``***``."""
    return _PARAM_PASSWORD.sub(r"\1***", _TEXT_PASSWORD.sub(r"\1***@", text))


def url_scheme(url: str) -> str:
    return url.split("://", 1)[0]


def check_url(url: str) -> None:
    """Refuse a server URL whose user name or password holds an unencoded ``@`` or ``:``.

    SQLAlchemy splits such a URL at the wrong place and would send the rest of
    the password as the host name (and print it in every error). The refusal
    names no part of the URL beyond its scheme and comes before any connection.
    A file path or an ``sqlite://`` URL is not checked (a path may hold ``@``).
    An ``@`` elsewhere (in the database name or a parameter) is refused too and
    mends the same way: SQLAlchemy decodes ``%40`` in every part.
    """
    scheme = url_scheme(url)
    if scheme.lower().startswith("sqlite"):
        return
    rest = url.split("://", 1)[1]
    if rest.count("@") > 1:
        raise Refused(
            _("database-URL'en ({scheme}://…) har et @ i adgangskoden eller brugernavnet, der ikke er kodet").format(
                scheme=scheme
            ),
            _(_ENCODE_HINT),
        )
    if "@" in rest and rest.split("@", 1)[0].count(":") > 1:
        raise Refused(
            _("database-URL'en ({scheme}://…) har et : i adgangskoden, der ikke er kodet").format(scheme=scheme),
            _(_ENCODE_HINT),
        )


def display_url(url: str) -> str:
    """How a server URL is shown: its password (and a ``password`` parameter) as ``***``."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return f"{url_scheme(url)}://…"
    return mask_url(parsed.render_as_string(hide_password=True))


def to_url(db: str) -> str:
    """A path or an SQLAlchemy URL, as an SQLAlchemy URL."""
    if _URL_RE.match(db):
        return db
    return f"sqlite:///{Path(db).expanduser()}"
