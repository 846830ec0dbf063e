"""The footer in the interface's language: bindings are declared in Danish, translated when shown.

Textual's ``BINDINGS`` are class attributes, made at import time, so their
descriptions are message ids declared with ``N_()``. :class:`TranslatedFooter`
passes each key's description, tooltip and shown key (and a binding group's label)
through ``_()`` every time it composes, so a footer follows a change of
language as soon as the screen's bindings are refreshed
(``screen.refresh_bindings()``).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

from trivselkode.tui.common.lang import translated


class TranslatedFooter(Footer):
    """A :class:`~textual.widgets.Footer` whose descriptions are translated at render time."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = translated(widget.description)
                widget.key_display = translated(widget.key_display)  # a key_display such as "mellemrum"
                tooltip = widget.tooltip
                if isinstance(tooltip, str) and tooltip:
                    widget.tooltip = translated(tooltip)
            elif isinstance(widget, FooterLabel):
                widget.update(translated(widget.content))
            yield widget
