"""Kodning's counts and title follow every toggle as a recount from the whole source would (mine, and
everyone's with ``o``), on screen as in the panel."""

from __future__ import annotations

import pytest

from tests.tui.conftest import code_ids, make_app, passage_ids, settle
from tests.tui.test_coding import SOURCE, open_source
from trivselkode.storage import coding_ops as ops
from trivselkode.tui.coding.codebook_panel import CodebookPanel

pytestmark = pytest.mark.anyio


def _count_shown(panel: CodebookPanel, code_id: int) -> str:
    """The count column of the code's line in the code list, as drawn."""
    code_list = panel.code_list
    index = next(i for i, c in enumerate(code_list.codes) if c.id == code_id)
    return code_list.render_line(index - int(code_list.scroll_offset.y)).text[5:8].strip()


async def test_counts_and_title_follow_toggles_mine_and_everyones(tui_project) -> None:  # noqa: ANN001
    pids, codes = passage_ids(tui_project), code_ids(tui_project)
    t1, t2 = codes["T1"], codes["T2"]
    ops.toggle_code(tui_project, "bo", pids[SOURCE][1], t1)  # bo: T1 on passage 2, T2 on passage 4
    ops.toggle_code(tui_project, "bo", pids[SOURCE][3], t2)
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        panel = screen.query_one(CodebookPanel)
        assert screen.passage.number == 2

        async def after(keys: str, expected: dict[int, int], coded: int) -> None:
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
            assert panel.counts == expected == screen.view.counts(mine=not screen.show_others)
            for code_id in (t1, t2):
                assert _count_shown(panel, code_id) == (str(expected[code_id]) if code_id in expected else "")
            assert f"kodet {coded}/" in str(screen.query_one("#coding-title").render())

        await after("1", {t1: 1}, 1)
        await after("2", {t1: 1, t2: 1}, 1)  # a second code: the title stays as it was
        await after("o", {t1: 1, t2: 2}, 1)  # everyone's: bo's T1 is on the same passage
        await after("1", {t1: 1, t2: 2}, 1)  # mine off, bo's still counts
        await after("2", {t1: 1, t2: 1}, 0)
        await after("o", {}, 0)
        await after("jj2", {t2: 1}, 1)  # two passages on
        await after("u", {}, 0)  # undone
