"""The codebook part of a REFI-QDA file: codes planned, ordered and keyed; a ``.qdc`` read as a codebook.

A code is matched to an existing one by key (our own files), by the GUID our
export gives that key, or by name under the same parent; otherwise it gets a
key made from its name. A code tree deeper than
:data:`~trivselkode.domain.codebook.MAX_CODE_DEPTH` levels is refused.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trivselkode.domain.codebook import MAX_CODE_DEPTH, Codebook, CodeSpec, normalize_color
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.importers.refi.archive import RefiFile, open_refi
from trivselkode.importers.refi.model import KIND_SET_PREFIX, RCode, RefiDocument, RUser

SPLIT = "::"
_CODER_BAD = re.compile(r"[^\w.\-]+", re.UNICODE)


def coder_name_for(user: RUser | None, fallback: str) -> str:
    """A valid coder name for a REFI user (``Friedrich Markgraf`` → ``Friedrich_Markgraf``)."""
    name = unicodedata.normalize("NFC", user.name if user else "").strip()
    name = _CODER_BAD.sub("_", name).strip("_")[:64]
    if not name and user is not None:
        name = f"bruger-{user.guid[:8].lower()}"
    return name or fallback


_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa", "ß": "ss"})


def slug(name: str, limit: int = 32) -> str:
    """A short ASCII key part from a code name (``Social støtte`` → ``social-stoette``)."""
    text = unicodedata.normalize("NFKD", name.translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:limit].rstrip("-") or "kode"


@dataclass
class CodePlan:
    guid: str
    name: str
    parent: str | None  # GUID of the parent in the plan
    description: str
    color: str | None
    retired: bool
    note_refs: list[str]
    own: dict[str, Any] | None = None  # our note's facts about the code
    kind: str | None = None


def plan_codes(doc: RefiDocument, split_names: bool, warnings: list[str]) -> list[CodePlan]:
    """The codes to store, parents first, with ``Parent::child`` split when asked."""
    own = doc.own or {}
    own_codes = own.get("codes") or {}
    kinds = _kinds_from_sets(doc)
    plans: list[CodePlan] = []
    dropped_colors: list[str] = []
    for code in doc.codes:
        facts = own_codes.get(code.guid) or own_codes.get(code.guid.lower())
        plans.append(_plan_code(code, facts, kinds, dropped_colors))
    if dropped_colors:
        warnings.append(
            _("{n} farve(r) er ikke #RRGGBB eller #RGB og er udeladt: {items}").format(
                n=len(dropped_colors), items=", ".join(dropped_colors[:5])
            )
            + (" …" if len(dropped_colors) > 5 else "")
        )
    if not split_names:
        return plans
    return _split_flat_names(plans)


def _kinds_from_sets(doc: RefiDocument) -> dict[str, str]:
    """Code GUID → kind, from the ``Kodetype: …`` sets our export writes."""
    kinds: dict[str, str] = {}
    for s in doc.sets:
        if s.name.startswith(KIND_SET_PREFIX):
            kind = s.name[len(KIND_SET_PREFIX) :].strip()
            for g in s.codes:
                kinds.setdefault(g, kind)
    return kinds


def _plan_code(code: RCode, facts: dict[str, Any] | None, kinds: dict[str, str], dropped_colors: list[str]) -> CodePlan:
    """One code as planned (``facts``: our note's facts about it; a colour that is no colour goes to ``dropped_colors``)."""
    color = None
    if code.color and code.color.strip():
        color = normalize_color(code.color)
        if color is None:
            dropped_colors.append(f"{code.name} ({code.color.strip()})")
    retired = bool(facts.get("retired")) if facts else (not code.codable and not code.has_children)
    # An export in English keeps the Danish in our note (the bilingual codebook).
    danish = _danish_of(facts)
    return CodePlan(
        guid=code.guid,
        name=danish.get("name") or code.name or "(uden navn)",
        parent=code.parent,
        # Our own text as it was; others' as a person reads it (OpenQDA indents it like the XML).
        description=danish["description"]
        if "description" in danish
        else (code.description if facts else textwrap.dedent(code.description).strip()),
        color=color,
        retired=retired,
        note_refs=list(code.note_refs),
        own=facts,
        kind=(facts or {}).get("kind") or kinds.get(code.guid),
    )


def _danish_of(facts: dict[str, Any] | None) -> dict[str, str]:
    """The Danish name and description our note keeps when the file's are the codebook's English."""
    if not facts:
        return {}
    danish = {f: facts[f] for f in ("name", "description") if isinstance(facts.get(f), str)}
    if not danish.get("name", "x").strip():
        danish.pop("name")
    return danish


def _split_flat_names(plans: list[CodePlan]) -> list[CodePlan]:
    """ATLAS.ti writes a hierarchy as flat names "Parent::child": the groups made, children after every parent."""
    from trivselkode.domain.guids import guid as stable_guid

    by_top_name = {p.name: p for p in plans if p.parent is None and SPLIT not in p.name}
    out: list[CodePlan] = []
    made: dict[str, CodePlan] = {}
    pending_children: list[CodePlan] = []
    for plan in plans:
        if plan.parent is not None or SPLIT not in plan.name:
            out.append(plan)
            continue
        parts = [p.strip() for p in plan.name.split(SPLIT)]
        if any(not p for p in parts):
            out.append(plan)
            continue
        parent_guid: str | None = None
        path: list[str] = []
        for part in parts[:-1]:
            path.append(part)
            joined = SPLIT.join(path)
            if len(path) == 1 and part in by_top_name:
                parent_guid = by_top_name[part].guid
                continue
            if joined not in made:
                group = CodePlan(
                    guid=stable_guid("split", joined).upper(),
                    name=part,
                    parent=parent_guid,
                    description="",
                    color=None,
                    retired=False,
                    note_refs=[],
                )
                made[joined] = group
                out.append(group)
            parent_guid = made[joined].guid
        plan.name = parts[-1]
        plan.parent = parent_guid
        pending_children.append(plan)
    # Children after every parent (a "Coke::diet Coke" may come before "Coke").
    return out + pending_children


def order_parents_first(plans: list[CodePlan]) -> list[CodePlan]:
    """The plans with every parent before its children (a loop of parents is cut where it closes)."""
    by_guid = {p.guid: p for p in plans}
    done: set[str] = set()
    out: list[CodePlan] = []
    for p in plans:
        chain: list[CodePlan] = []  # p and its ancestors not placed yet, child first
        on_chain: set[str] = set()
        current: CodePlan | None = p
        while current is not None and current.guid not in done and current.guid not in on_chain:
            chain.append(current)
            on_chain.add(current.guid)
            current = by_guid.get(current.parent) if current.parent else None
        for plan in reversed(chain):
            done.add(plan.guid)
            out.append(plan)
    return out


def check_depth(plans: list[CodePlan], where: Path) -> None:
    """Refuse, in one line, a code tree deeper than MAX_CODE_DEPTH (``plans`` ordered parents first)."""
    depth: dict[str, int] = {}
    for plan in plans:
        depth[plan.guid] = depth.get(plan.parent, 0) + 1 if plan.parent else 1
    deepest = max(depth.values(), default=0)
    if deepest > MAX_CODE_DEPTH:
        first = next(plan for plan in plans if depth[plan.guid] > MAX_CODE_DEPTH)
        raise TrivselError(
            _(
                "{where}: kodetræet er {deepest} niveauer dybt (koden '{name}' ligger på niveau {value}), men trivselkode tager højst {MAX_CODE_DEPTH} niveauer; intet er importeret"
            ).format(
                where=where, deepest=deepest, name=first.name, value=MAX_CODE_DEPTH + 1, MAX_CODE_DEPTH=MAX_CODE_DEPTH
            ),
            _("flyt koderne højere op i programmet, filen kommer fra, og eksportér igen"),
        )


@dataclass
class QdcCodebook:
    """A ``.qdc`` read as a :class:`Codebook`, with what was noticed on the way."""

    codebook: Codebook
    warnings: list[str] = field(default_factory=list)


def read_qdc(path: str | Path | RefiFile, project: Any = None, *, split_names: bool = False) -> QdcCodebook:
    """Read a REFI-QDA codebook (``.qdc``) as a :class:`Codebook` for ``codebook load``.

    Keys: a code keeps the key of the project code (of ``project``, when
    given) whose exported GUID it carries, or of the project code with the
    same name under the same parent; new codes get keys made from their names.
    Kinds come from the ``Kodetype: …`` sets our export writes; what a
    ``.qdc`` cannot carry (include/exclude, examples, keywords, shortcut)
    is taken from the project's code of the same key. A code that is not
    codable and has no children (a retired code) is left out: loading keeps
    the project's code as it is, and ``--prune`` retires it.
    """
    rf = path if isinstance(path, RefiFile) else open_refi(path)
    try:
        doc = rf.document
    finally:
        rf.close()
    warnings = list(doc.warnings)
    plans = order_parents_first(plan_codes(doc, split_names, warnings))
    check_depth(plans, rf.path)
    # A retired code is one the codebook no longer lists (``codebook load`` retires it).
    parents = {p.parent for p in plans}
    plans = [p for p in plans if not (p.retired and p.guid not in parents)]
    rows: list[Any] = []
    if project is not None:
        from sqlmodel import select

        from trivselkode.storage.models import Code

        with project.read() as session:
            rows = list(session.exec(select(Code)))
    keys = assign_keys(plans, [(c.id, c.key, c.name, c.parent_id) for c in rows])
    known = {c.key: c for c in rows}
    specs: list[CodeSpec] = []
    for position, plan in enumerate(plans):
        key = keys[plan.guid]
        spec = CodeSpec(
            key=key,
            name=plan.name,
            parent=keys.get(plan.parent) if plan.parent else None,
            kind=plan.kind or "",
            description=plan.description,
            color=plan.color,
            position=position,
        )
        old = known.get(key)
        if old is not None:  # what a .qdc cannot carry stays as it is in the project
            spec.kind = plan.kind if plan.kind is not None else old.kind
            spec.include, spec.exclude = old.include, old.exclude
            spec.characteristics = list(old.characteristics or [])
            spec.examples = list(old.examples or [])
            spec.keywords = list(old.keywords or [])
            spec.shortcut = old.shortcut
            for f in ("name_en", "definition_en", "include_en", "exclude_en"):  # the codebook's English
                setattr(spec, f, getattr(old, f, "") or "")
            spec.characteristics_en = list(getattr(old, "characteristics_en", None) or [])
            spec.examples_en = list(getattr(old, "examples_en", None) or [])
        specs.append(spec)
    name = rf.path.stem
    return QdcCodebook(Codebook(name=name, version=1, codes=specs), warnings)


def assign_keys(plans: list[CodePlan], existing: list[tuple[int, str, str, int | None]]) -> dict[str, str]:
    """A key for every planned code (GUID → key), reusing existing keys where they match."""
    from trivselkode.domain.guids import code_guid

    by_export_guid = {code_guid(key).upper(): (cid, key) for cid, key, _n, _p in existing}
    by_name_parent = {(name, parent): (cid, key) for cid, key, name, parent in existing}
    id_of_key = {key: cid for cid, key, _n, _p in existing}
    used = set(id_of_key)
    keys: dict[str, str] = {}
    for plan in plans:
        key = None
        if plan.own and plan.own.get("key"):
            key = str(plan.own["key"])
        elif plan.guid in by_export_guid:
            key = by_export_guid[plan.guid][1]
        else:
            parent_key = keys.get(plan.parent) if plan.parent else None
            parent_id = id_of_key.get(parent_key) if parent_key else None
            if plan.parent is None or parent_id is not None:
                hit = by_name_parent.get((plan.name, parent_id))
                if hit is not None and hit[1] not in keys.values():
                    key = hit[1]
        if key is None:
            parent_key = keys.get(plan.parent) if plan.parent else None
            base = f"{parent_key}.{slug(plan.name)}" if parent_key else slug(plan.name)
            base = base[:120]
            key = base
            n = 2
            while key in used:
                key = f"{base}-{n}"
                n += 1
        used.add(key)
        keys[plan.guid] = key
    return keys
