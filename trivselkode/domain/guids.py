"""The stable GUIDs of what a REFI-QDA file names: UUID 5 of our names and keys.

The writer gives every code, coder, source, case, passage and span the same
GUID in every export; the reader recognises a code it wrote before by it.
"""

from __future__ import annotations

import hashlib
import uuid

#: The fixed namespace of every GUID we write (UUID 5 of our names and keys).
GUID_NAMESPACE = uuid.UUID("6f1c1d0e-3b5a-5d7e-9a51-7472697673e6")
_SEP = "\x1f"

_NS_BYTES = GUID_NAMESPACE.bytes


_SHA1 = hashlib.sha1
_VERSION_MASK = ~((0xF << 76) | (0x3 << 62))
_VERSION_BITS = (0x5 << 76) | (0x2 << 62)


def guid(*parts: object) -> str:
    """The stable GUID of a thing named by ``parts``: ``str(uuid5(...)).upper()``, computed quickly.

    Called once per coding on large exports, so it avoids ``uuid.UUID``.
    """
    n = int.from_bytes(_SHA1(_NS_BYTES + _SEP.join(map(str, parts)).encode("utf-8")).digest()[:16], "big")
    x = f"{(n & _VERSION_MASK) | _VERSION_BITS:032X}"
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def code_guid(key: str) -> str:
    return guid("code", key)


def coder_guid(name: str) -> str:
    return guid("coder", name)


def source_guid(name: str) -> str:
    return guid("source", name)


def participant_guid(source: str, label: str) -> str:
    return guid("participant", source, label)


def passage_guid(source: str, number: int) -> str:
    return guid("passage", source, number)


def span_guid(source: str, number: int, start: int, end: int) -> str:
    return guid("span", source, number, start, end)


def variable_guid(name: str) -> str:
    return guid("variable", name)
