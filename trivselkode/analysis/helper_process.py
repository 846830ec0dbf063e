"""A helper process that answers one JSON line with one JSON line.

Loading spaCy or a large lemma table holds Python's GIL for seconds, which
would freeze a UI in the same process even from a thread; a helper process
(``python -m MODULE``) loads it instead and the caller only waits on a pipe.
Started on first use, one request at a time, restarted if it died, stopped
by :meth:`JsonLineProcess.close` (or when this process exits) without any
wait: the helper, and any worker process it forked, is killed at once and
reaped in the background. A helper holds nothing that could be lost: it
only reads the project, and writes a file only whole (then renamed).
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
import threading
from typing import IO, Any, cast

_OWN_GROUP = os.name == "posix"  # each helper leads a process group of its own: closing kills the whole group


class JsonLineProcess:
    """``python -m module`` as a server of JSON lines; ``gone`` is what a dead helper is reported as."""

    def __init__(self, module: str, gone: str) -> None:
        self._module = module
        self._gone = gone
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._closed = False

    def ask(self, request: Any) -> Any:
        """``request`` sent as one JSON line; the helper's answer, decoded. RuntimeError if it died
        (or was closed: a request after :meth:`close` starts no new helper)."""
        payload = json.dumps(request) + "\n"
        with self._lock:
            proc = self._ensure()
            try:
                cast(IO[str], proc.stdin).write(payload)  # piped: never None
                cast(IO[str], proc.stdin).flush()
                line = cast(IO[str], proc.stdout).readline()
                answer = json.loads(line) if line else None
            except (OSError, ValueError):  # a broken pipe, a pipe closed under the write, a garbled line
                line = ""
            if not line:
                if self._proc is proc:
                    self._proc = None
                raise RuntimeError(self._gone)
            return answer

    def _ensure(self) -> subprocess.Popen[str]:
        proc = self._proc  # read once: close() may set it to None meanwhile (from another thread)
        if self._closed:
            raise RuntimeError(self._gone)
        if proc is None or proc.poll() is not None:
            proc = self._proc = subprocess.Popen(
                [sys.executable, "-m", self._module],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                start_new_session=_OWN_GROUP,
            )
            atexit.register(self.close)
            if self._closed:  # closed while it started: it goes the same way
                self._proc = None
                kill(proc)
                raise RuntimeError(self._gone)
        return proc

    def close(self) -> None:
        """Stop the helper for good, without waiting for it: it is killed (SIGKILL, with any process
        it forked), busy or not, and reaped by a daemon thread. A request waiting on it fails with a
        RuntimeError; a later request too (no new helper is started)."""
        self._closed = True
        proc, self._proc = self._proc, None
        if proc is not None:
            kill(proc)


def kill(proc: subprocess.Popen[str]) -> None:
    """Kill ``proc`` (and its process group, where it leads one) now; reap it in a daemon thread."""
    try:
        if _OWN_GROUP:
            os.killpg(proc.pid, signal.SIGKILL)  # not reaped yet, so its id (the group's) is still its own
        else:
            proc.kill()
    except OSError:  # ProcessLookupError, PermissionError: it is gone already
        pass
    threading.Thread(target=_reap, args=(proc,), name=f"reap-helper-{proc.pid}", daemon=True).start()


def _reap(proc: subprocess.Popen[str]) -> None:
    """Wait for a killed helper (it leaves no zombie) and close our ends of its pipes."""
    proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        try:
            if pipe is not None:
                pipe.close()
        except OSError:  # a write still buffered to the dead helper: nothing to deliver it to
            pass
