"""Texts put aside while ``project.qde`` is written, to be read back one at a time.

The source files go into the archive after ``project.qde`` (whose zip entry
is open while the sources are written), and the passages' boundaries go into
the ``trivselkode`` note at the end of it; kept in memory, both would grow
with the project. A :class:`Spool` keeps them in a file instead (a temporary
one beside the archive), UTF-8, and remembers only where each one is.
"""

from __future__ import annotations

import io
from typing import BinaryIO


class Spool:
    """UTF-8 texts by key, in a binary file; a key put again takes its new text and keeps its place."""

    def __init__(self, file: BinaryIO | None = None) -> None:
        #: Where the texts are; ``None``: in memory.
        self.file: BinaryIO = file if file is not None else io.BytesIO()
        self._at: dict[str, tuple[int, int]] = {}
        self._end = 0

    def put(self, key: str, value: str) -> None:
        data = value.encode("utf-8")
        self.file.seek(self._end)
        self.file.write(data)
        self._at[key] = (self._end, len(data))
        self._end += len(data)

    def keys(self) -> list[str]:
        """The keys in the order they were first put."""
        return list(self._at)

    def __len__(self) -> int:
        return len(self._at)

    def get_bytes(self, key: str) -> bytes:
        """The text of ``key``, UTF-8."""
        start, size = self._at[key]
        self.file.seek(start)
        data = self.file.read(size)
        if len(data) != size:
            raise OSError(f"the spooled text of {key} is cut short")
        return data

    def get(self, key: str) -> str:
        return self.get_bytes(key).decode("utf-8")
