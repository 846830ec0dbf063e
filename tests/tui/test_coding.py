"""Kodning: every key of the coding screen, checked against what the database holds."""

from __future__ import annotations

import pytest
from sqlmodel import select
from textual.widgets import Input, TextArea

from tests.tui.conftest import TRANSCRIPT, build_project, code_ids, codings, make_app, passage_ids, settle
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.codings import mark_done
from trivselkode.storage.models import Coder, Memo, Participant, Position, SourceDone, Star
from trivselkode.tui.coding.codebook_panel import CodebookPanel
from trivselkode.tui.coding.passage_list import PassageList, wrap_offsets
from trivselkode.tui.coding.screen import CodingScreen
from trivselkode.tui.common.confirm import ConfirmDialog
from trivselkode.tui.common.dialogs import MemoDialog, SpeakerDialog, SuggestionDialog
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.picker import CodePickerDialog
from trivselkode.tui.overview.screen import OverviewScreen

pytestmark = pytest.mark.anyio
SIZES = [(120, 40), (80, 24)]
SOURCE = "holstebro-1"


async def open_source(pilot, source: str = SOURCE, number: int | None = None) -> CodingScreen:  # noqa: ANN001
    await settle(pilot)
    pilot.app.open_coding(source, number)
    for _round in range(200):  # a busy machine may mount the screen after the first pause: wait, bounded
        await settle(pilot)
        screen = pilot.app.screen
        if isinstance(screen, CodingScreen) and screen.loaded:
            return screen
    raise AssertionError(f"Kodning did not load {source!r}: the screen is {pilot.app.screen!r}")


def list_text(screen: CodingScreen) -> str:
    plist = screen.query_one(PassageList)
    return "\n".join(plist.render_line(y).text for y in range(plist.size.height))


def notes(app) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(n.severity, n.message) for n in app._notifications]


# ------------------------------------------------------------------ opening


@pytest.mark.parametrize("size", SIZES)
async def test_opens_on_first_participant_passage(tui_project, size) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=size) as pilot:
        screen = await open_source(pilot)
        assert screen.passage.number == 2  # passage 1 is the interviewer's
        text = list_text(screen)
        assert "P1 · Kvinde, 67 år, Holstebro" in text
        assert "Jeg føler mig tryg her." in text
        assert screen.has_class("-narrow") == (size[0] < 100)


@pytest.mark.both_backends
async def test_opens_on_saved_position_and_saves_on_leaving(tui_project) -> None:  # noqa: ANN001
    view = ops.load_source_view(tui_project, SOURCE, "ann")
    ops.save_position(tui_project, "ann", view.source_id, 5)
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        assert screen.passage.number == 5
        await pilot.press("j")
        assert screen.passage.number == 7
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
    with tui_project.read() as s:
        assert s.exec(select(Position.passage_number)).all() == [7]


async def test_position_is_saved_while_moving(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("j")
        screen._save_position_if_moved()  # what the one-second timer does
        await settle(pilot)
        with tui_project.read() as s:  # browsing alone leaves nothing: ann has not coded yet
            assert s.exec(select(Position)).all() == [] and s.exec(select(Coder)).all() == []
        await pilot.press("1", "j")
        await settle(pilot)
        screen._save_position_if_moved()
        await settle(pilot)
        with tui_project.read() as s:
            assert s.exec(select(Position.passage_number)).all() == [5]


async def test_quit_saves_position(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_source(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("G", "ctrl+q")
        await pilot.pause()
    with tui_project.read() as s:
        assert s.exec(select(Position.passage_number)).all() == [7]


async def test_unknown_source_is_an_error_notification(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_coding("findes-ikke", None)
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert any(sev == "error" and "findes-ikke" in msg for sev, msg in notes(app))


# --------------------------------------------------------------- navigation


async def test_moves_skip_interviewer(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        seen = [screen.passage.number]
        for key in ("j", "down", "j", "j"):
            await pilot.press(key)
            seen.append(screen.passage.number)
        assert seen == [2, 4, 5, 7, 7]  # 1, 3 and 6 are the interviewer's; 7 is the last
        for key in ("k", "up"):
            await pilot.press(key)
            seen.append(screen.passage.number)
        assert seen[-2:] == [5, 4]
        await pilot.press("G")
        assert screen.passage.number == 7
        await pilot.press("g")
        assert screen.passage.number == 2
        await pilot.press("end")
        assert screen.passage.number == 7
        await pilot.press("home")
        assert screen.passage.number == 2


async def test_next_and_previous_uncoded(tui_project) -> None:  # noqa: ANN001
    pids, codes = passage_ids(tui_project), code_ids(tui_project)
    ops.toggle_code(tui_project, "ann", pids[SOURCE][3], codes["T1"])  # passage 4
    ops.toggle_code(tui_project, "bo", pids[SOURCE][4], codes["T1"])  # passage 5, by another coder
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("n")
        assert screen.passage.number == 5  # 4 is coded by ann; bo's coding does not count
        await pilot.press("n")
        assert screen.passage.number == 7
        await pilot.press("n")
        assert screen.passage.number == 7
        assert any("Ingen ukodede" in msg for _sev, msg in notes(app))
        await pilot.press("p", "p")
        assert screen.passage.number == 2


async def test_big_source_scrolls_to_the_end(tmp_path) -> None:  # noqa: ANN001
    project = build_project(tmp_path / "big.db", big=3000)
    try:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_source(pilot, "randers-stor")
            assert len(screen.view.passages) == 3000
            await pilot.press("G")
            assert screen.passage.number == 3000
            assert "Udsagn nummer 3000." in list_text(screen)
            await pilot.press("pageup")
            assert screen.passage.number < 3000
            assert f"Udsagn nummer {screen.passage.number}." in list_text(screen)
            await pilot.press("1")
            await settle(pilot)
        assert (screen.passage.number, "T1", None, None) in codings(project)
    finally:
        project.dispose()


# ------------------------------------------------------------------- coding


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.both_backends
async def test_digit_toggles_theme_and_is_stored(tui_project, size) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=size) as pilot:
        screen = await open_source(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert codings(tui_project) == {(2, "T1", None, None)}
        assert " T1 " in list_text(screen)
        panel = screen.query_one(CodebookPanel)
        assert panel.counts[code_ids(tui_project)["T1"]] == 1
        await pilot.press("1")
        await settle(pilot)
        assert codings(tui_project) == set()
        assert " T1 " not in list_text(screen)


async def test_fast_keys_apply_in_the_order_typed(tui_project) -> None:  # noqa: ANN001
    """Moves and code keys queued at once (fast typing, a paste over SSH) keep their order."""
    from textual import events

    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        for key in ("5", "j", "b", "j", "1", "3", "k", "k", "2"):
            app.post_message(events.Key(key, key))
        await settle(pilot)
        assert codings(tui_project) == {
            (2, "T5", None, None), (4, "B.social", None, None), (5, "T1", None, None), (5, "T3", None, None),
            (2, "T2", None, None),
        }  # fmt: skip
        assert screen.passage.number == 2


async def test_code_shortcut_letter_and_reserved_key(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert codings(tui_project) == {(2, "B.social", None, None)}
        await pilot.press("j")  # X.clash has shortcut j, which the screen keeps for moving
        await settle(pilot)
        assert screen.passage.number == 4
        assert codings(tui_project) == {(2, "B.social", None, None)}
        assert code_ids(tui_project)["X.clash"] in screen.inactive_shortcuts
        assert any(sev == "warning" and "X.clash" in msg for sev, msg in notes(app))


async def test_interviewer_turn_is_not_coded(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot, number=1)
        assert screen.passage.number == 1  # reached by a jump
        await pilot.press("1")
        await settle(pilot)
        assert codings(tui_project) == set()
        assert any("Interviewerens" in msg for _sev, msg in notes(app))


async def test_space_opens_fuzzy_picker(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_source(pilot)
        await pilot.press("space")
        assert isinstance(app.screen, CodePickerDialog)
        await pilot.press(*"sikker")
        assert app.screen.shown[0].key == "B.sikkerhed"
        await pilot.press("enter")
        await settle(pilot)
        assert codings(tui_project) == {(2, "B.sikkerhed", None, None)}
        await pilot.press("space", "escape")
        await settle(pilot)
        assert isinstance(app.screen, CodingScreen)
        assert codings(tui_project) == {(2, "B.sikkerhed", None, None)}


async def test_picker_ranks_by_key_and_part_of_name(tui_project) -> None:  # noqa: ANN001
    from trivselkode.tui.common.picker import rank_codes

    codes = ops.load_codes(tui_project)
    assert rank_codes("t4", codes)[0].key == "T4"
    assert rank_codes("4", codes)[0].key == "T4"
    assert rank_codes("resonans", codes)[0].key == "T3"
    assert rank_codes("persnalet", codes)[0].key == "T4"  # a typo
    assert len(rank_codes("", codes)) == len(codes)


async def test_codebook_panel_enter_toggles(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        screen.query_one("#code-list").focus()
        await pilot.press("down", "enter")
        await settle(pilot)
        assert codings(tui_project) == {(2, "T2", None, None)}
        await pilot.press("3")  # shortcuts work while the panel has focus
        await settle(pilot)
        assert codings(tui_project) == {(2, "T2", None, None), (2, "T3", None, None)}


@pytest.mark.both_backends
async def test_write_error_is_a_notification_and_nothing_changes(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        with tui_project.write() as s:  # another process removes the source's passage under us
            from trivselkode.storage.models import Passage

            s.delete(s.get(Passage, screen.passage.id))
        await pilot.press("1")
        await settle(pilot)
        assert any(sev == "error" and "udsagnet findes ikke" in msg for sev, msg in notes(app))
        assert codings(tui_project) == set()
        assert " T1 " not in list_text(screen)
        assert not app.history.can_undo


# --------------------------------------------------------------------- span


@pytest.mark.both_backends
async def test_span_narrows_last_toggled_code_to_sentences(tui_project) -> None:  # noqa: ANN001
    text = TRANSCRIPT[1][1]  # "Jeg føler mig tryg her. Ingen dømmer mig. Jeg kommer hver uge."
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("s")
        assert screen.span == (0, 0)
        await pilot.press("right", "right", "left")  # sentences 1–2
        assert screen.span == (0, 1)
        await pilot.press("shift+right")  # start moves to sentence 2
        assert screen.span == (1, 1)
        await pilot.press("right")
        assert screen.span == (1, 2)
        await pilot.press("enter")
        await settle(pilot)
        start = text.index("Ingen")
        assert codings(tui_project) == {(2, "T1", start, len(text))}
        assert screen.span is None
        assert " T1 [2–3] " in list_text(screen)


async def test_span_without_code_asks_and_escape_cancels(tui_project) -> None:  # noqa: ANN001
    text = TRANSCRIPT[1][1]
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("s", "escape")
        assert screen.span is None and isinstance(app.screen, CodingScreen)
        await pilot.press("s", "shift+right", "enter")
        assert isinstance(app.screen, CodePickerDialog)
        await pilot.press("2", "enter")
        await settle(pilot)
        assert codings(tui_project) == {(2, "T2", text.index("Ingen"), text.index("Ingen") + len("Ingen dømmer mig."))}


async def test_span_keys_do_nothing_outside_span_mode(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("right", "enter")
        await settle(pilot)
        assert screen.span is None and codings(tui_project) == set()


# --------------------------------------------------------------- undo/redo


@pytest.mark.both_backends
async def test_undo_redo_across_passages(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("j", "2")
        await settle(pilot)
        await pilot.press("1")  # toggles T1 on passage 4 ...
        await settle(pilot)
        await pilot.press("1")  # ... and off again
        await settle(pilot)
        assert codings(tui_project) == {(2, "T1", None, None), (4, "T2", None, None)}
        await pilot.press("u")  # the removal of T1 on 4 is undone
        await settle(pilot)
        assert codings(tui_project) == {(2, "T1", None, None), (4, "T2", None, None), (4, "T1", None, None)}
        await pilot.press("u", "u")
        await settle(pilot)
        assert codings(tui_project) == {(2, "T1", None, None)}
        await pilot.press("u")
        await settle(pilot)
        assert codings(tui_project) == set()
        assert screen.passage.number == 2  # the cursor follows what is undone
        await pilot.press("u")
        await settle(pilot)
        assert any("Intet at fortryde" in msg for _s, msg in notes(app))
        await pilot.press("ctrl+r", "ctrl+r")
        await settle(pilot)
        assert codings(tui_project) == {(2, "T1", None, None), (4, "T2", None, None)}
        assert " T2 " in list_text(screen)


async def test_undo_of_span_restores_whole_coding(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_source(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("s", "enter")
        await settle(pilot)
        assert [c[2] for c in codings(tui_project)] == [0]
        await pilot.press("u")
        await settle(pilot)
        assert codings(tui_project) == {(2, "T1", None, None)}


async def test_undo_works_across_sources(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_source(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await open_source(pilot, "viborg-voxpop")
        await pilot.press("u")
        await settle(pilot)
        assert codings(tui_project) == set()
        assert any(f"(i {SOURCE})" in msg for _s, msg in notes(app))


# -------------------------------------------------------------- suggestions


async def test_accept_first_suggestion_and_pick_by_number(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        found = screen.suggest.current()
        assert found and found[0][1].key == "T1"  # "tryg", "dømmer" ~ dømme
        assert codings(tui_project) == set()  # suggestions are never applied by themselves
        await pilot.press("plus")
        await settle(pilot)
        assert codings(tui_project) == {(2, "T1", None, None)}
        await pilot.press("plus")  # already there: nothing more, nothing removed
        await settle(pilot)
        assert codings(tui_project) == {(2, "T1", None, None)}
        await pilot.press("j", "j")  # passage 5: "Arrangementerne er gode. Jeg møder andre. ..."
        await settle(pilot)
        found = [code.key for _s, code in screen.suggest.current()]
        assert found[:1] == ["T3"] and "T6" in found and "B.social" in found
        await pilot.press("A")
        assert isinstance(app.screen, SuggestionDialog)
        await pilot.press(str(found.index("T6") + 1))
        await settle(pilot)
        assert (5, "T6", None, None) in codings(tui_project)
        await pilot.press("u")
        await settle(pilot)
        assert (5, "T6", None, None) not in codings(tui_project)


async def test_suggestions_wait_until_the_cursor_rests(tui_project) -> None:  # noqa: ANN001
    """Holding j computes nothing for the passages run past; the one stopped on gets them."""
    calls: list[str] = []

    def counting(text, index):  # noqa: ANN001, ANN202
        from trivselkode.analysis.suggest import simple_words, suggest

        calls.append(text)
        return suggest(text, index, lemmatize=simple_words)

    app = make_app(tui_project, suggester=counting, suggest_delay_s=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        assert len(calls) == 1  # the passage the screen opens on: at once
        await pilot.press("j", "j", "j")
        await settle(pilot)
        assert len(calls) == 1 and screen.suggest.current() is None
        screen.suggest.start()  # what the timer does when the cursor has rested
        await settle(pilot)
        assert calls[-1] == TRANSCRIPT[6][1] and len(calls) == 2
        assert [code.key for _s, code in screen.suggest.current()][:1] == ["T4"]


async def test_suggestions_with_spacy_arrive_without_blocking(tui_project) -> None:  # noqa: ANN001
    """The real suggester: spaCy loads in a helper process while the screen answers keys."""
    app = make_app(tui_project, suggester="default", learn=False)  # the learner's own tests: test_coding_suggestions
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_coding(SOURCE, None)
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert screen.suggest.running  # the model is loading ...
        await pilot.press("j")  # ... and the key is answered while it still is
        assert screen.passage.number == 4
        assert screen.suggest.running
        await settle(pilot)
        found = screen.suggest.current()
        assert found is not None and "T2" in [code.key for _s, code in found]  # "ro", "stille"


# ---------------------------------------------------------- the other keys


@pytest.mark.both_backends
async def test_memo_saved_and_question_mark_typed(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("m")
        assert isinstance(app.screen, MemoDialog)
        await pilot.press(*"Citat?", "ctrl+s")
        await settle(pilot)
        with tui_project.read() as s:
            assert [m.text for m in s.exec(select(Memo))] == ["Citat?"]
        assert "✎" in list_text(screen)
        await pilot.press("m")
        area = app.screen.query_one(TextArea)
        area.text = ""
        await pilot.press("ctrl+s")  # an empty memo is deleted (Escape would cancel: every dialog the same)
        await settle(pilot)
        with tui_project.read() as s:
            assert s.exec(select(Memo)).all() == []


async def test_memo_discard_keeps_old_text(tui_project) -> None:  # noqa: ANN001
    pids = passage_ids(tui_project)
    ops.set_memo(tui_project, "ann", pids[SOURCE][1], "gammelt")
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_source(pilot)
        await pilot.press("m", "x")
        await pilot.click("#memo-discard")
        await settle(pilot)
        assert isinstance(app.screen, CodingScreen)
    assert ops.get_memo(tui_project, "ann", pids[SOURCE][1]) == "gammelt"


@pytest.mark.both_backends
async def test_star_toggles(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("asterisk")
        await settle(pilot)
        with tui_project.read() as s:
            assert len(s.exec(select(Star)).all()) == 1
        assert "★" in list_text(screen)
        await pilot.press("asterisk")
        await settle(pilot)
        with tui_project.read() as s:
            assert s.exec(select(Star)).all() == []


@pytest.mark.both_backends
async def test_done_asks_when_uncoded_and_toggles(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        with tui_project.read() as s:
            assert s.exec(select(SourceDone)).all() == []
        await pilot.press("d", "y")
        await settle(pilot)
        with tui_project.read() as s:
            done = s.exec(select(Coder.name).join(SourceDone, SourceDone.coder_id == Coder.id)).all()
        assert done == ["ann"]
        assert "færdig: ann" in str(screen.query_one("#coding-title").render())
        await pilot.press("d")  # unmark: no question
        await settle(pilot)
        with tui_project.read() as s:
            assert s.exec(select(SourceDone)).all() == []


@pytest.mark.both_backends
async def test_edit_speaker_attributes(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, SpeakerDialog)
        dialog = app.screen
        dialog.query_one("#speaker-age", Input).value = "sju"
        await pilot.press("enter")
        assert isinstance(app.screen, SpeakerDialog)  # refused in the dialog, nothing lost
        assert "helt tal" in str(dialog.query_one("#speaker-error").render())
        dialog.query_one("#speaker-age", Input).value = "68"
        dialog.query_one("#speaker-others", Input).value = "uddannelse=lærer"
        await pilot.press("enter")
        await settle(pilot)
        with tui_project.read() as s:
            p1 = s.exec(select(Participant).where(Participant.label == "P1")).first()
        assert p1.age == 68 and p1.attributes == {"uddannelse": "lærer"} and p1.gender == "kvinde"
        assert "Kvinde, 68 år, Holstebro" in list_text(screen)
        assert screen.passage.number == 2


async def test_others_hidden_by_default_and_shown_with_o(tui_project) -> None:  # noqa: ANN001
    pids, codes = passage_ids(tui_project), code_ids(tui_project)
    ops.toggle_code(tui_project, "bo", pids[SOURCE][1], codes["T5"])
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        assert "T5" not in list_text(screen) and "andre:" not in list_text(screen)
        await pilot.press("o")
        await settle(pilot)
        assert "andre: bo  T5" in list_text(screen)
        await pilot.press("o")
        assert "andre:" not in list_text(screen)


async def test_the_others_line_wraps_between_coders_at_80_columns(tui_project) -> None:  # noqa: ANN001
    """Four coders with long names: every one is shown whole, on as many lines as it takes."""
    pids, codes = passage_ids(tui_project), code_ids(tui_project)
    coders = ["bodil-fra-biblioteket", "carsten-koder-to", "dorthe-koder-tre", "ejnar-den-fjerde"]
    for coder in coders:
        for key in ("T1", "T5", "T7"):
            ops.toggle_code(tui_project, coder, pids[SOURCE][1], codes[key])
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("o")
        await settle(pilot)
        text = list_text(screen)
        assert all(coder in text for coder in coders) and "…" not in text.split("andre:")[1]
        assert text.count("andre:") == 1 and len([ln for ln in text.splitlines() if "koder" in ln]) >= 2


@pytest.mark.both_backends
async def test_refresh_picks_up_other_coders(tui_project) -> None:  # noqa: ANN001
    pids, codes = passage_ids(tui_project), code_ids(tui_project)
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("j")
        mark_done(tui_project, SOURCE, "bo")
        ops.toggle_code(tui_project, "bo", pids[SOURCE][3], codes["T4"])
        await pilot.press("r")
        await settle(pilot)
        assert "færdig: bo" in str(screen.query_one("#coding-title").render())
        assert screen.passage.number == 4  # stays where it was
        await pilot.press("o")
        assert "andre: bo  T4" in list_text(screen)


async def test_search_jumps_between_matches(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"jeg", "enter")
        assert screen.passage.number == 4  # the next match after passage 2
        await pilot.press("enter")
        assert screen.passage.number == 5
        await pilot.press("up")
        assert screen.passage.number == 4
        await pilot.press("question_mark")  # help from the search field
        assert isinstance(app.screen, HelpDialog)
        await pilot.press("escape", "escape")  # closes help, then the search bar
        assert not screen.query_one("#search-bar").display
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("ctrl+n")
        assert screen.passage.number == 5
        await pilot.press("ctrl+p")
        assert screen.passage.number == 4
        await pilot.press("slash", *"xyzzy", "enter")
        assert any("findes ikke" in msg for _s, msg in notes(app))


async def test_help_lists_every_key_and_codes(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpDialog)
        keys = {key for _title, rows in app.screen.sections for key, _what in rows}
        for key in ("↓ j", "n", "p", "g Home", "G End", "mellemrum", "s", "m", "u", "ctrl+r", "/", "*", "d", "e", "o",
                    "r", "+", "A", "Escape", "q", "?", "ctrl+q", "1", "b", "ctrl+n"):  # fmt: skip
            assert key in keys, key
        await pilot.press("escape")
        assert app.screen is screen


async def test_escape_leaves_and_q_too(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_source(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        await open_source(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)


async def test_resize_rewraps_and_keeps_cursor_visible(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("G")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert screen.has_class("-narrow")
        text = list_text(screen)
        assert "Personalet er altid venlige" in text
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert not screen.has_class("-narrow")


# -------------------------------------------------------------------- units


def test_wrap_offsets_cover_every_word() -> None:
    text = "Et langt udsagn med mange ord, der skal brydes pænt.\nNy linje her. " + "x" * 25
    lines = wrap_offsets(text, 12)
    assert all(e - s <= 12 for s, e in lines)
    words = [w for line in (text[s:e] for s, e in lines) for w in line.split()]
    assert "".join(words) == "".join(text.split())
    assert wrap_offsets("", 10) == [(0, 0)]
    assert wrap_offsets("kort", 10) == [(0, 4)]


async def test_memo_that_cannot_be_stored_comes_back(tui_project, monkeypatch) -> None:  # noqa: ANN001
    from trivselkode.errors import TrivselError

    def refuse(*_args, **_kw):  # noqa: ANN002, ANN003, ANN202
        raise TrivselError("databasen er skrivebeskyttet")

    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_source(pilot)
        monkeypatch.setattr(ops, "set_memo", refuse)
        await pilot.press("m", *"vigtigt", "ctrl+s")
        await settle(pilot)
        assert any(sev == "error" and "skrivebeskyttet" in msg for sev, msg in notes(app))
        assert isinstance(app.screen, MemoDialog)
        assert app.screen.query_one(TextArea).text == "vigtigt"  # nothing typed is lost
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await settle(pilot)
    with tui_project.read() as s:
        assert [m.text for m in s.exec(select(Memo))] == ["vigtigt"]


async def test_speaker_change_that_is_refused_comes_back(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_source(pilot)
        await pilot.press("e")
        dialog = app.screen
        dialog.query_one("#speaker-others", Input).value = "role=chef"  # not a role: refused by the core
        await pilot.press("enter")
        await settle(pilot)
        assert any(sev == "error" and "rolle" in msg for sev, msg in notes(app))
        assert isinstance(app.screen, SpeakerDialog)
        assert app.screen.query_one("#speaker-others", Input).value == "role=chef"
        assert app.screen.query_one("#speaker-age", Input).value == "67"


async def test_interviewer_dimmed_and_chips_on_code_colour(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_source(pilot)
        await pilot.press("1")
        await settle(pilot)
        plist = screen.query_one(PassageList)
        dim = plist.get_component_rich_style("passage-list--interviewer", partial=True).color
        question = next(
            seg for y in range(plist.size.height) for seg in plist.render_line(y) if "Hvad betyder" in seg.text
        )
        assert question.style.color == dim
        chip = next(seg for y in range(plist.size.height) for seg in plist.render_line(y) if seg.text == " T1 ")
        assert chip.style.bgcolor.name == "#66bb6a"


async def test_taken_shortcut_is_told_once_per_session(tui_project) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_source(pilot)
        await pilot.press("escape")
        await open_source(pilot, "viborg-voxpop")
        assert sum("X.clash" in msg for _sev, msg in notes(app)) == 1


@pytest.mark.parametrize("keys", [("space",), ("A",), ("e",), ("d",), ("question_mark",)])
async def test_escape_closes_every_dialog(tui_project, keys) -> None:  # noqa: ANN001
    app = make_app(tui_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_source(pilot)
        await pilot.press(*keys)
        assert app.screen is not screen  # a dialog is open
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
    assert codings(tui_project) == set()
    with tui_project.read() as s:
        assert s.exec(select(SourceDone)).all() == [] and s.exec(select(Coder)).all() == []
