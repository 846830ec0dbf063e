"""The project's own settings, kept in the ``meta`` table (key → text) beside the schema version.

Only settings that change what the program lets a user do live here (not a
user's preferences, which are the typed config of :mod:`trivselkode.config`):

``allow_own_fix``
    ``"1"``: in Enighed's review a coder may correct their own coding of the
    code under review (``o``), besides writing the consensus. Off by default;
    set with ``trivselkode consensus settings --allow-own-fix``.

``queue_learns_from_all``
    ``"1"``: the review queue (and Kodning's suggestions in blind coding)
    learn from every coder's codings (the consensus where it exists), not
    only from the coder's own. Off by default, so that blind coding stays
    blind; set with ``trivselkode consensus settings --queue-learns-from-all``.
"""

from __future__ import annotations

from sqlmodel import select

from trivselkode.i18n import N_
from trivselkode.storage.db import Project
from trivselkode.storage.models import Meta

ALLOW_OWN_FIX = "allow_own_fix"
QUEUE_LEARNS_FROM_ALL = "queue_learns_from_all"
OWN_FIX_HINT = N_("slå det til med `trivselkode consensus settings --allow-own-fix`")


def get_flag(project: Project, key: str) -> bool:
    """A yes/no setting; missing means no."""
    with project.read() as s:
        value = s.exec(select(Meta.value).where(Meta.key == key)).first()
    return (value or "").strip().lower() in ("1", "true", "ja", "yes", "on")


def set_flag(project: Project, key: str, on: bool) -> bool:
    """Store a yes/no setting at once; returns the stored value."""
    with project.write() as s:
        s.merge(Meta(key=key, value="1" if on else "0"))
    return on


def allow_own_fix(project: Project) -> bool:
    """May a coder correct their own coding from Enighed's review?"""
    return get_flag(project, ALLOW_OWN_FIX)


def set_allow_own_fix(project: Project, on: bool) -> bool:
    return set_flag(project, ALLOW_OWN_FIX, on)


def queue_learns_from_all(project: Project) -> bool:
    """Does the review queue learn from every coder's codings (not only the coder's own)?"""
    return get_flag(project, QUEUE_LEARNS_FROM_ALL)


def set_queue_learns_from_all(project: Project, on: bool) -> bool:
    return set_flag(project, QUEUE_LEARNS_FROM_ALL, on)
