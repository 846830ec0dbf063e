"""REFI-QDA export: schema-valid .qdpx and .qdc, stable GUIDs, positions, atomic writes.

:func:`make_fixture_project` and :func:`snapshot` are shared with the import,
round-trip and CLI tests.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from lxml import etree
from sqlmodel import select

from tests.conftest import REPO
from trivselkode.domain.codebook import Codebook, CodeSpec
from trivselkode.domain.guids import code_guid, source_guid
from trivselkode.errors import TrivselError
from trivselkode.export.refi import export_codebook, export_project
from trivselkode.importers.pipeline import import_paths
from trivselkode.storage.codebook import load_codebook
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.lookup import get_or_create_coder
from trivselkode.storage.models import Code, Coder, Coding, Memo, Participant, Passage, Source

# The official schemas, copied into the repository (see tests/fixtures/refi-qda/README.md).
SCHEMAS = REPO / "tests" / "fixtures" / "refi-qda"
NS = {"q": "urn:QDA-XML:project:1.0"}


@cache
def schema(name: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / name))


@cache
def lxml_schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def assert_valid(xml: bytes, name: str = "Project.xsd") -> None:
    """Valid by xmlschema (and by libxml2, which is fast enough for big files)."""
    doc = etree.fromstring(xml)
    lxml_schema(name).assertValid(doc)
    if len(xml) < 2_000_000:
        schema(name).validate(io.BytesIO(xml))


# --------------------------------------------------------------------------- the fixture project

INTERVIEW = """---
title: Interview 1, Holstebro
kind: interview
site: Holstebro
context: bibliotek
round: 1
date: 2025-03-14
names: [Karen Hansen]
participants:
  - {id: I, role: interviewer}
  - {id: P1, gender: kvinde, age: 67, uddannelse: lærer, børn: 2}
---
I: Hvad betyder biblioteket for dig?
P1: Jeg får lidt tro på verden, hver gang jeg går herfra. Her er altid nogen, der hilser.
I: Hvordan har du det, når du går herfra?
P1: Jeg bliver et roligere menneske 😀 – Karen Hansen siger det samme.
Det er som om tempoet falder. Æbler, øl og å.
I: Tak.
"""

VOXPOP = """---
kind: voxpop
site: Viborg
context: arrangement
participants:
  - {id: Kvinde 1, gender: kvinde, age: 34, site: Randers}
  - {id: Mand 2, gender: mand}
  - {id: P9, gender: mand}
---
Kvinde 1: Det er dejligt 🙂🙂 at komme her med børnene.
Mand 2: Jeg kommer for kaffen ☕ og avisen.
"""

CODES = [
    CodeSpec(
        key="T1",
        name="Tryghed",
        kind="tema",
        color="#2e7d32",
        shortcut="1",
        description="Biblioteket som tryghedssystem",
        include="Føle sig velkommen",
        exclude="Ro kodes T2",
        characteristics=["Ingen dømmende blikke"],
        examples=["Jeg føler mig velkommen."],
        keywords=["tryg", "velkommen"],
        position=0,
    ),
    CodeSpec(key="T2", name="Mental ro", kind="tema", color="#42a5f5", shortcut="2", position=1),
    CodeSpec(key="B", name="Behov", kind="behov", position=2),
    CodeSpec(key="B.social", name="Sociale behov", parent="B", kind="behov", description="Fællesskab", position=3),
    CodeSpec(key="B.social.leg", name="Leg & læring <ok>", parent="B.social", kind="behov", position=4),
    CodeSpec(key="M", name="Miljø", position=5),
    CodeSpec(key="X", name="Udgået kode", position=6),
]


def make_fixture_project(folder: Path) -> Project:
    """A small project: two sources, nested codes, two coders, spans, memos, one retired code."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "interview1.txt").write_text(INTERVIEW, encoding="utf-8")
    (folder / "voxpop-viborg.txt").write_text(VOXPOP, encoding="utf-8")
    project, _ = open_project(str(folder / "fixture.db"))
    load_codebook(project, Codebook(name="Testkodebog", version=3, codes=list(CODES)))
    report = import_paths(project, [folder / "interview1.txt", folder / "voxpop-viborg.txt"])
    assert not report.failed, [f.error for f in report.failed]
    stamp = datetime(2025, 4, 1, 12, 30, tzinfo=UTC)
    with project.write() as s:
        codes = {c.key: c for c in s.exec(select(Code))}
        anne = get_or_create_coder(s, "anne")
        bo = get_or_create_coder(s, "bo")
        get_or_create_coder(s, "konsensus")
        sources = {src.name: src for src in s.exec(select(Source))}
        passages = {
            (src.name, p.number): p
            for src in sources.values()
            for p in s.exec(select(Passage).where(Passage.source_id == src.id))
        }
        p2 = passages[("interview1", 2)]
        p4 = passages[("interview1", 4)]
        v1 = passages[("voxpop-viborg", 1)]
        v2 = passages[("voxpop-viborg", 2)]
        emoji_at = p4.text.index("😀")
        rows = [
            Coding(passage_id=p2.id, code_id=codes["T1"].id, coder_id=anne.id, created_at=stamp),
            Coding(passage_id=p2.id, code_id=codes["T1"].id, coder_id=bo.id, created_at=stamp, memo="Tydeligt T1"),
            Coding(
                passage_id=p2.id,
                code_id=codes["B.social"].id,
                coder_id=anne.id,
                start=0,
                end=len("Jeg får lidt tro på verden"),
                created_at=stamp,
            ),
            Coding(
                passage_id=p4.id,
                code_id=codes["T2"].id,
                coder_id=anne.id,
                start=emoji_at,
                end=emoji_at + 1,
                created_at=stamp,
            ),
            Coding(
                passage_id=p4.id, code_id=codes["T2"].id, coder_id=bo.id, start=0, end=emoji_at + 1, created_at=stamp
            ),
            Coding(passage_id=p4.id, code_id=codes["B.social.leg"].id, coder_id=bo.id, created_at=stamp),
            Coding(
                passage_id=v1.id,
                code_id=codes["B"].id,
                coder_id=anne.id,
                start=len("Det er dejligt 🙂"),
                end=len("Det er dejligt 🙂🙂"),
                created_at=stamp,
            ),
            Coding(passage_id=v2.id, code_id=codes["X"].id, coder_id=bo.id, created_at=stamp),
            Coding(passage_id=v2.id, code_id=codes["M"].id, coder_id=anne.id, created_at=stamp),
        ]
        for row in rows:
            s.add(row)
        s.add(
            Memo(
                source_id=sources["interview1"].id,
                coder_id=anne.id,
                text="Godt interview.\nLidt støj.",
                created_at=stamp,
                updated_at=stamp,
            )
        )
        s.add(Memo(passage_id=p4.id, coder_id=bo.id, text="Citat til rapporten", created_at=stamp, updated_at=stamp))
        s.add(
            Memo(
                code_id=codes["T2"].id,
                coder_id=anne.id,
                text="Husk at skelne fra T1",
                created_at=stamp,
                updated_at=stamp,
            )
        )
        codes["X"].retired = True
        codes["X"].shortcut = None
        s.add(codes["X"])
    return project


# --------------------------------------------------------------------------- a comparable picture of a project


def snapshot(project: Project) -> dict[str, Any]:
    """Everything a round trip must keep, in plain data (ids left out)."""
    with project.read() as s:
        codes = list(s.exec(select(Code)))
        key_of = {c.id: c.key for c in codes}
        coders = {c.id: c.name for c in s.exec(select(Coder))}
        sources = list(s.exec(select(Source).order_by(Source.name)))
        parts = {p.id: p for p in s.exec(select(Participant))}
        passages = {p.id: p for p in s.exec(select(Passage))}
        src_name = {src.id: src.name for src in sources}
        codings = sorted(
            (
                (
                    src_name[passages[c.passage_id].source_id],
                    passages[c.passage_id].number,
                    key_of[c.code_id],
                    coders[c.coder_id],
                    c.start,
                    c.end,
                    c.memo,
                )
                for c in s.exec(select(Coding))
            ),
            key=repr,
        )
        memos = []
        for m in s.exec(select(Memo)):
            if m.code_id is not None:
                target: tuple = ("code", key_of[m.code_id])
            elif m.passage_id is not None:
                p = passages[m.passage_id]
                target = ("passage", src_name[p.source_id], p.number)
            else:
                target = ("source", src_name[m.source_id])
            memos.append((target, coders[m.coder_id], m.text))
    return {
        "codes": sorted(
            (
                (
                    c.key,
                    c.name,
                    key_of.get(c.parent_id),
                    c.kind,
                    c.description,
                    c.include,
                    c.exclude,
                    tuple(c.characteristics),
                    tuple(c.examples),
                    tuple(c.keywords),
                    c.color,
                    c.shortcut,
                    c.retired,
                )
                for c in codes
            ),
            key=repr,
        ),
        "coders": sorted(coders.values()),
        "sources": [
            (
                src.name,
                src.title,
                src.kind,
                src.site,
                src.context,
                src.round,
                src.date,
                src.file_name,
                src.text,
                tuple(sorted(src.extra.items(), key=str)),
            )
            for src in sources
        ],
        "participants": sorted(
            (
                (
                    src_name[p.source_id],
                    p.label,
                    p.role,
                    p.gender,
                    p.age,
                    p.site,
                    tuple(sorted(p.attributes.items(), key=str)),
                )
                for p in parts.values()
            ),
            key=repr,
        ),
        "passages": sorted(
            (src_name[p.source_id], p.number, parts[p.participant_id].label, p.start, p.end, p.text)
            for p in passages.values()
        ),
        "codings": codings,
        "memos": sorted(memos, key=str),
    }


# --------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def fixture_project(tmp_path_factory):
    project = make_fixture_project(tmp_path_factory.mktemp("fixture"))
    yield project
    project.dispose()


def _read(path: Path) -> tuple[bytes, dict[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        xml = zf.read("project.qde")
        files = {n: zf.read(n) for n in names if n != "project.qde"}
    return xml, files


def test_qdpx_is_valid_and_complete(fixture_project, tmp_path):
    out = tmp_path / "p.qdpx"
    report = export_project(fixture_project, out)
    assert report.sources == 2 and report.codings == 9 and report.coders == 3
    assert report.participants == 5 and report.passages == 7 and report.codes == 7
    xml, files = _read(out)
    assert_valid(xml)
    root = etree.fromstring(xml)
    # one UTF-8 text per source, named by its GUID
    guid = source_guid("interview1")
    assert f"sources/{guid}.txt" in files
    text = files[f"sources/{guid}.txt"].decode("utf-8")
    assert not text.startswith("\ufeff") and "\r" not in text
    src = root.find(f".//q:TextSource[@guid='{guid}']", NS)
    assert src.get("plainTextPath") == f"internal://{guid}.txt"
    # users, nested codes with colours, isCodable false only for the retired code
    assert sorted(u.get("name") for u in root.iterfind(".//q:User", NS)) == ["anne", "bo", "konsensus"]
    leg = root.find(f".//q:Code[@guid='{code_guid('B.social.leg')}']", NS)
    assert leg.getparent().get("guid") == code_guid("B.social")
    assert root.find(f".//q:Code[@guid='{code_guid('T1')}']", NS).get("color") == "#2e7d32"
    assert root.find(f".//q:Code[@guid='{code_guid('T2')}']", NS).get("color") == "#42a5f5"
    codable = {c.get("name"): c.get("isCodable") for c in root.iterfind(".//q:Code", NS)}
    assert codable["Udgået kode"] == "false" and codable["Behov"] == "true"
    # variables declared with types
    types = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//q:Variable", NS)}
    assert types["age"] == "Integer" and types["gender"] == "Text" and types["round"] == "Integer"
    assert types["børn"] == "Integer" and types["uddannelse"] == "Text"
    # cases refer to their source and their passages
    case = root.find(".//q:Case[@name='interview1: P1']", NS)
    assert case.find("q:SourceRef", NS).get("targetGUID") == guid
    assert len(case.findall("q:SelectionRef", NS)) == 2


def test_positions_are_code_points_into_the_text_file(fixture_project, tmp_path):
    out = tmp_path / "p.qdpx"
    export_project(fixture_project, out)
    xml, files = _read(out)
    root = etree.fromstring(xml)
    with fixture_project.read() as s:
        stored = {src.name: src.text for src in s.exec(select(Source))}
    for src in root.iterfind(".//q:TextSource", NS):
        text = files[f"sources/{src.get('guid')}.txt"].decode("utf-8")
        assert text == stored[src.get("name")]
        for sel in src.iterfind("q:PlainTextSelection", NS):
            a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert 0 <= a < b <= len(text)
    # the emoji coded alone is one code point wide
    emoji = [
        sel
        for sel in root.iterfind(".//q:PlainTextSelection", NS)
        if int(sel.get("endPosition")) - int(sel.get("startPosition")) == 1
    ]
    assert emoji and emoji[0].get("name") == "😀"


def test_codings_carry_user_and_time(fixture_project, tmp_path):
    out = tmp_path / "p.qdpx"
    export_project(fixture_project, out)
    root = etree.fromstring(_read(out)[0])
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:User", NS)}
    codings = root.findall(".//q:Coding", NS)
    assert len(codings) == 9
    assert all(users[c.get("creatingUser")] in ("anne", "bo") for c in codings)
    assert {c.get("creationDateTime") for c in codings} == {"2025-04-01T12:30:00Z"}
    # memos as notes, referenced from source, passage selection, code and coding
    notes = {n.get("guid"): n for n in root.iterfind(".//q:Note", NS)}
    texts = {n.findtext("q:PlainTextContent", namespaces=NS) for n in notes.values()}
    assert {"Godt interview.\nLidt støj.", "Citat til rapporten", "Husk at skelne fra T1", "Tydeligt T1"} <= texts
    refs = [r.get("targetGUID") for r in root.iterfind(".//q:NoteRef", NS)]
    assert all(r in notes for r in refs) and len(refs) == 5  # 4 memos + our own note


def test_guids_are_stable_and_output_is_deterministic(fixture_project, tmp_path):
    a, b = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    export_project(fixture_project, a)
    export_project(fixture_project, b)
    assert a.read_bytes() == b.read_bytes()
    root = etree.fromstring(_read(a)[0])
    guids = [el.get("guid") for el in root.iter() if el.get("guid")]
    assert len(guids) == len(set(guids))


def test_qdc_is_valid(fixture_project, tmp_path):
    out = tmp_path / "k.qdc"
    report = export_codebook(fixture_project, out)
    assert report.codes == 7
    xml = out.read_bytes()
    assert_valid(xml, "Codebook.xsd")
    root = etree.fromstring(xml)
    ns = {"c": "urn:QDA-XML:codebook:1.0"}
    assert len(root.findall(".//c:Code", ns)) == 7
    sets = {s.get("name"): len(s) for s in root.iterfind(".//c:Set", ns)}
    assert set(sets) == {"Kodetype: tema", "Kodetype: behov"}


def test_empty_project_exports_valid(tmp_path):
    project, _ = open_project(str(tmp_path / "empty.db"))
    try:
        report = export_project(project, tmp_path / "e.qdpx")
        xml = _read(tmp_path / "e.qdpx")[0]
        assert_valid(xml)  # Project.xsd lets <CodeBook> out; an empty <Codes/> would not be valid
        assert report.codes == 0 and b"<CodeBook" not in xml
    finally:
        project.dispose()


def test_an_empty_codebook_is_refused_as_qdc_and_nothing_is_written(tmp_path):
    """Codebook.xsd asks for at least one <Code>: no .qdc can hold an empty codebook."""
    project, _ = open_project(str(tmp_path / "empty.db"))
    out = tmp_path / "e.qdc"
    try:
        with pytest.raises(TrivselError, match="mindst én kode"):
            export_codebook(project, out)
    finally:
        project.dispose()
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.suffix == ".qdc"] == []
    # the schema says so: an empty <Codes/> does not validate
    with pytest.raises(etree.DocumentInvalid):
        assert_valid(b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "Codebook.xsd")


def test_a_codebook_of_only_retired_codes_is_still_valid(tmp_path):
    project, _ = open_project(str(tmp_path / "r.db"))
    try:
        load_codebook(project, Codebook(name="K", version=1, codes=[CodeSpec(key="A", name="Gammel")]))
        with project.write() as s:
            code = s.exec(select(Code)).one()
            code.retired = True
            s.add(code)
        export_codebook(project, tmp_path / "r.qdc")
    finally:
        project.dispose()
    assert_valid((tmp_path / "r.qdc").read_bytes(), "Codebook.xsd")


def test_write_is_atomic(fixture_project, tmp_path, monkeypatch):
    out = tmp_path / "p.qdpx"
    out.write_bytes(b"old")
    import trivselkode.export.refi.archive as refi

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(refi.zipfile.ZipFile, "writestr", boom)
    with pytest.raises(RuntimeError):
        export_project(fixture_project, out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["p.qdpx"]


class _Pseudo:
    def text(self, s: str) -> str:
        return s.replace("Karen Hansen", "[navn]")

    def label(self, label: str) -> str:
        return {"P1": "D1", "I": "I"}.get(label, label)


def test_pseudonymized_export_moves_positions(fixture_project, tmp_path):
    out = tmp_path / "p.qdpx"
    export_project(fixture_project, out, pseudonymizer=_Pseudo())
    xml, files = _read(out)
    assert_valid(xml)
    assert b"Karen Hansen" not in xml and all(b"Karen Hansen" not in f for f in files.values())
    root = etree.fromstring(xml)
    text = files[f"sources/{source_guid('interview1')}.txt"].decode("utf-8")
    assert "D1: Jeg bliver et roligere menneske" in text and "[navn] siger" in text
    names = [s.get("name") for s in root.iterfind(".//q:PlainTextSelection", NS)]
    assert "😀" in names
    for sel in root.iterfind(".//q:PlainTextSelection", NS):
        if sel.get("name") == "😀":
            assert text[int(sel.get("startPosition")) : int(sel.get("endPosition"))] == "😀"
    assert root.find(".//q:Case[@name='interview1: D1']", NS) is not None


def test_pseudonymized_with_the_reports_pseudonymizer(fixture_project, tmp_path):
    from trivselkode.export.pseudonymize import Pseudonymizer

    pseudo = Pseudonymizer.from_project(fixture_project)
    out = tmp_path / "p.qdpx"
    export_project(fixture_project, out, pseudonymizer=pseudo)
    xml, files = _read(out)
    assert_valid(xml)
    assert b"Karen" not in xml and all(b"Karen" not in f for f in files.values())
    text = files[f"sources/{source_guid('interview1')}.txt"].decode("utf-8")
    assert "[Navn 1] siger det samme" in text
    root = etree.fromstring(xml)
    for src in root.iterfind(".//q:TextSource", NS):
        text = files[f"sources/{src.get('guid')}.txt"].decode("utf-8")
        for sel in src.iterfind("q:PlainTextSelection", NS):
            a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
            name = sel.get("name")
            if not name.startswith("Udsagn"):
                assert " ".join(text[a:b].split()).startswith(name.rstrip("…"))


def test_a_failed_write_of_project_qde_in_the_writer_thread_leaves_the_old_file(fixture_project, tmp_path, monkeypatch):
    out = tmp_path / "p.qdpx"
    out.write_bytes(b"old")
    import errno

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile._ZipWriteFile, "write", full)
    from trivselkode.errors import TrivselError

    with pytest.raises(TrivselError, match="ikke plads på disken"):
        export_project(fixture_project, out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["p.qdpx"]


def test_the_background_writer_writes_in_order_and_raises_a_failure_without_waiting_forever():
    from trivselkode.export.refi.archive import BackgroundWriter

    sink = io.BytesIO()
    with BackgroundWriter(sink) as w:
        for i in range(50):
            w.write(f"{i},".encode())
    assert sink.getvalue() == "".join(f"{i}," for i in range(50)).encode()

    class Failing(io.BytesIO):
        def write(self, data):
            raise OSError("gone")

    writer = BackgroundWriter(Failing())
    with pytest.raises(OSError, match="gone"):
        for _ in range(10 * BackgroundWriter.QUEUED):  # more pieces than wait in the queue
            writer.write(b"x")
        writer.close()
    with pytest.raises(OSError, match="gone"):
        writer.close()
    assert not writer.thread.is_alive()
