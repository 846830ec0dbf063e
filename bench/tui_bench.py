"""Benchmark of the terminal UI on a 3,000-passage source (SPEC §10).

Prints, each next to its target:

- process start to the overview painted: ``trivselkode --db … --coder …`` in a
  fresh interpreter, through the real CLI path, the app headless (≤ 2 s);
- opening the coding screen on the 3,000-passage source (≤ 1 s);
- milliseconds per keystroke under Textual's Pilot for a move (``j``) and a
  toggle (``1``, until it is stored and shown), next to the same keystrokes
  on an empty Textual app measured the same way in the same run; our added
  median must be ≤ 15 ms. Two ways of measuring are printed (see ``_key``):
  until the change is drawn; ``await pilot.press`` with Pilot's idle
  detection in 2 ms windows; and ``await pilot.press`` as is, whose idle
  detection rounds every key that does any work up by whole 20 ms windows
  (printed, but too coarse to judge a 15 ms target by: a calibration line
  shows what each way gives an app whose key only changes one label).

Run: ``.venv/bin/python bench/tui_bench.py`` (``--keys N`` to change the
number of keystrokes per measurement).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PASSAGES = 3000
SOURCE = "stor-kilde"
CODER = "bench"

SENTENCES = [
    "Jeg kommer her næsten hver uge, og jeg føler mig altid velkommen.",
    "Der er ro, og ingen forventer noget af mig.",
    "Personalet er venlige og hjælper, når jeg spørger.",
    "Til arrangementerne møder jeg andre, men jeg skal ikke sige noget.",
    "Det betyder meget, at det er gratis, og at man bare kan gå ind.",
    "Nogle gange sidder jeg bare og kigger ud ad vinduet en times tid.",
]


def build(db: Path) -> None:
    """The bundled codebook, one source of 3,000 passages and two small ones."""
    from sqlalchemy import insert

    from trivselkode.config import bundled_codebook
    from trivselkode.domain.codebook import load_codebook_file
    from trivselkode.storage.codebook import load_codebook
    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Participant, Passage, Source

    project, _ = open_project(str(db))
    load_codebook(project, load_codebook_file(bundled_codebook()))
    with project.write() as s:
        for name, count in ((SOURCE, PASSAGES), ("lille-1", 30), ("lille-2", 30)):
            src = Source(name=name, title=name, kind="interview", site="Viborg", context="bibliotek", text="")
            s.add(src)
            s.flush()
            iv = Participant(source_id=src.id, label="I", role="interviewer")
            p1 = Participant(source_id=src.id, label="P1", gender="kvinde", age=67)
            s.add_all([iv, p1])
            s.flush()
            rows = []
            for n in range(count):
                if n % 3 == 0:
                    text, who, sents = "Hvordan er det at komme her?", iv.id, [[0, 28]]
                else:
                    parts = [SENTENCES[(n + k) % len(SENTENCES)] for k in range(1 + n % 4)]
                    text = " ".join(parts)
                    sents, pos = [], 0
                    for part in parts:
                        sents.append([pos, pos + len(part)])
                        pos += len(part) + 1
                    who = p1.id
                rows.append(
                    dict(source_id=src.id, number=n + 1, participant_id=who, start=0, end=len(text), text=text,
                         sentences=sents)
                )  # fmt: skip
            s.execute(insert(Passage), rows)
    project.dispose()


CHILD = r"""
import sys, time
db, coder = sys.argv[1], sys.argv[2]
import asyncio
from trivselkode.cli import main as cli_main
from trivselkode.tui import app as tui_app

painted = []

async def probe(pilot):
    from trivselkode.tui.overview.screen import OverviewScreen
    app = pilot.app
    while not (isinstance(app.screen, OverviewScreen) and app.screen.loaded):
        await asyncio.sleep(0.002)
    await pilot.pause()  # the frame with the rows is drawn
    painted.append(time.time())
    app.exit()

original_run = tui_app.TrivselApp.run
def run(self, *args, **kwargs):
    return original_run(self, headless=True, size=(120, 40), auto_pilot=probe)
tui_app.TrivselApp.run = run
sys.stdin.isatty = lambda: True   # the CLI opens the UI only on a terminal
sys.stdout.isatty = lambda: True
try:
    cli_main.app(["--db", db, "--coder", coder], prog_name="trivselkode", standalone_mode=False)
finally:
    print(f"PAINTED {painted[0]!r}" if painted else "PAINTED none", file=sys.__stderr__)
"""


def start_to_overview(db: Path, runs: int = 3) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.time()
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(db), CODER], capture_output=True, text=True, timeout=60, cwd=REPO
        )
        line = next((ln for ln in proc.stderr.splitlines() if ln.startswith("PAINTED ")), "PAINTED none")
        if line == "PAINTED none":
            raise RuntimeError(f"the overview was never painted:\n{proc.stderr[-2000:]}")
        out.append(float(line.split()[1]) - t0)
    return out


def stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


from textual import _wait  # noqa: E402  Pilot's idle detection (see _key)

DEFAULT_WINDOW = _wait.SLEEP_GRANULARITY
METHODS = ("press", "press-2ms", "drawn")


async def _settle(pilot) -> None:  # noqa: ANN001
    from textual.worker import WorkerCancelled

    await pilot.pause()
    for _ in range(5):
        try:
            await pilot.app.workers.wait_for_complete()
            break
        except WorkerCancelled:
            await pilot.pause()
    await pilot.pause()


async def _key(pilot, key: str, method: str, *, wait_workers: bool) -> float:  # noqa: ANN001
    """Seconds for one keystroke, measured one of two ways (the same for both apps).

    ``press``: ``await pilot.press(key)`` (plus, for a toggle, waiting for the
    write worker and ``pilot.pause()``). Pilot decides the app is done by
    polling process CPU time in 20 ms windows (``textual._wait.wait_for_idle``),
    so any key that does 1 ms of work or more costs whole extra windows.

    ``drawn``: the key is sent as Pilot sends it; then the nodes the key
    passes (the app, the focused widget and its ancestors) have handled it —
    one round per hop it bubbles up —, workers are awaited for a toggle (and
    the app has handled what they posted), and the frame is drawn at once, as
    the 60 Hz screen timer would draw it: the time until the change is on
    screen, without the idle polling.
    """
    app = pilot.app
    t0 = time.perf_counter()
    if method.startswith("press"):
        await pilot.press(key)
        if wait_workers:
            await app.workers.wait_for_complete()
            await pilot.pause()
        return time.perf_counter() - t0
    from textual import events

    path = [app, *(app.focused or app.screen).ancestors_with_self]
    app._driver.send_message(events.Key(key, key))
    for _ in range(len(path) + 1):
        await _drain(path)
    if wait_workers:
        await app.workers.wait_for_complete()
        for _ in range(2):
            await _drain(path)
    app.screen._on_timer_update()
    return time.perf_counter() - t0


async def _drain(nodes) -> None:  # noqa: ANN001
    """Every node has handled what was in its queue when this was called."""
    events_ = []
    for node in nodes:
        done = asyncio.Event()
        node.call_later(done.set)
        events_.append(done)
    for done in events_:
        await done.wait()


async def keystrokes(app, keys: int, *, open_source: bool) -> dict[str, object]:  # noqa: ANN001
    """Per-key times for ``j`` and ``1`` (the toggle waited for until stored and shown)."""
    result: dict[str, object] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        if open_source:
            opens = []
            for _ in range(3):
                t0 = time.perf_counter()
                app.open_coding(SOURCE, None)
                while not (type(app.screen).__name__ == "CodingScreen" and app.screen.loaded):
                    await asyncio.sleep(0.001)
                await pilot.pause()  # painted
                opens.append(time.perf_counter() - t0)
                await pilot.press("escape")
                await _settle(pilot)
            result["open"] = opens
            app.open_coding(SOURCE, None)
            await _settle(pilot)
            deadline = time.perf_counter() + 30  # let the helper process load spaCy before timing keys
            while app.screen.suggest.running and time.perf_counter() < deadline:
                await asyncio.sleep(0.05)
            await _settle(pilot)
        for method in METHODS:
            # Pilot's idle window: Textual's 20 ms, or 2 ms (the same 1:20 CPU threshold)
            _wait.SLEEP_GRANULARITY = 0.002 if method == "press-2ms" else DEFAULT_WINDOW
            _wait.SLEEP_IDLE = _wait.SLEEP_GRANULARITY / 20
            moves = []
            for _ in range(keys):
                moves.append(await _key(pilot, "j", method, wait_workers=False))
            await _settle(pilot)
            toggles = []
            for _ in range(keys):
                toggles.append(await _key(pilot, "1", method, wait_workers=True))
            await _settle(pilot)
            result[f"move-{method}"] = moves
            result[f"toggle-{method}"] = toggles
        _wait.SLEEP_GRANULARITY = DEFAULT_WINDOW
        _wait.SLEEP_IDLE = DEFAULT_WINDOW / 20
        if open_source:
            screen = app.screen
            result["stored"] = sum(1 for p in screen.view.passages if p.id in screen.view.mine)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=100, help="keystrokes per measurement")
    args = parser.parse_args()

    from textual.app import App
    from textual.widgets import Static

    from trivselkode.config import Settings
    from trivselkode.storage.db import open_project
    from trivselkode.tui.app import TrivselApp

    with tempfile.TemporaryDirectory(prefix="tui-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        build(db)
        print(f"project: {PASSAGES:,} passages in one source, built in {time.perf_counter() - t0:.2f} s")

        starts = start_to_overview(db)
        print(
            f"start → overview painted   median {statistics.median(starts):6.2f} s  (runs {', '.join(f'{s:.2f}' for s in starts)})   target ≤ 2 s"
        )

        project, _ = open_project(str(db))
        try:
            ours = asyncio.run(
                keystrokes(TrivselApp(project, Settings(db=str(db)), coder=CODER), args.keys, open_source=True)
            )
        finally:
            project.dispose()

        class EmptyApp(App):
            pass

        empty = asyncio.run(keystrokes(EmptyApp(), args.keys, open_source=False))

        class OneLabelApp(App):
            """The least a key can do that shows: change one label's text."""

            BINDINGS = [("j", "bump('j')"), ("1", "bump('1')")]

            def compose(self):  # noqa: ANN202
                yield Static("0", id="label")

            def action_bump(self, key: str) -> None:
                label = self.query_one("#label", Static)
                label.update(f"{key} {int(str(label.render()).split()[-1]) + 1}")

        one_label = asyncio.run(keystrokes(OneLabelApp(), args.keys, open_source=False))

    opens = ours["open"]
    print(
        f"open coding screen         median {statistics.median(opens):6.2f} s  (runs {', '.join(f'{s:.2f}' for s in opens)})   target ≤ 1 s"
    )
    for method, title in (
        ("drawn", "key sent → change drawn (no idle polling)"),
        ("press-2ms", "await pilot.press, Pilot's idle polling in 2 ms windows"),
        ("press", "await pilot.press, Pilot's idle polling in Textual's 20 ms windows (rounds up to whole windows)"),
    ):
        print(title)
        for key, label in (("move", "move (j)  "), ("toggle", "toggle (1)")):
            o_med, o_p95 = stats(ours[f"{key}-{method}"])
            e_med, e_p95 = stats(empty[f"{key}-{method}"])
            added = (o_med - e_med) * 1000
            verdict = "ok" if added <= 15 else "OVER"
            if method == "press":
                # Whole 20 ms windows: a key that draws anything costs one more than a key that
                # draws nothing, so this way cannot tell 5 ms from 15 ms (the 2 ms rows can).
                verdict = f"{verdict} at 20 ms resolution: not judged"
            print(
                f"  {label} ms/key   ours median {o_med * 1000:6.1f} p95 {o_p95 * 1000:6.1f} · "
                f"empty app median {e_med * 1000:6.1f} p95 {e_p95 * 1000:6.1f} · added median {added:5.1f} ms   target ≤ 15 ms ({verdict})"
            )
    print(f"(keystrokes per measurement: {args.keys}; the toggles leave {ours['stored']} passage(s) coded)")
    # Calibration: what each way of measuring gives an app whose key only changes one label.
    parts = []
    for method in ("drawn", "press-2ms", "press"):
        added = (statistics.median(one_label[f"move-{method}"]) - statistics.median(empty[f"move-{method}"])) * 1000
        parts.append(f"{method} {added:.1f} ms")
    print(f"calibration, an app whose key changes one label, added median: {', '.join(parts)}")


if __name__ == "__main__":
    main()
