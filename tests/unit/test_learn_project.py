"""A project's learned suggestions: trained on its codings, the review queue ranked, both in a helper process."""

from __future__ import annotations

import signal
import threading
import time

import pytest
from sqlmodel import select

from trivselkode.analysis.learn import LearnedModel
from trivselkode.analysis.learn_process import LearnerProcess
from trivselkode.analysis.learn_project import lemma_share, rank_for_code, sample_evenly, train_project
from trivselkode.analysis.suggest import KeywordIndex, simple_analyze
from trivselkode.errors import TrivselError
from trivselkode.storage.coding_ops import toggle_code
from trivselkode.storage.db import Project
from trivselkode.storage.models import INTERVIEWER, Code, Coder, Coding, Participant, Passage
from trivselkode.storage.rejections import reject
from trivselkode.storage.training import keyword_codes, participant_passages, training_passages


def coded_by(project: Project, coder: str, code_key: str) -> set[int]:
    with project.read() as s:
        return set(
            s.exec(
                select(Coding.passage_id)
                .join(Code, Code.id == Coding.code_id)
                .join(Coder, Coder.id == Coding.coder_id)
                .where(Code.key == code_key, Coder.name == coder)
            )
        )


def interviewer_passages(project: Project) -> set[int]:
    with project.read() as s:
        return set(
            s.exec(
                select(Passage.id)
                .join(Participant, Participant.id == Passage.participant_id)
                .where(Participant.role == INTERVIEWER)
            )
        )


# ---------------------------------------------------------------- the lemmas' shares


def test_sample_evenly_is_spread_and_the_same_every_time():
    items = [str(i) for i in range(10_000)]
    sample = sample_evenly(items)
    assert len(sample) == 3000 and sample == sample_evenly(items)
    assert sample[0] == "0" and int(sample[-1]) > 9990 and len(set(sample)) == 3000
    assert sample_evenly(items[:10]) == items[:10]


def test_lemma_share_counts_passages_not_words():
    share = lemma_share(["bog bog bog", "en bog", "en kaffe", "kaffe"], simple_analyze)
    assert share == {"bog": 0.5, "en": 0.5, "kaffe": 0.5}
    assert lemma_share([], simple_analyze) == {}


# ---------------------------------------------------------------- training


def test_train_project_learns_from_the_codings_and_fills_the_share(demo):
    model = train_project(demo, analyze=simple_analyze)
    rows = training_passages(demo)
    assert model.n_examples == len(rows) > 200
    live = {c["key"] for c in keyword_codes(demo)}
    assert model.codes and set(model.codes) <= live
    # Common words have a large share, and every share comes from the participants' passages.
    assert 0.3 < model.share["jeg"] <= 1.0 and all(0 < v <= 1 for v in model.share.values())
    assert model.share == lemma_share([text for *_, text in participant_passages(demo)], simple_analyze)


def test_retraining_after_new_codings_changes_the_scores(demo):
    """Ten more passages coded T4 by anne: the new model is surer that they carry T4."""
    before = train_project(demo, coder="anne", analyze=simple_analyze)
    assert before.n_examples == len(training_passages(demo, coder="anne"))
    fresh = [p for p in participant_passages(demo) if p[0] not in coded_by(demo, "anne", "T4")][:10]
    with demo.read() as s:
        t4 = s.exec(select(Code.id).where(Code.key == "T4")).one()
    for pid, *_ in fresh:
        toggle_code(demo, "anne", pid, t4)
    after = train_project(demo, coder="anne", analyze=simple_analyze)
    words = [simple_analyze(text).words for *_, text in fresh]
    assert sum(after.probabilities(w).get("T4", 0.0) for w in words) > sum(
        before.probabilities(w).get("T4", 0.0) for w in words
    )


# ---------------------------------------------------------------- the review queue


def test_rank_for_code_offers_only_what_the_coder_has_not_coded_or_rejected(demo):
    model = train_project(demo, coder="anne", analyze=simple_analyze)
    index = KeywordIndex(keyword_codes(demo))
    ranked = rank_for_code(demo, "T1", coder="anne", model=model, index=index, analyze=simple_analyze)
    offered = [r.passage_id for r in ranked]
    participants = {p[0] for p in participant_passages(demo)}
    assert set(offered) == participants - coded_by(demo, "anne", "T1")
    assert not set(offered) & interviewer_passages(demo)
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    top = ranked[0]
    assert top.score > 0 and top.why and top.source_name and top.number > 0
    # Rejected: not offered again to that coder, still to another.
    assert reject(demo, "anne", top.passage_id, "T1")
    again = rank_for_code(demo, "T1", coder="anne", model=model, index=index, analyze=simple_analyze, limit=5)
    assert len(again) == 5 and top.passage_id not in {r.passage_id for r in again}
    bo = rank_for_code(demo, "T1", coder="bo", model=model, index=index, analyze=simple_analyze)
    assert (top.passage_id in {r.passage_id for r in bo}) == (top.passage_id not in coded_by(demo, "bo", "T1"))
    with pytest.raises(TrivselError, match="koden 'T99' findes ikke"):
        rank_for_code(demo, "T99", coder="anne", model=model, index=index, analyze=simple_analyze)


def test_a_rejection_trains_the_coders_model(demo):
    rows = {r.passage_id: r for r in training_passages(demo, coder="anne")}
    outside = [p[0] for p in participant_passages(demo) if p[0] not in rows]
    # A passage anne has not read (when she marked every source done, none is left: then one she read without T2).
    target = outside[0] if outside else next(pid for pid, r in rows.items() if "T2" not in r.codes)
    reject(demo, "anne", target, "T2")
    after = {r.passage_id: r for r in training_passages(demo, coder="anne")}
    assert after[target].rejected == {"T2"}
    model = train_project(demo, coder="anne", analyze=simple_analyze)
    assert model.n_examples == len(rows) + (1 if outside else 0)


# ---------------------------------------------------------------- the helper process


@pytest.fixture
def learner():
    helper = LearnerProcess()
    yield helper
    helper.close()


def test_learner_process_trains_then_ranks(demo, learner, tmp_path):
    out = tmp_path / "model.npz"
    trained = learner.train(demo.url, coder="anne", out=out)
    assert trained.path == out and out.exists() and not list(tmp_path.glob(".*tmp"))
    assert trained.examples == len(training_passages(demo, coder="anne")) and trained.codes and trained.seconds > 0
    model = LearnedModel.load(out)
    assert model.codes == trained.codes and model.share
    ranked = learner.rank(demo.url, "T1", coder="anne", model=out, limit=20)
    assert len(ranked) == 20
    assert not {r.passage_id for r in ranked} & (coded_by(demo, "anne", "T1") | interviewer_passages(demo))
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    # A second training reuses the helper (and its analyses) and sees a new coding.
    with demo.read() as s:
        t1 = s.exec(select(Code.id).where(Code.key == "T1")).one()
    toggle_code(demo, "anne", ranked[0].passage_id, t1)
    again = learner.train(demo.url, coder="anne", out=out)
    assert again.examples in (trained.examples, trained.examples + 1)
    assert ranked[0].passage_id not in {r.passage_id for r in learner.rank(demo.url, "T1", coder="anne", model=out)}


def test_a_failure_in_the_helper_is_a_runtime_error_in_danish(learner, tmp_path, demo):
    with pytest.raises(
        RuntimeError, match=r"kunne ikke lære af kodningerne: kan ikke forbinde til .*anne:\*\*\*@"
    ) as err:
        learner.train("postgresql+psycopg://anne:hemmeligt@127.0.0.1:1/x", coder=None, out=tmp_path / "m.npz")
    assert "hemmeligt" not in str(err.value)
    with pytest.raises(RuntimeError, match=r"kunne ikke lære af kodningerne: projektfilen .*intet\.db findes ikke"):
        learner.train(str(tmp_path / "intet.db"), coder=None, out=tmp_path / "m.npz")
    assert not (tmp_path / "intet.db").exists()
    with pytest.raises(RuntimeError, match=r"kunne ikke lære af kodningerne: mappen .*ingen-mappe til modellen findes"):
        learner.train(demo.url, coder="bo", out=tmp_path / "ingen-mappe" / "m.npz")
    with pytest.raises(RuntimeError, match="kunne ikke rangere udsagnene: koden 'T99' findes ikke"):
        learner.rank(demo.url, "T99", coder="anne", model=tmp_path / "m.npz")
    bad = tmp_path / "ødelagt.npz"
    bad.write_bytes(b"ikke en model")
    with pytest.raises(
        RuntimeError, match=r"kunne ikke rangere udsagnene: den gemte model .*ødelagt\.npz kan ikke læses"
    ):
        learner.rank(demo.url, "T1", coder="anne", model=bad)
    # The helper lived through it all: a model with no codes ranks by the keywords alone.
    empty = tmp_path / "tom.npz"
    LearnedModel.empty().save(empty)
    assert len(learner.rank(demo.url, "T1", coder="anne", model=empty, limit=3)) == 3


def test_close_kills_a_helper_busy_training(demo, learner, tmp_path):
    failed: list[BaseException] = []

    def run() -> None:
        try:
            learner.train(demo.url, coder=None, out=tmp_path / "model.npz")
        except BaseException as exc:  # noqa: BLE001 (handed to the test)
            failed.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    for _ in range(2000):  # until the request is under way (the thread holds the helper)
        if learner._lock.locked() and learner._proc is not None:
            break
        time.sleep(0.005)
    proc = learner._proc
    assert proc is not None
    learner.close()
    for _ in range(3000):  # reaped in the background: close() waits for nothing
        if proc.returncode is not None:
            break
        time.sleep(0.01)
    assert proc.returncode == -signal.SIGKILL  # gone: killed mid-training, not waited for
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert len(failed) == 1 and isinstance(failed[0], RuntimeError) and "stoppede" in str(failed[0])
    assert not (tmp_path / "model.npz").exists()
