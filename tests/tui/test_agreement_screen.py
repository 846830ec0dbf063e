"""Enighed in a minimal host app: the per-code table, and settling disagreements into ``konsensus``.

The project is written straight into the database (no import, no spaCy):
two coders, anne and bo, who disagree on T1 twice (holstebro-1 #4 and #6) and
on B.social once (viborg-voxpop #2), and who both code T3 on holstebro-1 #5
but bo only a sub-span of it (a disagreement with span units only).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text
from sqlalchemy import insert
from sqlmodel import select
from textual.app import App
from textual.widgets import DataTable, Static

from trivselkode.analysis.icr import agreement_report
from trivselkode.errors import TrivselError
from trivselkode.storage.codings import CodingRef, add_coding, mark_done
from trivselkode.storage.consensus import decisions
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.models import Code, Coder, Coding, Participant, Passage, Source
from trivselkode.tui.agreement.dialogs import CodersDialog, PairDialog
from trivselkode.tui.agreement.screen import (
    NO_UNITS_HINT,
    AgreementScreen,
    DisagreementReviewScreen,
    number,
)
from trivselkode.tui.common.help import HelpDialog as AgreementKeysDialog

pytestmark = pytest.mark.anyio

HOLSTEBRO = [
    ("I", "Hvad betyder biblioteket for dig?"),
    ("P1", "Jeg føler mig tryg her. Ingen dømmer mig."),
    ("I", "Hvad laver du her?"),
    ("P1", "Jeg læser aviser i ro og fred. Det er stille."),
    ("P2", "Arrangementerne er gode. Jeg møder andre."),
    ("P2", "Personalet er altid venlige."),
]
VOXPOP = [("V1", "Foredraget var godt og gratis."), ("V2", "Jeg kom for fællesskabet.")]
SPAN = (25, 41)  # "Jeg møder andre." in holstebro-1 #5


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Host(App):
    """Pushes Enighed for the researcher ``forsker``."""

    ENABLE_COMMAND_PALETTE = False

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project

    def on_mount(self) -> None:
        self.push_screen(AgreementScreen(self.project, "forsker"))


def build(path: Path | str, *, done: bool = True) -> Project:
    """Codebook, two sources, anne's and bo's codings; both sources marked done by both (unless ``done=False``)."""
    project, _ = open_project(str(path))
    with project.write() as s:
        for pos, (key, name, kind) in enumerate(
            [
                ("T1", "Biblioteket som et psykologisk tryghedssystem", "tema"),
                ("T2", "Et unikt rum for mental ro", "tema"),
                ("T3", "Stille social resonans", "tema"),
                ("B.social", "Sociale behov", "behov"),
            ]
        ):
            s.add(Code(key=key, name=name, kind=kind, position=pos, color="#2e7d32"))
        s.add(Code(key="OLD", name="Udgået kode", kind="tema", position=9, retired=True))

        def source(name: str, site: str, turns: list[tuple[str, str]], people: dict) -> None:
            src = Source(name=name, title=name, kind="interview", site=site, context="bibliotek", text="")
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
                    dict(
                        source_id=src.id,
                        number=n,
                        participant_id=ids[label],
                        start=0,
                        end=len(text),
                        text=text,
                        sentences=[],
                    )
                    for n, (label, text) in enumerate(turns, start=1)
                ],
            )

        source(
            "holstebro-1", "Holstebro", HOLSTEBRO,
            {"I": {"role": "interviewer"}, "P1": {"gender": "kvinde", "age": 67}, "P2": {"gender": "mand", "age": 34, "site": "Viborg"}},
        )  # fmt: skip
        source(
            "viborg-voxpop",
            "Viborg",
            VOXPOP,
            {"V1": {"gender": "kvinde", "age": 45}, "V2": {"gender": "mand", "age": 71}},
        )
    assert HOLSTEBRO[4][1][SPAN[0] : SPAN[1]] == "Jeg møder andre."
    for coder, source_name, number_, code, span, memo in [
        ("anne", "holstebro-1", 2, "T1", None, None),
        ("anne", "holstebro-1", 4, "T2", None, None),
        ("anne", "holstebro-1", 5, "T3", None, "fællesskab uden pres?"),
        ("anne", "holstebro-1", 6, "T1", None, None),
        ("anne", "viborg-voxpop", 1, "T3", None, None),
        ("anne", "viborg-voxpop", 2, "B.social", None, None),
        ("bo", "holstebro-1", 2, "T1", None, None),
        ("bo", "holstebro-1", 4, "T2", None, None),
        ("bo", "holstebro-1", 4, "T1", None, "tryg i roen"),
        ("bo", "holstebro-1", 5, "T3", SPAN, None),
        ("bo", "viborg-voxpop", 1, "T3", None, None),
    ]:
        start, end = span or (None, None)
        add_coding(project, CodingRef(source_name, number_, code, coder, start, end, memo))
    if done:
        for source_name in ("holstebro-1", "viborg-voxpop"):
            for coder in ("anne", "bo"):
                mark_done(project, source_name, coder)
    return project


@pytest.fixture
def project(tui_db: str):
    project = build(tui_db)
    yield project
    project.dispose()


async def settle_workers(pilot) -> None:
    """Wait until every worker has finished and its messages are handled."""
    for _ in range(4):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def codings_of(project: Project, coder: str) -> set[tuple[str, int, str, int | None, int | None, str | None]]:
    """A coder's codings, read in a fresh session."""
    with project.read() as s:
        rows = s.exec(
            select(Source.name, Passage.number, Code.key, Coding.start, Coding.end, Coding.memo)
            .join(Passage, Coding.passage_id == Passage.id)
            .join(Source, Passage.source_id == Source.id)
            .join(Code, Coding.code_id == Code.id)
            .join(Coder, Coding.coder_id == Coder.id)
            .where(Coder.name == coder)
        ).all()
    return {tuple(r) for r in rows}


def table_rows(screen: AgreementScreen) -> list[dict[str, str]]:
    """The table's cells as shown, by column key (code, name, units, agreement, …)."""
    table = screen.query_one(DataTable)
    keys = [column.key.value for column in table.ordered_columns]
    return [
        dict(zip(keys, (str(getattr(cell, "plain", cell)) for cell in table.get_row_at(i)), strict=True))
        for i in range(table.row_count)
    ]


def text_of(screen, selector: str, width: int = 200) -> str:
    """The plain text a Static shows (Rich tables and groups rendered at ``width``)."""
    content = screen.query_one(selector, Static).content
    if isinstance(content, str):
        return content
    if isinstance(content, Text):
        return content.plain
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


def expected_rows(project: Project, **kwargs) -> list[list[str]]:
    report = agreement_report(project, ["anne", "bo"], **kwargs)
    rows = []
    for row in [*report.codes, report.pooled]:
        pooled = row is report.pooled
        rows.append(
            [
                "samlet" if pooled else row.code,
                str(row.units),
                number(row.agreement),
                number(row.cohen_kappa),
                number(row.krippendorff_alpha),
                number(row.brennan_prediger),
                str(row.disagreements),
            ]
        )
    return rows


def without_name(rows: list[dict[str, str]]) -> list[list[str]]:
    return [[v for k, v in r.items() if k != "name"] for r in rows]


async def open_review(pilot, code: str) -> DisagreementReviewScreen:
    screen = pilot.app.screen
    assert isinstance(screen, AgreementScreen)
    table = screen.query_one(DataTable)
    keys = [row.key.value for row in table.ordered_rows]
    table.move_cursor(row=keys.index(code))
    await pilot.press("enter")
    await settle_workers(pilot)
    review = pilot.app.screen
    assert isinstance(review, DisagreementReviewScreen)
    return review


# ------------------------------------------------------------------- the table


@pytest.mark.both_backends
async def test_table_shows_the_reports_figures_with_the_pooled_row_last(project: Project) -> None:
    app = Host(project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_workers(pilot)
        screen = app.screen
        assert isinstance(screen, AgreementScreen)
        rows = table_rows(screen)
        assert without_name(rows) == expected_rows(project)
        assert rows[-1]["code"] == "samlet"
        assert [r["name"] for r in rows[:-1]] == [
            "Biblioteket som et psykologisk tryghedssystem", "Et unikt rum for mental ro",
            "Stille social resonans", "Sociale behov",
        ]  # fmt: skip
        assert "anne, bo" in text_of(screen, "#agreement-title")
        assert "4 udsagn" not in text_of(screen, "#agreement-title")  # 6 participant passages are the units
        assert "6 udsagn i 2 kilder" in text_of(screen, "#agreement-title")
        details = text_of(screen, "#agreement-details")
        assert "T1" in details and "2 uenige udsagn, 0 afgjort" in details


async def test_span_unit_and_all_passages_recompute_the_table(project: Project) -> None:
    app = Host(project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_workers(pilot)
        await pilot.press("u")
        await settle_workers(pilot)
        screen = app.screen
        assert without_name(table_rows(screen)) == expected_rows(project, unit="span", overlap=0.9)
        assert "spænd ≥ 90 %" in text_of(screen, "#agreement-settings")
        await pilot.press("o")
        await pilot.pause()
        await pilot.press(*"50", "enter")  # the field's "90" is selected on focus: typing replaces it
        await settle_workers(pilot)
        assert screen.overlap == pytest.approx(0.5)
        assert "spænd ≥ 50 %" in text_of(screen, "#agreement-settings")
        assert without_name(table_rows(screen)) == expected_rows(project, unit="span", overlap=screen.overlap)
        await pilot.press("u", "a")
        await settle_workers(pilot)
        assert screen.unit == "passage" and screen.all_passages
        assert without_name(table_rows(screen)) == expected_rows(project, all_passages=True)
        assert "alle kodede udsagn" in text_of(screen, "#agreement-settings")


async def test_no_units_says_how_to_mend_it_and_alle_mends_it(tmp_path: Path) -> None:
    project = build(tmp_path / "unfinished.db", done=False)
    try:
        app = Host(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle_workers(pilot)
            screen = app.screen
            assert screen.has_class("-empty")
            message = text_of(screen, "#agreement-message")
            assert "ingen enheder" in message
            assert NO_UNITS_HINT[1:] in message
            await pilot.press("a")
            await settle_workers(pilot)
            assert not screen.has_class("-empty")
            assert without_name(table_rows(screen)) == expected_rows(project, all_passages=True)
    finally:
        project.dispose()


async def test_undefined_coefficients_show_a_dash_and_the_reason(tmp_path: Path) -> None:
    project, _ = open_project(str(tmp_path / "flat.db"))
    try:
        with project.write() as s:
            s.add(Code(key="T1", name="Tryghed", kind="tema", position=1))
            src = Source(name="kilde", title="kilde", text="")
            s.add(src)
            s.flush()
            part = Participant(source_id=src.id, label="P1")
            s.add(part)
            s.flush()
            s.add(Passage(source_id=src.id, number=1, participant_id=part.id, start=0, end=5, text="Tryg."))
        for coder in ("anne", "bo"):
            add_coding(project, CodingRef("kilde", 1, "T1", coder))
            mark_done(project, "kilde", coder)
        report = agreement_report(project, ["anne", "bo"])
        assert report.codes[0].krippendorff_alpha is None and report.codes[0].cohen_kappa is None
        app = Host(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle_workers(pilot)
            screen = app.screen
            row = table_rows(screen)[0]
            assert row["code"] == "T1" and row["agreement"] == "1.000"
            assert row["cohen_kappa"] == "–" and row["krippendorff_alpha"] == "–"
            details = text_of(screen, "#agreement-details")
            assert "Krippendorffs α ikke defineret: ingen variation" in details
            assert "Cohens κ ikke defineret" in details
    finally:
        project.dispose()


async def test_resize_brings_the_name_column_and_keeps_the_cursor(project: Project) -> None:
    app = Host(project)
    async with app.run_test(size=(70, 24)) as pilot:
        await settle_workers(pilot)
        screen = app.screen
        assert "name" not in table_rows(screen)[0]  # no room for the name
        await pilot.press("down", "down")
        await pilot.resize_terminal(120, 40)
        await settle_workers(pilot)
        rows = table_rows(screen)
        assert rows[2]["name"] == "Stille social resonans"
        assert screen._current_key() == "T3"
        await pilot.resize_terminal(70, 24)
        await settle_workers(pilot)
        assert "name" not in table_rows(screen)[0]
        assert without_name(table_rows(screen)) == expected_rows(project)


async def test_coders_dialog_needs_two_and_changes_the_comparison(project: Project) -> None:
    app = Host(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_workers(pilot)
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, CodersDialog)
        await pilot.press("space", "enter")  # untick anne: one left is refused
        await pilot.pause()
        assert isinstance(app.screen, CodersDialog)
        assert "mindst to" in text_of(app.screen, "#coders-error")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AgreementScreen)


async def test_more_than_two_coders_ask_for_the_pair_to_review(project: Project) -> None:
    add_coding(project, CodingRef("holstebro-1", 2, "T1", "cai"))
    for source_name in ("holstebro-1", "viborg-voxpop"):
        mark_done(project, source_name, "cai")
    app = Host(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(pilot)
        screen = app.screen
        assert "anne, bo, cai" in text_of(screen, "#agreement-title")
        report = agreement_report(project, ["anne", "bo", "cai"])
        assert table_rows(screen)[0]["cohen_kappa"] == number(report.codes[0].cohen_kappa) == "–"  # for two only
        assert "gælder kun for præcis to kodere" in text_of(screen, "#agreement-details")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PairDialog)
        await pilot.press("down", "enter")  # anne ↔ cai
        await settle_workers(pilot)
        review = app.screen
        assert isinstance(review, DisagreementReviewScreen)
        assert review.pair == ("anne", "cai")
        # cai coded T1 only on #2; anne also on #6
        assert [(it.source, it.number) for it in review.items] == [("holstebro-1", 6)]


# ------------------------------------------------------------------ reviewing


@pytest.mark.both_backends
async def test_settle_keys_store_the_consensus_and_leave_the_coders_alone(project: Project) -> None:
    anne, bo = codings_of(project, "anne"), codings_of(project, "bo")
    app = Host(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(pilot)
        review = await open_review(pilot, "T1")
        assert [(it.source, it.number) for it in review.items] == [("holstebro-1", 4), ("holstebro-1", 6)]
        assert text_of(review, "#review-counter").startswith("1 af 2 · 0 afgjort")
        assert "holstebro-1 · udsagn 4 · P1 (Kvinde, 67 år, Holstebro)" in text_of(review, "#review-head")
        assert "Hvad laver du her?" in text_of(review, "#review-before")  # the context
        assert "Arrangementerne er gode" in text_of(review, "#review-after")
        columns = text_of(review, "#review-columns")
        assert "A · anne" in columns and "B · bo" in columns
        assert "ikke kodet" in columns and "hele udsagnet" in columns and "notat: tryg i roen" in columns
        assert "ikke afgjort endnu" in text_of(review, "#review-decision")

        await pilot.press("b")  # take bo's T1 on #4
        await settle_workers(pilot)
        assert review.index == 1  # moved on to the next unsettled one
        assert text_of(review, "#review-counter").startswith("2 af 2 · 1 afgjort")
        assert "Sidst afgjort: T1 · holstebro-1 #4 → B (bo)" in text_of(review, "#review-decision")
        await pilot.press("0")  # neither on #6
        await settle_workers(pilot)
        assert text_of(review, "#review-counter").startswith("2 af 2 · 2 afgjort")
        assert "Afgjort: ingen" in text_of(review, "#review-decision")

        stored = {(d["source"], d["passage"], d["code"]): d for d in decisions(project)}
        assert {k: d["choice"] for k, d in stored.items()} == {
            ("holstebro-1", 4, "T1"): "b",
            ("holstebro-1", 6, "T1"): "neither",
        }
        assert all(d["settled_by"] == "forsker" and d["coders"] == ["anne", "bo"] for d in stored.values())
        assert codings_of(project, "konsensus") == {("holstebro-1", 4, "T1", None, None, "tryg i roen")}
        assert codings_of(project, "anne") == anne and codings_of(project, "bo") == bo

        await pilot.press("left")  # step back and change the mind: both
        await pilot.press("plus")
        await settle_workers(pilot)
        assert decisions(project)[0]["choice"] == "both"
        assert codings_of(project, "konsensus") == {("holstebro-1", 4, "T1", None, None, "tryg i roen")}

        await pilot.press("escape")
        await settle_workers(pilot)
        table = app.screen
        assert isinstance(table, AgreementScreen)
        assert "2 uenige udsagn, 2 afgjort" in text_of(table, "#agreement-details")
        assert without_name(table_rows(table)) == expected_rows(project)


async def test_both_and_a_on_the_pooled_row_cover_every_code(project: Project) -> None:
    app = Host(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_workers(pilot)
        review = await open_review(pilot, "*")
        assert [(it.source, it.number, it.code) for it in review.items] == [
            ("holstebro-1", 4, "T1"),
            ("holstebro-1", 6, "T1"),
            ("viborg-voxpop", 2, "B.social"),
        ]
        await pilot.press("n")  # step without settling
        assert review.index == 1 and decisions(project) == []
        await pilot.press("2", "a")  # both on #6 (anne's), then A on the voxpop (typed ahead)
        await settle_workers(pilot)
        assert {(d["passage"], d["code"], d["choice"]) for d in decisions(project)} == {
            (6, "T1", "both"),
            (2, "B.social", "a"),
        }
        assert codings_of(project, "konsensus") == {
            ("holstebro-1", 6, "T1", None, None, None),
            ("viborg-voxpop", 2, "B.social", None, None, None),
        }
        assert review.index == 0  # the only unsettled one left
        assert text_of(review, "#review-counter").startswith("1 af 3 · 2 afgjort")


@pytest.mark.both_backends
async def test_span_disagreement_copies_the_chosen_sub_span(project: Project) -> None:
    app = Host(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(pilot)
        await pilot.press("u")
        await settle_workers(pilot)
        review = await open_review(pilot, "T3")
        assert [(it.source, it.number) for it in review.items] == [("holstebro-1", 5)]
        columns = text_of(review, "#review-columns")
        assert "“Jeg møder andre.”" in columns and "notat: fællesskab uden pres?" in columns
        await pilot.press("b")
        await settle_workers(pilot)
        assert codings_of(project, "konsensus") == {("holstebro-1", 5, "T3", *SPAN, None)}
        assert "“Jeg møder andre.”" in text_of(review, "#review-decision")


async def test_a_failed_settlement_is_reported_and_changes_nothing(project: Project, monkeypatch) -> None:
    import trivselkode.storage.consensus as consensus

    real_settle = consensus.settle

    def refuse(*args, **kwargs):
        raise TrivselError("databasen er skrivebeskyttet")

    app = Host(project)
    said: list[str] = []
    notify = app.notify
    monkeypatch.setattr(app, "notify", lambda message, **kw: (said.append(str(message)), notify(message, **kw)))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(pilot)
        review = await open_review(pilot, "T1")
        monkeypatch.setattr(consensus, "settle", refuse)
        await pilot.press("a")
        await settle_workers(pilot)
        assert any("Ikke gemt: databasen er skrivebeskyttet" in m for m in said)
        assert review.index == 0 and not review.items[0].settled
        assert "ikke afgjort endnu" in text_of(review, "#review-decision")
        assert decisions(project) == [] and codings_of(project, "konsensus") == set()
        monkeypatch.setattr(consensus, "settle", real_settle)
        await pilot.press("a")
        await settle_workers(pilot)
        assert [d["choice"] for d in decisions(project)] == ["a"]


async def test_help_lists_every_key(project: Project) -> None:
    app = Host(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, AgreementKeysDialog)
        keys = {k for _title, rows in app.screen.sections for k, _what in rows}
        assert {"Enter", "k", "u", "o", "a", "Escape", "?", "ctrl+q"} <= keys
        await pilot.press("escape")
        await pilot.pause()
        await open_review(pilot, "T1")
        await pilot.press("question_mark")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, AgreementKeysDialog)
        keys = {k for _title, rows in dialog.sections for k, _what in rows}
        assert {"a", "b", "2 +", "0 -", "→ n", "← p", "Escape", "?", "ctrl+q"} <= keys
        assert any("A er anne, B er bo" in what for _t, rows in dialog.sections for _k, what in rows)


async def test_one_coder_is_told_that_two_are_needed(tmp_path: Path) -> None:
    project, _ = open_project(str(tmp_path / "alone.db"))
    try:
        with project.write() as s:
            s.add(Code(key="T1", name="Tryghed", kind="tema", position=1))
            src = Source(name="kilde", title="kilde", text="")
            s.add(src)
            s.flush()
            part = Participant(source_id=src.id, label="P1")
            s.add(part)
            s.flush()
            s.add(Passage(source_id=src.id, number=1, participant_id=part.id, start=0, end=5, text="Tryg."))
        add_coding(project, CodingRef("kilde", 1, "T1", "anne"))
        app = Host(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle_workers(pilot)
            assert "mindst to kodere med kodninger at sammenligne (nu kun anne)" in text_of(
                app.screen, "#agreement-message"
            )
            await pilot.press("enter", "k")  # nothing to review, nobody to choose: no crash
            await settle_workers(pilot)
            assert isinstance(app.screen, AgreementScreen)
    finally:
        project.dispose()


async def test_ctrl_q_quits_from_the_review(project: Project) -> None:
    app = Host(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_workers(pilot)
        await open_review(pilot, "T1")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running
