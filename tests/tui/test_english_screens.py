"""Every screen of the TUI, its help and its main dialogs, walked in English and in Danish.

The issue's acceptance test for the terminal UI: "a test walks every screen
in English and fails on a Danish word left behind (and the reverse)". The
project's data is English (code names, definitions, passages, attribute
values), so a Danish word on an English screen is the interface's own; the
Danish walk allows the data's words and fails on an English interface word.

Each language is walked once (one app, every screen and dialog in turn, the
text a full redraw shows plus the text of every label, even scrolled out of
view); the tests, one per screen and language, then check what was seen, so
a failure names the screen and the words.
"""

from __future__ import annotations

import asyncio
import re
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlmodel import select
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static

from tests.i18n_words import ENGLISH, danish_leaks, english_leaks, words
from tests.tui.conftest import sentences, settle
from tests.tui.test_review_queue import InProcessLearner
from trivselkode.analysis.suggest import simple_words, suggest
from trivselkode.config import Settings
from trivselkode.i18n import set_language
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.codings import mark_done
from trivselkode.storage.consensus import settle as settle_disagreement
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.models import Code, Participant, Passage, Source

SIZE = (150, 60)

# The study's data, in English (and without the interface's English words, so the Danish walk stays strict).
CODES = [
    ("T1", "Feeling safe", "#66bb6a", "Passages about feeling safe, welcome, unjudged.", "Feeling at ease.",
     "Physical safety.", "I feel safe here.", ["safe", "welcome"]),
    ("T2", "Calm, quiet", "#42a5f5", "Passages about calm, quiet, rest.", "Peace, silence.", "Noise.",
     "It is quiet here.", ["quiet", "peace"]),
    ("T3", "Gentle company", "#ab47bc", "Meeting people lightly.", "Chatting.", "Intimate friends.",
     "I meet people.", ["meet", "talk"]),
    ("T4", "Kind staff", "#ffa726", "Staff as a warm presence.", "Friendly staff.", "Opening hours.",
     "Staff are kind.", ["staff", "kind"]),
]  # fmt: skip
INTERVIEW = [
    ("I", "Why come here, then?"),
    ("P1", "I feel safe here. Nobody judges me. I come every week."),
    ("I", "How do you spend your time here?"),
    ("P1", "I read newspapers in peace. It is quiet."),
    ("P2", "Events are good. I meet people. We talk a bit."),
    ("I", "Thank you."),
    ("P2", "Staff are always kind, helpful."),
]
VOXPOP = [("V1", "Tonight's talk was good, free too."), ("V2", "I came for company, to meet people.")]
PEOPLE = {
    "I": {"role": "interviewer"},
    "P1": {"gender": "woman", "age": 67},
    "P2": {"gender": "man", "age": 34},
}
CODERS = ("ann", "bo")
# Names the interface shows as they are: the reserved consensus coder (SPEC §2) and the kinds of code
# stored in the codebook. The English walk allows them; the lists below say which screen still shows them.
NAMES = frozenset({"konsensus"})
# Export's code selectors take the codebook's kinds as they are stored (``tema``, ``behov``), in either language.
ALLOWED_EN = {"Eksport": {"tema", "behov"}, "Eksport ?": {"tema", "behov"}}
# Danish still shown in English, outside this helper's screens (to go as they are translated; then empty this):
# the kind of a code shown as stored ("tema") in Kodning's codebook panel and in Kodebog and its dialogs.
KNOWN_LEFT: dict[str, set[str]] = {}


# A questionnaire in English (Spørgeskema's walk): two rounds, two dimensions, open answers from the interview's
# sentences, each coded alike by both coders and marked done (no disagreement more for Enighed's walk).
SURVEY_DEFINITION = """\
title: Visitors
scale: {min: 1, max: 5}
respondent: id
round: round
attributes: {site: site, gender: gender, age: age}
open_answers: [answer]
missing: [""]
dimensions:
  - {key: safety, name: Safety, name_en: Safety, items: [q1, q2]}
  - {key: calm, name: Calm, name_en: Calm, items: [q3, q4]}
"""
SURVEY_ANSWERS = [
    ("I feel safe here.", "T1"),
    ("It is quiet.", "T2"),
    ("I meet people.", "T3"),
    ("Staff are kind.", "T4"),
]
SURVEY_WORDS = "visitors safety calm"


def data_words() -> frozenset[str]:
    """Every word of the project's data (the Danish walk allows them on screen)."""
    text = " ".join(
        [f"{key} {name} {d} {i} {e} {x} {' '.join(k)}" for key, name, _c, d, i, e, x, k in CODES]
        + [t for _l, t in INTERVIEW + VOXPOP]
        + ["holstebro viborg interview voxpop library events woman man", *CODERS, SURVEY_WORDS]
    )
    return frozenset(words(text))


def add_english_survey(project: Project, folder: Path) -> None:
    """The questionnaire of :data:`SURVEY_DEFINITION`: 16 respondents, their answers coded alike by both coders."""
    from trivselkode.importers.survey import import_survey

    folder.mkdir(parents=True, exist_ok=True)
    rows = ["id,round,site,gender,age,q1,q2,q3,q4,answer"]
    for n in range(16):
        scores = [1 + (n * k + n // 3) % 5 for k in (1, 2, 3, 4)]
        rows.append(
            f"V{n + 1:02d},{1 + n // 8},{('Holstebro', 'Viborg')[n % 2]},{('woman', 'man')[n % 3 % 2]},{20 + 3 * n},"
            + ",".join(map(str, scores))
            + f",{SURVEY_ANSWERS[n % 4][0]}"
        )
    (folder / "visitors.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "visitors.yaml").write_text(SURVEY_DEFINITION, encoding="utf-8")
    result = import_survey(project, folder / "visitors.csv", folder / "visitors.yaml", name="visitors")
    with project.read() as s:
        passages = s.exec(
            select(Passage.id, Passage.text)
            .join(Source, Passage.source_id == Source.id)
            .where(Source.name == result.source_name)
        ).all()
        codes = {c.key: c.id for c in s.exec(select(Code))}
    theme = dict(SURVEY_ANSWERS)
    for pid, text in passages:
        for coder in CODERS:
            ops.toggle_code(project, coder, pid, codes[theme[text.strip()]])
    for coder in CODERS:  # as the other sources: Enighed counts it (and the coders agree on it)
        mark_done(project, str(result.source_name), coder)


def build_english_project(path: Path | str) -> Project:
    """Codebook, two sources, two coders who disagree (one disagreement settled); no import, no spaCy."""
    project, _ = open_project(str(path))
    with project.write() as s:
        for pos, (key, name, color, definition, include, exclude, example, keywords) in enumerate(CODES, start=1):
            s.add(
                Code(key=key, name=name, kind="tema", shortcut=key[1], color=color, position=pos, keywords=keywords,
                     description=definition, include=include, exclude=exclude, examples=[example])
            )  # fmt: skip
        s.flush()

        def add_source(name: str, kind: str, site: str, context: str, turns: list, people: dict) -> None:
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
            s.execute(
                insert(Passage),
                [
                    dict(source_id=src.id, number=n, participant_id=ids[label], start=0, end=len(text), text=text,
                         sentences=sentences(text))
                    for n, (label, text) in enumerate(turns, start=1)
                ],
            )  # fmt: skip

        add_source("holstebro-1", "interview", "Holstebro", "library", INTERVIEW, PEOPLE)
        add_source(
            "viborg-voxpop", "voxpop", "Viborg", "events", VOXPOP,
            {"V1": {"gender": "woman", "age": 45}, "V2": {"gender": "man", "age": 71}},
        )  # fmt: skip
    with project.read() as s:
        pids = {
            (src, n): pid
            for src, n, pid in s.exec(
                select(Source.name, Passage.number, Passage.id).join(Passage, Passage.source_id == Source.id)
            )
        }
        codes = {c.key: c.id for c in s.exec(select(Code))}
    for coder, source, number, key in [
        ("ann", "holstebro-1", 2, "T1"), ("bo", "holstebro-1", 2, "T1"), ("bo", "holstebro-1", 4, "T2"),
        ("ann", "holstebro-1", 5, "T3"), ("ann", "holstebro-1", 7, "T4"), ("bo", "holstebro-1", 7, "T4"),
        ("ann", "viborg-voxpop", 2, "T3"), ("bo", "viborg-voxpop", 2, "T3"), ("bo", "viborg-voxpop", 1, "T3"),
    ]:  # fmt: skip
        ops.toggle_code(project, coder, pids[(source, number)], codes[key])
    for coder in CODERS:
        mark_done(project, "holstebro-1", coder)
        mark_done(project, "viborg-voxpop", coder)
    settle_disagreement(project, "holstebro-1", 4, "T2", "b", CODERS, "ann", reason="Quiet, peace.")
    return project


# ---------------------------------------------------------------------------------------------- seeing


def _plain(renderable: object) -> str:
    plain = getattr(renderable, "plain", None)
    if isinstance(plain, str):
        return plain
    return renderable if isinstance(renderable, str) else ""


def seen(app: App) -> str:
    """What the screen shows: a full redraw (with the screens under a dialog) and every label's whole text."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    parts = [
        "".join(segment.text for strip in line for segment in strip if not segment.control) for line in update.strips
    ]
    for widget in app.screen.walk_children(with_self=False):
        if isinstance(widget, Static):
            try:
                parts.append(_plain(widget.render()))
            except Exception:  # noqa: BLE001 - a widget that cannot render alone: the redraw has it
                pass
        elif isinstance(widget, Input):
            parts.append(widget.placeholder)
        elif isinstance(widget, OptionList):
            parts.extend(_plain(option.prompt) for option in widget.options)
        elif isinstance(widget, DataTable):
            parts.extend(_plain(column.label) for column in widget.columns.values())
    return "\n".join(parts)


# ----------------------------------------------------------------------------------------------- walking

# The screens and dialogs walked, in order (see _walk for how each is reached), and what is on top there.
EXPECTED = {
    "Oversigt": "OverviewScreen", "Kodning": "CodingScreen", "Søgning": "SearchScreen", "Kodebog": "CodebookScreen",
    "Enighed": "AgreementScreen", "Enighed: kodere": "CodersDialog", "Enighed: overlap": "OverlapDialog",
    "Enighed pr. kilde": "AgreementScreen", "Uenigheder": "DisagreementReviewScreen",
    "Uenigheder: begrundelse": "ReasonDialog", "Afgørelsesloggen": "AuditScreen", "Eksport": "ExportScreen",
    "Citatvalg": "QuoteChoiceScreen", "Udtræk": "RetrievalScreen", "Udtræk: vælg kode": "CodePickerDialog",
    "Forslagskø": "ReviewQueueScreen", "Kodning: vælg kode": "CodePickerDialog", "Kodning: notat": "MemoDialog", "Kodebog: ny kode": "AddCodeDialog",
    "Kodebog: beskriv": "DetailsDialog", "Spørgeskema": "SurveyScreen", "Spørgeskema omvendt": "SurveyScreen",
}  # fmt: skip
STEPS = [
    "Oversigt", "Oversigt ?",
    "Kodning", "Kodning ?", "Kodning: vælg kode", "Kodning: notat",
    "Søgning", "Søgning ?",
    "Kodebog", "Kodebog ?", "Kodebog: ny kode", "Kodebog: beskriv",
    "Enighed", "Enighed ?", "Enighed: kodere", "Enighed: overlap", "Enighed pr. kilde",
    "Uenigheder", "Uenigheder ?", "Uenigheder: begrundelse", "Afgørelsesloggen", "Afgørelsesloggen ?",
    "Eksport", "Eksport ?", "Citatvalg", "Citatvalg ?",
    "Udtræk", "Udtræk ?", "Udtræk: vælg kode",
    "Forslagskø", "Forslagskø ?",
    "Spørgeskema", "Spørgeskema ?", "Spørgeskema omvendt",
]  # fmt: skip


async def _walk(app: App, pilot: Pilot, out: dict[str, str]) -> None:
    async def look(name: str) -> None:
        await settle(pilot)
        await pilot.pause()
        out[name] = seen(app)
        out["@" + name] = type(app.screen).__name__

    async def keys(*pressed: str) -> None:
        await pilot.press(*pressed)
        await settle(pilot)

    async def home() -> None:
        while len(app.screen_stack) > 2:
            app.pop_screen()
            await pilot.pause()
        await settle(pilot)

    await look("Oversigt")
    await keys("question_mark")
    await look("Oversigt ?")
    await keys("escape")

    app.open_coding("holstebro-1", None)
    await look("Kodning")
    await keys("question_mark")
    await look("Kodning ?")
    await keys("escape", "space")
    await look("Kodning: vælg kode")
    await keys("escape", "m")
    await look("Kodning: notat")
    await home()

    await keys("f2")
    await keys(*"safe")
    await look("Søgning")
    await keys("down", "question_mark")
    await look("Søgning ?")
    await home()

    await keys("f3")
    await look("Kodebog")
    await keys("question_mark")
    await look("Kodebog ?")
    await keys("escape", "a")
    await look("Kodebog: ny kode")
    await keys("escape", "e")
    await look("Kodebog: beskriv")
    await home()

    await keys("f4")
    await look("Enighed")
    await keys("question_mark")
    await look("Enighed ?")
    await keys("escape", "k")
    await look("Enighed: kodere")
    await keys("escape", "o")
    await look("Enighed: overlap")
    await keys("escape", "s")
    await look("Enighed pr. kilde")
    await keys("s", "end", "enter")
    await look("Uenigheder")
    await keys("question_mark")
    await look("Uenigheder ?")
    await keys("escape", "r")
    await look("Uenigheder: begrundelse")
    await keys("escape", "h")
    await look("Afgørelsesloggen")
    await keys("question_mark")
    await look("Afgørelsesloggen ?")
    await home()

    await keys("f5")
    await look("Eksport")
    await keys("question_mark")
    await look("Eksport ?")
    await keys("escape", "ctrl+o")
    await look("Citatvalg")
    await keys("question_mark")
    await look("Citatvalg ?")
    await home()

    app.open_retrieval("T1")
    await look("Udtræk")
    await keys("question_mark")
    await look("Udtræk ?")
    await keys("escape", "p")
    await look("Udtræk: vælg kode")
    await home()

    app.open_review_queue("T1")
    await look("Forslagskø")
    await keys("question_mark")
    await look("Forslagskø ?")
    await home()

    await keys("P")
    await look("Spørgeskema")
    await keys("question_mark")
    await look("Spørgeskema ?")
    await keys("escape", "o")
    await look("Spørgeskema omvendt")
    await home()


def walk(lang: str, path: Path) -> dict[str, str]:
    """Every step's text in ``lang`` (a step that could not be reached says why, as its text)."""
    from trivselkode.tui.app import TrivselApp

    project = build_english_project(path)
    add_english_survey(project, path.parent / "survey")
    out: dict[str, str] = {}

    async def run() -> None:
        app = TrivselApp(
            project, Settings(db=project.display_name, coder=None), coder="ann",
            suggester=partial(suggest, lemmatize=simple_words), suggest_delay_s=0,
            learner=InProcessLearner(project),
        )  # fmt: skip
        async with app.run_test(size=SIZE) as pilot:
            try:
                await _walk(app, pilot, out)
            except Exception as exc:  # noqa: BLE001 - the steps after it fail, naming where the walk stopped
                out["error"] = f"{type(exc).__name__}: {exc} (after {list(out)[-1:]})"

    set_language(lang)
    try:
        asyncio.run(run())
    finally:
        set_language("da")
        project.dispose()
    return out


@pytest.fixture(scope="module")
def walks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    cache: dict[str, dict[str, str]] = {}

    def get(lang: str) -> dict[str, str]:
        if lang not in cache:
            cache[lang] = walk(lang, tmp_path_factory.mktemp(f"walk-{lang}") / "english.db")
        return cache[lang]

    return get  # type: ignore[return-value]


def _shown(walks, lang: str, step: str) -> str:  # noqa: ANN001
    seen_there = walks(lang)
    if step not in seen_there:
        pytest.fail(f"{step} ({lang}): not reached; {seen_there.get('error', 'the walk stopped before it')}")
    expected = "HelpDialog" if step.endswith(" ?") else EXPECTED[step]
    assert seen_there["@" + step] == expected, f"{step} ({lang}): {seen_there['@' + step]} on top, not {expected}"
    return seen_there[step]


def test_the_data_has_no_interface_words() -> None:
    """The Danish walk is strict only if the data's English avoids the interface's English words."""
    assert not (data_words() & ENGLISH)


@pytest.mark.parametrize("step", STEPS)
def test_english_screen_has_no_danish(walks, step: str) -> None:  # noqa: ANN001
    text = _shown(walks, "en", step)
    allowed = data_words() | NAMES | ALLOWED_EN.get(step, set()) | KNOWN_LEFT.get(step, set())
    leaks = sorted(set(danish_leaks(text, allowed=allowed)))
    assert not leaks, f"{step}: Danish left on the English screen: {', '.join(leaks)}\n{_context(text, leaks)}"


@pytest.mark.parametrize("step", STEPS)
def test_danish_screen_has_no_english(walks, step: str) -> None:  # noqa: ANN001
    text = _shown(walks, "da", step)
    leaks = sorted(set(english_leaks(text, allowed=data_words())))
    assert not leaks, f"{step}: English on the Danish screen: {', '.join(leaks)}\n{_context(text, leaks)}"


def _context(text: str, leaks: list[str]) -> str:
    """The lines the leaked words stand on (a few), to find them."""
    lines = []
    for line in text.splitlines():
        if set(words(line)) & set(leaks) and line.strip() not in lines:
            lines.append(line.strip())
    return "\n".join(re.sub(r"\s{3,}", "  ", line)[:160] for line in lines[:12])
