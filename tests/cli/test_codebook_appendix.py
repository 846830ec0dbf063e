"""``trivselkode codebook export --format docx|html|md [--lang en] --out FILE``: the codebook as an appendix.

Each file is opened with its reader; YAML stays the default and reads back as before.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from trivselkode.config import bundled_codebook


@pytest.fixture
def book_cli(sqlite_cli):  # noqa: ANN001, ANN201
    result = sqlite_cli("codebook", "load", str(bundled_codebook()))
    assert result.exit_code == 0, result.stderr
    return sqlite_cli


@pytest.mark.parametrize("lang", ["da", "en"])
def test_docx_appendix(book_cli, tmp_path: Path, lang: str) -> None:  # noqa: ANN001
    from docx import Document
    from docx.shared import Cm

    out = tmp_path / "kodebog.docx"
    result = book_cli("codebook", "export", "--out", str(out), "--lang", lang, coder="karen")
    assert result.exit_code == 0, result.stderr
    assert str(out) in result.stderr and result.stdout == ""
    doc = Document(str(out))
    section = doc.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
    tag = {"da": "da-DK", "en": "en-GB"}[lang]
    assert doc.core_properties.language == tag and doc.core_properties.author == "karen"
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert doc.styles["Normal"].element.find(f"{w}rPr/{w}lang").get(f"{w}val") == tag
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[0].startswith("T1 · ")
    subheadings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert subheadings  # the needs under B
    label = "Medtag når:" if lang == "da" else "Include when:"
    assert any(p.text.startswith(label) for p in doc.paragraphs)
    assert "advarsel" not in result.stderr and "warning" not in result.stderr  # the bundled codebook is bilingual


def test_html_and_markdown_appendix(book_cli, tmp_path: Path) -> None:  # noqa: ANN001
    import lxml.html

    html_out = tmp_path / "kodebog.html"
    assert book_cli("codebook", "export", "--out", str(html_out), "--lang", "en").exit_code == 0
    tree = lxml.html.fromstring(html_out.read_text(encoding="utf-8"))
    assert tree.get("lang") == "en-GB" and "@page{size:A4" in "".join(tree.xpath("//style/text()"))
    keys = [s.get("id") for s in tree.xpath("//section")]
    assert keys[0] == "T1" and keys.index("B") < keys.index("B.fysiologisk")
    assert tree.xpath("//section[@id='T1']//dt")[1].text == "Include when"

    md = book_cli("codebook", "export", "--format", "md")  # to standard output, in the interface's Danish
    assert md.exit_code == 0, md.stderr
    assert md.stdout.startswith("# Kodebog: ") and "**Medtag når:**" in md.stdout and "## T1 · " in md.stdout
    md_en = book_cli("codebook", "export", "--format", "md", "--lang", "en", "--out", "-")
    assert md_en.stdout.startswith("# Codebook: ") and "**Include when:**" in md_en.stdout


def test_yaml_stays_the_default_and_a_wrong_suffix_is_refused(book_cli, tmp_path: Path) -> None:  # noqa: ANN001
    text = book_cli("codebook", "export").stdout
    assert yaml.safe_load(io.StringIO(text))["codes"][0]["key"] == "T1"
    out = tmp_path / "kodebog.yaml"
    assert book_cli("codebook", "export", "--out", str(out)).exit_code == 0
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["name"]
    bad = book_cli("codebook", "export", "--format", "html", "--out", str(tmp_path / "x.md"))
    assert bad.exit_code != 0 and not (tmp_path / "x.md").exists()
    assert book_cli("codebook", "export", "--format", "docx").exit_code != 0  # DOCX needs a file
