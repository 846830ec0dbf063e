"""The codebook file: parse it, validate it, write it back.

A codebook is a YAML file (UTF-8) with a top-level mapping of ``name``,
``version`` and ``codes``; ``codes`` is a list of code mappings, which nest
either with ``parent: KEY`` or with a ``children:`` list. The codebook is
bilingual: beside its Danish texts a code may carry their English
(``name_en``, ``definition_en`` for ``description``, ``include_en``,
``exclude_en``, ``characteristics_en``, ``examples_en``), validated and
written back like the rest (see :mod:`trivselkode.domain.codebook_lang`).

Validation works on the *composed* node tree (``yaml.compose``), not on
``yaml.safe_load`` output, so that every problem can point at the line and
column of the node that causes it, and so that duplicate mapping keys (which
PyYAML otherwise accepts silently, keeping the last) are caught. Every
problem is reported, not just the first one; a :class:`Codebook` is built
only when there are none.

Codes nest at most :data:`MAX_CODE_DEPTH` levels deep (nested ``children`` or
a chain of ``parent`` links), and a file whose YAML nests deeper than that
allows, or whose aliases (``*name``) would expand it far beyond its own size,
is refused before it is composed (see :mod:`trivselkode.domain.yamlguard`):
so neither a deep tree nor an alias "bomb" costs more than the file's size.

Pure: PyYAML and the standard library only (no database, no UI).

The model is :mod:`~trivselkode.domain.codebook_spec`, the validation
:mod:`~trivselkode.domain.codebook_validate` (YAML nodes in ``codebook_yaml``,
checks across codes in ``codebook_checks``); this module is the public face.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from trivselkode.domain.codebook_spec import (
    CODE_FIELDS,
    EN_FIELDS,
    EN_LIST_FIELDS,
    LIST_FIELDS,
    MAX_CODE_DEPTH,
    RESERVED_SHORTCUTS,
    Codebook,
    CodebookInvalid,
    CodeSpec,
    Problem,
    normalize_color,
)
from trivselkode.domain.codebook_validate import validate_codebook_text
from trivselkode.domain.codebook_yaml import STR_TAG
from trivselkode.errors import TrivselError
from trivselkode.i18n import _

__all__ = [
    "CODE_FIELDS",
    "EN_FIELDS",
    "RESERVED_SHORTCUTS",
    "Codebook",
    "CodebookInvalid",
    "MAX_CODE_DEPTH",
    "CodeSpec",
    "Problem",
    "dump_codebook",
    "load_codebook_file",
    "normalize_color",
    "read_codebook_text",
    "validate_codebook_file",
    "validate_codebook_text",
]


# --------------------------------------------------------------------------- files


def read_codebook_text(path: str | Path) -> str:
    """The text of a codebook file (UTF-8, with or without BOM).

    Raises :class:`TrivselError` with a one-line message when the file is
    missing, unreadable, binary or not UTF-8.
    """
    p = Path(path)
    if not p.exists():
        raise TrivselError(_("kodebogsfilen findes ikke: {path}").format(path=p), hint=_("tjek stien og filnavnet"))
    if p.is_dir():
        raise TrivselError(
            _("{path} er en mappe, ikke en kodebogsfil").format(path=p), hint=_("angiv stien til en .yaml-fil")
        )
    try:
        data = p.read_bytes()
    except PermissionError:
        raise TrivselError(_("kodebogsfilen {path} kan ikke læses: adgang nægtet").format(path=p)) from None
    except OSError as exc:
        raise TrivselError(
            _("kodebogsfilen {path} kan ikke læses: {reason}").format(path=p, reason=exc.strerror or exc)
        ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TrivselError(_("kodebogsfilen {path} er UTF-16, ikke UTF-8").format(path=p), hint=_("gem den som UTF-8"))
    if b"\x00" in data:
        raise TrivselError(
            _("kodebogsfilen {path} er ikke en tekstfil (den indeholder binære data)").format(path=p),
            hint=_("en kodebog er en YAML-tekstfil i UTF-8"),
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TrivselError(
            _("kodebogsfilen {path} er ikke UTF-8 (byte 0x{byte} på linje {line})").format(
                path=p, byte=f"{data[exc.start]:02x}", line=line
            ),
            hint=_("gem den som UTF-8"),
        ) from None


def validate_codebook_file(path: str | Path) -> tuple[Codebook | None, list[Problem]]:
    """:func:`validate_codebook_text` on a file; unreadable files raise :class:`TrivselError`."""
    return validate_codebook_text(read_codebook_text(path), str(path))


def load_codebook_file(path: str | Path) -> Codebook:
    """Read and validate a codebook file; raise :class:`CodebookInvalid` on any problem."""
    codebook, problems = validate_codebook_file(path)
    if problems or codebook is None:
        raise CodebookInvalid(
            problems,
            hint=_("kør `trivselkode codebook validate {path}` for at se alle problemerne").format(
                path=shlex.quote(str(path))
            ),
        )
    return codebook


# ---------------------------------------------------------------------------- dump


class _FlowList(list):
    """A list written in flow style: ``[a, b, c]``."""


class _Dumper(yaml.SafeDumper):
    """Indents block lists under their key, as the bundled codebook is written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        return dumper.represent_scalar(STR_TAG, data, style="|")
    return dumper.represent_scalar(STR_TAG, data)


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_FlowList, _represent_flow_list)


def dump_codebook(codebook: Codebook) -> str:
    """The codebook as YAML: a flat list in position order, nested by ``parent:``.

    Empty fields are left out. ``validate_codebook_text`` of the result gives
    back an equal :class:`Codebook` (positions renumbered 0, 1, 2, … in order).
    """
    codes = []
    for code in sorted(codebook.codes, key=lambda c: c.position):
        entry: dict[str, object] = {}
        for name in CODE_FIELDS:
            value = getattr(code, name)
            if name in ("key", "name"):
                entry[name] = value
            elif name in LIST_FIELDS or name in EN_LIST_FIELDS:
                values = list(value or [])
                if values:
                    entry[name] = _FlowList(values) if name == "keywords" else values
            elif value:
                entry[name] = value
        codes.append(entry)
    document = {"name": codebook.name, "version": codebook.version, "codes": codes}
    return yaml.dump(
        document,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
        indent=2,
    )
