"""Code names in a report's language: the bilingual codebook's ``name_en`` in English, else the stored name.

The crosstab, the charts and the word list show code names; in English they
take the codebook's English name where it has one
(:mod:`trivselkode.domain.codebook_lang`) and the Danish otherwise, with one
warning naming the codes that lack a translation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def localized_names(project: Any, keys: Iterable[str], lang: str) -> tuple[dict[str, str], str | None]:
    """``(key → name in lang, warning or None)`` for the codes ``keys``; empty when nothing is translated.

    Names missing from the mapping are shown as stored (Danish).
    """
    keys = list(keys)
    if lang != "en" or not keys:
        return {}, None
    try:
        from trivselkode.domain.codebook_lang import code_name, missing_translation_warning
        from trivselkode.storage.codebook import code_texts
    except ImportError:  # the bilingual codebook is not there: the stored names
        return {}, None
    texts = code_texts(project)
    shown = [texts[k] for k in keys if k in texts]
    names = {k: code_name(texts[k], lang) for k in keys if k in texts}
    return names, missing_translation_warning(shown, lang)
