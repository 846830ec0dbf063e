"""The core never imports Textual, and commands that segment no text never import spaCy.

Each check runs in a fresh interpreter, so nothing imported by other tests
hides a stray import.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CORE_PACKAGES = [
    "trivselkode.domain",
    "trivselkode.storage",
    "trivselkode.importers",
    "trivselkode.analysis",
    "trivselkode.export",
]


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("package", CORE_PACKAGES)
def test_core_package_does_not_import_textual(package: str) -> None:
    code = """
        import importlib, pkgutil, sys
        pkg = importlib.import_module(sys.argv[1])
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            importlib.import_module(info.name)
        bad = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
        print(",".join(bad))
    """
    result = _run(code, package)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{package} imports {result.stdout.strip()}"


def test_status_does_not_import_spacy_or_textual(tmp_path: Path) -> None:
    code = """
        import sys
        from typer.testing import CliRunner
        from trivselkode.cli.main import app
        result = CliRunner().invoke(app, ["--db", sys.argv[1], "status"])
        assert result.exit_code == 0, result.output
        loaded = [m for m in ("spacy", "textual") if m in sys.modules]
        print("LOADED:" + ",".join(loaded))
    """
    result = _run(code, str(tmp_path / "p.db"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "LOADED:", f"status imported {result.stdout.strip()}"


def test_suggestions_module_loads_spacy_lazily() -> None:
    code = """
        import sys
        import trivselkode.analysis.suggest, trivselkode.storage.coding_ops
        print("spacy" in sys.modules)
    """
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
