"""A project whose every text from a file is hostile to a terminal (shared by the CLI and TUI tests).

Its transcript, file (source) name, metadata, participant label and
attributes, code keys, names and descriptions, memos and codebook name carry
escape sequences (window title, clear screen, blink), the 8-bit CSI, bidi
overrides and isolates, and strings Rich would read as markup
(``interview [udkast]``, ``Bøger [fysiske]``, a code named and a code keyed
``[/]``). It is built through the real CLI, as a librarian would build it.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import Cli

TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
BLINK = "\x1b[5m"
CSI8 = "\x9b31m"
RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"
HOSTILE = f"{TITLE} {CLEAR} {BLINK} {CSI8} {RLO}evil{PDF} {LRI}iso{PDI}"
SHOWN = "␛]0;pwned␇ ␛[2J ␛[5m \ufffd31m \ufffdevil\ufffd \ufffdiso\ufffd"

# What must never reach the terminal: C0 but newline and tab, DEL, C1, bidi embeddings/overrides/isolates.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

SOURCE = f"interview [udkast] {BLINK}{RLO}"
SOURCE_SHOWN = "interview [udkast] ␛[5m\ufffd"
LABEL = f"P1 [x] {BLINK}"
PARTICIPANT_SHOWN = "P1 [x] ␛[5m"
BAD_KEY = f"X{CLEAR}"
PADDING = (
    "Jeg kommer her næsten hver uge, og jeg sætter mig altid ved vinduet, hvor lyset falder ind over bordene. "
    "Det er et sted, hvor man kan være i fred, og hvor ingen forventer noget af én. "
) * 3

CODEBOOK = r"""name: "Kodebog [udkast] \e]0;pwned\a"
version: 1
codes:
  - key: T1
    name: "[/]"
    kind: tema
    shortcut: "1"
    description: "Beskrivelse \e[2J med [b]fed[/b], \x9b31m og \u202erevers\u202c"
    include: "Medtag \e[5m"
    exclude: "Udelad \u2066iso\u2069"
    examples: ["Eksempel \e]0;pwned\a"]
  - key: T2
    name: "Bøger [fysiske] \e[5mblink"
    kind: tema
    shortcut: "2"
  - key: "X\e[2J"
    name: "interview [udkast]"
    kind: tema
  - key: "[/]"
    name: "[b]fed[/b]"
    kind: tema
    parent: T1
"""


def _transcript() -> str:
    front = (
        "---\n"
        'title: "Bøger [fysiske] \\e]0;pwned\\a"\n'
        "kind: interview\n"
        'site: "[/] \\e[2J"\n'
        "context: bibliotek\n"
        "participants:\n"
        "  - {id: I, role: interviewer}\n"
        '  - {id: P1, gender: kvinde, age: 48, uddannelse: "[b]lærer[/b] \\e]0;pwned\\a \\u202e"}\n'
        "---\n"
    )
    turns = [
        ("I", f"Hvad betyder biblioteket for dig? {HOSTILE}"),
        ("P1", f"Jeg føler mig tryg her. {HOSTILE} Bøger [fysiske] og [/] er godt. {PADDING}"),
        ("I", "Hvad laver du, når du er her?"),
        ("P1", f"Jeg læser aviser i ro og fred, interview [udkast]. {PADDING}"),
    ]
    return front + "".join(f"{who}: {text}\n" for who, text in turns)


class ColorCli(Cli):
    """The CLI, with ANSI sequences in the output left as they are (click strips some when not on a terminal)."""

    def __call__(self, *args: str, input: str | None = None, coder: str | None = None):
        from trivselkode.cli.main import app

        env = {"COLUMNS": "400", **({"TRIVSELKODE_CODER": coder} if coder else {})}  # wide: no cell is cut
        return self.runner.invoke(
            app, ["--db", str(self.db), *args], input=input, env=env, catch_exceptions=False, color=True
        )


def build_hostile_project(folder: Path) -> dict:
    """The hostile project in ``folder``, built through the real CLI; the CLI on it and what building it printed."""
    cli = ColorCli(folder / "projekt.db")
    (folder / "kb.yaml").write_text(CODEBOOK, encoding="utf-8")
    transcript = folder / f"{SOURCE}.txt"
    transcript.write_text(_transcript(), encoding="utf-8")
    printed = {}
    printed["codebook load"] = cli("codebook", "load", str(folder / "kb.yaml"))
    printed["import"] = cli("import", str(transcript))
    assert printed["import"].exit_code == 0, printed["import"].stderr
    printed["participants set"] = cli(
        "participants", "set", "-s", SOURCE, "-p", "P1", f"label={LABEL}", f"hobby=[i]strik[/i] {TITLE}"
    )
    assert printed["participants set"].exit_code == 0, printed["participants set"].stderr
    for coder, code, memo in [("anne", "T1", f"notat {HOSTILE} [/]"), ("anne", "T2", None), ("bo", "T2", None),
                              ("bo", BAD_KEY, f"bo's notat {CLEAR}"), ("anne", "[/]", None)]:  # fmt: skip
        args = ["codings", "add", "-s", SOURCE, "-p", "2", "-c", code, "--coder", coder]
        result = cli(*args, *(["--memo", memo] if memo else []))
        assert result.exit_code == 0, result.stderr
        printed[f"codings add {coder} {code}"] = result
    for coder in ("anne", "bo"):
        printed[f"done {coder}"] = cli("sources", "done", "-s", SOURCE, "--coder", coder)
    printed["settle"] = cli(
        "consensus", "settle", "-s", SOURCE, "-p", "2", "-c", "T1", "--take", "a", "--coders", "anne,bo", "--by", "anne"
    )
    assert printed["settle"].exit_code == 0, printed["settle"].stderr
    return {"cli": cli, "folder": folder, "db": folder / "projekt.db", "printed": printed}
