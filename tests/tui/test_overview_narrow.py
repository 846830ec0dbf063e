"""The overview at 80×24: the coder's own progress and done-mark always whole, the finished coders
wrapped (never cut off), the columns that do not fit dropped in the stated order; and a codebook of
10,000 codes that leaves the sources list its rows.
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlmodel import select
from textual.widgets import DataTable

from tests.tui.conftest import build_project, code_ids, make_app, settle
from trivselkode.domain.codebook import Codebook, CodeSpec
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.codebook import load_codebook
from trivselkode.storage.codings import mark_done
from trivselkode.storage.models import Participant, Passage, Source
from trivselkode.tui.overview.columns import COLUMNS, fit_columns
from trivselkode.tui.overview.screen import OverviewScreen
from trivselkode.tui.overview.theme_bars import ThemeBars

pytestmark = pytest.mark.anyio

LONG = "randers-hovedbibliotek-fokusgruppe-med-frivillige-og-brugere-efteraaret-2026"
CODERS = ["ann", "bo-christensen", "cai", "dorothea-lindqvist-hansen"]


# ------------------------------------------------------------------ the columns, without a screen

NATURAL = {"name": 40, "kind": 11, "site": 12, "context": 11, "passages": 6, "mine": 7, "done": 45}


def test_everything_that_fits_is_shown_whole() -> None:
    widths = fit_columns({"name": 12, "kind": 9, "site": 9, "context": 9, "mine": 4, "done": 6}, 6, 120)
    assert list(widths) == [key for key, _heading in COLUMNS]
    assert widths["name"] == 12 and widths["mine"] == 4 and widths["passages"] == len("Udsagn")


@pytest.mark.parametrize(
    ("width", "shown", "name"),
    [
        (200, ["name", "kind", "site", "context", "passages", "mine", "done"], 40),
        (120, ["name", "kind", "site", "context", "passages", "mine", "done"], 24),
        (100, ["name", "kind", "site", "passages", "mine", "done"], 24),
        (88, ["name", "site", "passages", "mine", "done"], 24),
        (78, ["name", "passages", "mine", "done"], 24),
        (60, ["name", "passages", "mine", "done"], 14),
        (55, ["name", "mine", "done"], 14),
    ],
)
def test_columns_give_way_in_the_stated_order(width, shown, name) -> None:  # noqa: ANN001
    widths = fit_columns(NATURAL, 25, width)
    assert list(widths) == shown
    assert widths["name"] == name
    assert widths["mine"] == NATURAL["mine"]  # the coder's own column, never abbreviated
    assert widths["done"] >= 25  # at least the longest coder: the rest wraps
    if width < 200:
        assert sum(widths.values()) + 2 * len(widths) <= width


# ------------------------------------------------------------------ on the screen


def add_long_source(project) -> None:  # noqa: ANN001
    with project.write() as s:
        src = Source(name=LONG, title="Fokusgruppe", kind="interview", site="Randers Hovedbibliotek",
                     context="fokusgruppe", text="")  # fmt: skip
        s.add(src)
        s.flush()
        part = Participant(source_id=src.id, label="P1")
        s.add(part)
        s.flush()
        texts = ["Jeg kommer her hver uge.", "Det er rart.", "Jeg møder andre."]
        s.execute(
            insert(Passage),
            [dict(source_id=src.id, number=n, participant_id=part.id, start=0, end=len(t), text=t,
                  sentences=[[0, len(t)]]) for n, t in enumerate(texts, start=1)],
        )  # fmt: skip


@pytest.fixture
def narrow_project(tmp_path):  # noqa: ANN001, ANN201
    project = build_project(tmp_path / "test.db")
    add_long_source(project)
    with project.read() as s:
        pid = s.exec(select(Passage.id).join(Source).where(Source.name == LONG, Passage.number == 1)).one()
    t1 = code_ids(project)["T1"]
    for coder in CODERS:  # each codes the first passage and marks the source done
        ops.toggle_code(project, coder, pid, t1)
        mark_done(project, LONG, coder)
    yield project
    project.dispose()


async def test_own_progress_and_every_finished_coder_at_80_columns(narrow_project) -> None:  # noqa: ANN001
    app = make_app(narrow_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OverviewScreen)
        table = screen.query_one("#sources", DataTable)
        keys = [column.key.value for column in table.ordered_columns]
        assert keys[-2:] == ["mine", "done"] and "context" not in keys  # Kontekst went first
        assert table.virtual_size.width <= table.scrollable_content_region.width  # nothing off to the right
        row = table.get_row(LONG)
        cells = dict(zip(keys, (str(c) for c in row), strict=True))
        assert cells["mine"] == "1/3 ✓"  # ann's own progress and done-mark
        assert cells["done"] == ", ".join(CODERS)
        done_width = table.columns["done"].width
        assert all(len(name) <= done_width for name in CODERS)
        assert table.rows[LONG].height >= 2  # the coders wrap onto a second line
        assert screen.selected_source() in ("holstebro-1", LONG, "viborg-voxpop")
        await pilot.resize_terminal(160, 30)
        await settle(pilot)
        keys = [column.key.value for column in table.ordered_columns]
        assert keys == [key for key, _heading in COLUMNS]  # wide again: every column back


async def test_down_from_the_filter_lands_on_the_first_row(narrow_project) -> None:  # noqa: ANN001
    app = make_app(narrow_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#sources", DataTable)
        await pilot.press("down", "down")
        assert table.cursor_row == 2
        await pilot.press("slash", "down")
        assert app.focused is table and table.cursor_row == 0
        await pilot.press("slash", *"vib", "down")
        assert app.focused is table and table.cursor_row == 0
        assert app.screen.selected_source() == "viborg-voxpop"
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "CodingScreen" and app.screen.source_name == "viborg-voxpop"


# ------------------------------------------------------------------ 10,000 codes


@pytest.fixture
def big_codebook(tmp_path):  # noqa: ANN001, ANN201
    project = build_project(tmp_path / "test.db")
    codes = [CodeSpec(key=f"T{n:05d}", name=f"Tema nummer {n}", kind="tema") for n in range(1, 10_001)]
    load_codebook(project, Codebook(name="stor", codes=codes))
    yield project
    project.dispose()


async def test_ten_thousand_themes_leave_the_sources_their_rows(big_codebook) -> None:  # noqa: ANN001
    app = make_app(big_codebook)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bars = app.screen.query_one(ThemeBars)
        assert len(bars.themes) >= 10_000
        table = app.screen.query_one("#sources", DataTable)
        assert table.row_count == 2 and table.size.height >= 8  # header and rows in view
        assert bars.outer_size.height <= 24 * 0.4
        lines = bars.lines_in_view()
        assert lines[0].startswith("Temaer") and lines[1].startswith(bars.themes[0].key + " ")
        bars.focus()
        await pilot.press("end")
        await settle(pilot)
        lines = bars.lines_in_view()
        assert lines[0].startswith("Temaer") and lines[-1].startswith(bars.themes[-1].key + " ")


# ------------------------------------------------------------------ lines that wrap between coders


def test_pieces_wrap_between_coders_never_inside_one() -> None:
    from rich.text import Text

    from trivselkode.tui.common.wrapping import wrap_pieces

    pieces = [Text(f"{coder} T1 T3") for coder in CODERS]
    lines = wrap_pieces(pieces, 40, first=Text("andre: "))
    plain = [line.plain for line in lines]
    assert all(len(line) <= 40 for line in plain)
    assert len(plain) > 1 and plain[0].startswith("andre: ann T1 T3")
    assert all(line.startswith(" " * len("andre: ")) for line in plain[1:])
    joined = " ".join(line.strip() for line in plain)
    assert all(f"{coder} T1 T3" in joined for coder in CODERS)  # every coder whole, in order
    assert wrap_pieces([], 40, first=Text("andre: "))[0].plain == "andre: "
    (cut,) = wrap_pieces([Text("x" * 60)], 20)
    assert cut.plain == "x" * 19 + "…"  # wider than a line: cut, as nothing else could show it
