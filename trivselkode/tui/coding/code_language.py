"""Kodning's codes in the interface's language: the bilingual codebook's English where it has one.

The coding screen reads its codes (:class:`~trivselkode.storage.coding_views.CodeInfo`)
with their Danish texts. In English, each code's name, definition, include,
exclude, characteristics and examples are shown in English where the codebook
supplies them (``name_en`` …), else in Danish
(:mod:`trivselkode.domain.codebook_lang`). Only what is shown changes: every
change is stored by the code's id, and the codebook (Kodebog) edits the Danish.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from trivselkode.domain.codebook_lang import (
    code_characteristics,
    code_definition,
    code_examples,
    code_exclude,
    code_include,
    code_name,
)
from trivselkode.i18n import language
from trivselkode.storage.coding_views import CodeInfo


def wants_english() -> bool:
    return language() == "en"


def in_language(codes: list[CodeInfo], texts: Mapping[str, Any] | None) -> list[CodeInfo]:
    """``codes`` with their texts in the interface's language (unchanged in Danish or without ``texts``)."""
    if not texts or not wants_english():
        return codes
    shown = []
    for code in codes:
        spec = texts.get(code.key)
        if spec is None:
            shown.append(code)
            continue
        shown.append(
            replace(
                code,
                name=code_name(spec, "en") or code.name,
                description=code_definition(spec, "en"),
                include=code_include(spec, "en"),
                exclude=code_exclude(spec, "en"),
                characteristics=code_characteristics(spec, "en"),
                examples=code_examples(spec, "en"),
            )
        )
    return shown
