"""A query typed decomposed (NFD: "a" + a combining ring) finds in the TUI what its composed form finds.

Both search fields: the Søgning screen (the core's ``SearchIndex.search``) and the coding screen's
search in the transcript (``/``), which matches on its own and so composes its query itself.
"""

from __future__ import annotations

import unicodedata

import pytest
from textual.widgets import Input

from tests.tui.conftest import make_app
from tests.tui.test_coding import notes, open_source
from tests.tui.test_search_screen import Host, search, settle
from tests.unit.test_search import make_corpus
from trivselkode.storage.db import open_project

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def corpus(tui_db):
    project, _ = open_project(tui_db)
    make_corpus(project)
    yield project
    project.dispose()


def nfd(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    return decomposed


async def typed(pilot, field: str, text: str) -> None:  # noqa: ANN001
    """``text`` in the input ``field`` as a paste leaves it (the pilot's keys drop combining marks)."""
    pilot.app.screen.query_one(field, Input).value = text
    await settle(pilot)


@pytest.mark.parametrize("query", ["på biblioteket", "når"])
@pytest.mark.both_backends
async def test_the_search_screen_finds_with_a_decomposed_query(corpus, query) -> None:  # noqa: ANN001
    app = Host(corpus)
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, "")
        for exact in (False, True):
            if exact:
                await pilot.press("ctrl+e")
                assert app.screen.exact
            await typed(pilot, "#search-query", nfd(query))
            decomposed = [(h.source, h.number) for h in app.screen.hits]
            await typed(pilot, "#search-query", query)
            assert decomposed and decomposed == [(h.source, h.number) for h in app.screen.hits]


@pytest.mark.both_backends
async def test_the_transcript_search_finds_with_a_decomposed_query(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("slash")
        await typed(pilot, "#search", nfd("når"))
        await pilot.press("enter")
        assert not any("findes ikke" in msg for _s, msg in notes(app))
        assert "når" in screen.passage.text
