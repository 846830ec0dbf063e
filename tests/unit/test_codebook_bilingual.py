"""The bilingual codebook: English beside the Danish in the file, the project, the export and the helpers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli
from trivselkode.config import bundled_codebook
from trivselkode.domain.codebook import (
    Codebook,
    CodeSpec,
    dump_codebook,
    load_codebook_file,
    validate_codebook_text,
)
from trivselkode.domain.codebook_lang import (
    ALL_FIELDS,
    WARN_MAX_KEYS,
    code_characteristics,
    code_definition,
    code_examples,
    code_exclude,
    code_include,
    code_name,
    is_translated,
    localized_names,
    missing_translation_warning,
    missing_translations,
)
from trivselkode.i18n import language, set_language
from trivselkode.storage.codebook import code_rows, code_texts, codebook_of_project, load_codebook
from trivselkode.storage.codebook_ops import update_code_details
from trivselkode.storage.db import open_project


@pytest.fixture
def english():
    before = language()
    set_language("en")
    try:
        yield
    finally:
        set_language(before)


@pytest.fixture
def danish():
    before = language()
    set_language("da")
    try:
        yield
    finally:
        set_language(before)


BOOK = """\
name: To sprog
version: 1
codes:
  - key: T1
    name: Tryghed
    name_en: Safety
    description: Biblioteket som tryghedssystem
    definition_en: The library as a safety system
    include: At føle sig velkommen
    include_en: Feeling welcome
    exclude: Ro kodes T2
    exclude_en: Calm is coded T2
    characteristics: [Ingen blikke]
    characteristics_en: [No looks]
    examples:
      - "Jeg føler mig velkommen."
    examples_en:
      - "I feel welcome."
  - key: T2
    name: Ro
    description: Mental ro
"""


def only_problem(text: str):  # noqa: ANN201
    codebook, problems = validate_codebook_text(text, "cb.yaml")
    assert codebook is None and len(problems) == 1, problems
    return problems[0]


# ----------------------------------------------------------------------------- the bundled codebook


def test_the_bundled_codebook_has_english_for_every_code_and_field():
    book = load_codebook_file(bundled_codebook())
    assert missing_translations(book.codes, "en", ALL_FIELDS) == []
    for code in book.codes:
        assert code.name_en and (code.name_en != code.name or code.key == "L.engagement"), code.key
        assert code.definition_en and code.definition_en != code.description, code.key
        assert code.include_en and code.exclude_en, code.key
        assert len(code.examples_en) == len(code.examples), code.key
        assert len(code.characteristics_en) == len(code.characteristics), code.key
        for text in (code.name_en, code.definition_en, code.include_en, code.exclude_en, *code.examples_en):
            assert not set("æøåÆØÅ") & set(text), (code.key, text)  # English, not Danish left behind
    themes = {c.key: c.name_en for c in book.codes if c.kind == "tema"}
    assert themes["T1"] == "The library as a psychological safety system"
    assert themes["T7"] == "Low pressure, high value"
    assert book.get("B.selvrealisering").name_en == "Self-realisation needs"  # British spelling


# ------------------------------------------------------------------------------------ the file


def test_the_english_fields_are_read_and_written_back():
    book, problems = validate_codebook_text(BOOK, "cb.yaml")
    assert problems == [] and book is not None
    t1 = book.get("T1")
    assert (t1.name_en, t1.definition_en, t1.include_en, t1.exclude_en) == (
        "Safety",
        "The library as a safety system",
        "Feeling welcome",
        "Calm is coded T2",
    )
    assert t1.characteristics_en == ["No looks"] and t1.examples_en == ["I feel welcome."]
    assert book.get("T2").name_en == "" and book.get("T2").examples_en == []
    text = dump_codebook(book)
    assert validate_codebook_text(text)[0] == book
    lines = [line.strip().split(":")[0] for line in text.splitlines() if line.startswith("    ") and ":" in line]
    # Each English field right after its Danish one.
    assert lines[:4] == ["name", "name_en", "description", "definition_en"]
    assert "name_en" not in text.split("key: T2", 1)[1]  # empty English is left out


def test_description_en_is_read_as_definition_en():
    book, problems = validate_codebook_text(BOOK.replace("definition_en:", "description_en:"), "cb.yaml")
    assert problems == [] and book.get("T1").definition_en == "The library as a safety system"
    assert "description_en" not in dump_codebook(book) and "definition_en" in dump_codebook(book)


def test_both_names_of_the_definition_are_a_problem_at_their_place(english):
    text = BOOK.replace("    definition_en: The", "    description_en: x\n    definition_en: The")
    problem = only_problem(text)
    assert (problem.line, problem.column) == (8, 5)
    assert "`description_en`" in problem.message and "same field" in problem.message


def test_a_bad_english_field_is_reported_with_file_line_and_column(english):
    problem = only_problem(BOOK.replace("name_en: Safety", "name_en: [Safety]"))
    assert str(problem).startswith("cb.yaml:6:14: ")
    assert "`name_en` is a list, but it must be text" in problem.message
    problem = only_problem(
        BOOK.replace("examples_en:\n", "examples_en: I feel welcome\n").replace('      - "I feel welcome."\n', "")
    )
    assert "`examples_en` of code 'T1'" in problem.message and "list of texts" in problem.message
    problem = only_problem(BOOK.replace("name_en:", "nme_en:"))
    assert "did you mean 'name_en'" in problem.message


def test_validation_speaks_danish_by_default(danish):
    problem = only_problem(BOOK.replace("name_en:", "nme_en:"))
    assert problem.message.startswith("ukendt felt 'nme_en' i koden 'T1' (mente du 'name_en'?)")
    problem = only_problem("name: X\ncodes:\n  - key: T1\n")
    assert problem.message == "koden 'T1' har intet `name`; tilføj `name:` med dens danske navn"


def test_validation_speaks_english_when_asked(english):
    problem = only_problem("name: X\ncodes:\n  - key: T1\n")
    assert problem.message == "code 'T1' has no `name`; add `name:` with its Danish name"


# ----------------------------------------------------------------------------------- the helpers


def test_texts_in_english_fall_back_to_danish():
    book = validate_codebook_text(BOOK)[0]
    t1, t2 = book.get("T1"), book.get("T2")
    assert code_name(t1, "en") == "Safety" and code_name(t1, "da") == "Tryghed"
    assert code_definition(t1, "en") == "The library as a safety system"
    assert code_include(t1, "en") == "Feeling welcome" and code_exclude(t1, "en") == "Calm is coded T2"
    assert code_examples(t1, "en") == ["I feel welcome."] and code_examples(t1, "da") == ["Jeg føler mig velkommen."]
    assert code_characteristics(t1, "en") == ["No looks"]
    assert code_name(t2, "en") == "Ro" and code_definition(t2, "en") == "Mental ro"  # no English: the Danish
    assert code_examples(t2, "en") == []
    assert localized_names(book.codes, "en") == {"T1": "Safety", "T2": "Ro"}


def test_the_interface_language_is_the_default(english):
    t1 = validate_codebook_text(BOOK)[0].get("T1")
    assert code_name(t1) == "Safety"
    set_language("da")
    assert code_name(t1) == "Tryghed"


def test_a_code_may_be_a_mapping_or_any_object():
    row = {"key": "T1", "name": "Tryghed", "name_en": "Safety", "description": "D"}
    assert code_name(row, "en") == "Safety" and code_definition(row, "en") == "D"

    class Info:  # like analysis.frequencies.CodeInfo: no English attributes at all
        key, name, description = "T9", "Ni", "Ni er ni"

    assert code_name(Info(), "en") == "Ni" and code_examples(Info(), "en") == []
    assert missing_translations([Info(), row], "en") == ["T9"]


def test_missing_translations_names_the_codes_without_english():
    book = validate_codebook_text(BOOK)[0]
    assert missing_translations(book.codes, "en") == ["T2"]
    assert missing_translations(book.codes, "da") == []
    assert missing_translations([*book.codes, book.get("T2")], "en") == ["T2"]  # each once
    assert is_translated(book.get("T1"), "en", ALL_FIELDS)
    t1 = CodeSpec(key="T1", name="Tryghed", name_en="Safety", include="Noget")
    assert is_translated(t1, "en") and not is_translated(t1, "en", ALL_FIELDS)
    assert is_translated(CodeSpec(key="X", name="X", name_en="X"), "en", ALL_FIELDS)  # no Danish text: nothing to miss


def test_the_warning_names_the_codes_in_the_interface_language(danish):
    book = validate_codebook_text(BOOK)[0]
    assert missing_translation_warning(book.codes, "da") is None
    assert missing_translation_warning([book.get("T1")], "en") is None
    warning = missing_translation_warning(book.codes, "en")
    assert warning == "Mangler engelsk oversættelse for: T2 (den danske tekst bruges i stedet)"
    set_language("en")
    assert missing_translation_warning(book.codes, "en") == (
        "No English translation for: T2 (the Danish text is used instead)"
    )
    many = [CodeSpec(key=f"K{n}", name=f"Kode {n}") for n in range(WARN_MAX_KEYS + 3)]
    warning = missing_translation_warning(many, "en")
    assert f"K{WARN_MAX_KEYS - 1} …" in warning and f"K{WARN_MAX_KEYS}" not in warning and "and 3 more" in warning


# ----------------------------------------------------------------------------------- the project


def test_the_project_keeps_both_languages(tmp_path: Path):
    book = validate_codebook_text(BOOK)[0]
    project, _ = open_project(str(tmp_path / "p.db"))
    try:
        report = load_codebook(project, book)
        assert report.added == ["T1", "T2"]
        assert codebook_of_project(project).codes == book.codes
        rows = {r["key"]: r for r in code_rows(project)}
        assert rows["T1"]["name_en"] == "Safety" and rows["T1"]["examples_en"] == ["I feel welcome."]
        assert code_name(code_texts(project)["T1"], "en") == "Safety"
        # Only the English changed: the code is updated.
        changed = Codebook(name=book.name, version=1, codes=[*book.codes])
        changed.codes[1] = CodeSpec(**{**book.codes[1].__dict__, "name_en": "Calm"})
        assert load_codebook(project, changed).updated == ["T2"]
        assert code_texts(project)["T2"].name_en == "Calm"
        assert update_code_details(project, "T2", definition_en="Mental calm", examples_en=["Calm."]) == [
            "definition_en",
            "examples_en",
        ]
        t2 = code_texts(project)["T2"]
        assert (t2.definition_en, t2.examples_en) == ("Mental calm", ["Calm."])
        assert validate_codebook_text(dump_codebook(codebook_of_project(project)))[0] == codebook_of_project(project)
    finally:
        project.dispose()


def test_cli_shows_and_exports_the_english(tmp_path: Path):
    cli = Cli(tmp_path / "p.db")
    assert cli("init").exit_code == 0
    result = cli("--lang", "en", "codebook", "show")
    assert result.exit_code == 0, result.stderr
    assert "Low pressure, high value" in result.stdout and "Lavt pres, høj værdi" not in result.stdout
    assert "No English translation" not in result.stderr
    set_language("da")  # the in-process CLI keeps the language it was last given
    result = cli("codebook", "show")
    assert "Lavt pres, høj værdi" in result.stdout and "Low pressure" not in result.stdout
    rows = json.loads(cli("codebook", "show", "--format", "json").stdout)
    assert rows[0]["name_en"] == "The library as a psychological safety system"
    exported = cli("codebook", "export")
    assert exported.exit_code == 0, exported.stderr
    again = validate_codebook_text(exported.stdout)[0]
    assert again is not None and again.codes == load_codebook_file(bundled_codebook()).codes
