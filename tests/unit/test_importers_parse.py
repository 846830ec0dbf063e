"""Parsing every source format into a ParsedSource (no database, no spaCy)."""

from __future__ import annotations

import codecs
import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trivselkode.errors import TrivselError
from trivselkode.importers import SUPPORTED_SUFFIXES, iter_source_files, parse_file
from trivselkode.importers.encoding import normalise, read_text
from trivselkode.importers.metadata import read_sidecar
from trivselkode.importers.text import is_speaker_label


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def assert_offsets(source) -> None:
    assert source.text == normalise(source.text)
    for turn in source.turns:
        assert source.text[turn.start : turn.end] == turn.text
        assert turn.text == turn.text.strip() and turn.text
    labels = {p.label for p in source.participants}
    assert all(turn.speaker in labels for turn in source.turns)


# --------------------------------------------------------------------------- plain text

SPEC_EXAMPLE = """\
---
title: Interview 3, Holstebro
kind: interview          # interview | voxpop | survey
site: Holstebro          # the library
context: bibliotek       # bibliotek | arrangement (a library visit or an event)
round: 1
date: 2025-03-14
names: [Karen Hansen, Ole]
participants:
  - {id: I, role: interviewer}
  - {id: P1, gender: kvinde, age: 67}
  - {id: P2, køn: mand, alder: "45", bibliotek: Viborg, uddannelse: lærer}
---
# Interview 3

I: Hvad betyder biblioteket for dig?
P1: Jeg får lidt tro på verden, hver gang jeg går herfra.
Det var sådan: jeg kom ind og satte mig.
Nej: det gør jeg ikke.

  Og så kl. 10:30 gik jeg hjem.

P3: Jeg er ikke nævnt.
Kvinde 1: Heller ikke jeg.
"""


def test_text_with_front_matter(tmp_path: Path) -> None:
    source = parse_file(write(tmp_path / "interview3.txt", SPEC_EXAMPLE))
    assert source.name == "interview3"
    assert source.file_name == "interview3.txt"
    assert source.metadata == {
        "title": "Interview 3, Holstebro",
        "kind": "interview",
        "site": "Holstebro",
        "context": "bibliotek",
        "round": 1,
        "date": "2025-03-14",
        "names": ["Karen Hansen", "Ole"],
    }
    # The stored text is the body only; the heading stays in it but is no turn.
    assert source.text.startswith("# Interview 3\n\nI: Hvad")
    assert "title:" not in source.text
    assert [p.label for p in source.participants] == ["I", "P1", "P2", "P3", "Kvinde 1"]
    by_label = {p.label: p for p in source.participants}
    assert by_label["I"].role == "interviewer"
    assert (by_label["P1"].gender, by_label["P1"].age, by_label["P1"].role) == ("kvinde", 67, "participant")
    p2 = by_label["P2"]
    assert (p2.gender, p2.age, p2.site, p2.attributes) == ("mand", 45, "Viborg", {"uddannelse": "lærer"})
    assert [t.speaker for t in source.turns] == ["I", "P1", "P3", "Kvinde 1"]
    assert source.turns[1].text == (
        "Jeg får lidt tro på verden, hver gang jeg går herfra.\n"
        "Det var sådan: jeg kom ind og satte mig.\n"
        "Nej: det gør jeg ikke.\n\n"
        "  Og så kl. 10:30 gik jeg hjem."
    )
    assert_offsets(source)
    # One warning per undeclared label, naming the file line.
    assert len(source.warnings) == 2
    assert "'P3'" in source.warnings[0] and "interview3.txt:23" in source.warnings[0]
    assert "'Kvinde 1'" in source.warnings[1]


def test_text_without_front_matter_roles_and_name(tmp_path: Path) -> None:
    path = write(tmp_path / "voxpop.md", "Intervieweren: Hej?\nint: Og så?\nKaren:   Hej   \n\n\n")
    source = parse_file(path, name="  Voxpop 1 ")
    assert source.name == "Voxpop 1"
    assert [(p.label, p.role) for p in source.participants] == [
        ("Intervieweren", "interviewer"),
        ("int", "interviewer"),
        ("Karen", "participant"),
    ]
    assert source.turns[-1].text == "Hej"
    assert_offsets(source)


def test_metadata_can_give_interviewer_label_another_role(tmp_path: Path) -> None:
    text = "---\nparticipants:\n  - {id: I, role: participant}\n  - P1\n---\ni: Jeg er ikke interviewer.\np1: Nej.\n"
    source = parse_file(write(tmp_path / "a.txt", text))
    assert [(p.label, p.role) for p in source.participants] == [("I", "participant"), ("P1", "participant")]
    # Labels match declared ids case-insensitively and no warning is given.
    assert [t.speaker for t in source.turns] == ["I", "P1"]
    assert source.warnings == []


def test_text_sidecar_only_without_front_matter(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "kind: voxpop\nparticipants: [{id: P1, bibliotek: Randers}]\n")
    source = parse_file(write(tmp_path / "a.txt", "P1: Hej\n"))
    assert source.metadata == {"kind": "voxpop"}
    assert source.participants[0].site == "Randers"
    assert source.warnings == []
    source = parse_file(write(tmp_path / "a.txt", "---\nkind: interview\n---\nP1: Hej\n"))
    assert source.metadata == {"kind": "interview"}
    assert any("a.yaml er ikke brugt" in w for w in source.warnings)


@pytest.mark.parametrize(
    ("label", "accepted"),
    [
        ("P1", True),
        ("p1", True),
        ("D2", True),
        ("I", True),
        ("INT", True),
        ("Kvinde 1", True),
        ("Karen", True),
        ("Anne Marie", True),
        ("SPEAKER_00", True),
        ("Det var sådan", False),
        ("Nej", False),
        ("Men", False),
        ("Som det hedder på", False),
        ("Med andre ord", False),
        ("centrale tal", False),
        ("Anne Marie Holm Jensen", False),
    ],
)
def test_label_rule(label: str, accepted: bool) -> None:
    assert is_speaker_label(label) is accepted


def test_declared_long_label_is_accepted(tmp_path: Path) -> None:
    text = "---\nparticipants: [{id: Bibliotekar på stedet}]\n---\nBibliotekar på stedet: Velkommen.\n"
    source = parse_file(write(tmp_path / "a.txt", text))
    assert [t.speaker for t in source.turns] == ["Bibliotekar på stedet"]


def test_colons_that_are_no_labels(tmp_path: Path) -> None:
    text = "P1: Se https://bibliotek.dk og kom kl. 10:30.\nDet var sådan: jeg kom ind.\nNej:nu\n"
    source = parse_file(write(tmp_path / "a.txt", text))
    assert len(source.turns) == 1
    assert source.turns[0].text.endswith("Nej:nu")


# --------------------------------------------------------------------------- encodings

DANISH = "P1: Blåbærgrød og æbleskiver på øen, sagde Ærø-Åse.\n"


@pytest.mark.parametrize(
    "encoded",
    [
        codecs.BOM_UTF8 + DANISH.encode("utf-8"),
        DANISH.encode("utf-8"),
        codecs.BOM_UTF16_LE + DANISH.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + DANISH.encode("utf-16-be"),
        DANISH.encode("cp1252"),
        DANISH.replace("\n", "\r\n").encode("cp1252"),
    ],
    ids=["utf8-bom", "utf8", "utf16le-bom", "utf16be-bom", "cp1252", "cp1252-crlf"],
)
def test_encodings(tmp_path: Path, encoded: bytes) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(encoded)
    assert read_text(path) == DANISH
    source = parse_file(path)
    assert source.turns[0].text == DANISH[4:].strip()


def test_utf16_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(DANISH.encode("utf-16-le"))
    assert read_text(path) == DANISH


def test_crlf_cr_and_nfd_are_normalised(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "P1: Én å\r\nog ø\rI: Næ")
    assert nfd != unicodedata.normalize("NFC", nfd)
    path = tmp_path / "x.txt"
    path.write_bytes(nfd.encode("utf-8"))
    source = parse_file(path)
    assert source.text == "P1: Én å\nog ø\nI: Næ"
    assert unicodedata.is_normalized("NFC", source.text)
    assert [t.text for t in source.turns] == ["Én å\nog ø", "Næ"]


# --------------------------------------------------------------------------- property test

LABELS = ["I", "P1", "P2", "Kvinde 1", "Karen", "int"]
ALPHABET = "abcdefghijklmnopqrstuvwxyzæøåÆØÅABCZ 0123456789:;,.!?-–\"'()\t\u00a0😀🎉é\u0301"
OPENERS = ["og", "men", "så", "æbler", "hvis", "øh"]
words = st.text(alphabet=ALPHABET, max_size=40)
turn_strategy = st.tuples(
    st.sampled_from(LABELS),
    st.sampled_from(["", "  ", "\t"]),  # indentation before the label
    st.sampled_from([" ", "  ", "\t"]),  # after the colon
    st.text(alphabet="abcæøåXYZ😀", min_size=1, max_size=3),  # a visible start of the turn
    words,
    st.lists(
        st.one_of(st.just(""), st.just("   "), st.tuples(st.sampled_from(OPENERS), words).map(" ".join)),
        max_size=4,
    ),
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    turns=st.lists(turn_strategy, min_size=1, max_size=8),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    heading=st.booleans(),
    front_matter=st.booleans(),
)
def test_property_offsets_and_turn_count(tmp_path: Path, turns, newline, heading, front_matter) -> None:
    lines: list[str] = []
    if front_matter:
        lines += ["---", "kind: interview", "participants:", "  - {id: P2, køn: kvinde}", "---"]
    if heading:
        lines += ["# Samtale på biblioteket: æøå", ""]
    expected = []
    for label, indent, gap, opening, rest, continuation in turns:
        lines.append(f"{indent}{label}:{gap}{opening}{rest}")
        lines.extend(continuation)
        expected.append((label, normalise("\n".join([opening + rest, *continuation])).strip()))
    path = tmp_path / "prop.txt"
    path.write_bytes(newline.join(lines).encode("utf-8"))
    source = parse_file(path)
    assert_offsets(source)
    assert len(source.turns) == len(turns)
    assert [(t.speaker, t.text) for t in source.turns] == expected
    assert "\r" not in source.text


# --------------------------------------------------------------------------- docx


def test_docx_with_sidecar(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for paragraph in [
        "Interview på Randers Bibliotek",
        "I: Hvad laver du her?",
        "P1: Jeg læser avis.",
        "Og drikker kaffe.",
    ]:
        document.add_paragraph(paragraph)
    path = tmp_path / "randers.docx"
    document.save(str(path))
    write(tmp_path / "randers.yaml", "name: Randers 1\nkind: voxpop\nparticipants:\n  - {id: P1, alder: 80}\n")
    source = parse_file(path)
    assert source.name == "Randers 1"
    assert source.metadata["kind"] == "voxpop"
    assert (
        source.text == "Interview på Randers Bibliotek\nI: Hvad laver du her?\nP1: Jeg læser avis.\nOg drikker kaffe."
    )
    assert [(t.speaker, t.text) for t in source.turns] == [
        ("I", "Hvad laver du her?"),
        ("P1", "Jeg læser avis.\nOg drikker kaffe."),
    ]
    assert [(p.label, p.age) for p in source.participants] == [("P1", 80), ("I", None)]
    assert_offsets(source)


def test_damaged_docx(tmp_path: Path) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(TrivselError, match="Word"):
        parse_file(path)


# --------------------------------------------------------------------------- subtitles

VTT_VOICES = """\
WEBVTT
Kind: captions

NOTE Automatisk transskription
flere linjer

STYLE
::cue { color: yellow }

intro
00:00:01.000 --> 00:00:03.500 align:start
<v Anna>Hej &amp; velkommen</v>

00:00:03.500 --> 00:00:05.250
<v.loud Anna><i>til</i> biblioteket<00:00:04.000> <c.blue>i dag</c>

00:00:05.250 --> 00:00:07.000
fortsat uden ny taler

00:01:07.000 --> 00:01:09.000
<v Bo>Tak &lt;3</v>
"""


def test_vtt_voices_merge_and_times(tmp_path: Path) -> None:
    source = parse_file(write(tmp_path / "samtale.vtt", VTT_VOICES))
    assert source.text == "Anna: Hej & velkommen til biblioteket i dag fortsat uden ny taler\nBo: Tak <3"
    anna, bo = source.turns
    assert (anna.speaker, anna.cue_start, anna.cue_end) == ("Anna", 1.0, 7.0)
    assert (bo.speaker, bo.cue_start, bo.cue_end) == ("Bo", 67.0, 69.0)
    assert "00:" not in source.text and "-->" not in source.text
    assert [p.label for p in source.participants] == ["Anna", "Bo"]
    assert_offsets(source)


def test_vtt_name_prefixes_and_sidecar(tmp_path: Path) -> None:
    text = (
        "WEBVTT\n\n"
        "00:00.000 --> 00:02.000\nHej med dig\n\n"
        "00:02.000 --> 00:04.000\nInterviewer: Hvordan går det?\n\n"
        "00:04.000 --> 00:06.000\nP1: Godt.\n\n"
        "00:06.000 --> 00:08.000\nMeget godt.\n\n"
        "00:08.000 --> 00:09.000\nI: Tak.\nP1: Selv tak.\n"
    )
    path = write(tmp_path / "v.vtt", text)
    write(tmp_path / "v.yml", "site: Viborg\nparticipants: [{id: I, role: interviewer}, {id: P1, køn: kvinde}]\n")
    source = parse_file(path)
    assert source.metadata == {"site": "Viborg"}
    assert [(t.speaker, t.text, t.cue_start, t.cue_end) for t in source.turns] == [
        ("Ukendt", "Hej med dig", 0.0, 2.0),
        ("Interviewer", "Hvordan går det?", 2.0, 4.0),
        ("P1", "Godt. Meget godt.", 4.0, 8.0),
        ("I", "Tak.", 8.0, 9.0),
        ("P1", "Selv tak.", 8.0, 9.0),
    ]
    roles = {p.label: (p.role, p.gender) for p in source.participants}
    assert roles == {
        "I": ("interviewer", None),
        "P1": ("participant", "kvinde"),
        "Ukendt": ("participant", None),
        "Interviewer": ("interviewer", None),
    }
    assert source.text.split("\n")[0] == "Ukendt: Hej med dig"
    assert any("'Ukendt'" in w for w in source.warnings)
    assert any("'Interviewer'" in w for w in source.warnings)
    assert_offsets(source)


def test_srt(tmp_path: Path) -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,500\nSPEAKER_00: Hej\nmed dig\n\n"
        "2\n00:00:02,500 --> 00:00:04,000\n{\\an8}<b>Godt</b> at se dig\n\n"
        "3\n00:00:04,000 --> 00:00:05,000\nSPEAKER_01: Tak\n"
    )
    source = parse_file(write(tmp_path / "x.SRT", text))
    assert source.text == "SPEAKER_00: Hej med dig Godt at se dig\nSPEAKER_01: Tak"
    assert [(t.cue_start, t.cue_end) for t in source.turns] == [(1.0, 4.0), (4.0, 5.0)]
    assert_offsets(source)


@pytest.mark.parametrize(
    "timing",
    ["00:00:01,000 -> 00:00:02,000", "00:00:01,000 --> 00:0x:02,000", "00:00:05,000 --> 00:00:02,000", "1:2:3"],
)
def test_malformed_timing(tmp_path: Path, timing: str) -> None:
    path = write(tmp_path / "bad.srt", f"1\n00:00:00,000 --> 00:00:01,000\nok\n\n2\n{timing}\ntekst\n")
    with pytest.raises(TrivselError) as info:
        parse_file(path)
    assert str(info.value).startswith(f"{path}:6:")


# --------------------------------------------------------------------------- CSV / XLSX


def test_csv_semicolon_cp1252_and_attributes(tmp_path: Path) -> None:
    text = (
        "Respondent;Køn;Alder;Bibliotek;Svar;Uddannelse\r\n"
        'A1;kvinde;67;Holstebro;"Jeg kommer her, fordi\r\nder er ro";lærer\r\n'
        "A2;mand;40;Viborg;;\r\n"
        "A3;mand;ca. 40;Randers;Et godt sted;\r\n"
        ";;;;;\r\n"
        "A4;;;;   ;\r\n"
    )
    path = write(tmp_path / "svar.csv", text, "cp1252")
    source = parse_file(path, text_column="svar")
    assert source.metadata["kind"] == "survey"
    assert source.text == "A1: Jeg kommer her, fordi\nder er ro\nA3: Et godt sted"
    assert [t.speaker for t in source.turns] == ["A1", "A3"]
    a1, a3 = source.participants
    assert (a1.role, a1.gender, a1.age, a1.site, a1.attributes) == (
        "participant",
        "kvinde",
        67,
        "Holstebro",
        {"Uddannelse": "lærer"},
    )
    assert (a3.age, a3.attributes) == (None, {"Alder": "ca. 40"})
    assert any("2 række(r) uden svar" in w for w in source.warnings)
    assert any("'Alder'" in w for w in source.warnings)
    assert_offsets(source)


def test_csv_comma_and_generated_labels(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", 'gender,svar,age\nkvinde,"Ro, fred og kaffe",30\nmand,Bøger,\n')
    source = parse_file(path, text_column="svar")
    assert [(p.label, p.gender, p.age) for p in source.participants] == [("R1", "kvinde", 30), ("R2", "mand", None)]
    assert source.turns[0].text == "Ro, fred og kaffe"


def test_xlsx(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", "køn", "alder", "library", "Hvad betyder biblioteket for dig?"])
    sheet.append([1, "kvinde", 67.0, "Holstebro", "Et frirum\nuden krav"])
    sheet.append([2, "mand", 41, "Viborg", None])
    sheet.append([3, "mand", "ukendt", None, "Kaffe"])
    path = tmp_path / "svar.xlsx"
    workbook.save(path)
    write(tmp_path / "svar.yaml", "round: 2\ncontext: arrangement\n")
    source = parse_file(path, text_column="hvad betyder biblioteket for dig?")
    assert source.metadata == {"round": 2, "context": "arrangement", "kind": "survey"}
    assert source.text == "1: Et frirum\nuden krav\n3: Kaffe"
    first, third = source.participants
    assert (first.label, first.gender, first.age, first.site) == ("1", "kvinde", 67, "Holstebro")
    assert third.attributes == {"alder": "ukendt"}
    assert_offsets(source)


def test_missing_or_unknown_text_column(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "navn;svar;køn\nA;hej;kvinde\n")
    with pytest.raises(TrivselError) as info:
        parse_file(path)
    assert "'navn', 'svar', 'køn'" in str(info.value)
    with pytest.raises(TrivselError) as info:
        parse_file(path, text_column="answer")
    assert "'answer'" in str(info.value) and "'navn', 'svar', 'køn'" in str(info.value)


# --------------------------------------------------------------------------- errors


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    for name, content in [("empty.txt", b""), ("blank.md", b" \r\n\t\n"), ("bom.txt", codecs.BOM_UTF8)]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(TrivselError, match="er tom"):
            parse_file(path)


def test_binary_file(tmp_path: Path) -> None:
    rng = random.Random(4)
    data = bytes(rng.randrange(256) for _ in range(2000)) + b"\x00\x00\x01\x02"
    path = tmp_path / "data.txt"
    path.write_bytes(data)
    with pytest.raises(TrivselError, match="binær fil"):
        parse_file(path)


def test_bad_front_matter_yaml_reports_file_line(tmp_path: Path) -> None:
    text = "---\ntitle: Interview\nkind: interview\nsite: [Holstebro\nround: 1\n---\nI: Hej\n"
    with pytest.raises(TrivselError) as info:
        parse_file(write(tmp_path / "x.txt", text))
    assert str(info.value).startswith(f"{tmp_path / 'x.txt'}:5: ugyldig YAML")
    text = "---\ntitle: Interview: nummer 3\n---\nI: Hej\n"
    with pytest.raises(TrivselError, match=r"y\.txt:2: ugyldig YAML"):
        parse_file(write(tmp_path / "y.txt", text))


@pytest.mark.parametrize(
    ("front", "line", "words"),
    [
        ("title: x\nkind: podcast\n", 3, "kind 'podcast'"),
        ("context: hjemme\n", 2, "context 'hjemme'"),
        ("round: første\n", 2, "'round'"),
        ("participants:\n  - id: P1\n    alder: gammel\n", 4, "'alder'"),
        ("participants:\n  - id: P1\n  - id: p1\n", 4, "to gange"),
        ("participants:\n  - {id: P1, role: chef}\n", 3, "rolle 'chef'"),
        ("title: a\ntitle: b\n", 3, "to gange"),
        ("- a\n- b\n", 2, "nøgle: værdi"),
    ],
)
def test_bad_metadata_values(tmp_path: Path, front: str, line: int, words: str) -> None:
    path = write(tmp_path / "x.txt", f"---\n{front}---\nI: Hej\n")
    with pytest.raises(TrivselError) as info:
        parse_file(path)
    assert f"x.txt:{line}:" in str(info.value)
    assert words in str(info.value)


def test_unclosed_front_matter_and_no_turns(tmp_path: Path) -> None:
    with pytest.raises(TrivselError, match="aldrig afsluttet"):
        parse_file(write(tmp_path / "a.txt", "---\ntitle: x\nI: Hej\n"))
    with pytest.raises(TrivselError, match="ingen replikker fundet"):
        parse_file(write(tmp_path / "b.txt", "# Noter\nDet var sådan: ingen taler her.\n"))


def test_bad_sidecar_yaml(tmp_path: Path) -> None:
    path = write(tmp_path / "v.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nHej\n")
    write(tmp_path / "v.yaml", "kind: voxpop\nsite: Viborg\n  round: 2\n")
    with pytest.raises(TrivselError) as info:
        parse_file(path)
    assert str(info.value).startswith(f"{tmp_path / 'v.yaml'}:3: ugyldig YAML")
    write(tmp_path / "v.yaml", "round: 1\nkind: tv\n")
    with pytest.raises(TrivselError, match=r"v\.yaml:2: ukendt kind 'tv'"):
        parse_file(path)
    write(tmp_path / "v.yaml", "kind: voxpop\nround: 1\n")
    assert read_sidecar(path) == {"kind": "voxpop", "round": 1}


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = write(tmp_path / "rapport.pdf", "x")
    with pytest.raises(TrivselError) as info:
        parse_file(path)
    for suffix in SUPPORTED_SUFFIXES:
        assert suffix in str(info.value)
    with pytest.raises(TrivselError, match="metadatafil"):
        parse_file(write(tmp_path / "a.yaml", "kind: voxpop\n"))


def test_iter_source_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".skjult").mkdir()
    for name in ["b/2.vtt", "b/2.yaml", "a.TXT", "c.pdf", ".hemmelig.txt", "~$lås.docx", ".skjult/x.txt", "d.csv"]:
        write(tmp_path / name, "x")
    extra = write(tmp_path / "noter.pdf", "x")
    files = iter_source_files([tmp_path, tmp_path / "a.TXT", extra])
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["a.TXT", "b/2.vtt", "d.csv", "noter.pdf"]
    with pytest.raises(TrivselError, match="findes ikke"):
        iter_source_files([tmp_path / "mangler"])
