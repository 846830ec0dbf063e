"""REFI-QDA import of files as other programs write them, built by the tests (see ``refi_fixtures``).

These prove, without the real sample files, what the real-file tests in
``test_refi_import`` prove (NVivo's UTF-16 positions with a BOM and CRLF,
ATLAS.ti's skipped media and flattened names, Taguette's invalid empty
``<Sets/>``), and what the real files of qc and OpenQDA need: source paths
without ``internal://`` and code ids that are not GUIDs.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.unit import refi_fixtures as F
from trivselkode.importers.refi import import_refi, open_refi, read_qdc
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Code, Coder, Coding, Passage, Source


def _codes(project) -> dict[str, Code]:
    with project.read() as s:
        return {c.key: c for c in s.exec(select(Code))}


def _count(project, model) -> int:
    with project.read() as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def proj(tmp_path):
    project, _ = open_project(str(tmp_path / "p.db"))
    yield project
    project.dispose()


# --------------------------------------------------------------------------- NVivo 12


def test_nvivo_style_utf16_positions_with_bom_and_crlf(tmp_path, proj):
    path = F.nvivo_qdpx(tmp_path)
    report = import_refi(proj, path)
    coded = next(s for s in report.sources if s.name == "videos_selected")
    # the unit is found from the file: UTF-16 code units, CRLF as 2 (code points would cut emoji apart)
    assert coded.reading == "utf16-crlf2"
    assert coded.selections == coded.placed == len(F.NVIVO_QUOTES)
    assert max(coded.reading_scores, key=coded.reading_scores.get) == "utf16-crlf2"
    with proj.read() as s:
        source = s.exec(select(Source).where(Source.name == "videos_selected")).one()
        other = s.exec(select(Source).where(Source.name == "videos_other")).one()
    assert source.text == F.NVIVO_TEXT.replace("\r\n", "\n")  # no BOM, no CR
    assert other.text == "En anden tekst uden kodninger.\n"
    quotes = {F.gid("nvivo", "sel", n): quote for n, (_code, quote) in enumerate(F.NVIVO_QUOTES)}
    placed = [p for p in report.placements if p.source == "videos_selected"]
    assert sorted(p.guid for p in placed) == sorted(quotes)
    for p in placed:  # each selection is exactly the text NVivo quoted
        assert source.text[p.start : p.end] == quotes[p.guid].replace("\r\n", "\n")


def test_nvivo_style_selections_become_codings_on_the_quoted_text(tmp_path, proj):
    import_refi(proj, F.nvivo_qdpx(tmp_path))
    with proj.read() as s:
        rows = s.exec(
            select(Coding, Passage, Code, Coder).where(
                Coding.passage_id == Passage.id, Coding.code_id == Code.id, Coding.coder_id == Coder.id
            )
        ).all()
    quoted = sorted((code.name, p.text if c.start is None else p.text[c.start : c.end]) for c, p, code, _ in rows)
    expected = []
    for path, quote in F.NVIVO_QUOTES:
        for part in quote.replace("\r\n", "\n").split("\n\n"):  # across two comments: one coding on each
            expected.append((path.rsplit("/", 1)[-1], part.strip("\n")))
    assert quoted == sorted(expected)
    assert {coder.name for *_, coder in rows} == {"Gergo", "floriansipos"}
    codes = {c.name: c for c in _codes(proj).values()}
    assert len(codes) == 8
    assert codes["Glæde"].parent_id == codes["Følelser"].id and codes["Ro"].parent_id == codes["Rummet"].id
    assert not codes["Følelser"].retired  # isCodable="false" on a grouping code: still a normal code
    assert codes["Tryghed"].description == "At føle sig velkommen"


def test_nvivo_style_import_again_changes_nothing(tmp_path, proj):
    path = F.nvivo_qdpx(tmp_path)
    import_refi(proj, path)
    before = (_count(proj, Code), _count(proj, Coding), _count(proj, Passage))
    report = import_refi(proj, path)
    assert (_count(proj, Code), _count(proj, Coding), _count(proj, Passage)) == before
    assert report.codings == 0 and not report.codes_added
    assert {s.status for s in report.sources} == {"unchanged"}


# --------------------------------------------------------------------------- ATLAS.ti 8


def test_atlas_style_imports_what_it_can_and_says_what_it_skipped(tmp_path, proj):
    report = import_refi(proj, F.atlas_qde(tmp_path), split_names=True)
    codes = _codes(proj)
    with proj.read() as s:
        coders = set(s.exec(select(Coder.name)))
    assert coders == {"ATLAS.ti", "Friedrich_Markgraf"}
    assert set(codes) == {"kaffe", "kaffe.sort-kaffe", "kaffe.latte", "glaede", "te"}
    assert codes["kaffe.sort-kaffe"].parent_id == codes["kaffe"].id
    assert codes["kaffe.sort-kaffe"].name == "sort kaffe" and codes["kaffe.sort-kaffe"].description == "uden mælk"
    assert codes["kaffe"].color == "#f00082" and codes["te"].color is None
    assert report.codings == 0 and _count(proj, Source) == 0
    assert [s.status for s in report.sources] == ["skipped"]
    skipped = "\n".join(report.skipped)
    assert "følger ikke med" in skipped
    for what in ("billede", "PDF", "lyd", "video", "Links", "Graphs", "Sets", "Forskningsplan"):
        assert what in skipped, what


def test_atlas_style_without_split_names_keeps_flat_names(tmp_path, proj):
    import_refi(proj, F.atlas_qde(tmp_path))
    codes = _codes(proj).values()
    assert "Kaffe::sort kaffe" in {c.name for c in codes} and {c.parent_id for c in codes} == {None}


def test_atlas_style_bare_qde_reads_its_texts_from_a_sources_folder_beside_it(tmp_path, proj):
    qde = F.atlas_qde(tmp_path)
    (tmp_path / "Sources").mkdir()
    text = "I: Jeg drikker kaffe hver morgen.\nP: Også jeg.\n"
    assert text[3:20] == "Jeg drikker kaffe"
    (tmp_path / "Sources" / f"{F.gid('atlas', 'textfile')}.txt").write_text(text, encoding="utf-8")
    report = import_refi(proj, qde, split_names=True)
    (source,) = report.sources
    assert source.status == "imported" and source.placed == 1
    with proj.read() as s:
        (coding, passage, code) = s.exec(
            select(Coding, Passage, Code).where(Coding.passage_id == Passage.id, Coding.code_id == Code.id)
        ).one()
    assert code.key == "kaffe.sort-kaffe"
    assert passage.text[coding.start : coding.end] == "Jeg drikker kaffe"


# --------------------------------------------------------------------------- Taguette


def test_taguette_style_codebook_with_an_empty_sets_is_read_with_a_warning(tmp_path, proj):
    path = F.taguette_qdc(tmp_path)
    report = import_refi(proj, path)
    assert sorted(c.name for c in _codes(proj).values()) == ["fællesskab", "personale", "ro"]
    assert report.kind == "qdc" and any("<Sets/>" in w for w in report.warnings)
    book = read_qdc(path)
    assert [c.key for c in book.codebook.codes] == ["ro", "faellesskab", "personale"]
    assert any("<Sets/>" in w for w in book.warnings)


# --------------------------------------------------------------------------- qc: paths without internal://


def test_qc_style_source_paths_inside_the_archive_are_read(tmp_path, proj):
    report = import_refi(proj, F.qc_qdpx(tmp_path))
    assert not report.skipped, report.skipped
    assert sorted((s.name, s.status) for s in report.sources) == [("holstebro", "imported"), ("viborg", "imported")]
    assert report.codings == _count(proj, Coding) == len(F.QC_CODINGS)
    codes = _codes(proj)
    by_name = {c.name: c for c in codes.values()}
    assert by_name["ro"].parent_id == by_name["følelser"].id
    assert by_name["lavt pres"].parent_id == by_name["socialt"].id
    with proj.read() as s:
        rows = s.exec(
            select(Source.name, Passage.text, Code.name, Coder.name, Coding.start, Coding.end).where(
                Coding.passage_id == Passage.id,
                Passage.source_id == Source.id,
                Coding.code_id == Code.id,
                Coding.coder_id == Coder.id,
            )
        ).all()
    got = sorted((src, text, code, coder) for src, text, code, coder, a, b in rows if a is None and b is None)
    expected = sorted(
        (Path(f).stem, F.QC_FILES[f].splitlines()[line].split(": ", 1)[1], code, coder)
        for f, line, code, coder in F.QC_CODINGS
    )
    assert got == expected  # every coding on the whole passage of its line


def test_qc_style_path_missing_from_the_archive_is_skipped_with_a_reason(tmp_path, proj):
    path = F.qc_qdpx(tmp_path)
    thin = tmp_path / "thin.qdpx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(thin, "w") as dst:
        for name in src.namelist():
            if name != "sources/runde2/viborg.txt":
                dst.writestr(name, src.read(name))
    report = import_refi(proj, thin)
    assert {s.name: s.status for s in report.sources} == {"holstebro": "imported", "viborg": "skipped"}
    (line,) = report.skipped
    assert "runde2/viborg.txt findes ikke i arkivets sources/-mappe" in line and "4 kodning(er)" in line
    assert report.codings == 6


@pytest.mark.parametrize("outside", ["../holstebro.txt", "./../holstebro.txt", "file://holstebro.txt"])
def test_a_path_pointing_outside_the_archive_is_not_read_from_the_current_folder(tmp_path, proj, monkeypatch, outside):
    path = F.qc_qdpx(tmp_path)
    edited = tmp_path / "edited.qdpx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(edited, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "project.qde":
                data = data.replace(b'plainTextPath="holstebro.txt"', f'plainTextPath="{outside}"'.encode())
            dst.writestr(name, data)
    work = tmp_path / "work" / "here"
    work.mkdir(parents=True)
    (work.parent / "holstebro.txt").write_text(F.QC_FILES["holstebro.txt"], encoding="utf-8")
    (work / "holstebro.txt").write_text(F.QC_FILES["holstebro.txt"], encoding="utf-8")
    monkeypatch.chdir(work)
    report = import_refi(proj, edited)
    statuses = {s.name: s.status for s in report.sources}
    assert statuses == {"holstebro": "skipped", "viborg": "imported"}
    assert any("uden for filen" in line for line in report.skipped)


def test_a_path_with_sources_in_front_and_a_bare_qde_beside_its_folder(tmp_path, proj):
    """``sources/x.txt`` names the same file; a bare .qde finds qc's paths in the sources/ folder beside it."""
    path = F.qc_qdpx(tmp_path)
    rf = open_refi(path)
    try:
        assert rf.read_source_file("sources/holstebro.txt")[0] == F.QC_FILES["holstebro.txt"].encode()
        assert rf.read_source_file("SOURCES\\runde2\\viborg.txt")[0] == F.QC_FILES["runde2/viborg.txt"].encode()
        assert rf.read_source_file("nope.txt") == (None, "not-in-archive")
    finally:
        rf.close()
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(unpacked)
    report = import_refi(proj, unpacked / "project.qde")
    assert report.codings == len(F.QC_CODINGS)


# --------------------------------------------------------------------------- OpenQDA: ids that are not GUIDs


def test_openqda_style_qdc_imports_every_code_and_its_hierarchy_with_one_warning(tmp_path, proj):
    book = F.openqda_book()
    report = import_refi(proj, F.openqda_qdc(tmp_path))
    codes = _codes(proj)
    assert len(codes) == book.count == 44
    by_id = {c.id: c for c in codes.values()}
    tops = sorted(c.name for c in codes.values() if c.parent_id is None)
    assert tops == sorted(book.groups.values())
    for gid_, group in book.groups.items():
        children = sorted(c.name for c in codes.values() if c.parent_id and by_id[c.parent_id].name == group)
        assert children == sorted(name for _id, name in book.children[gid_])
    group = next(c for c in codes.values() if c.name == "Negativ/Ophidset")
    assert group.description == "Alle følelser i gruppen Negativ/Ophidset." and group.color == "#e57373"
    guid_warnings = [w for w in report.warnings if "GUID" in w]
    assert len(guid_warnings) == 1 and "'c001'" in guid_warnings[0]
    assert len(report.warnings) == 1


def test_openqda_style_qdc_for_codebook_load(tmp_path):
    qdc = read_qdc(F.openqda_qdc(tmp_path))
    specs = {c.key: c for c in qdc.codebook.codes}
    assert len(specs) == 44
    assert sum(1 for c in specs.values() if c.parent is None) == 4
    assert all(c.parent in specs for c in specs.values() if c.parent)
    assert len([w for w in qdc.warnings if "GUID" in w]) == 1


def test_openqda_style_codings_refer_to_codes_by_their_short_ids(tmp_path, proj):
    book = F.openqda_book()
    report = import_refi(proj, F.openqda_qdpx(tmp_path))
    assert report.codings == 3 and not [w for w in report.warnings if "ukendt kode" in w]
    name_of = {cid: name for kids in book.children.values() for cid, name in kids} | book.groups
    with proj.read() as s:
        rows = s.exec(
            select(Passage.text, Coding.start, Coding.end, Code.name).where(
                Coding.passage_id == Passage.id, Coding.code_id == Code.id
            )
        ).all()
    got = sorted((text[a:b], name) for text, a, b, name in rows)
    assert got == sorted([("glad", name_of["c20"]), ("vred", name_of["c0"]), ("vred", name_of["c001"])])


def test_codes_without_an_id_or_with_a_repeated_id_are_kept_with_their_children(tmp_path, proj):
    qdc = tmp_path / "odd.qdc"
    qdc.write_text(
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code name="Uden id" isCodable="true"><Code guid="k1" name="Barn" isCodable="true"/></Code>'
        '<Code guid="k1" name="Samme id" isCodable="true"><Code guid="k2" name="Barnebarn" isCodable="true"/></Code>'
        "</Codes></CodeBook>",
        encoding="utf-8",
    )
    report = import_refi(proj, qdc)
    codes = {c.name: c for c in _codes(proj).values()}
    assert set(codes) == {"Uden id", "Barn", "Samme id", "Barnebarn"}
    assert codes["Barn"].parent_id == codes["Uden id"].id
    assert codes["Barnebarn"].parent_id == codes["Samme id"].id
    (line,) = [w for w in report.warnings if "kan ikke findes ud fra deres id" in w]
    assert "'Uden id' har intet id" in line and "'Samme id' har samme id som 'Barn'" in line
