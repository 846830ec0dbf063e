"""A code's name with its shortcut marked, so the key is learnt where the code is read.

``So[c]iale behov`` when the name holds the key (a word's first letter if
one starts with it, else its first place; the same case only), ``[w] Behov
for selvregulering`` when it does not (a digit, a letter the name lacks). The key is marked near the start either way, so a
name cut short (…) at 80 columns still shows it. For every list that shows
codes: the picker, Kodning's codebook panel, Kodebog, the help.
"""

from __future__ import annotations

from rich.style import StyleType
from rich.text import Text

from trivselkode.tui.common.plain import inert_line

MARK_STYLE = "bold underline"


def name_with_shortcut(name: str, shortcut: str | None, style: StyleType = "", mark: StyleType = MARK_STYLE) -> Text:
    """``name`` as plain text with ``shortcut`` marked: in place (``So[c]iale``) or in front (``[w] Navn``)."""
    shown = inert_line(name)
    if not shortcut:
        return Text(shown, style=style)
    key = inert_line(shortcut)
    at = shortcut_position(shown, key)
    text = Text(style=style)
    if at < 0:
        text.append(f"[{key}]", style=mark)
        text.append(" " + shown)
        return text
    text.append(shown[:at])
    text.append(f"[{shown[at]}]", style=mark)
    text.append(shown[at + 1 :])
    return text


def shortcut_position(name: str, key: str) -> int:
    """Where ``key`` is marked in ``name``: the start of a word if one starts with it, else its first place.

    Only the same letter in the same case counts (``A`` is another key than
    ``a``); ``-1`` when the name does not hold it.
    """
    if len(key) != 1 or not key.isalpha():
        return -1
    for at, char in enumerate(name):
        if char == key and (at == 0 or not name[at - 1].isalnum()):
            return at
    return name.find(key)
