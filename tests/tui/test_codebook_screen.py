"""Kodebog in a minimal host app: browse, add, rename, colour, shortcut, describe, move, merge, retire."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from sqlmodel import select
from textual.app import App
from textual.widgets import Input, TextArea, Tree

from tests.unit.test_search import make_corpus
from trivselkode.domain.codebook import dump_codebook, validate_codebook_text
from trivselkode.storage.codebook import codebook_of_project
from trivselkode.storage.codings import CodingRef, add_coding
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Code, Coding
from trivselkode.tui.codebook.dialogs import AddCodeDialog, DetailsDialog
from trivselkode.tui.codebook.screen import CodebookScreen
from trivselkode.tui.common.confirm import ConfirmDialog as ConfirmChangeDialog
from trivselkode.tui.common.help import HelpDialog as KeysDialog
from trivselkode.tui.common.picker import CodePickerDialog as CodeChoiceDialog
from trivselkode.tui.common.prompt import TextPromptDialog
from trivselkode.tui.messages import CodingsChanged

SIZES = [(120, 40), (80, 24)]
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Host(App):
    def __init__(self, project) -> None:
        super().__init__()
        self.project = project
        self.changed: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(CodebookScreen(self.project))

    def on_codings_changed(self, message: CodingsChanged) -> None:
        self.changed.append(message.source_name)


@pytest.fixture
def proj(tui_db):
    project, _ = open_project(tui_db)
    make_corpus(project)
    add_coding(project, CodingRef(source="holstebro-1", passage=2, code="T1", coder="ab", memo="fra ab"))
    add_coding(project, CodingRef(source="holstebro-1", passage=2, code="T2", coder="ab", memo="også T2"))
    add_coding(project, CodingRef(source="holstebro-1", passage=4, code="T2", coder="cd"))
    yield project
    project.dispose()


async def settle(pilot, delay: float = 0.05) -> None:
    await pilot.pause(delay)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def codes(project) -> dict[str, Code]:
    with project.read() as session:
        return {c.key: c for c in session.exec(select(Code))}


def parent_key(project, key: str) -> str | None:
    all_codes = codes(project)
    parent_id = all_codes[key].parent_id
    return next((k for k, c in all_codes.items() if c.id == parent_id), None)


def screen(app) -> CodebookScreen:
    assert isinstance(app.screen, CodebookScreen)
    return app.screen


async def highlight(pilot, key: str) -> None:
    s = screen(pilot.app)
    s.query_one(Tree).cursor_line = s.order.index(key)
    await pilot.pause()
    assert s.current_key() == key


async def replace_text(pilot, text: str) -> None:
    """Empty the focused input and type ``text``."""
    await pilot.press("home", "ctrl+k")
    if text:
        await pilot.press(*text)


def shown(static) -> str:
    """The plain text of what a Static shows."""
    console = Console(width=100, file=io.StringIO(), record=True)
    console.print(static.content)
    return console.export_text()


def exports_cleanly(project) -> bool:
    _book, problems = validate_codebook_text(dump_codebook(codebook_of_project(project)), "export.yaml")
    return problems == []


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.both_backends
async def test_tree_counts_and_details(proj, size):
    app = Host(proj)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        s = screen(app)
        assert s.order == ["T1", "T2", "B", "B.social"]
        labels = {node.data: str(node.label) for node in s.query_one(Tree).root.children}
        assert "(1)" in labels["T1"] and "(2)" in labels["T2"] and "[1]" in labels["T1"]
        await highlight(pilot, "T2")
        detail = shown(s.query_one("#codebook-detail-text"))
        assert "Mental ro" in detail and "#1565c0" in detail
        assert "Kodninger" in detail


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.both_backends
async def test_add_code(proj, size):
    app = Host(proj)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await highlight(pilot, "B.social")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddCodeDialog)
        assert app.screen.query_one("#add-parent", Input).value == "B"  # a sibling by default
        await pilot.press(*"B.leg", "tab", *"Leg og spil", "tab", "tab", "tab", *"#abc", "tab", "y", "enter")
        await settle(pilot)
        got = codes(proj)["B.leg"]
        assert (got.name, got.kind, got.color, got.shortcut) == ("Leg og spil", "behov", "#aabbcc", "y")
        assert parent_key(proj, "B.leg") == "B"
        assert screen(app).current_key() == "B.leg"
        assert exports_cleanly(proj)


async def test_refused_add_reopens_with_what_was_typed(proj):
    app = Host(proj)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"T1", "tab", *"Dublet", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AddCodeDialog)
        assert dialog.error and "bruges allerede" in dialog.error
        assert dialog.query_one("#add-name", Input).value == "Dublet"
        # Mend the key and save.
        await pilot.press("end", "0")
        assert dialog.query_one("#add-key", Input).value == "T10"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert codes(proj)["T10"].name == "Dublet"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CodebookScreen)


@pytest.mark.parametrize("size", SIZES)
async def test_rename_colour_shortcut(proj, size):
    app = Host(proj)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await highlight(pilot, "T2")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, TextPromptDialog)
        await replace_text(pilot, "Rum til ro")
        await pilot.press("enter")
        await settle(pilot)
        assert codes(proj)["T2"].name == "Rum til ro"
        assert "Rum til ro" in str(screen(app).query_one(Tree).cursor_node.label)

        await pilot.press("c")
        await pilot.pause()
        await replace_text(pilot, "grøn")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TextPromptDialog) and "ugyldig farve" in (app.screen.error or "")
        assert codes(proj)["T2"].color == "#1565c0"
        await replace_text(pilot, "#F00")
        await pilot.press("enter")
        await settle(pilot)
        assert codes(proj)["T2"].color == "#ff0000"

        await pilot.press("k")
        await pilot.pause()
        await replace_text(pilot, "1")  # T1 has it
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TextPromptDialog)
        await replace_text(pilot, "9")
        await pilot.press("enter")
        await settle(pilot)
        assert codes(proj)["T2"].shortcut == "9"
        await pilot.press("k")
        await pilot.pause()
        await replace_text(pilot, "")
        await pilot.press("enter")
        await settle(pilot)
        assert codes(proj)["T2"].shortcut is None
        assert exports_cleanly(proj)


@pytest.mark.both_backends
async def test_describe(proj):
    app = Host(proj)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await highlight(pilot, "T1")
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DetailsDialog)
        dialog.query_one("#details-description", TextArea).text = "Tryghed på biblioteket."
        dialog.query_one("#details-examples", TextArea).text = "Jeg føler mig tryg.\n\nHer dømmer ingen."
        dialog.query_one("#details-keywords", Input).value = "tryg, tryghed ,"
        await pilot.press("ctrl+s")
        await settle(pilot)
        got = codes(proj)["T1"]
        assert got.description == "Tryghed på biblioteket."
        assert got.examples == ["Jeg føler mig tryg.", "Her dømmer ingen."]
        assert got.keywords == ["tryg", "tryghed"]
        assert "Her dømmer ingen" in shown(screen(app).query_one("#codebook-detail-text"))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.both_backends
async def test_move(proj, size):
    app = Host(proj)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await highlight(pilot, "T2")
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, CodeChoiceDialog)
        await pilot.press(*"T1", "enter")
        await settle(pilot)
        assert parent_key(proj, "T2") == "T1"
        assert screen(app).order == ["T1", "T2", "B", "B.social"]
        await highlight(pilot, "T1")
        await pilot.press("f")  # its own subtree is not offered
        await pilot.pause()
        assert "T2" not in [key for key, _ in app.screen.choices]
        await pilot.press("escape")
        await settle(pilot)
        assert parent_key(proj, "T1") is None


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.both_backends
async def test_merge(proj, size):
    app = Host(proj)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await highlight(pilot, "T2")
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"tryg", "enter")  # fuzzy: finds T1 by its name
        await pilot.pause()
        assert isinstance(app.screen, ConfirmChangeDialog)
        await pilot.press("j")
        await settle(pilot)
        assert "T2" not in codes(proj)
        t1 = codes(proj)["T1"]
        with proj.read() as session:
            rows = session.exec(select(Coding.code_id, Coding.memo)).all()
        assert len(rows) == 2 and all(code_id == t1.id for code_id, _ in rows)
        assert sorted(memo or "" for _, memo in rows) == ["", "fra ab\n\nogså T2"]
        s = screen(app)
        assert s.order == ["T1", "B", "B.social"] and s.current_key() == "T1"
        assert "(2)" in str(s.query_one(Tree).cursor_node.label)
        assert app.changed == [None]  # views showing codings are told to refresh


async def test_merge_can_be_called_off(proj):
    app = Host(proj)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await highlight(pilot, "T2")
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("enter")  # the first code offered
        await pilot.pause()
        await pilot.press("n")
        await settle(pilot)
        assert "T2" in codes(proj)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.both_backends
async def test_retire_and_back(proj, size):
    app = Host(proj)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await highlight(pilot, "B")
        await pilot.press("x")
        await settle(pilot)
        got = codes(proj)
        assert got["B"].retired and got["B.social"].retired
        assert "udgået" in str(screen(app).query_one(Tree).cursor_node.label)
        assert exports_cleanly(proj)
        await highlight(pilot, "B.social")
        await pilot.press("x")
        await settle(pilot)
        got = codes(proj)
        assert not got["B"].retired and not got["B.social"].retired


async def test_keys_and_escape(proj):
    app = Host(proj)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CodebookScreen)


async def test_empty_codebook(tmp_path):
    project, _ = open_project(str(tmp_path / "empty.db"))
    app = Host(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "tom" in shown(screen(app).query_one("#codebook-status"))
        await pilot.press("r")  # nothing to rename
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"T1", "tab", *"Første kode", "enter")
        await settle(pilot)
        assert screen(app).order == ["T1"]
    project.dispose()
