"""Closing a helper process never waits for it: it is killed (with what it forked), reaped in the background."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from trivselkode.analysis.helper_process import JsonLineProcess

# A helper that answers its first request with its pid and a forked child's pid, then works "forever"
# on the next one (the child sleeps too): a helper busy loading spaCy or training, say.
SLOW_HELPER = textwrap.dedent(
    """
    import json, os, sys, time
    child = os.fork()
    if child == 0:
        time.sleep(600)
        os._exit(0)
    for line in sys.stdin:
        if json.loads(line) == "pids":
            sys.stdout.write(json.dumps([os.getpid(), child]) + "\\n")
            sys.stdout.flush()
        else:
            time.sleep(600)
    """
)


@pytest.fixture
def slow_helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> JsonLineProcess:
    (tmp_path / "slow_helper_for_test.py").write_text(SLOW_HELPER, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), *sys.path]))
    helper = JsonLineProcess("slow_helper_for_test", "hjælperen stoppede")
    yield helper
    helper.close()


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie not reaped yet by whoever adopted it counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _eventually(test, seconds: float = 30.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds  # generous: only a bound against hanging, not a speed check
    while not test():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc").is_dir(), reason="Linux: fork and /proc")
def test_close_kills_a_busy_helper_and_its_children_without_waiting(slow_helper, monkeypatch) -> None:  # noqa: ANN001
    pid, child = slow_helper.ask("pids")
    failed: list[BaseException] = []

    def busy() -> None:
        try:
            slow_helper.ask("work")
        except BaseException as exc:  # noqa: BLE001 (handed to the test)
            failed.append(exc)

    thread = threading.Thread(target=busy)
    thread.start()
    assert _eventually(lambda: slow_helper._lock.locked())  # the request is under way
    proc = slow_helper._proc
    assert proc is not None and proc.pid == pid

    # close() itself waits for nothing: no wait() on the closing thread (the reaper is another thread).
    waits: list[threading.Thread] = []
    original_wait = subprocess.Popen.wait

    def recorded_wait(self, timeout=None):  # noqa: ANN001, ANN202
        waits.append(threading.current_thread())
        return original_wait(self, timeout)

    monkeypatch.setattr(subprocess.Popen, "wait", recorded_wait)
    slow_helper.close()
    assert threading.current_thread() not in waits

    assert _eventually(lambda: proc.returncode is not None)  # reaped in the background
    assert proc.returncode == -signal.SIGKILL  # killed, not asked to finish its work
    assert _eventually(lambda: _gone(child))  # what it forked went with it
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert len(failed) == 1 and isinstance(failed[0], RuntimeError) and "stoppede" in str(failed[0])
    assert _eventually(lambda: proc.stdout is not None and proc.stdout.closed)  # no pipe left open


def test_a_closed_helper_is_not_started_again(slow_helper) -> None:  # noqa: ANN001
    pid, _child = slow_helper.ask("pids")
    slow_helper.close()
    with pytest.raises(RuntimeError, match="stoppede"):
        slow_helper.ask("pids")  # e.g. a worker's second request while the app quits
    assert slow_helper._proc is None
    assert _eventually(lambda: _gone(pid))


def test_closing_a_helper_never_started_does_nothing() -> None:
    helper = JsonLineProcess("slow_helper_for_test", "hjælperen stoppede")
    helper.close()
    assert helper._proc is None
