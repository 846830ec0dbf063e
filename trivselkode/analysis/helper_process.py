"""A helper process that answers one JSON line with one JSON line.

Loading spaCy or a large lemma table holds Python's GIL for seconds, which
would freeze a UI in the same process even from a thread; a helper process
(``python -m MODULE``) loads it instead and the caller only waits on a pipe.
Started on first use, one request at a time, restarted if it died, stopped
by :meth:`JsonLineProcess.close` (or when this process exits) without a
long wait: a busy helper is killed, an idle one gets :data:`CLOSE_WAIT_S`.
"""

from __future__ import annotations

import atexit
import json
import subprocess
import sys
import threading
from typing import IO, Any, cast

CLOSE_WAIT_S = 0.3  # what close() waits for an idle helper to stop before killing it


class JsonLineProcess:
    """``python -m module`` as a server of JSON lines; ``gone`` is what a dead helper is reported as."""

    def __init__(self, module: str, gone: str) -> None:
        self._module = module
        self._gone = gone
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def ask(self, request: Any) -> Any:
        """``request`` sent as one JSON line; the helper's answer, decoded. RuntimeError if it died."""
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
                self._proc = None
                raise RuntimeError(self._gone)
            return answer

    def _ensure(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", self._module],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
            )
            atexit.register(self.close)
        return self._proc

    def close(self) -> None:
        """Stop the helper at once: a busy one (a request under way) is killed, an idle one gets
        :data:`CLOSE_WAIT_S` to end by itself. A request waiting on it fails with a RuntimeError."""
        busy = self._lock.locked()
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if not busy:
            try:
                cast(IO[str], proc.stdin).close()
                proc.wait(timeout=CLOSE_WAIT_S)
                return
            except (OSError, subprocess.TimeoutExpired):
                pass  # a pipe already broken, or a helper slow to end: killed below
        proc.kill()
        proc.wait()  # a killed process ends at once; reaped so that it leaves no zombie
