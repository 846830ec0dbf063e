"""REFI-QDA import of the real sample files, of hand-made files, and its refusals."""

from __future__ import annotations

import codecs
import unicodedata
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.conftest import REPO
from trivselkode.errors import TrivselError
from trivselkode.importers.refi import import_refi, read_qdc, slug
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Code, Coder, Coding, Memo, Participant, Passage, Source

# Real files exported by NVivo, ATLAS.ti and Taguette are not in the repository: they are looked
# for beside it (../shared/refi-qda/samples) and their tests skip without them. What they prove is
# proven again on files the tests build (tests/unit/refi_fixtures.py), in the tests further down.
SAMPLES = REPO.parent / "shared" / "refi-qda" / "samples"
NVIVO = SAMPLES / "nvivo12_oltas0517.qdpx"
ATLAS = SAMPLES / "atlasti8_standard_project.qde"
TAGUETTE = SAMPLES / "taguette141_codebook.qdc"
CODED_TXT = "Sources/68bbdc14-c361-4432-b4dd-ae1dbfc12890.txt"


def sample(path: Path) -> Path:
    """A real sample file, or skip the test (with the reason) when this checkout has none."""
    if not path.is_file():
        pytest.skip(f"real sample {path.name} not found in {SAMPLES} (not part of the repository)")
    return path


def counts(project) -> dict[str, int]:
    with project.read() as s:
        return {
            m.__name__: s.exec(select(func.count()).select_from(m)).one()
            for m in (Code, Coder, Coding, Memo, Participant, Passage, Source)
        }


# --------------------------------------------------------------------------- NVivo 12


@pytest.fixture(scope="module")
def nvivo(module_db_url):
    sample(NVIVO)
    project, _ = open_project(module_db_url)
    report = import_refi(project, NVIVO)
    yield project, report
    project.dispose()


def _meant(raw_utf16: bytes, start: int, end: int) -> str:
    """The text NVivo meant by a selection: UTF-16 units of the file text, widened to whole characters."""

    def unit(i: int) -> int:
        return int.from_bytes(raw_utf16[2 * i : 2 * i + 2], "little")

    if 0 < start and 0xDC00 <= unit(start) <= 0xDFFF:
        start -= 1
    if end < len(raw_utf16) // 2 and 0xD800 <= unit(end - 1) <= 0xDBFF:
        end += 1
    return raw_utf16[2 * start : 2 * end].decode("utf-16-le")


def test_nvivo_every_selection_is_the_text_nvivo_meant(nvivo):
    from lxml import etree

    project, report = nvivo
    with zipfile.ZipFile(NVIVO) as zf:
        raw = zf.read(CODED_TXT)
        root = etree.fromstring(zf.read("project.qde"))
    assert raw.startswith(codecs.BOM_UTF8) and b"\r\n" in raw
    utf16 = raw[3:].decode("utf-8").encode("utf-16-le")
    ns = {"q": "urn:QDA-XML:project:1.0"}
    positions = {
        sel.get("guid").upper(): (int(sel.get("startPosition")), int(sel.get("endPosition")))
        for sel in root.iterfind(".//q:PlainTextSelection", ns)
    }
    assert len(positions) == 303
    placed = {p.guid: p for p in report.placements}
    assert len(placed) == 303
    with project.read() as s:
        source = s.exec(select(Source).where(Source.name == "videos_10_selected")).one()
        passages = {p.number: p for p in s.exec(select(Passage).where(Passage.source_id == source.id))}
        number_of = {p.id: p.number for p in passages.values()}
        coded = {
            (number_of[c.passage_id], c.start, c.end)
            for c in s.exec(select(Coding).where(Coding.passage_id.in_(list(number_of))))
        }
    matches = 0
    for guid, (a, b) in positions.items():
        meant = unicodedata.normalize("NFC", _meant(utf16, a, b).replace("\r\n", "\n"))
        p = placed[guid]
        assert source.text[p.start : p.end] == meant
        # the codings cover exactly the passages' parts of the selection
        assert p.passages
        for number in p.passages:
            passage = passages[number]
            lo, hi = max(p.start, passage.start), min(p.end, passage.end)
            assert lo < hi
            part = (
                (None, None) if (lo, hi) == (passage.start, passage.end) else (lo - passage.start, hi - passage.start)
            )
            assert (number, *part) in coded
            assert passage.text[slice(*part)] in meant
        matches += 1
    assert matches == 303


def test_nvivo_report_and_contents(nvivo):
    project, report = nvivo
    coded = next(s for s in report.sources if s.name == "videos_10_selected")
    assert coded.reading == "utf16-crlf2"
    assert coded.placed == 303 and coded.selections == 303
    assert coded.on_word_boundary == 300
    assert coded.split == "paragraphs"
    assert max(coded.reading_scores, key=coded.reading_scores.get) == "utf16-crlf2"
    other = next(s for s in report.sources if s.name == "videos_selection")
    assert other.status == "imported" and other.selections == 0
    c = counts(project)
    assert c["Code"] == 152 and c["Coder"] == 2 and c["Source"] == 2
    assert report.codings == c["Coding"] >= 303
    with project.read() as s:
        codes = list(s.exec(select(Code)))
        used = {row for row in s.exec(select(Coding.code_id).distinct())}
        coders = set(s.exec(select(Coder.name)))
        depth = {}
        by_id = {c.id: c for c in codes}
        for code in codes:
            d, cur = 0, code
            while cur.parent_id:
                cur, d = by_id[cur.parent_id], d + 1
            depth[code.key] = d
        texts = list(s.exec(select(Source.text)))
    assert len(used) == 76
    assert coders == {"Gergo", "floriansipos"}
    assert max(depth.values()) == 3  # four levels
    assert sum(1 for c in codes if c.description) == 82
    grouping = next(c for c in codes if c.name == "Attituderoots")
    assert not grouping.retired  # isCodable="false" on a parent: still a normal code
    assert all("\r" not in t and not t.startswith("\ufeff") for t in texts)


def test_nvivo_import_again_changes_nothing(nvivo):
    project, _ = nvivo
    before = counts(project)
    report = import_refi(project, NVIVO)
    assert counts(project) == before
    assert report.codings == 0 and not report.codes_added
    assert {s.status for s in report.sources} == {"unchanged"}


# --------------------------------------------------------------------------- ATLAS.ti 8


def test_atlas_imports_what_it_can_and_says_what_it_skipped(db_url):
    sample(ATLAS)
    project, _ = open_project(db_url)
    report = import_refi(project, ATLAS, split_names=True)
    with project.read() as s:
        codes = {c.key: c for c in s.exec(select(Code))}
        coders = set(s.exec(select(Coder.name)))
    project.dispose()
    assert coders == {"ATLAS.ti", "Friedrich_Markgraf", "Sebastian_Petrausch"}
    assert len(codes) == 14
    assert codes["coke.diet-coke"].parent_id == codes["coke"].id
    assert codes["coke.diet-coke"].name == "diet Coke" and codes["coke.diet-coke"].description == "non sucré"
    assert codes["happiness"].color == "#f00082"
    assert codes["milk"].color is None
    skipped = "\n".join(report.skipped)
    assert report.codings == 0
    assert all(s.status == "skipped" for s in report.sources) and len(report.sources) == 6
    assert "følger ikke med" in skipped
    for what in ("billede", "PDF", "lyd", "video", "Links", "Graphs", "Sets", "Research Plan"):
        assert what in skipped


def test_atlas_without_split_names_keeps_flat_names(tmp_path):
    sample(ATLAS)
    project, _ = open_project(str(tmp_path / "a.db"))
    import_refi(project, ATLAS)
    with project.read() as s:
        names = set(s.exec(select(Code.name)))
        parents = set(s.exec(select(Code.parent_id)))
    project.dispose()
    assert "Coke::diet Coke" in names and parents == {None}


SIMON = (
    "Interviewer: How do you start your day?\n"
    "Simon: I used to eat toast, with lots of butter, every morning. "
    "I did try the gluten free bread, but it was always so soggy, so I stopped. "
)


def test_bare_qde_reads_source_files_beside_it(tmp_path):
    """A .qde with its texts in a Sources/ folder beside it (an unpacked .qdpx)."""
    qde = tmp_path / "atlas.qde"
    qde.write_bytes(sample(ATLAS).read_bytes())
    (tmp_path / "Sources").mkdir()
    text = SIMON
    start = text.index("I did try")
    text = "x" * (215 - start) + text if start < 215 else text
    assert text.index("I did try the gluten free bread") == 215
    text += "y" * 1000
    (tmp_path / "Sources" / "C1C745F7-8E4D-48B2-9710-655AFE7E54FA.txt").write_text(text, encoding="utf-8")
    project, _ = open_project(str(tmp_path / "a.db"))
    report = import_refi(project, qde)
    simon = next(s for s in report.sources if s.name == "Simon.docx")
    assert simon.status == "imported" and simon.placed == 3
    with project.read() as s:
        rows = s.exec(
            select(Coding, Passage, Code).where(Coding.passage_id == Passage.id, Coding.code_id == Code.id)
        ).all()
    project.dispose()
    feelings = [(c, p) for c, p, code in rows if code.name == "Feelings"]
    assert len(feelings) == 1
    c, p = feelings[0]
    assert p.text[c.start : c.end] == "I did try the gluten free bread, but it was always so soggy,"


# --------------------------------------------------------------------------- Taguette


def test_taguette_codebook_is_imported_with_a_warning(tmp_path):
    sample(TAGUETTE)
    project, _ = open_project(str(tmp_path / "t.db"))
    report = import_refi(project, TAGUETTE)
    with project.read() as s:
        names = sorted(s.exec(select(Code.name)))
    project.dispose()
    assert names == ["CodeBook", "Variables", "xsd:element name"]
    assert any("Sets" in w for w in report.warnings)
    assert report.kind == "qdc"


def test_read_qdc_for_codebook_load():
    book = read_qdc(sample(TAGUETTE))
    assert [c.key for c in book.codebook.codes] == ["xsd-element-name", "codebook", "variables"]
    assert book.warnings


# --------------------------------------------------------------------------- hand-made files

PROJECT_XML = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Hånd" origin="Testværktøj">
  <Users><User guid="11111111-1111-1111-1111-111111111111" name="Anne Marie"/></Users>
  <CodeBook><Codes>
    <Code guid="{22222222-2222-2222-2222-222222222222}" name="Tryghed" isCodable="true" color="#0a0">
      <Code guid="33333333-3333-3333-3333-333333333333" name="Velkommen" isCodable="true" color="rød"/>
    </Code>
    <Code guid="44444444-4444-4444-4444-444444444444" name="Gammel" isCodable="false" color="#ABCDEF"/>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="55555555-5555-5555-5555-555555555555" name="køn" typeOfVariable="Text"/>
    <Variable guid="66666666-6666-6666-6666-666666666666" name="alder" typeOfVariable="Integer"/>
    <Variable guid="77777777-7777-7777-7777-777777777777" name="hobby" typeOfVariable="Text"/>
    <Variable guid="88888888-8888-8888-8888-888888888888" name="site" typeOfVariable="Text"/>
  </Variables>
  <Cases>
    <Case guid="99999999-9999-9999-9999-999999999999" name="Karen">
      <VariableValue><VariableRef targetGUID="55555555-5555-5555-5555-555555555555"/><TextValue>kvinde</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="66666666-6666-6666-6666-666666666666"/><IntegerValue>67</IntegerValue></VariableValue>
      <VariableValue><VariableRef targetGUID="77777777-7777-7777-7777-777777777777"/><TextValue>strik</TextValue></VariableValue>
      <SourceRef targetGUID="AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA" name="Samtale" plainTextPath="internal://AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA.txt">
      <PlainTextSelection guid="BBBBBBBB-BBBB-BBBB-BBBB-BBBBBBBBBBBB" startPosition="{s1}" endPosition="{e1}" creatingUser="11111111-1111-1111-1111-111111111111">
        <Description>Vigtigt citat</Description>
        <Coding guid="CCCCCCCC-CCCC-CCCC-CCCC-CCCCCCCCCCCC" creatingUser="11111111-1111-1111-1111-111111111111" creationDateTime="2024-05-01T10:00:00Z">
          <CodeRef targetGUID="33333333-3333-3333-3333-333333333333"/>
          <NoteRef targetGUID="DDDDDDDD-DDDD-DDDD-DDDD-DDDDDDDDDDDD"/>
        </Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="EEEEEEEE-EEEE-EEEE-EEEE-EEEEEEEEEEEE" startPosition="{s2}" endPosition="{e2}">
        <Coding guid="FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF">
          <CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/>
        </Coding>
      </PlainTextSelection>
      <NoteRef targetGUID="12121212-1212-1212-1212-121212121212"/>
      <VariableValue><VariableRef targetGUID="88888888-8888-8888-8888-888888888888"/><TextValue>Randers</TextValue></VariableValue>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="DDDDDDDD-DDDD-DDDD-DDDD-DDDDDDDDDDDD" name="kodenote" creatingUser="11111111-1111-1111-1111-111111111111">
      <PlainTextContent>kodenote: tydeligt</PlainTextContent>
    </Note>
    <Note guid="12121212-1212-1212-1212-121212121212" name="Om kilden">
      <PlainTextContent>Optaget i caféen.</PlainTextContent>
    </Note>
  </Notes>
</Project>
"""

TEXT = "Velkommen 😀 her.\r\nJeg føler mig tryg på biblioteket.\r\n\r\nDet er et godt sted 🙂 at være.\r\n"


def _utf16_crlf2(text: str, pos: int) -> int:
    prefix = text[:pos]
    return len(prefix.encode("utf-16-le")) // 2


def make_qdpx(
    tmp_path: Path,
    *,
    qde_name: str = "whatever.qde",
    folder: str = "Sources",
    bom: bool = True,
    include_text: bool = True,
    xml: str | None = None,
) -> Path:
    a = TEXT.index("tryg på")
    b = a + len("tryg på biblioteket")
    c = TEXT.index("Velkommen")
    d = TEXT.index("godt sted")  # across paragraphs: from "Velkommen" to "godt"
    if xml is None:
        xml = PROJECT_XML
        for key, pos in (("{s1}", a), ("{e1}", b), ("{s2}", c), ("{e2}", d + 4)):
            xml = xml.replace(key, str(_utf16_crlf2(TEXT, pos)))
    data = xml.encode("utf-8")
    if bom:
        data = codecs.BOM_UTF8 + data
    out = tmp_path / "hand.qdpx"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(qde_name, data)
        if include_text:
            zf.writestr(f"{folder}/AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA.txt", codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    return out


def test_hand_made_qdpx(tmp_path):
    path = make_qdpx(tmp_path)
    project, _ = open_project(str(tmp_path / "h.db"))
    report = import_refi(project, path, coder="ole")
    with project.read() as s:
        codes = {c.name: c for c in s.exec(select(Code))}
        source = s.exec(select(Source)).one()
        passages = list(s.exec(select(Passage).order_by(Passage.number)))
        parts = {p.id: p for p in s.exec(select(Participant))}
        codings = s.exec(
            select(Coding, Code, Coder).where(Coding.code_id == Code.id, Coding.coder_id == Coder.id)
        ).all()
        memos = {m.text: m for m in s.exec(select(Memo))}
    project.dispose()
    # codes: nesting, #RGB colour, a bad colour dropped with a warning, a non-codable leaf retired
    assert codes["Velkommen"].parent_id == codes["Tryghed"].id
    assert codes["Tryghed"].color == "#00aa00" and codes["Velkommen"].color is None
    assert codes["Gammel"].retired and codes["Gammel"].color == "#abcdef"
    assert any("rød" in w for w in report.warnings)
    # the text: normalised, three paragraphs spoken by the source's only case
    assert source.text == TEXT.replace("\r\n", "\n")
    assert source.site == "Randers"
    assert [p.text for p in passages] == [
        "Velkommen 😀 her.",
        "Jeg føler mig tryg på biblioteket.",
        "Det er et godt sted 🙂 at være.",
    ]
    karen = parts[passages[0].participant_id]
    assert (
        karen.label == "Karen"
        and karen.gender == "kvinde"
        and karen.age == 67
        and karen.attributes == {"hobby": "strik"}
    )
    (reading,) = [s.reading for s in report.sources]
    assert reading == "utf16-crlf2"
    # a selection inside a passage narrows; one across passages codes each, narrowed to its part
    spans = sorted(((code.name, coder.name, c.start, c.end, c.memo) for c, code, coder in codings), key=repr)
    p3 = passages[2].text
    assert spans == sorted(
        [
            (
                "Velkommen",
                "Anne_Marie",
                len("Jeg føler mig "),
                len("Jeg føler mig tryg på biblioteket"),
                "kodenote: tydeligt",
            ),
            # no user on the coding, its selection, source or project: the importing coder
            ("Tryghed", "ole", None, None, None),
            ("Tryghed", "ole", None, None, None),
            ("Tryghed", "ole", 0, p3.index("godt") + 4, None),
        ],
        key=repr,
    )
    assert set(memos) == {"Vigtigt citat", "Om kilden\n\nOptaget i caféen."}
    assert memos["Vigtigt citat"].passage_id == passages[1].id
    assert memos["Om kilden\n\nOptaget i caféen."].source_id == source.id


def test_lower_case_sources_folder_and_plain_xml_without_bom(tmp_path):
    path = make_qdpx(tmp_path, folder="sources", bom=False, qde_name="project.qde")
    project, _ = open_project(str(tmp_path / "h.db"))
    report = import_refi(project, path)
    project.dispose()
    assert report.sources[0].status == "imported"


def test_a_zip_without_a_qde_is_refused(tmp_path):
    out = tmp_path / "x.qdpx"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "hej")
    project, _ = open_project(str(tmp_path / "h.db"))
    with pytest.raises(TrivselError, match="ingen .qde"):
        import_refi(project, out)
    project.dispose()


def test_xml_that_is_not_refi_is_refused(tmp_path):
    bad = tmp_path / "x.qde"
    bad.write_text('<?xml version="1.0"?><html><body/></html>', encoding="utf-8")
    broken = tmp_path / "y.qdc"
    broken.write_text("<CodeBook><Codes>", encoding="utf-8")
    project, _ = open_project(str(tmp_path / "h.db"))
    with pytest.raises(TrivselError, match="ikke REFI-QDA"):
        import_refi(project, bad)
    with pytest.raises(TrivselError, match="XML"):
        import_refi(project, broken)
    project.dispose()


def test_a_missing_source_file_in_the_archive_imports_nothing(tmp_path):
    path = make_qdpx(tmp_path, include_text=False)
    project, _ = open_project(str(tmp_path / "h.db"))
    before = counts(project)
    with pytest.raises(TrivselError, match="mangler i arkivet"):
        import_refi(project, path)
    assert counts(project) == before
    project.dispose()


def test_a_clash_with_a_different_text_rolls_everything_back(tmp_path, db_url):
    path = make_qdpx(tmp_path)
    project, _ = open_project(db_url)
    with project.write() as s:
        from trivselkode.importers.base import ParsedParticipant, ParsedSource, ParsedTurn
        from trivselkode.storage.source_store import insert_source as _insert_source

        text = "Noget helt andet, som ingen kender. " * 20
        _insert_source(
            s,
            ParsedSource(
                name="Samtale",
                text=text,
                file_name="x.txt",
                participants=[ParsedParticipant("P1")],
                turns=[ParsedTurn("P1", 0, len(text) - 1, text[:-1])],
            ),
            "x",
            [f"[[0,{len(text) - 1}]]"],
        )
    before = counts(project)
    with pytest.raises(TrivselError, match="helt anden tekst"):
        import_refi(project, path)
    assert counts(project) == before  # no codes, coders or anything else half-imported
    project.dispose()


def test_slug_keys():
    assert slug("Social støtte") == "social-stoette"
    assert slug("1. Oltás típusa") == "1-oltas-tipusa"
    assert slug("!!!") == "kode"
