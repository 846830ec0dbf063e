"""``trivselkode retrieve``: the rows of a code (or a combination) in every format, and its refusals."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import insert

from tests.tui.conftest import build_project, code_ids, passage_ids
from trivselkode.storage import coding_ops as ops
from trivselkode.storage.models import Participant, Passage, Source


@pytest.fixture
def rcli(cli):  # noqa: ANN001, ANN201
    """The screens' project, coded by ann and bo, with a named participant in Randers."""
    project = build_project(str(cli.db))
    pids, codes = passage_ids(project), code_ids(project)
    h, v = pids["holstebro-1"], pids["viborg-voxpop"]
    ops.toggle_code(project, "ann", h[1], codes["T3"])
    ops.toggle_code(project, "bo", h[1], codes["T3"])
    ops.toggle_code(project, "bo", h[1], codes["B.social"])
    ops.toggle_code(project, "ann", h[4], codes["T3"])
    ops.toggle_code(project, "ann", h[4], codes["T1"])
    ops.toggle_code(project, "bo", v[1], codes["T3"])
    ops.set_memo(project, "bo", v[1], "fællesskab uden pres")
    text = "Jeg hedder Karen, og her er der altid nogen at snakke med."
    with project.write() as s:
        src = Source(name="randers-karen", text="", site="Randers", context="bibliotek", round=2)
        s.add(src)
        s.flush()
        karen = Participant(source_id=src.id, label="Karen", gender="kvinde", age=71)
        s.add(karen)
        s.flush()
        s.execute(insert(Passage), [dict(source_id=src.id, number=1, participant_id=karen.id, start=0,
                                         end=len(text), text=text, sentences=[])])  # fmt: skip
    pid = passage_ids(project)["randers-karen"][0]
    ops.narrow_to_span(project, "ann", pid, codes["T3"], text.index("her"), len(text))
    project.dispose()
    return cli


def one_line_error(result) -> str:  # noqa: ANN001
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("fejl:"), result.stderr
    return lines[0]


def test_markdown_by_default_every_row_with_source_speaker_coders_and_context(rcli) -> None:  # noqa: ANN001
    result = rcli("retrieve", "--code", "T3")
    assert result.exit_code == 0, result.stderr
    md = result.stdout
    assert md.startswith("# Udsnit kodet T3 Stille social resonans\n")
    assert "Kode T3 · alle kodere · 4 udsnit · ordnet efter kilde" in md
    assert "## holstebro-1 · udsagn 2 · P1 – Kvinde, 67 år, Holstebro" in md
    assert "kodet af ann, bo · koder: T3, B.social" in md
    assert "Før: I: Hvad betyder biblioteket for dig?" in md
    assert "> her er der altid nogen at snakke med." in md and "tegn 21–58 af udsagnet" in md
    assert "Notat (bo): fællesskab uden pres" in md


@pytest.mark.parametrize("args", [["--and", "B.social"], ["--and", "b.social,B.social"]])
def test_and(rcli, args) -> None:  # noqa: ANN001
    document = rcli.json("retrieve", "--code", "T3", *args)
    assert [(s["source"], s["passage"]) for s in document["segments"]] == [("holstebro-1", 2)]
    assert document["query"]["and"] == ["B.social"]


def test_not_coder_and_sort(rcli) -> None:  # noqa: ANN001
    document = rcli.json("retrieve", "--code", "T3", "--not", "T1", "--not", "B.social", "--sort", "length")
    assert [s["source"] for s in document["segments"]] == ["randers-karen", "viborg-voxpop"]
    assert document["query"]["not"] == ["T1", "B.social"] and document["query"]["order"] == "length"
    mine = rcli.json("retrieve", "--code", "T3", "--coder", "bo")
    assert [(s["source"], s["passage"], s["coders"]) for s in mine["segments"]] == [
        ("holstebro-1", 2, ["bo"]),
        ("viborg-voxpop", 2, ["bo"]),
    ]


def test_json_is_one_document_on_stdout(rcli) -> None:  # noqa: ANN001
    result = rcli("retrieve", "--code", "T3", "--by", "site", "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    document = json.loads(result.stdout)
    assert document["count"] == 4
    assert [g["values"]["site"] for g in document["groups"]] == ["Holstebro", "Randers", "Viborg"]
    span = next(s for s in document["segments"] if s["start"] is not None)
    assert span["text"] == "her er der altid nogen at snakke med." and span["before"] == "Jeg hedder Karen, og"
    assert span["group"] == {"site": "Randers"} and span["attributes"]["round"] == 2


def test_files_by_suffix_and_docx(rcli, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "t3.csv"
    result = rcli("retrieve", "--code", "T3", "--out", str(out))
    assert result.exit_code == 0 and "4 udsnit skrevet til" in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["source"] for r in rows] == ["holstebro-1", "holstebro-1", "randers-karen", "viborg-voxpop"]
    assert rows[0]["coders"] == "ann, bo" and rows[3]["memos"] == "bo: fællesskab uden pres"
    docx = tmp_path / "t3.docx"
    assert rcli("retrieve", "--code", "T3", "--by", "site", "--out", str(docx)).exit_code == 0
    from docx import Document

    body = [p.text for p in Document(str(docx)).paragraphs]
    assert "Bibliotek: Randers (1)" in body and "her er der altid nogen at snakke med." in body


def test_pseudonymized_with_a_key(rcli, tmp_path: Path) -> None:  # noqa: ANN001
    key = tmp_path / "nøgle.csv"
    result = rcli("retrieve", "--code", "T3", "--format", "json", "--pseudonymize", "--key", str(key))
    assert result.exit_code == 0, result.stderr
    assert "Karen" not in result.stdout and "karen" not in result.stdout
    assert "Karen" in key.read_text(encoding="utf-8") and "Nøglen til pseudonymerne" in result.stderr


def test_unknown_code_is_one_danish_line_saying_where_keys_are(rcli) -> None:  # noqa: ANN001
    result = rcli("retrieve", "--code", "T33")
    line = one_line_error(result)
    assert "koden 'T33' findes ikke i kodebogen" in line and "trivselkode codebook show" in line
    assert result.exit_code == 1 and result.stdout == ""
    line = one_line_error(rcli("retrieve", "--code", "T3", "--and", "B.sociel"))
    assert "'B.sociel'" in line and "B.social" in line


@pytest.mark.parametrize(
    "args, says",
    [
        (["--coder", "zed"], "koderen 'zed' findes ikke"),
        (["--by", "planet"], "ukendt egenskab 'planet'"),
        (["--context", "-5"], "negativ"),
        (["--key", "k.csv"], "--pseudonymize"),
    ],
)
def test_refusals_write_nothing(rcli, tmp_path: Path, args, says) -> None:  # noqa: ANN001
    folder = tmp_path / "ud"
    folder.mkdir()
    result = rcli("retrieve", "--code", "T3", "--out", str(folder / "ud.md"), *args)
    assert says in one_line_error(result)
    assert list(folder.iterdir()) == []


def test_docx_needs_a_file(rcli) -> None:  # noqa: ANN001
    assert "DOCX skrives til en fil – angiv --out FIL.docx" in one_line_error(
        rcli("retrieve", "-c", "T3", "--format", "docx")
    )


def test_a_bad_choice_is_a_usage_error(rcli) -> None:  # noqa: ANN001
    result = rcli("retrieve", "--code", "T3", "--sort", "alfabet")
    assert result.exit_code == 2 and "fejl: ugyldig værdi for '--sort'" in result.stderr


def test_nothing_found_says_so(rcli) -> None:  # noqa: ANN001
    result = rcli("retrieve", "--code", "T3", "--and", "T7")
    assert result.exit_code == 0 and "Ingen udsnit." in result.stdout
    assert "Ingen udsnit kodet T3 og T7." in result.stderr
