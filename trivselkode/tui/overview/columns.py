"""Which of the overview's columns are shown, and how wide, in the width the terminal gives.

The coder's own column ("Mine": progress and done-mark) is always shown
whole. When the columns do not fit, these steps are taken in order until
they do (:data:`STEPS`):

1. the source's name is abbreviated (…) to 24 characters,
2. Kontekst is dropped, 3. Type is dropped, 4. Bibliotek is dropped,
5. the name is abbreviated to 14 characters, 6. Udsagn is dropped.

"Færdig" (the coders who finished the source) takes what is left, at least
its longest coder's name: it wraps onto more lines rather than cutting a
coder off. Pure: no Textual, tested on its own.
"""

from __future__ import annotations

from collections.abc import Mapping

from trivselkode.i18n import N_, _

# (key, heading) in the order shown; the headings are message ids (see :func:`headings`).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", N_("Kilde")),
    ("kind", N_("Type")),
    ("site", N_("Bibliotek")),
    ("context", N_("Kontekst")),
    ("passages", N_("Udsagn")),
    ("mine", N_("Mine")),
    ("done", N_("Færdig")),
)
# (column, width): a width caps the column (abbreviated), 0 drops it.
STEPS: tuple[tuple[str, int], ...] = (
    ("name", 24),
    ("context", 0),
    ("kind", 0),
    ("site", 0),
    ("name", 14),
    ("passages", 0),
)
CELL_PADDING = 2  # a DataTable cell's padding, one each side


def headings() -> dict[str, str]:
    """Each column's heading in the interface's language."""
    return {key: _(heading) for key, heading in COLUMNS}


def fit_columns(natural: Mapping[str, int], done_least: int, width: int) -> dict[str, int]:
    """The shown columns and their widths (in :data:`COLUMNS` order) for ``width`` cells.

    ``natural`` is each column's widest cell (heading included); ``done_least``
    the widest single coder's name in "Færdig" (it wraps between names).
    """
    shown_headings = headings()
    widths = {key: max(natural.get(key, 0), len(heading)) for key, heading in shown_headings.items()}
    least_done = min(widths["done"], max(done_least, len(shown_headings["done"])))

    def needed(shown: dict[str, int]) -> int:
        rest = sum(w for key, w in shown.items() if key != "done")
        return rest + least_done + CELL_PADDING * len(shown)

    def total(shown: dict[str, int]) -> int:
        return sum(shown.values()) + CELL_PADDING * len(shown)

    if total(widths) > width:
        for key, cap in STEPS:
            if needed(widths) <= width:
                break
            if cap == 0:
                widths.pop(key, None)
            elif key in widths:
                widths[key] = min(widths[key], cap)
        room = width - (needed(widths) - least_done)
        widths["done"] = max(least_done, min(widths["done"], room))
    return {key: widths[key] for key, _heading in COLUMNS if key in widths}
