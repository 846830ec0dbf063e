"""The import pipeline against a real project file and the real spaCy pipeline."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from tests.conftest import REPO
from trivselkode.importers.pipeline import _prepare_job as _real_prepare_job
from trivselkode.importers.pipeline import import_paths
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Participant, Passage, Source

WORDS = [
    "jeg",
    "får",
    "lidt",
    "tro",
    "på",
    "verden",
    "æbler",
    "øl",
    "å",
    "Hej.",
    "Ja!",
    "kl. 10:30",
    "🙂",
    "naïve",
    "så:",
    "—",
]

turn_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)
turn = st.tuples(st.sampled_from(["I", "P1", "P2", "Kvinde 1"]), st.lists(turn_text, min_size=1, max_size=3))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(turns=st.lists(turn, min_size=1, max_size=15), crlf=st.booleans())
def test_stored_offsets_index_the_stored_text(tmp_path_factory, turns, crlf):
    folder = tmp_path_factory.mktemp("imp")
    lines = []
    for label, parts in turns:
        lines.append(f"{label}: {parts[0]}")
        lines.extend(parts[1:])
    body = "\n".join(lines) + "\n"
    if crlf:
        body = body.replace("\n", "\r\n")
    (folder / "kilde.txt").write_bytes(body.encode("utf-8"))
    project, _ = open_project(str(folder / "p.db"))
    try:
        report = import_paths(project, [folder / "kilde.txt"])
        assert report.files[0].status == "imported", report.files[0].error
        with project.read() as s:
            source = s.exec(select(Source)).one()
            passages = list(s.exec(select(Passage).order_by(Passage.number)))
            assert "\r" not in source.text
            assert len(passages) == len(turns)
            for p in passages:
                assert source.text[p.start : p.end] == p.text
                for a, b in p.sentences:
                    assert 0 <= a < b <= len(p.text)
            labels = {pp.id: pp.label for pp in s.exec(select(Participant))}
            assert [labels[p.participant_id] for p in passages] == [t[0] for t in turns]
    finally:
        project.dispose()


def test_sentences_are_stored(tmp_path: Path):
    (tmp_path / "a.txt").write_text(
        "P1: Jeg kommer her hver uge. Det giver ro! Og så en kop kaffe.\n", encoding="utf-8"
    )
    project, _ = open_project(str(tmp_path / "p.db"))
    import_paths(project, [tmp_path / "a.txt"])
    with project.read() as s:
        p = s.exec(select(Passage)).one()
    assert [p.text[a:b] for a, b in p.sentences] == ["Jeg kommer her hver uge.", "Det giver ro!", "Og så en kop kaffe."]
    project.dispose()


def test_subtitle_cue_times_are_kept_out_of_text(tmp_path: Path):
    (tmp_path / "v.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Interviewer>Hvad bruger du biblioteket til?\n\n"
        "00:00:03.500 --> 00:00:06.000\n<v Deltager>Jeg læser aviser.\n\n"
        "00:00:06.000 --> 00:00:09.250\n<v Deltager>Og så drikker jeg kaffe.\n",
        encoding="utf-8",
    )
    project, _ = open_project(str(tmp_path / "p.db"))
    import_paths(project, [tmp_path / "v.vtt"])
    with project.read() as s:
        passages = list(s.exec(select(Passage).order_by(Passage.number)))
        source = s.exec(select(Source)).one()
    assert [p.text for p in passages] == [
        "Hvad bruger du biblioteket til?",
        "Jeg læser aviser. Og så drikker jeg kaffe.",
    ]
    assert (passages[1].cue_start, passages[1].cue_end) == (3.5, 9.25)
    assert "00:00" not in source.text
    project.dispose()


def test_cpr_number_warns(tmp_path: Path):
    (tmp_path / "c.txt").write_text("P1: Mit cpr er 010203-1234 hvis I skal bruge det.\n", encoding="utf-8")
    project, _ = open_project(str(tmp_path / "p.db"))
    report = import_paths(project, [tmp_path / "c.txt"])
    assert any("CPR" in w for w in report.files[0].warnings)
    project.dispose()


def _rows(db: Path) -> dict[str, list[tuple]]:
    """Every source, participant and passage as plain values, without ids or times."""
    project, _ = open_project(str(db))
    try:
        with project.read() as s:
            sources = {src.id: src.name for src in s.exec(select(Source))}
            people = {p.id: (sources[p.source_id], p.label) for p in s.exec(select(Participant))}
            return {
                "sources": sorted(
                    (
                        x.name,
                        x.title,
                        x.kind,
                        x.site,
                        x.context,
                        x.round,
                        x.date,
                        x.file_name,
                        x.content_hash,
                        x.text,
                        str(x.extra),
                    )
                    for x in s.exec(select(Source))
                ),
                "participants": sorted(
                    (sources[p.source_id], p.label, p.role, p.gender, p.age, p.site, str(p.attributes))
                    for p in s.exec(select(Participant))
                ),
                "passages": sorted(
                    (
                        sources[p.source_id],
                        p.number,
                        people[p.participant_id],
                        p.start,
                        p.end,
                        p.text,
                        str(p.sentences),
                        p.cue_start,
                        p.cue_end,
                    )
                    for p in s.exec(select(Passage))
                ),
            }
    finally:
        project.dispose()


def test_workers_store_what_one_process_stores(tmp_path: Path):
    """Parsed and segmented in forked workers (and sent back as columns), every row is the same."""
    demo = sorted(p for p in (REPO / "transcripts").iterdir() if p.suffix in (".txt", ".vtt", ".docx"))
    reports = {}
    for workers in (0, 2):
        project, _ = open_project(str(tmp_path / f"w{workers}.db"))
        try:
            reports[workers] = import_paths(project, demo, workers=workers)
        finally:
            project.dispose()
    assert [f.status for f in reports[2].files] == [f.status for f in reports[0].files]
    assert [f.warnings for f in reports[2].files] == [f.warnings for f in reports[0].files]
    assert len(reports[2].files) > 15 and not reports[2].failed
    serial, forked = _rows(tmp_path / "w0.db"), _rows(tmp_path / "w2.db")
    assert len(serial["passages"]) > 400
    assert forked == serial


def _dies_on_the_third(args):  # a worker's job that ends its process on one file, as the OOM killer would
    import os

    if args[0].name == "c.txt":
        os._exit(9)
    return _real_prepare_job(args)


def test_a_worker_that_dies_ends_the_import_with_one_clear_error(tmp_path: Path, monkeypatch):
    import trivselkode.importers.pipeline as pipeline
    from trivselkode.errors import TrivselError

    monkeypatch.setattr(pipeline, "_prepare_job", _dies_on_the_third)  # forked workers inherit it
    for name in "abcde":
        (tmp_path / f"{name}.txt").write_text(f"P1: Kilde {name}. Jeg kommer her hver uge.\n", encoding="utf-8")
    project, _ = open_project(str(tmp_path / "p.db"))
    try:
        try:
            import_paths(project, sorted(tmp_path.glob("*.txt")), workers=2)
        except TrivselError as exc:
            assert "hjælpeproces" in exc.message and "kør samme import igen" in (exc.hint or "")
        else:
            raise AssertionError("the import went on without the file the dead worker had")
        with project.read() as s:
            stored = set(s.exec(select(Source.name)))
            counts = {
                name: len(list(s.exec(select(Passage).join(Source).where(Source.name == name)))) for name in stored
            }
        assert "c" not in stored and stored <= {"a", "b"}
        assert all(n == 1 for n in counts.values())  # whatever was stored is whole
    finally:
        project.dispose()


def test_a_file_that_fails_in_a_batch_leaves_the_others_of_its_batch_stored(tmp_path: Path, monkeypatch):
    """One transaction per batch of files; a clash in the middle of a batch keeps every other file whole."""
    import trivselkode.importers.pipeline as pipeline

    monkeypatch.setattr(pipeline, "BATCH_SECONDS", 3600.0)  # every file in one batch
    first = tmp_path / "first"
    first.mkdir()
    (first / "b.txt").write_text("P1: Noget helt andet om havearbejde og tomater i drivhuset.\n", encoding="utf-8")
    second = tmp_path / "second"
    second.mkdir()
    for name in "abcd":
        (second / f"{name}.txt").write_text(f"P1: Kilde {name}. Jeg låner bøger hver uge.\nI: Tak.\n", encoding="utf-8")
    (second / "d.txt").write_text("P1: Kilde a. Jeg låner bøger hver uge.\nI: Tak.\n", encoding="utf-8")  # a's text
    project, _ = open_project(str(tmp_path / "p.db"))
    seen: list[str] = []
    try:
        import_paths(project, [first / "b.txt"])
        report = import_paths(project, [second], on_file=lambda r: seen.append(r.status))
        statuses = {Path(f.path).name: f.status for f in report.files}
        assert statuses == {"a.txt": "imported", "b.txt": "failed", "c.txt": "imported", "d.txt": "duplicate"}
        assert "findes allerede" in (report.files[1].error or "")
        assert seen == [f.status for f in report.files]  # each reported once, in order, after it was stored
        with project.read() as s:
            stored = {src.name: src.text for src in s.exec(select(Source))}
            passages = {
                name: len(list(s.exec(select(Passage).join(Source).where(Source.name == name)))) for name in stored
            }
        assert stored["b"].startswith("P1: Noget helt andet")  # the clash changed nothing
        assert sorted(stored) == ["a", "b", "c"] and passages == {"a": 2, "b": 1, "c": 2}
    finally:
        project.dispose()
