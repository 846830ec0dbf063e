"""Builds the English message catalogue from the source and the translations.

    python tools/i18n.py           # extract, merge, write trivselkode/locale/en/LC_MESSAGES/trivselkode.{po,mo}
    python tools/i18n.py --check   # exit 1 if a message has no English or the compiled catalogue is stale

Message ids are the Danish texts in ``_()``, ``N_()`` and ``ngettext()`` calls
under ``trivselkode/``. English comes from the catalogue's ``.po`` file and from
``i18n/en/*.json`` (``{"Danish": "English"}``; a plural message maps its
singular to ``["one", "many"]``), which override it.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "trivselkode"
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "trivselkode.po"
MO = PO.with_suffix(".mo")
FRAGMENTS = ROOT / "i18n" / "en"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extract() -> dict[str | tuple[str, str], list[str]]:
    """Every message id in the package, with where it occurs."""
    found: dict[str | tuple[str, str], list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=()
    ):
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        if isinstance(message, tuple):
            message = (message[0], message[1])
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def known_translations() -> dict[str, str | list[str]]:
    known: dict[str, str | list[str]] = {}
    if PO.exists():
        with PO.open("rb") as fh:
            for msg in read_po(fh, locale="en"):
                if not msg.id or msg.fuzzy:
                    continue
                key = msg.id[0] if isinstance(msg.id, tuple) else msg.id
                value = list(msg.string) if isinstance(msg.string, tuple) else msg.string
                if value and (not isinstance(value, list) or all(value)):
                    known[key] = value
    for fragment in sorted(FRAGMENTS.glob("*.json")):
        try:
            data = json.loads(fragment.read_text(encoding="utf-8"))
        except ValueError as exc:
            sys.exit(f"{fragment}: not valid JSON: {exc}")
        for key, value in data.items():
            known[key] = value
    return known


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def placeholders(text: str) -> list[str]:
    """The ``{name}`` fields of a message (``{{`` escapes aside), for comparing a translation with its id."""
    return sorted(_PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def mismatched(catalog: Catalog) -> list[str]:
    """Messages whose English has other ``{fields}`` than the Danish (a KeyError waiting to happen)."""
    bad = []
    for msg in catalog:
        if not msg.id or not msg.string:
            continue
        ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
        strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
        wanted = placeholders(ids[-1])
        if any(s and placeholders(s) != wanted and placeholders(s) != placeholders(ids[0]) for s in strings):
            bad.append(ids[0])
    return bad


def build() -> tuple[Catalog, list[str]]:
    # Fixed dates: the same messages give the same bytes, so `--check` can tell a stale catalogue.
    fixed = datetime(2026, 1, 1, tzinfo=UTC)
    catalog = Catalog(
        locale="en",
        domain="trivselkode",
        project="trivselkode",
        fuzzy=False,
        creation_date=fixed,
        revision_date=fixed,
    )
    known = known_translations()
    missing: list[str] = []
    for message in sorted(extract(), key=lambda m: m if isinstance(m, str) else m[0]):
        key = message if isinstance(message, str) else message[0]
        value = known.get(key)
        if isinstance(message, tuple):
            if isinstance(value, str):
                value = [value, value]
            string: str | tuple[str, ...] = tuple(value) if value else ("", "")
        else:
            string = value[0] if isinstance(value, list) else (value or "")
        if not string or (isinstance(string, tuple) and not all(string)):
            missing.append(key)
        catalog.add(message, string)
    return catalog, missing


def rendered(catalog: Catalog) -> tuple[bytes, bytes]:
    po, mo = io.BytesIO(), io.BytesIO()
    write_po(po, catalog, no_location=True, omit_header=False, sort_output=True, width=0)
    write_mo(mo, catalog)
    return po.getvalue(), mo.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; write nothing")
    args = parser.parse_args()
    catalog, missing = build()
    po, mo = rendered(catalog)
    for key in mismatched(catalog):
        print(f"the English has other {{fields}} than: {key!r}", file=sys.stderr)
    if args.check:
        if mismatched(catalog):
            return 1
        stale = not PO.exists() or PO.read_bytes() != po or not MO.exists() or MO.read_bytes() != mo
        for key in missing:
            print(f"no English for: {key!r}", file=sys.stderr)
        if stale:
            print("the catalogue is stale: run `make i18n`", file=sys.stderr)
        return 1 if missing or stale else 0
    PO.parent.mkdir(parents=True, exist_ok=True)
    PO.write_bytes(po)
    MO.write_bytes(mo)
    print(f"{len(catalog)} messages, {len(missing)} without English", file=sys.stderr)
    for key in missing[:50]:
        print(f"  no English for: {key!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
