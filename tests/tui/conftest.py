"""A small project per test, the app on it, and helpers to wait for its workers.

The project is written straight into the database (no import, no spaCy), so
a TUI test starts in milliseconds. Suggestions use the word forms only
(``simple_words``) unless a test asks for spaCy.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import Input, TextArea
from textual.worker import WorkerCancelled, WorkerState

from trivselkode.analysis.suggest import simple_words, suggest
from trivselkode.config import Settings
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.models import Code, Coder, Coding, Participant, Passage, Source

THEMES = [
    ("T1", "Biblioteket som et psykologisk tryghedssystem", "#66bb6a", ["tryg", "tryghed", "velkommen", "dømme"]),
    ("T2", "Et unikt rum for mental ro", "#42a5f5", ["ro", "stille", "fordybelse"]),
    ("T3", "Stille social resonans", "#ab47bc", ["fællesskab", "møde", "snakke"]),
    ("T4", "Personalet som regulerende varme", "#ffa726", ["personale", "venlig", "hjælpsom"]),
    ("T5", "Identitet og interesser", "#26a69a", ["interesse", "identitet"]),
    ("T6", "Arrangementer som mikrobegivenheder", "#ef5350", ["arrangement", "foredrag"]),
    ("T7", "Lavt pres, høj værdi", "#8d6e63", ["pres", "gratis"]),
]

TRANSCRIPT = [
    ("I", "Hvad betyder biblioteket for dig?"),
    ("P1", "Jeg føler mig tryg her. Ingen dømmer mig. Jeg kommer hver uge."),
    ("I", "Hvad laver du, når du er her?"),
    ("P1", "Jeg læser aviser i ro og fred. Det er stille."),
    ("P2", "Arrangementerne er gode. Jeg møder andre. Vi snakker lidt."),
    ("I", "Tak for det."),
    ("P2", "Personalet er altid venlige og hjælpsomme."),
]

_SENT_RE = re.compile(r"[^.!?]+[.!?]*")


def sentences(text: str) -> list[list[int]]:
    out = []
    for m in _SENT_RE.finditer(text):
        start = m.start() + (len(m.group()) - len(m.group().lstrip()))
        if m.group().strip():
            out.append([start, m.end()])
    return out


def build_project(path: Path | str, *, big: int = 0) -> Project:
    """Codebook, three sources (one of ``big`` passages when asked), no codings (a file or a URL)."""
    project, _ = open_project(str(path))
    with project.write() as s:
        pos = 0
        for key, name, color, keywords in THEMES:
            pos += 1
            s.add(
                Code(
                    key=key, name=name, kind="tema", shortcut=key[1], color=color, position=pos, keywords=keywords,
                    description=f"Definitionen af {name}.", include="Medtag det.", exclude="Udelad det.",
                    examples=[f"Et eksempel på {key}."],
                )
            )  # fmt: skip
        s.add(Code(key="B", name="Behov", kind="behov", position=10))
        s.add(Code(key="OLD", name="Udgået kode", kind="tema", position=90, retired=True))
        s.flush()
        b = s.exec(select(Code).where(Code.key == "B")).one()
        s.add(Code(key="B.social", name="Sociale behov", kind="behov", parent_id=b.id, shortcut="b", position=11,
                   color="#5c6bc0", keywords=["andre"]))  # fmt: skip
        s.add(Code(key="B.sikkerhed", name="Sikkerhedsbehov", kind="behov", parent_id=b.id, shortcut="h", position=12))
        s.add(Code(key="X.clash", name="Kode med optaget genvej", kind="andet", shortcut="j", position=20))
        s.flush()

        def add_source(
            name: str, kind: str, site: str, context: str, turns: list[tuple[str, str]], people: dict
        ) -> None:
            src = Source(
                name=name, title=name.replace("-", " ").title(), kind=kind, site=site, context=context, text=""
            )
            s.add(src)
            s.flush()
            ids = {}
            for label, attrs in people.items():
                part = Participant(source_id=src.id, label=label, **attrs)
                s.add(part)
                s.flush()
                ids[label] = part.id
            rows = []
            for n, (label, text) in enumerate(turns, start=1):
                rows.append(
                    dict(source_id=src.id, number=n, participant_id=ids[label], start=0, end=len(text), text=text,
                         sentences=sentences(text))
                )  # fmt: skip
            s.execute(insert(Passage), rows)

        people = {
            "I": {"role": "interviewer"},
            "P1": {"gender": "kvinde", "age": 67},
            "P2": {"gender": "mand", "age": 34, "site": "Viborg"},
        }
        add_source("holstebro-1", "interview", "Holstebro", "bibliotek", TRANSCRIPT, people)
        add_source(
            "viborg-voxpop", "voxpop", "Viborg", "arrangement",
            [("V1", "Foredraget var godt og gratis."), ("V2", "Jeg kom for fællesskabet.")],
            {"V1": {"gender": "kvinde", "age": 45}, "V2": {"gender": "mand", "age": 71}},
        )  # fmt: skip
        if big:
            turns = []
            for n in range(big):
                who = "I" if n % 4 == 0 else ("P1" if n % 2 else "P2")
                turns.append((who, f"Udsagn nummer {n + 1}. Jeg føler mig tryg og kommer her ofte. Det er stille."))
            add_source("randers-stor", "interview", "Randers", "bibliotek", turns, people)
    return project


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """Steady cursors, so screenshots do not depend on timing."""
    monkeypatch.setattr(Input.cursor_blink, "_default", False)
    monkeypatch.setattr(TextArea.cursor_blink, "_default", False)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A screen test runs on SQLite; one marked ``both_backends`` also on PostgreSQL.

    Each screen has tests on both back ends for what it reads and writes; the rest (keys,
    dialogs, layout) exercise the same core calls and run once, which halves the time
    of the screen tests.
    """
    if "tui_db" in metafunc.fixturenames:
        backends: list = ["sqlite"]
        if metafunc.definition.get_closest_marker("both_backends"):
            backends.append(pytest.param("postgres", marks=pytest.mark.postgres))
        metafunc.parametrize("tui_db", backends, indirect=True)


@pytest.fixture
def tui_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a screen test's project lives: an SQLite file, or a PostgreSQL database when
    the test is marked ``both_backends`` and a server is given."""
    if request.param == "sqlite":
        return str(tmp_path / "test.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture()
def tui_project(tui_db: str):  # noqa: ANN201
    """The small project of :func:`build_project` (named apart from the root ``project`` fixture)."""
    project = build_project(tui_db)
    yield project
    project.dispose()


def passage_ids(project: Project) -> dict[str, list[int]]:
    """Per source name, its passage ids in order (index 0 is passage 1)."""
    with project.read() as s:
        rows = s.exec(
            select(Source.name, Passage.id).join(Passage, Passage.source_id == Source.id).order_by(Passage.number)
        )
        out: dict[str, list[int]] = {}
        for name, pid in rows:
            out.setdefault(name, []).append(pid)
    return out


def code_ids(project: Project) -> dict[str, int]:
    with project.read() as s:
        return {c.key: c.id for c in s.exec(select(Code))}


def make_app(project: Project, coder: str | None = "ann", **kwargs):  # noqa: ANN201
    from trivselkode.tui.app import TrivselApp

    kwargs.setdefault("suggester", partial(suggest, lemmatize=simple_words))
    kwargs.setdefault("suggest_delay_s", 0)  # suggestions at once, so tests wait for workers, not timers
    return TrivselApp(project, Settings(db=project.display_name, coder=None), coder=coder, **kwargs)


async def settle(pilot: Pilot) -> None:
    """Wait until every worker has finished and what they posted is handled (no sleeping)."""
    app = pilot.app
    await pilot.pause()
    quiet = 0
    for _round in range(40):
        active = [w for w in app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
        if not active:
            # Idle twice in a row: on a loaded machine a screen may start its first worker only
            # after the first pause (its mount handled late), so one idle look is not enough.
            quiet += 1
            if quiet >= 2:
                return
            await pilot.pause()
            continue
        quiet = 0
        try:
            await app.workers.wait_for_complete(active)
        except WorkerCancelled:  # a superseded worker (the overview's reload): wait for the rest
            pass
        await pilot.pause()  # the messages the workers posted; their handlers may start more workers


def codings(project: Project, coder: str = "ann") -> set[tuple[int, str, int | None, int | None]]:
    """(passage number, code key, start, end) of a coder's codings, read fresh from the database."""
    with project.read() as s:
        rows = s.exec(
            select(Passage.number, Code.key, Coding.start, Coding.end)
            .join(Coding, Coding.passage_id == Passage.id)
            .join(Code, Coding.code_id == Code.id)
            .join(Coder, Coding.coder_id == Coder.id)
            .where(Coder.name == coder)
        ).all()
    return {tuple(r) for r in rows}
