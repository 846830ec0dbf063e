"""The one place that touches Textual's private attributes (checked against Textual 8.2).

Textual has no public way to add or remove key bindings of a node at run
time, nor to ask which keys a node binds itself (``active_bindings`` also
holds the app's). Both are needed:

- the coding screen binds each code's shortcut (``1``, ``b`` …) as a binding
  of its own when a source is loaded, and unbinds it on a reload, so a quick
  ``j 1`` is handled in the order typed;
- the app leaves ``?`` to a screen or dialog that binds it itself.

Both read ``DOMNode._bindings`` (a ``BindingsMap``, built from ``BINDINGS``)
through :func:`own_bindings`. If a Textual upgrade changes it, this is the
file to change.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode


def own_bindings(node: DOMNode) -> dict[str, list[Binding]]:
    """``node``'s own bindings by key, the live map: changing it (re)binds keys of ``node``."""
    return node._bindings.key_to_bindings
