"""REFI-QDA export in the language asked for: the bilingual codebook's English, falling back to Danish."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlmodel import select

from tests.conftest import Cli
from tests.unit.test_refi_export import assert_valid, make_fixture_project
from trivselkode.domain.guids import code_guid
from trivselkode.export.refi import export_codebook, export_project
from trivselkode.importers.refi import import_refi
from trivselkode.storage.codebook import codebook_of_project
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.models import Code

P = {"q": "urn:QDA-XML:project:1.0"}
C = {"q": "urn:QDA-XML:codebook:1.0"}


def _english(project: Project) -> None:
    """T1 gets its English; the other codes have none."""
    with project.write() as s:
        t1 = s.exec(select(Code).where(Code.key == "T1")).one()
        t1.name_en = "Safety"
        t1.definition_en = "The library as a safety system"
        t1.include_en = "Feeling welcome"
        t1.examples_en = ["I feel welcome."]
        s.add(t1)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = make_fixture_project(tmp_path_factory.mktemp("lang"))
    _english(project)
    yield project
    project.dispose()


def _code(doc: etree._Element, key: str, ns: dict[str, str]) -> etree._Element:
    return doc.xpath(f"//q:Code[@guid='{code_guid(key)}']", namespaces=ns)[0]


def test_english_export_names_codes_in_english_and_warns_of_the_rest(project, tmp_path):
    out = tmp_path / "en.qdpx"
    report = export_project(project, out, lang="en")
    with zipfile.ZipFile(out) as zf:
        xml = zf.read("project.qde")
    assert_valid(xml)
    doc = etree.fromstring(xml)
    t1 = _code(doc, "T1", P)
    assert t1.get("name") == "Safety"
    assert t1.findtext("q:Description", namespaces=P) == "The library as a safety system"
    assert _code(doc, "T2", P).get("name") == "Mental ro"  # no English: the Danish
    assert _code(doc, "B.social", P).findtext("q:Description", namespaces=P) == "Fællesskab"
    [warning] = report.warnings
    assert "T2" in warning and "B.social" in warning and "T1" not in warning.split(":", 1)[1]
    # The file's own words follow the language too.
    names = [n for n in doc.xpath("//q:PlainTextSelection/@name", namespaces=P) if " · " in n]
    assert names and all(n.startswith("Passage ") for n in names)


def test_danish_export_is_as_before(project, tmp_path):
    out = tmp_path / "da.qdpx"
    report = export_project(project, out, lang="da")
    with zipfile.ZipFile(out) as zf:
        doc = etree.fromstring(zf.read("project.qde"))
    assert _code(doc, "T1", P).get("name") == "Tryghed"
    assert report.warnings == []
    names = [n for n in doc.xpath("//q:PlainTextSelection/@name", namespaces=P) if " · " in n]
    assert names and all(n.startswith("Udsagn ") for n in names)


def test_english_export_round_trips_both_languages(project, tmp_path):
    """Our own import of an English file gives back the Danish names and keeps the English."""
    out = tmp_path / "en.qdpx"
    export_project(project, out, lang="en")
    other, _ = open_project(str(tmp_path / "igen.db"))
    try:
        import_refi(other, out)
        assert codebook_of_project(other, include_retired=True).codes == (
            codebook_of_project(project, include_retired=True).codes
        )
    finally:
        other.dispose()


def test_qdc_in_english_is_valid(project, tmp_path):
    out = tmp_path / "en.qdc"
    report = export_codebook(project, out, lang="en")
    xml = out.read_bytes()
    assert_valid(xml, "Codebook.xsd")
    doc = etree.fromstring(xml)
    assert _code(doc, "T1", C).get("name") == "Safety"
    assert _code(doc, "M", C).get("name") == "Miljø"
    assert report.warnings and "M" in report.warnings[0]
    assert export_codebook(project, tmp_path / "da.qdc", lang="da").warnings == []
    assert _code(etree.fromstring((tmp_path / "da.qdc").read_bytes()), "T1", C).get("name") == "Tryghed"


def test_cli_refi_export_lang_en_warns_on_stderr(tmp_path):
    """The bundled codebook has English for every code: no warning; its English names in the file."""
    db = tmp_path / "p.db"
    cli = Cli(db)
    assert cli("init").exit_code == 0
    out = tmp_path / "kodebog.qdc"
    result = cli("refi", "export-codebook", str(out), "--lang", "en", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["warnings"] == []
    doc = etree.fromstring(out.read_bytes())
    assert _code(doc, "T1", C).get("name") == "The library as a psychological safety system"
    # A code without English: named in a warning on stderr, the JSON on stdout stays one document.
    project, _ = open_project(str(db))
    try:
        with project.write() as s:
            t7 = s.exec(select(Code).where(Code.key == "T7")).one()
            t7.name_en = ""
            s.add(t7)
    finally:
        project.dispose()
    qdpx = tmp_path / "p.qdpx"
    result = cli("refi", "export", str(qdpx), "--lang", "en", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "T7" in result.stderr and "T7" in " ".join(json.loads(result.stdout)["warnings"])
    with zipfile.ZipFile(qdpx) as zf:
        doc = etree.fromstring(zf.read("project.qde"))
    assert _code(doc, "T7", P).get("name") == "Lavt pres, høj værdi"


def test_import_of_a_foreign_qdc_is_unchanged(tmp_path: Path):
    """A .qdc from another program carries no English: the codes get its names as before."""
    from tests.unit import refi_fixtures as F

    project, _ = open_project(str(tmp_path / "f.db"))
    try:
        import_refi(project, F.taguette_qdc(tmp_path))
        codes = codebook_of_project(project).codes
        assert codes and all(c.name_en == "" and c.examples_en == [] for c in codes)
    finally:
        project.dispose()
