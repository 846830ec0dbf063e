"""Documents a researcher pastes into a paper, opened with their readers, in Danish and English.

DOCX (python-docx): A4, the language set on the Normal style and the defaults, the core properties from the
project and the coder, Word's heading styles, the quotes in the Quote style each with its source reference,
a PAGE field in the footer. HTML (lxml): ``lang`` and the A4 print stylesheet. The codebook appendix in DOCX,
HTML and Markdown, codes in tree order, English from the bilingual codebook with a warning naming the codes
without it. Tables: Babel's percentages.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trivselkode.domain.codebook import Codebook, CodeSpec
from trivselkode.export.codebook_doc import codebook_appendix, tree_order
from trivselkode.export.docx_layout import SOURCE_STYLE
from trivselkode.export.reports import ReportRequest, build_report
from trivselkode.export.tables import format_share

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TAGS = {"da": "da-DK", "en-GB": "en-GB", "en": "en-GB"}


def _open_docx(data: bytes):  # noqa: ANN202
    from docx import Document

    return Document(io.BytesIO(data))


def _check_layout(doc, lang: str) -> None:  # noqa: ANN001
    """A4 and margins, the language, the properties, a PAGE field in the footer."""
    from docx.shared import Cm

    tag = TAGS[lang]
    for section in doc.sections:
        assert abs(section.page_width - Cm(21)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
        assert abs(section.left_margin - Cm(2.5)) < Cm(0.01) and abs(section.top_margin - Cm(2.5)) < Cm(0.01)
        footer_xml = section.footer._element.xml
        assert "PAGE" in "".join(t.text or "" for t in section.footer._element.iter(f"{W}instrText"))
        assert 'w:fldCharType="begin"' in footer_xml and 'w:fldCharType="end"' in footer_xml
    normal_lang = doc.styles["Normal"].element.find(f"{W}rPr/{W}lang")
    assert normal_lang is not None and normal_lang.get(f"{W}val") == tag
    default_lang = doc.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default_lang is not None and default_lang.get(f"{W}val") == tag
    props = doc.core_properties
    assert props.language == tag
    assert "python-docx" not in (props.author, props.last_modified_by, props.comments)
    assert props.created.year >= 2025 and props.modified.year >= 2025
    assert props.created.replace(tzinfo=UTC) <= datetime.now(UTC) and props.revision == 1


@pytest.mark.parametrize("lang", ["da", "en"])
def test_quotes_docx_is_ready_for_a_paper(demo, tmp_path: Path, monkeypatch, lang: str) -> None:
    monkeypatch.setenv("TRIVSELKODE_CODER", "anne")
    req = ReportRequest("quotes", tmp_path / "citater.docx", fmt="docx", codes="T1,T2", n=2, lang=lang)
    report = build_report(demo, req)
    doc = _open_docx(report.data)
    _check_layout(doc, lang)
    props = doc.core_properties
    title = "Repræsentative citater" if lang == "da" else "Representative quotes"
    assert props.title == title and props.author == "anne" and props.last_modified_by == "anne"
    assert props.subject == "demo"  # the project
    styled = [(p.style.name, p.text) for p in doc.paragraphs]
    assert styled[0] == ("Title", title)
    headings = [t for s, t in styled if s == "Heading 1"]
    theme = "Tema 1: " if lang == "da" else "Theme 1: "
    assert len(headings) == 2 and headings[0].startswith(theme)
    if lang == "en":  # the bilingual codebook's English name, not the Danish
        assert "Biblioteket" not in headings[0]
    quotes = [i for i, (s, _) in enumerate(styled) if s == "Quote"]
    assert quotes and all(styled[i][1].startswith("“") and styled[i][1].endswith("”") for i in quotes)
    word = "udsagn" if lang == "da" else "passage"
    for i in quotes:  # each quote: its attribution, then its source reference, in the source style
        (s1, attribution), (s2, reference) = styled[i + 1], styled[i + 2]
        assert s1 == s2 == SOURCE_STYLE
        assert attribution.startswith("– ") and f", {word} " in reference
        assert doc.paragraphs[i].paragraph_format.keep_with_next is not False
    people = {styled[i + 1][1].split(",")[0] for i in quotes}
    assert people <= ({"– Kvinde", "– Mand", "– Deltager"} if lang == "da" else {"– Woman", "– Man", "– Participant"})
    if lang == "da":
        assert any(" år" in styled[i + 1][1] for i in quotes)
    else:
        assert not any(" år" in styled[i + 1][1] for i in quotes)


def test_the_author_falls_back_to_the_coders_of_the_basis(demo, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("TRIVSELKODE_CODER", raising=False)
    req = ReportRequest("quotes", tmp_path / "q.docx", fmt="docx", codes="T1", n=1)
    props = _open_docx(build_report(demo, req).data).core_properties
    assert props.author and props.author != "python-docx" and "anne" in props.author
    req = ReportRequest("quotes", tmp_path / "q.docx", fmt="docx", codes="T1", n=1, author="Karen Jensen")
    assert _open_docx(build_report(demo, req).data).core_properties.author == "Karen Jensen"


@pytest.mark.parametrize("lang", ["da", "en"])
def test_quotes_html_has_its_language_and_an_a4_print_sheet(demo, tmp_path: Path, lang: str) -> None:
    import lxml.html

    req = ReportRequest("quotes", tmp_path / "citater.html", fmt="html", codes="T1", n=2, lang=lang)
    tree = lxml.html.fromstring(build_report(demo, req).data)
    assert tree.get("lang") == TAGS[lang]
    css = "".join(tree.xpath("//style/text()"))
    assert "@page{size:A4" in css.replace(" ", "") and "break-inside:avoid" in css
    caption = tree.xpath("//figcaption")[0]
    assert caption.findtext("cite") and ("udsagn" if lang == "da" else "passage") in caption.findtext("cite")


# ---------------------------------------------------------------- the codebook appendix


def _book() -> Codebook:
    return Codebook(
        "Lille kodebog",
        2,
        [
            CodeSpec("B", "Behov", kind="behov", description="Menneskelige behov.", name_en="Needs"),
            CodeSpec("T1", "Tryghed", kind="tema", description="At føle sig tryg.", include="Tryghed.",
                     exclude="Ro.", examples=["Jeg føler mig tryg her."], name_en="Safety",
                     definition_en="Feeling safe.", include_en="Safety.", exclude_en="Calm.",
                     examples_en=["I feel safe here."]),
            CodeSpec("B.ro", "Ro", parent="B", description="Stilhed.", examples=["Her er stille."]),
        ],
    )  # fmt: skip


def test_tree_order_puts_each_code_under_its_parent() -> None:
    assert [(d, c.key) for d, c in tree_order(_book())] == [(0, "B"), (1, "B.ro"), (0, "T1")]
    orphan = Codebook("x", 1, [CodeSpec("A.1", "Barn", parent="A"), CodeSpec("C", "C")])
    assert [(d, c.key) for d, c in tree_order(orphan)] == [(0, "A.1"), (0, "C")]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_codebook_appendix_docx(lang: str) -> None:
    appendix = codebook_appendix(_book(), "docx", lang)
    doc = _open_docx(appendix.data)
    _check_layout(doc, lang)
    styled = [(p.style.name, p.text) for p in doc.paragraphs]
    assert styled[0][0] == "Title"
    headings = [(s, t) for s, t in styled if s.startswith("Heading")]
    if lang == "da":
        assert styled[0][1] == "Kodebog: Lille kodebog" and doc.core_properties.title == "Kodebog: Lille kodebog"
        assert headings == [("Heading 1", "B · Behov"), ("Heading 2", "B.ro · Ro"), ("Heading 1", "T1 · Tryghed")]
        assert "Definition: At føle sig tryg." in [t for _, t in styled]
        assert "Medtag når: Tryghed." in [t for _, t in styled] and "Udelad når: Ro." in [t for _, t in styled]
        assert ("List Bullet", "Jeg føler mig tryg her.") in styled
        assert appendix.warnings == []
    else:
        assert styled[0][1] == "Codebook: Lille kodebog"
        assert headings == [("Heading 1", "B · Needs"), ("Heading 2", "B.ro · Ro"), ("Heading 1", "T1 · Safety")]
        texts = [t for _, t in styled]
        assert "Definition: Feeling safe." in texts and "Include when: Safety." in texts
        assert "Exclude when: Calm." in texts and ("List Bullet", "I feel safe here.") in styled
        assert "Definition: Stilhed." in texts  # B.ro has no English: its Danish, and a warning naming it
        assert len(appendix.warnings) == 1 and "B.ro" in appendix.warnings[0] and "T1" not in appendix.warnings[0]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_codebook_appendix_html_and_markdown(lang: str) -> None:
    import lxml.html

    tree = lxml.html.fromstring(codebook_appendix(_book(), "html", lang).data)
    assert tree.get("lang") == TAGS[lang]
    assert "@page{size:A4" in "".join(tree.xpath("//style/text()")).replace(" ", "")
    assert [s.get("id") for s in tree.xpath("//section")] == ["B", "B.ro", "T1"]
    assert [h.tag for h in tree.xpath("//section/*[1]")] == ["h2", "h3", "h2"]
    labels = [dt.text for dt in tree.xpath("//section[@id='T1']//dt")]
    assert labels == (
        ["Definition", "Medtag når", "Udelad når", "Eksempler"]
        if lang == "da"
        else ["Definition", "Include when", "Exclude when", "Examples"]
    )
    md = codebook_appendix(_book(), "md", lang).data
    assert isinstance(md, str)
    if lang == "da":
        assert md.startswith("# Kodebog: Lille kodebog\n") and "Version 2 · 3 koder, i træets orden." in md
        assert "## T1 · Tryghed" in md and "**Medtag når:** Tryghed." in md and "- Jeg føler mig tryg her." in md
    else:
        assert md.startswith("# Codebook: Lille kodebog\n") and "Version 2 · 3 codes, in tree order." in md
        assert "## T1 · Safety" in md and "**Include when:** Safety." in md and "- I feel safe here." in md
    assert md.index("## B ·") < md.index("### B.ro ·") < md.index("## T1 ·")


def test_the_bundled_codebook_has_its_english(demo) -> None:
    req = ReportRequest("codebook", None, fmt="md", lang="en")
    report = build_report(demo, req)
    assert report.warnings == [] and "## T1 · " in report.data and "Include when" in report.data


# ---------------------------------------------------------------- numbers


def test_percentages_follow_the_locale() -> None:
    assert format_share(0.4167, "da") == "41,7\u00a0%"  # Danish: a decimal comma, a no-break space
    assert format_share(0.4167, "en") == "41.7%"
    assert format_share(1.0, "da") == "100,0\u00a0%"


def test_an_english_table_names_the_codes_in_english(demo, tmp_path: Path) -> None:
    da = build_report(demo, ReportRequest("frequencies", None, fmt="md", codes="T1", lang="da"))
    en = build_report(demo, ReportRequest("frequencies", None, fmt="md", codes="T1", lang="en"))
    assert "| Kode | Navn |" in da.data and "Biblioteket som" in da.data and "\u00a0%" in da.data
    assert "| Code | Name |" in en.data and "Biblioteket som" not in en.data and en.warnings == []
    assert "%" in en.data and "\u00a0%" not in en.data
