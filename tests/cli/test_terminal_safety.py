"""Text from files is shown, never obeyed: every command that prints data, on a hostile project.

The project's transcript, file (source) name, metadata, participant label and
attributes, code keys, names and descriptions, memos and codebook name carry
escape sequences (window title, clear screen, blink), the 8-bit CSI, bidi
overrides and isolates, and strings Rich would read as markup. Every command
that prints them is run through the real CLI, and its standard output and
standard error are checked: no control or bidi character reaches the
terminal, and the names are shown literally. The runner keeps ANSI sequences
(``color=True``): click would otherwise strip some of them on its own and hide
a leak.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile import (
    BLINK,
    CLEAR,
    CODEBOOK,
    CSI8,
    FORBIDDEN,
    HOSTILE,
    PARTICIPANT_SHOWN,
    RLO,
    SHOWN,
    SOURCE,
    SOURCE_SHOWN,
    TITLE,
    ColorCli,
    build_hostile_project,
)


def assert_inert(result, *literals: str) -> str:
    """No control or bidi character in standard output or error; the literals shown; the text of both."""
    shown = result.stdout + result.stderr
    leaked = FORBIDDEN.findall(shown)
    assert not leaked, f"{leaked!r} reached the terminal in:\n{shown}"
    assert "Traceback" not in shown
    for literal in literals:
        assert literal in shown, f"{literal!r} is not shown in:\n{shown}"
    return shown


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return build_hostile_project(tmp_path_factory.mktemp("hostile"))


def test_building_the_project_printed_nothing_live(hostile: dict) -> None:
    for what, result in hostile["printed"].items():
        assert result.exit_code == 0, (what, result.stderr)
        assert_inert(result)
    assert_inert(hostile["printed"]["import"], SOURCE_SHOWN)
    assert_inert(hostile["printed"]["codebook load"], "Kodebog [udkast] ␛]0;pwned␇")


def test_import_keeps_the_text_as_it_was(hostile: dict) -> None:
    """What is stored is the file's text: offsets into it stay exact; only the showing is inert."""
    rows = hostile["cli"].json("sources", "list")
    assert [r["name"] for r in rows] == [SOURCE]
    assert rows[0]["title"] == "Bøger [fysiske] " + TITLE
    exported = hostile["cli"].json("codings", "export")
    assert {r["memo"] for r in exported} >= {f"notat {HOSTILE} [/]"}


@pytest.mark.parametrize(
    "args, literals",
    [
        (["status"], [SOURCE_SHOWN, "Kodebog [udkast] ␛]0;pwned␇", "[/] ␛[2J"]),
        ([], [SOURCE_SHOWN]),  # no command and no terminal: the printed overview
        (["codebook", "show"], ["[/]", "Bøger [fysiske] ␛[5mblink", "X␛[2J", "interview [udkast]"]),
        (["codebook", "export"], ["[/]", "Bøger [fysiske]"]),
        (["sources", "list"], [SOURCE_SHOWN, "[/] ␛[2J"]),
        (["participants", "list"], [PARTICIPANT_SHOWN, "[b]lærer[/b] ␛]0;pwned␇", "[i]strik[/i]"]),
        (["participants", "list", "-s", SOURCE], [PARTICIPANT_SHOWN]),
        (["agreement"], ["[/]", "X␛[2J"]),
        (["agreement", "--all"], ["[/]", "X␛[2J"]),
        (["agreement", "--format", "csv"], ["[/]", "X␛[2J"]),
        (["agreement", "--methods"], ["[/]"]),
        (["disagreements", "--coders", "anne,bo"], [SOURCE_SHOWN, SHOWN, "[/]", "X␛[2J"]),
        (["disagreements", "--coders", "anne,bo", "--code", "T1"], [SOURCE_SHOWN]),
        (["consensus", "list"], [SOURCE_SHOWN]),
        (["report", "frequencies"], ["[/]", "Bøger [fysiske] ␛[5mblink", "X␛[2J"]),
        (["report", "frequencies", "--codes", "T1,T2", "--by", "site,gender"], ["[/] ␛[2J"]),
        (["report", "frequencies", "--format", "md"], ["[/]", "Bøger [fysiske] ␛[5mblink"]),
        (["report", "frequencies", "--format", "csv"], ["[/]", "Bøger [fysiske] ␛[5mblink"]),
        (["report", "cooccurrence", "--rows", "tema", "--cols", "tema"], ["[/]", "X␛[2J"]),
        (["report", "cooccurrence", "--rows", "tema", "--cols", "tema", "--format", "md"], ["[/]", "X␛[2J"]),
        (["report", "matrix", "--format", "csv"], [SOURCE_SHOWN, "X␛[2J"]),
        (["report", "quotes", "--min-words", "1"], ["[/]", "␛[2J", "Bøger [fysiske]"]),
        (["report", "quotes", "--min-words", "1", "--format", "csv"], ["[/]"]),
        (["report", "quotes", "--min-words", "1", "--format", "html"], []),
        (["codings", "export"], [SOURCE_SHOWN, "notat " + SHOWN + " [/]", "X␛[2J"]),
        (["codings", "unplaced"], []),
    ],
)
def test_every_command_shows_data_inert_and_literally(hostile: dict, args: list[str], literals: list[str]) -> None:
    result = hostile["cli"](*args)
    assert result.exit_code == 0, result.stderr
    assert_inert(result, *literals)


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["codebook", "show"],
        ["sources", "list"],
        ["participants", "list"],
        ["agreement"],
        ["disagreements", "--coders", "anne,bo"],
        ["consensus", "list"],
        ["codings", "export"],
        ["report", "frequencies", "--by", "site"],
        ["report", "quotes", "--min-words", "1"],
    ],
)
def test_json_escapes_them_and_keeps_the_data_exact(hostile: dict, args: list[str]) -> None:
    result = hostile["cli"](*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert_inert(result)
    document = json.loads(result.stdout)
    flat = json.dumps(document, ensure_ascii=False)
    assert any(ch in flat for ch in (TITLE, CLEAR, BLINK, CSI8, RLO, "[/]")), flat  # the data, exactly as stored
    if any(ch in flat for ch in ("\x9b", RLO)):
        assert "\\u009b" in result.stdout or "\\u202e" in result.stdout


def test_a_file_written_with_out_keeps_the_bytes(hostile: dict) -> None:
    out = hostile["folder"] / "kodninger.csv"
    result = hostile["cli"]("codings", "export", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert_inert(result)
    assert f"notat {HOSTILE} [/]" in out.read_text(encoding="utf-8")


def test_errors_and_usage_lines_that_quote_data_are_inert(hostile: dict) -> None:
    cli = hostile["cli"]
    missing = cli("codings", "add", "-s", f"ukendt {CLEAR}[/]", "-p", "1", "-c", "T1", "--coder", "anne")
    assert missing.exit_code == 1
    assert_inert(missing, "fejl:", "ukendt ␛[2J[/]")
    bad_coder = cli("codings", "add", "-s", SOURCE, "-p", "2", "-c", "T1", "--coder", f"an{TITLE}ne")
    assert bad_coder.exit_code != 0
    assert_inert(bad_coder, "fejl:", "an␛]0;pwned␇ne")
    unknown = cli(f"stat{CLEAR}us")
    assert unknown.exit_code == 2
    assert_inert(unknown, "ukendt kommando: stat␛[2Jus")
    option = cli("status", f"--for{CSI8}mat")
    assert option.exit_code == 2
    assert_inert(option, "ukendt tilvalg")


def test_codebook_validate_shows_the_problems_inert(tmp_path: Path) -> None:
    book = tmp_path / f"kb {CLEAR}.yaml"
    book.write_text(CODEBOOK + '  - key: T1\n    name: "igen \\e[5m"\n    kind: tema\n', encoding="utf-8")
    result = ColorCli(tmp_path / "p.db")("codebook", "validate", str(book))
    assert result.exit_code == 1
    assert_inert(result, "kb ␛[2J.yaml")


def test_refi_import_summary_and_import_warnings_are_inert(hostile: dict, tmp_path: Path) -> None:
    qdpx = tmp_path / "projekt.qdpx"
    exported = hostile["cli"]("refi", "export", str(qdpx))
    assert exported.exit_code == 0, exported.stderr
    assert_inert(exported)
    other = ColorCli(tmp_path / "andet.db")
    result = other("refi", "import", str(qdpx))
    assert result.exit_code == 0, result.stderr
    assert_inert(result, SOURCE_SHOWN)
    again = other("import", str(hostile["folder"] / f"{SOURCE}.txt"))
    assert_inert(again, SOURCE_SHOWN)


def test_import_warnings_quote_the_file_inert(tmp_path: Path) -> None:
    name = tmp_path / f"tom {TITLE}[udkast].txt"
    name.write_text("", encoding="utf-8")
    result = ColorCli(tmp_path / "p.db")("import", str(name))
    assert_inert(result, "tom ␛]0;pwned␇[udkast]")
