"""Speaker labels: no speaker's words hidden in someone else's turn (issue 11).

Parsing with the real parsers, importing into a real SQLite file through the
real CLI (typer's CliRunner) and the real spaCy pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from tests.conftest import Cli, write
from trivselkode.errors import TrivselError
from trivselkode.importers import parse_file
from trivselkode.importers.labels import CANDIDATE, candidate_at, is_speaker_label, parse_note
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Code, Coding, Participant, Passage, Source


def turns_of(source) -> list[tuple[str, str]]:
    return [(t.speaker, t.text) for t in source.turns]


def people(source) -> dict[str, tuple[str, str | None, int | None]]:
    return {p.label: (p.role, p.gender, p.age) for p in source.participants}


def assert_offsets(source) -> None:
    for turn in source.turns:
        assert source.text[turn.start : turn.end] == turn.text


# --------------------------------------------------------------------------- the label forms of the issue

ISSUE_FORMS = """\
---
participants:
  - {id: I, role: interviewer}
---
**I:** Hvad betyder biblioteket for dig?
Mand (70): Det er mit andet hjem.
P2 (kvinde, 34 år): Jeg kommer her hver dag.
Kvinde med barnevogn: Her er roligt.
Deltager 3: Jeg læser aviser.
[I]: Tak for det.
Interviewer (Mette): Og hvad med dig?
**P2**: Mig igen.
"""


def test_every_label_form_of_the_issue_is_a_turn(tmp_path: Path) -> None:
    source = parse_file(write(tmp_path / "a.txt", ISSUE_FORMS))
    assert turns_of(source) == [
        ("I", "Hvad betyder biblioteket for dig?"),
        ("Mand (70)", "Det er mit andet hjem."),
        ("P2", "Jeg kommer her hver dag."),
        ("Kvinde med barnevogn", "Her er roligt."),
        ("Deltager 3", "Jeg læser aviser."),
        ("I", "Tak for det."),
        ("Interviewer (Mette)", "Og hvad med dig?"),
        ("P2", "Mig igen."),
    ]
    assert_offsets(source)
    assert people(source) == {
        "I": ("interviewer", None, None),
        "Mand (70)": ("participant", "mand", 70),
        "P2": ("participant", "kvinde", 34),
        "Kvinde med barnevogn": ("participant", "kvinde", None),
        "Deltager 3": ("participant", None, None),
        "Interviewer (Mette)": ("interviewer", None, None),
    }
    # The unknown ones are said, with what was taken from the label.
    assert any("'Mand (70)'" in w and "køn mand og alder 70 fra etiketten" in w for w in source.warnings)
    assert not any("ligner en taleretiket" in w for w in source.warnings)


def test_generic_labels_with_different_notes_are_different_people(tmp_path: Path) -> None:
    text = "I: Hej.\nMand (70): Jeg.\nMand (45): Og jeg.\nKvinde (45): Også mig.\nMand (70): Igen.\n"
    source = parse_file(write(tmp_path / "voxpop.txt", text))
    assert [t.speaker for t in source.turns] == ["I", "Mand (70)", "Mand (45)", "Kvinde (45)", "Mand (70)"]
    assert people(source)["Mand (45)"] == ("participant", "mand", 45)
    assert people(source)["Kvinde (45)"] == ("participant", "kvinde", 45)


def test_metadata_says_otherwise(tmp_path: Path) -> None:
    text = (
        "---\nparticipants:\n  - {id: I, role: interviewer}\n  - {id: P2, gender: mand, age: 40}\n"
        "  - {id: P3, age: 52}\n---\n"
        "I: Hej.\nP2 (kvinde, 34 år): Jeg er en mand på 40 ifølge metadata.\nP3 (kvinde, 60): Alderen står i metadata.\n"
    )
    source = parse_file(write(tmp_path / "a.txt", text))
    assert people(source)["P2"] == ("participant", "mand", 40)
    # What the metadata leaves open, the label fills in.
    assert people(source)["P3"] == ("participant", "kvinde", 52)
    assert source.warnings == []


def test_a_later_label_contradicting_an_earlier_one_is_warned(tmp_path: Path) -> None:
    source = parse_file(write(tmp_path / "a.txt", "I: Hej.\nP2 (kvinde): Ja.\nP2 (mand, 50): Nej.\n"))
    assert people(source)["P2"] == ("participant", "kvinde", 50)
    assert any("a.txt:3" in w and "køn mand" in w and "det første er beholdt" in w for w in source.warnings)


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("70", (None, 70, [])),
        ("kvinde", ("kvinde", None, [])),
        ("kvinde, 34 år", ("kvinde", 34, [])),
        ("K, 34", ("kvinde", 34, [])),
        ("mand 81 år", ("mand", 81, [])),
        ("34-årig; mandlig", ("mand", 34, [])),
        ("Mette", (None, None, ["Mette"])),
        ("pige, 12, Viborg", ("pige", 12, ["Viborg"])),
        ("700", (None, None, ["700"])),
    ],
)
def test_what_a_note_says(note: str, expected: tuple) -> None:
    assert parse_note(note) == expected


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("**I:** Hej", "I"),
        ("**I**: Hej", "I"),
        ("__P1__: Hej", "P1"),
        ("[I]: Hej", "I"),
        ("  Mand (70):  Hej", "Mand (70)"),
        ("P2 (kvinde, 34 år):", "P2 (kvinde, 34 år)"),
        ("**Kvinden ved skranken:** Hej", "Kvinden ved skranken"),
    ],
)
def test_candidate_syntax(line: str, label: str) -> None:
    match = CANDIDATE.match(line)
    assert match is not None
    candidate = candidate_at(match)
    assert candidate is not None and candidate.text == label


@pytest.mark.parametrize("line", ["**I: Hej", "[I: Hej", "I]: Hej", "**I:__ Hej", "kl. 10:30 kom jeg", "https://x.dk"])
def test_no_candidate(line: str) -> None:
    match = CANDIDATE.match(line)
    assert match is None or candidate_at(match) is None


@pytest.mark.parametrize(
    ("label", "accepted"),
    [
        ("Kvinde med barnevogn", True),
        ("Ung mand", True),
        ("Ældre kvinde med stok", True),
        ("Deltager 3", True),
        ("Som det hedder", False),
        ("Bibliotekaren sagde", False),
        ("Ældre mennesker siger", False),
        ("Kvinde med barnevogn og hund", False),
    ],
)
def test_more_label_rules(label: str, accepted: bool) -> None:
    assert is_speaker_label(label) is accepted


# --------------------------------------------------------------------------- false positives and look-alikes

FALSE_POSITIVES = """\
I: Hvad sagde hun?
P1: Hun var så sød.
Det sagde hun: kom bare.
Nej: det gør jeg ikke.
Og så sagde jeg: tak.
Min mor sagde altid: bibliotek er godt.
Så kl. 10:30 gik jeg.
Se https://bibliotek.dk for mere.
(griner) Ja.
"""


def test_sentences_with_a_colon_stay_in_the_turn_without_warnings(tmp_path: Path) -> None:
    source = parse_file(write(tmp_path / "a.txt", FALSE_POSITIVES))
    assert [t.speaker for t in source.turns] == ["I", "P1"]
    assert source.turns[1].text.endswith("(griner) Ja.")
    assert "Det sagde hun: kom bare." in source.turns[1].text
    assert [w for w in source.warnings if "ukendt" not in w] == []


LOOKALIKES = """\
I: Hvad sagde bibliotekaren?
P1: Hun sagde noget.
Anne Marie Holm Jensen: Det var mig, der sagde det.
P1: Ja.
Anne Marie Holm Jensen: Og igen.
"""


def test_a_line_that_looks_like_a_label_is_never_glued_silently(tmp_path: Path) -> None:
    source = parse_file(write(tmp_path / "a.txt", LOOKALIKES))
    assert [t.speaker for t in source.turns] == ["I", "P1", "P1"]
    warned = [w for w in source.warnings if "ligner en taleretiket" in w]
    # One warning for the label, naming its first line and the others.
    assert len(warned) == 1
    assert "a.txt:3: 'Anne Marie Holm Jensen:'" in warned[0]
    assert "også linje 5" in warned[0]
    assert "--speaker-pattern" in warned[0]


@pytest.mark.parametrize(
    ("line", "looks"),
    [
        ("Anne Marie Holm Jensen: Hej.", True),
        ("Kvinde med barnevogn og hund: Hej.", True),
        ("[kvinden ved disken og manden]: Hej.", True),
        ("Pointen er: vi kommer igen.", False),
        ("Bagefter tænkte jeg: nej.", False),
        ("Bibliotekaren sagde: kom bare.", False),
        ("centrale tal: 12 og 14.", False),
        ("Det sagde hun: kom bare.", False),
        ("En af dem fra kommunen sagde dengang: nej.", False),
    ],
)
def test_what_looks_like_a_label(line: str, looks: bool) -> None:
    from trivselkode.importers.labels import looks_like_label

    match = CANDIDATE.match(line)
    assert match is not None
    candidate = candidate_at(match)
    assert not is_speaker_label(candidate.base, wrapped=candidate.wrapped)
    assert looks_like_label(candidate) is looks


def test_a_declared_long_label_is_a_label(tmp_path: Path) -> None:
    text = "---\nparticipants: [I, {id: Anne Marie Holm Jensen, køn: kvinde}]\n---\n" + LOOKALIKES
    source = parse_file(write(tmp_path / "a.txt", text))
    assert [t.speaker for t in source.turns] == ["I", "P1", "Anne Marie Holm Jensen", "P1", "Anne Marie Holm Jensen"]
    assert not any("ligner en taleretiket" in w for w in source.warnings)


def test_only_lookalikes_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TrivselError) as err:
        parse_file(write(tmp_path / "a.txt", "Anne Marie Holm Jensen: Hej.\nKarl Otto Bent Hansen: Hej.\n"))
    assert "'Anne Marie Holm Jensen:' (linje 1) ligner en taleretiket" in str(err.value)


# --------------------------------------------------------------------------- the user's own labels

ARROWS = """\
METTE > Hvad betyder biblioteket for dig?
KAREN > Det er mit frirum.
Det sagde jeg også > til hende.
METTE > Tak.
"""


def test_speaker_pattern_option(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", ARROWS)
    source = parse_file(path, speaker_pattern=r"^(?P<label>[A-ZÆØÅ]+) >")
    assert turns_of(source) == [
        ("METTE", "Hvad betyder biblioteket for dig?"),
        ("KAREN", "Det er mit frirum.\nDet sagde jeg også > til hende."),
        ("METTE", "Tak."),
    ]
    assert_offsets(source)
    with pytest.raises(TrivselError, match="ingen replikker"):
        parse_file(path)


def test_speaker_pattern_in_front_matter_and_sidecar(tmp_path: Path) -> None:
    front = "---\nspeaker_pattern: '^(?P<label>[A-ZÆØÅ]+) >'\nparticipants: [{id: METTE, role: interviewer}]\n---\n"
    source = parse_file(write(tmp_path / "a.txt", front + ARROWS))
    assert [t.speaker for t in source.turns] == ["METTE", "KAREN", "METTE"]
    assert people(source)["METTE"][0] == "interviewer"
    assert "speaker_pattern" not in source.metadata  # an instruction, not a fact about the source
    write(tmp_path / "b.yaml", "speaker_pattern: '^(\\w+) >'\n")
    source = parse_file(write(tmp_path / "b.txt", ARROWS))
    assert [t.speaker for t in source.turns] == ["METTE", "KAREN", "METTE"]


@pytest.mark.parametrize(
    ("pattern", "words"),
    [("^(?P<label>[A-Z", "ikke et gyldigt regulært udtryk"), ("^", "tom linje"), ("(x)?", "tom linje")],
)
def test_bad_speaker_pattern_in_front_matter(tmp_path: Path, pattern: str, words: str) -> None:
    text = f"---\ntitle: x\nspeaker_pattern: '{pattern}'\n---\nI: Hej.\n"
    with pytest.raises(TrivselError) as err:
        parse_file(write(tmp_path / "a.txt", text))
    assert "a.txt:3" in str(err.value) and words in str(err.value)


# --------------------------------------------------------------------------- through the CLI, into a project file


def _stored(db: Path) -> list[tuple[str, str]]:
    project, _ = open_project(str(db))
    try:
        with project.read() as s:
            labels = {p.id: p.label for p in s.exec(select(Participant))}
            return [(labels[p.participant_id], p.text) for p in s.exec(select(Passage).order_by(Passage.number))]
    finally:
        project.dispose()


def test_cli_speaker_pattern_and_bad_pattern(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    cli = Cli(db)
    path = write(tmp_path / "a.txt", ARROWS)
    bad = cli("import", str(path), "--speaker-pattern", "^(?P<label>[A-Z")
    assert bad.exit_code != 0
    assert bad.stderr.strip().splitlines()[-1].startswith("fejl: --speaker-pattern:")
    assert "Traceback" not in bad.output
    assert not db.exists()  # nothing opened, nothing written
    ok = cli("import", str(path), "--speaker-pattern", r"^(?P<label>[A-ZÆØÅ]+) >")
    assert ok.exit_code == 0, ok.stderr
    assert [speaker for speaker, _ in _stored(db)] == ["METTE", "KAREN", "METTE"]


def test_reimport_prints_no_warnings_and_a_new_pattern_resplits(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    cli = Cli(db)
    assert cli("init").exit_code == 0
    text = "I: Hvem er du?\nP1: Jeg hedder Anne.\nANNE MARIE >> Og jeg er Anne Marie.\nP1: Ja.\n"
    path = write(tmp_path / "samtale.txt", text)
    first = cli("import", str(path))
    assert first.exit_code == 0, first.stderr
    assert "advarsel" in first.stderr  # P1 and I undeclared
    again = cli("import", str(path))
    assert again.exit_code == 0
    assert again.stderr.strip() == ""
    assert "uændret" in again.stdout
    # Coded, then imported again with the user's pattern: the turns split, the coding moves along.
    coded = cli("codings", "add", "--source", "samtale", "--passage", "2", "--code", "T1", "--coder", "ole")
    assert coded.exit_code == 0, coded.stderr
    glued = "Jeg hedder Anne.\nANNE MARIE >> Og jeg er Anne Marie."
    a = glued.index("Og jeg")
    args = ["--start", str(a), "--end", str(a + len("Og jeg er Anne Marie"))]
    coded = cli("codings", "add", "--source", "samtale", "--passage", "2", "--code", "T2", "--coder", "ole", *args)
    assert coded.exit_code == 0, coded.stderr
    resplit = cli("import", str(path), "--speaker-pattern", r"^(?P<label>[A-ZÆØÅ ]+) >>", "--format", "json")
    assert resplit.exit_code == 0, resplit.stderr
    doc = json.loads(resplit.stdout)
    assert doc["files"][0]["status"] == "revised"
    assert "replikkerne er delt anderledes" in resplit.stderr
    assert _stored(db) == [
        ("I", "Hvem er du?"),
        ("P1", "Jeg hedder Anne."),
        ("ANNE MARIE", "Og jeg er Anne Marie."),
        ("P1", "Ja."),
    ]
    project, _ = open_project(str(db))
    try:
        with project.read() as s:
            placed = s.exec(
                select(Passage.number, Code.key, Coding.start, Coding.end)
                .join(Coding, Coding.passage_id == Passage.id)
                .join(Code, Coding.code_id == Code.id)
                .order_by(Code.key)
            ).all()
    finally:
        project.dispose()
    # The whole-passage coding stays with P1's turn, the sub-span moves to Anne Marie's.
    assert placed == [(2, "T1", None, None), (3, "T2", 0, len("Og jeg er Anne Marie"))]
    assert doc["files"][0]["unplaced"] == []
    assert "ligger på den første del med samme taler" in resplit.stderr
    # And now the same again is unchanged and quiet.
    quiet = cli("import", str(path), "--speaker-pattern", r"^(?P<label>[A-ZÆØÅ ]+) >>")
    assert quiet.exit_code == 0 and quiet.stderr.strip() == ""


def test_cli_lookalike_warning_names_file_and_line(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    path = write(tmp_path / "a.txt", LOOKALIKES)
    result = Cli(db)("import", str(path))
    assert result.exit_code == 0
    assert f"advarsel: {path}:3: 'Anne Marie Holm Jensen:' ligner en taleretiket" in result.stderr
    project, _ = open_project(str(db))
    try:
        with project.read() as s:
            assert s.exec(select(Source.name)).all() == ["a"]
    finally:
        project.dispose()
