"""``export.jobs``: the Eksport screen's core — same files as the command line, atomic, cancellable."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlmodel import select

from tests.conftest import Cli
from tests.unit.test_frequencies import sentences_of
from trivselkode.config import bundled_codebook
from trivselkode.domain.codebook import load_codebook_file
from trivselkode.errors import TrivselError
from trivselkode.export import jobs
from trivselkode.export.jobs import (
    KINDS,
    REPORT_KINDS,
    ExportCancelled,
    ReportRequest,
    default_name,
    export_choices,
    format_of,
    run_report,
    with_format,
)
from trivselkode.storage.codebook import load_codebook
from trivselkode.storage.consensus import settle
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.models import Code, Coder, Coding, Participant, Passage, Source

# ---------------------------------------------------------------- a small project

SOURCES = [
    {
        "name": "holstebro-1",
        "kind": "interview",
        "site": "Holstebro",
        "context": "bibliotek",
        "round": 1,
        "people": {
            "I": {"role": "interviewer"},
            "Karen": {"gender": "kvinde", "age": 67},
            "P2": {"gender": "mand", "age": 34},
        },
        "turns": [
            ("I", "Hvad betyder biblioteket for dig, og hvorfor kommer du her?"),
            (
                "Karen",
                "Jeg hedder Karen, og her føler jeg mig tryg. Ingen dømmer mig, når jeg sidder med avisen hver morgen.",
            ),
            ("I", "Hvad laver du ellers her på biblioteket?"),
            (
                "P2",
                "Jeg finder ro til at læse og tænke. Det er stille, og jeg kan fordybe mig i timevis uden at nogen forstyrrer.",
            ),
            (
                "Karen",
                "Personalet er altid venlige og hjælpsomme, de kender mit navn og spørger til min dag. Ring gerne på 12 34 56 78.",
            ),
        ],
    },
    {
        "name": "viborg-voxpop",
        "kind": "voxpop",
        "site": "Viborg",
        "context": "arrangement",
        "round": 1,
        "people": {"V1": {"gender": "kvinde", "age": 45}, "V2": {"gender": "mand", "age": 71}},
        "turns": [
            (
                "V1",
                "Foredraget i aftes var gratis, og jeg mødte nye mennesker, som jeg snakkede med bagefter over en kop kaffe.",
            ),
            (
                "V2",
                "Jeg kommer for fællesskabet, men her er ikke noget pres for at deltage, man kan bare sidde og lytte med.",
            ),
        ],
    },
]

CODINGS = [
    ("holstebro-1", 2, "T1", "anne"),
    ("holstebro-1", 2, "B.sikkerhed", "anne"),
    ("holstebro-1", 4, "T2", "anne"),
    ("holstebro-1", 5, "T4", "anne"),
    ("holstebro-1", 5, "B.social", "anne"),
    ("viborg-voxpop", 1, "T6", "anne"),
    ("viborg-voxpop", 1, "B.social", "anne"),
    ("viborg-voxpop", 2, "T3", "anne"),
    ("viborg-voxpop", 2, "T7", "anne"),
    ("holstebro-1", 2, "T1", "bo"),
    ("holstebro-1", 4, "T2", "bo"),
    ("holstebro-1", 4, "B.selvregulering", "bo"),
    ("holstebro-1", 5, "T4", "bo"),
    ("viborg-voxpop", 1, "T6", "bo"),
    ("viborg-voxpop", 1, "T3", "bo"),
    ("viborg-voxpop", 2, "T3", "bo"),
]


# Every disagreement of CODINGS, settled: the consensus themes are then T1, T2, T3, T4 and T6 once each.
SETTLED = [
    ("holstebro-1", 2, "B.sikkerhed", "a"),
    ("holstebro-1", 5, "B.social", "neither"),
    ("viborg-voxpop", 1, "B.social", "a"),
    ("viborg-voxpop", 2, "T7", "neither"),
    ("holstebro-1", 4, "B.selvregulering", "b"),
    ("viborg-voxpop", 1, "T3", "neither"),
]


def build_export_project(path: Path, consensus: bool = False) -> Project:
    """The bundled codebook, two sources (an interview and a voxpop) and anne's and bo's codings.

    With ``consensus`` every disagreement of anne and bo is settled (:data:`SETTLED`), so the
    consensus is the default basis.
    """
    project, _ = open_project(str(path))
    load_codebook(project, load_codebook_file(bundled_codebook()))
    codings = CODINGS
    with project.write() as s:
        codes = {c.key: c.id for c in s.exec(select(Code))}
        coders = {}
        for name in sorted({c[3] for c in codings}):
            coder = Coder(name=name)
            s.add(coder)
            s.flush()
            coders[name] = coder.id
        passages: dict[tuple[str, int], int] = {}
        for spec in SOURCES:
            body, pos, laid = [], 0, []
            for label, text in spec["turns"]:
                start = pos + len(label) + 2
                body.append(f"{label}: {text}\n")
                laid.append((label, start, text))
                pos = start + len(text) + 1
            source = Source(
                name=spec["name"], title=spec["name"], kind=spec["kind"], site=spec["site"], context=spec["context"],
                round=spec["round"], text="".join(body),
            )  # fmt: skip
            s.add(source)
            s.flush()
            people = {}
            for label, attrs in spec["people"].items():
                person = Participant(source_id=source.id, label=label, **attrs)
                s.add(person)
                s.flush()
                people[label] = person.id
            s.execute(
                insert(Passage),
                [
                    {"source_id": source.id, "number": n, "participant_id": people[label], "start": start,
                     "end": start + len(text), "text": text, "sentences": sentences_of(text)}
                    for n, (label, start, text) in enumerate(laid, start=1)
                ],
            )  # fmt: skip
            for pid, number in s.exec(select(Passage.id, Passage.number).where(Passage.source_id == source.id)):
                passages[(spec["name"], number)] = pid
        s.execute(
            insert(Coding),
            [
                {"passage_id": passages[(src, n)], "code_id": codes[key], "coder_id": coders[who]}
                for src, n, key, who in codings
            ],
        )
    for src, n, key, take in SETTLED if consensus else []:
        settle(project, src, n, key, take, ("anne", "bo"), "lead")
    return project


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export-template") / "projekt.db"
    build_export_project(path).dispose()
    return path


@pytest.fixture
def export_project(template: Path, tmp_path: Path):  # noqa: ANN201
    path = tmp_path / "projekt.db"
    shutil.copy(template, path)
    project, _ = open_project(str(path))
    yield project
    project.dispose()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


# ---------------------------------------------------------------- same as the command line

TEXT_CASES = [
    ("frequencies", ["--by", "site", "--codes", "tema"], {"by": ["site"], "codes": "tema"}, "f.csv"),
    ("frequencies", ["--codes", "tema", "--lang", "en"], {"codes": "tema", "lang": "en"}, "f.md"),
    ("frequencies", ["--coder", "bo", "--rollup"], {"selection": "coder:bo", "rollup": True}, "f.json"),
    (
        "frequencies",
        ["--by", "gender,age_band", "--age-bands", "40,60"],
        {"by": ["gender", "age_band"], "age_bands": "40,60"},
        "f.txt",
    ),
    ("cooccurrence", [], {}, "c.csv"),
    (
        "cooccurrence",
        ["--rows", "T1,T2,T3", "--cols", "tema", "--union"],
        {"rows": "T1,T2,T3", "cols": "tema", "selection": "union"},
        "c.json",
    ),
    ("matrix", ["--codes", "tema", "--pseudonymize"], {"codes": "tema", "pseudonymize": True}, "m.csv"),
    ("matrix", [], {}, "m.json"),
    ("quotes", ["-n", "2", "--pseudonymize"], {"n": 2, "pseudonymize": True}, "q.md"),
    (
        "quotes",
        ["--codes", "T1,T4", "--lang", "en", "--title", "Udvalg"],
        {"codes": "T1,T4", "lang": "en", "title": "Udvalg"},
        "q.html",
    ),
    (
        "quotes",
        ["--min-words", "3", "--max-words", "12", "--pin", "holstebro-1#4"],
        {"min_words": 3, "max_words": 12, "pins": ["holstebro-1#4"]},
        "q.csv",
    ),
    (
        "quotes",
        ["--exclude", "holstebro-1#2", "--coder", "anne"],
        {"excludes": ["holstebro-1#2"], "selection": "coder:anne"},
        "q.json",
    ),
    ("chart", ["--by", "site", "--measure", "passages"], {"by": ["site"], "measure": "passages"}, "d.svg"),
]
COMMANDS = {
    "frequencies": "frequencies",
    "cooccurrence": "cooccurrence",
    "matrix": "matrix",
    "quotes": "quotes",
    "chart": "chart",
}


@pytest.mark.parametrize(("kind", "args", "options", "name"), TEXT_CASES)
def test_a_report_is_byte_for_byte_the_command_lines(export_project, tmp_path, kind, args, options, name):
    """The screen's file and ``trivselkode report`` 's file are the same bytes."""
    sqlite_cli = Cli(export_project.display_name)
    cli_out = tmp_path / "cli" / name
    cli_out.parent.mkdir()
    result = sqlite_cli("report", COMMANDS[kind], *args, "--out", str(cli_out))
    assert result.exit_code == 0, result.stderr
    ours = run_report(export_project, ReportRequest(kind, tmp_path / name, **options))
    assert ours.path == tmp_path / name and ours.path.is_absolute()
    assert (tmp_path / name).read_bytes() == cli_out.read_bytes()
    assert ours.bytes == cli_out.stat().st_size
    assert leftovers(tmp_path) == []


def test_codings_codebook_and_refi_are_the_command_lines(export_project, tmp_path):
    sqlite_cli = Cli(export_project.display_name)
    cases = [
        (
            ["codings", "export", "--pseudonymize", "--out"],
            ReportRequest("codings", tmp_path / "k.csv", pseudonymize=True),
            "k.csv",
        ),
        (
            ["codings", "export", "--coder", "bo", "--format", "json", "--out"],
            ReportRequest("codings", tmp_path / "k.json", selection="coder:bo"),
            "k.json",
        ),
        (["codebook", "export", "--out"], ReportRequest("codebook", tmp_path / "b.yaml"), "b.yaml"),
        (
            ["codebook", "export", "--retired", "--out"],
            ReportRequest("codebook", tmp_path / "r.yaml", retired=True),
            "r.yaml",
        ),
        (["refi", "export-codebook"], ReportRequest("codebook", tmp_path / "b.qdc"), "b.qdc"),
        (["refi", "export", "--pseudonymize"], ReportRequest("refi", tmp_path / "p.qdpx", pseudonymize=True), "p.qdpx"),
    ]
    (tmp_path / "cli").mkdir()
    for args, request, name in cases:
        result = sqlite_cli(*args, str(tmp_path / "cli" / name))
        assert result.exit_code == 0, result.stderr
        run_report(export_project, request)
        assert (tmp_path / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------- formats and paths


def test_format_follows_the_suffix_and_a_wrong_suffix_is_refused():
    assert format_of("frequencies", None, Path("a.CSV")) == "csv"
    assert format_of("frequencies", "json", Path("a.xlsx")) == "xlsx"  # the name wins: the screen keeps them in step
    assert format_of("frequencies", "json", Path("a.dat")) == "json"
    assert format_of("quotes", None, Path("citater")) == "docx"
    assert format_of("codebook", None, Path("bog.yml")) == "yaml"
    with pytest.raises(TrivselError, match=r"Citater kan ikke skrives som \.xlsx.*\.docx"):
        format_of("quotes", None, Path("citater.xlsx"))
    with pytest.raises(TrivselError):
        format_of("chart", "csv", Path("x"))


def test_default_names_and_suffix_changes():
    assert default_name("frequencies") == "temafrekvenser.xlsx"
    assert default_name("quotes", "html") == "citater.html"
    assert default_name("refi", project_stem="demo") == "demo.qdpx"
    assert default_name("codebook") == "kodebog.yaml"
    assert {k.key for k in REPORT_KINDS} == set(KINDS) == {
        "frequencies", "cooccurrence", "matrix", "quotes", "chart", "codings", "refi", "codebook",
    }  # fmt: skip
    assert with_format("rapport.xlsx", "csv") == "rapport.csv"
    assert with_format("mappe/rapport.v2", "csv") == "mappe/rapport.v2.csv"
    assert with_format("", "csv") == ""


def test_export_choices(export_project):
    choices = export_choices(export_project)
    assert choices.coders == ["anne", "bo"] and choices.has_consensus  # the two coders' consensus can be formed
    assert choices.consensus == "konsensus af anne og bo" and choices.default_basis == "union"
    assert choices.attributes[:5] == ["site", "kind", "context", "gender", "age_band"]
    assert ("T1", "Biblioteket som et psykologisk tryghedssystem", "tema") in choices.codes
    assert "tema" in choices.kinds and "behov" in choices.kinds
    assert choices.project_stem == "projekt"


# ---------------------------------------------------------------- nothing half-written


def test_unwritable_targets_are_refused_before_any_work(export_project, tmp_path, monkeypatch):
    called = []
    monkeypatch.setitem(jobs._BUILDERS, "frequencies", lambda *a: called.append(a))
    a_file = tmp_path / "fil.txt"
    a_file.write_text("x")
    for target, words in [
        (tmp_path / "mangler" / "x.csv", "findes ikke"),
        (a_file / "x.csv", "findes ikke"),
        (tmp_path, "er en mappe"),
    ]:
        with pytest.raises(TrivselError, match=words):
            run_report(export_project, ReportRequest("frequencies", target))
    assert called == []
    assert leftovers(tmp_path) == [] and not list(tmp_path.rglob("x.csv"))


def test_a_failing_report_leaves_the_old_file_and_no_temporary_file(export_project, tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("gammel\n")
    with pytest.raises(TrivselError, match="T99"):
        run_report(export_project, ReportRequest("frequencies", target, codes="T99"))
    assert target.read_text() == "gammel\n"
    assert leftovers(tmp_path) == []


def test_a_failure_while_writing_removes_the_temporary_file(export_project, tmp_path, monkeypatch):
    def broken(tmp: Path, data) -> None:  # noqa: ANN001
        tmp.write_text("halv")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jobs, "write_data", broken)
    with pytest.raises(TrivselError, match="kan ikke skrive .*No space left"):
        run_report(export_project, ReportRequest("codings", tmp_path / "k.csv"))
    assert not (tmp_path / "k.csv").exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("at_step", [0, 1, 2])
def test_cancel_at_any_step_writes_nothing(export_project, tmp_path, at_step):
    cancel = threading.Event()
    target = tmp_path / "t.xlsx"
    target.write_bytes(b"old")

    def progress(step: int, steps: int, text: str) -> None:
        if step == at_step:
            cancel.set()

    with pytest.raises(ExportCancelled):
        run_report(export_project, ReportRequest("frequencies", target), progress=progress, cancel=cancel)
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_cancel_of_a_refi_export_writes_nothing(export_project, tmp_path):
    cancel = threading.Event()

    def progress(step: int, steps: int, text: str) -> None:
        if step == 2:
            cancel.set()

    with pytest.raises(ExportCancelled):
        run_report(export_project, ReportRequest("refi", tmp_path / "p.qdpx"), progress=progress, cancel=cancel)
    assert not (tmp_path / "p.qdpx").exists() and leftovers(tmp_path) == []


def test_progress_steps_in_order_and_a_summary(export_project, tmp_path):
    seen = []
    result = run_report(
        export_project,
        ReportRequest("quotes", tmp_path / "c.json", n=1),
        progress=lambda step, steps, text: seen.append((step, steps, text)),
    )
    assert [s for s, _, _ in seen] == [0, 1, 2, 3] and {n for _, n, _ in seen} == {3}
    assert seen[-1][2] == "Færdig."
    rows = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert result.summary.startswith(f"{len(rows)} citater til ")
    assert result.format == "json" and result.kind == "quotes"


def test_bad_options_are_one_danish_line(export_project, tmp_path):
    for request, words in [
        (ReportRequest("quotes", tmp_path / "c.md", n=0), "mindst 1"),
        (ReportRequest("quotes", tmp_path / "c.md", min_words=9, max_words=3), "ordgrænserne"),
        (ReportRequest("frequencies", tmp_path / "f.csv", age_bands="30,18"), "stigende"),
        (ReportRequest("frequencies", tmp_path / "f.csv", by=["skostørrelse"]), "skostørrelse"),
        (ReportRequest("frequencies", tmp_path / "f.csv", selection="alle"), "ukendt grundlag"),
        (ReportRequest("codings", tmp_path / "k.csv", selection="union"), "alle kodere eller for én koder"),
        (ReportRequest("chart", tmp_path / "d.png", measure="højde"), "ukendt mål"),
        (ReportRequest("frequencies", tmp_path / "f.csv", lang="de"), "ukendt sprog"),
    ]:
        with pytest.raises(TrivselError, match=words) as info:
            run_report(export_project, request)
        assert "\n" not in str(info.value)
    assert leftovers(tmp_path) == [] and not list(tmp_path.glob("[cfkd].*"))


def test_describe_error():
    assert jobs.describe_error(TrivselError("a", "b")) == "a – b"
    assert jobs.describe_error(ValueError("x\ny")) == "uventet fejl: ValueError: x (intet er skrevet halvt)"
