"""The crosstab: codes × one attribute, n and % per cell, checked against counts made here."""

from __future__ import annotations

import io
import json
from collections import defaultdict

import pytest
from sqlmodel import select

from tests.unit.test_frequencies import build_project, small_spec
from trivselkode.analysis.attributes import load_participants
from trivselkode.analysis.crosstab import compute_crosstab
from trivselkode.errors import TrivselError
from trivselkode.export.crosstab import render_crosstab
from trivselkode.storage.models import Code, Coding, Passage


def independent(project, attribute: str) -> tuple[dict, dict]:  # noqa: ANN001
    """Per (code key, value) the participants who said a coded passage (every coder), and the group sizes."""
    with project.read() as s:
        people = load_participants(s)
        keys = {c.id: c.key for c in s.exec(select(Code))}
        speaker = {p.id: p.participant_id for p in s.exec(select(Passage))}
        codings = [(c.passage_id, c.code_id) for c in s.exec(select(Coding))]
    said: dict[tuple, set] = defaultdict(set)
    for passage, code in codings:
        person = people[speaker[passage]]
        if not person.is_interviewer:
            said[(keys[code], person.attrs.get(attribute))].add(person.id)
    sizes: dict = defaultdict(int)
    for person in people.values():
        if not person.is_interviewer:
            sizes[person.attrs.get(attribute)] += 1
    return said, sizes


def test_small_project_by_site_and_an_unknown_gender_is_a_group_of_its_own():
    project = build_project(small_spec())
    ct = compute_crosstab(project, by="site", codes="T1,T2,B.social,B.frihed", union=True)
    assert ct.groups == ["Holstebro", "Randers", "Viborg"] and ct.sizes == [2, 1, 1] and ct.total == 4
    cells = {c.key: [(x.n, x.share) for x in row] for c, row in zip(ct.codes, ct.cells)}
    assert cells["T1"] == [(1, 0.5), (0, 0.0), (0, 0.0)]
    assert cells["T2"] == [(1, 0.5), (0, 0.0), (0, 0.0)]  # the interviewer's coded turn is no participant
    assert cells["B.frihed"] == [(0, 0.0), (1, 1.0), (0, 0.0)]  # viborg's P2 says she is from Randers
    assert [(t.n, t.share) for t in ct.totals] == [(1, 0.25), (1, 0.25), (1, 0.25), (1, 0.25)]
    by_gender = compute_crosstab(project, by="gender", codes="B.frihed", union=True)
    assert by_gender.groups[-1] is None and by_gender.sizes[-1] == 1  # unknown: last, its own group
    assert by_gender.cells[0][-1].n == 1


def test_one_attribute_only():
    project = build_project(small_spec())
    with pytest.raises(TrivselError):
        compute_crosstab(project, by="site,gender")


def test_demo_counts_agree_with_an_independent_count(demo):
    for attribute in ("site", "gender", "age_band"):
        ct = compute_crosstab(demo, by=attribute, union=True)
        said, sizes = independent(demo, attribute)
        if attribute == "age_band":
            continue  # age bands are derived (checked through the sizes' sum below)
        assert dict(zip(ct.groups, ct.sizes)) == {k: v for k, v in sizes.items() if v}
        assert ct.total == sum(sizes.values())
        for code, row, total in zip(ct.codes, ct.cells, ct.totals):
            for value, size, cell in zip(ct.groups, ct.sizes, row):
                n = len(said.get((code.key, value), set()))
                assert cell.n == n, (code.key, value)
                assert cell.share == pytest.approx(n / size)
            everyone = set().union(*(said.get((code.key, v), set()) for v in sizes))
            assert total.n == len(everyone) and total.share == pytest.approx(len(everyone) / ct.total)


def test_json_shape(demo):
    ct = compute_crosstab(demo, by="site", codes="tema", union=True)
    doc = json.loads(render_crosstab(ct, "json"))
    assert set(doc) == {"attribute", "measure", "basis", "groups", "total", "rows"}
    assert doc["attribute"] == "site" and doc["measure"] == "participants" and doc["basis"] == "union"
    assert [g["n"] for g in doc["groups"]] == ct.sizes and doc["total"] == sum(ct.sizes)
    row = doc["rows"][0]
    assert set(row) == {"code", "name", "cells", "total"}
    assert set(row["cells"][0]) == {"value", "n", "share"}
    assert row["cells"][0]["value"] == doc["groups"][0]["value"]


def test_text_formats_carry_the_sizes_row_and_percentages(demo):
    ct = compute_crosstab(demo, by="site", codes="T1", union=True)
    text = render_crosstab(ct, "table")
    assert f"n={ct.sizes[0]}" in text and f"n={ct.total}" in text and "I alt" in text
    assert "andel af gruppens deltagere" in text  # what % means, said with the table
    md = render_crosstab(ct, "md", "en")
    assert md.startswith("## ") and "%" in md
    tsv = render_crosstab(ct, "tsv").splitlines()
    assert tsv[1].split("\t")[2] == f"n={ct.sizes[0]}"
    assert tsv[2].split("\t")[:3] == ["T1", ct.codes[0].name, str(ct.cells[0][0].n)]


def test_xlsx_is_a_real_sheet(demo):
    from openpyxl import load_workbook

    ct = compute_crosstab(demo, by="site", codes="tema", union=True)
    ws = load_workbook(io.BytesIO(render_crosstab(ct, "xlsx"))).active
    assert ws.freeze_panes == "C5"
    assert ws.cell(2, 3).value == "Holstebro" and ws.cell(3, 3).value == f"n={ct.sizes[0]}"
    assert (ws.cell(4, 3).value, ws.cell(4, 4).value) == ("n", "%")
    n_cell, share_cell = ws.cell(5, 3), ws.cell(5, 4)
    assert n_cell.value == ct.cells[0][0].n and n_cell.number_format == "0"
    assert share_cell.value == pytest.approx(ct.cells[0][0].share) and share_cell.number_format == "0.0%"
    total_col = 3 + 2 * len(ct.groups)
    assert ws.cell(5, total_col).value == ct.totals[0].n
    longest = max(len(c.name) for c in ct.codes)
    assert ws.column_dimensions["B"].width >= longest
    assert any(str(ws.cell(r, 1).value or "").startswith("n:") for r in range(5, ws.max_row + 1))


def test_docx_and_html_open_as_what_they_claim(demo):
    from docx import Document

    ct = compute_crosstab(demo, by="gender", codes="T1,T2", union=True)
    doc = Document(io.BytesIO(render_crosstab(ct, "docx", "en")))
    table = doc.tables[0]
    assert table.cell(1, 2).text == f"n={ct.sizes[0]}" and table.cell(2, 2).text == "n"
    assert doc.core_properties.language == "en-GB"
    assert doc.core_properties.title == "Crosstab: codes × Gender"
    assert doc.core_properties.last_modified_by != "python-docx" and doc.core_properties.created.year >= 2025
    assert abs(doc.sections[0].page_width.cm - 21.0) < 0.01
    html = render_crosstab(ct, "html", "en")
    assert '<html lang="en-GB">' in html and "@page { size: A4" in html and "(unknown)" in html
