"""Hostile files, built small in the tests themselves: zip bombs, XML and YAML bombs, deep trees.

A zip bomb's member is a raw deflate stream of zeros made from one
compressed mebibyte repeated (a full flush resets the compressor, so every
mebibyte compresses to the same bytes): 1 GiB of zeros is 1 MB on disk and
takes a fraction of a second to make. The archive is written by hand, so that
the sizes its directory claims can be lies.
"""

from __future__ import annotations

import sqlite3
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MiB = 1 << 20
GiB = 1 << 30

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SOURCE_GUID = "AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA"
TEXT = "I: Hvad betyder biblioteket for dig?\nP1: Her er altid nogen, der hilser.\n"


@dataclass
class Member:
    name: str
    raw: bytes  # the deflate stream (or the bytes themselves when stored)
    crc: int
    size: int  # the real unpacked size
    method: int = 8  # 8 deflate, 0 stored
    claimed_size: int | None = None  # what the directory says, when it lies
    claimed_packed: int | None = None


def member(name: str, data: bytes | str) -> Member:
    if isinstance(data, str):
        data = data.encode("utf-8")
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = c.compress(data) + c.flush()
    return Member(name, raw, zlib.crc32(data), len(data))


_ZEROS: dict[int, tuple[bytes, bytes, bytes]] = {}
_CRC: dict[int, int] = {}


def zeros(name: str, size: int = GiB, **claims: int) -> Member:
    """A member of ``size`` zero bytes (a whole number of MiB), about ``size / 1000`` packed."""
    assert size % MiB == 0
    if not _ZEROS:
        chunk = bytes(MiB)
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
        block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
        _ZEROS[0] = (first, block, c.flush())
    first, block, end = _ZEROS[0]
    count = size // MiB
    if count not in _CRC:
        crc = 0
        chunk = bytes(MiB)
        for _ in range(count):
            crc = zlib.crc32(chunk, crc)
        _CRC[count] = crc
    crc = _CRC[count]
    return Member(
        name,
        first + block * (count - 1) + end,
        crc,
        size,
        claimed_size=claims.get("claimed_size"),
        claimed_packed=claims.get("claimed_packed"),
    )


def write_zip(path: Path, members: list[Member]) -> Path:
    """A zip archive of ``members``, written by hand (sizes as claimed)."""
    out = bytearray()
    central = bytearray()
    for m in members:
        name = m.name.encode("utf-8")
        size = m.size if m.claimed_size is None else m.claimed_size
        packed = len(m.raw) if m.claimed_packed is None else m.claimed_packed
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, m.method, 0, 0x21, m.crc, packed, size, len(name), 0)
        out += name + m.raw
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0x800,
            m.method,
            0,
            0x21,
            m.crc,
            packed,
            size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0)
    path.write_bytes(bytes(out))
    return path


# --------------------------------------------------------------------------- REFI-QDA


def project_qde(source_path: str = f"internal://{SOURCE_GUID}.txt", codes: str = "", extra_sources: str = "") -> str:
    code_block = f"<CodeBook><Codes>{codes}</Codes></CodeBook>" if codes else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{PROJECT_NS}" name="fjendtlig" origin="test">'
        f"{code_block}<Sources>"
        f'<TextSource guid="{SOURCE_GUID}" name="Samtale" plainTextPath="{source_path}"/>{extra_sources}'
        "</Sources></Project>"
    )


def qdpx(path: Path, qde: str | bytes | None = None, extra: list[Member] | None = None, text: bool = True) -> Path:
    members = [member("project.qde", qde if qde is not None else project_qde())]
    if text:
        members.append(member(f"sources/{SOURCE_GUID}.txt", TEXT))
    return write_zip(path, members + list(extra or []))


def qdpx_bomb(path: Path, size: int = GiB, **claims: int) -> Path:
    """A ``.qdpx`` whose one source text is ``size`` zeros."""
    return write_zip(path, [member("project.qde", project_qde()), zeros(f"sources/{SOURCE_GUID}.txt", size, **claims)])


def nested_codes(depth: int, prefix: str = "C") -> str:
    opening = "".join(f'<Code guid="{_guid(i)}" name="{prefix}{i}" isCodable="true">' for i in range(depth))
    return opening + "</Code>" * depth


def _guid(i: int) -> str:
    return f"{i:08X}-0000-4000-8000-000000000000"


def deep_qdc(path: Path, depth: int) -> Path:
    path.write_text(
        f'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="{CODEBOOK_NS}" origin="test"><Codes>'
        + nested_codes(depth)
        + "</Codes></CodeBook>",
        encoding="utf-8",
    )
    return path


def billion_laughs(root: str = "Project", ns: str = PROJECT_NS, inner: str = "") -> str:
    """An XML document whose ``&lol9;`` would expand to 10^9 ``lol``s (a few hundred bytes)."""
    decl = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = "lol" if i == 1 else f"lol{i - 1}"
        decl.append(f'<!ENTITY lol{i} "' + f"&{prev};" * 10 + '">')
    body = inner or "&lol9;"
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n' + "\n".join(decl) + f'\n]>\n<{root} xmlns="{ns}">{body}</{root}>'
    )


def external_entity(target: Path, root: str = "Project", ns: str = PROJECT_NS, inner: str = "&ext;") -> str:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY ext SYSTEM "{target.as_uri()}">]>\n'
        f'<{root} xmlns="{ns}">{inner}</{root}>'
    )


# --------------------------------------------------------------------------- Office


CONTENT_TYPES_DOCX = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS_DOCX = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def document_xml(paragraphs: list[str], doctype: str = "") -> str:
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>' for p in paragraphs)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + doctype
        + f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    )


def docx(path: Path, document: str | Member) -> Path:
    """A minimal Word document (python-docx opens it) with ``document`` as word/document.xml."""
    doc = document if isinstance(document, Member) else member("word/document.xml", document)
    return write_zip(path, [member("[Content_Types].xml", CONTENT_TYPES_DOCX), member("_rels/.rels", RELS_DOCX), doc])


def with_doctype(root: str, entity: str = "&lol9;") -> Callable[[bytes], bytes]:
    """Puts a billion laughs DTD into an XML part, and ``entity`` into its first text (or before its end)."""

    def change(data: bytes) -> bytes:
        text = data.decode("utf-8")
        declaration, _, rest = text.partition("?>") if text.startswith("<?xml") else ("", "", text)
        head = declaration + _ if declaration else ""
        end = rest.index("</t>") if "</t>" in rest else rest.rindex("</")
        return (head + laughs_doctype(root) + rest[:end] + entity + rest[end:]).encode("utf-8")

    return change


def laughs_doctype(root: str) -> str:
    decl = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = "lol" if i == 1 else f"lol{i - 1}"
        decl.append(f'<!ENTITY lol{i} "' + f"&{prev};" * 10 + '">')
    return f"<!DOCTYPE {root} [" + "".join(decl) + "]>\n"


def xlsx_with(path: Path, replace: dict[str, str | Member | Callable[[bytes], bytes]] | None = None) -> Path:
    """A real workbook (openpyxl) with a column 'svar', some of its parts replaced (or changed by a function)."""
    import io
    import zipfile

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "svar"])
    ws.append(["R1", "Her er roligt."])
    buffer = io.BytesIO()
    wb.save(buffer)
    members: list[Member] = []
    with zipfile.ZipFile(buffer) as zf:
        for name in zf.namelist():
            new = (replace or {}).get(name)
            if isinstance(new, Member):
                members.append(new)
            elif callable(new):
                members.append(member(name, new(zf.read(name))))
            else:
                members.append(member(name, new if new is not None else zf.read(name)))
    return write_zip(path, members)


# --------------------------------------------------------------------------- YAML


def yaml_alias_bomb(levels: int = 9) -> str:
    """A YAML mapping whose aliases expand 9^levels times (a few hundred bytes)."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the project, before and after


def project_state(db: Path) -> tuple[bytes, dict[str, list[tuple]]]:
    """The database file's bytes and every table's rows (for "nothing changed")."""
    data = db.read_bytes()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        rows = {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        con.close()
    return data, rows
