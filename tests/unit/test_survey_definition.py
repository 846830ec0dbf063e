"""The questionnaire definition (SPEC §7b): the YAML's keys, and every mistake at its file, line and column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trivselkode.domain.survey_definition import (
    Dimension,
    SurveyDefinition,
    SurveyDefinitionInvalid,
    load_definition,
    parse_definition,
)
from trivselkode.errors import TrivselError

# The example of SPEC §7b, word for word.
SPEC_EXAMPLE = """\
title: Brugeres oplevelser af biblioteket
scale: {min: 1, max: 5}
respondent: id                 # column with the respondent's id
round: runde                   # optional: column with the round
attributes:                    # optional: column -> standard attribute
  bibliotek: site
  køn: gender
  alder: age
open_answers: [svar]           # optional: columns with open answers
missing: ["", "ved ikke", "9"] # values that mean "no answer"
reverse: [q6]                  # optional: items scored max + min - x
dimensions:
  - key: tryghed
    name: Tryghed
    name_en: Safety            # optional
    items: [q1, q2, q3]
  - key: orientering
    name: At finde rundt og orientere sig
    items: [q4, q5, q6]
"""


def test_the_spec_example_reads_as_written():
    d = parse_definition(SPEC_EXAMPLE, "skema.yaml")
    assert d.title == "Brugeres oplevelser af biblioteket"
    assert (d.scale_min, d.scale_max) == (1, 5)
    assert d.respondent == "id" and d.round == "runde"
    assert d.attributes == {"bibliotek": "site", "køn": "gender", "alder": "age"}
    assert d.open_answers == ("svar",)
    assert d.missing == ("", "ved ikke", "9")
    assert d.reverse == ("q6",)
    assert d.dimensions == (
        Dimension("tryghed", "Tryghed", "Safety", ("q1", "q2", "q3")),
        Dimension("orientering", "At finde rundt og orientere sig", "", ("q4", "q5", "q6")),
    )
    assert d.items == ("q1", "q2", "q3", "q4", "q5", "q6")


def test_only_the_required_keys_make_a_definition():
    text = "title: T\nscale: {min: 0, max: 10}\nrespondent: id\nmissing: []\ndimensions:\n  - {key: a, name: A, items: [x]}\n"
    d = parse_definition(text, "f.yaml")
    assert d.round is None and d.attributes == {} and d.open_answers == () and d.reverse == () and d.missing == ()
    assert (d.scale_min, d.scale_max) == (0, 10)


def test_json_round_trip_keeps_every_field():
    d = parse_definition(SPEC_EXAMPLE, "skema.yaml")
    import json

    assert SurveyDefinition.from_dict(json.loads(json.dumps(d.to_dict()))) == d


def test_dimension_lookup_and_label():
    d = parse_definition(SPEC_EXAMPLE, "skema.yaml")
    assert d.dimension("tryghed").name == "Tryghed"
    assert d.dimension("TRYGHED").key == "tryghed"
    assert d.dimension("tryghed").label("en") == "Safety"
    assert d.dimension("tryghed").label("da") == "Tryghed"
    assert d.dimension("orientering").label("en") == "At finde rundt og orientere sig"  # no English: the Danish
    with pytest.raises(TrivselError) as err:
        d.dimension("tryhed")
    assert "tryghed" in str(err.value) and "orientering" in str(err.value)


def test_missing_texts_compare_after_strip_and_casefold():
    d = parse_definition(SPEC_EXAMPLE, "skema.yaml")
    assert d.is_missing("  Ved Ikke ") and d.is_missing("9") and d.is_missing("") and d.is_missing("   ")
    assert not d.is_missing("3") and not d.is_missing("ved ikke noget")


def _one_line(text: str) -> str:
    with pytest.raises(SurveyDefinitionInvalid) as err:
        parse_definition(text, "skema.yaml")
    message = str(err.value)
    assert "\n" not in message
    return message


# (what is changed in the SPEC example, the line:column of the problem, a piece of its message)
BAD = [
    ("title: Brugeres", "titel: Brugeres", "1:1", "ukendt nøgle 'titel'"),
    ("title: Brugeres oplevelser af biblioteket", "title:", "1:1", "`title` er tom"),
    ("title: Brugeres oplevelser af biblioteket", "title: [a, b]", "1:8", "skal være en tekst"),
    ("scale: {min: 1, max: 5}", "scale: 5", "2:8", "`scale` er '5'"),
    (
        "scale: {min: 1, max: 5}",
        "scale: {min: 5, max: 1}",
        "2:22",
        "`scale.max` (1) skal være større end `scale.min` (5)",
    ),
    ("scale: {min: 1, max: 5}", "scale: {min: 3, max: 3}", "2:22", "større end"),
    ("scale: {min: 1, max: 5}", "scale: {min: 1, max: fem}", "2:22", "`scale.max` er 'fem', men skal være et helt tal"),
    ("scale: {min: 1, max: 5}", "scale: {min: 1.5, max: 5}", "2:14", "`scale.min` er '1.5'"),
    ("scale: {min: 1, max: 5}", "scale: {min: 1}", "2:8", "`scale` mangler `max`"),
    ("scale: {min: 1, max: 5}", "scale: {min: 1, max: 5, step: 1}", "2:25", "ukendt nøgle 'step' i `scale`"),
    ("scale: {min: 1, max: 5}", "scale: {min: 1, max: 500}", "2:22", "over 101 trin"),
    ("respondent: id ", "respondent: [id] ", "3:13", "`respondent` skal være et kolonnenavn"),
    ("  køn: gender", "  køn: sex", "7:8", "kolonnen 'køn' er knyttet til 'sex'"),
    ("  køn: gender", "  køn: site", "7:8", "to kolonner er knyttet til site"),
    ("attributes:   ", "attributes: [bibliotek]\nx:   ", "5:13", "`attributes` er en liste"),
    ("open_answers: [svar]", "open_answers: svar", "9:15", "`open_answers` er 'svar', men skal være en liste"),
    (
        "open_answers: [svar]",
        "open_answers: [svar, q2]",
        "16:17",
        "kolonnen 'q2' er både et åbent svar og et spørgsmål",
    ),
    ("round: runde", "round: køn", "7:3", "kolonnen 'køn' er både runden og attributten gender"),
    (
        "    items: [q1, q2, q3]",
        "    items: [id, q2, q3]",
        "16:13",
        "kolonnen 'id' er både respondentens id og et spørgsmål",
    ),
    (
        "    items: [q4, q5, q6]",
        "    items: [q4, q1, q6]",
        "19:17",
        "kolonnen 'q1' er både et spørgsmål i dimensionen 'tryghed'",
    ),
    ("    items: [q4, q5, q6]", "    items: [q4, Q1, q6]", "19:17", "kolonnen 'Q1' er både"),
    ("    items: [q4, q5, q6]", "    items: [q4, q5, q6, q5]", "19:25", "kolonnen 'q5' er både"),
    ("reverse: [q6]", "reverse: [q9]", "11:11", "det omvendte spørgsmål 'q9' står ikke i nogen dimension"),
    ("reverse: [q6]", "reverse: q6", "11:10", "`reverse` er 'q6', men skal være en liste"),
    ("key: orientering", "key: tryghed", "17:5", "dimensionen 'tryghed' står to gange (første gang på linje 13)"),
    ("    items: [q1, q2, q3]", "    items: []", "16:5", "dimensionen 'tryghed' har ingen spørgsmål"),
    ("    name: Tryghed\n", "", "13:5", "dimensionen mangler `name`"),
    ("    name_en: Safety            # optional", "    farve: rød", "15:5", "ukendt nøgle 'farve' i en dimension"),
    ("  - key: tryghed", "  - kee: tryghed", "13:5", "ukendt nøgle 'kee' i en dimension (mente du 'key'?)"),
    ('missing: ["", "ved ikke", "9"] # values that mean "no answer"\n', "", "1:1", "definitionen mangler `missing`"),
    ('missing: ["", "ved ikke", "9"]', "missing: [[1]]", "10:11", "et punkt i `missing` er en liste"),
    ("title: Brugeres", "title: Brugeres\ntitle: igen\n#", "2:1", "nøglen 'title' står to gange"),
    ("scale: {min: 1, max: 5}", "scale: {min: 1, max: 5", "3:11", "YAML-syntaksfejl"),
    ("respondent: id ", "\trespondent: id ", "3:1", "YAML-syntaksfejl"),
]


@pytest.mark.parametrize(("old", "new", "where", "said"), BAD, ids=[f"{b[2]}-{b[3][:30]}" for b in BAD])
def test_each_mistake_is_one_line_at_its_place(old: str, new: str, where: str, said: str):
    assert old in SPEC_EXAMPLE, old
    message = _one_line(SPEC_EXAMPLE.replace(old, new, 1))
    assert message.startswith(f"skema.yaml:{where}: "), message
    assert said in message, message


# Without the reverse item (whose dimension these break): one line up from line 12 on.
NO_REVERSE = SPEC_EXAMPLE.replace("reverse: [q6]                  # optional: items scored max + min - x\n", "")
BAD_DIMENSIONS = [
    ("    items: [q4, q5, q6]\n", "", "16:5", "dimensionen mangler `items`"),
    ("dimensions:\n", "dimensions: []\nx:\n", "11:1", "`dimensions` er tom"),
    ("dimensions:\n", "dimensions:\n", "11:1", "`dimensions` er tom"),
    ("dimensions:\n", "dimensions:\n  - tryghed\nx:\n", "12:5", "en dimension er 'tryghed'"),
]


@pytest.mark.parametrize(("old", "new", "where", "said"), BAD_DIMENSIONS)
def test_each_mistake_in_the_dimensions_is_one_line_at_its_place(old: str, new: str, where: str, said: str):
    assert old in NO_REVERSE, old
    text = NO_REVERSE.replace(old, new, 1)
    if new == "dimensions:\n":  # every dimension taken away
        text = text[: text.index("dimensions:\n") + len("dimensions:\n")]
    message = _one_line(text)
    assert message.startswith(f"skema.yaml:{where}: "), message
    assert said in message, message


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "spørgeskemadefinitionen er tom"),
        ("# kun en kommentar\n---\n", "spørgeskemadefinitionen er tom"),
        ("- a\n- b\n", "øverste niveau er en liste"),
        ("a: &x [*x]\n", "henviser til den værdi, det selv står i"),
        ("a: " + "[" * 300 + "]" * 300 + "\n", "indlejret"),
    ],
)
def test_a_document_that_is_no_definition_is_told(text: str, said: str):
    message = _one_line(text)
    assert re.match(r"skema\.yaml:\d+:\d+: ", message) and said in message, message


def test_every_problem_is_kept_and_counted():
    text = SPEC_EXAMPLE.replace("titel", "x").replace("title:", "titel:").replace("reverse: [q6]", "reverse: [q9]")
    with pytest.raises(SurveyDefinitionInvalid) as err:
        parse_definition(text, "skema.yaml")
    problems = [str(p) for p in err.value.problems]
    assert len(problems) == 3  # the unknown key, the missing title, the unknown reverse item
    assert str(err.value).startswith(problems[0]) and "(og 2 til)" in str(err.value)


def test_load_definition_reads_utf8_with_bom_and_crlf(tmp_path: Path):
    path = tmp_path / "skema.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SPEC_EXAMPLE.replace("\n", "\r\n").encode("utf-8"))
    assert load_definition(path) == parse_definition(SPEC_EXAMPLE, "x")


def test_load_definition_names_the_file_in_problems(tmp_path: Path):
    path = tmp_path / "skema.yaml"
    path.write_text(SPEC_EXAMPLE.replace("max: 5", "max: 1"), encoding="utf-8")
    with pytest.raises(TrivselError) as err:
        load_definition(path)
    assert str(err.value).startswith(f"{path}:2:22: ")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "findes ikke"),
        (b"title: \xe6\xf8\xe5\n", "er ikke UTF-8"),
        (b"\x00\x01binary", "er ikke en tekstfil"),
    ],
)
def test_an_unreadable_file_is_one_line(tmp_path: Path, content: bytes | None, said: str):
    path = tmp_path / "skema.yaml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(TrivselError) as err:
        load_definition(path)
    assert said in str(err.value) and "\n" not in str(err.value)
