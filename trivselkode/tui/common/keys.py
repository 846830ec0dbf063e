"""Keys as the help names them, and the help of a screen built from its bindings.

Every screen's help (``?``) comes from :func:`help_sections`: the screen's
bindings (with ``HELP_TEXT`` for a longer description of an action), its
``help_extra()`` sections, and a last section "Overalt" with the keys that
work everywhere in that screen's setting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from textual.binding import Binding

HelpRows = list[tuple[str, str]]
HelpSections = list[tuple[str, HelpRows]]

KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "asterisk": "*",
    "plus": "+",
    "minus": "-",
    "space": "mellemrum",
    "escape": "Escape",
    "enter": "Enter",
    "tab": "Tab",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "shift+left": "shift+←",
    "shift+right": "shift+→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
}

# The keys that work everywhere, as each setting's help lists them last.
EVERYWHERE: HelpRows = [
    ("?", "denne hjælp (også i søge- og filterfelter)"),
    ("Escape", "lukker enhver dialog"),
    ("ctrl+q", "afslut (alt er allerede gemt)"),
]
EVERYWHERE_HERE: HelpRows = [
    ("?", "denne hjælp"),
    ("Escape", "lukker enhver dialog"),
    ("ctrl+q", "afslut (alt er allerede gemt)"),
]
QUIT_ONLY: HelpRows = [("ctrl+q", "afslut")]
BACK_ONLY: HelpRows = [("?", "vis tasterne"), ("Escape", "tilbage")]


def key_display(keys: str) -> str:
    """A binding's keys as the help shows them: ``"down,j"`` → ``"↓ j"``, ``"f3"`` → ``"F3"``."""
    return " ".join(_one_key(key.strip()) for key in keys.split(","))


def _one_key(key: str) -> str:
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    if key.startswith("f") and key[1:].isdigit():
        return key.upper()
    if key.startswith("shift+f") and key[7:].isdigit():
        return "shift+" + key[6:].upper()
    return key


def binding_rows(bindings: Iterable[Any], long: Mapping[str, str] | None = None) -> HelpRows:
    """(keys, what they do) for each binding; ``long`` gives an action a longer description."""
    rows = []
    for binding in bindings:
        if isinstance(binding, Binding):
            keys, action, description = binding.key, binding.action, binding.tooltip or binding.description
        else:
            keys, action, description = binding[0], binding[1], (binding[2] if len(binding) > 2 else binding[1])
        rows.append((key_display(keys), (long or {}).get(action, description)))
    return rows


def help_sections(screen: Any, everywhere: HelpRows = EVERYWHERE, *, bindings: bool = True) -> HelpSections:
    """Every key of ``screen``: its bindings (unless ``bindings=False``), its extra notes, ``everywhere`` last."""
    sections: HelpSections = []
    if bindings:
        rows = binding_rows(getattr(screen, "BINDINGS", []), getattr(screen, "HELP_TEXT", {}))
        sections.append((getattr(screen, "HELP_TITLE", None) or "Skærmen", rows))
    sections.extend(screen.help_extra() if hasattr(screen, "help_extra") else getattr(screen, "HELP_EXTRA", []))
    sections.append(("Overalt", list(everywhere)))
    return sections
