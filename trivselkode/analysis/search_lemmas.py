"""Danish lemmas for search: the word forms of one lemma find each other ("børn" finds "barn").

The lemmas are spaCy's lookup lemmatizer's (:func:`trivselkode.domain.nlp.lemma_pipeline`
with ``mode="lookup"``): one table from form to lemma, shipped in the
``spacy-lookups-data`` package. Search needs the table only, not spaCy's
pipeline, so it reads the same file directly: about 0.6 s and no spaCy import,
against about 3 s for the pipeline. A form the table does not hold has no lemma
(``None``); search then relies on its other rules (endings, compounds, spelling).

Two ways to ask:

* :class:`TableLemmas` loads the table into this process (once per process,
  about 140 MB) — for the command line, scripts and the benchmark;
* :class:`ProcessLemmas` asks a helper process (``python -m
  trivselkode.analysis.search_lemmas``) — for the terminal UI, where loading
  the table would hold Python's GIL for over half a second and freeze the
  screen even from a worker thread (see also ``analysis.suggest.LemmaProcess``).

Both are callables from a list of lower-case words to their lemmas.
"""

from __future__ import annotations

import gzip
import json
import sys
import threading
from collections.abc import Callable, Sequence

from trivselkode.analysis.helper_process import JsonLineProcess
from trivselkode.i18n import _

__all__ = ["Lemmatizer", "ProcessLemmas", "TableLemmas", "load_table", "process_lemmas", "table_lemmas"]

# Lower-case words in, one lemma (or None) per word out.
Lemmatizer = Callable[[Sequence[str]], list[str | None]]

_TABLE: dict[str, str] | None = None
_TABLE_LOCK = threading.Lock()


def load_table() -> dict[str, str]:
    """The Danish form → lemma table of spaCy's lookup lemmatizer (loaded once per process)."""
    global _TABLE
    with _TABLE_LOCK:
        if _TABLE is None:
            import spacy_lookups_data  # type: ignore[import-untyped]  # data only, no types

            path = spacy_lookups_data.get_file("da_lemma_lookup.json.gz")
            if path.is_file():
                with gzip.open(str(path), "rb") as fh:
                    raw = fh.read()
            else:  # an unpacked copy, as some packagers ship it
                raw = spacy_lookups_data.get_file("da_lemma_lookup.json").read_bytes()
            _TABLE = json.loads(raw)
        return _TABLE


class TableLemmas:
    """Lemmas from the table loaded into this process."""

    def __call__(self, words: Sequence[str]) -> list[str | None]:
        return _lookup(load_table(), words)


class ProcessLemmas(JsonLineProcess):
    """Lemmas from a helper process that holds the table; this process only waits on a pipe.

    Started on first use, one request at a time, restarted if it died,
    stopped by :meth:`close` (or when this process exits).
    """

    def __init__(self) -> None:
        super().__init__("trivselkode.analysis.search_lemmas", _("søgningens ordbogsproces stoppede uventet"))

    def __call__(self, words: Sequence[str]) -> list[str | None]:
        if not words:
            return []
        lemmas = self.ask(list(words))
        if not isinstance(lemmas, list) or len(lemmas) != len(words):
            raise RuntimeError(_("søgningens ordbogsproces svarede forkert"))
        return [x if isinstance(x, str) else None for x in lemmas]


def _lookup(table: dict[str, str], words: Sequence[str]) -> list[str | None]:
    """Each word's lemma, lower-cased (the table's keys are the forms as written; ours are lower-case)."""
    out: list[str | None] = []
    for word in words:
        lemma = table.get(word)
        out.append(lemma.lower() if lemma is not None else None)
    return out


_SHARED: dict[str, Lemmatizer] = {}
_SHARED_LOCK = threading.Lock()


def table_lemmas() -> Lemmatizer:
    """The in-process lemmatizer (one per process)."""
    with _SHARED_LOCK:
        return _SHARED.setdefault("table", TableLemmas())


def process_lemmas() -> Lemmatizer:
    """The helper-process lemmatizer (one per process)."""
    with _SHARED_LOCK:
        return _SHARED.setdefault("process", ProcessLemmas())


def _serve() -> None:
    """The helper process: one JSON list of words per line in, one JSON list of lemmas per line out."""
    table = load_table()
    for line in sys.stdin:
        words = json.loads(line)
        sys.stdout.write(json.dumps(_lookup(table, words), ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve()
