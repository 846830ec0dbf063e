"""The import pipeline against a real project file and the real spaCy pipeline."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from trivselkode.importers.pipeline import import_paths
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Participant, Passage, Source

WORDS = ["jeg", "får", "lidt", "tro", "på", "verden", "æbler", "øl", "å", "Hej.", "Ja!", "kl. 10:30", "🙂", "naïve", "så:", "—"]

turn_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)
turn = st.tuples(st.sampled_from(["I", "P1", "P2", "Kvinde 1"]), st.lists(turn_text, min_size=1, max_size=3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
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
    (tmp_path / "a.txt").write_text("P1: Jeg kommer her hver uge. Det giver ro! Og så en kop kaffe.\n", encoding="utf-8")
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
    assert [p.text for p in passages] == ["Hvad bruger du biblioteket til?", "Jeg læser aviser. Og så drikker jeg kaffe."]
    assert (passages[1].cue_start, passages[1].cue_end) == (3.5, 9.25)
    assert "00:00" not in source.text
    project.dispose()


def test_cpr_number_warns(tmp_path: Path):
    (tmp_path / "c.txt").write_text("P1: Mit cpr er 010203-1234 hvis I skal bruge det.\n", encoding="utf-8")
    project, _ = open_project(str(tmp_path / "p.db"))
    report = import_paths(project, [tmp_path / "c.txt"])
    assert any("CPR" in w for w in report.files[0].warnings)
    project.dispose()
