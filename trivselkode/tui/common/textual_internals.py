"""The one place that touches Textual's private attributes (checked against Textual 8.2).

Textual has no public way to add or remove key bindings of a node at run
time, nor to ask which keys a node binds itself (``active_bindings`` also
holds the app's). Both are needed:

- the coding screen binds each code's shortcut (``1``, ``b`` …) as a binding
  of its own when a source is loaded, and unbinds it on a reload, so a quick
  ``j 1`` is handled in the order typed;
- the app leaves ``?`` to a screen or dialog that binds it itself.

Both read ``DOMNode._bindings`` (a ``BindingsMap``, built from ``BINDINGS``)
through :func:`own_bindings`. And the overview's list of sources is a
:class:`SizedTable`, a DataTable that adds rows of known sizes without
measuring their cells (``_update_dimensions``, ``_row_locations``, ``_data``,
``_new_rows``). If a Textual upgrade changes these, this is the file to change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import zip_longest

from rich.console import RenderableType
from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import DataTable
from textual.widgets.data_table import DuplicateKey, Row, RowKey


def own_bindings(node: DOMNode) -> dict[str, list[Binding]]:
    """``node``'s own bindings by key, the live map: changing it (re)binds keys of ``node``."""
    return node._bindings.key_to_bindings


class SizedTable(DataTable):
    """A DataTable that measures no cell when the widths and heights are all given.

    Textual's DataTable measures every cell of every row it is given (on its
    next idle) to widen columns that size themselves, and ``add_row`` checks
    the cursor once per row. Given every column's width and every row's
    height (the overview: 2,000 sources, 14,000 cells, about a third of a
    second for nothing), this table measures no cell when no column sizes
    itself and no new row asks for its height or has a label (otherwise it
    measures as Textual does), and adds many rows at once
    (:meth:`add_sized_rows`), checking the cursor once. It overrides
    ``DataTable._update_dimensions`` and does what ``add_row`` does with the
    table's private attributes.
    """

    def add_sized_rows(self, rows: Iterable[tuple[str, Sequence[RenderableType], int]]) -> None:
        """``add_row(*cells, key=key, height=height)`` for each ``(key, cells, height)``, the cursor checked
        once at the end (``height`` at least 1: no row's height is left to the table)."""
        was_empty = self.row_count == 0
        columns = self.ordered_columns
        for key, cells, height in rows:
            row_key = RowKey(key)
            if row_key in self._row_locations:
                raise DuplicateKey(f"The row key {row_key!r} already exists.")
            if len(cells) > len(columns):
                raise ValueError("More values provided than there are columns.")
            self._row_locations[row_key] = self.row_count
            self._data[row_key] = {column.key: cell for column, cell in zip_longest(columns, cells)}
            self.rows[row_key] = Row(row_key, max(1, height), None, False)
            self._new_rows.add(row_key)
            self._update_count += 1
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        # As add_row: a cursor that had no cell to be on is now shown (and its row announced).
        if was_empty and self.row_count > 0 and self.columns and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self.check_idle()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        keys = list(new_rows)
        measured = any(column.auto_width for column in self.columns.values()) or any(
            row.auto_height or row.label is not None for row in (self.rows.get(key) for key in keys) if row is not None
        )
        # Without the new rows: only the table's size is worked out again (the rows' heights are known).
        super()._update_dimensions(keys if measured else [])
