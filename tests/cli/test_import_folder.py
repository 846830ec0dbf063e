"""``trivselkode import transcripts/`` as the README shows it: the demo folder imports whole; files that are no
sources (its README, the codings CSV) are named and skipped; the questionnaire reads its text column from its
sidecar; warnings during the progress bar go above it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import DEMO_SOURCES, INTERVIEW, Cli, write


@pytest.fixture
def demo_folder(tmp_path: Path) -> Path:
    from trivselkode.config import data_dir

    folder = tmp_path / "transcripts"
    shutil.copytree(data_dir("transcripts"), folder)
    return folder


def test_the_demo_folder_imports_and_names_what_it_skips(sqlite_cli: Cli, demo_folder: Path) -> None:
    result = sqlite_cli("import", str(demo_folder))
    assert result.exit_code == 0, result.stderr
    assert "FEJL" not in result.stdout and "fejl:" not in result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.startswith("springer over:")]
    assert len(skipped) == 2
    assert any("README.md" in line for line in skipped)
    assert any("codings-demo.csv" in line and "codings import" in line for line in skipped)
    sources = {s["name"]: s for s in sqlite_cli.json("sources", "list")}
    assert len(sources) == DEMO_SOURCES
    survey = sources["spoergeskema-aabne-svar-r1"]
    assert survey["kind"] == "survey" and survey["passages"] > 10


def test_the_questionnaire_takes_its_text_column_from_its_sidecar(sqlite_cli: Cli, demo_folder: Path) -> None:
    import yaml

    sidecar = demo_folder / "spoergeskema-aabne-svar-r1.yaml"
    assert yaml.safe_load(sidecar.read_text(encoding="utf-8"))["text_column"] == "svar"
    result = sqlite_cli("import", str(demo_folder / "spoergeskema-aabne-svar-r1.csv"))
    assert result.exit_code == 0, result.stderr


def test_a_folder_with_nothing_but_notes_is_an_error_that_names_them(sqlite_cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "noter" / "README.md", "# Noter\n\nIngen udskrifter endnu.\n")
    result = sqlite_cli("import", str(tmp_path / "noter"))
    assert result.exit_code != 0
    assert "README.md" in result.stderr


def test_a_readme_beside_one_transcript_is_skipped_and_the_import_succeeds(sqlite_cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "f" / "README.txt", "Udskrifterne fra Holstebro.\n")
    write(tmp_path / "f" / "holstebro-1.txt", INTERVIEW)
    write(tmp_path / "f" / "LICENSE", "CC BY 4.0\n")  # no supported suffix: never looked at
    result = sqlite_cli("import", str(tmp_path / "f"))
    assert result.exit_code == 0, result.stderr
    assert "springer over:" in result.stderr and "README.txt" in result.stderr
    assert [s["name"] for s in sqlite_cli.json("sources", "list")] == ["holstebro-1"]


def test_not_a_source() -> None:
    from trivselkode.importers.not_sources import not_a_source

    assert not_a_source(Path("README.md")) and not_a_source(Path("readme.txt")) and not_a_source(Path("LÆSMIG.md"))
    assert not_a_source(Path("interview-readme-group.txt")) is None


def test_a_codings_csv_is_recognised_by_its_header(tmp_path: Path) -> None:
    from trivselkode.importers.not_sources import not_a_source

    codings = write(tmp_path / "k.csv", "source,passage,code,coder,start,end,memo\nx,1,T1,anne,,,\n")
    answers = write(tmp_path / "svar.csv", "respondent;køn;alder;bibliotek;svar\nR01;kvinde;68;Randers;Godt.\n")
    assert not_a_source(codings) and not_a_source(answers) is None


def test_warnings_during_the_progress_bar_come_above_it(
    sqlite_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal the bar's line is cleared before a warning, so the warning stands above the bar."""
    import sys

    for n in (1, 2):
        write(tmp_path / "f" / f"kilde-{n}.txt", "Karen: Hej.\nAnne Marie Holm Jensen: ukendt etiket.\n")

    from typer.testing import CliRunner

    from trivselkode.cli.main import app

    class TtyRunner(CliRunner):
        def isolation(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            outer = super().isolation(*args, **kwargs)

            class Wrapped:
                def __enter__(self):  # noqa: ANN204
                    streams = outer.__enter__()
                    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
                    return streams

                def __exit__(self, *exc):  # noqa: ANN002, ANN204
                    return outer.__exit__(*exc)

            return Wrapped()

    result = TtyRunner().invoke(
        app, ["--db", str(sqlite_cli.db), "import", str(tmp_path / "f")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    err = result.stderr
    first_warning = err.index("advarsel:")
    assert err[:first_warning].endswith("\r\x1b[2K")  # the bar's line cleared first
