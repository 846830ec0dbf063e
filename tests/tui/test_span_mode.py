"""The span-mode widget on its own: it drives the cursor's span and says what happened in its messages."""

from __future__ import annotations

import pytest
from textual import on
from textual.app import App, ComposeResult
from textual.message import Message

from trivselkode.storage.coding_ops import PassageInfo
from trivselkode.tui.coding.cursor import PassageCursor
from trivselkode.tui.coding.span_mode import SpanMode

TEXT = "Jeg føler mig tryg. Ingen dømmer mig. Jeg kommer hver uge."
pytestmark = pytest.mark.anyio

SENTENCES = [[0, 19], [20, 37], [38, len(TEXT)]]


def passage() -> PassageInfo:
    return PassageInfo(
        id=7,
        number=2,
        participant_id=2,
        label="P1",
        role="participant",
        gender=None,
        age=None,
        site=None,
        attributes={},
        text=TEXT,
        sentences=SENTENCES,
    )


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.cursor = PassageCursor([passage()], 0)
        self.heard: list[Message] = []

    def compose(self) -> ComposeResult:
        yield SpanMode(self.cursor, id="mode-line")

    @on(SpanMode.Changed)
    @on(SpanMode.Confirmed)
    def _heard(self, message: Message) -> None:
        self.heard.append(message)


async def test_span_mode_posts_what_changed_and_what_to_code() -> None:
    app = Host()
    async with app.run_test(size=(120, 5)) as pilot:
        mode = app.query_one(SpanMode)
        assert not mode.display
        mode.begin("T1")
        mode.grow(1)
        mode.shift(1)
        await pilot.pause()
        assert mode.display and "sætning 2 af 3" in str(mode.render()) and "kodes med T1" in str(mode.render())
        assert [m.selection for m in app.heard] == [(0, 19), (0, 37), (20, 37)]
        mode.confirm()
        await pilot.pause()
        confirmed = app.heard[-1]
        assert isinstance(confirmed, SpanMode.Confirmed)
        assert (confirmed.passage.id, confirmed.selection) == (7, (20, 37))
        assert mode.active  # the span stays until the screen has stored it (or the picker was cancelled)
        assert mode.end() and not mode.active and not mode.display
        await pilot.pause()
        assert app.heard[-1].selection is None
        assert not mode.end()  # already off: nothing posted
        mode.grow(1)  # keys of the mode do nothing outside it
        await pilot.pause()
        assert len(app.heard) == 5


async def test_span_mode_without_a_code_says_enter_chooses() -> None:
    app = Host()
    async with app.run_test(size=(120, 5)) as pilot:
        mode = app.query_one(SpanMode)
        mode.begin(None)
        await pilot.pause()
        assert "Enter vælger koden" in str(mode.render())
