"""REFI-QDA export streams: its memory does not grow with the sources, and what it streams is what it built.

The sources' texts, passages and codings are read a source at a time and
the texts put aside in a file until their zip entries are written after
``project.qde``; so the export's peak (Python allocations, ``tracemalloc``)
on a project of 4N large sources is about that on N of them. No clocks.
"""

from __future__ import annotations

import json
import tempfile
import tracemalloc
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from trivselkode.export.refi import build_project, export_project
from trivselkode.export.refi.spool import Spool
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.models import Code, Coder, Coding, Memo, Participant, Passage, Source

NS = {"q": "urn:QDA-XML:project:1.0"}
#: Each generated source's text: 100 turns, most of them of 16,000 characters (1.5 MB), so that texts dominate
#: the data; every 25th is a short one with a name in it (pseudonymised, it is compared with its original).
TURNS = 100
TURN_CHARS = 16_000


def _turn(source: int, turn: int) -> str:
    if turn % 25 == 1:
        return f"Karen Hansen fortæller {source}.{turn}: det er et rart sted."
    words = " ".join(f"ord{(source * 7 + turn * 13 + i) % 997}" for i in range(TURN_CHARS // 7))
    return f"Hun fortæller {source}.{turn}: {words}."


def _text_size(sources: int) -> int:
    return sum(len(_turn(n, t)) for n in range(sources) for t in range(TURNS))


def make_project(path: Path, sources: int) -> Project:
    """``sources`` sources of two participants each, a passage per turn, three codings per passage (one narrowed)."""
    project, _ = open_project(str(path))
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with project.write() as s:
        codes = [Code(key=f"K{i}", name=f"Kode {i}", position=i) for i in range(4)]
        coders = [Coder(name="anne"), Coder(name="bo")]
        s.add_all(codes + coders)
        s.flush()
        for n in range(sources):
            turns = [_turn(n, t) for t in range(TURNS)]
            labels = ["I", "P1"]
            text = "".join(f"{labels[t % 2]}: {turn}\n" for t, turn in enumerate(turns))
            source = Source(name=f"kilde-{n:03d}", title=f"Kilde {n}", kind="interview", site="Viborg", text=text)
            s.add(source)
            s.flush()
            people = [
                Participant(source_id=source.id, label="I", role="interviewer"),
                Participant(source_id=source.id, label="P1", gender="kvinde", age=40 + n),
            ]
            s.add_all(people)
            s.flush()
            at = 0
            passages = []
            for t, turn in enumerate(turns):
                begin = at + len(labels[t % 2]) + 2
                passages.append(
                    Passage(
                        source_id=source.id,
                        number=t + 1,
                        participant_id=people[t % 2].id,
                        start=begin,
                        end=begin + len(turn),
                        text=turn,
                    )
                )
                at = begin + len(turn) + 1
            s.add_all(passages)
            s.flush()
            for t, passage in enumerate(passages):
                for c, (code, coder) in enumerate([(codes[t % 4], coders[0]), (codes[(t + 1) % 4], coders[1])]):
                    s.add(
                        Coding(
                            passage_id=passage.id,
                            code_id=code.id,
                            coder_id=coder.id,
                            created_at=start + timedelta(seconds=n * 1000 + t * 10 + c),
                        )
                    )
                s.add(
                    Coding(
                        passage_id=passage.id,
                        code_id=codes[3].id,
                        coder_id=coders[0].id,
                        start=0,
                        end=12,
                        memo="Karen Hansen nævnt" if t % 25 == 1 else None,
                        created_at=start + timedelta(seconds=n * 1000 + t * 10 + 5),
                    )
                )
            s.add(Memo(passage_id=passages[1].id, coder_id=coders[1].id, text="Godt citat"))
            s.add(Memo(source_id=source.id, coder_id=coders[0].id, text=f"Notat om kilde {n}"))
    return project


class _Pseudo:
    def text(self, s: str) -> str:
        return s.replace("Karen Hansen", "[navn]")

    def label(self, label: str) -> str:
        return {"P1": "D1"}.get(label, label)


def _export_peak(project: Project, out: Path, pseudo: _Pseudo | None) -> int:
    """The export's peak of Python allocations, in bytes, over what was allocated before it."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        export_project(project, out, pseudonymizer=pseudo)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("pseudo", [None, _Pseudo()], ids=["plain", "pseudonymised"])
def test_the_exports_memory_does_not_grow_with_the_sources(tmp_path, pseudo):
    """16 sources of 1.5 MB each take about the memory of 4: not the 18 MB more that holding their texts would.

    The bound, a quarter of the added texts, leaves room for what does grow a
    little with the sources (their metadata, cases, the note's entries) and
    for the writer's buffer of ``project.qde``, flushed every megabyte or so.
    """
    peaks = {}
    for count in (4, 16):
        project = make_project(tmp_path / f"p{count}.db", count)
        try:
            out = tmp_path / f"p{count}.qdpx"
            peaks[count] = _export_peak(project, out, pseudo)
        finally:
            project.dispose()
        with zipfile.ZipFile(out) as zf:
            assert len(zf.namelist()) == count + 1
    added_text = _text_size(16) - _text_size(4)
    assert peaks[16] - peaks[4] < added_text / 4, peaks
    assert peaks[16] < _text_size(16) / 2, peaks  # a source at a time (a few copies of it), never all of them


def _entries(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(name, zf.read(name)) for name in zf.namelist()]


@pytest.mark.parametrize("pseudo", [None, _Pseudo()], ids=["plain", "pseudonymised"])
def test_the_archive_holds_what_build_project_builds(tmp_path, pseudo):
    """``project.qde`` first, then each source's text by file name; the same bytes as the in-memory build."""
    project = make_project(tmp_path / "p.db", 3)
    try:
        out = tmp_path / "p.qdpx"
        report = export_project(project, out, pseudonymizer=pseudo)
        qde, files, built = build_project(project, pseudo)
        export_project(project, tmp_path / "again.qdpx", pseudonymizer=pseudo)
    finally:
        project.dispose()
    entries = _entries(out)
    assert entries[0] == ("project.qde", qde)
    assert entries[1:] == [(f"sources/{name}", files[name].encode("utf-8")) for name in sorted(files)]
    # notes: a memo on each source and on one passage of each, and the coding memos (4 a source)
    assert (report.sources, report.passages, report.codings, report.notes) == (3, 300, 900, 3 + 3 + 12)
    assert (built.sources, built.passages, built.codings, built.notes) == (3, 300, 900, 18)
    assert out.read_bytes() == (tmp_path / "again.qdpx").read_bytes()
    assert ("Karen Hansen" in files[sorted(files)[0]]) is (pseudo is None)


def test_the_notes_json_written_in_pieces_is_the_json_of_the_whole(tmp_path):
    """The ``trivselkode`` note's JSON, written piece by piece, is ``json.dumps`` of what it holds."""
    project = make_project(tmp_path / "p.db", 3)
    try:
        qde, _files, _report = build_project(project, _Pseudo())
    finally:
        project.dispose()
    note = etree.fromstring(qde).find(".//q:Note[@name='trivselkode']/q:PlainTextContent", NS)
    assert note is not None and note.text is not None
    held = json.loads(note.text)
    assert note.text == json.dumps(held, ensure_ascii=False, separators=(",", ":"))
    assert list(held)[-3:] == ["sources", "cases", "passages"]
    assert len(held["sources"]) == 3 and len(held["cases"]) == 6
    assert [len(rows) for rows in held["passages"].values()] == [TURNS] * 3


def test_a_spool_gives_back_each_text_and_keeps_a_keys_first_place():
    with tempfile.TemporaryFile() as file:
        spool = Spool(file)
        spool.put("b", "først")
        spool.put("a", "æøå 😀")
        spool.put("b", "igen")
        assert spool.keys() == ["b", "a"] and len(spool) == 2
        assert spool.get("a") == "æøå 😀" and spool.get("b") == "igen"
        assert spool.get_bytes("a") == "æøå 😀".encode()
    memory = Spool()
    memory.put("x", "")
    assert memory.get("x") == "" and memory.keys() == ["x"]
