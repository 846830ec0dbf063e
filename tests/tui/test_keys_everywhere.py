"""The screens' keys work from every screen: ``S``/F2 Søgning, ``K``/F3 Kodebog, ``E``/F4 Enighed,
``X``/F5 Eksport, ``R``/F6 Udtræk; a screen already open is shown again, not opened twice.

The letters are typed into a text field that has focus (the search field,
the overview's filter); the F-keys work there too. No key switches screens
over a dialog.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from sqlmodel import select
from textual.screen import ModalScreen
from textual.widgets import Input

from tests.tui.conftest import make_app, settle
from tests.tui.reach import disagreeing_project, reach
from trivselkode.storage.models import Coder, Position, Source
from trivselkode.tui import app as app_module
from trivselkode.tui.common.keys import SCREEN_KEYS

pytestmark = pytest.mark.anyio

CLASSES = {
    "search": "SearchScreen",
    "codebook": "CodebookScreen",
    "agreement": "AgreementScreen",
    "export": "ExportScreen",
}
KEYS = [(key.strip(), which) for keys, which, _title in SCREEN_KEYS for key in keys.split(",")]


@pytest.fixture
def project(tmp_path):  # noqa: ANN001, ANN201
    project = disagreeing_project(tmp_path / "test.db")
    yield project
    project.dispose()


def retrieval_ready() -> bool:
    """Whether this version has Udtræk (another part of the app; until then ``R`` says it is not here)."""
    entry = app_module.OTHER_SCREENS.get("retrieval")
    if entry is None:
        return False
    try:
        importlib.import_module(entry[0])
    except ModuleNotFoundError:
        return False
    return True


async def assert_landed(pilot, which: str, before: list) -> None:  # noqa: ANN001
    """``which`` is on top now; or, for Udtræk not yet in this version, a warning says so and nothing moved."""
    app = pilot.app
    await settle(pilot)
    if which == "retrieval" and not retrieval_ready():
        assert app.screen_stack == before
        assert any("Udtræk er ikke med i denne version endnu" in n.message for n in app._notifications)
        return
    expected = CLASSES.get(which) or app_module.OTHER_SCREENS[which][1]
    screens = [s for s in app.screen_stack if not isinstance(s, ModalScreen)]  # Udtræk may ask for a code first
    assert type(screens[-1]).__name__ == expected
    assert [type(s).__name__ for s in screens].count(expected) == 1


@pytest.mark.parametrize(("key", "which"), KEYS)
@pytest.mark.parametrize("start", ["Oversigt", "Kodning"])
async def test_each_key_from_overview_and_coding(project, start, key, which) -> None:  # noqa: ANN001
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await reach(pilot, start)
        before = list(app.screen_stack)
        await pilot.press(key)
        await assert_landed(pilot, which, before)


@pytest.mark.parametrize(("key", "which"), KEYS)
async def test_each_key_from_search(project, key, which) -> None:  # noqa: ANN001
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await reach(pilot, "Søgning")
        field = app.screen.query_one(Input)
        assert app.focused is field
        if not key.startswith("f"):
            await pilot.press(key)  # a letter in the search field is typed, not a screen key
            await settle(pilot)
            assert type(app.screen).__name__ == "SearchScreen" and field.value == key
            await pilot.press("backspace", *"tryg", "enter")
            await settle(pilot)
            await pilot.press("down")  # to the results: now the letter is a screen key
            await settle(pilot)
            assert app.focused is not field
        before = list(app.screen_stack)
        await pilot.press(key)
        if which == "search":  # already here: nothing opens a second time
            await settle(pilot)
            assert app.screen_stack == before
        else:
            await assert_landed(pilot, which, before)


async def test_letters_type_into_the_overview_filter(project) -> None:  # noqa: ANN001
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "K", "E")
        await settle(pilot)
        assert type(app.screen).__name__ == "OverviewScreen"
        assert app.screen.query_one("#filter", Input).value == "KE"
        await pilot.press("f3")  # an F-key works from the field
        await settle(pilot)
        assert type(app.screen).__name__ == "CodebookScreen"


async def test_an_open_screen_is_shown_again_not_stacked(project) -> None:  # noqa: ANN001
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("f3", "f4")
        await settle(pilot)
        assert [type(s).__name__ for s in app.screen_stack][1:] == [
            "OverviewScreen",
            "SearchScreen",
            "CodebookScreen",
            "AgreementScreen",
        ]
        await pilot.press("f2")
        await settle(pilot)
        assert [type(s).__name__ for s in app.screen_stack][1:] == ["OverviewScreen", "SearchScreen"]


async def test_leaving_coding_for_an_open_screen_keeps_the_position(project) -> None:  # noqa: ANN001
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3")  # Kodebog, then Kodning on top of it
        await settle(pilot)
        app.open_coding("holstebro-1", None)
        await settle(pilot)
        await pilot.press("G")  # the last passage
        await settle(pilot)
        number = app.screen.passage.number
        await pilot.press("K")
        await settle(pilot)
        assert [type(s).__name__ for s in app.screen_stack][1:] == ["OverviewScreen", "CodebookScreen"]
    with project.read() as s:
        stored = s.exec(
            select(Position.passage_number)
            .join(Source, Source.id == Position.source_id)
            .join(Coder, Coder.id == Position.coder_id)
            .where(Source.name == "holstebro-1", Coder.name == "ann")
        ).one()
    assert stored == number


async def test_no_screen_key_over_a_dialog(project) -> None:  # noqa: ANN001
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await reach(pilot, "Kodning")
        await pilot.press("e")  # the speaker dialog
        await settle(pilot)
        dialog = app.screen
        await pilot.press("f2", "f4")
        await settle(pilot)
        assert app.screen is dialog
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "CodingScreen"


async def test_the_help_names_the_screen_keys(project) -> None:  # noqa: ANN001
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await reach(pilot, "Kodning")
        await pilot.press("question_mark")
        await settle(pilot)
        rows = dict(row for _title, rows in app.screen.sections for row in rows)
        assert rows["S F2"].startswith("Søgning") and rows["K F3"].startswith("Kodebog")
        assert rows["E F4"].startswith("Enighed") and rows["X F5"].startswith("Eksport")
        assert rows["R F6"].startswith("Udtræk")


# ------------------------------------------------------------------ shortcuts shown with the name


@pytest.mark.parametrize(
    ("name", "shortcut", "shown"),
    [
        ("Sociale behov", "c", "So[c]iale behov"),
        ("Behov for vækst", "v", "Behov for [v]ækst"),  # a word's first letter before an earlier "v"
        ("Sikkerhedsbehov", "h", "Sikker[h]edsbehov"),
        ("Anerkendelsesbehov", "a", "[a] Anerkendelsesbehov"),  # "A" is another key: shown in front
        ("Behov for selvregulering", "w", "[w] Behov for selvregulering"),
        ("Biblioteket som et psykologisk tryghedssystem", "1", "[1] Biblioteket som et psykologisk tryghedssystem"),
        ("Udgået kode", None, "Udgået kode"),
        ("Navn\x1b[2J", "N", "[N]avn␛[2J"),  # data stays inert
    ],
)
def test_the_shortcut_is_marked_in_or_before_the_name(name, shortcut, shown) -> None:  # noqa: ANN001
    from trivselkode.tui.common.shortcut import name_with_shortcut

    assert name_with_shortcut(name, shortcut).plain == shown


def test_every_need_in_the_default_codebook_has_a_shortcut_shown() -> None:
    from trivselkode.domain.codebook import load_codebook_file
    from trivselkode.tui.common.shortcut import name_with_shortcut

    book = load_codebook_file(Path(__file__).resolve().parents[2] / "codebooks" / "trivsel.yaml")
    needs = [c for c in book.codes if c.key.startswith("B.") and c.key != "B.gennemgribende"]
    assert len(needs) == 9 and all(c.shortcut for c in needs)
    assert len({c.shortcut for c in book.codes if c.shortcut}) == len([c for c in book.codes if c.shortcut])
    for code in needs:
        assert f"[{code.shortcut}]" in name_with_shortcut(code.name, code.shortcut).plain
