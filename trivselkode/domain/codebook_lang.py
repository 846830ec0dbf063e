"""The bilingual codebook: a code's texts in the language asked for, falling back to Danish.

Each code carries Danish texts (``name``, ``description`` — its definition —,
``include``, ``exclude``, ``characteristics``, ``examples``) and may carry their
English (``name_en``, ``definition_en``, ``include_en``, ``exclude_en``,
``characteristics_en``, ``examples_en``). Reports and exports in English use
the English where there is one and the Danish where there is none, and say
once which codes lack a translation (:func:`missing_translation_warning`).

A *code* here is anything that has those fields: the project's
:class:`~trivselkode.storage.models.Code`, a
:class:`~trivselkode.domain.codebook_spec.CodeSpec`, a code row of
:func:`~trivselkode.storage.codebook.code_rows` (a mapping), or any other object
with attributes of those names. A field it lacks counts as empty, so a code
object without the English (such as the frequencies' ``CodeInfo``) gives the
Danish; :func:`~trivselkode.storage.codebook.code_texts` gives every code of a
project with both languages, by key.

``lang`` is ``"da"``, ``"en"`` or ``None`` (the interface's language). Data
are never machine-translated: only the codebook's own English is used.

Pure: no database, no UI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from trivselkode.i18n import N_, _, gettext_for, language, normalize

#: The Danish field of each translatable part of a code, and its English field.
FIELDS: dict[str, tuple[str, str]] = {
    "name": ("name", "name_en"),
    "definition": ("description", "definition_en"),
    "include": ("include", "include_en"),
    "exclude": ("exclude", "exclude_en"),
    "characteristics": ("characteristics", "characteristics_en"),
    "examples": ("examples", "examples_en"),
}
#: What tables, charts, crosstabs and quote headings show of a code: its name.
NAME_ONLY: tuple[str, ...] = ("name",)
#: What the codebook appendix shows of a code: all of it.
ALL_FIELDS: tuple[str, ...] = tuple(FIELDS)
#: How many code keys a warning names before it says how many more.
WARN_MAX_KEYS = 15
#: The bundled codebook's kinds of code. A kind is stored as written ("tema" is also what reports
#: look for); these are shown in the interface's language and read back from it.
KIND_LABELS: tuple[str, ...] = (N_("tema"), N_("behov"), N_("livskvalitet"), N_("miljø"))


def kind_label(kind: str | None, lang: str | None = None) -> str:
    """A code's kind as shown: ``"tema"`` is ``"theme"`` in English; a kind of the user's own as written."""
    if not kind:
        return ""
    return gettext_for(lang)(kind) if kind in KIND_LABELS else kind


def kind_value(text: str, lang: str | None = None) -> str:
    """The kind to store for what the user typed: ``"theme"`` (or ``"tema"``) is ``"tema"``."""
    typed = text.strip()
    for kind in KIND_LABELS:
        if typed.casefold() in (kind.casefold(), gettext_for(lang)(kind).casefold()):
            return kind
    return typed


def _get(code: Any, name: str) -> Any:
    if isinstance(code, Mapping):
        return code.get(name)
    return getattr(code, name, None)


def _lang(lang: str | None) -> str:
    return normalize(lang) or language()


def _text(code: Any, part: str, lang: str | None) -> str:
    danish, english = FIELDS[part]
    if _lang(lang) == "en":
        value = _get(code, english)
        if isinstance(value, str) and value.strip():
            return value
    value = _get(code, danish)
    return value if isinstance(value, str) else ""


def _list(code: Any, part: str, lang: str | None) -> list[str]:
    danish, english = FIELDS[part]
    if _lang(lang) == "en":
        values = [str(v) for v in _get(code, english) or [] if str(v).strip()]
        if values:
            return values
    return [str(v) for v in _get(code, danish) or []]


def code_name(code: Any, lang: str | None = None) -> str:
    """The code's name in ``lang`` (its ``name_en`` in English when it has one, else its Danish name)."""
    return _text(code, "name", lang)


def code_definition(code: Any, lang: str | None = None) -> str:
    """The code's definition: ``definition_en`` in English when there is one, else the Danish ``description``."""
    return _text(code, "definition", lang)


def code_include(code: Any, lang: str | None = None) -> str:
    """What the code includes, in ``lang`` (falling back to Danish)."""
    return _text(code, "include", lang)


def code_exclude(code: Any, lang: str | None = None) -> str:
    """What the code excludes, in ``lang`` (falling back to Danish)."""
    return _text(code, "exclude", lang)


def code_characteristics(code: Any, lang: str | None = None) -> list[str]:
    """The code's characteristics (a list), in ``lang`` (falling back to Danish)."""
    return _list(code, "characteristics", lang)


def code_examples(code: Any, lang: str | None = None) -> list[str]:
    """The code's example utterances (a list), in ``lang`` (falling back to Danish)."""
    return _list(code, "examples", lang)


def localized_names(codes: Iterable[Any], lang: str | None = None) -> dict[str, str]:
    """Code key → name in ``lang`` (falling back to Danish)."""
    return {str(_get(code, "key")): code_name(code, lang) for code in codes}


def _has(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple)):
        return any(str(v).strip() for v in value)
    return False


def is_translated(code: Any, lang: str | None = None, fields: Iterable[str] = NAME_ONLY) -> bool:
    """Whether the code has ``lang``'s text for each of ``fields`` that has Danish text (always so in Danish).

    ``fields`` are the parts of :data:`FIELDS`: ``("name",)`` (:data:`NAME_ONLY`) or
    :data:`ALL_FIELDS`, or any of them.
    """
    if _lang(lang) != "en":
        return True
    for part in fields:
        danish, english = FIELDS[part]
        if _has(_get(code, danish)) and not _has(_get(code, english)):
            return False
    return True


def missing_translations(codes: Iterable[Any], lang: str | None = None, fields: Iterable[str] = NAME_ONLY) -> list[str]:
    """The keys of the codes that lack ``lang``'s text (see :func:`is_translated`), in order, each once.

    Always empty in Danish, the codebook's own language.
    """
    fields = tuple(fields)
    missing: list[str] = []
    seen: set[str] = set()
    for code in codes:
        key = str(_get(code, "key") or "")
        if key in seen or is_translated(code, lang, fields):
            continue
        seen.add(key)
        missing.append(key)
    return missing


def missing_translation_warning(
    codes: Iterable[Any], lang: str | None = None, fields: Iterable[str] = NAME_ONLY
) -> str | None:
    """One line naming the codes without ``lang``'s text (in the interface's language); ``None`` if none lack it.

    English reports and exports print it once (to standard error in the CLI).
    """
    missing = missing_translations(codes, lang, fields)
    if not missing:
        return None
    shown = ", ".join(missing[:WARN_MAX_KEYS])
    if len(missing) > WARN_MAX_KEYS:
        shown += " " + _("… og {n} flere").format(n=len(missing) - WARN_MAX_KEYS)
    return _("Mangler engelsk oversættelse for: {codes} (den danske tekst bruges i stedet)").format(codes=shown)
