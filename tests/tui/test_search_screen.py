"""Søgning in a minimal host app: search as you type, jump, and code straight from the results."""

from __future__ import annotations

import pytest
from sqlmodel import select
from textual.app import App
from textual.widgets import Input, Static

from tests.unit.test_search import make_corpus
from trivselkode.storage import codebook_ops as ops
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Code, Coder, Coding, Passage, Source
from trivselkode.tui.common.help import HelpDialog as KeysDialog
from trivselkode.tui.messages import CodingsChanged, JumpToPassage
from trivselkode.tui.search.rows import MATCH, marked
from trivselkode.tui.search.screen import SearchResults, SearchScreen

SIZES = [(120, 40), (80, 24)]
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Host(App):
    """Pushes the search screen and records the requests it sends up."""

    def __init__(self, project, coder: str = "ab") -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.jumps: list[tuple[str, int]] = []
        self.changed: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(SearchScreen(self.project, self.coder))

    def on_jump_to_passage(self, message: JumpToPassage) -> None:
        self.jumps.append((message.source_name, message.passage_number))

    def on_codings_changed(self, message: CodingsChanged) -> None:
        self.changed.append(message.source_name)


@pytest.fixture
def empty(tui_db):
    """A project of our own (not the package's TUI fixture project)."""
    project, _ = open_project(tui_db)
    yield project
    project.dispose()


@pytest.fixture
def proj(empty):
    make_corpus(empty)
    return empty


async def settle(pilot, delay: float = 0.25) -> None:
    """Let the debounce timer fire and every worker finish."""
    await pilot.pause(delay)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def stored(project, coder: str = "ab") -> set[tuple[str, int, str]]:
    with project.read() as session:
        rows = session.exec(
            select(Source.name, Passage.number, Code.key)
            .select_from(Coding)
            .join(Passage, Coding.passage_id == Passage.id)
            .join(Source, Passage.source_id == Source.id)
            .join(Code, Coding.code_id == Code.id)
            .join(Coder, Coding.coder_id == Coder.id)
            .where(Coder.name == coder)
        ).all()
    return set(rows)


def screen(app) -> SearchScreen:
    assert isinstance(app.screen, SearchScreen)
    return app.screen


async def search(pilot, text: str) -> SearchScreen:
    await settle(pilot)
    await pilot.press(*text)
    await settle(pilot)
    return screen(pilot.app)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.both_backends
async def test_search_as_you_type(proj, size):
    app = Host(proj)
    async with app.run_test(size=size) as pilot:
        s = await search(pilot, "tryg")
        assert [(h.source, h.number) for h in s.hits] == [("holstebro-1", 2), ("holstebro-1", 6)]
        assert s.query_one(SearchResults).option_count == 2
        status = str(s.query_one("#search-status").content)
        assert "2 udsagn" in status and "fuzzy" in status
        # More typing refines the same search: "trygheden" itself first, then "tryg" (its stem, a lower score).
        await pilot.press(*"heden")
        await settle(pilot)
        assert [(h.source, h.number) for h in s.hits] == [("holstebro-1", 2), ("holstebro-1", 6)]
        assert s.hits[0].score > s.hits[1].score
        s.query_one(Input).value = ""
        await settle(pilot)
        assert s.hits == [] and s.query_one(SearchResults).option_count == 0


@pytest.mark.parametrize("size", SIZES)
async def test_enter_asks_to_open_the_passage(proj, size):
    app = Host(proj)
    async with app.run_test(size=size) as pilot:
        await search(pilot, "tryg")
        await pilot.press("enter")  # from the search field to the results
        assert isinstance(app.focused, SearchResults)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.jumps == [("holstebro-1", 6)]
        await pilot.press("slash")
        assert isinstance(app.focused, Input)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.both_backends
async def test_shortcut_toggles_code_on_highlighted_result(proj, size):
    app = Host(proj, coder="ab")
    async with app.run_test(size=size) as pilot:
        s = await search(pilot, "trygheden")
        await pilot.press("enter", "1")
        await settle(pilot, 0.05)
        assert stored(proj) == {("holstebro-1", 2, "T1")}
        assert s.codes_of[s.hits[0].passage_id] == ["T1"]
        assert app.changed == ["holstebro-1"]
        await pilot.press("2")
        await settle(pilot, 0.05)
        assert stored(proj) == {("holstebro-1", 2, "T1"), ("holstebro-1", 2, "T2")}
        await pilot.press("1")
        await settle(pilot, 0.05)
        assert stored(proj) == {("holstebro-1", 2, "T2")}
        assert s.codes_of[s.hits[0].passage_id] == ["T2"]
        assert stored(proj, "cd") == set()


async def test_result_rows_show_the_coders_own_codes(proj):
    with proj.read() as session:
        pid = session.exec(select(Passage.id).where(Passage.text.like("Jeg var utryg%"))).one()
    ops.toggle_coding(proj, pid, "T2", "ab")
    ops.toggle_coding(proj, pid, "T1", "cd")
    app = Host(proj, coder="ab")
    async with app.run_test(size=(120, 40)) as pilot:
        s = await search(pilot, "utryg")
        assert s.codes_of[pid] == ["T2"]


async def test_codes_refresh_when_coming_back(proj):
    app = Host(proj, coder="ab")
    async with app.run_test(size=(80, 24)) as pilot:
        s = await search(pilot, "trygheden betyder")  # one hit ("trygheden" alone also finds "tryg")
        await pilot.press("enter", "down")
        pid = s.hits[0].passage_id
        assert s.codes_of[pid] == []
        # Another screen on top codes the passage, then closes.
        await app.push_screen(KeysDialog("x", []))
        ops.toggle_coding(proj, pid, "T2", "ab")
        app.pop_screen()
        await settle(pilot, 0.05)
        assert app.screen is s and s.codes_of[pid] == ["T2"]
        assert s.query_one(SearchResults).highlighted == 0


async def test_refused_toggles_store_nothing(proj):
    ops.retire_code(proj, "T2")
    app = Host(proj)
    async with app.run_test(size=(80, 24)) as pilot:
        s = await search(pilot, "biblioteket")
        # The participant's passage ranks above the interviewer's question at the same score.
        assert [(h.source, h.number) for h in s.hits[:2]] == [("holstebro-1", 2), ("holstebro-1", 1)]
        await pilot.press("enter", "down", "1")  # interviewer turns are not coded
        await settle(pilot, 0.05)
        await pilot.press("2", "z")  # a retired code and no code at all
        await settle(pilot, 0.05)
        assert stored(proj) == set()
        assert app.changed == []
        assert app.screen is s and s.query_one(SearchResults).option_count == 3


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.both_backends
async def test_exact_mode(proj, size):
    app = Host(proj)
    async with app.run_test(size=size) as pilot:
        s = await search(pilot, "biblioteket")
        fuzzy = {(h.source, h.number) for h in s.hits}
        assert ("viborg-1", 4) in fuzzy  # "Bibliotekaren"
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert s.exact
        assert [(h.source, h.number) for h in s.hits] == [("holstebro-1", 1), ("holstebro-1", 2)]
        assert "præcise ord" in str(s.query_one("#search-status").content)
        assert s.query_one(Input).value == "biblioteket"  # ctrl+e did not move the cursor instead


async def test_keys_dialog_and_escape(proj):
    app = Host(proj)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")  # from the search field, too
        await pilot.pause()
        assert isinstance(app.screen, KeysDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one(Input).value == ""
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SearchScreen)


async def test_empty_project(empty):
    app = Host(empty)
    async with app.run_test(size=(80, 24)) as pilot:
        s = await search(pilot, "bibliotek")
        assert s.hits == []
        assert "Ingen udsagn" in str(s.query_one("#search-status").content)


async def test_matched_words_are_highlighted_and_the_preview_says_why(proj):
    """A misspelt query: the row and the preview mark the word found (a style span, no markup), and say why."""
    app = Host(proj)
    async with app.run_test(size=(120, 40)) as pilot:
        s = await search(pilot, "tryhed")
        assert [(h.source, h.number) for h in s.hits][0] == ("holstebro-1", 2)
        hit = s.hits[0]
        assert [hit.text[m.start : m.end] for m in hit.matches] == ["trygheden"]
        row = marked(hit, 0, len(hit.text))
        assert [row.plain[span.start : span.end] for span in row.spans if span.style == MATCH] == ["trygheden"]
        preview = s.query_one("#search-preview-text", Static).content
        assert "Fundet: trygheden (ligner 'tryhed')" in _plain(preview)
        # Across word boundaries nothing is found: "ensom" is in no passage.
        s.query_one(Input).value = "ensom"
        await settle(pilot)
        assert s.hits == [] and "Ingen udsagn" in str(s.query_one("#search-status").content)


def _plain(renderable) -> str:  # noqa: ANN001
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(renderable)
    return console.export_text()


async def test_without_the_lemma_helper_search_goes_on_and_says_so(proj, monkeypatch):
    """The helper process that holds the lemma table fails: a warning, and search still finds the words."""
    import trivselkode.tui.search.screen as search_screen

    def broken(words):  # noqa: ANN001, ANN202
        raise RuntimeError("søgningens ordbogsproces stoppede uventet")

    monkeypatch.setattr(search_screen, "process_lemmas", lambda: broken)
    app = Host(proj)
    async with app.run_test(size=(80, 24)) as pilot:
        s = await search(pilot, "trygheden")
        assert [(h.source, h.number) for h in s.hits][0] == ("holstebro-1", 2)
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert any("ordbogsproces stoppede" in w for w in warnings)
