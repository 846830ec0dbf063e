"""The rules a code of the project's codebook keeps, checked before any change: a usable
key, name, colour and shortcut, a parent that exists, no tree deeper than
:data:`~trivselkode.domain.codebook.MAX_CODE_DEPTH`; and the tree walks the
operations of :mod:`trivselkode.storage.codebook_ops` share.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import cast

from sqlmodel import Session, select

from trivselkode.domain.codebook import MAX_CODE_DEPTH, RESERVED_SHORTCUTS, normalize_color
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.storage.lookup import code_by_key
from trivselkode.storage.models import Code

KEY_RE = re.compile(r"^\w[\w.\-]*$", re.UNICODE)
KEY_MAX = 128


def reserved_list() -> str:
    return " ".join(sorted((k for k in RESERVED_SHORTCUTS if len(k) == 1 and k != " "), key=str.lower))


def check_key(session: Session, key: str) -> str:
    key = (key or "").strip()
    if not key:
        raise TrivselError(_("koden mangler en nøgle"), _("giv den en kort, entydig nøgle som T8 eller B.leg"))
    if len(key) > KEY_MAX or not KEY_RE.match(key):
        raise TrivselError(
            _("ugyldig nøgle '{key}'").format(key=key),
            _(
                "brug bogstaver, tal, punktum og bindestreg, uden mellemrum (højst {KEY_MAX} tegn), fx T8 eller B.leg"
            ).format(KEY_MAX=KEY_MAX),
        )
    if session.exec(select(Code.id).where(Code.key == key)).first() is not None:
        raise TrivselError(
            _("nøglen '{key}' bruges allerede af en anden kode").format(key=key),
            _("vælg en nøgle, der ikke findes i kodebogen"),
        )
    return key


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise TrivselError(_("koden mangler et navn"), _("skriv kodens danske navn"))
    if "\n" in name or "\r" in name:
        raise TrivselError(_("et kodenavn skal stå på én linje"), _("skriv beskrivelsen i feltet Beskrivelse"))
    return name


def check_color(color: str | None) -> str | None:
    if color is None or not color.strip():
        return None
    normalized = normalize_color(color)
    if normalized is None:
        raise TrivselError(
            _("ugyldig farve '{color}'").format(color=color.strip()),
            _("skriv den som #rrggbb eller #rgb i hex, fx #2e7d32"),
        )
    return normalized


def check_shortcut(session: Session, shortcut: str | None, own_id: int | None = None) -> str | None:
    if shortcut is None or shortcut == "":
        return None
    if shortcut in RESERVED_SHORTCUTS or shortcut.strip() == "":
        raise TrivselError(
            _("genvejen '{shortcut}' er reserveret af kodningsskærmen").format(shortcut=shortcut),
            _(
                "vælg et tegn, der hverken er reserveret ({reserved_list} mellemrum) eller bruges af en anden kode"
            ).format(reserved_list=reserved_list()),
        )
    if len(shortcut) != 1:
        raise TrivselError(
            _("genvejen '{shortcut}' er ikke ét tegn").format(shortcut=shortcut),
            _("brug ét bogstav, ét tal eller ét tegn"),
        )
    if not shortcut.isprintable():
        raise TrivselError(_("genvejen er ikke et synligt tegn"), _("brug et bogstav eller et tal"))
    query = select(Code).where(Code.shortcut == shortcut)
    if own_id is not None:
        query = query.where(Code.id != own_id)
    other = session.exec(query).first()
    if other is not None:
        raise TrivselError(
            _("genvejen '{shortcut}' bruges allerede af {key} ({name})").format(
                shortcut=shortcut, key=other.key, name=other.name
            ),
            _("vælg en anden genvej, eller fjern den fra den anden kode først"),
        )
    return shortcut


def clean_list(values: Iterable[str] | None) -> list[str]:
    out: list[str] = []
    for value in values or []:
        value = str(value).strip()
        if value and value not in out:
            out.append(value)
    return out


def find_parent_code(session: Session, parent: str | None) -> Code | None:
    if parent is None or not parent.strip():
        return None
    code = code_by_key(session, parent.strip())
    if code.retired:
        raise TrivselError(
            _("overkoden '{key}' er udgået").format(key=code.key),
            _("genaktivér {key} først, eller vælg en anden overkode").format(key=code.key),
        )
    return code


def children_by_parent(codes: list[Code]) -> dict[int | None, list[Code]]:
    out: dict[int | None, list[Code]] = {}
    for code in sorted(codes, key=lambda c: (c.position, c.id or 0)):
        out.setdefault(code.parent_id, []).append(code)
    return out


def code_descendants(codes: list[Code], code_id: int) -> list[Code]:
    children = children_by_parent(codes)
    out: list[Code] = []
    stack = list(reversed(children.get(code_id, [])))
    while stack:
        code = stack.pop()
        out.append(code)
        stack.extend(reversed(children.get(code.id, [])))
    return out


def code_ancestors(codes: list[Code], code: Code) -> list[Code]:
    by_id = {c.id: c for c in codes}
    out: list[Code] = []
    seen: set[int] = set()
    current = by_id.get(code.parent_id) if code.parent_id else None
    while current is not None and current.id not in seen:
        seen.add(cast(int, current.id))
        out.append(current)
        current = by_id.get(current.parent_id) if current.parent_id else None
    return out


def check_depth(codes: list[Code], parent: Code | None, code: Code | None = None) -> None:
    """Refuse to put ``code`` (with its subtree; a new code when None) under ``parent`` deeper than MAX_CODE_DEPTH."""
    if parent is None:
        return
    level = len(code_ancestors(codes, parent)) + 2
    below = 0
    if code is not None:
        children = children_by_parent(codes)
        layer = [code.id]
        while layer:
            layer = [c.id for parent_id in layer for c in children.get(parent_id, [])]
            below += 1 if layer else 0
    if level + below > MAX_CODE_DEPTH:
        raise TrivselError(
            _(
                "koderne ville ligge {value} niveauer dybt under '{key}', men kodebogen har højst {MAX_CODE_DEPTH} niveauer"
            ).format(value=level + below, key=parent.key, MAX_CODE_DEPTH=MAX_CODE_DEPTH),
            _("vælg en overkode højere oppe"),
        )


def renumber_codes(session: Session) -> None:
    """Give every code a position in depth-first tree order (parents before children)."""
    codes = list(session.exec(select(Code)))
    children = children_by_parent(codes)
    ids = {c.id for c in codes}
    ordered: list[Code] = []

    def walk(parent: int | None) -> None:
        for code in children.get(parent, []):
            ordered.append(code)
            walk(code.id)

    walk(None)
    # Codes under a missing parent (cannot happen through this module) go last.
    for parent_id, group in children.items():
        if parent_id is not None and parent_id not in ids:
            for code in group:
                ordered.append(code)
                for sub in code_descendants(codes, cast(int, code.id)):
                    ordered.append(sub)
    for pos, code in enumerate(ordered):
        if code.position != pos:
            code.position = pos
            session.add(code)
