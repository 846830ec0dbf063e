"""The codebook file: the bundled codebook, validation with positions, files, dump."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trivselkode.config import bundled_codebook
from trivselkode.domain.codebook import (
    RESERVED_SHORTCUTS,
    Codebook,
    CodebookInvalid,
    CodeSpec,
    Problem,
    dump_codebook,
    load_codebook_file,
    validate_codebook_text,
)
from trivselkode.errors import TrivselError
from trivselkode.i18n import language, set_language


@pytest.fixture(autouse=True)
def _english_messages():
    """The messages are asserted in English here (the Danish is their message id; see test_codebook_bilingual)."""
    before = language()
    set_language("en")
    try:
        yield
    finally:
        set_language(before)


THEMES = {
    "T1": "Biblioteket som et psykologisk tryghedssystem",
    "T2": "Et unikt rum for mental ro og kognitiv aflastning",
    "T3": "Lavmælt social resonans – fællesskab uden pres",
    "T4": "Personalet som regulerende varme",
    "T5": "Biblioteket som identitets- og interessefremmende rum",
    "T6": "Arrangementerne som inspirerende mikrobegivenheder",
    "T7": "Lavt pres, høj værdi",
}
PARENTS = {
    "B": None,
    "B.fysiologisk": "B",
    "B.sikkerhed": "B",
    "B.social": "B",
    "B.anerkendelse": "B",
    "B.selvrealisering": "B",
    "B.gennemgribende": "B",
    "B.frihed": "B.gennemgribende",
    "B.aktivitet": "B.gennemgribende",
    "B.vaekst": "B.gennemgribende",
    "B.selvregulering": "B.gennemgribende",
    "L": None,
    "L.positive": "L",
    "L.engagement": "L",
    "L.mening": "L",
    "L.optimisme": "L",
    "L.betydning": "L",
    "M": None,
    "M.fysisk": "M",
    "M.socialt": "M",
    **{key: None for key in THEMES},
}
KINDS = {"T": "tema", "B": "behov", "L": "livskvalitet", "M": "miljø"}
PARENT_CODES = {"B", "B.gennemgribende", "L", "M"}


def problems_of(text: str) -> list[Problem]:
    codebook, problems = validate_codebook_text(text, "cb.yaml")
    assert codebook is None, "a codebook with problems must not be built"
    return problems


def only_problem(text: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def where(problem: Problem) -> tuple[int, int]:
    return problem.line, problem.column


def one_code(*lines: str) -> str:
    """A codebook of one code T1 (name A) with extra field lines, from line 5 on."""
    body = "".join(f"    {line}\n" for line in lines)
    return f"name: X\ncodes:\n  - key: T1\n    name: A\n{body}"


# ------------------------------------------------------------- the bundled codebook


@pytest.fixture(scope="module")
def bundled() -> Codebook:
    text = bundled_codebook().read_text(encoding="utf-8")
    codebook, problems = validate_codebook_text(text, "trivsel.yaml")
    assert problems == []
    assert codebook is not None
    return codebook


def test_bundled_codebook_validates_and_loads(bundled: Codebook) -> None:
    assert bundled.name == "Trivselskodebog"
    assert bundled.version == 1
    assert load_codebook_file(bundled_codebook()) == bundled


def test_bundled_codebook_has_exactly_the_keys_and_parents(bundled: Codebook) -> None:
    assert {c.key: c.parent for c in bundled.codes} == PARENTS
    assert len(bundled.codes) == len(PARENTS)
    # Depth-first file order: a parent comes before its children.
    order = {c.key: c.position for c in bundled.codes}
    assert sorted(order.values()) == list(range(len(bundled.codes)))
    for code in bundled.codes:
        if code.parent:
            assert order[code.parent] < order[code.key]


def test_bundled_themes_have_their_names_and_number_shortcuts(bundled: Codebook) -> None:
    themes = [c for c in bundled.codes if c.kind == "tema"]
    assert [(c.key, c.name, c.shortcut) for c in themes] == [
        (key, name, str(i)) for i, (key, name) in enumerate(THEMES.items(), start=1)
    ]


def test_bundled_codes_are_complete(bundled: Codebook) -> None:
    colors = set()
    for code in bundled.codes:
        assert code.kind == KINDS[code.key[0]], code.key
        for field_name in ("name", "description", "include", "exclude"):
            assert getattr(code, field_name).strip(), f"{code.key} has no {field_name}"
        assert code.keywords, code.key
        assert code.color and re.fullmatch(r"#[0-9a-f]{6}", code.color), code.key
        colors.add(code.color)
        # Keywords are single lower-case lemmas, without repeats.
        for keyword in code.keywords:
            assert keyword == keyword.lower() and " " not in keyword, (code.key, keyword)
        assert len(set(code.keywords)) == len(code.keywords), code.key
    assert len(colors) == len(bundled.codes), "every code needs its own colour"


def test_bundled_themes_have_characteristics_examples_and_enough_keywords(bundled: Codebook) -> None:
    for code in bundled.codes:
        if code.kind == "tema":
            assert len(code.characteristics) >= 3, code.key
            assert 1 <= len(code.examples) <= 2, code.key
            assert 8 <= len(code.keywords) <= 20, code.key


def test_bundled_pervasive_needs_name_play_learning_and_creativity(bundled: Codebook) -> None:
    aktivitet = bundled.get("B.aktivitet")
    vaekst = bundled.get("B.vaekst")
    assert aktivitet is not None and vaekst is not None
    assert "leg" in aktivitet.include.lower()
    assert "læring" in vaekst.include.lower() and "kreativitet" in vaekst.include.lower()


def test_bundled_shortcuts_are_unique_single_and_not_reserved(bundled: Codebook) -> None:
    shortcuts = {}
    for code in bundled.codes:
        if code.key in PARENT_CODES:
            assert code.shortcut is None, code.key
            continue
        assert code.shortcut is not None, f"{code.key} needs a shortcut"
        assert len(code.shortcut) == 1
        assert code.shortcut not in RESERVED_SHORTCUTS
        assert code.shortcut not in shortcuts, (code.key, shortcuts.get(code.shortcut))
        shortcuts[code.shortcut] = code.key
        if code.kind != "tema":
            assert code.shortcut in "890" or code.shortcut.islower(), code.key


def _contrast_on_dark(color: str, background: str = "#1e1e1e") -> float:
    def luminance(hex_color: str) -> float:
        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    return (luminance(color) + 0.05) / (luminance(background) + 0.05)


def test_bundled_colours_are_readable_on_a_dark_terminal(bundled: Codebook) -> None:
    for code in bundled.codes:
        assert code.color is not None
        assert _contrast_on_dark(code.color) >= 4.5, (code.key, code.color)


def test_bundled_codebook_round_trips_through_dump(bundled: Codebook) -> None:
    text = dump_codebook(bundled)
    again, problems = validate_codebook_text(text, "dumped.yaml")
    assert problems == []
    assert again == bundled  # `line` takes no part in equality
    assert [c.line for c in again.codes] != [c.line for c in bundled.codes]
    assert not re.search(r"^\s*children:", text, re.M)  # nested by `parent:` in the dump
    assert "æ" in text or "ø" in text  # allow_unicode: no \xe6 escapes
    assert dump_codebook(again) == text


# ------------------------------------------------------------------ a good file


def test_a_valid_codebook_with_both_kinds_of_nesting() -> None:
    text = (
        "name: Lille\n"
        "version: '2b'\n"
        "codes:\n"
        "  - key: A\n"
        "    name: Alfa\n"
        "    color: '#ABC'\n"
        "    children:\n"
        "      - key: A.1\n"
        "        name: En\n"
        "        shortcut: 8\n"  # an unquoted digit is accepted as the character "8"
        "        parent: A\n"  # the same parent as the nesting says: fine
        "  - key: B\n"
        "    name: Beta\n"
        "    parent: A\n"
        "    keywords: [tryg, tryghed]\n"
    )
    codebook, problems = validate_codebook_text(text)
    assert problems == []
    assert codebook is not None
    assert codebook.version == "2b"
    assert [(c.key, c.parent, c.position, c.line) for c in codebook.codes] == [
        ("A", None, 0, 4),
        ("A.1", "A", 1, 8),
        ("B", "A", 2, 12),
    ]
    assert codebook.codes[0].color == "#aabbcc"
    assert codebook.codes[1].shortcut == "8"
    assert codebook.codes[2].keywords == ["tryg", "tryghed"]
    assert codebook.children_of("A") == codebook.codes[1:]


def test_dump_leaves_out_empty_fields_and_keeps_field_order() -> None:
    codebook = Codebook(
        name="X",
        version=1,
        codes=[
            CodeSpec(key="A", name="Alfa", kind="tema", shortcut="1", color="#112233", keywords=["a"]),
            CodeSpec(key="A.1", name="En\nto", parent="A", position=1, examples=["Hej: du"]),
        ],
    )
    text = dump_codebook(codebook)
    assert "description" not in text and "include" not in text
    first = text.split("- key: A.1")[0]
    assert [line.split(":")[0].strip(" -") for line in first.splitlines()[3:] if line.strip()] == [
        "key",
        "name",
        "kind",
        "shortcut",
        "color",
        "keywords",
    ]
    again, problems = validate_codebook_text(text)
    assert problems == [] and again == codebook


# ---------------------------------------------------------- one test per problem


def test_bad_yaml_syntax_is_reported_at_the_scanner_position() -> None:
    problem = only_problem("name: X\ncodes:\n  - key: T1\n   name: A\n")
    assert where(problem) == (4, 4)
    assert problem.message.startswith("YAML syntax error")
    assert str(problem).startswith("cb.yaml:4:4: YAML syntax error")


def test_tabs_are_reported_with_a_mend() -> None:
    problem = only_problem("name: X\ncodes:\n\t- key: T1\n")
    assert where(problem) == (3, 1)
    assert "spaces, not tabs" in problem.message


def test_a_character_yaml_refuses_is_reported_at_its_position() -> None:
    problem = only_problem("name: X\x01\ncodes: []\n")
    assert where(problem) == (1, 8)
    assert "U+0001" in problem.message


def test_two_yaml_documents_are_refused() -> None:
    problem = only_problem("name: X\n---\nname: Y\n")
    assert where(problem) == (2, 1)
    assert "more than one YAML document" in problem.message


def test_an_empty_file_is_a_problem() -> None:
    assert where(only_problem("")) == (1, 1)
    assert "empty" in only_problem("# only a comment\n").message


def test_top_level_not_a_mapping() -> None:
    problem = only_problem("# codes\n- key: T1\n  name: A\n")
    assert where(problem) == (2, 1)
    assert "must be a mapping" in problem.message


def test_missing_codebook_name() -> None:
    problem = only_problem("version: 1\ncodes:\n  - key: T1\n    name: A\n")
    assert where(problem) == (1, 1)
    assert "`name`" in problem.message


def test_empty_codebook_name() -> None:
    problem = only_problem("name: ''\ncodes:\n  - key: T1\n    name: A\n")
    assert where(problem) == (1, 7)


def test_missing_codes() -> None:
    problem = only_problem("name: X\nversion: 1\n")
    assert where(problem) == (1, 1)
    assert "`codes`" in problem.message


def test_empty_codes() -> None:
    assert where(only_problem("name: X\ncodes: []\n")) == (2, 8)
    assert where(only_problem("name: X\ncodes:\n")) == (2, 1)


def test_codes_not_a_list() -> None:
    problem = only_problem("name: X\ncodes:\n  key: T1\n")
    assert where(problem) == (3, 3)
    assert "must be a list" in problem.message


def test_unknown_top_level_field() -> None:
    problem = only_problem("name: X\ncode: []\ncodes:\n  - key: T1\n    name: A\n")
    assert where(problem) == (2, 1)
    assert "did you mean 'codes'" in problem.message


def test_a_code_that_is_not_a_mapping() -> None:
    problem = only_problem("name: X\ncodes:\n  - key: T1\n    name: A\n  - T2\n")
    assert where(problem) == (5, 5)
    assert "must be a mapping" in problem.message


def test_a_code_without_key() -> None:
    problem = only_problem("name: X\ncodes:\n  - name: A\n    kind: tema\n")
    assert where(problem) == (3, 5)
    assert "no `key`" in problem.message


def test_a_code_without_name() -> None:
    problem = only_problem("name: X\ncodes:\n  - key: T1\n    kind: tema\n")
    assert where(problem) == (3, 5)
    assert "'T1' has no `name`" in problem.message


def test_a_key_that_is_not_a_string() -> None:
    problem = only_problem("name: X\ncodes:\n  - key: 12\n    name: A\n")
    assert where(problem) == (3, 10)
    assert "not a string" in problem.message
    assert where(only_problem("name: X\ncodes:\n  - key: [a]\n    name: A\n")) == (3, 10)


def test_duplicate_yaml_mapping_keys_are_caught() -> None:
    problem = only_problem(one_code("kind: tema", "name: B"))
    assert where(problem) == (6, 5)
    assert "duplicate key 'name'" in problem.message
    assert "line 4" in problem.message
    # Also at the top level, and within nested mappings anywhere.
    problem = only_problem("name: X\nname: Y\ncodes:\n  - key: T1\n    name: A\n")
    assert where(problem) == (2, 1)


def test_duplicate_code_keys() -> None:
    text = "name: X\ncodes:\n  - key: T1\n    name: A\n    children:\n      - key: T1\n        name: B\n"
    problem = only_problem(text)
    assert where(problem) == (6, 14)
    assert "duplicate code key 'T1'" in problem.message and "line 3" in problem.message


def test_duplicate_shortcuts() -> None:
    text = one_code('shortcut: "a"') + "  - key: T2\n    name: B\n    shortcut: a\n"
    problem = only_problem(text)
    assert where(problem) == (8, 15)
    assert "duplicate shortcut 'a'" in problem.message and "'T1'" in problem.message


def test_a_reserved_shortcut_is_rejected_with_its_line() -> None:
    problem = only_problem(one_code("kind: tema", "shortcut: j"))
    assert where(problem) == (6, 15)
    assert "'j'" in problem.message and "reserved by the coding screen" in problem.message


@pytest.mark.parametrize("shortcut", sorted(k for k in RESERVED_SHORTCUTS if len(k) == 1))
def test_every_reserved_character_is_refused(shortcut: str) -> None:
    problem = only_problem(one_code(f"shortcut: {shortcut!r}".replace("'", '"')))
    assert where(problem) == (5, 15)
    assert "reserved" in problem.message


def test_a_shortcut_longer_than_one_character() -> None:
    problem = only_problem(one_code("shortcut: ab"))
    assert where(problem) == (5, 15)
    assert "not a single character" in problem.message
    assert "not a single character" in only_problem(one_code("shortcut: 10")).message
    assert "reserved" in only_problem(one_code("shortcut: enter")).message


def test_an_empty_shortcut() -> None:
    assert where(only_problem(one_code('shortcut: ""'))) == (5, 15)


def test_an_unknown_parent() -> None:
    problem = only_problem(one_code("parent: T9"))
    assert where(problem) == (5, 13)
    assert "unknown parent 'T9'" in problem.message


def test_an_unknown_parent_suggests_a_close_key() -> None:
    text = one_code() + "  - key: B.social\n    name: B\n    parent: T\n"
    assert "unknown parent 'T'" in only_problem(text).message
    text = one_code() + "  - key: B.social\n    name: B\n    parent: t1\n"
    assert "did you mean 'T1'" in only_problem(text).message


def test_a_parent_that_contradicts_the_nesting() -> None:
    text = (
        "name: X\n"
        "codes:\n"
        "  - key: A\n"
        "    name: A\n"
        "    children:\n"
        "      - key: A.x\n"
        "        name: X\n"
        "        parent: B\n"
        "  - key: B\n"
        "    name: B\n"
    )
    problem = only_problem(text)
    assert where(problem) == (8, 17)
    assert "nested under `children` of 'A'" in problem.message


def test_a_cycle_reports_each_code_on_it_once() -> None:
    text = (
        "name: X\n"
        "codes:\n"
        "  - key: A\n"
        "    name: A\n"
        "    parent: C\n"
        "  - key: B\n"
        "    name: B\n"
        "    parent: A\n"
        "  - key: C\n"
        "    name: C\n"
        "    parent: B\n"
        "  - key: D\n"  # hangs below the cycle but is not on it
        "    name: D\n"
        "    parent: A\n"
    )
    problems = problems_of(text)
    assert [where(p) for p in problems] == [(5, 13), (8, 13), (11, 13)]
    assert all("cycle" in p.message for p in problems)
    assert "A → C → B → A" in problems[0].message


def test_a_code_that_is_its_own_parent() -> None:
    problem = only_problem(one_code("parent: T1"))
    assert where(problem) == (5, 13)
    assert "T1 → T1" in problem.message


def test_a_cycle_through_nesting_and_parent() -> None:
    text = (
        "name: X\ncodes:\n  - key: A\n    name: A\n    parent: A.x\n    children:\n      - key: A.x\n        name: X\n"
    )
    problems = problems_of(text)
    assert [where(p) for p in problems] == [(5, 13), (7, 14)]  # A.x has no parent line: its key


def test_a_bad_colour() -> None:
    problem = only_problem(one_code("color: green"))
    assert where(problem) == (5, 12)
    assert "'green'" in problem.message and "#rrggbb" in problem.message
    assert where(only_problem(one_code('color: "#12345"'))) == (5, 12)
    assert where(only_problem(one_code('color: "#ggg"'))) == (5, 12)


def test_an_unquoted_colour_is_a_comment_and_is_reported() -> None:
    problem = only_problem(one_code("color: #2e7d32"))
    assert where(problem) == (5, 12)
    assert "quotes" in problem.message


def test_short_colours_are_expanded_and_lower_cased() -> None:
    codebook, problems = validate_codebook_text(one_code('color: "#A1f"'))
    assert problems == [] and codebook is not None
    assert codebook.codes[0].color == "#aa11ff"


def test_an_unknown_field_in_a_code() -> None:
    problem = only_problem(one_code("keyword: [tryg]"))
    assert where(problem) == (5, 5)
    assert "unknown field 'keyword'" in problem.message and "did you mean 'keywords'" in problem.message


def test_keywords_not_a_list() -> None:
    problem = only_problem(one_code("keywords: tryg, tryghed"))
    assert where(problem) == (5, 15)
    assert "must be a list" in problem.message


@pytest.mark.parametrize("field_name", ["keywords", "examples", "characteristics"])
def test_list_entries_that_are_not_text(field_name: str) -> None:
    problem = only_problem(one_code(f"{field_name}:", "  - tryg", "  - {a: b}"))
    assert where(problem) == (7, 9)
    assert f"`{field_name}`" in problem.message


def test_a_kind_that_is_not_a_string() -> None:
    problem = only_problem(one_code("kind: [tema]"))
    assert where(problem) == (5, 11)
    assert "`kind`" in problem.message
    assert where(only_problem(one_code("kind: 3"))) == (5, 11)


def test_a_text_field_that_is_a_list() -> None:
    problem = only_problem(one_code("description: [a, b]"))
    assert where(problem) == (5, 18)


def test_children_that_are_not_a_list() -> None:
    problem = only_problem(one_code("children: B"))
    assert where(problem) == (5, 15)
    assert "`children`" in problem.message


def test_several_problems_are_all_reported_in_file_order() -> None:
    text = (
        "name: X\n"  # 1
        "codes:\n"  # 2
        "  - key: T1\n"  # 3
        "    name: A\n"  # 4
        "    shortcut: j\n"  # 5  reserved
        '    color: "#zzz"\n'  # 6  bad colour
        "  - key: T1\n"  # 7  duplicate key
        "    name: B\n"  # 8
        "    parent: T9\n"  # 9  unknown parent
        "    keyword: [x]\n"  # 10 unknown field
        "  - name: C\n"  # 11 no key
        "    name: D\n"  # 12 duplicate YAML key
    )
    problems = problems_of(text)
    assert [where(p) for p in problems] == [(5, 15), (6, 12), (7, 10), (9, 13), (10, 5), (11, 5), (12, 5)]
    with pytest.raises(CodebookInvalid) as caught:
        raise CodebookInvalid(problems)
    assert str(caught.value).startswith("cb.yaml:5:15: ")
    assert str(caught.value).endswith("(and 6 more)")


def test_a_bom_and_crlf_line_ends_do_not_shift_positions() -> None:
    text = "\ufeffname: X\r\ncodes:\r\n  - key: T1\r\n    name: A\r\n    shortcut: j\r\n"
    assert where(only_problem(text)) == (5, 15)


# ------------------------------------------------------------------------- files


def test_load_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TrivselError) as caught:
        load_codebook_file(tmp_path / "nope.yaml")
    assert not isinstance(caught.value, CodebookInvalid)
    assert "not found" in str(caught.value) and "nope.yaml" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_load_of_a_folder(tmp_path: Path) -> None:
    with pytest.raises(TrivselError) as caught:
        load_codebook_file(tmp_path)
    assert "folder" in str(caught.value) and "\n" not in str(caught.value)


def test_load_of_a_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    with pytest.raises(TrivselError) as caught:
        load_codebook_file(path)
    assert "binary" in str(caught.value) and "\n" not in str(caught.value)


def test_load_of_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_bytes("name: Trivsel\ncodes:\n  - key: T1\n    name: Tryghed på biblioteket\n".encode("cp1252"))
    with pytest.raises(TrivselError) as caught:
        load_codebook_file(path)
    message = str(caught.value)
    assert "not UTF-8" in message and "line 4" in message and "\n" not in message


def test_load_of_a_utf16_file(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text("name: X\n", encoding="utf-16")
    with pytest.raises(TrivselError) as caught:
        load_codebook_file(path)
    assert "UTF-16" in str(caught.value)


def test_load_of_a_utf8_file_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_bytes("\ufeffname: Bøger\ncodes:\n  - key: T1\n    name: Tryghed\n".encode("utf-8"))
    codebook = load_codebook_file(path)
    assert codebook.name == "Bøger"
    assert codebook.codes[0].name == "Tryghed"


def test_load_of_an_invalid_file_raises_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text(one_code("shortcut: q", "color: red"), encoding="utf-8")
    with pytest.raises(CodebookInvalid) as caught:
        load_codebook_file(path)
    error = caught.value
    assert [where(p) for p in error.problems] == [(5, 15), (6, 12)]
    assert all(p.file == str(path) for p in error.problems)
    assert error.message == f"{path}:5:15: {error.problems[0].message} (and 1 more)"
    assert error.hint is not None and "trivselkode codebook validate" in error.hint
    assert str(path) in error.hint
    assert "\n" not in str(error)
