"""Our project → .qdpx → a new project gives the same project (fixture, demo, random projects)."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from tests.unit.test_refi_export import assert_valid, make_fixture_project, snapshot
from trivselkode.domain.codebook import Codebook, CodeSpec
from trivselkode.export.refi import export_project
from trivselkode.importers.pipeline import import_paths
from trivselkode.importers.refi import import_refi
from trivselkode.storage.codebook import load_codebook
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.lookup import get_or_create_coder
from trivselkode.storage.models import Code, Coding, Memo, Passage, Source


def round_trip(project: Project, folder: Path) -> Project:
    out = folder / "rundtur.qdpx"
    export_project(project, out)
    with zipfile.ZipFile(out) as zf:
        assert_valid(zf.read("project.qde"))
    other, _ = open_project(str(folder / "rundtur.db"))
    import_refi(other, out)
    return other


def test_fixture_round_trip(tmp_path):
    project = make_fixture_project(tmp_path / "a")
    other = round_trip(project, tmp_path)
    try:
        assert snapshot(other) == snapshot(project)
        # and once more through the imported copy: the same file again
        export_project(project, tmp_path / "1.qdpx")
        export_project(other, tmp_path / "2.qdpx")
        with zipfile.ZipFile(tmp_path / "1.qdpx") as a, zipfile.ZipFile(tmp_path / "2.qdpx") as b:
            # the same document, but for the project's name and when the sources were imported
            first, second = (
                re.sub(rb'(<TextSource [^>]*creationDateTime=")[^"]*', rb"\1", zf.read("project.qde")) for zf in (a, b)
            )
            assert first.replace(b'name="fixture"', b'name="rundtur"') == second
    finally:
        project.dispose()
        other.dispose()


def test_demo_round_trip(tmp_path):
    from typer.testing import CliRunner

    from trivselkode.cli.main import app

    demo = tmp_path / "demo.db"
    result = CliRunner().invoke(app, ["demo", "--out", str(demo)], catch_exceptions=False)
    if result.exit_code != 0 or not demo.exists():  # pragma: no cover - the demo is someone else's
        pytest.skip(f"the demo project could not be built: {result.output[-300:]}")
    project, _ = open_project(str(demo))
    other = round_trip(project, tmp_path)
    try:
        mine, theirs = snapshot(project), snapshot(other)
        assert len(mine["sources"]) > 10 and len(mine["codings"]) > 100
        assert theirs == mine
    finally:
        project.dispose()
        other.dispose()


# --------------------------------------------------------------------------- random projects

WORDS = [
    "jeg",
    "får",
    "Æbler",
    "øl",
    "å",
    "biblioteket",
    "😀",
    "🙂🙂",
    "𝄞",
    "naïve",
    "q\u0301",
    "Hej.",
    "kl. 10:30",
    "—",
    "ro,",
    "👩‍👩‍👧",
]
LABELS = ["I", "P1", "P2", "Kvinde 1", "Åse", "Bjørn Ærø"]
CODERS = ["anne", "bo", "konsensus", "Åse"]
COLORS = [None, "#2e7d32", "#aabbcc", "#000000"]

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=10).map(" ".join)
turn = st.tuples(st.sampled_from(LABELS), st.lists(words, min_size=1, max_size=2))
attributes = st.fixed_dictionaries(
    {},
    optional={
        "gender": st.sampled_from(["kvinde", "mand"]),
        "age": st.integers(15, 99),
        "uddannelse": st.sampled_from(["lærer", "smed 🔧", "bibliotekar"]),
        "børn": st.integers(0, 5),
        "aktiv": st.booleans(),
        "score": st.sampled_from([0.5, 2.25, 10.0]),
    },
)
source = st.fixed_dictionaries(
    {
        "turns": st.lists(turn, min_size=1, max_size=6),
        "attrs": st.dictionaries(st.sampled_from(LABELS), attributes, max_size=3),
        "kind": st.sampled_from([None, "interview", "voxpop"]),
        "site": st.sampled_from([None, "Holstebro", "Viborg"]),
        "round": st.sampled_from([None, 1, 2]),
    }
)
code = st.tuples(st.sampled_from(COLORS), st.sampled_from(["", "tema", "behov"]), st.booleans(), words)
coding = st.tuples(
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.sampled_from(CODERS),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.booleans(),
    st.one_of(st.none(), words),
)
memo = st.tuples(st.sampled_from(["source", "passage", "code"]), st.integers(0, 10**6), st.sampled_from(CODERS), words)


def _front_matter(src: dict) -> str:
    lines = ["---"]
    for key in ("kind", "site", "round"):
        if src[key] is not None:
            lines.append(f"{key}: {src[key]}")
    lines.append("participants:")
    labels = list(dict.fromkeys([t[0] for t in src["turns"]] + list(src["attrs"])))
    for label in labels:
        fields = [f'id: "{label}"']
        for key, value in src["attrs"].get(label, {}).items():
            fields.append(
                f"{key}: {str(value).lower() if isinstance(value, bool) else repr(value) if isinstance(value, float) else value}"
            )
        lines.append("  - {" + ", ".join(fields) + "}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def _build(folder: Path, sources: list[dict], codes: list[tuple], codings: list[tuple], memos: list[tuple]) -> Project:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i, src in enumerate(sources):
        body = []
        for label, parts in src["turns"]:
            body.append(f"{label}: {parts[0]}")
            body.extend(parts[1:])
        path = folder / f"kilde-{i}-ærø.txt"
        path.write_text(_front_matter(src) + "\n".join(body) + "\n", encoding="utf-8")
        files.append(path)
    project, _ = open_project(str(folder / "p.db"))
    specs = []
    for i, (color, kind, nested, name) in enumerate(codes):
        parent = specs[(i * 7) % i].key if nested and i else None
        specs.append(CodeSpec(key=f"K{i}", name=f"{name} {i}", parent=parent, kind=kind, color=color, position=i))
    load_codebook(project, Codebook(name="Tilfældig", version=1, codes=specs))
    report = import_paths(project, files)
    assert not report.failed, [f.error for f in report.failed]
    stamp = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    with project.write() as s:
        codes_db = list(s.exec(select(Code).order_by(Code.position)))
        passages = list(s.exec(select(Passage).order_by(Passage.source_id, Passage.number)))
        sources_db = list(s.exec(select(Source).order_by(Source.id)))
        seen = set()
        for pi, ci, coder, a, b, retire, note in codings:
            passage = passages[pi % len(passages)]
            code_row = codes_db[ci % len(codes_db)]
            n = len(passage.text)
            start, end = sorted((a % (n + 1), b % (n + 1)))
            if start == end or (start, end) == (0, n):
                start = end = None
            key = (passage.id, code_row.id, coder, start, end)
            if key in seen:
                continue
            seen.add(key)
            s.add(
                Coding(
                    passage_id=passage.id,
                    code_id=code_row.id,
                    coder_id=get_or_create_coder(s, coder).id,
                    start=start,
                    end=end,
                    memo=note,
                    created_at=stamp,
                )
            )
            if retire:
                code_row.retired = True
                code_row.shortcut = None
                s.add(code_row)
        for target, index, coder, text in memos:
            cid = get_or_create_coder(s, coder).id
            if target == "source":
                s.add(
                    Memo(
                        source_id=sources_db[index % len(sources_db)].id,
                        coder_id=cid,
                        text=text,
                        created_at=stamp,
                        updated_at=stamp,
                    )
                )
            elif target == "passage":
                s.add(
                    Memo(
                        passage_id=passages[index % len(passages)].id,
                        coder_id=cid,
                        text=text,
                        created_at=stamp,
                        updated_at=stamp,
                    )
                )
            else:
                s.add(
                    Memo(
                        code_id=codes_db[index % len(codes_db)].id,
                        coder_id=cid,
                        text=text,
                        created_at=stamp,
                        updated_at=stamp,
                    )
                )
    return project


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    sources=st.lists(source, min_size=1, max_size=3),
    codes=st.lists(code, min_size=1, max_size=6),
    codings=st.lists(coding, max_size=12),
    memos=st.lists(memo, max_size=4),
)
def test_random_projects_round_trip(tmp_path_factory, sources, codes, codings, memos):
    folder = tmp_path_factory.mktemp("rt")
    project = _build(folder / "a", sources, codes, codings, memos)
    other = round_trip(project, folder)
    try:
        assert snapshot(other) == snapshot(project)
    finally:
        project.dispose()
        other.dispose()


def test_import_updates_an_older_revision_instead_of_duplicating(tmp_path):
    from tests.unit.test_refi_export import INTERVIEW

    project = make_fixture_project(tmp_path / "a")
    export_project(project, tmp_path / "a.qdpx")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "interview1.txt").write_text(
        INTERVIEW.replace("I: Tak.", "I: Tak skal du have."), encoding="utf-8"
    )
    other, _ = open_project(str(tmp_path / "b" / "b.db"))
    try:
        import_paths(other, [tmp_path / "b" / "interview1.txt"])
        report = import_refi(other, tmp_path / "a.qdpx")
        assert [(s.name, s.status) for s in report.sources] == [
            ("interview1", "revised"),
            ("voxpop-viborg", "imported"),
        ]
        mine, theirs = snapshot(project), snapshot(other)
        for part in ("codings", "passages", "participants", "codes", "coders"):
            assert theirs[part] == mine[part], part
    finally:
        project.dispose()
        other.dispose()
