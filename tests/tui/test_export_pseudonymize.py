"""The Eksport screen's Pseudonymisér and Nøglefil: every pseudonymising export from the screen holds no identifier.

The project is imported as in :mod:`tests.cli.test_pseudonymize_exports`
(names in capitals and small letters, CPR and phone numbers in several
layouts, an e-mail address in an attribute, the interviewee's name in the
file name); each export is run through the screen with Pseudonymisér ticked
and searched the same way. The key is written only when a Nøglefil is given,
and a bad one is refused as one line before anything is written.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, Select, SelectionList

from tests.cli.test_pseudonymize_exports import _FIXED, leaks, make_project, readable
from tests.tui.test_export_screen import Host, assert_done, choose, export_to, settle, status
from trivselkode.storage.db import open_project

pytestmark = pytest.mark.anyio


@pytest.fixture
def project(tmp_path: Path):  # noqa: ANN201
    make_project(tmp_path, _FIXED)
    proj, _ = open_project(str(tmp_path / "projekt.db"))
    yield proj
    proj.dispose()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "ud"
    folder.mkdir()
    return folder


EXPORTS = [
    ("frequencies", "hyppigheder.md"),
    ("matrix", "matrix.xlsx"),
    ("quotes", "citater.docx"),
    ("chart", "diagram.svg"),
    ("codings", "kodninger.csv"),
    ("refi", "projekt.qdpx"),
]


async def test_every_pseudonymised_export_from_the_screen_is_clean(project, out_dir):
    async with Host(project).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for kind, name in EXPORTS:
            screen = await choose(pilot, kind)
            screen.query_one("#ex-pseudonymize", Checkbox).value = True
            assert screen.query_one("#ex-row-key").display
            if kind in ("frequencies", "chart"):
                by = screen.query_one("#ex-by", SelectionList)
                by.deselect_all()
                by.select("kontakt")  # the attribute that holds an e-mail address and a phone number
            if kind == "quotes":
                screen.query_one("#ex-n", Input).value = "20"
                screen.query_one("#ex-min_words", Input).value = "1"
            await export_to(pilot, out_dir / name)
            assert_done(screen, out_dir / name)
            text = readable(out_dir / name)
            assert leaks(text, _FIXED) == [], name
            assert "[Navn " in text or kind in ("frequencies", "chart"), name
        # The key, when asked for: where it went is said, the same placeholders as the export.
        screen = await choose(pilot, "codings")
        screen.query_one("#ex-key", Input).value = str(out_dir / "noegle.csv")
        await export_to(pilot, out_dir / "kodninger2.csv")
        assert_done(screen, out_dir / "kodninger2.csv")
        assert f"Nøglen til pseudonymerne er skrevet til {out_dir / 'noegle.csv'}" in status(screen).replace("\n", "")
    with (out_dir / "noegle.csv").open(encoding="utf-8") as fh:
        key = {row["original"]: row["pseudonym"] for row in csv.DictReader(fh)}
    assert key["Karen Hansen"] in (out_dir / "kodninger2.csv").read_text(encoding="utf-8")
    assert key["interview-karen-hansen"] == "Kilde 1"
    # No key beside any of the exports unless asked for.
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(
        [n for _, n in EXPORTS] + ["kodninger2.csv", "noegle.csv"]
    )


@pytest.mark.parametrize(
    "tick, key, message",
    [
        (False, "noegle.csv", "kun ved pseudonymisering"),
        (True, "citater.md", "selve eksportfilen"),
        (True, "", None),
    ],
)
async def test_the_key_field(project, out_dir, tick, key, message):
    async with Host(project).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "quotes")
        screen.query_one("#ex-fmt", Select).value = "md"
        screen.query_one("#ex-pseudonymize", Checkbox).value = tick
        screen.query_one("#ex-key", Input).value = str(out_dir / key) if key else ""
        await export_to(pilot, out_dir / "citater.md")
        if message is None:
            assert_done(screen, out_dir / "citater.md")
            assert sorted(p.name for p in out_dir.iterdir()) == ["citater.md"]  # no key unless asked for
            return
        text = status(screen).replace("\n", "")
        assert text.startswith("✗") and message in text, text
        assert list(out_dir.iterdir()) == []  # nothing written: neither the export nor a key
