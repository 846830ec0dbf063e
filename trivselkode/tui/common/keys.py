"""Keys as the help names them, and the help of a screen built from its bindings.

Every screen's help (``?``) comes from :func:`help_sections`: the screen's
bindings (with ``HELP_TEXT`` for a longer description of an action), its
``help_extra()`` sections, the screens' keys (:data:`SCREEN_KEYS`, app-level
bindings that work from every screen) and a last section "Overalt" with the
keys that work everywhere in that screen's setting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from textual.binding import Binding

from trivselkode.i18n import N_, _

HelpRows = list[tuple[str, str]]
HelpSections = list[tuple[str, HelpRows]]

KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "asterisk": "*",
    "plus": "+",
    "minus": "-",
    "space": N_("mellemrum"),
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

# The screens, reached from every screen: (keys, the screen's name in ``OTHER_SCREENS``, its title).
# The letters are not taken while a text field has focus (it types them); the F-keys always work.
SCREEN_KEYS: list[tuple[str, str, str]] = [
    ("S,f2", "search", N_("Søgning")),
    ("K,f3", "codebook", N_("Kodebog")),
    ("E,f4", "agreement", N_("Enighed")),
    ("X,f5", "export", N_("Eksport")),
    ("R,f6", "retrieval", N_("Udtræk")),
]
SCREEN_HELP = {
    "search": N_("Søgning på tværs af alle kilder"),
    "codebook": N_("Kodebog: se og ret koderne"),
    "agreement": N_("Enighed mellem kodere og konsensus"),
    "export": N_("Eksport: rapporter, citater, kodninger, REFI-QDA"),
    "retrieval": N_("Udtræk: alle udsagn med en kode (eller en kombination)"),
}
SCREENS_TITLE = N_("Skærme (overalt; bogstaverne ikke i et tekstfelt)")

# The keys that work everywhere, as each setting's help lists them last (message ids: the help translates them).
DIALOG_KEYS: HelpRows = [
    ("Escape", N_("lukker enhver dialog uden at gemme")),
    ("Enter / ctrl+s", N_("gemmer i enhver dialog (ctrl+s i et felt med flere linjer)")),
]
EVERYWHERE: HelpRows = [
    ("?", N_("denne hjælp (også i søge- og filterfelter)")),
    *DIALOG_KEYS,
    ("ctrl+q", N_("afslut (alt er allerede gemt)")),
]
EVERYWHERE_HERE: HelpRows = [
    ("?", N_("denne hjælp")),
    *DIALOG_KEYS,
    ("ctrl+q", N_("afslut (alt er allerede gemt)")),
]
QUIT_ONLY: HelpRows = [("ctrl+q", N_("afslut"))]
BACK_ONLY: HelpRows = [("?", N_("vis tasterne")), ("Escape", N_("tilbage"))]


def key_display(keys: str) -> str:
    """A binding's keys as the help shows them: ``"down,j"`` → ``"↓ j"``, ``"f3"`` → ``"F3"``."""
    return " ".join(_one_key(key.strip()) for key in keys.split(","))


def _one_key(key: str) -> str:
    if key in KEY_NAMES:
        return _(KEY_NAMES[key])
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
        if action.startswith("app.open_screen("):
            continue  # the screens' keys have a section of their own
        rows.append((key_display(keys), (long or {}).get(action, description)))
    return rows


def help_sections(screen: Any, everywhere: HelpRows = EVERYWHERE, *, bindings: bool = True) -> HelpSections:
    """Every key of ``screen``: its bindings (unless ``bindings=False``), its extra notes, ``everywhere`` last.

    The titles and descriptions are message ids (Danish): :class:`~.help.HelpDialog` translates them when shown.
    """
    sections: HelpSections = []
    if bindings:
        rows = binding_rows(getattr(screen, "BINDINGS", []), getattr(screen, "HELP_TEXT", {}))
        sections.append((getattr(screen, "HELP_TITLE", None) or N_("Skærmen"), rows))
    sections.extend(screen.help_extra() if hasattr(screen, "help_extra") else getattr(screen, "HELP_EXTRA", []))
    sections.append((SCREENS_TITLE, screen_rows()))
    sections.append((N_("Overalt"), list(everywhere)))
    return sections


def screen_rows() -> HelpRows:
    """The keys of the screens, as the help lists them: ``("S F2", "Søgning på tværs …")``."""
    return [(key_display(keys), SCREEN_HELP.get(which, title)) for keys, which, title in SCREEN_KEYS]
