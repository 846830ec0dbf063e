"""XML text for the ``.qdpx``: escaping, values, times, and a buffered writer to a binary stream.

``project.qde`` is written as text in pieces rather than built as a tree, so
that a project of hundreds of thousands of codings streams into the archive
with little memory.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from trivselkode.domain.codebook import normalize_color


def iso_utc(value: datetime | None) -> str | None:
    """``value`` in REFI's form, UTC to the second with a ``Z`` (a naive time is taken as UTC already)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def code_color(value: str | None) -> str | None:
    return normalize_color(value) if value else None


def excerpt(text: str, limit: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _xml_ok(c: str) -> bool:
    o = ord(c)
    return o in (0x9, 0xA, 0xD) or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or 0x10000 <= o <= 0x10FFFF


def clean(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry (each becomes U+FFFD)."""
    if value.isprintable() or all(_xml_ok(c) for c in value):
        return value
    return "".join(c if _xml_ok(c) else "\ufffd" for c in value)


_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def xml_attrs(pairs: Iterable[tuple[str, object]]) -> str:
    """`` name="value"`` for each pair whose value is not ``None``, escaped."""
    return "".join(
        f' {name}="{clean(str(value)).translate(_ATTR_ESCAPES)}"' for name, value in pairs if value is not None
    )


def xml_text(value: str) -> str:
    """``value`` escaped as an element's text."""
    return clean(value).translate(_TEXT_ESCAPES)


def value_type(values: Iterable[Any]) -> str:
    """The ``typeOfVariable`` that holds all of ``values``."""
    kinds = set()
    for v in values:
        if isinstance(v, bool):
            kinds.add("Boolean")
        elif isinstance(v, int):
            kinds.add("Integer")
        elif isinstance(v, float):
            kinds.add("Float")
        else:
            kinds.add("Text")
    if kinds == {"Integer", "Float"}:
        return "Float"
    return kinds.pop() if len(kinds) == 1 else "Text"


def value_xml(var_type: str, value: Any) -> str:
    """``value`` as the ``…Value`` element of a variable of type ``var_type``."""
    if var_type == "Boolean":
        return f"<BooleanValue>{'true' if value else 'false'}</BooleanValue>"
    if var_type == "Integer":
        return f"<IntegerValue>{int(value)}</IntegerValue>"
    if var_type == "Float":
        return f"<FloatValue>{format(Decimal(repr(float(value))), 'f')}</FloatValue>"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    return f"<TextValue>{xml_text(str(value))}</TextValue>"


def is_scalar(value: Any) -> bool:
    """Whether ``value`` is worth a ``VariableValue`` (not empty, a finite number)."""
    if value is None or value == "" or (isinstance(value, (list, dict)) and not value):
        return False
    return not (isinstance(value, float) and not math.isfinite(value))


class XmlOut:
    """XML text written in pieces to a binary stream (UTF-8), buffered."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.parts: list[str] = []
        self.pending = 0

    def __call__(self, piece: str) -> None:
        self.parts.append(piece)
        self.pending += len(piece)
        if self.pending > 1 << 20:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.stream.write("".join(self.parts).encode("utf-8"))
            self.parts.clear()
            self.pending = 0
