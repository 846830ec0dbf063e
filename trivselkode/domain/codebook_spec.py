"""The codebook's model: its codes, the fields a code has, and what is wrong with a file.

See :mod:`trivselkode.domain.codebook` for the file itself. Pure: the standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from trivselkode.errors import TrivselError
from trivselkode.i18n import _

#: Keys the coding screen binds for itself; no code may use one as its shortcut.
RESERVED_SHORTCUTS: frozenset[str] = frozenset(
    {
        "j", "k", "n", "p", "s", "m", "u", "d", "e", "o", "r", "q", "g", "G", "A",
        "?", "/", "*", "+", " ",
        "space", "enter", "escape", "tab", "up", "down", "left", "right",
    }
)  # fmt: skip

RESERVED_CHARS = " ".join(sorted((k for k in RESERVED_SHORTCUTS if len(k) == 1 and k != " "), key=str.lower)) + " space"

#: The fields of a code, in the order :func:`dump_codebook` writes them.
CODE_FIELDS: tuple[str, ...] = (
    "key",
    "name",
    "name_en",
    "parent",
    "kind",
    "shortcut",
    "color",
    "description",
    "definition_en",
    "include",
    "include_en",
    "exclude",
    "exclude_en",
    "characteristics",
    "characteristics_en",
    "examples",
    "examples_en",
    "keywords",
)
#: Another name a codebook file may give a field (written back under the field's own name).
FIELD_ALIASES: dict[str, str] = {"description_en": "definition_en"}
CODE_FIELD_SET = frozenset(CODE_FIELDS) | {"children"} | frozenset(FIELD_ALIASES)
TOP_FIELDS = ("name", "version", "codes")
TEXT_FIELDS = ("description", "include", "exclude")
LIST_FIELDS = ("characteristics", "examples", "keywords")
#: The English of a code (the bilingual codebook): beside the Danish ``name``,
#: ``description`` (its English is ``definition_en``), ``include``, ``exclude``,
#: ``characteristics`` and ``examples``. See :mod:`trivselkode.domain.codebook_lang`.
EN_TEXT_FIELDS = ("name_en", "definition_en", "include_en", "exclude_en")
EN_LIST_FIELDS = ("characteristics_en", "examples_en")
EN_FIELDS = EN_TEXT_FIELDS + EN_LIST_FIELDS

#: How deep codes may nest (a top-level code is at level 1). Deeper trees are
#: refused when a codebook or a REFI-QDA file is read, so that nothing that
#: walks the tree later (display, export, roll-up) can run out of stack.
MAX_CODE_DEPTH = 100
_COLOR_RE = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")


# --------------------------------------------------------------------------- model


@dataclass
class CodeSpec:
    """One code as the codebook file describes it.

    ``line`` (where the code's mapping starts in the file) is for messages
    only and takes no part in equality, so a codebook equals itself after a
    round trip through :func:`dump_codebook`.
    """

    key: str
    name: str
    parent: str | None = None
    kind: str = ""
    description: str = ""
    include: str = ""
    exclude: str = ""
    characteristics: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    color: str | None = None
    shortcut: str | None = None
    position: int = 0
    name_en: str = ""
    definition_en: str = ""
    include_en: str = ""
    exclude_en: str = ""
    characteristics_en: list[str] = field(default_factory=list)
    examples_en: list[str] = field(default_factory=list)
    line: int = field(default=0, compare=False)


@dataclass
class Codebook:
    """A whole codebook: codes flattened depth-first in file order."""

    name: str
    version: int | str = 1
    codes: list[CodeSpec] = field(default_factory=list)

    def get(self, key: str) -> CodeSpec | None:
        for code in self.codes:
            if code.key == key:
                return code
        return None

    def children_of(self, key: str | None) -> list[CodeSpec]:
        """The codes whose parent is ``key`` (``None``: the top-level codes)."""
        return [c for c in self.codes if c.parent == key]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a codebook file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class CodebookInvalid(TrivselError):
    """A codebook file has problems; ``.problems`` lists every one of them."""

    def __init__(self, problems: Iterable[Problem], hint: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        if self.problems:
            message = str(self.problems[0])
            if len(self.problems) > 1:
                message += " " + _("(og {n} til)").format(n=len(self.problems) - 1)
        else:  # pragma: no cover - never raised without a problem
            message = _("kodebogen er ugyldig")
        super().__init__(message, hint)


# ---------------------------------------------------------------------- validation


def normalize_color(value: str) -> str | None:
    """``#RGB``/``#rrggbb`` → lower-case ``#rrggbb``; anything else → ``None``."""
    value = value.strip()
    if not _COLOR_RE.match(value):
        return None
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits
