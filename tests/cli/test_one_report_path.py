"""One report path: ``trivselkode report …`` and the Eksport screen both build with ``build_report``."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_report_cli import report_spec
from tests.unit.test_frequencies import build_project
from trivselkode.export import reports
from trivselkode.export.jobs import run_report
from trivselkode.export.reports import ReportRequest, build_report, selection_of
from trivselkode.storage.db import open_project


@pytest.fixture
def project_cli(cli):
    build_project(report_spec(), str(cli.db)).dispose()
    return cli


@pytest.fixture
def built(project_cli):
    project, _ = open_project(str(project_cli.db))
    yield project
    project.dispose()


def test_the_command_line_calls_build_report(project_cli, monkeypatch):
    seen: list[ReportRequest] = []
    real = reports.build_report

    def spy(project, request):  # noqa: ANN001, ANN202
        seen.append(request)
        return real(project, request)

    monkeypatch.setattr(reports, "build_report", spy)
    for args in (
        ["frequencies", "--format", "csv"],
        ["cooccurrence", "--format", "csv"],
        ["matrix", "--format", "csv"],
        ["quotes", "--format", "md"],
    ):
        result = project_cli("report", *args)
        assert result.exit_code == 0, result.stderr
    assert [r.kind for r in seen] == ["frequencies", "cooccurrence", "matrix", "quotes"]
    assert [r.fmt for r in seen] == ["csv", "csv", "csv", "md"]


@pytest.mark.parametrize(
    ("args", "request_"),
    [
        (["frequencies", "--by", "site", "--union"], ReportRequest("frequencies", None, "csv", "union", by=["site"])),
        (["cooccurrence", "--rows", "T1,T2"], ReportRequest("cooccurrence", None, "csv", rows="T1,T2")),
        (["matrix", "--coder", "anne"], ReportRequest("matrix", None, "csv", "coder:anne")),
        (["quotes", "-n", "2"], ReportRequest("quotes", None, "csv", n=2)),
    ],
)
def test_the_command_line_writes_what_the_screen_builds(project_cli, built, tmp_path, args, request_):
    out = tmp_path / "r.csv"
    result = project_cli("report", *args, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    report = build_report(built, request_)
    assert out.read_text(encoding="utf-8") == report.data
    for line in report.notes:
        assert line in result.stderr
    screen = tmp_path / "s.csv"
    run_report(built, ReportRequest(**{**request_.__dict__, "out": screen}))
    assert screen.read_text(encoding="utf-8") == report.data


def test_json_reports_hold_their_data(built):
    report = build_report(built, ReportRequest("frequencies", None, "json"))
    assert json.loads(report.data) == report.records
    assert build_report(built, ReportRequest("frequencies", None, "csv")).records is None


def test_a_request_needs_its_format(built):
    with pytest.raises(ValueError):
        build_report(built, ReportRequest("frequencies", None))


def test_selection_from_the_command_line_flags():
    assert selection_of() == "auto"
    assert selection_of("anne") == "coder:anne"
    assert selection_of(union=True) == "union"
    assert selection_of(consensus=True) == "consensus"
    with pytest.raises(Exception, match="højst én"):
        selection_of("anne", union=True)
    assert ReportRequest("frequencies", None, selection="union", coders="anne,bo").selection_options() == {
        "union": True,
        "coders": "anne,bo",
    }
