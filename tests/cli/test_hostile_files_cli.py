"""Hostile files through the real command line: refused in one line (or skipped with a reason), the project untouched.

Every case runs against a real SQLite project that already holds a source,
codes and a coding, and compares the project's file and every table's rows
before and after. The bombs are built small here (see
:mod:`tests.unit.hostile_fixtures`); the peak memory of the largest ones is
measured in a child process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import INTERVIEW, REPO, Cli, write
from tests.unit import hostile_fixtures as H

ENV = {**os.environ, "PYTHONPATH": str(REPO)}
SECRET = "HEMMELIG-7731"


@pytest.fixture
def setup(tmp_path):
    """A project with the bundled codebook, one interview and one coding; the CLI; a folder for hostile files."""
    db = tmp_path / "projekt.db"
    cli = Cli(db)
    assert cli("init").exit_code == 0
    source = write(tmp_path / "data" / "holstebro.txt", INTERVIEW)
    assert cli("import", str(source)).exit_code == 0
    assert cli("codings", "add", "--source", "holstebro", "--passage", "2", "--code", "T1", coder="ole").exit_code == 0
    files = tmp_path / "hostile"
    files.mkdir()
    (tmp_path / "secret.txt").write_text(f"P1: {SECRET}\n", encoding="utf-8")
    return db, cli, files


def _one_line(result, *words: str) -> str:  # noqa: ANN001
    """Refused: a non-zero exit, one Danish line on standard error, no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("fejl: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _file_failed(result, *words: str) -> None:  # noqa: ANN001
    """`import`: the file is named as failed with the reason, exit 1, no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert "FEJL" in result.stdout
    for word in words:
        assert word in result.stderr, result.stderr


def _unchanged(db: Path, before) -> None:  # noqa: ANN001
    after = H.project_state(db)
    assert after[1] == before[1]
    assert after[0] == before[0]
    assert SECRET not in repr(after[1])


# --------------------------------------------------------------------------- REFI-QDA archives


def test_refi_zip_bomb_is_refused_before_it_unpacks(setup):
    db, cli, files = setup
    before = H.project_state(db)
    _one_line(cli("refi", "import", str(H.qdpx_bomb(files / "bomb.qdpx"))), "zip-bombe", "--max-unpacked")
    _unchanged(db, before)


def test_refi_zip_bomb_that_lies_about_its_size(setup):
    db, cli, files = setup
    before = H.project_state(db)
    liar = H.qdpx_bomb(files / "liar.qdpx", 256 * H.MiB, claimed_size=2 * H.MiB)
    _one_line(cli("refi", "import", str(liar)), "kontrolsummen passer ikke")
    packed_liar = H.qdpx_bomb(files / "packed.qdpx", 512 * H.MiB, claimed_packed=3_000_000_000)
    _one_line(cli("refi", "import", str(packed_liar)), "zip-bombe")
    _unchanged(db, before)


@pytest.mark.parametrize("name", ["../../evil.txt", "/tmp/evil.txt", "sources/../../../evil.txt"])
def test_refi_archive_with_a_member_named_out_of_it(setup, name):
    db, cli, files = setup
    before = H.project_state(db)
    path = H.qdpx(files / "p.qdpx", extra=[H.member(name, "x")])
    _one_line(cli("refi", "import", str(path)), f"'{name}'", "uden for arkivet")
    _unchanged(db, before)


def test_refi_max_unpacked_is_passed_on_and_checked(setup):
    db, cli, files = setup
    before = H.project_state(db)
    _one_line(cli("refi", "import", str(H.qdpx(files / "ok.qdpx")), "--max-unpacked", "100"), "zip-bombe")
    _one_line(
        cli("refi", "import", str(files / "ok.qdpx"), "--max-unpacked", "meget"),
        "--max-unpacked 'meget' er ikke en størrelse",
    )
    _unchanged(db, before)
    assert cli("refi", "import", str(files / "ok.qdpx"), "--max-unpacked", "2GiB").exit_code == 0


# --------------------------------------------------------------------------- REFI-QDA XML


@pytest.mark.parametrize("kind", ["laughs-qdpx", "laughs-qde", "xxe-qdpx", "laughs-qdc"])
def test_refi_xml_with_a_dtd_is_refused(setup, kind):
    db, cli, files = setup
    secret = db.parent / "secret.txt"
    before = H.project_state(db)
    if kind == "laughs-qdpx":
        path = H.qdpx(files / "p.qdpx", H.billion_laughs())
    elif kind == "xxe-qdpx":
        path = H.qdpx(
            files / "p.qdpx",
            H.external_entity(
                secret,
                inner=f'<Sources><TextSource guid="{H.SOURCE_GUID}" name="x"><PlainTextContent>&ext;</PlainTextContent></TextSource></Sources>',
            ),
        )
    elif kind == "laughs-qde":
        path = write(files / "p.qde", H.billion_laughs())
    else:
        path = write(files / "p.qdc", H.billion_laughs("CodeBook", H.CODEBOOK_NS))
    _one_line(cli("refi", "import", str(path)), "DTD")
    if kind == "laughs-qdc":
        _one_line(cli("codebook", "load", str(path)), "DTD")
    _unchanged(db, before)


# --------------------------------------------------------------------------- REFI-QDA paths


@pytest.mark.parametrize("kind", ["absolute", "file-url", "dotdot", "relative-dotdot"])
def test_refi_source_outside_the_archive_is_skipped_with_a_warning(setup, kind):
    db, cli, files = setup
    secret = db.parent / "secret.txt"
    path = {
        "absolute": str(secret),
        "file-url": secret.as_uri(),
        "dotdot": "../secret.txt",
        "relative-dotdot": "relative://../secret.txt",
    }[kind]
    before = H.project_state(db)
    result = cli("refi", "import", str(H.qdpx(files / "p.qdpx", H.project_qde(source_path=path), text=False)))
    assert result.exit_code == 0, result.output
    assert "sprunget over: kilden 'Samtale': tekstfilen" in result.stderr and "--sources-dir" in result.stderr
    _unchanged(db, before)


def test_refi_sources_dir_reads_inside_it_and_nothing_through_a_link(setup):
    db, cli, files = setup
    allowed = db.parent / "tekster"
    allowed.mkdir()
    os.symlink(db.parent / "secret.txt", allowed / "link.txt")
    before = H.project_state(db)
    link = H.qdpx(files / "link.qdpx", H.project_qde(source_path=str(allowed / "link.txt")), text=False)
    result = cli("refi", "import", str(link), "--sources-dir", str(allowed))
    assert result.exit_code == 0 and "symbolsk link ud af" in result.stderr, result.output
    outside = H.qdpx(files / "out.qdpx", H.project_qde(source_path=str(db.parent / "secret.txt")), text=False)
    result = cli("refi", "import", str(outside), "--sources-dir", str(allowed))
    assert result.exit_code == 0 and "findes ikke i" in result.stderr, result.output
    _unchanged(db, before)
    _one_line(cli("refi", "import", str(outside), "--sources-dir", str(allowed / "nej")), "er ikke en mappe")
    # inside the folder, by the sender's path or by name: read
    (allowed / "samtale.txt").write_text(H.TEXT, encoding="utf-8")
    theirs = H.qdpx(files / "theirs.qdpx", H.project_qde(source_path="C:\\Users\\anna\\samtale.txt"), text=False)
    doc = cli.json("refi", "import", str(theirs), "--sources-dir", str(allowed))
    assert [(s["name"], s["status"]) for s in doc["sources"]] == [("Samtale", "imported")]


# --------------------------------------------------------------------------- deep code trees


@pytest.mark.parametrize("kind", ["qdc", "qdpx", "split-names"])
def test_refi_code_tree_1500_levels_deep_is_one_line(setup, kind):
    db, cli, files = setup
    before = H.project_state(db)
    if kind == "qdc":
        path, extra = H.deep_qdc(files / "deep.qdc", 1500), []
    elif kind == "qdpx":
        path, extra = H.qdpx(files / "deep.qdpx", H.project_qde(codes=H.nested_codes(1500))), []
    else:
        name = "::".join(f"n{i}" for i in range(1500))
        codes = f'<Code guid="{H._guid(1)}" name="{name}" isCodable="true"/>'
        path, extra = H.qdpx(files / "flat.qdpx", H.project_qde(codes=codes)), ["--split-names"]
    _one_line(cli("refi", "import", str(path), *extra), "1500 niveauer", "højst 100")
    if kind == "qdc":
        _one_line(cli("codebook", "load", str(path)), "1500 niveauer")
    _unchanged(db, before)


@pytest.mark.parametrize("kind", ["nested", "parents"])
def test_yaml_codebook_1500_levels_deep_is_refused(setup, kind):
    db, cli, files = setup
    if kind == "nested":
        text = (
            "name: x\nversion: 1\ncodes:\n  - "
            + "".join(f"{{key: K{i}, name: n, children: [" for i in range(1500))
            + "{key: Z, name: z}"
            + "]}" * 1500
            + "\n"
        )
    else:
        text = "name: x\nversion: 1\ncodes:\n" + "".join(
            f"  - {{key: K{i}, name: n{i}" + (f", parent: K{i - 1}" if i else "") + "}\n" for i in range(1500)
        )
    path = write(files / "dyb.yaml", text)
    before = H.project_state(db)
    _one_line(cli("codebook", "load", str(path)), "100 niveauer")
    _unchanged(db, before)


def test_a_tree_at_the_depth_limit_works_everywhere_after_import(setup):
    """100 levels: shown, exported to REFI-QDA and imported again, counted with --rollup (no recursion runs out)."""
    db, cli, files = setup
    text = "name: dyb\nversion: 1\ncodes:\n" + "".join(
        f"  - {{key: K{i}, name: n{i}" + (f", parent: K{i - 1}" if i else "") + "}\n" for i in range(100)
    )
    assert cli("codebook", "load", str(write(files / "dyb.yaml", text)), "--prune").exit_code == 0
    assert cli("codings", "add", "--source", "holstebro", "--passage", "2", "--code", "K99", coder="ole").exit_code == 0
    shown = cli("codebook", "show")
    assert shown.exit_code == 0 and "K99" in shown.stdout
    rollup = cli.json("report", "frequencies", "--codes", "K0", "--rollup")
    assert "Traceback" not in repr(rollup)
    assert cli("refi", "export", str(files / "dyb.qdpx")).exit_code == 0
    assert cli("refi", "export-codebook", str(files / "dyb.qdc")).exit_code == 0
    again = Cli(db.parent / "igen.db")
    doc = again.json("refi", "import", str(files / "dyb.qdpx"))
    assert {f"K{i}" for i in range(100)} <= set(doc["codes_added"]) and doc["codings"] >= 1


# --------------------------------------------------------------------------- Word and Excel


def _docx_cases(files: Path, secret: Path) -> dict[str, tuple[Path, str]]:
    return {
        "zip-bomb": (H.docx(files / "bomb.docx", H.zeros("word/document.xml")), "zip-bombe"),
        "billion-laughs": (
            H.docx(files / "laughs.docx", H.document_xml(["I: Hej &lol9;"], H.laughs_doctype("w:document"))),
            "DTD",
        ),
        "external-entity": (
            H.docx(
                files / "xxe.docx",
                H.document_xml(["I: Hej &ext;"], f'<!DOCTYPE w:document [<!ENTITY ext SYSTEM "{secret.as_uri()}">]>\n'),
            ),
            "DTD",
        ),
        "undefined-entity": (
            H.docx(files / "undef.docx", H.document_xml(["I: Hej &ext; og mere"])),
            "kan ikke læses som et Word-dokument",
        ),
        "dotdot-member": (
            H.write_zip(
                files / "dotdot.docx",
                [H.member("../../x.xml", "<x/>"), H.member("word/document.xml", H.document_xml(["I: Hej"]))],
            ),
            "uden for arkivet",
        ),
        "xlsx-zip-bomb": (
            H.xlsx_with(files / "bomb.xlsx", {"xl/worksheets/sheet1.xml": H.zeros("xl/worksheets/sheet1.xml")}),
            "zip-bombe",
        ),
        "xlsx-billion-laughs": (
            H.xlsx_with(files / "laughs.xlsx", {"xl/worksheets/sheet1.xml": H.with_doctype("worksheet")}),
            "DTD",
        ),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "zip-bomb",
        "billion-laughs",
        "external-entity",
        "undefined-entity",
        "dotdot-member",
        "xlsx-zip-bomb",
        "xlsx-billion-laughs",
    ],
)
def test_office_files_are_checked_before_python_docx_or_openpyxl_open_them(setup, kind):
    db, cli, files = setup
    path, words = _docx_cases(files, db.parent / "secret.txt")[kind]
    before = H.project_state(db)
    _file_failed(cli("import", str(path), "--text-column", "svar"), words)
    _unchanged(db, before)


def test_docx_limit_can_be_raised_for_a_file_one_trusts(setup):
    db, cli, files = setup
    path = H.write_zip(
        files / "billede.docx",
        [
            H.member("[Content_Types].xml", H.CONTENT_TYPES_DOCX),
            H.member("_rels/.rels", H.RELS_DOCX),
            H.member("word/document.xml", H.document_xml(["I: Hvad ser du?", "P1: Et stort billede."])),
            H.zeros("word/media/image1.png", 24 * H.MiB),
        ],
    )
    before = H.project_state(db)
    _file_failed(cli("import", str(path)), "zip-bombe", "--max-unpacked")
    _unchanged(db, before)
    bad = cli("import", str(path), "--max-unpacked", "lidt")
    _one_line(bad, "--max-unpacked 'lidt' er ikke en størrelse")
    result = cli("import", str(path), "--max-unpacked", "64MiB")
    assert result.exit_code == 0 and "importeret" in result.stdout, result.output


# --------------------------------------------------------------------------- YAML in front matter and sidecars


@pytest.mark.parametrize("where", ["front-matter", "vtt-sidecar", "csv-sidecar", "docx-sidecar"])
@pytest.mark.parametrize("bomb", ["aliases", "self", "deep"])
def test_yaml_bombs_in_metadata_are_refused(setup, where, bomb):
    db, cli, files = setup
    yaml_text = {
        "aliases": H.yaml_alias_bomb(),
        "self": "kind: interview\nnames: &n [Anna, *n]\n",
        "deep": "names: " + "[" * 3000 + "]" * 3000 + "\n",
    }[bomb]
    if where == "front-matter":
        path = write(files / "a.txt", f"---\n{yaml_text}---\nI: Hej\nP1: Goddag\n")
    elif where == "vtt-sidecar":
        path = write(files / "a.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v P1>Hej\n")
        write(files / "a.yaml", yaml_text)
    elif where == "csv-sidecar":
        path = write(files / "a.csv", "id,svar\nR1,Her er roligt\n")
        write(files / "a.yaml", yaml_text + "text_column: svar\n")
    else:
        path = H.docx(files / "a.docx", H.document_xml(["I: Hej", "P1: Goddag"]))
        write(files / "a.yaml", yaml_text)
    before = H.project_state(db)
    words = {"aliases": "YAML-aliasserne", "self": "henviser til den værdi", "deep": "indlejret"}[bomb]
    _file_failed(cli("import", str(path)), words)
    _unchanged(db, before)


def test_yaml_alias_bomb_in_a_codebook(setup):
    db, cli, files = setup
    text = "name: x\nversion: 1\ncodes:\n  - &c0 {key: K0, name: n}\n"
    for i in range(1, 12):
        text += f"  - &c{i} {{key: K{i}, name: n, children: [" + ", ".join([f"*c{i - 1}"] * 9) + "]}\n"
    before = H.project_state(db)
    _one_line(cli("codebook", "load", str(write(files / "bomb.yaml", text))), "aliaserne")
    _unchanged(db, before)


# --------------------------------------------------------------------------- peak memory


_MEASURE = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_pid, status, usage = os.wait4(proc.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["qdpx-1GiB", "docx-1GiB", "xlsx-1GiB", "qde-laughs", "yaml-aliases"])
def test_peak_memory_of_a_refused_bomb_stays_small(setup, kind):
    db, _cli, files = setup
    if kind == "qdpx-1GiB":
        # 1 GiB of zeros whose entry claims 90 MiB: within the limits, so it is unpacked (and counted) to the lie
        args = ["refi", "import", str(H.qdpx_bomb(files / "bomb.qdpx", claimed_size=90 * H.MiB))]
    elif kind == "docx-1GiB":
        args = ["import", str(H.docx(files / "bomb.docx", H.zeros("word/document.xml", claimed_size=90 * H.MiB)))]
    elif kind == "xlsx-1GiB":
        sheet = H.zeros("xl/worksheets/sheet1.xml", claimed_size=90 * H.MiB)
        args = ["import", str(H.xlsx_with(files / "bomb.xlsx", {"xl/worksheets/sheet1.xml": sheet}))]
    elif kind == "qde-laughs":
        args = ["refi", "import", str(write(files / "p.qde", H.billion_laughs()))]
    else:
        args = ["import", str(write(files / "a.txt", f"---\n{H.yaml_alias_bomb(12)}---\nI: Hej\n"))]
    before = H.project_state(db)
    # A small parent starts the command: a child forked straight from pytest would count pytest's memory too.
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "trivselkode", "--db", str(db), *args],
        cwd=files,
        env=ENV,
        capture_output=True,
        text=True,
    )
    code, peak_kib = (int(x) for x in result.stdout.split())
    err = result.stderr
    assert code == 1, err
    assert "Traceback" not in err and "fejl:" in err
    peak_mib = peak_kib / 1024  # ru_maxrss is in KiB on Linux
    print(f"{kind}: peak {peak_mib:.0f} MiB")
    assert peak_mib < 150, f"{kind}: {peak_mib:.0f} MiB"  # with the 90 MiB it claims kept in memory it would not
    _unchanged(db, before)
