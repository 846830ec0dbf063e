"""The TUI's language: L on the overview switches it live (overview, footer, help), remembers it for the
next start, and an English interface on an English project shows no Danish word on its screens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import insert
from textual.widgets import DataTable, OptionList

from tests.i18n_words import danish_leaks, english_leaks
from tests.tui.conftest import build_project, make_app, sentences, settle
from trivselkode.i18n import language, saved_language, set_language, user_settings_path
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.models import Code, Participant, Passage, Source
from trivselkode.tui.codebook.screen import CodebookScreen
from trivselkode.tui.coding.screen import CodingScreen
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.lang import LanguageDialog
from trivselkode.tui.overview.screen import OverviewScreen

pytestmark = pytest.mark.anyio


def shown(app) -> str:  # noqa: ANN001
    """The text a full redraw of the screen (with the screens under a dialog) would send to the terminal."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return "\n".join(
        "".join(segment.text for strip in line for segment in strip if not segment.control) for line in update.strips
    )


async def footer_drawn(pilot, word: str) -> str:  # noqa: ANN001
    """The screen's text once the footer shows ``word`` (it is composed after the screen, on a refresh)."""
    for _round in range(50):
        text = shown(pilot.app)
        if word in text.splitlines()[-1]:
            return text
        await pilot.pause(0.02)
    return shown(pilot.app)


@pytest.fixture
def own_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A settings folder of the test's own (the choice of language is written there)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("TRIVSELKODE_LANG", raising=False)
    yield tmp_path / "config"
    set_language("da")


@pytest.fixture
def danish_project(tmp_path: Path):  # noqa: ANN201
    project = build_project(tmp_path / "da.db")
    yield project
    project.dispose()


def build_english_project(path: Path) -> Project:
    """A tiny project whose data (codebook, passages, sites) is English."""
    project, _ = open_project(str(path))
    with project.write() as s:
        s.add(
            Code(key="T1", name="The library as a safe place", kind="theme", shortcut="1", color="#66bb6a",
                 position=1, keywords=["safe", "welcome"], description="Feeling safe and welcome.",
                 include="Safety, being welcome.", exclude="Opening hours.", examples=["I feel safe here."])
        )  # fmt: skip
        s.add(Code(key="T2", name="Calm and quiet", kind="theme", shortcut="2", position=2, keywords=["quiet"]))
        s.flush()
        src = Source(name="hull-1", title="Hull 1", kind="interview", site="Hull", context="library", text="")
        s.add(src)
        s.flush()
        people = {}
        for label, attrs in {"I": {"role": "interviewer"}, "P1": {"gender": "woman", "age": 67}}.items():
            person = Participant(source_id=src.id, label=label, **attrs)
            s.add(person)
            s.flush()
            people[label] = person.id
        turns = [
            ("I", "What does the library mean to you?"),
            ("P1", "I feel safe here. Nobody judges me. I come every week."),
            ("I", "Thank you."),
            ("P1", "It is quiet and calm, I read the papers."),
        ]
        rows = [
            dict(source_id=src.id, number=n, participant_id=people[who], start=0, end=len(text), text=text,
                 sentences=sentences(text))
            for n, (who, text) in enumerate(turns, start=1)
        ]  # fmt: skip
        s.execute(insert(Passage), rows)
    return project


@pytest.fixture
def english_project(tmp_path: Path):  # noqa: ANN201
    project = build_english_project(tmp_path / "en.db")
    yield project
    project.dispose()


async def choose(pilot, lang: str) -> None:  # noqa: ANN001
    """Press L on the overview and pick ``lang`` in the choice."""
    await pilot.press("L")
    await settle(pilot)
    assert isinstance(pilot.app.screen, LanguageDialog)
    choice = pilot.app.screen.query_one("#language-choice", OptionList)
    while choice.highlighted_option is None or choice.highlighted_option.id != lang:
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.pause()


async def test_l_switches_the_overview_footer_and_help_live_and_back(danish_project, own_settings) -> None:  # noqa: ANN001
    set_language("da")
    app = make_app(danish_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = await footer_drawn(pilot, "Afslut")
        assert "Oversigt" in text and "Afslut" in text and "Kilde" in text

        await choose(pilot, "en")
        assert language() == "en"
        assert isinstance(app.screen, OverviewScreen)
        text = await footer_drawn(pilot, "Quit")
        assert "Overview" in text and "project" in text and "coder:" in text
        assert "Quit" in text and "Search" in text and "Codebook" in text and "Help" in text  # the footer
        assert "Source" in text and "Passages" in text and "Themes – passages with the theme" in text
        assert "Oversigt" not in text and "Afslut" not in text and "Søgning" not in text
        headings = [str(c.label) for c in app.screen.query_one("#sources", DataTable).columns.values()]
        assert headings[0] == "Source"

        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)
        help_text = shown(app)
        assert "Keys – Overview" in help_text and "Everywhere" in help_text
        assert "open the highlighted source in Coding" in help_text
        assert "choose the interface language" in help_text, help_text  # L itself is listed
        await pilot.press("escape")
        await settle(pilot)

        await choose(pilot, "da")
        assert language() == "da"
        text = await footer_drawn(pilot, "Afslut")
        assert "Oversigt" in text and "Afslut" in text and "Overview" not in text and "Quit" not in text
    assert saved_language() == "da"


async def test_the_choice_is_saved_and_used_at_the_next_start(danish_project, own_settings) -> None:  # noqa: ANN001
    set_language("da")
    app = make_app(danish_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await choose(pilot, "en")
    assert user_settings_path().is_relative_to(own_settings)
    assert json.loads(user_settings_path().read_text(encoding="utf-8"))["lang"] == "en"

    set_language(None)  # a new start resolves the language again: the saved choice
    assert language() == "en"
    app = make_app(danish_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = await footer_drawn(pilot, "Quit")
        assert "Overview" in text and "Quit" in text


async def test_the_environment_wins_over_the_saved_choice(danish_project, own_settings, monkeypatch) -> None:  # noqa: ANN001
    set_language("en")
    app = make_app(danish_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await choose(pilot, "da")  # saved: Danish
    monkeypatch.setenv("TRIVSELKODE_LANG", "en")
    set_language(None)
    assert language() == "en"


async def test_escape_leaves_the_language_as_it_was(danish_project, own_settings) -> None:  # noqa: ANN001
    set_language("da")
    app = make_app(danish_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen) and language() == "da"
    assert saved_language() is None


def no_danish(app, where: str) -> None:  # noqa: ANN001
    text = shown(app)
    leaks = danish_leaks(text)
    assert not leaks, f"Danish on {where}: {sorted(set(leaks))}\n{text}"


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_english_screens_show_no_danish(english_project, own_settings, size) -> None:  # noqa: ANN001
    set_language("en")
    app = make_app(english_project)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        no_danish(app, "the overview")
        await pilot.press("question_mark")
        await settle(pilot)
        no_danish(app, "the overview's help")
        await pilot.press("end")
        await settle(pilot)
        no_danish(app, "the overview's help (end)")
        await pilot.press("escape")
        await pilot.press("L")
        await settle(pilot)
        no_danish(app, "the language choice")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CodingScreen)
        no_danish(app, "the coding screen")
        await pilot.press("down")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        no_danish(app, "the coding screen's span mode")
        await pilot.press("escape")
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)
        help_text = []
        while True:
            help_text.append(shown(app))
            no_danish(app, "the coding screen's help")
            if app.screen.at_end:
                break
            await pilot.press("pagedown")
            await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        no_danish(app, "the code picker")
        await pilot.press("escape")
        await pilot.press("m")
        await settle(pilot)
        no_danish(app, "the memo dialog")
        await pilot.press("escape")
        await pilot.press("e")
        await settle(pilot)
        no_danish(app, "the participant dialog")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("K")
        await settle(pilot)
        assert isinstance(app.screen, CodebookScreen)
        no_danish(app, "the codebook")
        await pilot.press("question_mark")
        await settle(pilot)
        no_danish(app, "the codebook's help")
        await pilot.press("escape")
        await pilot.press("a")
        await settle(pilot)
        no_danish(app, "the new-code dialog")
        await pilot.press("escape")
        await pilot.press("e")
        await settle(pilot)
        no_danish(app, "the details dialog")
        await pilot.press("escape")
        await settle(pilot)


async def test_danish_overview_and_coding_show_no_english_words(danish_project) -> None:  # noqa: ANN001
    set_language("da")
    app = make_app(danish_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        allowed = frozenset({"interview"})  # a source kind that is the same word in both
        assert not english_leaks(shown(app), allowed)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CodingScreen)
        assert not english_leaks(shown(app), allowed)


async def test_english_coding_shows_the_bilingual_codebooks_english(danish_project) -> None:  # noqa: ANN001
    from sqlmodel import select

    with danish_project.write() as s:
        t1 = s.exec(select(Code).where(Code.key == "T1")).one()
        t1.name_en = "The library as a psychological safety system"
        t1.definition_en = "Feeling safe and accepted at the library."
        t1.include_en = "Safety."
        s.add(t1)
    set_language("en")
    app = make_app(danish_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_coding("holstebro-1", 2)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        t1 = next(c for c in screen.view.codes if c.key == "T1")
        assert t1.name == "The library as a psychological safety system"
        assert t1.description == "Feeling safe and accepted at the library." and t1.include == "Safety."
        assert t1.exclude == "Udelad det."  # no English: the Danish, never a machine's translation
        t2 = next(c for c in screen.view.codes if c.key == "T2")
        assert t2.name == "Et unikt rum for mental ro"
        text = shown(app)
        assert "The library as a psychological" in text and "Biblioteket som et psykologisk" not in text
        await pilot.press("K")  # Kodebog edits the Danish, and shows the English beside it
        await settle(pilot)
        assert isinstance(app.screen, CodebookScreen) and app.screen.current_key() == "T1"
        text = shown(app)
        assert "Name in English" in text and "The library as a psychological safety system" in text
        assert "Description in English" in text and "Exclude in English" not in text
    set_language("da")
    app = make_app(danish_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_coding("holstebro-1", 2)
        await settle(pilot)
        t1 = next(c for c in app.screen.view.codes if c.key == "T1")
        assert t1.name == "Biblioteket som et psykologisk tryghedssystem"
