"""Lines of short pieces that wrap between pieces, never inside one: a coder and their codes, a list of names.

A line such as Kodning's other coders (``andre: bo T1 T3 · cai T2 …``) or the
overview's finished coders must show every coder whole at 80 columns: it
wraps onto more lines rather than cutting the last ones off. Each piece (a
coder's name, a code chip) stays on one line; a piece wider than a whole line
is cut with an ellipsis, as nothing else could show it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text


def wrap_pieces(
    pieces: Sequence[Text], width: int, first: Text | None = None, indent: Text | None = None
) -> list[Text]:
    """``pieces`` laid out in lines of at most ``width`` cells, a space between pieces.

    The first line starts with ``first`` (say ``"andre: "``), each further line
    with ``indent`` (spaces as wide as ``first``, unless given). Always at least one line.
    """
    first = first if first is not None else Text()
    indent = indent if indent is not None else Text(" " * first.cell_len)
    lines: list[Text] = []
    line = first.copy()
    empty = True  # no piece on this line yet
    for piece in pieces:
        gap = 0 if empty else 1
        if not empty and line.cell_len + gap + piece.cell_len > width:
            lines.append(line)
            line, empty, gap = indent.copy(), True, 0
        if gap:
            line.append(" ")
        room = max(1, width - line.cell_len)
        if piece.cell_len > room:
            piece = piece.copy()
            piece.truncate(room, overflow="ellipsis")
        line.append_text(piece)
        empty = False
    lines.append(line)
    return lines
