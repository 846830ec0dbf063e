"""``make bench`` is run by hand: every name its scripts import from trivselkode must still exist.

A refactor once removed ``domain.text.word_count`` while ``bench/import_bench.py`` still used it,
and nothing said so until the bench was run.
"""

from __future__ import annotations

import ast
import importlib

from tests.conftest import REPO


def _imports() -> list[tuple[str, str, str]]:
    """(script, module, name) of every ``from trivselkode… import name`` in bench/."""
    out = []
    for script in sorted((REPO / "bench").glob("*.py")):
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "trivselkode":
                out.extend((script.name, node.module, alias.name) for alias in node.names)
    return out


def test_every_name_the_bench_imports_exists() -> None:
    found = _imports()
    assert len({script for script, _m, _n in found}) >= 8  # the scripts were read
    missing = []
    for script, module, name in found:
        loaded = importlib.import_module(module)
        if not hasattr(loaded, name):
            try:
                importlib.import_module(f"{module}.{name}")
            except ImportError:
                missing.append(f"{script}: from {module} import {name}")
    assert missing == []
