"""Pseudonymised exports hold no identifier, in any form, in any format; the key file only when asked.

A project is made the way a researcher makes one (``init``, ``import`` of a
transcript whose file name holds the interviewee's name, ``codings import``
with memos), with generated names, CPR numbers, phone numbers and e-mail
addresses written as people write them: in capitals and small letters, in
the genitive, as speaker labels, in the metadata, in memos, in attribute
values and in the file name. Then every export runs with ``--pseudonymize``
(quotes, codings, matrix, frequencies, charts, REFI-QDA, the disagreements
listing) and each file is searched for any of the identifiers: text formats
as they are; DOCX, XLSX and QDPX unzipped, their XML's text and attribute
values read; SVG charts by their text, PNG charts by the texts handed to
matplotlib. The same search finds the identifiers in the exports without
``--pseudonymize`` (so it can find what it looks for).
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.conftest import Cli
from trivselkode.export.pseudonymize import is_ordinary_word

# --------------------------------------------------------------------------- the identifiers


@dataclass
class People:
    first: str  # the interviewee, "Karen"
    last: str  # "Hansen"
    shouted: str  # a speaker label in capitals, "MORTEN"
    quiet: str  # a speaker label in small letters, "lise"
    cprs: list[str]
    phones: list[str]
    email: str
    contact_phone: str  # an attribute value
    word_name: str = "Rose"  # a surname that is also an ordinary word ("rose"): its full name in any case

    @property
    def other_full(self) -> str:
        """The second interviewee's full name, whose surname is an ordinary word."""
        return f"{self.quiet.capitalize()} {self.word_name}"

    @property
    def names(self) -> list[str]:
        return [self.first, self.last, self.shouted, self.quiet]

    @property
    def numbers(self) -> list[str]:
        return self.cprs + self.phones + [self.contact_phone]


_SYLLABLE = r"[bdfgklmnprstv][aeiouyæøå]"
# Invented names: two or three syllables, none of them an ordinary Danish word, no hexadecimal look-alike.
NAME = st.from_regex(rf"{_SYLLABLE}{_SYLLABLE}(?:{_SYLLABLE})?[nlrst]?", fullmatch=True)


def _date() -> st.SearchStrategy[str]:
    return st.builds(
        lambda d, m, y: f"{d:02d}{m:02d}{y:02d}",
        st.integers(1, 28),
        st.integers(1, 12),
        st.integers(0, 99),
    )


@st.composite
def people(draw: st.DrawFn) -> People:
    names = draw(st.lists(NAME, min_size=4, max_size=4, unique=True))
    for name in names:
        assume(not is_ordinary_word(name) and not is_ordinary_word(name + "s"))
        assume(not set(name) <= set("abcdef"))
    first, last, shouted, quiet = names
    serials = draw(st.lists(st.integers(0, 9999), min_size=3, max_size=3))
    dates = draw(st.lists(_date(), min_size=3, max_size=3))
    cprs = [f"{dates[0]}-{serials[0]:04d}", f"{dates[1]} {serials[1]:04d}", f"{dates[2]}{serials[2]:04d}"]
    digits = draw(st.lists(st.from_regex(r"[2-9][0-9]{7}", fullmatch=True), min_size=5, max_size=5, unique=True))
    pairs = [[d[i : i + 2] for i in range(0, 8, 2)] for d in digits]
    phones = [
        "-".join(pairs[0]),
        ".".join(pairs[1]),
        "+45 " + " ".join(pairs[2]),
        f"{digits[3][:4]} {digits[3][4:]}",
    ]
    user = draw(st.from_regex(r"[a-z]{2,6}", fullmatch=True))
    return People(
        first=first.capitalize(),
        last=last.capitalize() + "sen",
        shouted=shouted.upper(),
        quiet=quiet.lower(),
        cprs=cprs,
        phones=phones,
        email=f"{first.lower()}.{user}@bibliotek.dk",
        contact_phone=digits[4],
        word_name=draw(st.sampled_from(["Bo", "Per", "Dag", "Mark", "Sten", "Rose", "Maj", "Ask", "Hans"])),
    )


# --------------------------------------------------------------------------- the project


def transcript(p: People) -> str:
    full = f"{p.first} {p.last}"
    quiet_cap = p.quiet.capitalize()
    return f"""---
title: Samtale med {full}
kind: interview
site: Holstebro
names: ["{full}", "{p.other_full}"]
participants:
  - {{id: I, role: interviewer}}
  - {{id: {p.shouted}, gender: kvinde, age: 44, kontakt: "{p.email}", site: "Holstebro, {p.phones[1]}"}}
  - {{id: {p.quiet}, gender: mand, age: 61, kontakt: "{p.contact_phone}"}}
---
I: Velkommen. Du hedder {full}, ikke? Og {p.first.upper()}S mand er med.
{p.shouted}: Ja, jeg er {full.upper()}, men alle siger bare {p.first.lower()}. Jeg er glad for biblioteket, jeg føler mig tryg her hver eneste uge.
{p.quiet}: Og jeg er {quiet_cap}, {p.other_full.lower()} eller {p.other_full.upper()}. {p.first}s bog ligger stadig hjemme hos {p.last.lower()} og {p.shouted.lower()}, og {full.lower()} siger hun kommer igen.
I: Hvordan kan vi fange dig?
{p.shouted}: Ring på {p.phones[0]} eller {p.phones[1]}, eller skriv til {p.email.upper()}. Biblioteket er et trygt sted for mig.
{p.quiet}: Mit nummer er {p.phones[2]} eller {p.phones[3]}, og mit CPR er {p.cprs[0]}. Der er ro og stille her om morgenen.
{p.shouted}: Mit CPR-nummer er {p.cprs[1]}, og hans er {p.cprs[2]}. {p.last}s familie kommer her også, og vi møder andre.
"""


def codings_csv(source: str, p: People) -> str:
    memo = (
        f"{p.first.upper()} {p.last} nævner {p.phones[0]} og {p.email}; {p.quiet.upper()} ringer fra {p.contact_phone}"
    )
    rows = ["source,passage,code,coder,start,end,memo"]
    for number in (2, 3, 5, 6, 7):
        rows.append(f'{source},{number},T1,anne,,,"{memo}"')
    for number in (2, 3, 6):
        rows.append(f"{source},{number},T2,bo,,,")
    rows.append(f"{source},7,T3,bo,0,40,")
    return "\n".join(rows) + "\n"


def make_project(folder: Path, p: People) -> tuple[Cli, str]:
    cli = Cli(folder / "projekt.db")
    assert cli("init").exit_code == 0
    source = f"interview-{p.first.lower()}-{p.last.lower()}"
    (folder / f"{source}.txt").write_text(transcript(p), encoding="utf-8")
    result = cli("import", str(folder / f"{source}.txt"))
    assert result.exit_code == 0, result.stderr
    (folder / "kodninger.csv").write_text(codings_csv(source, p), encoding="utf-8")
    result = cli("codings", "import", str(folder / "kodninger.csv"))
    assert result.exit_code == 0, result.stderr
    return cli, source


# --------------------------------------------------------------------------- reading what was written


def _xml_text(data: bytes) -> str:
    """The text and the attribute values of an XML document."""
    root = etree.fromstring(data, parser=etree.XMLParser(huge_tree=True, recover=True))
    parts = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        parts.extend(el.attrib.values())
        parts.extend([el.text or "", el.tail or ""])
    return "\n".join(parts)


def _template_parts() -> dict[str, bytes]:
    """The parts of python-docx's own template: a part of a DOCX identical to one holds no data.

    (Its font table says ``w:csb0="80000000"``, which an eight-digit phone number drawn by
    hypothesis can equal.)
    """
    import docx.api

    with zipfile.ZipFile(docx.api._default_docx_path()) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def readable(path: Path) -> str:
    """What a person or a program could read in an export file."""
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        out = []
        template = _template_parts() if path.suffix == ".docx" else {}
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                member = zf.read(name)
                if template.get(name) == member:
                    continue
                out.append(member.decode("utf-8", "replace"))
                if name.endswith((".xml", ".qde", ".rels")):
                    out.append(_xml_text(member))
        return "\n".join(out)
    if path.suffix == ".png":
        return ""  # pixels: its labels are read as matplotlib got them (chart_labels)
    if path.suffix == ".svg":
        return data.decode("utf-8") + "\n" + _xml_text(data)
    return data.decode("utf-8")


@contextlib.contextmanager
def chart_labels() -> Iterator[list[str]]:
    """Every text a matplotlib figure holds when it is saved (a PNG's labels)."""
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    seen: list[str] = []
    original = Figure.savefig

    def savefig(fig, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.extend(t.get_text() for t in fig.findobj(Text))
        return original(fig, *args, **kwargs)

    Figure.savefig = savefig  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        Figure.savefig = original  # type: ignore[method-assign]


def leaks(text: str, p: People) -> list[str]:
    """The identifiers found in ``text``: names in any case (also in the genitive), numbers, the address."""
    found = []
    for name in [*p.names, p.other_full]:
        words = r"[\s-]+".join(re.escape(w) for w in name.split())
        if re.search(rf"(?<![^\W\d_]){words}s?(?![^\W\d_])", text, re.IGNORECASE):
            found.append(name)
    for number in p.numbers:
        digits = re.sub(r"\D", "", number.removeprefix("+45 "))
        if number in text or re.search(rf"(?<!\d){digits}(?!\d)", text):
            found.append(number)
    if p.email.casefold() in text.casefold():
        found.append(p.email)
    return found


# --------------------------------------------------------------------------- every export

REPORTS = [
    ("report", "frequencies", "--by", "kontakt", "--codes", "tema", "--out", "hyppigheder.{}"),
    ("report", "matrix", "--out", "matrix.{}"),
    ("report", "quotes", "-n", "20", "--min-words", "1", "--out", "citater.{}"),
    ("report", "chart", "--by", "kontakt", "--out", "diagram.{}"),
    ("codings", "export", "--out", "kodninger.{}"),
    ("refi", "export", "projekt.{}"),
]
FORMATS = {
    "frequencies": ["csv", "xlsx", "md", "json", "txt"],
    "matrix": ["csv", "xlsx", "json"],
    "quotes": ["md", "docx", "html", "csv", "json"],
    "chart": ["svg", "png"],
    "export": ["csv", "json"],
}


def export_everything(cli: Cli, out: Path, pseudonymize: bool) -> dict[str, str]:
    """Every export's readable text, by file (the disagreements listing by its format)."""
    flag = ["--pseudonymize"] if pseudonymize else []
    texts: dict[str, str] = {}
    for command in REPORTS:
        formats = ["qdpx"] if command[0] == "refi" else FORMATS[command[1]]
        for fmt in formats:
            args = [str(out / a.format(fmt)) if "{}" in a else a for a in command]
            path = Path(args[-1])
            with chart_labels() as labels:
                result = cli(*args, *flag)
            assert result.exit_code == 0, (args, result.stderr)
            texts[path.name] = readable(path)
            if fmt == "png":
                assert labels, "the chart's labels were seen"
                texts[path.name] += "\n" + "\n".join(labels)
    for fmt in ("md", "json"):
        result = cli("disagreements", "--coders", "anne,bo", "--all", "--format", fmt, *flag)
        assert result.exit_code == 0, result.stderr
        texts[f"uenigheder.{fmt}"] = result.stdout
    return texts


@settings(max_examples=4, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(p=people())
def test_no_identifier_survives_any_export(p: People) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cli, _source = make_project(folder, p)
        out = folder / "ud"
        out.mkdir()
        texts = export_everything(cli, out, pseudonymize=True)
        found = {name: leaks(text, p) for name, text in texts.items()}
        assert {name: hits for name, hits in found.items() if hits} == {}
        # The exports still say something: the placeholders stand where the identifiers were.
        assert (
            "[Navn " in texts["projekt.qdpx"]
            and "[CPR]" in texts["projekt.qdpx"]
            and "Kilde 1" in texts["projekt.qdpx"]
        )
        assert "[Telefon]" in texts["kodninger.csv"] and "[E-mail]" in texts["kodninger.csv"]
        assert not [f for f in out.iterdir() if not any(f.name == n for n in texts)]  # no key beside the exports


def test_the_search_finds_what_an_unpseudonymised_export_holds(tmp_path: Path) -> None:
    p = _FIXED
    cli, source = make_project(tmp_path, p)
    out = tmp_path / "ud"
    out.mkdir()
    texts = export_everything(cli, out, pseudonymize=False)
    for name in ("projekt.qdpx", "kodninger.csv", "citater.docx", "matrix.xlsx", "hyppigheder.xlsx", "uenigheder.md"):
        assert leaks(texts[name], p), name
    assert set(leaks(texts["projekt.qdpx"], p)) == set(p.names + p.numbers + [p.email, p.other_full])
    assert p.email in texts["diagram.png"] and source in texts["kodninger.csv"]


_FIXED = People(
    first="Karen",
    last="Hansen",
    shouted="MORTEN",
    quiet="gurli",
    cprs=["020285-1235", "020285 1235", "0202851235"],
    phones=["12-34-56-78", "12.34.56.79", "+45 12 34 56 80", "1234 5681"],
    email="karen.hansen@bibliotek.dk",
    contact_phone="87654321",
)


# --------------------------------------------------------------------------- the key file


@pytest.fixture
def made(tmp_path: Path) -> tuple[Cli, str, Path]:
    cli, source = make_project(tmp_path, _FIXED)
    out = tmp_path / "ud"
    out.mkdir()
    return cli, source, out


def _key(path: Path) -> dict[str, str]:
    import csv

    with path.open(encoding="utf-8") as fh:
        return {row["pseudonym"]: row["original"] for row in csv.DictReader(fh)}


def test_key_maps_the_same_placeholders_in_every_export(made) -> None:
    cli, source, out = made
    result = cli("report", "quotes", "-n", "20", "--min-words", "1", "--out", str(out / "c.md"), "--pseudonymize",
                 "--key", str(out / "noegle.csv"))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert f"Nøglen til pseudonymerne er skrevet til {out / 'noegle.csv'}" in result.stderr
    key = _key(out / "noegle.csv")
    by_original = {v: k for k, v in key.items()}
    assert by_original[source] == "Kilde 1"
    karen = by_original["Karen Hansen"]
    assert karen in (out / "c.md").read_text(encoding="utf-8")
    # The same placeholders in the REFI-QDA project and the codings, with a key written as JSON.
    result = cli("refi", "export", str(out / "p.qdpx"), "--pseudonymize", "--key", str(out / "noegle.json"))
    assert result.exit_code == 0, result.stderr
    assert {r["pseudonym"]: r["original"] for r in json.loads((out / "noegle.json").read_text("utf-8"))} == key
    assert karen in readable(out / "p.qdpx") and "Kilde 1" in readable(out / "p.qdpx")
    result = cli("codings", "export", "--pseudonymize", "--key", str(out / "k2.csv"))
    assert result.exit_code == 0 and _key(out / "k2.csv") == key
    assert "Kilde 1," in result.stdout and karen in result.stdout
    result = cli("disagreements", "--coders", "anne,bo", "--all", "--pseudonymize", "--key", str(out / "k3.csv"))
    assert result.exit_code == 0 and _key(out / "k3.csv") == key and "Kilde 1" in result.stdout
    assert (out / "k3.csv").stat().st_mode & 0o077 == 0  # the key is its owner's alone


@pytest.mark.parametrize(
    "args, message",
    [
        (["report", "quotes", "--out", "{out}/c.md", "--key", "{out}/k.csv"], "kun ved pseudonymisering"),
        (["report", "quotes", "--out", "{out}/c.md", "--pseudonymize", "--key", "{out}/c.md"], "selve eksportfilen"),
        (["refi", "export", "{out}/p.qdpx", "--pseudonymize", "--key", "{out}/p.qdpx"], "selve eksportfilen"),
        (["codings", "export", "--out", "{out}/k.csv", "--pseudonymize", "--key", "{db}"], "projektets database"),
        (["report", "matrix", "--out", "{out}/m.csv", "--pseudonymize", "--key", "{out}"], "er en mappe"),
        (["report", "matrix", "--out", "{out}/m.csv", "--pseudonymize", "--key", "{out}/mangler/k.csv"], "findes ikke"),
        (["disagreements", "--coders", "anne,bo", "--pseudonymize", "--key", "/dev/null"], "almindelig fil"),
    ],
)
def test_a_bad_key_is_refused_before_anything_is_written(made, args, message) -> None:
    cli, _source, out = made
    db = Path(cli.db)
    before = db.read_bytes()
    args = [a.format(out=out, db=db) for a in args]
    result = cli(*args)
    assert result.exit_code != 0
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(out.iterdir()) == []  # neither the export nor a key
    assert db.read_bytes() == before


def test_a_symlink_to_the_export_is_the_export(made) -> None:
    cli, _source, out = made
    (out / "c.md").write_text("gammel\n", encoding="utf-8")
    (out / "link.csv").symlink_to(out / "c.md")
    result = cli("report", "quotes", "--out", str(out / "c.md"), "--pseudonymize", "--key", str(out / "link.csv"))
    assert result.exit_code != 0 and "selve eksportfilen" in result.stderr
    assert (out / "c.md").read_text(encoding="utf-8") == "gammel\n"
