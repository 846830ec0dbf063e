"""Files from elsewhere cannot read, write or exhaust this machine: the core's defences, one by one.

The command-line cases, each checked to leave the project as it was, are in
``tests/cli/test_hostile_files_cli.py``; the bombs are built small in
:mod:`tests.unit.hostile_fixtures`.
"""

from __future__ import annotations

import os
import zipfile

import pytest

from tests.unit import hostile_fixtures as H
from trivselkode.domain.codebook import MAX_CODE_DEPTH, validate_codebook_text
from trivselkode.domain.yamlguard import YamlLimit, check_yaml
from trivselkode.errors import TrivselError
from trivselkode.importers.metadata import load_yaml_mapping
from trivselkode.importers.refi import import_refi, open_refi, read_qdc
from trivselkode.importers.safety import (
    DEFAULT_MAX_UNPACKED,
    SafeZip,
    UnpackLimit,
    checked_office_file,
    format_size,
    has_dtd,
    parse_size,
)

HINT = "eksportér igen"


# --------------------------------------------------------------------------- sizes


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("2GiB", 2 << 30),
        ("500MB", 500_000_000),
        ("1.5G", 1_500_000_000),
        ("1,5 gib", 3 << 29),
        ("1000000", 1_000_000),
        ("64KiB", 65536),
    ],
)
def test_sizes_are_read_as_written(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "2 GiBs", "-1GB", "0", "1e9"])
def test_a_bad_size_is_one_line(text):
    with pytest.raises(TrivselError) as info:
        parse_size(text)
    assert "--max-unpacked" in str(info.value) and "\n" not in str(info.value)


def test_the_default_limit_and_the_ratio():
    limit = UnpackLimit()
    assert limit.total == DEFAULT_MAX_UNPACKED == 1 << 30
    assert limit.for_member(1000) == 10_000_000  # small members: 10 MB whatever their ratio
    assert limit.for_member(1_000_000) == 100_000_000  # 100 times the packed size
    assert limit.for_member(100_000_000) == 1 << 30  # never more than the total
    assert UnpackLimit.of("2GiB").for_member(1000) == 2 << 30  # one bound of the user's own
    assert format_size(1 << 30) == "1 GiB" and format_size(1536) == "1,5 KiB"


# --------------------------------------------------------------------------- archives


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "sources/../../evil.txt", "/etc/evil", "\\evil.txt", "C:/evil.txt", "sources\\..\\..\\evil.txt"],
)
def test_a_member_named_out_of_the_archive_refuses_the_archive(tmp_path, name):
    path = H.write_zip(tmp_path / "a.zip", [H.member("fine.txt", "x"), H.member(name, "x")])
    with pytest.raises(TrivselError) as info:
        SafeZip(path, hint=HINT)
    assert f"'{name}'" in str(info.value) and "uden for arkivet" in str(info.value)


def test_a_bomb_that_says_its_size_is_refused_before_anything_is_unpacked(tmp_path, monkeypatch):
    path = H.write_zip(tmp_path / "a.zip", [H.zeros("z.txt", H.GiB)])
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **k: opened.append(a) or real_open(self, *a, **k))
    with SafeZip(path, hint=HINT) as archive, pytest.raises(TrivselError) as info:
        archive.read("z.txt")
    assert opened == []
    assert "zip-bombe" in str(info.value) and "--max-unpacked" in str(info.value)


def test_a_lie_about_the_packed_size_does_not_raise_the_limit(tmp_path):
    """The ratio counts the packed bytes the file can really hold, not what its directory claims."""
    path = H.write_zip(tmp_path / "a.zip", [H.zeros("z.txt", 256 * H.MiB, claimed_packed=4_000_000_000)])
    with SafeZip(path, hint=HINT) as archive, pytest.raises(TrivselError) as info:
        archive.read("z.txt")
    assert "zip-bombe" in str(info.value)


def test_a_lie_about_the_unpacked_size_is_caught_and_takes_no_memory(tmp_path):
    path = H.write_zip(tmp_path / "a.zip", [H.zeros("z.txt", 256 * H.MiB, claimed_size=20 * H.MiB)])
    with SafeZip(path, hint=HINT) as archive:
        with pytest.raises(TrivselError) as info:
            archive.read("z.txt")
        assert archive.used == 0
    assert "kontrolsummen passer ikke" in str(info.value)


def test_bytes_are_counted_as_they_are_unpacked(tmp_path):
    """Whatever the directory says, unpacking stops one chunk past the limit."""
    path = H.write_zip(tmp_path / "a.zip", [H.zeros("z.txt", 64 * H.MiB)])
    out = __import__("io").BytesIO()
    with SafeZip(path, hint=HINT) as archive, pytest.raises(TrivselError) as info:
        archive._unpack(archive.zip.getinfo("z.txt"), 5 * H.MiB, 1000, False, out)
    assert "5,0 MiB" in str(info.value) or "5 MiB" in str(info.value)
    assert out.tell() <= 5 * H.MiB


def test_the_user_may_raise_or_lower_the_limit(tmp_path):
    path = H.write_zip(tmp_path / "a.zip", [H.zeros("z.txt", 20 * H.MiB), H.member("small.txt", "hej")])
    with SafeZip(path, hint=HINT) as archive:
        with pytest.raises(TrivselError):  # 20 MiB from 20 KB packed: over 10 MB and over 100 times
            archive.read("z.txt")
        assert archive.read("small.txt") == b"hej"
    with SafeZip(path, "30MiB", hint=HINT) as archive:
        assert len(archive.read("z.txt")) == 20 * H.MiB
    with SafeZip(path, 2, hint=HINT) as archive, pytest.raises(TrivselError):
        archive.read("small.txt")


def test_the_limit_counts_the_whole_archive(tmp_path):
    path = H.write_zip(tmp_path / "a.zip", [H.zeros("a.txt", 6 * H.MiB), H.zeros("b.txt", 6 * H.MiB)])
    with SafeZip(path, "10MiB", hint=HINT) as archive:
        archive.read("a.txt")
        with pytest.raises(TrivselError) as info:
            archive.read("b.txt")
    assert "arkivets indhold ville fylde over 10 MiB" in str(info.value)


# --------------------------------------------------------------------------- XML


@pytest.mark.parametrize(
    ("data", "dtd"),
    [
        (H.billion_laughs().encode(), True),
        ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x><r/>'.encode("utf-16"), True),
        (b"<!-- " + b"x" * 300_000 + b" -->\n<!DOCTYPE r SYSTEM 'http://example.invalid/r.dtd'><r/>", True),
        (b'<?xml version="1.0"?>\n<!-- <!DOCTYPE r> --><r><![CDATA[<!DOCTYPE r>]]></r>', False),
        (b"<r>" + b"<a>" * 5000, False),
        (b"\x89PNG\r\n\x1a\n", False),
    ],
)
def test_a_dtd_is_found_in_the_prolog_whatever_comes_before_it(data, dtd):
    assert has_dtd(data) is dtd


def test_office_copy_refuses_a_part_with_a_dtd_and_passes_the_rest(tmp_path):
    good = H.docx(tmp_path / "ok.docx", H.document_xml(["I: Hej", "P1: Goddag"]))
    with zipfile.ZipFile(checked_office_file(good, None, hint=HINT)) as copy:
        assert copy.read("word/document.xml") == H.document_xml(["I: Hej", "P1: Goddag"]).encode()
    bad = H.docx(tmp_path / "bad.docx", H.document_xml(["I: Hej &lol9;"], H.laughs_doctype("w:document")))
    with pytest.raises(TrivselError) as info:
        checked_office_file(bad, None, hint=HINT)
    assert "bad.docx:word/document.xml indeholder en DTD" in str(info.value)


# --------------------------------------------------------------------------- YAML


def test_yaml_alias_bomb_is_refused_at_its_place():
    with pytest.raises(YamlLimit) as info:
        check_yaml(H.yaml_alias_bomb(), max_depth=32)
    assert info.value.kind == "aliases" and info.value.line >= 1


def test_yaml_alias_to_itself_and_deep_nesting():
    with pytest.raises(YamlLimit) as info:
        check_yaml("a: &a [1, *a]\n", max_depth=32)
    assert info.value.kind == "cycle" and info.value.anchor == "a"
    with pytest.raises(YamlLimit) as info:
        check_yaml("a: " + "[" * 3000 + "]" * 3000, max_depth=32)
    assert info.value.kind == "depth"


def test_modest_aliases_are_fine():
    text = "d: &d {site: Viborg, kind: interview}\nparticipants:\n" + "".join(
        f"  - {{id: P{i}, <<: *d}}\n" for i in range(200)
    )
    check_yaml(text, max_depth=32)
    data, _ = load_yaml_mapping(text, "f.yaml")
    assert data["participants"][199] == {"id": "P199", "site": "Viborg", "kind": "interview"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (H.yaml_alias_bomb(), "YAML-aliasserne"),
        ("a: &a [*a]\n", "henviser til den værdi"),
        ("a: " + "[" * 2000 + "]" * 2000, "indlejret"),
    ],
)
def test_metadata_yaml_bombs_are_one_line_with_the_file_and_line(text, words):
    with pytest.raises(TrivselError) as info:
        load_yaml_mapping(text, "interview.txt", first_line=2)
    message = str(info.value)
    assert message.startswith("interview.txt:") and words in message and "\n" not in message


def test_codebook_alias_bomb_of_codes_is_a_problem_not_an_hour():
    text = "name: x\nversion: 1\ncodes:\n  - &c0 {key: K0, name: n}\n"
    for i in range(1, 12):
        text += f"  - &c{i} {{key: K{i}, name: n, children: [" + ", ".join([f"*c{i - 1}"] * 9) + "]}\n"
    book, problems = validate_codebook_text(text)
    assert book is None and len(problems) == 1 and "aliaserne" in problems[0].message


def test_codebook_nested_or_chained_too_deep_is_one_problem():
    nested = (
        "name: x\nversion: 1\ncodes:\n  - "
        + "".join(f"{{key: K{i}, name: n, children: [" for i in range(1500))
        + "{key: Z, name: z}"
        + "]}" * 1500
        + "\n"
    )
    book, problems = validate_codebook_text(nested)
    assert book is None and len(problems) == 1 and "niveauer" in problems[0].message
    chain = "name: x\nversion: 1\ncodes:\n" + "".join(
        f"  - {{key: K{i}, name: n{i}" + (f", parent: K{i - 1}" if i else "") + "}\n" for i in range(1500)
    )
    book, problems = validate_codebook_text(chain)
    assert book is None and len(problems) == 1 and "'K100' ligger 101 niveauer dybt" in problems[0].message
    at_the_limit = (
        "name: x\nversion: 1\ncodes:\n  - "
        + "".join(f"{{key: K{i}, name: n, children: [" for i in range(MAX_CODE_DEPTH - 1))
        + "{key: Z, name: z}"
        + "]}" * (MAX_CODE_DEPTH - 1)
        + "\n"
    )
    book, problems = validate_codebook_text(at_the_limit)
    assert problems == [] and len(book.codes) == MAX_CODE_DEPTH


# --------------------------------------------------------------------------- REFI-QDA


def test_deep_code_trees_are_read_without_recursion_and_refused_in_one_line(tmp_path, sqlite_project):
    with pytest.raises(TrivselError) as info:
        read_qdc(H.deep_qdc(tmp_path / "deep.qdc", 1500))
    assert "1500 niveauer" in str(info.value)
    with pytest.raises(TrivselError):
        import_refi(sqlite_project, H.qdpx(tmp_path / "deep.qdpx", H.project_qde(codes=H.nested_codes(1500))))
    ok = read_qdc(H.deep_qdc(tmp_path / "ok.qdc", MAX_CODE_DEPTH))
    assert len(ok.codebook.codes) == MAX_CODE_DEPTH


def test_split_names_cannot_build_a_deep_tree_either(tmp_path):
    name = "::".join(f"n{i}" for i in range(1500))
    qdc = tmp_path / "flat.qdc"
    qdc.write_text(
        f'<?xml version="1.0"?><CodeBook xmlns="{H.CODEBOOK_NS}"><Codes><Code guid="{H._guid(1)}" name="{name}" isCodable="true"/></Codes></CodeBook>',
        encoding="utf-8",
    )
    assert len(read_qdc(qdc).codebook.codes) == 1
    with pytest.raises(TrivselError) as info:
        read_qdc(qdc, split_names=True)
    assert "1500 niveauer" in str(info.value)


def test_xml_with_a_dtd_is_refused_in_a_qde_and_a_qdc(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("HEMMELIG", encoding="utf-8")
    for path in (
        H.qdpx(tmp_path / "laughs.qdpx", H.billion_laughs()),
        H.qdpx(tmp_path / "xxe.qdpx", H.external_entity(secret)),
    ):
        with pytest.raises(TrivselError) as info:
            open_refi(path)
        assert "DTD" in str(info.value)
    qdc = tmp_path / "laughs.qdc"
    qdc.write_text(H.billion_laughs("CodeBook", H.CODEBOOK_NS), encoding="utf-8")
    with pytest.raises(TrivselError):
        read_qdc(qdc)


@pytest.mark.parametrize("kind", ["absolute", "file-url", "dotdot", "relative", "relative-dotdot", "windows"])
def test_a_source_outside_the_archive_is_never_read(tmp_path, sqlite_project, kind):
    outside = tmp_path / "elsewhere" / "secret.txt"
    outside.parent.mkdir()
    outside.write_text("HEMMELIG: P1: adgangskoden er 1234\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    (work / "secret.txt").write_text("HEMMELIG\n", encoding="utf-8")
    path = {
        "absolute": str(outside),
        "file-url": outside.as_uri(),
        "dotdot": "../elsewhere/secret.txt",
        "relative": "relative://elsewhere/secret.txt",
        "relative-dotdot": "relative://../../../../../../.." + str(outside),
        "windows": "C:\\Users\\anna\\secret.txt",
    }[kind]
    qdpx = H.qdpx(work / "p.qdpx", H.project_qde(source_path=path), text=False)
    report = import_refi(sqlite_project, qdpx)
    assert [s.status for s in report.sources] == ["skipped"]
    (line,) = report.skipped
    assert line.startswith("kilden 'Samtale':") and "--sources-dir" in line


def test_sources_dir_allows_only_files_inside_it(tmp_path, sqlite_project):
    allowed = tmp_path / "tekster"
    allowed.mkdir()
    (allowed / "a.txt").write_text(H.TEXT, encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("HEMMELIG\n", encoding="utf-8")
    os.symlink(secret, allowed / "link.txt")
    cases = {
        str(allowed / "a.txt"): "",  # the path itself, inside
        "/home/anna/interviews/a.txt": "",  # the sender's path: found by its name in the folder
        "relative://a.txt": "",
        str(secret): "not-in-sources-dir",
        "relative://../secret.txt": "not-in-sources-dir",
        "relative://link.txt": "link-out-of-sources-dir",
        str(allowed / "link.txt"): "link-out-of-sources-dir",
    }
    for path, reason in cases.items():
        rf = open_refi(H.qdpx(tmp_path / "p.qdpx", H.project_qde(source_path=path), text=False), sources_dir=allowed)
        try:
            data, why = rf.read_source_file(path)
        finally:
            rf.close()
        assert why == reason, path
        assert (data == H.TEXT.encode()) if not reason else data is None


def test_adding_or_moving_codes_cannot_nest_deeper_than_the_limit(sqlite_project):
    """The tree a file cannot bring in cannot be built by hand either (the Kodebog screen's add and move)."""
    from trivselkode.storage.codebook_ops import add_code, move_code

    add_code(sqlite_project, "K0", "n0")
    for i in range(1, MAX_CODE_DEPTH):
        add_code(sqlite_project, f"K{i}", f"n{i}", parent=f"K{i - 1}")
    with pytest.raises(TrivselError) as info:
        add_code(sqlite_project, "X", "x", parent=f"K{MAX_CODE_DEPTH - 1}")
    assert f"højst {MAX_CODE_DEPTH} niveauer" in str(info.value)
    add_code(sqlite_project, "A", "a")
    add_code(sqlite_project, "B", "b", parent="A")
    with pytest.raises(TrivselError):
        move_code(sqlite_project, "A", f"K{MAX_CODE_DEPTH - 2}")  # A at the limit, B one below it
    assert move_code(sqlite_project, "A", f"K{MAX_CODE_DEPTH - 3}")
