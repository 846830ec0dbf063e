"""The Eksport screen: every export run through the screen, and what it wrote opened and checked.

A minimal host app pushes ``ExportScreen(project, "anne")`` on the project of
:func:`tests.unit.test_export_jobs.build_export_project` (the bundled
codebook, an interview and a voxpop, anne's and bo's codings). The numbers in
the files are compared with what the core functions give.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import struct
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, OptionList, ProgressBar, Select, SelectionList, Static
from textual.worker import WorkerCancelled

from tests.unit.test_export_jobs import build_export_project
from trivselkode.analysis.cooccurrence import compute_cooccurrence, compute_matrix
from trivselkode.analysis.frequencies import compute_frequencies
from trivselkode.analysis.quotes import collect_quotes
from trivselkode.config import bundled_codebook
from trivselkode.domain.codebook import load_codebook_file
from trivselkode.export import jobs
from trivselkode.storage.backup import restore
from trivselkode.storage.codings import export_rows
from trivselkode.storage.db import Project, open_project
from trivselkode.tui.common.help import HelpDialog as KeysDialog
from trivselkode.tui.export import screen as export_module
from trivselkode.tui.export.screen import FIELDS, ExportScreen

pytestmark = pytest.mark.anyio

KIND_ORDER = [k.key for k in jobs.REPORT_KINDS]


class Host(App[None]):
    """Just enough app for the screen: ctrl+q quits, notifications are kept for the tests."""

    BINDINGS = [Binding("ctrl+q", "quit", "Afslut", priority=True)]

    def __init__(self, project: Project, consensus: bool = False) -> None:
        super().__init__()
        self.project = project
        self.notes: list[tuple[str, str]] = []

    def on_mount(self) -> None:
        self.push_screen(ExportScreen(self.project, "anne"))

    def notify(self, message: str, *, severity: str = "information", **kwargs: Any) -> None:  # type: ignore[override]
        self.notes.append((severity, str(message)))
        super().notify(message, severity=severity, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export-screen") / "projekt.db"
    build_export_project(path).dispose()
    return path


@pytest.fixture
def project(template: Path, tmp_path: Path, tui_db: str):  # noqa: ANN201
    """The template project: a copy of the file, or restored into a PostgreSQL database."""
    if tui_db.startswith("postgresql"):
        proj, _ = open_project(tui_db)
        restore(proj, template)
    else:
        folder = tmp_path / "db"
        folder.mkdir()
        shutil.copy(template, folder / "projekt.db")
        proj, _ = open_project(str(folder / "projekt.db"))
    yield proj
    proj.dispose()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "ud"
    folder.mkdir()
    return folder


async def settle(pilot: Pilot) -> None:
    """Wait for every worker and the messages they posted."""
    for _ in range(3):
        await pilot.pause()
        for _attempt in range(5):
            try:
                await pilot.app.workers.wait_for_complete()
                break
            except WorkerCancelled:
                await pilot.pause()
    await pilot.pause()


async def wait_for(pilot: Pilot, condition: Any, tries: int = 3000) -> None:
    """Pause until ``condition()`` holds (a worker's message may take a moment on a busy machine).

    The bound (about a minute) only keeps a broken screen from hanging the suite.
    """
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    assert condition()


def screen_of(pilot: Pilot) -> ExportScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ExportScreen)
    return screen


async def choose(pilot: Pilot, kind: str) -> ExportScreen:
    """Pick an export in the list (arrow keys for a neighbour, else straight there) and press Enter."""
    screen = screen_of(pilot)
    kinds = screen.query_one("#export-kinds", OptionList)
    kinds.focus()
    steps = KIND_ORDER.index(kind) - (kinds.highlighted or 0)
    if abs(steps) == 1:
        await pilot.press("down" if steps > 0 else "up")
    elif steps:
        kinds.highlighted = KIND_ORDER.index(kind)
    await pilot.press("enter")  # to the file field
    await pilot.pause()
    assert screen.kind == kind
    assert screen.focused is screen.query_one("#ex-out", Input)
    return screen


async def export_to(pilot: Pilot, target: Path | str) -> ExportScreen:
    """Type the file name and press Enter; wait for the export."""
    screen = screen_of(pilot)
    out = screen.query_one("#ex-out", Input)
    out.focus()
    out.value = str(target)
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    return screen


def status(screen: ExportScreen) -> str:
    return str(screen.query_one("#export-status", Static).render())


def assert_done(screen: ExportScreen, target: Path) -> None:
    text = status(screen)
    assert text.startswith("✓"), text
    assert str(target.resolve()) in text.replace("\n", "")
    assert screen.last_result is not None and screen.last_result.path == target.resolve()
    assert not screen.running and not screen.query_one("#ex-run", Button).disabled
    assert [n for n in screen.app.notes if n[0] == "error"] == []  # type: ignore[attr-defined]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


# ====================================================================== every report


@pytest.mark.both_backends
async def test_frequencies_by_site_to_xlsx_equal_the_core(project, out_dir):
    from openpyxl import load_workbook

    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "frequencies")
        assert screen.query_one("#ex-codes", Input).value == "tema"  # Temafrekvenser: the themes
        by = screen.query_one("#ex-by", SelectionList)
        by.focus()
        await pilot.press("space")  # the first attribute: site (Bibliotek)
        assert by.selected == ["site"]
        await export_to(pilot, out_dir / "temafrekvenser.xlsx")
        assert_done(screen, out_dir / "temafrekvenser.xlsx")
    expected = compute_frequencies(project, codes=["tema"], by=["site"])
    ws = load_workbook(out_dir / "temafrekvenser.xlsx").active
    header = [c.value for c in ws[1]]
    assert header == ["Kode", "Navn", "Bibliotek", "Kodninger", "Udsagn", "Kilder", "Deltagere", "Andel"]
    got = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_row=1 + len(expected.rows))]
    want = [
        [r["code"], r["name"], r["site"], r["codings"], r["passages"], r["sources"], r["participants"], r["share"]]
        for r in expected.rows
    ]
    assert got == want
    t1 = {r["site"]: r for r in expected.rows if r["code"] == "T1"}
    assert t1["Holstebro"]["codings"] == 2 and t1["Holstebro"]["participants"] == 1  # anne and bo on Karen's passage
    assert leftovers(out_dir) == []


async def test_default_file_lands_in_the_current_folder(project, out_dir, monkeypatch):
    monkeypatch.chdir(out_dir)
    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "frequencies")
        assert screen.query_one("#ex-out", Input).value == "temafrekvenser.xlsx"
        assert str(out_dir / "temafrekvenser.xlsx") in str(screen.query_one("#export-target", Static).render())
        await pilot.press("enter")
        await settle(pilot)
        assert_done(screen, out_dir / "temafrekvenser.xlsx")
        assert any(f"skrevet til {out_dir / 'temafrekvenser.xlsx'}" in n for _, n in pilot.app.notes)  # type: ignore[attr-defined]
        assert "findes – overskrives" in str(screen.query_one("#export-target", Static).render())
    assert (out_dir / "temafrekvenser.xlsx").read_bytes()[:2] == b"PK"


async def test_cooccurrence_csv_equal_the_core(project, out_dir):
    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "cooccurrence")
        assert (
            screen.query_one("#ex-rows", Input).value == "tema" and screen.query_one("#ex-cols", Input).value == "behov"
        )
        await export_to(pilot, out_dir / "samforekomst.csv")
        assert_done(screen, out_dir / "samforekomst.csv")
        assert screen.query_one("#ex-fmt", Select).value == "csv"
    expected = compute_cooccurrence(project, rows="tema", cols="behov")
    rows = list(csv.reader(io.StringIO((out_dir / "samforekomst.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["Kode", "Navn", *[c.key for c in expected.cols]]
    assert [r[0] for r in rows[1:]] == [r.key for r in expected.rows]
    assert [[int(v) for v in r[2:]] for r in rows[1:]] == expected.counts.tolist()
    t4 = rows[1 + [r.key for r in expected.rows].index("T4")]
    assert int(t4[2 + [c.key for c in expected.cols].index("B.social")]) == 1


async def test_matrix_xlsx_with_one_coder_equal_the_core(project, out_dir):
    from openpyxl import load_workbook

    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "matrix")
        selection = screen.query_one("#ex-selection", Select)
        assert [v for _, v in selection._options] == ["auto", "consensus", "union", "coder:anne", "coder:bo"]  # type: ignore[attr-defined]
        selection.value = "coder:bo"
        screen.query_one("#ex-codes", Input).value = "tema"
        await export_to(pilot, out_dir / "matrix.xlsx")
        assert_done(screen, out_dir / "matrix.xlsx")
    expected = compute_matrix(project, codes=["tema"], coder="bo")
    ws = load_workbook(out_dir / "matrix.xlsx").active
    header = [c.value for c in ws[1]]
    assert header == expected.columns
    got = [dict(zip(header, [c.value for c in row])) for row in ws.iter_rows(min_row=2, max_row=1 + len(expected.rows))]
    assert [{k: r[k] for k in ("source", "participant", "T1", "T2", "T3")} for r in got] == [
        {k: r[k] for k in ("source", "participant", "T1", "T2", "T3")} for r in expected.rows
    ]
    assert sum(r["T3"] for r in got) == 2  # bo coded both voxpop speakers with T3


@pytest.mark.both_backends
async def test_quotes_docx_and_html_hold_the_cores_quotes(project, out_dir):
    from docx import Document
    from lxml import html as lxml_html

    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "quotes")
        assert screen.query_one("#ex-out", Input).value == "citater.docx"
        screen.query_one("#ex-n", Input).value = "2"
        screen.query_one("#ex-pseudonymize", Checkbox).value = True
        await export_to(pilot, out_dir / "citater.docx")
        assert_done(screen, out_dir / "citater.docx")
        screen.query_one("#ex-fmt", Select).value = "html"
        await pilot.pause()
        assert screen.query_one("#ex-out", Input).value == str(
            out_dir / "citater.html"
        )  # the format changes the suffix
        await export_to(pilot, out_dir / "citater.html")
        assert_done(screen, out_dir / "citater.html")
    from trivselkode.export.pseudonymize import Pseudonymizer

    expected = collect_quotes(project, n=2, pseudonymizer=Pseudonymizer.from_project(project))
    assert expected.quotes and all("Karen" not in q.text for q in expected.quotes)
    doc = Document(str(out_dir / "citater.docx"))
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert quotes == [f"“{' '.join(q.text.split())}”" for q in expected.quotes]
    assert not any("Karen" in p.text or "12 34 56 78" in p.text for p in doc.paragraphs)
    tree = lxml_html.fromstring((out_dir / "citater.html").read_bytes())
    figures = tree.xpath("//figure")
    assert len(figures) == len(expected.quotes)
    assert [f.findtext("figcaption") for f in figures] == [q.attribution for q in expected.quotes]
    assert [f.findtext("figcaption/cite") for f in figures] == [q.reference for q in expected.quotes]
    assert [(f.get("data-source"), int(f.get("data-passage"))) for f in figures] == [
        (q.source, q.passage) for q in expected.quotes
    ]


async def test_chart_png_and_svg(project, out_dir):
    from lxml import etree

    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "chart")
        assert screen.query_one("#ex-fmt", Select).value == "png"
        screen.query_one("#ex-measure", Select).value = "passages"
        await export_to(pilot, out_dir / "diagram.png")
        assert_done(screen, out_dir / "diagram.png")
        await export_to(pilot, out_dir / "diagram.svg")
        assert_done(screen, out_dir / "diagram.svg")
        assert screen.query_one("#ex-fmt", Select).value == "svg"  # the suffix chose the format
    data = (out_dir / "diagram.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    width, height = struct.unpack(">II", data[16:24])
    assert width > 500 and height > 300
    svg = etree.fromstring((out_dir / "diagram.svg").read_bytes())
    text = "".join(svg.itertext())
    assert "T1 Biblioteket" in text and "Udsagn" in text  # the themes, counted in passages


@pytest.mark.both_backends
async def test_codings_csv_and_json_equal_the_core(project, out_dir):
    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "codings")
        selection = screen.query_one("#ex-selection", Select)
        assert [v for _, v in selection._options] == ["auto", "coder:anne", "coder:bo"]  # type: ignore[attr-defined]
        await export_to(pilot, out_dir / "kodninger.csv")
        assert_done(screen, out_dir / "kodninger.csv")
        selection.value = "coder:anne"
        await export_to(pilot, out_dir / "anne.json")
        assert_done(screen, out_dir / "anne.json")
    rows = list(csv.DictReader(io.StringIO((out_dir / "kodninger.csv").read_text(encoding="utf-8"))))
    expected = export_rows(project)
    assert len(rows) == len(expected) == 16
    assert [(r["source"], int(r["passage"]), r["code"], r["coder"]) for r in rows] == [
        (r["source"], r["passage"], r["code"], r["coder"]) for r in expected
    ]
    assert json.loads((out_dir / "anne.json").read_text(encoding="utf-8")) == export_rows(project, "anne")


@pytest.mark.both_backends
async def test_refi_project_pseudonymised(project, out_dir):
    from lxml import etree

    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "refi")
        assert screen.query_one("#ex-out", Input).value == "projekt.qdpx"  # named after the project file
        assert not screen.query_one("#ex-row-fmt").display and not screen.query_one("#ex-row-selection").display
        screen.query_one("#ex-pseudonymize", Checkbox).value = True
        await export_to(pilot, out_dir / "projekt.qdpx")
        assert_done(screen, out_dir / "projekt.qdpx")
    with zipfile.ZipFile(out_dir / "projekt.qdpx") as zf:
        names = zf.namelist()
        qde = etree.fromstring(zf.read("project.qde"))
        texts = [zf.read(n).decode("utf-8") for n in names if n.startswith("sources/")]
    ns = {"q": "urn:QDA-XML:project:1.0"}
    assert len(qde.xpath("//q:TextSource", namespaces=ns)) == 2 and len(texts) == 2
    assert len(qde.xpath("//q:Coding", namespaces=ns)) == len(export_rows(project)) == 16
    assert {u.get("name") for u in qde.xpath("//q:User", namespaces=ns)} == {"anne", "bo"}
    assert not any("Karen" in t for t in texts) and b"Karen" not in etree.tostring(qde)


async def test_codebook_yaml_loads_back(project, out_dir):
    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "codebook")
        assert screen.query_one("#ex-out", Input).value == "kodebog.yaml"
        await export_to(pilot, out_dir / "kodebog.yaml")
        assert_done(screen, out_dir / "kodebog.yaml")
        await export_to(pilot, out_dir / "kodebog.qdc")
        assert_done(screen, out_dir / "kodebog.qdc")
    bundled = load_codebook_file(bundled_codebook())
    written = load_codebook_file(out_dir / "kodebog.yaml")
    assert [c.key for c in written.codes] == [c.key for c in bundled.codes]
    assert (out_dir / "kodebog.qdc").read_bytes().startswith(b"<?xml")


# ====================================================================== errors


async def test_unwritable_paths_show_one_error_and_write_nothing(project, out_dir):
    a_file = out_dir / "fil.txt"
    a_file.write_text("x")
    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "frequencies")
        for target, words in [
            (out_dir / "mangler" / "t.xlsx", "findes ikke"),
            (a_file / "t.xlsx", "findes ikke"),
            (out_dir, "er en mappe"),
        ]:
            pilot.app.notes.clear()  # type: ignore[attr-defined]
            await export_to(pilot, target)
            text = status(screen)
            assert text.startswith("✗ Ikke eksporteret: ") and words in text, text
            assert screen.query_one("#export-status").has_class("-error")
            errors = [n for s, n in pilot.app.notes if s == "error"]  # type: ignore[attr-defined]
            assert len(errors) == 1 and "\n" not in errors[0] and words in errors[0]
            assert not screen.running and not screen.query_one("#ex-run", Button).disabled
        screen.query_one("#ex-out", Input).value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert "der er intet filnavn" in status(screen)
    assert sorted(p.name for p in out_dir.iterdir()) == ["fil.txt"]


async def test_a_failing_report_keeps_the_old_file(project, out_dir):
    target = out_dir / "t.csv"
    target.write_text("gammel\n")
    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "frequencies")
        screen.query_one("#ex-codes", Input).value = "T99"
        await export_to(pilot, target)
        assert "koden 'T99' findes ikke" in status(screen)
        screen.query_one("#ex-codes", Input).value = "tema"
        await export_to(pilot, out_dir / "t.docx")
        assert "Temafrekvenser kan ikke skrives som .docx" in status(screen)
    assert target.read_text() == "gammel\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["t.csv"]


async def test_bad_numbers_are_refused_in_danish(project, out_dir):
    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "quotes")
        screen.query_one("#ex-n", Input).value = ""
        await export_to(pilot, out_dir / "c.md")
        assert "antallet af citater skal være et helt tal" in status(screen)
        screen.query_one("#ex-n", Input).value = "3"
        screen.query_one("#ex-min_words", Input).value = "50"
        screen.query_one("#ex-max_words", Input).value = "10"
        await export_to(pilot, out_dir / "c.md")
        assert "ordgrænserne 50–10 går ikke" in status(screen)
    assert list(out_dir.iterdir()) == []


# ====================================================================== threads


@pytest.fixture
def gate(monkeypatch):  # noqa: ANN201
    """Hold every report in its worker until the test opens the gate; ``finished`` is set when run_report returns."""
    opened, finished = threading.Event(), threading.Event()
    for kind, build in list(jobs._BUILDERS.items()):

        def held(*args: Any, _build: Any = build) -> Any:
            assert opened.wait(10), "the test never opened the gate"
            return _build(*args)

        monkeypatch.setitem(jobs._BUILDERS, kind, held)
    real = export_module.run_report

    def run_report(*args: Any, **kwargs: Any) -> Any:
        try:
            return real(*args, **kwargs)
        finally:
            finished.set()

    monkeypatch.setattr(export_module, "run_report", run_report)
    yield opened, finished
    opened.set()


async def test_the_ui_stays_responsive_while_exporting(project, out_dir, gate):
    opened, finished = gate
    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "frequencies")
        screen.query_one("#ex-out", Input).value = str(out_dir / "t.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Tæller" in status(screen))
        assert screen.running and screen.has_class("-running")
        assert screen.query_one("#ex-progress", ProgressBar).display
        assert screen.query_one("#ex-run", Button).disabled
        assert status(screen) == "Temafrekvenser: Tæller kodninger, udsagn og deltagere …"
        # The form still answers keys while the worker holds the report.
        await pilot.press("tab")
        assert screen.focused is screen.query_one("#ex-fmt", Select)  # Tab goes field to field
        kinds = screen.query_one("#export-kinds", OptionList)
        kinds.focus()
        await pilot.press("down")
        assert screen.kind == "cooccurrence" and screen.query_one("#ex-row-rows").display
        await pilot.press("ctrl+e")  # a second export is refused while one runs
        assert any("kører allerede" in n for _, n in pilot.app.notes)  # type: ignore[attr-defined]
        assert not (out_dir / "t.csv").exists()
        opened.set()
        await settle(pilot)
        assert finished.is_set()
        assert_done(screen, out_dir / "t.csv")
        assert "Temafrekvenser skrevet til" in status(screen)  # named after the export that ran
        assert screen.query_one("#ex-progress", ProgressBar).display is False or not screen.has_class("-running")
    assert (out_dir / "t.csv").read_text(encoding="utf-8").startswith("Kode,Navn,")


async def test_escape_calls_off_a_running_export_and_goes_back(project, out_dir, gate):
    opened, finished = gate
    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await choose(pilot, "quotes")
        screen_of(pilot).query_one("#ex-out", Input).value = str(out_dir / "c.docx")
        await pilot.press("enter")
        await pilot.pause()
        assert screen_of(pilot).running
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ExportScreen)
        assert any("afbrudt" in n for _, n in pilot.app.notes)  # type: ignore[attr-defined]
        opened.set()
        assert finished.wait(10)
    assert list(out_dir.iterdir()) == []


# ====================================================================== keys, form and layout


async def test_keys_dialog_and_question_mark_in_the_title(project):
    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "quotes")
        await pilot.press("question_mark")  # from the file field: shows the keys
        await pilot.pause()
        assert isinstance(pilot.app.screen, KeysDialog)
        assert pilot.app.screen.title_text == "Eksport"
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is screen
        title = screen.query_one("#ex-title", Input)
        title.focus()
        await pilot.press("question_mark")  # a title may ask a question
        assert title.value == "?" and pilot.app.screen is screen
    sections = dict(screen.help_extra())
    assert "Formularen" in sections and ExportScreen.HELP_TITLE == "Eksport"


async def test_the_apps_help_lists_the_screens_keys(project):
    from trivselkode.tui.app import help_sections

    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        sections = help_sections(screen_of(pilot), pilot.app)
    title, rows = sections[0]
    assert title == "Eksport"
    assert ("ctrl+e", "kør eksporten (også Enter i et felt)") in rows
    assert any(t == "Formularen" for t, _ in sections)


async def test_escape_in_an_open_list_closes_the_list_not_the_screen(project):
    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "frequencies")
        fmt = screen.query_one("#ex-fmt", Select)
        fmt.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert fmt.expanded
        await pilot.press("escape")
        await pilot.pause()
        assert not fmt.expanded and pilot.app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ExportScreen)


async def test_each_kind_shows_its_own_fields_and_keeps_its_own_file(project, out_dir):
    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        for kind in KIND_ORDER:
            await choose(pilot, kind)
            shown = {name for name in export_module.ALL_FIELDS if screen.query_one(f"#ex-row-{name}").display}
            assert shown == set(FIELDS[kind]), kind
        await choose(pilot, "frequencies")
        out = screen.query_one("#ex-out", Input)
        out.value = "mine.csv"
        await pilot.pause()
        assert screen.query_one("#ex-fmt", Select).value == "csv"  # the suffix chose the format
        screen.query_one("#ex-fmt", Select).value = "json"
        await pilot.pause()
        assert out.value == "mine.json"  # and the format changes the suffix
        await choose(pilot, "quotes")
        assert out.value == "citater.docx"
        shown_label = screen.query_one("#ex-selection", Select).query_one("SelectCurrent").label  # type: ignore[attr-defined]
        assert str(shown_label) == "Standard: alle koderes forening"  # quotes read the same default as every report
        await choose(pilot, "frequencies")
        assert out.value == "mine.json" and screen.query_one("#ex-fmt", Select).value == "json"
        out.value = "mine.docx"
        await pilot.pause()
        target = str(screen.query_one("#export-target", Static).render())
        assert "kan ikke skrives som .docx" in target and screen.query_one("#export-target").has_class("-warning")


async def test_consensus_is_offered_and_is_the_default(tmp_path, out_dir):
    project = build_export_project(tmp_path / "k.db", consensus=True)
    try:
        async with Host(project).run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = await choose(pilot, "frequencies")
            options = list(screen.query_one("#ex-selection", Select)._options)  # type: ignore[attr-defined]
            assert options[0] == ("Standard: konsensus", "auto")
            assert options[1] == ("Konsensus af anne og bo", "consensus")
            assert [v for _, v in options] == ["auto", "consensus", "union", "coder:anne", "coder:bo"]
            await export_to(pilot, out_dir / "f.json")
            assert "grundlag: konsensus af anne og bo" in status(screen)
        rows = json.loads((out_dir / "f.json").read_text(encoding="utf-8"))
        assert rows == compute_frequencies(project, codes=["tema"]).rows
        assert {r["code"]: r["passages"] for r in rows if r["passages"]} == {
            "T1": 1,
            "T2": 1,
            "T3": 1,
            "T4": 1,
            "T6": 1,
        }
        assert all(r["open_disagreements"] == 0 for r in rows)
    finally:
        project.dispose()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_layout_fits_and_the_form_scrolls(project, size):
    async with Host(project).run_test(size=size) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "frequencies")  # the longest form: eight attributes to break down by
        width, height = size
        for selector in ("#export-kinds", "#ex-out", "#ex-run", "#export-status"):
            region = screen.query_one(selector).region
            assert region.width > 0 and region.height > 0, selector
            assert region.right <= width and region.bottom <= height - 1, selector  # above the footer
        visited = set()
        for _ in range(12):
            await pilot.press("tab")
            visited.add(screen.focused.id if screen.focused else None)
        assert "export-form" not in visited and {"ex-out", "ex-by", "ex-run", "export-kinds"} <= visited
        last = screen.query_one("#ex-age_bands", Input)
        last.focus()
        form = screen.query_one("#export-form")
        for _ in range(3000):  # the form scrolls to the focused field after a refresh or two (bound: a hang guard)
            await pilot.pause(0.02)
            if form.region.contains_region(last.region):
                break
        assert form.region.contains_region(last.region)
        if height == 24:
            assert form.scroll_offset.y > 0  # the form scrolled to the field
        await pilot.resize_terminal(70, 20)
        await pilot.pause()
        assert screen.query_one("#ex-run").region.bottom <= 19
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert screen.query_one("#ex-row-out").region.width <= 76
        await pilot.press("ctrl+q")


async def test_a_codebook_without_themes_counts_every_code(project, out_dir):
    from sqlmodel import update

    from trivselkode.storage.models import Code

    with project.write() as s:
        s.exec(update(Code).where(Code.kind == "tema").values(retired=True))  # type: ignore[call-overload]
    async with Host(project).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await choose(pilot, "frequencies")
        assert screen.query_one("#ex-codes", Input).value == ""
        await export_to(pilot, out_dir / "f.json")
        assert_done(screen, out_dir / "f.json")
    rows = json.loads((out_dir / "f.json").read_text(encoding="utf-8"))
    assert rows == compute_frequencies(project).rows and "T1" not in {r["code"] for r in rows}


async def test_a_project_without_codings_says_so_and_still_exports_its_codebook(tmp_path, out_dir):
    from trivselkode.storage.codebook import load_codebook

    project, _ = open_project(str(tmp_path / "tom.db"))
    load_codebook(project, load_codebook_file(bundled_codebook()))
    try:
        async with Host(project).run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = screen_of(pilot)
            assert "Ingen kodninger endnu" in status(screen)
            await choose(pilot, "frequencies")
            await export_to(pilot, out_dir / "f.xlsx")
            assert "projektet har ingen kodninger endnu" in status(screen)
            pilot.app.notes.clear()  # type: ignore[attr-defined]
            await choose(pilot, "codebook")
            await export_to(pilot, out_dir / "kodebog.yaml")
            assert_done(screen, out_dir / "kodebog.yaml")
    finally:
        project.dispose()
    assert sorted(p.name for p in out_dir.iterdir()) == ["kodebog.yaml"]
