"""``trivselkode suggest``: ranked suggestions per participant passage, from a model that has not seen them."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import col, delete, select

from tests.conftest import Cli
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Code, Coding, Passage, Source
from trivselkode.storage.training import participant_passages, training_passages

THEMES = {f"T{n}" for n in range(1, 8)}
ASKED = "viborg-interview-01"
OTHER = "randers-interview-01"


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Cli:
    """A copy of the demo project of its own (two coders' codings on every demo source)."""
    copy = tmp_path / "demo.db"
    shutil.copy(demo_file, copy)
    return Cli(copy)


def _source_ids(db: Path) -> dict[str, int]:
    project, _ = open_project(str(db))
    try:
        with project.read() as s:
            return {str(n): int(i) for i, n in s.exec(select(Source.id, Source.name))}
    finally:
        project.dispose()


def _codes_on(db: Path, source: str) -> dict[int, set[str]]:
    """Passage number → code keys anyone put on it, in ``source``."""
    project, _ = open_project(str(db))
    try:
        with project.read() as s:
            rows = s.exec(
                select(Passage.number, Code.key)
                .join(Coding, col(Coding.passage_id) == Passage.id)
                .join(Code, col(Code.id) == Coding.code_id)
                .join(Source, col(Source.id) == Passage.source_id)
                .where(Source.name == source)
            ).all()
    finally:
        project.dispose()
    out: dict[int, set[str]] = {}
    for number, key in rows:
        out.setdefault(int(number), set()).add(str(key))
    return out


def _one_line_error(result) -> str:  # noqa: ANN001
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("fejl:"), result.stderr
    assert result.stdout == ""
    return lines[0]


def _scores(document: dict) -> dict[tuple[int, str], float]:
    return {(p["passage"], s["code"]): s["score"] for p in document["passages"] for s in p["suggestions"]}


def test_json_is_one_document_with_every_participant_passage_of_the_source(demo: Cli) -> None:
    result = demo("suggest", "--sources", ASKED, "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)  # exactly one document: anything else on stdout fails here
    assert document["sources"] == [ASKED] and document["codes"] == "all"
    project, _ = open_project(str(demo.db))
    try:
        sid = _source_ids(demo.db)[ASKED]
        numbers = [n for _pid, _src, n, _text in participant_passages(project, source_ids=[sid])]
    finally:
        project.dispose()
    assert [p["passage"] for p in document["passages"]] == numbers
    assert {p["source"] for p in document["passages"]} == {ASKED}
    suggestions = [s for p in document["passages"] for s in p["suggestions"]]
    assert suggestions, "the demo's passages get suggestions"
    assert any(s["why"] for s in suggestions), "suggestions say why"
    for s in suggestions:
        assert set(s) == {"code", "score", "shown", "why"}
        assert 0.0 <= s["score"] <= 1.0 and isinstance(s["shown"], bool)
        assert isinstance(s["why"], list) and all(isinstance(w, str) and w for w in s["why"])
    for p in document["passages"]:
        ranked = p["suggestions"]
        assert len(ranked) <= 3  # --top defaults to 3
        shown = [s["shown"] for s in ranked]
        assert shown == sorted(shown, reverse=True), "shown suggestions come first"
    assert "Træner modellen" in result.stderr


def test_codes_themes_and_a_list_restrict_the_suggestions(demo: Cli) -> None:
    themes = demo.json("suggest", "--sources", ASKED, "--codes", "themes", "--top", "7")
    codes = {s["code"] for p in themes["passages"] for s in p["suggestions"]}
    assert codes and codes <= THEMES
    assert themes["codes"] == sorted(THEMES)
    everything = demo.json("suggest", "--sources", ASKED, "--codes", "all", "--top", "20")
    assert {s["code"] for p in everything["passages"] for s in p["suggestions"]} - THEMES, "other codes too"
    two = demo.json("suggest", "--sources", ASKED, "--codes", "t1,T4", "--top", "7")
    assert two["codes"] == ["T1", "T4"]
    assert {s["code"] for p in two["passages"] for s in p["suggestions"]} <= {"T1", "T4"}


def test_top_limits_each_passage(demo: Cli) -> None:
    one = demo.json("suggest", "--sources", ASKED, "--top", "1")
    many = demo.json("suggest", "--sources", ASKED, "--top", "6")
    assert max(len(p["suggestions"]) for p in one["passages"]) == 1
    assert max(len(p["suggestions"]) for p in many["passages"]) > 1
    for small, big in zip(one["passages"], many["passages"], strict=True):
        assert small["suggestions"] == big["suggestions"][:1]


def test_codes_already_on_a_passage_by_anyone_are_not_suggested(demo: Cli) -> None:
    document = demo.json("suggest", "--sources", ASKED, "--top", "30")
    on = _codes_on(demo.db, ASKED)
    assert on, "the demo source is coded"
    for p in document["passages"]:
        assert not {s["code"] for s in p["suggestions"]} & on.get(p["passage"], set())


def test_the_model_learns_from_every_source_but_the_asked_ones(demo: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from trivselkode.analysis import learn_project

    asked: list[set[int]] = []
    real = learn_project.train_project

    def spy(project, **kwargs):  # noqa: ANN001, ANN202
        asked.append(set(kwargs.get("exclude_source_ids", ())))
        return real(project, **kwargs)

    monkeypatch.setattr(learn_project, "train_project", spy)
    ids = _source_ids(demo.db)
    document = demo.json("suggest", "--sources", f"{ASKED},{OTHER}")
    assert asked == [{ids[ASKED], ids[OTHER]}]
    project, _ = open_project(str(demo.db))
    try:
        everyone = len(training_passages(project))
        without = len(training_passages(project, exclude_source_ids=[ids[ASKED], ids[OTHER]]))
    finally:
        project.dispose()
    assert without < everyone
    assert document["model"]["examples"] == without
    assert document["sources"] == sorted([ASKED, OTHER], key=lambda n: ids[n])


def _drop_codings(db: Path, source: str) -> None:
    project, _ = open_project(str(db))
    try:
        with project.write() as s:
            passages = select(Passage.id).join(Source, col(Source.id) == Passage.source_id).where(Source.name == source)
            s.exec(delete(Coding).where(col(Coding.passage_id).in_(passages)))  # type: ignore[call-overload]
    finally:
        project.dispose()


def test_the_asked_sources_own_codings_do_not_change_its_scores(demo: Cli) -> None:
    args = ("suggest", "--sources", ASKED, "--top", "40")
    before = _scores(demo.json(*args))
    _drop_codings(demo.db, ASKED)  # the asked source's own codings: never learnt from
    after_own = _scores(demo.json(*args))
    common = set(before) & set(after_own)
    assert common and all(before[k] == after_own[k] for k in common)
    assert set(after_own) > set(before), "codes it carried are offered now that nobody has put them on"
    _drop_codings(demo.db, OTHER)  # another source's codings: learnt from, so the scores move
    after_other = _scores(demo.json(*args))
    assert any(after_own[k] != after_other[k] for k in set(after_own) & set(after_other))


def _fingerprint(db: Path) -> tuple[str, dict[str, int]]:
    connection = sqlite3.connect(db)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        counts = {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        connection.close()
    return hashlib.sha256(db.read_bytes()).hexdigest(), counts


def test_suggest_writes_nothing(demo: Cli) -> None:
    demo("status")  # the project opened once (any upgrade of an older file happens here, not in suggest)
    before = _fingerprint(Path(demo.db))
    assert demo("suggest", "--top", "5").exit_code == 0
    assert demo("suggest", "--sources", ASKED, "--format", "json").exit_code == 0
    assert _fingerprint(Path(demo.db)) == before


def test_listing_fits_the_terminal_and_is_whole_on_a_pipe(demo: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # a terminal 80 columns wide
    result = demo("suggest", "--sources", ASKED, "--codes", "themes")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{ASKED} · udsagn ")
    assert any(line.startswith("  T") for line in lines)
    assert all(len(line) <= 80 for line in lines)
    assert any(line.endswith("…") for line in lines)
    monkeypatch.delenv("COLUMNS")  # a pipe: every line whole
    whole = demo("suggest", "--sources", ASKED, "--codes", "themes").stdout.splitlines()
    assert len(whole) == len(lines) and any(len(line) > 80 for line in whole)
    assert not any(line.endswith(" …") for line in whole)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--sources", "viborg-intervju-01"], "kilden 'viborg-intervju-01' findes ikke i projektet"),
        (["--sources", f"{ASKED},ingen-kilde"], "kilden 'ingen-kilde' findes ikke"),
        (["--codes", "T9"], "koden 'T9' findes ikke i kodebogen"),
        (["--top", "0"], "--top skal være mindst 1"),
    ],
)
def test_bad_input_is_one_danish_line(demo: Cli, args: list[str], says: str) -> None:
    line = _one_line_error(demo("suggest", *args, "--format", "json"))
    assert says in line
