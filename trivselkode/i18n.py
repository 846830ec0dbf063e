"""The interface's two languages: one gettext message catalogue per language.

The interface speaks Danish by default, and the Danish text is the message id
(the source language of the study); ``locale/en/LC_MESSAGES/trivselkode.mo``
holds the English. So code writes ``_("Gem")`` where it shows text, ``N_("Gem")``
where a text is declared before it is shown (translated with ``_()`` at the
moment it is shown), and ``ngettext("udsagn", "udsagn", n)`` for counts.

Which language: :func:`set_language` (the CLI's ``--lang``), else the
environment's ``TRIVSELKODE_LANG``, else the user's saved choice (the TUI's
settings), else Danish. Reports and exports in a language of their own (an
English report from a Danish interface) use :func:`translator`.

Numbers and dates follow the language's locale through Babel (4,16 in Danish,
4.16 in English), never by string replacement.
"""

from __future__ import annotations

import functools
import gettext
import json
import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

LANGS = ("da", "en")
DEFAULT_LANG = "da"
ENV_LANG = "TRIVSELKODE_LANG"
DOMAIN = "trivselkode"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# Babel's locale for each language: British English (A4, day-month dates), Danish Danish.
LOCALES = {"da": "da_DK", "en": "en_GB"}
# The language tag documents carry (DOCX, HTML) so that spell-checking works.
LANGUAGE_TAGS = {"da": "da-DK", "en": "en-GB"}

# A message id may carry a context before this mark when one Danish word means two things in English
# ("fortryd¦Fortryd" is Undo on a key, "Fortryd" Cancel in a dialog). The context is never shown: the
# TUI's footer and help and the documents' labels drop it (tui.common.lang.translated, export.quote_listing).
CONTEXT_MARK = "¦"

_current: str | None = None


def normalize(lang: str | None) -> str | None:
    """``"EN"``, ``"en_GB.UTF-8"`` or ``"en-GB"`` → ``"en"``; an unknown language → None."""
    if not lang:
        return None
    code = lang.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return code if code in LANGS else None


def user_settings_path() -> Path:
    """Where the user's own choices (the interface language) are kept."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("trivselkode", appauthor=False)) / "settings.json"


def saved_language() -> str | None:
    """The language the user chose in the TUI's settings, if any (a broken file counts as none)."""
    try:
        data = json.loads(user_settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return normalize(data.get("lang")) if isinstance(data, dict) else None


def save_language(lang: str) -> None:
    """Remember ``lang`` as the user's interface language (written whole: a crash leaves the old file)."""
    chosen = normalize(lang)
    if chosen is None:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    path = user_settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data["lang"] = chosen
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def resolve_language() -> str:
    """The language from the environment or the saved choice, else Danish."""
    return normalize(os.environ.get(ENV_LANG)) or saved_language() or DEFAULT_LANG


def set_language(lang: str | None) -> str:
    """Speak ``lang`` from now on (None: resolve it again); returns the language chosen."""
    global _current
    if lang is not None and normalize(lang) is None:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    _current = normalize(lang) if lang is not None else resolve_language()
    return _current


def language() -> str:
    """The interface's language now."""
    global _current
    if _current is None:
        _current = resolve_language()
    return _current


@functools.cache
def translator(lang: str) -> gettext.NullTranslations:
    """The catalogue of ``lang``: ``translator("en").gettext("Gem")`` is ``"Save"``.

    Danish is the message ids themselves, so it needs no catalogue.
    """
    if lang == DEFAULT_LANG:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """``message`` (Danish) in the interface's language."""
    return translator(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the interface's language."""
    return translator(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue without translating it (translate it with ``_()`` when shown)."""
    return message


def gettext_for(lang: str | None) -> Callable[[str], str]:
    """``_`` for an explicit language (None: the interface's)."""
    return translator(normalize(lang) or language()).gettext


def locale_of(lang: str | None = None) -> str:
    return LOCALES[normalize(lang) or language()]


def format_number(value: float, decimals: int = 2, lang: str | None = None, *, signed: bool = False) -> str:
    """``4.156`` → ``"4,16"`` (da) or ``"4.16"`` (en), with the locale's grouping of thousands.

    ``signed``: a difference, so a positive value carries its ``+`` (``"+0,23"``); zero and negative
    values are written as without it.
    """
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(value, format=pattern, locale=locale_of(lang))
    return "+" + text if signed and value > 0 else text


def format_integer(value: int, lang: str | None = None) -> str:
    """``12345`` → ``"12.345"`` (da) or ``"12,345"`` (en)."""
    return format_number(value, 0, lang)


def format_percent(share: float, decimals: int = 1, lang: str | None = None) -> str:
    """A share 0..1 → ``"41,7 %"`` (da) or ``"41.7%"`` (en)."""
    from babel import Locale
    from babel.numbers import format_percent as babel_percent

    locale = Locale.parse(locale_of(lang))
    pattern = locale.percent_formats[None].pattern  # "#,##0 %" in Danish, "#,##0%" in English
    if decimals > 0:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * decimals, 1)
    return babel_percent(share, format=pattern, locale=locale)


def format_date(value: date | datetime, lang: str | None = None, fmt: str = "long") -> str:
    """A date in the locale's words (``"6. december 2026"`` / ``"6 December 2026"``)."""
    from babel.dates import format_date as babel_date

    day = value.date() if isinstance(value, datetime) else value
    return babel_date(day, format=fmt, locale=locale_of(lang))
