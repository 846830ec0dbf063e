"""The English catalogue: complete, current, consistent, and shipped in the wheel."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO
from trivselkode.i18n import gettext_for, set_language, translator

TOOL = REPO / "tools" / "i18n.py"


def _tool():
    spec = importlib.util.spec_from_file_location("i18n_tool", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_has_english_with_the_same_fields() -> None:
    tool = _tool()
    catalog, missing = tool.build()
    assert len(catalog) > 1000
    assert missing == [], f"messages without English (add them to i18n/en/*.json): {missing[:20]}"
    assert tool.mismatched(catalog) == []


def test_the_compiled_catalogue_is_current() -> None:
    """`make i18n` was run after the last change of a message or a translation."""
    tool = _tool()
    catalog, _missing = tool.build()
    po, mo = tool.rendered(catalog)
    assert tool.PO.read_bytes() == po, "trivselkode.po is stale: run `make i18n`"
    assert tool.MO.read_bytes() == mo, "trivselkode.mo is stale: run `make i18n`"


def test_danish_is_the_message_id_and_english_the_catalogue() -> None:
    assert gettext_for("da")("Kodebog") == "Kodebog"
    assert gettext_for("en")("Kodebog") == "Codebook"
    set_language("en")
    from trivselkode.i18n import _

    assert _("Kodebog") == "Codebook"
    assert translator("en").ngettext("{n} kode", "{n} koder", 1) != "{n} kode"


@pytest.mark.slow
def test_the_wheel_ships_the_compiled_catalogue(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.skip(f"pip could not build the wheel here (no build backend reachable): {done.stderr[-300:]}")
    (wheel,) = tmp_path.glob("trivselkode-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "trivselkode/locale/en/LC_MESSAGES/trivselkode.mo" in names
    # The demo's questionnaire travels with the wheel too (`trivselkode demo` imports it from there).
    assert {"trivselkode/_data/surveys/spoergeskema.yaml", "trivselkode/_data/surveys/spoergeskema.csv"} <= set(names)


def test_a_signed_number_carries_its_plus_only_when_positive() -> None:
    """Differences (the joint display, the Spørgeskema screen) are written with their sign in each language."""
    from trivselkode.i18n import format_number

    assert format_number(0.234, 2, "da", signed=True) == "+0,23"
    assert format_number(1234.5, 1, "en", signed=True) == "+1,234.5"
    assert format_number(-0.5, 1, "da", signed=True) == "-0,5"
    assert format_number(0.0, 1, "da", signed=True) == "0,0"
    assert format_number(0.234, 2, "da") == "0,23"
