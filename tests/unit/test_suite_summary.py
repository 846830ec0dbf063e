"""The suite's own last words: without a server it says how many tests wanted PostgreSQL and how to run them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run_postgres_tests_without_a_server() -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TRIVSELKODE_TEST_PG"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "tests/unit/test_postgres.py",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_without_a_server_the_summary_counts_the_skipped_and_says_how_to_run_them() -> None:
    result = _run_postgres_tests_without_a_server()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 1 skipped" in result.stdout
    assert "1 test skipped for want of PostgreSQL (TRIVSELKODE_TEST_PG)" in result.stdout
    assert "`.ci/run`" in result.stdout and ".ci/pg start" in result.stdout
