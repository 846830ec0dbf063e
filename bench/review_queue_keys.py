"""Keys it takes to code 100 demo passages for one theme through the review queue (Forslagskø).

Drives the real app headless with Textual's Pilot, at 80×24, on a fresh copy
of the demo project, with the real learner (training and ranking in its helper
process, spaCy's lemmas): from the overview ``K`` opens Kodebog, the arrows go
to the theme, ``Q`` opens the queue on it; then one key per passage, ``y`` or
``n``, as an oracle decides: ``y`` when one of the demo's coders (anne or bo)
coded the passage with the theme, else ``n``. The bench stops when 100
passages are settled for the theme (coded with it, or rejected for it: a
rejection is a decision too; T1 has about 125 true passages among the demo's
817 participant passages, so a good ranking settles 100 mostly with ``y``)
and prints the keys pressed (opening the queue included), how many
were ``y`` and ``n``, how many of the theme's passages those 100 decisions
found, the seconds of the whole run, and how long the first ranking took (the
only wait: later rankings run in the background every tenth decision while
the keys go on). What was stored is checked in the database at the end.

The queue offers only the passages the coder has not coded with the theme,
and anne has coded all of hers; so her codings are removed from the temporary
copy first: she starts afresh, and the queue has the demo's 817 participant
passages to offer. Two runs:

- ``blind`` (the default rule): the queue learns from anne's own codings and
  rejections only; with none at first it ranks by the codebook's keywords and
  learns from her ``y``/``n`` as she goes;
- ``from all`` (``queue_learns_from_all`` on): it also learns from bo's
  codings from the start, as for a coder joining a coded project.

The oracle reads anne's and bo's codings before anne's are removed, so in the
second run the queue learns from half of the oracle (bo's); its figure shows
what a coded project gives a newcomer, not a held-out quality (that is
``bench/suggest_quality.py``'s).

Run: ``.venv/bin/python bench/review_queue_keys.py [--theme T1] [--passages 100]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CODER = "anne"


@dataclass
class Run:
    label: str
    keys: int
    yes: int
    no: int
    found: int
    truth: int
    seconds: float
    first_ranking: float
    stored_yes: int
    stored_no: int


def prepare(folder: Path) -> tuple[Path, dict[str, set[int]]]:
    """The demo in ``folder``, anne's codings and done marks removed; per theme, the passages anne or bo coded with it."""
    from sqlmodel import delete, select

    from trivselkode.cli.project import build_demo
    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Code, Coder, Coding, SourceDone

    db = folder / "demo.db"
    build_demo(db)
    project, _ = open_project(str(db))
    try:
        truth: dict[str, set[int]] = {}
        with project.read() as s:
            for key, pid in s.exec(select(Code.key, Coding.passage_id).join(Coding, Coding.code_id == Code.id)):
                truth.setdefault(key, set()).add(pid)
        with project.write() as s:
            anne = s.exec(select(Coder.id).where(Coder.name == CODER)).one()
            s.exec(delete(Coding).where(Coding.coder_id == anne))  # type: ignore[call-overload]
            # Nor has she finished a source: a source marked done makes its uncoded passages "nothing here".
            s.exec(delete(SourceDone).where(SourceDone.coder_id == anne))  # type: ignore[call-overload]
    finally:
        project.dispose()
    return db, truth


async def wait_for(pilot, condition, limit: float = 600.0) -> float:  # noqa: ANN001
    """Let the app run until ``condition()`` holds; the seconds it took."""
    began = time.perf_counter()
    while not condition():
        if time.perf_counter() - began > limit:
            raise TimeoutError("the review queue never showed a passage")
        await pilot.pause(0.02)
    return time.perf_counter() - began


async def drive(db: Path, theme: str, truth: set[int], passages: int, *, from_all: bool) -> Run:
    from textual.widgets import Tree

    from trivselkode.config import Settings
    from trivselkode.storage.db import open_project
    from trivselkode.storage.project_settings import set_queue_learns_from_all
    from trivselkode.storage.rejections import rejected_passages
    from trivselkode.storage.training import coded_passages
    from trivselkode.tui.app import TrivselApp

    project, _ = open_project(str(db))
    set_queue_learns_from_all(project, from_all)
    app = TrivselApp(project, Settings(db=str(db), coder=None), coder=CODER, suggester=None)
    keys = yes = no = found = 0
    began = time.perf_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "OverviewScreen")

        async def press(key: str) -> None:
            nonlocal keys
            keys += 1
            await pilot.press(key)

        await press("K")
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        tree = app.screen.query_one(Tree)
        while tree.cursor_node is None or tree.cursor_node.data != theme:
            await press("down")
        await press("Q")
        screen = app.screen
        first = await wait_for(pilot, lambda: screen.queue.current is not None)
        while yes + no < passages and screen.queue.current is not None:
            item = screen.queue.current
            if item.passage_id in truth:
                yes += 1
                await press("y")
            else:
                no += 1
                await press("n")
        seconds = time.perf_counter() - began
        await pilot.pause()
        await app.workers.wait_for_complete()
        found = sum(1 for d in screen.queue.decisions if d.verdict == "y")
    stored_yes = len(coded_passages(project, CODER, theme))
    stored_no = len(rejected_passages(project, CODER, theme))
    project.dispose()
    label = "lærer af alle (anne + bo)" if from_all else "blind (kun annes egne)"
    return Run(label, keys, yes, no, found, len(truth), seconds, first, stored_yes, stored_no)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--theme", default="T1", help="the theme to review (default T1)")
    parser.add_argument("--passages", type=int, default=100, help="passages to settle (default 100)")
    parser.add_argument("--only", choices=["blind", "all"], help="one of the two runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trivselkode-queue-bench-") as tmp:
        db, truth = prepare(Path(tmp))
        theme_truth = truth.get(args.theme, set())
        print(f"Forslagskø, {args.theme}: {len(theme_truth)} af demoens udsagn har temaet (anne eller bo).")
        runs = []
        for from_all in (False, True):
            if args.only == ("all" if not from_all else "blind"):
                continue
            copy = Path(tmp) / f"run-{int(from_all)}.db"
            copy.write_bytes(db.read_bytes())
            runs.append(asyncio.run(drive(copy, args.theme, theme_truth, args.passages, from_all=from_all)))
    for r in runs:
        print(
            f"{r.label}: {r.keys} taster for {r.yes + r.no} udsagn ({r.yes} y, {r.no} n); "
            f"fandt {r.found} af temaets {r.truth} udsagn; {r.seconds:.1f} s i alt, "
            f"første rangering {r.first_ranking:.1f} s; gemt: {r.stored_yes} kodninger, {r.stored_no} afvisninger"
        )
        if (r.stored_yes, r.stored_no) != (r.yes, r.no):
            print("FEJL: det gemte passer ikke med tasterne", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
