"""The core never imports Textual, and commands that segment no text never import spaCy.

Each check runs in a fresh interpreter, so nothing imported by other tests
hides a stray import.
"""

from __future__ import annotations

import re
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


def run_fresh(code: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``code`` (dedented) run in a fresh interpreter with ``args``: nothing another test imported is there."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
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
    result = run_fresh(code, package)
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
    result = run_fresh(code, str(tmp_path / "p.db"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "LOADED:", f"status imported {result.stdout.strip()}"


def test_suggestions_module_loads_spacy_lazily() -> None:
    code = """
        import sys
        import trivselkode.analysis.suggest, trivselkode.storage.coding_ops
        print("spacy" in sys.modules)
    """
    result = run_fresh(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


# Declared at run time but never imported by name, each with its reason.
_USED_WITHOUT_IMPORT = {
    "spacy-lookups-data": "the data of spaCy's lookup lemmatizer, loaded by spaCy itself",
}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_declared_dependencies_are_exactly_what_the_code_imports() -> None:
    """pyproject.toml's run-time dependencies name every distribution the package imports, and
    nothing it never imports (so an install carries no dead weight and misses nothing)."""
    import ast
    import importlib.metadata
    import tomllib

    root = Path(__file__).resolve().parents[2]
    declared = {
        _normalise(re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0])
        for dep in tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    }
    modules: set[str] = set()
    for path in (root / "trivselkode").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    third_party = modules - set(sys.stdlib_module_names) - {"trivselkode", "psycopg"}  # psycopg: the postgres extra
    owners = importlib.metadata.packages_distributions()
    imported = {_normalise(dist) for module in third_party for dist in owners.get(module, [module])}
    assert imported - declared == set(), "imported but not declared in pyproject.toml"
    assert declared - imported - set(_USED_WITHOUT_IMPORT) == set(), "declared but never imported"
