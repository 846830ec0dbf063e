"""How fast the learned suggestions train and score (issue 15: ≤ 10 s for 10,000 passages × 40 codes, ≤ 5 ms a passage).

    python bench/learn_bench.py [--passages 10000] [--codes 40] [--json]

A synthetic coded project, reproducible: each passage is 1–6 participant
sentences drawn from the demo transcripts, analysed with spaCy's lookup
lemmas (not timed). Its 40 codes are the bundled codebook's codes that have
keywords and 17 more, each with 12 words of the corpus as
keywords. A passage carries a code with probability 0.7 when it holds one
of the code's keywords (0.03 otherwise), and every 50th passage has a code
rejected. Then it times :func:`trivselkode.analysis.learn.train` (with the
keywords) and, per passage, the model's probabilities alone and the whole
:class:`~trivselkode.analysis.suggester.Suggester` (keywords, model, why).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TRAIN_TARGET_S = 10.0
SCORE_TARGET_MS = 5.0


def synthetic(passages: int, codes: int, seed: int = 15) -> tuple[list, list[dict], list]:
    """(examples, codes with keywords, analysed passages for scoring)."""
    from corpus import demo_sentences

    from trivselkode.analysis.learn import Example
    from trivselkode.analysis.suggest import Analyzed, spacy_analyze
    from trivselkode.cli.project import bundled_codebook
    from trivselkode.domain.codebook import load_codebook_file

    rng = random.Random(seed)
    cache = ROOT / "bench" / "out" / f"learn_bench_{passages}_{seed}.json"
    answers, _questions = demo_sentences()
    book = [c for c in load_codebook_file(bundled_codebook()).codes if c.keywords]
    code_list = [{"key": c.key, "keywords": list(c.keywords)} for c in book][:codes]
    texts = [" ".join(rng.choice(answers) for _ in range(rng.randint(1, 6))) for _ in range(passages)]
    if cache.exists():  # the analysed passages of an earlier run (spaCy takes a while)
        analysed = [
            Analyzed([tuple(w) for w in words], frozenset(known)) for words, known in json.loads(cache.read_text())
        ]
    else:
        analysed = [spacy_analyze(text) for text in texts]
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps([[a.words, sorted(a.known)] for a in analysed]))
    vocabulary = sorted({w[1] for a in analysed[:2000] for w in a.words if len(w[1]) > 4})
    for n in range(len(code_list), codes):
        code_list.append({"key": f"X{n}", "keywords": rng.sample(vocabulary, 12)})
    topics = [(c["key"], {k for k in c["keywords"] if " " not in k}) for c in code_list]
    examples = []
    for i, a in enumerate(analysed):
        lemmas = {w[1] for w in a.words}
        carried = {key for key, words in topics if rng.random() < (0.7 if lemmas & words else 0.03)}
        rejected = {rng.choice(topics)[0]} - carried if i % 50 == 0 else set()
        examples.append(Example(tuple(a.words), frozenset(carried), frozenset(rejected)))
    return examples, code_list, analysed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--codes", type=int, default=40)
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    args = parser.parse_args(argv)
    from trivselkode.analysis.learn import train
    from trivselkode.analysis.suggest import KeywordIndex
    from trivselkode.analysis.suggester import Suggester

    t0 = time.perf_counter()
    examples, code_list, analysed = synthetic(args.passages, args.codes)
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    groups = {c["key"]: f"/{i % 4}" for i, c in enumerate(code_list)}  # four groups of ten, like a codebook's kinds
    model = train(examples, [c["key"] for c in code_list], seed=0, keywords=code_list, groups=groups)
    train_s = time.perf_counter() - t0
    sample = analysed[:500]
    t0 = time.perf_counter()
    for a in sample:
        model.probabilities(a.words, known=a.known)
    prob_ms = (time.perf_counter() - t0) / len(sample) * 1000
    suggester = Suggester(KeywordIndex(code_list), model)
    t0 = time.perf_counter()
    for a in sample:
        suggester.suggest(a)
    suggest_ms = (time.perf_counter() - t0) / len(sample) * 1000
    result = {
        "passages": len(examples),
        "codes": len(code_list),
        "codes_with_model": len(model.codes),
        "features": len(model.vocabulary),
        "cpus": os.cpu_count(),
        "setup_s": round(setup, 2),
        "train_s": round(train_s, 2),
        "probabilities_ms": round(prob_ms, 3),
        "suggest_ms": round(suggest_ms, 3),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['passages']} passages × {result['codes']} codes ({result['codes_with_model']} with a model, "
            f"{result['features']} features); set-up {result['setup_s']} s (not timed)"
        )
        for label, value, target, unit in (
            ("training", train_s, TRAIN_TARGET_S, "s"),
            ("probabilities per passage", prob_ms, SCORE_TARGET_MS, "ms"),
            ("whole suggestion per passage", suggest_ms, SCORE_TARGET_MS, "ms"),
        ):
            print(f"{'ok  ' if value <= target else 'MISS'} {label}: {value:.3f} {unit} (target ≤ {target} {unit})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
