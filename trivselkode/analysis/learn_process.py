"""Training and ranking in a helper process (``python -m trivselkode.analysis.learn_process``).

spaCy and scikit-learn hold Python's GIL for seconds at a time; the terminal
UI asks this helper instead and only waits on a pipe (in a worker thread).
Each request is one JSON line, each answer one JSON line:

- ``{"op": "train", "url": ..., "coder": "anne" | null, "out": PATH}`` →
  ``{"path": PATH, "examples": 276, "codes": ["T1", ...], "seconds": 1.9}``:
  the model trained on the project's codings, saved (whole, then renamed
  into place) at ``out``; the UI loads it with ``LearnedModel.load``.
- ``{"op": "rank", "url": ..., "code": "T1", "coder": "anne", "model": PATH,
  "limit": 100 | null}`` → ``{"ranked": [[passage_id, source, number, score,
  [why, ...]], ...]}``.
- anything that fails → ``{"error": "a Danish sentence"}``, which
  :class:`LearnerProcess` raises as a RuntimeError.

The helper keeps each passage text's analysis between requests (keyed by
the text's hash: the analysis depends on nothing else), so retraining after
a few new codings analyses only the new passages; and keeps each project it
opened open.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from trivselkode.analysis.helper_process import JsonLineProcess
from trivselkode.i18n import _

if TYPE_CHECKING:  # the UI imports this module at start-up: the learning side loads when first used
    from trivselkode.analysis.learn_project import Ranked

CACHE_MOST = 200_000  # analysed texts kept (then the cache starts over)


@dataclass(frozen=True)
class Trained:
    """A model trained and saved by the helper."""

    path: Path
    examples: int
    codes: tuple[str, ...]
    seconds: float


class Learner(Protocol):
    """What the UI needs of a learner: :class:`LearnerProcess` (a test may stand in for it)."""

    def train(self, url: str, *, coder: str | None, out: Path) -> Trained: ...

    def rank(self, url: str, code_key: str, *, coder: str, model: Path, limit: int | None = None) -> list[Ranked]: ...

    def close(self) -> None: ...


class LearnerProcess(JsonLineProcess):
    """The helper process, seen from the UI: one request at a time; :meth:`close` never waits long (see the base)."""

    def __init__(self) -> None:
        super().__init__("trivselkode.analysis.learn_process", _("hjælpeprocessen, der lærer af kodningerne, stoppede"))

    def _request(self, request: dict[str, Any]) -> dict[str, Any]:
        answer = self.ask(request)
        if not isinstance(answer, dict) or "error" in answer:
            error = answer.get("error") if isinstance(answer, dict) else None
            raise RuntimeError(error or _("hjælpeprocessen svarede uforståeligt: {answer!r}").format(answer=answer))
        return answer

    def train(self, url: str, *, coder: str | None, out: Path) -> Trained:
        """Train on the project at ``url`` (``coder``'s work, None: everyone's) and save the model at ``out``."""
        answer = self._request({"op": "train", "url": url, "coder": coder, "out": str(out)})
        return Trained(Path(answer["path"]), int(answer["examples"]), tuple(answer["codes"]), float(answer["seconds"]))

    def rank(self, url: str, code_key: str, *, coder: str, model: Path, limit: int | None = None) -> list[Ranked]:
        """The review queue of ``code_key`` for ``coder``, scored with the model saved at ``model``."""
        request = {"op": "rank", "url": url, "code": code_key, "coder": coder, "model": str(model), "limit": limit}
        answer = self._request(request)
        from trivselkode.analysis.learn_project import Ranked

        return [
            Ranked(int(p), str(src), int(n), float(score), tuple(why)) for p, src, n, score, why in answer["ranked"]
        ]


# ---------------------------------------------------------------- the helper's side


class _Helper:
    """What the helper process keeps between requests: open projects and analysed texts."""

    def __init__(self, analyze: Callable[[str], Any] | None = None) -> None:
        self.projects: dict[str, Any] = {}
        self.cache: dict[bytes, Any] = {}
        self._analyze = analyze

    def analyze(self, text: str) -> Any:
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        found = self.cache.get(key)
        if found is None:
            if self._analyze is None:
                from trivselkode.analysis.suggest import spacy_analyze

                self._analyze = spacy_analyze
            if len(self.cache) >= CACHE_MOST:
                self.cache.clear()
            found = self.cache[key] = self._analyze(text)
        return found

    def project(self, url: str) -> Any:
        if url not in self.projects:
            from trivselkode.storage.db import open_project

            self.projects[url], _ = open_project(url, create=False)
        return self.projects[url]

    def forget(self, url: str) -> None:
        project = self.projects.pop(url, None)
        if project is not None:
            project.dispose()

    def train(self, request: dict[str, Any]) -> dict[str, Any]:
        from trivselkode.analysis.learn_project import train_project
        from trivselkode.errors import TrivselError

        started = time.perf_counter()
        out = Path(request["out"])
        if not out.parent.is_dir():  # said before the training, not after it
            raise TrivselError(
                _("mappen {parent} til modellen findes ikke").format(parent=out.parent), _("angiv en mappe, der findes")
            )
        model = train_project(self.project(request["url"]), coder=request.get("coder"), analyze=self.analyze)
        tmp = out.with_name(f".{out.name}.tmp")
        try:
            model.save(tmp)
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
        seconds = round(time.perf_counter() - started, 3)
        return {"path": str(out), "examples": model.n_examples, "codes": list(model.codes), "seconds": seconds}

    def rank(self, request: dict[str, Any]) -> dict[str, Any]:
        from trivselkode.analysis.learn import LearnedModel
        from trivselkode.analysis.learn_project import rank_for_code
        from trivselkode.analysis.suggest import KeywordIndex
        from trivselkode.errors import TrivselError
        from trivselkode.storage.lookup import code_by_key
        from trivselkode.storage.training import keyword_codes

        project = self.project(request["url"])
        with project.read() as s:
            code_by_key(s, request["code"])  # an unknown code is said first
        try:
            model = LearnedModel.load(Path(request["model"]))
        except ValueError:
            raise TrivselError(
                _("den gemte model {request} kan ikke læses").format(request=request["model"]), _("træn modellen igen")
            ) from None
        index = KeywordIndex(keyword_codes(project))
        ranked = rank_for_code(
            project,
            request["code"],
            coder=request["coder"],
            model=model,
            index=index,
            analyze=self.analyze,
            limit=request.get("limit"),
        )
        return {"ranked": [[r.passage_id, r.source_name, r.number, r.score, list(r.why)] for r in ranked]}

    def answer(self, line: str) -> dict[str, Any]:
        """The answer to one request line: the op's result, or ``{"error": ...}`` in Danish."""
        request: Any = None
        try:
            request = json.loads(line)
            op = request.get("op") if isinstance(request, dict) else None
            if op not in ("train", "rank"):
                return {"error": _("hjælpeprocessen kender ikke opgaven {op!r}").format(op=op)}
            return self.train(request) if op == "train" else self.rank(request)
        except Exception as exc:  # noqa: BLE001 (every failure goes back to the caller as an answer)
            if isinstance(request, dict) and isinstance(request.get("url"), str):
                self.forget(request["url"])  # a broken connection is opened anew next time
            return {"error": _danish(exc, request if isinstance(request, dict) else {})}


def _danish(exc: Exception, request: dict[str, Any]) -> str:
    """One Danish line: what failed, and why (a project error as the CLI says it; a file by its name)."""
    from trivselkode.storage.failures import explain_failure, is_disk_full

    what = _("lære af kodningerne") if request.get("op") == "train" else "rangere udsagnene"
    if isinstance(exc, OSError) and exc.filename and not is_disk_full(exc):
        return _("kunne ikke {what}: filen {filename} kan ikke bruges ({value})").format(
            what=what, filename=exc.filename, value=exc.strerror or type(exc).__name__
        )
    return _("kunne ikke {what}: {explain_failure}").format(what=what, explain_failure=explain_failure(exc))


def _serve() -> None:
    """The helper process: one request per line in, one answer per line out, until stdin closes."""
    helper = _Helper()
    try:
        for line in sys.stdin:
            sys.stdout.write(json.dumps(helper.answer(line)) + "\n")
            sys.stdout.flush()
    finally:
        for url in list(helper.projects):
            helper.forget(url)


if __name__ == "__main__":
    _serve()
