"""Suggestion quality on held-out passages (tests/data/suggest_heldout.yaml), next to issue 15's targets.

    python bench/suggest_quality.py [--format table|json] [--verbose] [--baseline-from-git [REV]] [--plain] [--cv]

The held-out passages were written for this benchmark, apart from the demo
transcripts, and labelled with the themes T1–T7 they carry (see the file's
header). Two ways of suggesting are measured, both restricted to the theme
codes T1–T7:

- ``keywords``: the codebook's keywords alone, as on a new project with no
  codings (``KeywordIndex`` + ``Suggester`` without a model);
- ``keywords+share``: the same on a new project whose sources are imported
  (the demo's transcripts, nothing coded): words common in its passages weigh little;
- ``model``: the model trained on the demo project's codings
  (``learn_project.train_project``) combined with the keywords.

``--baseline-from-git`` also measures "today": the keyword suggester of a git
revision (``HEAD`` unless given), loaded from ``git show REV:...`` into a
module of its own, with that day's rule that every suggestion is shown. The
figures measured so at the revision before issue 15 are kept in ``TODAY``.

``--plain`` adds a yardstick: a plain TF-IDF + logistic regression per theme
trained on the same codings (shown at p >= 0.5). ``--cv`` adds another: the
model on the demo's own coded passages, five folds over its sources, each
scored by a model trained without the fold (words the held-out set was not
written with; a change that helps one set only is tuned to it).

The figures, over the passages:

- first right: of the passages with at least one theme, the share whose first
  *shown* suggestion is one of their themes (none shown counts as wrong);
- top three: the share of the gold themes found among the first three
  ranked suggestions, shown or not;
- micro-F1: of the shown suggestions against the gold themes, over all
  passages (a shown theme on a passage without themes is a false positive);
- false alarms: the share of the passages without a theme on which any
  theme is shown.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HELDOUT = ROOT / "tests" / "data" / "suggest_heldout.yaml"
THEMES = tuple(f"T{n}" for n in range(1, 8))
CV_FOLDS = 5  # --cv: folds over the demo's sources
CV_NAME = "model, demo CV by source"

# (name, attribute, comparison, target); the model's targets are issue 15's.
MODEL_TARGETS = (
    ("first shown suggestion right", "first_right", ">=", 0.75),
    ("gold themes in the top three", "top3", ">=", 0.90),
    ("micro-F1 of shown suggestions", "f1", ">=", 0.65),
    ("false alarms on no-theme passages", "false_alarms", "<=", 0.25),
)
# "Today" (before issue 15), measured with --baseline-from-git b9e9c326 on this held-out set (its
# suggest.py and its codebook's keywords): the keywords alone must be no worse on any figure, and raise half
# as many false alarms. Measure again with --baseline-from-git b9e9c326 if the held-out set changes.
TODAY_REVISION = "b9e9c326c342636a40de2a7fd95673fead488f28"
TODAY: dict[str, float] = {  # 48/114 first right, 58/144 in the top three, P 0.54 R 0.41, 5/18 false alarms
    "first_right": 48 / 114,
    "top3": 58 / 144,
    "f1": 0.4664,
    "false_alarms": 5 / 18,
}


@dataclass(frozen=True)
class Ranked:
    """One passage's theme suggestions: all ranked best first, and which of them are shown."""

    ranked: tuple[str, ...]
    shown: tuple[str, ...]


#: The counts a measurement keeps; the figures are their ratios (:meth:`Figures.from_counts`).
COUNTS = ("first_right_n", "first_ranked_n", "themed", "top3_n", "gold", "tp", "fp", "fn", "false_alarm_n", "no_theme")


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass
class Figures:
    first_right: float
    first_ranked: float  # diagnostic: the first ranked suggestion, shown or not, is right
    top3: float
    f1: float
    precision: float
    recall: float
    false_alarms: float
    first_right_n: int
    first_ranked_n: int
    themed: int
    top3_n: int
    gold: int
    tp: int
    fp: int
    fn: int
    false_alarm_n: int
    no_theme: int
    seconds: float

    @classmethod
    def from_counts(cls, counts: dict[str, int], seconds: float) -> Figures:
        """The figures of :data:`COUNTS`."""
        precision = _share(counts["tp"], counts["tp"] + counts["fp"])
        recall = _share(counts["tp"], counts["tp"] + counts["fn"])
        return cls(
            first_right=_share(counts["first_right_n"], counts["themed"]),
            first_ranked=_share(counts["first_ranked_n"], counts["themed"]),
            top3=_share(counts["top3_n"], counts["gold"]),
            f1=2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            precision=precision,
            recall=recall,
            false_alarms=_share(counts["false_alarm_n"], counts["no_theme"]),
            seconds=seconds,
            **{k: counts[k] for k in COUNTS},
        )


def load_heldout(path: Path = HELDOUT) -> list[dict[str, Any]]:
    import yaml

    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["passages"])


def measure(passages: Sequence[dict[str, Any]], suggest: Callable[[str], Ranked], verbose: bool = False) -> Figures:
    """The figures of ``suggest`` over ``passages`` (see the module doc)."""
    started = time.perf_counter()
    n = dict.fromkeys(COUNTS, 0)
    for p in passages:
        gold = set(p["themes"])
        got = suggest(str(p["text"]))
        shown = set(got.shown)
        n["tp"] += len(shown & gold)
        n["fp"] += len(shown - gold)
        n["fn"] += len(gold - shown)
        if gold:
            n["themed"] += 1
            n["first_right_n"] += bool(got.shown) and got.shown[0] in gold
            n["first_ranked_n"] += bool(got.ranked) and got.ranked[0] in gold
            n["gold"] += len(gold)
            n["top3_n"] += len(gold & set(got.ranked[:3]))
        else:
            n["no_theme"] += 1
            n["false_alarm_n"] += bool(shown)
        if verbose:
            print(
                f"  {p['id']} gold {','.join(sorted(gold)) or '–':<12} shown {','.join(got.shown) or '–':<12} "
                f"ranked {','.join(got.ranked[:3]) or '–'}",
                file=sys.stderr,
            )
    return Figures.from_counts(n, time.perf_counter() - started)


def _themes_only(suggestions: Sequence[Any]) -> Ranked:
    themes = [s for s in suggestions if s.code_key in THEMES]
    ranked = tuple(s.code_key for s in themes)
    return Ranked(ranked, tuple(s.code_key for s in themes if getattr(s, "shown", True)))


def new_suggesters(project: Any) -> dict[str, Callable[[str], Ranked]]:
    """The two ways of suggesting measured: keywords alone (a new project) and the model trained on ``project``."""
    from trivselkode.analysis.learn import LearnedModel
    from trivselkode.analysis.learn_project import train_project
    from trivselkode.analysis.suggest import KeywordIndex, spacy_analyze
    from trivselkode.analysis.suggester import Suggester
    from trivselkode.storage.coding_views import load_codes

    index = KeywordIndex(load_codes(project))
    keywords = Suggester(index)
    started = time.perf_counter()
    model = train_project(project)
    print(
        f"(model trained on {model.n_examples} demo passages in {time.perf_counter() - started:.1f} s; "
        f"codes with a model: {', '.join(c for c in model.codes if c in THEMES) or 'none'})",
        file=sys.stderr,
    )
    learned = Suggester(index, model)
    # A new project with the demo's transcripts imported but nothing coded: the keywords weighed by how
    # common each word is in its passages.
    shared = Suggester(index, LearnedModel.empty(model.share))
    return {
        "keywords": lambda text: _themes_only(keywords.suggest(spacy_analyze(text), codes=THEMES)),
        "keywords+share": lambda text: _themes_only(shared.suggest(spacy_analyze(text), codes=THEMES)),
        "model": lambda text: _themes_only(learned.suggest(spacy_analyze(text), codes=THEMES)),
    }


def module_from_git(revision: str, path: str = "trivselkode/analysis/suggest.py") -> ModuleType:
    """``path`` as it was at ``revision``, loaded as a module of its own (its imports are today's)."""
    source = subprocess.run(
        ["git", "show", f"{revision}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="suggest-baseline-"))
    file = folder / "suggest_baseline.py"
    file.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("suggest_baseline", file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["suggest_baseline"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def codes_from_git(revision: str, path: str = "codebooks/trivsel.yaml") -> list[dict[str, Any]]:
    """Every code (children too) of the bundled codebook at ``revision``: key, keywords, retired."""
    import yaml

    text = subprocess.run(["git", "show", f"{revision}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True)
    out: list[dict[str, Any]] = []

    def walk(codes: list[dict[str, Any]]) -> None:
        for code in codes:
            out.append({"key": code["key"], "keywords": code.get("keywords") or [], "retired": code.get("retired")})
            walk(code.get("children") or [])

    walk(yaml.safe_load(text.stdout)["codes"])
    return out


def baseline_suggester(revision: str) -> Callable[[str], Ranked]:
    """The keyword suggester of ``revision``, with that revision's keywords and rule: every suggestion is shown."""
    old = module_from_git(revision)
    index = old.KeywordIndex(codes_from_git(revision))

    def suggest(text: str) -> Ranked:
        ranked = tuple(s.code_key for s in old.suggest(text, index) if s.code_key in THEMES)
        return Ranked(ranked, ranked)

    return suggest


def plain_suggester(project: Any) -> Callable[[str], Ranked]:
    """A yardstick: a plain TF-IDF + logistic regression per theme on the demo's coded passages' lemmas.

    Ranked by probability; shown at p >= 0.5. Not the product: what any off-the-shelf classifier reaches.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from trivselkode.analysis.suggest import spacy_analyze
    from trivselkode.storage.training import training_passages

    def lemmas(text: str) -> str:
        return " ".join(w[1] for w in spacy_analyze(text).words)

    rows = training_passages(project)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    matrix = vectorizer.fit_transform([lemmas(r.text) for r in rows])
    fitted = {
        t: LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000).fit(matrix, [t in r.codes for r in rows])
        for t in THEMES
        if any(t in r.codes for r in rows)
    }

    def suggest(text: str) -> Ranked:
        row = vectorizer.transform([lemmas(text)])
        p = {t: float(m.predict_proba(row)[0, 1]) for t, m in fitted.items()}
        ranked = tuple(sorted(p, key=lambda t: -p[t]))
        return Ranked(ranked, tuple(t for t in ranked if p[t] >= 0.5))

    return suggest


def pooled(parts: Sequence[Figures]) -> Figures:
    """The figures of several measurements taken together (their counts summed)."""
    counts = {k: sum(getattr(f, k) for f in parts) for k in COUNTS}
    return Figures.from_counts(counts, sum(f.seconds for f in parts))


def demo_cv(project: Any, folds: int = CV_FOLDS) -> Figures:
    """The model on the demo's own passages, each scored by a model trained without its source's.

    The demo's sources are dealt into ``folds`` folds (every ``folds``-th by id); gold is what
    the model learns from (:func:`~trivselkode.storage.training.training_passages`: every
    coder's themes, the consensus where it settled one). A second yardstick beside the held-out set.
    """
    from trivselkode.analysis.learn_project import train_project
    from trivselkode.analysis.suggest import KeywordIndex, spacy_analyze
    from trivselkode.analysis.suggester import Suggester
    from trivselkode.storage.coding_views import load_codes
    from trivselkode.storage.training import training_passages

    index = KeywordIndex(load_codes(project))
    rows = training_passages(project)
    sources = sorted({r.source_id for r in rows})
    parts = []
    for fold in range(folds):
        held = set(sources[fold::folds])
        learned = Suggester(index, train_project(project, exclude_source_ids=held))
        passages = [
            {"id": f"{r.source_id}:{r.passage_id}", "text": r.text, "themes": sorted(set(r.codes) & set(THEMES))}
            for r in rows
            if r.source_id in held
        ]
        parts.append(
            measure(passages, lambda text, s=learned: _themes_only(s.suggest(spacy_analyze(text), codes=THEMES)))
        )
    return pooled(parts)


def _targets(name: str, today: dict[str, float]) -> list[tuple[str, str, str, float]]:
    if name == "model":
        return list(MODEL_TARGETS)
    if name == "keywords" and today:
        out = [(label, attr, op, today[attr]) for label, attr, op, _ in MODEL_TARGETS if attr != "false_alarms"]
        out.append(("false alarms on no-theme passages", "false_alarms", "<=", today["false_alarms"] / 2))
        return out
    return []


def _met(value: float, op: str, target: float) -> bool:
    return value >= target - 1e-9 if op == ">=" else value <= target + 1e-9


def report(results: dict[str, Figures], today: dict[str, float], today_source: str) -> dict[str, Any]:
    """The JSON document: each method's figures and, where it has targets, each target and whether it is met."""
    doc: dict[str, Any] = {"heldout": str(HELDOUT.relative_to(ROOT)), "today": {"from": today_source, **today}}
    doc["methods"] = {}
    for name, fig in results.items():
        entry: dict[str, Any] = asdict(fig)
        entry["targets"] = [
            {"figure": attr, "target": f"{op} {target:.2f}", "met": _met(getattr(fig, attr), op, target)}
            for _label, attr, op, target in _targets(name, today)
        ]
        doc["methods"][name] = entry
    return doc


def print_table(results: dict[str, Figures], today: dict[str, float], today_source: str) -> None:
    any_fig = next(iter(results.values()))
    print(
        f"Suggestion quality on {any_fig.themed + any_fig.no_theme} held-out passages "
        f"({any_fig.themed} with themes, {any_fig.gold} gold themes; {any_fig.no_theme} with none); themes T1–T7 only"
    )
    print(f"{'method / figure':<40} {'measured':<28} target")
    for name, fig in results.items():
        print(f"{name}:")
        counts = {
            "first_right": f"{fig.first_right_n}/{fig.themed}",
            "top3": f"{fig.top3_n}/{fig.gold}",
            "f1": f"P {fig.precision:.2f} R {fig.recall:.2f}",
            "false_alarms": f"{fig.false_alarm_n}/{fig.no_theme}",
        }
        targets = {attr: (op, t) for _l, attr, op, t in _targets(name, today)}
        for label, attr, _op, _t in MODEL_TARGETS:
            value = getattr(fig, attr)
            measured = f"{value:.{3 if attr == 'f1' else 2}f} ({counts[attr]})"
            if attr in targets:
                op, t = targets[attr]
                verdict = (
                    f"{op.replace('>=', '≥').replace('<=', '≤')} {t:.2f}  {'MET' if _met(value, op, t) else 'MISS'}"
                )
            else:
                verdict = "(no target)"
            print(f"  {label:<38} {measured:<28} {verdict}")
            if attr == "first_right":
                print(f"  {'  (first ranked, shown or not)':<38} {fig.first_ranked:.2f}")
    if today:
        print(f"(keyword targets: no worse than today, false alarms halved; today = {today_source})")
    if CV_NAME in results:
        print(
            f"({CV_NAME}: the demo's coded passages, {CV_FOLDS} folds over its sources, each scored by a model "
            "trained without its fold; not held-out passages, no target)"
        )


def suggestion_rows() -> list[tuple[str, str, str, bool]]:
    """The figures as ``bench/run.py`` prints them: (name, measured, target, met); measured in a child process."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__)), "--format", "json", "--cv"], cwd=ROOT, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"suggest_quality failed:\n{proc.stderr[-3000:]}")
    doc = json.loads(proc.stdout)
    rows: list[tuple[str, str, str, bool]] = []
    labels = {"first_right": "first shown right", "top3": "gold in top three", "f1": "micro-F1 shown", "false_alarms": "false alarms"}  # fmt: skip
    for name, fig in doc["methods"].items():
        counts = {
            "first_right": f"{fig['first_right_n']}/{fig['themed']}",
            "top3": f"{fig['top3_n']}/{fig['gold']}",
            "f1": f"P {fig['precision']:.2f}, R {fig['recall']:.2f}",
            "false_alarms": f"{fig['false_alarm_n']}/{fig['no_theme']}",
        }
        targets = {t["figure"]: t for t in fig["targets"]}
        for attr, label in labels.items():
            target = targets.get(attr)
            rows.append(
                (
                    f"  suggestions ({name}): {label}",
                    f"{fig[attr]:.{3 if attr == 'f1' else 2}f} ({counts[attr]})",
                    target["target"].replace(">=", "≥").replace("<=", "≤") if target else "(no target)",
                    bool(target["met"]) if target else True,
                )
            )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument("--verbose", action="store_true", help="each passage's gold, shown and top three (stderr)")
    parser.add_argument(
        "--baseline-from-git",
        nargs="?",
        const="HEAD",
        metavar="REV",
        help="also measure the keyword suggester of git revision REV (default HEAD) as 'today'",
    )
    parser.add_argument(
        "--plain", action="store_true", help="also measure a plain TF-IDF + logistic regression (a yardstick)"
    )
    parser.add_argument(
        "--cv",
        action="store_true",
        help=f"also measure the model on the demo's own passages, {CV_FOLDS} folds over its sources (a yardstick)",
    )
    args = parser.parse_args(argv)
    from trivselkode.cli.project import build_demo
    from trivselkode.storage.db import open_project

    passages = load_heldout()
    with tempfile.TemporaryDirectory(prefix="suggest-quality-") as folder:
        db = Path(folder) / "demo.db"
        build_demo(db)
        project, _ = open_project(str(db))
        try:
            suggesters: dict[str, Callable[[str], Ranked]] = {}
            if args.baseline_from_git:
                suggesters["today"] = baseline_suggester(args.baseline_from_git)
            suggesters.update(new_suggesters(project))
            if args.plain:
                suggesters["plain tf-idf"] = plain_suggester(project)
            results = {}
            for name, suggest in suggesters.items():
                if args.verbose:
                    print(f"{name}:", file=sys.stderr)
                results[name] = measure(passages, suggest, verbose=args.verbose)
            if args.cv:
                results[CV_NAME] = demo_cv(project)
        finally:
            project.dispose()
    today, source = dict(TODAY), f"kept figures measured at {TODAY_REVISION[:8]}"
    if "today" in results:
        fig = results["today"]
        today = {k: getattr(fig, k) for k in ("first_right", "top3", "f1", "false_alarms")}
        source = f"measured now at {args.baseline_from_git[:12]}"
    if args.format == "json":
        print(json.dumps(report(results, today, source), indent=2))
    else:
        print_table(results, today, source)
    return 0


if __name__ == "__main__":
    sys.exit(main())
