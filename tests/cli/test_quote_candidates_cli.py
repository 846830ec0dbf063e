"""``trivselkode report quotes --candidates`` and ``--pick/--drop/--unpick/--order/--reset``, and the source
reference every quote carries in Markdown, HTML, DOCX, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.cli.test_report_cli import leftovers, one_line_error, report_spec
from tests.unit.test_frequencies import build_project
from trivselkode.analysis.quote_candidates import CANDIDATE_KEYS
from trivselkode.storage import quote_choices as qc
from trivselkode.storage.db import open_project


@pytest.fixture
def project_cli(cli):
    spec = report_spec()
    # holstebro-1: Karen's interview, its title naming her; viborg-1 titled with its site.
    spec["sources"][0]["title"] = "Samtale med Karen"
    spec["sources"][1]["title"] = "Interview 2, Viborg"
    build_project(spec, str(cli.db)).dispose()
    return cli


def stored(cli) -> list[tuple[str, str, int, str, int, str]]:  # noqa: ANN001
    project, _ = open_project(str(cli.db))
    try:
        return [(r.code, r.source, r.passage, r.state, r.position, r.chosen_by) for r in qc.list_choices(project)]
    finally:
        project.dispose()


def quote_refs(cli, *args: str) -> list[str]:  # noqa: ANN001
    return [f"{r['source']}#{r['passage']}" for r in cli.json("report", "quotes", "--codes", "T1", *args)]


def test_candidates_table_and_json_list_attribution_and_reference(project_cli):
    result = project_cli("report", "quotes", "--codes", "T1", "-n", "2", "--candidates")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Kandidater til citater"
    assert lines[2].split() == ["Kode", "Nr.", "Valg", "Udsagn", "Henvisning", "Tilskrivning", "Citat"]
    viborg = next(line for line in lines if "viborg-1#2" in line)
    assert "Interview 2, Viborg, udsagn 2" in viborg and "– Kvinde, 61 år, Viborg" in viborg
    assert "Samtale med Karen, Holstebro, udsagn 2" in result.stdout
    assert "automatisk ★" in result.stdout and "kandidat" in result.stdout

    document = project_cli.json("report", "quotes", "--codes", "T1", "-n", "2", "--candidates")
    assert document["basis"] == "foreningsmængden af anne, bo" and document["n"] == 2
    [group] = document["codes"]
    assert (group["code"], group["quotes"], group["picked"], group["dropped"]) == ("T1", 2, 0, 0)
    rows = group["candidates"]
    assert all(list(r) == list(CANDIDATE_KEYS) for r in rows)
    assert [r["rank"] for r in rows[:3]] == [1, 2, None]
    assert rows[0]["ref"] == "holstebro-1#2" and rows[0]["starred"] is True
    assert rows[0]["reference"] == "Samtale med Karen, Holstebro, udsagn 2"
    assert rows[0]["attribution"] == "– Kvinde, 67 år, Holstebro"
    assert len({r["ref"] for r in rows}) == len(rows) == 12

    en = project_cli("report", "quotes", "-c", "T1", "-n", "2", "--candidates", "--format", "csv", "--lang", "en")
    table = list(csv.DictReader(io.StringIO(en.stdout)))
    assert list(table[0]) == ["Code", "No.", "Choice", "Passage", "Reference", "Attribution", "Quote"]
    assert table[0]["Reference"] == "Samtale med Karen, Holstebro, passage 2" and table[0]["Choice"] == "automatic ★"
    assert table[0]["Quote"] == rows[0]["text"]  # whole, not cut as in the text table
    md = project_cli("report", "quotes", "-c", "T1", "--candidates", "--format", "md")
    assert md.stdout.startswith("## Kandidater til citater") and "| Henvisning |" in md.stdout


def test_pick_drop_and_order_persist_across_runs(project_cli):
    auto = quote_refs(project_cli, "-n", "3")
    result = project_cli(
        "--coder", "lise", "report", "quotes", "-c", "T1", "--pick", "randers-1#2", "--pick", "viborg-1#3",
        "--drop", auto[0],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert f"Gemt for T1: {auto[0]} fravalgt; randers-1#2 valgt som nr. 1; viborg-1#3 valgt som nr. 2." in (
        result.stderr
    )
    assert "valgt 1" in result.stdout and "fravalgt" in result.stdout  # the listing after the change
    assert stored(project_cli) == [
        ("T1", "randers-1", 2, "picked", 1, "lise"),
        ("T1", "viborg-1", 3, "picked", 2, "lise"),
        ("T1", *auto[0].split("#")[:1], int(auto[0].split("#")[1]), "dropped", 0, "lise"),
    ]
    # A later run (a new process would read the same file): the picks first, the dropped one never.
    again = quote_refs(project_cli, "-n", "3")
    assert again[:2] == ["randers-1#2", "viborg-1#3"] and auto[0] not in again and len(again) == 3
    assert auto[0] not in quote_refs(project_cli, "-n", "50")
    # Reordered, then one left to the automatic choice again.
    document = project_cli.json("report", "quotes", "-c", "T1", "--order", "viborg-1#3,randers-1#2")
    assert [r["ref"] for r in document["codes"][0]["candidates"][:2]] == ["viborg-1#3", "randers-1#2"]
    assert quote_refs(project_cli, "-n", "3")[:2] == ["viborg-1#3", "randers-1#2"]
    assert project_cli("report", "quotes", "-c", "T1", "--unpick", "viborg-1#3").exit_code == 0
    assert [r[1:5] for r in stored(project_cli) if r[3] == "picked"] == [("randers-1", 2, "picked", 1)]
    # --automatic looks past the choice; --reset forgets it.
    assert quote_refs(project_cli, "-n", "3", "--automatic") == auto
    result = project_cli("report", "quotes", "-c", "T1", "--reset")
    assert result.exit_code == 0 and "2 valg glemt" in result.stderr
    assert stored(project_cli) == [] and quote_refs(project_cli, "-n", "3") == auto


def test_bad_choices_are_refused_in_one_line_and_store_nothing(project_cli):
    project_cli("report", "quotes", "-c", "T1", "--pick", "viborg-1#3")
    before = stored(project_cli)
    cases = [
        (["-c", "T1", "--pick", "randers-1#2", "--pick", "randers-1#77"], "intet udsagn nr. 77"),
        (["-c", "T1,T2", "--pick", "randers-1#2"], "et valg af citater gælder én kode, ikke 2"),
        (["--pick", "randers-1#2"], "et valg af citater gælder én kode"),
        (["-c", "T1", "--drop", "randers-1"], "er ikke en henvisning"),
        (["-c", "T1", "--pick", "randers-1#1"], "intervieweren"),
        (["-c", "T2", "--pick", "randers-1#2"], "ikke kodet med T2"),
        (["-c", "T1", "--pick", "randers-1#2", "--automatic"], "--automatic"),
        (["-c", "T1", "--format", "table"], "en tabel er kun til --candidates"),
        (["-c", "T1", "--candidates", "--format", "docx"], "kandidaterne kan ikke skrives som docx"),
    ]
    for args, message in cases:
        line = one_line_error(project_cli("report", "quotes", *args))
        assert message in line, (args, line)
    assert stored(project_cli) == before


def test_reference_in_md_html_docx_csv_and_json(project_cli, tmp_path):
    project_cli("report", "quotes", "-c", "T1", "--pick", "viborg-1#3")
    md = project_cli("report", "quotes", "-c", "T1", "-n", "2")
    assert md.exit_code == 0, md.stderr
    assert "> – Mand, 31 år, Viborg (Interview 2, Viborg, udsagn 3)" in md.stdout
    assert "1 af citaterne er valgt af forskeren og står først under deres kode." in md.stdout
    attributions = [line for line in md.stdout.splitlines() if line.startswith("> – ")]
    assert len(attributions) == 2 and all(line.endswith(")") and ", udsagn " in line for line in attributions)

    html_path = tmp_path / "citater.html"
    assert (
        project_cli("report", "quotes", "-c", "T1", "-n", "2", "--out", str(html_path), "--lang", "en").exit_code == 0
    )
    import lxml.html

    figures = lxml.html.fromstring(html_path.read_text(encoding="utf-8")).xpath("//figure")
    assert figures[0].findtext("figcaption") == "– Man, 31, Viborg"
    assert [f.findtext("figcaption/cite") for f in figures] == [
        "Interview 2, Viborg, passage 3",
        "Samtale med Karen, Holstebro, passage 2",
    ]

    docx_path = tmp_path / "citater.docx"
    assert project_cli("report", "quotes", "-c", "T1", "-n", "2", "--out", str(docx_path)).exit_code == 0
    from docx import Document

    paragraphs = [p.text for p in Document(str(docx_path)).paragraphs]
    at = paragraphs.index("– Mand, 31 år, Viborg")
    assert paragraphs[at - 1].startswith("“") and paragraphs[at + 1] == "Interview 2, Viborg, udsagn 3"
    assert "Samtale med Karen, Holstebro, udsagn 2" in paragraphs

    rows = list(csv.DictReader(io.StringIO(project_cli("report", "quotes", "-c", "T1", "--format", "csv").stdout)))
    assert list(rows[0]) == ["code", "text", "attribution", "reference", "source", "passage"]
    assert rows[0]["reference"] == "Interview 2, Viborg, udsagn 3"
    assert project_cli.json("report", "quotes", "-c", "T1")[0]["reference"] == "Interview 2, Viborg, udsagn 3"
    assert leftovers(tmp_path) == []


def test_reference_is_pseudonymised_with_the_rest(project_cli, tmp_path):
    outputs = {}
    for fmt in ("md", "html", "docx", "csv", "json"):
        path = tmp_path / f"citater.{fmt}"
        result = project_cli("report", "quotes", "-c", "T1", "-n", "3", "--pseudonymize", "--out", str(path))
        assert result.exit_code == 0, result.stderr
        if fmt == "docx":
            from docx import Document

            outputs[fmt] = "\n".join(p.text for p in Document(str(path)).paragraphs)
        else:
            outputs[fmt] = path.read_text(encoding="utf-8")
    for fmt, text in outputs.items():
        assert "Karen" not in text, fmt
        assert "Kilde 1, Holstebro, udsagn 2" in text, fmt  # the title named Karen: the source's neutral name
        assert "Interview 2, Viborg, udsagn" in text, fmt  # a title without a name stays
    assert json.loads(outputs["json"])[0]["source"] == "Kilde 1"
    listing = project_cli.json("report", "quotes", "-c", "T1", "--candidates", "--pseudonymize")
    assert "Karen" not in json.dumps(listing, ensure_ascii=False)
