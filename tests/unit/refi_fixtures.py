"""REFI-QDA files as other programs write them, built by the tests themselves.

The real files in ``../shared/refi-qda/samples`` are not part of the
repository; each builder here reproduces, in a few lines of our own text,
what one program does that the import has to cope with:

* :func:`nvivo_qdpx` — NVivo 12: ``Sources/`` with a capital S, a UTF-8 text
  with a BOM and CRLF line ends, emoji outside the BMP, positions counted in
  UTF-16 code units (CRLF as 2, BOM not counted), empty ``<Description />``
  and ``name=""`` on every selection, a ``.docx`` rich text beside the
  ``.txt``, a non-codable grouping code;
* :func:`atlas_qde` — ATLAS.ti 8: a bare ``.qde`` whose texts are not
  included, flattened ``Parent::child`` code names, pictures, PDFs, audio,
  video, notes, links, sets and a graph;
* :func:`taguette_qdc` — Taguette 1.4: a flat codebook with an empty
  ``<Sets/>``, which the schema does not allow;
* :func:`qc_qdpx` — qc (``qualitative-coding``): ``plainTextPath`` without
  ``internal://``, naming a file inside ``sources/`` (also in a sub-folder),
  no source names, one selection per coded line (code points, the line end
  included);
* :func:`openqda_qdc` / :func:`openqda_qdpx` — OpenQDA: code ids such as
  ``c001`` that are no GUIDs, referred to by ``CodeRef targetGUID="c001"``.
"""

from __future__ import annotations

import codecs
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

_NS = uuid.UUID("0b6f6f5e-7a61-4c1f-9d1e-5245464954a1")


def gid(*parts: object) -> str:
    """A stable GUID for a fixture thing (upper case, as NVivo and ATLAS.ti write them)."""
    return str(uuid.uuid5(_NS, "/".join(map(str, parts)))).upper()


def utf16_units(text: str) -> int:
    """How many UTF-16 code units ``text`` is (what NVivo counts)."""
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------- NVivo 12


NVIVO_TEXT = (
    "Kommentarer fra en video om biblioteket 📚\r\n"
    "\r\n"
    "anna_k: Jeg kommer her hver tirsdag 😀 og det er mit frirum.\r\n"
    "bo1984: Personalet hilser altid 🙂🙂 – man føler sig velkommen.\r\n"
    "\r\n"
    "c.lind: Stilheden er det bedste 🧘 ved stedet, især om morgenen.\r\n"
    "dorthe: Min datter lærte at læse her 👧📖 og nu låner hun selv.\r\n"
    "emil_r: Arrangementerne er gode 👍, men kaffen kunne være bedre ☕.\r\n"
)

#: (code name path, quoted text) of each NVivo selection, in file order.
NVIVO_QUOTES = [
    ("Følelser/Glæde", "Jeg kommer her hver tirsdag 😀 og det er mit frirum."),
    ("Følelser/Glæde", "😀"),
    ("Personale", "Personalet hilser altid 🙂🙂 – man føler sig velkommen."),
    ("Følelser/Tryghed", "man føler sig velkommen"),
    ("Rummet/Ro", "Stilheden er det bedste 🧘 ved stedet"),
    ("Læring", "Min datter lærte at læse her 👧📖 og nu låner hun selv."),
    ("Arrangementer", "Arrangementerne er gode 👍, men kaffen kunne være bedre ☕."),
    # across a CRLF: from one comment into the next
    ("Følelser/Tryghed", "velkommen.\r\n\r\nc.lind: Stilheden"),
]


def nvivo_qdpx(folder: Path) -> Path:
    """A ``.qdpx`` as NVivo 12 for Windows writes it (see the module docstring)."""
    users = [(gid("nvivo", "user", n), n) for n in ("Gergo", "floriansipos")]
    codes = {
        "Følelser": gid("nvivo", "code", "Følelser"),
        "Følelser/Glæde": gid("nvivo", "code", "Glæde"),
        "Følelser/Tryghed": gid("nvivo", "code", "Tryghed"),
        "Personale": gid("nvivo", "code", "Personale"),
        "Rummet": gid("nvivo", "code", "Rummet"),
        "Rummet/Ro": gid("nvivo", "code", "Ro"),
        "Læring": gid("nvivo", "code", "Læring"),
        "Arrangementer": gid("nvivo", "code", "Arrangementer"),
    }
    src, empty = gid("nvivo", "source", 1), gid("nvivo", "source", 2)
    selections = []
    for n, (code, quote) in enumerate(NVIVO_QUOTES):
        start = NVIVO_TEXT.index(quote)  # each quote is in the text once
        end = start + len(quote)
        a, b = utf16_units(NVIVO_TEXT[:start]), utf16_units(NVIVO_TEXT[:end])
        user = users[n % 2][0]
        selections.append(
            f'<PlainTextSelection guid="{gid("nvivo", "sel", n)}" name="" startPosition="{a}" endPosition="{b}"'
            f' creatingUser="{user}" creationDateTime="2019-10-30T09:00:00Z"><Description />'
            f'<Coding guid="{gid("nvivo", "coding", n)}" creatingUser="{user}" creationDateTime="2019-10-30T09:00:00Z">'
            f'<CodeRef targetGUID="{codes[code]}" /></Coding></PlainTextSelection>'
        )

    def code(path: str, inner: str = "", codable: str = "true", description: str = "") -> str:
        desc = f"<Description>{description}</Description>" if description else ""
        name = path.rsplit("/", 1)[-1]
        return f'<Code guid="{codes[path]}" name="{name}" isCodable="{codable}">{desc}{inner}</Code>'

    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\r\n'
        '<Project name="oltas" origin="NVivo for Windows 12.6" xmlns="urn:QDA-XML:project:1.0">'
        "<Users>" + "".join(f'<User guid="{g}" name="{n}" />' for g, n in users) + "</Users>"
        "<CodeBook><Codes>"
        + code(
            "Følelser",
            code("Følelser/Glæde") + code("Følelser/Tryghed", description="At føle sig velkommen"),
            codable="false",
        )
        + code("Personale")
        + code("Rummet", code("Rummet/Ro"))
        + code("Læring")
        + code("Arrangementer")
        + "</Codes></CodeBook>"
        "<Sources>"
        f'<TextSource guid="{src}" name="videos_selected" richTextPath="internal://{src.lower()}.docx"'
        f' plainTextPath="internal://{src.lower()}.txt" creatingUser="{users[0][0]}">'
        + "".join(selections)
        + "</TextSource>"
        f'<TextSource guid="{empty}" name="videos_other" richTextPath="internal://{empty.lower()}.docx"'
        f' plainTextPath="internal://{empty.lower()}.txt" />'
        "</Sources></Project>"
    )
    out = folder / "nvivo.qdpx"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("project.qde", xml.encode("utf-8"))
        zf.writestr(f"Sources/{src.lower()}.txt", codecs.BOM_UTF8 + NVIVO_TEXT.encode("utf-8"))
        zf.writestr(f"Sources/{src.lower()}.docx", b"PK\x03\x04 not really a docx")
        zf.writestr(f"Sources/{empty.lower()}.txt", codecs.BOM_UTF8 + b"En anden tekst uden kodninger.\r\n")
        zf.writestr(f"Sources/{empty.lower()}.docx", b"PK\x03\x04 not really a docx")
    return out


# --------------------------------------------------------------------------- ATLAS.ti 8


def atlas_qde(folder: Path) -> Path:
    """A bare ``.qde`` as ATLAS.ti 8 writes it (see the module docstring)."""
    user = gid("atlas", "user")
    other = gid("atlas", "user", 2)
    names = [
        ("Kaffe", "#f00082"),
        ("Kaffe::sort kaffe", "#00ff00"),
        ("Kaffe::latte", None),
        ("Glæde", "#123456"),
        ("Te", None),
    ]
    codes = {n: gid("atlas", "code", n) for n, _c in names}
    code_xml = "".join(
        f'<Code guid="{codes[n]}" name="{n}" isCodable="true"'
        + (f' color="{c}"' if c else "")
        + ">"
        + ("<Description>uden mælk</Description>" if n == "Kaffe::sort kaffe" else "")
        + "</Code>"
        for n, c in names
    )

    def coding(n: int, code: str) -> str:
        return f'<Coding guid="{gid("atlas", "coding", n)}" creatingUser="{user}"><CodeRef targetGUID="{codes[code]}"/></Coding>'

    text = gid("atlas", "text")
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="ATLAS.ti projekt" origin="ATLAS.ti 8.4.0" basePath="/Users/someone/Documents">
  <Users><User guid="{user}" name="ATLAS.ti"/><User guid="{other}" name="Friedrich Markgraf"/></Users>
  <CodeBook><Codes>{code_xml}</Codes></CodeBook>
  <Sources>
    <TextSource guid="{text}" name="Interview.docx" plainTextPath="internal://{gid("atlas", "textfile")}.txt" creatingUser="{other}">
      <PlainTextSelection guid="{gid("atlas", "sel", 1)}" name="Jeg drikker kaffe" startPosition="3" endPosition="20" creatingUser="{other}">{coding(1, "Kaffe::sort kaffe")}</PlainTextSelection>
    </TextSource>
    <PictureSource guid="{gid("atlas", "picture")}" name="morgenmad.jpg" path="internal://{gid("atlas", "picfile")}.jpg">
      <PictureSelection guid="{gid("atlas", "picsel")}" name="Citat 6:1" firstX="1" firstY="2" secondX="30" secondY="40">{coding(2, "Glæde")}</PictureSelection>
    </PictureSource>
    <PDFSource guid="{gid("atlas", "pdf")}" name="Opskrift.pdf" path="internal://{gid("atlas", "pdffile")}.pdf">
      <PDFSelection guid="{gid("atlas", "pdfsel")}" name="granola" page="1" firstX="1" firstY="2" secondX="3" secondY="4">{coding(3, "Te")}</PDFSelection>
      <Representation guid="{gid("atlas", "repr")}" name="Representation_for_Opskrift" plainTextPath="internal://{gid("atlas", "reprfile")}.txt"/>
    </PDFSource>
    <AudioSource guid="{gid("atlas", "audio")}" name="Morgenmad.m4a" path="relative:///{gid("atlas", "audiofile")}.m4a"/>
    <VideoSource guid="{gid("atlas", "video")}" name="Reklame.mp4" path="relative:///{gid("atlas", "videofile")}.mp4">
      <Transcript guid="{gid("atlas", "transcript")}" name="Reklame - lyd.docx" plainTextPath="internal://{gid("atlas", "transfile")}.txt"/>
      <VideoSelection guid="{gid("atlas", "vidsel")}" name="00:16.17 – 00:45.35" begin="16170" end="45350">{coding(4, "Kaffe::latte")}</VideoSelection>
    </VideoSource>
  </Sources>
  <Notes>
    <Note guid="{gid("atlas", "note")}" name="Forskningsplan"><PlainTextContent>Hvad spiser folk til morgenmad?</PlainTextContent></Note>
  </Notes>
  <Links><Link guid="{gid("atlas", "link")}" name="Memo-citat" originGUID="{gid("atlas", "note")}" targetGUID="{gid("atlas", "sel", 1)}"/></Links>
  <Sets><Set guid="{gid("atlas", "set")}" name="Mabel"><MemberSource targetGUID="{text}"/></Set></Sets>
  <Graphs><Graph guid="{gid("atlas", "graph")}" name="Netværk">
    <Vertex guid="{gid("atlas", "v1")}" representedGUID="{codes["Glæde"]}" name="Glæde" firstX="0" firstY="0"/>
  </Graph></Graphs>
</Project>
"""
    out = folder / "atlas.qde"
    out.write_text(xml, encoding="utf-8")
    return out


# --------------------------------------------------------------------------- Taguette


def taguette_qdc(folder: Path) -> Path:
    """A codebook as Taguette 1.4 writes it: three flat codes and an empty, schema-invalid ``<Sets/>``."""
    codes = "".join(
        f'<Code guid="{gid("taguette", n)}" name="{n}" isCodable="true"/>' for n in ("ro", "fællesskab", "personale")
    )
    out = folder / "taguette.qdc"
    out.write_text(
        f'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.4.1">'
        f"<Codes>{codes}</Codes><Sets/></CodeBook>\n",
        encoding="utf-8",
    )
    return out


# --------------------------------------------------------------------------- qc (qualitative-coding)


def _qc_guid(value: str) -> str:
    """qc's GUIDs: the first 16 hex digits of an MD5, as the bytes of a UUID (lower case)."""
    import hashlib

    return str(uuid.UUID(bytes=hashlib.md5(value.encode("utf-8")).hexdigest()[:16].encode("utf-8")))


QC_FILES = {
    "holstebro.txt": (
        "I: Hvad betyder biblioteket for dig?\n"
        "P1: Jeg får lidt tro på verden, hver gang jeg går herfra.\n"
        "I: Hvordan har du det bagefter?\n"
        "P1: Jeg bliver et roligere menneske. Det er som om tempoet falder.\n"
        "P2: Her er altid nogen, der hilser, og ingen kigger skævt.\n"
    ),
    "runde2/viborg.txt": (
        "I: Hvorfor kommer du her?\n"
        "P3: For fællesskabet, men uden at nogen forventer noget af mig.\n"
        "P4: Jeg læser avisen og drikker kaffe, det er min morgen.\n"
        "P3: Og personalet kender mit navn.\n"
    ),
}
#: (file, 0-based line, code name, coder) of every qc coding.
QC_CODINGS = [
    ("holstebro.txt", 1, "tryghed", "chris"),
    ("holstebro.txt", 1, "mening", "chris"),
    ("holstebro.txt", 3, "ro", "chris"),
    ("holstebro.txt", 3, "ro", "ana"),
    ("holstebro.txt", 4, "tryghed", "ana"),
    ("holstebro.txt", 4, "fællesskab", "chris"),
    ("runde2/viborg.txt", 1, "fællesskab", "ana"),
    ("runde2/viborg.txt", 1, "lavt pres", "ana"),
    ("runde2/viborg.txt", 2, "ro", "chris"),
    ("runde2/viborg.txt", 3, "personale", "chris"),
]
#: qc's codebook: parents with their children.
QC_CODEBOOK = {"følelser": ["tryghed", "ro", "mening"], "socialt": ["fællesskab", "personale", "lavt pres"]}


def qc_qdpx(folder: Path) -> Path:
    """A ``.qdpx`` as qc writes it (see the module docstring)."""
    code_guids: dict[str, str] = {}

    def code_xml(name: str, path: str, children: list[str]) -> str:
        g = _qc_guid(path)
        code_guids.setdefault(name, g)
        inner = "".join(code_xml(c, f"{path}:{c}", []) for c in children)
        return f'<Code name="{name}" guid="{g}" isCodable="true">{inner}</Code>'

    codebook = "".join(code_xml(parent, parent, children) for parent, children in QC_CODEBOOK.items())
    coders = sorted({c for *_rest, c in QC_CODINGS})
    users = "".join(f'<User name="{c}" guid="{_qc_guid(c)}" />' for c in coders)
    sources = []
    for path, text in QC_FILES.items():
        lines = text.splitlines(keepends=True)
        spans, at = [], 0
        for line in lines:
            spans.append((at, at + len(line)))
            at += len(line)
        selections = []
        for line_no in sorted({n for f, n, *_ in QC_CODINGS if f == path}):
            codings = "".join(
                f'<Coding guid="{_qc_guid(f"{path}:{line_no}:{coder}:{code}")}" creatingUser="{_qc_guid(coder)}">'
                f'<CodeRef targetGUID="{code_guids[code]}" /></Coding>'
                for f, n, code, coder in QC_CODINGS
                if f == path and n == line_no
            )
            a, b = spans[line_no]
            selections.append(
                f'<PlainTextSelection guid="{_qc_guid(f"{path}:{line_no}")}" name="line:{line_no}"'
                f' startPosition="{a}" endPosition="{b}">{codings}</PlainTextSelection>'
            )
        sources.append(f'<TextSource plainTextPath="{path}" guid="{_qc_guid(path)}">{"".join(selections)}</TextSource>')
    xml = (
        '<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' origin="qc 2.3.1" name="qc project">'
        f"<Users>{users}</Users><CodeBook><Codes>{codebook}</Codes></CodeBook><Sources>{''.join(sources)}</Sources></Project>"
    )
    out = folder / "qc.qdpx"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("project.qde", xml)
        for path, text in QC_FILES.items():
            zf.writestr(f"sources/{path}", text.encode("utf-8"))
    return out


# --------------------------------------------------------------------------- OpenQDA


@dataclass
class OpenQdaBook:
    """OpenQDA-style codes: four groups ``c001``…``c004``, ten children each with ids ``c0``…``c39``."""

    groups: dict[str, str] = field(default_factory=dict)  # id -> name
    children: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # group id -> [(id, name)]

    @property
    def count(self) -> int:
        return len(self.groups) + sum(len(c) for c in self.children.values())


def openqda_book() -> OpenQdaBook:
    book = OpenQdaBook()
    n = 0
    for g, group in enumerate(("Negativ/Ophidset", "Negativ/Rolig", "Positiv/Ophidset", "Positiv/Rolig"), start=1):
        gid_ = f"c{g:03d}"
        book.groups[gid_] = group
        book.children[gid_] = []
        for k in range(10):
            book.children[gid_].append((f"c{n}", f"{group.split('/')[0]} følelse {k + 1}"))
            n += 1
    return book


def _openqda_codes(book: OpenQdaBook) -> str:
    out = []
    for gid_, name in book.groups.items():
        kids = "".join(
            f'\n            <Code guid="{cid}"\n                  name={quoteattr(cname)}\n                  isCodable="true"\n'
            f'                  color="#c95858">\n            </Code>'
            for cid, cname in book.children[gid_]
        )
        out.append(
            f'\n        <Code guid="{gid_}"\n              name={quoteattr(name)}\n              isCodable="true"\n'
            f'              color="#e57373">\n            <Description>\n                Alle følelser i gruppen {name}.\n'
            f"            </Description>{kids}\n        </Code>"
        )
    return "".join(out)


def openqda_qdc(folder: Path) -> Path:
    """A ``.qdc`` with OpenQDA's ids (``c001``), 44 codes in two levels."""
    out = folder / "openqda.qdc"
    out.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"\n'
        f'          origin="OpenQDA">\n    <Codes>{_openqda_codes(openqda_book())}\n    </Codes>\n</CodeBook>',
        encoding="utf-8",
    )
    return out


OPENQDA_TEXT = "Jeg blev glad, da jeg kom ind.\nMen køen ved skranken gjorde mig vred.\n"


def openqda_qdpx(folder: Path) -> Path:
    """A ``.qdpx`` with OpenQDA's code ids, and codings that refer to them (``CodeRef targetGUID="c0"``)."""
    book = openqda_book()
    src = gid("openqda", "source")
    user = gid("openqda", "user")
    happy = OPENQDA_TEXT.index("glad")
    angry = OPENQDA_TEXT.index("vred")
    selections = (
        f'<PlainTextSelection guid="{gid("openqda", "s1")}" startPosition="{happy}" endPosition="{happy + 4}">'
        f'<Coding guid="{gid("openqda", "k1")}" creatingUser="{user}"><CodeRef targetGUID="c20"/></Coding></PlainTextSelection>'
        f'<PlainTextSelection guid="{gid("openqda", "s2")}" startPosition="{angry}" endPosition="{angry + 4}">'
        f'<Coding guid="{gid("openqda", "k2")}" creatingUser="{user}"><CodeRef targetGUID="c0"/></Coding>'
        f'<Coding guid="{gid("openqda", "k3")}" creatingUser="{user}"><CodeRef targetGUID="c001"/></Coding></PlainTextSelection>'
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="OpenQDA" origin="OpenQDA">'
        f'<Users><User guid="{user}" name="openqda"/></Users>'
        f"<CodeBook><Codes>{_openqda_codes(book)}</Codes></CodeBook>"
        f'<Sources><TextSource guid="{src}" name="Samtale" plainTextPath="internal://{src}.txt">{selections}</TextSource></Sources>'
        "</Project>"
    )
    out = folder / "openqda.qdpx"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("project.qde", xml)
        zf.writestr(f"sources/{src}.txt", OPENQDA_TEXT)
    return out
