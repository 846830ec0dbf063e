"""Text from files is shown, never obeyed: every screen of the TUI on the hostile project.

The project of :mod:`tests.hostile` (built through the CLI), in a file whose
name is hostile too, is opened in the real app under Pilot. On each screen and
dialog what the terminal would be sent is taken from the compositor (the
segments of a full update, as ``export_screenshot`` does) and checked: no
control or bidi character among the text, the names shown literally (not read
as markup), and nothing crashed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import select
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from tests.hostile import (
    BAD_KEY,
    BLINK,
    FORBIDDEN,
    HOSTILE,
    PARTICIPANT_SHOWN,
    SHOWN,
    SOURCE_SHOWN,
    TITLE,
    build_hostile_project,
)
from tests.tui.conftest import make_app, settle
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Passage, Source

pytestmark = pytest.mark.anyio

SIZE = (160, 50)
PROJECT_NAME = f"projekt [udkast] {BLINK}.db"
PROJECT_SHOWN = "projekt [udkast] ␛[5m.db"
MEMO = f"memo {HOSTILE} [/] [b]fed[/b]"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = build_hostile_project(tmp_path_factory.mktemp("hostile-tui"))
    project, _ = open_project(str(built["db"]))
    try:
        with project.read() as s:
            passage_id = s.exec(
                select(Passage.id).join(Source, Source.id == Passage.source_id).where(Passage.number == 2)
            ).one()
        ops.set_memo(project, "anne", passage_id, MEMO)
    finally:
        project.dispose()
    return built["db"]


@pytest.fixture
def project(hostile_db: Path, tmp_path: Path):  # noqa: ANN201
    """A copy of the hostile project for one test, in a file with a hostile name."""
    path = tmp_path / PROJECT_NAME
    shutil.copy(hostile_db, path)
    proj, _ = open_project(str(path))
    yield proj
    proj.dispose()


def shown(app) -> str:  # noqa: ANN001
    """The text a full redraw of the screen (with the screens under a dialog) would send to the terminal."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return "\n".join(
        "".join(segment.text for strip in line for segment in strip if not segment.control) for line in update.strips
    )


def check(app, *literals: str) -> str:  # noqa: ANN001
    text = shown(app)
    leaked = sorted(set(FORBIDDEN.findall(text)))
    assert not leaked, f"{leaked!r} reach the terminal on {type(app.screen).__name__}:\n{text}"
    for literal in literals:
        assert literal in text, f"{literal!r} is not shown on {type(app.screen).__name__}:\n{text}"
    return text


async def check_scrolled(pilot: Pilot, selector: str, *literals: str) -> None:
    """:func:`check` the screen at every scroll position of a scrolling container; the literals anywhere."""
    app = pilot.app
    scroll = app.screen.query_one(selector)
    texts = [check(app)]
    while scroll.scroll_y < scroll.max_scroll_y:
        scroll.scroll_to(y=scroll.scroll_y + max(1, scroll.size.height - 1), animate=False, immediate=True)
        await pilot.pause()
        texts.append(check(app))
    joined = "\n".join(texts)
    for literal in literals:
        assert literal in joined, f"{literal!r} is not shown on {type(app.screen).__name__}"


@pytest.fixture
def notes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, bool]]:
    """Every notification as Textual is asked to show it: (title, message, markup?)."""
    seen: list[tuple[str, str, bool]] = []
    original = App.notify

    def record(self, message, *, title="", severity="information", timeout=None, markup=True):  # noqa: ANN001, ANN202
        seen.append((title, message, markup))
        return original(self, message, title=title, severity=severity, timeout=timeout, markup=markup)

    monkeypatch.setattr(App, "notify", record)
    return seen


def said(notes: list[tuple[str, str, bool]], *literals: str) -> None:
    """The notifications are plain text, inert, and say the literals."""
    for title, message, markup in notes:
        assert not markup, message
        assert not FORBIDDEN.search(title + message), (title, message)
    text = "\n".join(message for _title, message, _markup in notes)
    for literal in literals:
        assert literal in text, f"{literal!r} is not said in:\n{text}"


async def wait_for(pilot: Pilot, condition, tries: int = 3000) -> None:  # noqa: ANN001
    """Pause until ``condition()`` holds; the bound only keeps a broken screen from hanging the suite."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    assert condition()


async def open_app(pilot: Pilot) -> None:
    await settle(pilot)
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "loaded", False))


async def test_overview_and_coding_screen(project, notes) -> None:  # noqa: ANN001
    app = make_app(project, coder="anne")
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        check(app, PROJECT_SHOWN, SOURCE_SHOWN, "[/] ␛[2J")

        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        check(app, SOURCE_SHOWN, "Bøger [fysiske] ␛]0;pwned␇", PARTICIPANT_SHOWN, SHOWN, "Bøger [fysiske] og [/]")
        # the codebook panel: names, and the highlighted code's definition
        check(app, "[/]", "Bøger [fysiske] ␛[5mblink", "[b]fed[/b]", "Beskrivelse ␛[2J med [b]fed[/b]", "Medtag ␛[5m")
        await pilot.press("o")  # the other coders' codings
        await settle(pilot)
        check(app, "andre:", BAD_KEY.replace("\x1b", "␛"))

        await pilot.press("m")  # the memo
        await settle(pilot)
        check(app, f"({PARTICIPANT_SHOWN})", "memo " + SHOWN + " [/] [b]fed[/b]")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("e")  # the speaker's attributes
        await settle(pilot)
        # (an input drops BEL, BS, VT, FF and CR before it shows the rest; none of them reaches the terminal)
        check(app, f"Deltager {PARTICIPANT_SHOWN}", "[b]lærer[/b] ␛]0;pwned", "[i]strik[/i")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("space")  # the code picker
        await settle(pilot)
        check(app, "[b]fed[/b]", "Bøger [fysiske] ␛[5mblink", "X␛[2J")
        await pilot.press(*"X", "enter")  # codes X\e[2J: stored, then undone, which is said with its key
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        said(notes, "Fortrudt: X␛[2J på udsagn 2")

        await pilot.press("question_mark")  # every key, the codes' shortcuts among them
        await settle(pilot)
        await check_scrolled(pilot, "#help-scroll", "sæt/fjern T1 [/]", "sæt/fjern T2 Bøger [fysiske] ␛[5mblink")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("slash", *"[b]ingen", "enter")  # search in the source: said literally when not found
        await settle(pilot)
        said(notes, "»[b]ingen« findes ikke i kilden")


async def test_search_screen(project, notes) -> None:  # noqa: ANN001
    app = make_app(project, coder="anne")
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press(*"tryg")
        await wait_for(pilot, lambda: bool(getattr(app.screen, "hits", None)))
        await settle(pilot)
        check(app, SOURCE_SHOWN, PARTICIPANT_SHOWN, "Bøger [fysiske] og [/]", "␛]0;pwned␇")
        await pilot.press("down", "2")  # T2 toggled from the result: said with the source's name
        await settle(pilot)
        await wait_for(pilot, lambda: any("sat på" in m or "fjernet fra" in m for _t, m, _ in notes))
        said(notes, f"{SOURCE_SHOWN} #2")
        check(app)
        query = app.screen.query_one("#search-query", Input)
        query.value = "zzzz [/] [b]"
        await wait_for(pilot, lambda: "Ingen udsagn passer" in shown(app))
        check(app, "Ingen udsagn passer på 'zzzz [/] [b]'")


async def test_agreement_screens(project) -> None:  # noqa: ANN001
    app = make_app(project, coder="anne")
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("E")
        await wait_for(pilot, lambda: getattr(app.screen, "report", None) is not None)
        await settle(pilot)
        check(app, "[/]", "[b]fed[/b]", "X␛[2J", "interview [udkast]")
        table = app.screen.query_one("DataTable")
        keys = [row.value for row in table.rows]
        table.move_cursor(row=keys.index(BAD_KEY))
        await settle(pilot)
        check(app, "X␛[2J interview [udkast]")
        table.move_cursor(row=keys.index("T1"))
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: getattr(app.screen, "loaded", False) and type(app.screen).__name__ == "DisagreementReviewScreen",
        )
        await settle(pilot)
        check(app, SOURCE_SHOWN, PARTICIPANT_SHOWN, SHOWN, "notat: notat " + SHOWN + " [/]", "T1 [/]")


async def test_codebook_screen_and_its_dialogs(project, notes) -> None:  # noqa: ANN001
    app = make_app(project, coder="anne")
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("K")
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        await settle(pilot)
        check(app, "[/]", "[b]fed[/b]", "Bøger [fysiske] ␛[5mblink", "X␛[2J", "Beskrivelse ␛[2J med [b]fed[/b]")
        check(app, "Eksempel ␛]0;pwned␇", "Udelad \ufffdiso\ufffd", "Underkoder [/]")
        await pilot.press("r")
        await settle(pilot)
        check(app, "Omdøb T1", "[/]")
        await pilot.press("escape")
        await pilot.press("e")
        await settle(pilot)
        check(app, "Beskriv T1 · [/]", "Beskrivelse ␛[2J med [b]fed[/b]")
        await pilot.press("escape")
        await pilot.press("m")
        await settle(pilot)
        check(app, "Flet T1 ind i", "Bøger [fysiske] ␛[5mblink", "X␛[2J")
        await pilot.press("escape")
        await settle(pilot)
        tree = app.screen.query_one("Tree")
        tree.cursor_line = app.screen.order.index("[/]")  # the code keyed [/], under T1
        await settle(pilot)
        check(app, "Overkode  T1 [/]", "[/] [b]fed[/b]")
        tree.cursor_line = app.screen.order.index(BAD_KEY)  # the code keyed X\e[2J
        await settle(pilot)
        check(app, "X␛[2J interview [udkast]")
        await pilot.press("r")
        await settle(pilot)
        check(app, "Omdøb X␛[2J")
        app.screen.query_one(Input).value = f"nyt [/] {TITLE}"
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: any("hedder nu" in m for _t, m, _ in notes))
        said(notes, "X␛[2J hedder nu 'nyt [/] ␛]0;pwned␇'")
        check(app, "nyt [/] ␛]0;pwned␇")


async def test_export_screen(project, notes, tmp_path: Path) -> None:  # noqa: ANN001
    app = make_app(project, coder="anne")
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("X")
        await settle(pilot)
        await wait_for(pilot, lambda: getattr(app.screen, "choices", None) is not None)
        check(app, PROJECT_SHOWN)
        out = tmp_path / f"ud [udkast] {BLINK}.csv"
        field = app.screen.query_one("#ex-out", Input)
        field.value = str(out)
        await settle(pilot)
        check(app, "ud [udkast] ␛[5m.csv")
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: out.exists() and not app.screen.running)
        await settle(pilot)
        check(app, "ud [udkast] ␛[5m.csv")
        said(notes, "ud [udkast] ␛[5m.csv")
