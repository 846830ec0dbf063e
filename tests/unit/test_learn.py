"""The learned model: training, thresholds by cross-validation, rejections, saving and loading.

The examples are analysed with ``simple_words`` (no spaCy). The tests prove
the mechanics, not the quality (that is ``bench/suggest_quality.py``'s).
"""

from __future__ import annotations

import random
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from trivselkode.analysis.learn import Example, LearnedModel, train
from trivselkode.analysis.learn_fit import (
    MIN_POSITIVES,
    PRECISION_FLOOR,
    THRESHOLD_FLOOR,
    _combine,
    choose_threshold,
    group_thresholds,
    top_threshold,
)
from trivselkode.analysis.suggest import simple_words

TOPICS = {
    "KAFFE": ["kaffe", "kage", "snakke", "hyggeligt", "kopper", "sludder"],
    "BOG": ["roman", "forfatter", "krimi", "digte", "bøger", "udlånt"],
    "RO": ["stille", "fordybe", "tankerne", "stilheden", "roligt", "pause"],
}
FILLER = ["vi", "var", "der", "i", "går", "og", "det", "huset", "tit", "mandag", "ude", "folk", "sammen", "her"]


def words(text: str) -> tuple:
    return tuple(simple_words(text))


def passage(rng: random.Random, topic: str, n_topic: int = 3) -> str:
    parts = rng.sample(TOPICS[topic], n_topic) + rng.sample(FILLER, 6)
    rng.shuffle(parts)
    return " ".join(parts)


def corpus(per_code: int = 12, seed: int = 1) -> list[Example]:
    rng = random.Random(seed)
    return [Example(words(passage(rng, topic)), frozenset({topic})) for topic in TOPICS for _ in range(per_code)]


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    return train(corpus(), list(TOPICS), share={"og": 0.9})


def test_a_separable_set_gets_thresholds_that_show_the_right_code(model: LearnedModel) -> None:
    assert model.codes == tuple(TOPICS)
    assert model.n_examples == 36
    for topic in TOPICS:
        assert PRECISION_FLOOR <= model.thresholds[topic] <= 1.0
    probe = model.probabilities(words("en krimi af en ny forfatter som jeg har udlånt"))
    assert all(0.0 <= p <= 1.0 for p in probe.values())
    assert probe["BOG"] >= model.thresholds["BOG"]
    assert probe["KAFFE"] < model.thresholds["KAFFE"] and probe["RO"] < model.thresholds["RO"]


def test_choose_threshold_lowest_with_two_in_three_right() -> None:
    p = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.45, 0.35, 0.32])
    y = np.array([1, 1, 0, 1, 1, 1, 0, 0])
    # shown from 0.35: 5 right of 7 (>= 2/3); from 0.32: 5 of 8 (too few)
    assert PRECISION_FLOOR <= 0.35
    assert choose_threshold(p, y) == pytest.approx(0.35)
    # no cut is right two times in three: the best F1, never below the floor
    assert choose_threshold(p, np.array([0, 1, 0, 0, 1, 0, 0, 0])) >= THRESHOLD_FLOOR
    # nothing reaches the floor: nothing is shown
    assert choose_threshold(np.array([0.2, 0.1]), np.array([1, 0])) == 1.0
    # ties are never split: both 0.7s are shown or neither
    assert choose_threshold(np.array([0.9, 0.7, 0.7, 0.2]), np.array([1, 0, 0, 0])) == pytest.approx(0.9)


def test_thresholds_come_from_cross_validation() -> None:
    # Noisy labels (a third of BOG's passages look like KAFFE's): out of fold, BOG's precision at
    # the floor falls short, so its threshold rises above the clean codes'.
    rng = random.Random(3)
    examples = corpus()
    examples += [Example(words(passage(rng, "KAFFE")), frozenset({"BOG"})) for _ in range(6)]
    noisy = train(examples, list(TOPICS))
    clean = train(corpus(), list(TOPICS))
    assert noisy.thresholds != clean.thresholds


def test_more_codings_change_scores(model: LearnedModel) -> None:
    probe = words("vi drak kaffe og læste digte i stilheden")
    more = corpus() + corpus(per_code=6, seed=9)
    retrained = train(more, list(TOPICS), share={"og": 0.9})
    assert retrained.n_examples == model.n_examples + 18
    assert retrained.probabilities(probe) != model.probabilities(probe)


def test_a_rejection_lowers_the_code_for_similar_passages(model: LearnedModel) -> None:
    probe = words("kaffe og kage hver mandag med en krimi")
    rejected = Example(words("kaffe og kage om mandagen og en krimi"), frozenset(), frozenset({"BOG"}))
    after = train([*corpus(), rejected], list(TOPICS), share={"og": 0.9})
    assert after.probabilities(probe)["BOG"] < model.probabilities(probe)["BOG"]


def test_a_passage_with_nothing_in_it_is_a_negative_for_every_code(model: LearnedModel) -> None:
    probe = words("hvornår åbner huset om mandagen og er der kaffe")
    nothing = [Example(words("hvornår åbner huset om mandagen"), frozenset())] * 3
    after = train([*corpus(), *nothing], list(TOPICS), share={"og": 0.9})
    before, now = model.probabilities(probe), after.probabilities(probe)
    assert all(now[code] < before[code] for code in TOPICS)


def test_too_few_positives_no_model_for_that_code() -> None:
    examples = corpus()[:24]  # KAFFE and BOG only
    examples += [Example(words("stille og roligt"), frozenset({"RO"}))] * (MIN_POSITIVES - 1)
    m = train(examples, [*TOPICS, "NONE"])
    assert m.codes == ("KAFFE", "BOG")
    assert "RO" not in m.probabilities(words("stille og roligt"))


def test_no_codings_an_empty_model() -> None:
    m = train([], list(TOPICS), share={"bog": 0.7})
    assert m.codes == () and m.share == {"bog": 0.7}
    assert m.probabilities(words("kaffe og kage")) == {}
    assert LearnedModel.empty().probabilities(words("kaffe")) == {}
    assert LearnedModel.empty().why(words("kaffe"), "KAFFE") == ()


def test_why_names_the_passages_words(model: LearnedModel) -> None:
    text = "vi fik kaffe og kage og snakkede med folk"
    why = model.why(words(text), "KAFFE", k=2)
    assert why and len(why) <= 2
    assert set(why) <= {w[0] for w in words(text)}
    assert "kaffe" in why or "kage" in why
    assert model.why(words(text), "UKENDT") == ()
    # a word in most of the project's passages is named as no reason (the fixture's share: og 0.9)
    assert "og" not in model.why(words("og og og kaffe og kage og"), "KAFFE", k=5)


def test_deterministic_with_a_seed() -> None:
    a, b = train(corpus(), list(TOPICS), seed=4), train(corpus(), list(TOPICS), seed=4)
    assert np.array_equal(a.coef, b.coef) and a.thresholds == b.thresholds
    assert np.array_equal(a.combine, b.combine)


def test_worker_processes_train_the_same_model(monkeypatch: pytest.MonkeyPatch) -> None:
    import trivselkode.analysis.learn_fit as learn_fit

    serial = train(corpus(), list(TOPICS), seed=2)
    monkeypatch.setattr(learn_fit, "PARALLEL_FROM", 0)  # as on a large project
    parallel = train(corpus(), list(TOPICS), seed=2)
    assert np.array_equal(serial.coef, parallel.coef) and serial.thresholds == parallel.thresholds


def test_keywords_are_a_learned_witness() -> None:
    codes = [{"key": "KAFFE", "keywords": ["kaffe", "kage"]}, {"key": "RO", "keywords": ["stille"]}, {"key": "X"}]
    m = train(corpus(), list(TOPICS), keywords=codes)
    assert m.keywords == {"KAFFE": ("kaffe", "kage"), "RO": ("stille",)}
    assert (m.combine[:, 1] >= 0).all()  # a keyword never counts against its code
    assert [s.code_key for s in m.keyword_suggestions(words("kaffe og kage"))] == ["KAFFE"]


def test_the_keyword_weight_is_learned_from_out_of_fold_scores() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    z = rng.normal(size=200) + y  # the words say a little
    a, b, _c = _combine(z, y * 1.0 + rng.random(200) * 0.2, y)  # the keywords say a lot
    assert a > 0 and b > 0
    a, b, _c = _combine(z, (1 - y) * 1.0, y)  # keywords that point away: not trusted at all
    assert a > 0 and b == 0.0
    a, b, _c = _combine(z, np.zeros(200), y)  # no keywords: Platt scaling
    assert b == 0.0


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    codes = [{"key": "KAFFE", "keywords": ["kaffe", "mental ro"]}]
    m = train(corpus(), list(TOPICS), share={"og": 0.9, "bog": 0.5}, keywords=codes)
    path = tmp_path / "model.npz"
    m.save(path)
    back = LearnedModel.load(path)
    for text in ("kaffe og kage", "en krimi i stilheden", "mental ro", ""):
        assert back.probabilities(words(text)) == m.probabilities(words(text))
        assert back.why(words(text), "KAFFE") == m.why(words(text), "KAFFE")
    assert (back.codes, back.thresholds, back.share, back.n_examples, back.keywords) == (
        m.codes,
        m.thresholds,
        m.share,
        m.n_examples,
        m.keywords,
    )
    grouped = train(corpus(), list(TOPICS), groups={topic: "/tema" for topic in TOPICS})
    grouped.save(path)
    back = LearnedModel.load(path)
    assert back.groups == grouped.groups == {topic: "/tema" for topic in TOPICS}
    assert back.top_thresholds == grouped.top_thresholds
    empty = tmp_path / "empty.npz"
    LearnedModel.empty({"x": 0.1}).save(empty)
    assert LearnedModel.load(empty).codes == () and LearnedModel.load(empty).share == {"x": 0.1}


def test_scoring_needs_no_scikit_learn(model: LearnedModel, tmp_path: Path) -> None:
    import subprocess

    path = tmp_path / "model.npz"
    model.save(path)
    code = (
        "import sys; from pathlib import Path\n"
        "from trivselkode.analysis.learn import LearnedModel\n"
        "from trivselkode.analysis.suggest import simple_words\n"
        f"m = LearnedModel.load(Path({str(path)!r}))\n"
        "m.probabilities(simple_words('kaffe og kage')); m.why(simple_words('kaffe'), 'KAFFE')\n"
        "assert not [n for n in sys.modules if n.startswith(('sklearn', 'scipy'))], 'scikit-learn imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("kind", ["text", "foreign", "npy", "truncated", "pickled", "mismatched", "version"])
def test_a_bad_file_is_a_value_error(kind: str, tmp_path: Path, model: LearnedModel) -> None:
    path = tmp_path / "bad.npz"
    if kind == "text":
        path.write_text("ikke en model")
    elif kind == "foreign":
        np.savez(path, a=np.arange(3))
    elif kind == "npy":
        with open(path, "wb") as f:
            np.save(f, np.arange(3))
    elif kind == "truncated":
        model.save(path)
        path.write_bytes(path.read_bytes()[:200])
    elif kind == "pickled":
        np.savez(path, format=np.array("trivselkode-learned-model"), version=np.array(1), codes=np.array([{"a": 1}]))
    elif kind == "mismatched":
        model.save(path)
        with zipfile.ZipFile(path) as z:
            arrays = {name[:-4]: np.load(z.open(name)) for name in z.namelist()}
        arrays["coef"] = arrays["coef"][:-1]
        np.savez(path, **arrays)
    else:
        model.save(path)
        with zipfile.ZipFile(path) as z:
            arrays = {name[:-4]: np.load(z.open(name)) for name in z.namelist()}
        arrays["version"] = np.array(99)
        np.savez(path, **arrays)
    with pytest.raises(ValueError, match="trivselkode model"):
        LearnedModel.load(path)


def test_top_threshold_lowest_where_the_first_is_right_two_in_three() -> None:
    p = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.55, 0.52, 0.4])
    right = np.array([1, 1, 0, 1, 1, 1, 0, 1])
    # from 0.55: 5 right of 6; from 0.52: 5 of 7 (still >= 2/3); 0.4 is below the floor (as likely as not)
    assert THRESHOLD_FLOOR == 0.5
    assert top_threshold(p, right) == pytest.approx(0.52)
    assert top_threshold(np.array([0.9, 0.8, 0.7]), np.array([0, 0, 1])) == 1.0  # never right enough: no top rule


def test_group_thresholds_per_group_on_passages_scored_for_every_code() -> None:
    probabilities = np.array([[0.9, 0.2, 0.6], [0.3, 0.8, 0.1], [0.6, 0.55, 0.9], [np.nan, 0.7, 0.7], [0.52, 0.1, 0.2]])
    carries = np.array([[1, 0, 0], [0, 1, 1], [0, 1, 1], [0, 1, 0], [0, 0, 1]], bool)
    tops = group_thresholds(probabilities, carries, ["g", "g", None])
    # the group's first code: 0.9 (right), 0.8 (right), 0.6 (wrong), 0.52 (wrong); the NaN row does not count
    assert tops == [pytest.approx(0.6), pytest.approx(0.6), 1.0]
    assert group_thresholds(probabilities, carries, ["g", None, None]) == [1.0, 1.0, 1.0]  # a group of one


def test_a_groups_first_code_is_shown_from_the_top_threshold(model: LearnedModel) -> None:
    grouped = replace(
        model,
        thresholds={topic: 0.9 for topic in TOPICS},
        groups={"KAFFE": "g", "BOG": "g"},
        top_thresholds={"KAFFE": 0.6, "BOG": 0.6, "RO": 1.0},
    )
    assert grouped.shown({"KAFFE": 0.7, "BOG": 0.65, "RO": 0.1}) == {"KAFFE"}  # the first only
    assert grouped.shown({"KAFFE": 0.5, "BOG": 0.4, "RO": 0.1}) == set()  # the first below the top threshold
    assert grouped.shown({"KAFFE": 0.95, "BOG": 0.92, "RO": 0.8}) == {"KAFFE", "BOG"}  # own thresholds
    assert grouped.shown({"KAFFE": 0.2, "BOG": 0.3, "RO": 0.85}) == set()  # RO is in no group
    assert replace(grouped, groups={}).shown({"KAFFE": 0.7, "BOG": 0.65, "RO": 0.1}) == set()


def test_training_with_groups_learns_a_top_threshold() -> None:
    m = train(corpus(), list(TOPICS), groups={topic: "/tema" for topic in TOPICS})
    assert m.groups == {topic: "/tema" for topic in TOPICS}
    values = set(m.top_thresholds.values())
    assert len(values) == 1 and (THRESHOLD_FLOOR <= values.pop() <= 1.0)
    assert train(corpus(), list(TOPICS)).top_thresholds == {topic: 1.0 for topic in TOPICS}


def test_a_model_saved_without_groups_loads_with_none(model: LearnedModel, tmp_path: Path) -> None:
    path = tmp_path / "old.npz"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        arrays = {name[:-4]: np.load(z.open(name)) for name in z.namelist()}
    del arrays["groups"], arrays["top_thresholds"]
    np.savez(path, **arrays)
    back = LearnedModel.load(path)
    assert back.groups == {} and back.top_thresholds == {topic: 1.0 for topic in TOPICS}
    assert back.thresholds == model.thresholds


def test_a_sampled_final_fit_keeps_the_codes_base_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a large project the final fit keeps every positive and a sample of negatives, weighed for them all.

    Unweighed, the sample would raise every code's probabilities (here from 1/6 to 0.22–0.29 on average).
    """
    import trivselkode.analysis.learn_fit as learn_fit

    rng = random.Random(3)
    examples = [Example(words(passage(rng, t, n_topic=1)), frozenset({t})) for t in TOPICS for _ in range(40)]
    examples += [Example(words(" ".join(rng.sample(FILLER, 7))), frozenset()) for _ in range(120)]
    whole = train(examples, list(TOPICS), seed=0)
    monkeypatch.setattr(learn_fit, "FIT_SAMPLE", 100)  # 40 positives and 60 of the 200 negatives per code
    sampled = train(examples, list(TOPICS), seed=0)
    assert not np.array_equal(whole.coef, sampled.coef)  # the sample was taken
    mean = {
        name: np.mean([[m.probabilities(e.words)[code] for code in TOPICS] for e in examples], axis=0)
        for name, m in (("whole", whole), ("sampled", sampled))
    }
    assert np.abs(mean["sampled"] - mean["whole"]).max() < 0.03


def test_function_words_are_never_given_as_reasons_but_keywords_are() -> None:
    """'hvis' and 'jo' may weigh in the model, but a reader learns nothing from being told so."""
    rng = random.Random(5)
    examples = [Example(words(f"hvis jo alene {passage(rng, 'RO')}"), frozenset({"RO"})) for _ in range(12)] + corpus()
    model = train(examples, list(TOPICS), keywords=[{"key": "RO", "keywords": ["alene"]}])
    assert {"hvis", "jo", "og"} <= model.quiet and "alene" not in model.quiet
    why = model.why(words("hvis jo alene stille"), "RO", k=5)
    assert "hvis" not in why and "jo" not in why and "alene" in why


def test_the_function_words_are_saved_with_the_model(model: LearnedModel, tmp_path: Path) -> None:
    assert model.quiet and "hvis" in model.quiet
    model.save(tmp_path / "m.npz")
    assert LearnedModel.load(tmp_path / "m.npz").quiet == model.quiet
