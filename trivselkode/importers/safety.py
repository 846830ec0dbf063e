"""Opening files that others send: bounded unzipping and XML without a DTD.

A ``.qdpx``, ``.docx`` or ``.xlsx`` is a zip archive, and its parts are XML.
Both can be made to stand for far more than they hold:

* a member of a few megabytes can unpack to gigabytes (a "zip bomb"). Every
  member is unpacked in chunks, counting the bytes as they come, never
  trusting the sizes the archive's directory claims; a member that passes
  its limit ends the reading at once, before memory grows. The limit
  (:class:`UnpackLimit`): at most 1 GiB in all, and a member over 10 MB may
  be at most 100 times its packed size; ``--max-unpacked SIZE`` replaces both
  with one bound of its own;
* a member named ``../x`` or ``/etc/x`` points outside the archive: such an
  archive is refused whole (nothing here ever writes members to disk, but a
  program that made it is not to be trusted with the rest either);
* an XML part with a DTD (``<!DOCTYPE …>``) can declare entities that expand
  to gigabytes ("billion laughs") or that read other files and URLs. Word,
  Excel and the REFI-QDA programs never write one, so a part that has one is
  refused (:func:`refuse_dtd`) before any parser sees it.

python-docx and openpyxl open archives themselves; :func:`checked_office_file`
gives them an in-memory copy whose every member has passed these checks.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from trivselkode.errors import TrivselError
from trivselkode.i18n import _, format_integer, format_number, ngettext

__all__ = [
    "DEFAULT_MAX_UNPACKED",
    "SafeZip",
    "UnpackLimit",
    "checked_office_file",
    "format_size",
    "has_dtd",
    "parse_size",
    "read_regular_file",
    "refuse_dtd",
]

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
DEFAULT_MAX_UNPACKED = GiB
RATIO = 100  # how many times its packed size a large member may unpack to
RATIO_FROM = 10 * 1000 * 1000  # … from this size on (10 MB)
CHUNK = MiB
_OPTION = "--max-unpacked"

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "t": 1000**4,
    "tb": 1000**4,
    "kib": KiB,
    "mib": MiB,
    "gib": GiB,
    "tib": 1 << 40,
}
_SIZE_RE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_size(text: str, option: str = _OPTION) -> int:
    """A size in bytes from ``2GiB``, ``500MB``, ``1.5G`` or ``1000000`` (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024)."""
    match = _SIZE_RE.match(str(text))
    unit = _UNITS.get(match.group(2).lower()) if match else None
    if match is None or unit is None:
        raise TrivselError(
            _("{option} '{text}' er ikke en størrelse").format(option=option, text=text),
            hint=_("skriv fx 2GiB, 500MB eller 1500000000 (bytes)"),
        )
    size = int(float(match.group(1).replace(",", ".")) * unit)
    if size < 1:
        raise TrivselError(
            _("{option} skal være større end 0").format(option=option), hint=_("skriv fx 2GiB eller 500MB")
        )
    return size


def format_size(size: int) -> str:
    """``1 GiB``, ``100 MiB``, ``12 KiB``, ``300 bytes``."""
    for unit, name in ((GiB, "GiB"), (MiB, "MiB"), (KiB, "KiB")):
        if size >= unit:
            value = size / unit
            shown = format_number(value, 0 if value >= 10 or value.is_integer() else 1)
            return f"{shown} {name}"
    return ngettext("{n} byte", "{n} bytes", size).format(n=format_integer(size))


@dataclass(frozen=True)
class UnpackLimit:
    """How much an archive may unpack to: ``total`` in all, and per member (see the module)."""

    total: int = DEFAULT_MAX_UNPACKED
    explicit: bool = False  # set by the user (--max-unpacked): one bound, no ratio

    @classmethod
    def of(cls, value: UnpackLimit | int | str | None) -> UnpackLimit:
        """The default (None), a size in bytes, a size as text (``2GiB``) or a limit as it is."""
        if value is None:
            return cls()
        if isinstance(value, UnpackLimit):
            return value
        size = parse_size(value) if isinstance(value, str) else int(value)
        return cls(total=size, explicit=True)

    def for_member(self, packed: int) -> int:
        if self.explicit:
            return self.total
        return min(self.total, max(RATIO_FROM, RATIO * packed))


def _bad_name(name: str) -> bool:
    """A member name that points outside the archive: absolute, a drive, or a ``..`` step."""
    path = name.replace("\\", "/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return True
    return ".." in path.split("/")


class SafeZip:
    """A zip archive whose member names are checked on opening and whose members are read within limits.

    ``what`` names the kind of file in messages (``REFI-QDA-projektet``,
    ``Word-dokumentet``); ``hint`` is how to get a good file instead.
    """

    def __init__(self, path: str | Path, limit: UnpackLimit | int | str | None = None, *, hint: str) -> None:
        self.path = Path(path)
        self.limit = UnpackLimit.of(limit)
        self.hint = hint
        self.used = 0
        try:
            self.size = os.stat(self.path).st_size
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise TrivselError(
                _("{path} er et ødelagt zip-arkiv ({reason})").format(path=self.path, reason=_reason(exc)), hint=hint
            ) from None
        try:
            self.infos = [i for i in self.zip.infolist() if not i.is_dir()]
            for info in self.zip.infolist():
                if _bad_name(info.filename):
                    raise TrivselError(
                        _(
                            "{path} indeholder filen '{filename}', hvis sti peger uden for arkivet; intet fra filen er importeret"
                        ).format(path=self.path, filename=info.filename),
                        hint=_("sådan et arkiv er lavet til at skade; bed afsenderen om at eksportere filen igen"),
                    )
        except BaseException:
            self.zip.close()
            raise

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()

    def namelist(self) -> list[str]:
        return [i.filename for i in self.infos]

    def _too_big(self, name: str, limit: int, packed: int, in_all: bool) -> TrivselError:
        if in_all:
            what = _("arkivets indhold ville fylde over {format_size}, når {name} pakkes ud").format(
                format_size=format_size(self.limit.total), name=name
            )
        else:
            what = _("{name} ville fylde over {format_size}, når den pakkes ud ({format_size2} pakket)").format(
                name=name, format_size=format_size(limit), format_size2=format_size(packed)
            )
        return TrivselError(
            _("{path}: {what} – det ligner en zip-bombe, og intet fra filen er importeret").format(
                path=self.path, what=what
            ),
            hint=_("stoler du på filen, så hæv grænsen med {OPTION}, fx {OPTION} 2GiB").format(OPTION=_OPTION),
        )

    def read(self, name: str) -> bytes:
        """The unpacked bytes of member ``name``, counted as they come (see the module for the limits)."""
        info = self.zip.getinfo(name)
        packed = min(info.compress_size, self.size)
        own = self.limit.for_member(packed)
        left = self.limit.total - self.used
        limit, in_all = (own, False) if own <= left else (left, True)
        if info.file_size > limit:  # it says so itself
            raise self._too_big(name, limit, packed, in_all)
        if info.file_size > RATIO_FROM:
            # A large member is unpacked once without keeping anything, so that one whose
            # directory entry lies (its checksum fails only at the end) never takes memory.
            self._unpack(info, limit, packed, in_all, None)
        out = io.BytesIO()
        count = self._unpack(info, limit, packed, in_all, out)
        self.used += count
        return out.getvalue()

    def _unpack(self, info: zipfile.ZipInfo, limit: int, packed: int, in_all: bool, out: io.BytesIO | None) -> int:
        count = 0
        try:
            with self.zip.open(info) as member:
                while True:
                    chunk = member.read(CHUNK)
                    if not chunk:
                        break
                    count += len(chunk)
                    if count > limit:
                        raise self._too_big(info.filename, limit, packed, in_all)
                    if out is not None:
                        out.write(chunk)
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            EOFError,
            NotImplementedError,
            RuntimeError,
            ValueError,
        ) as exc:
            raise TrivselError(
                _("{path}: {filename} i arkivet kan ikke pakkes ud ({reason}); intet fra filen er importeret").format(
                    path=self.path, filename=info.filename, reason=_reason(exc)
                ),
                hint=self.hint,
            ) from None
        return count


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "CRC" in text:
        return _("kontrolsummen passer ikke: arkivet er ødelagt eller forfalsket")
    if "password" in text or "encrypted" in text:
        return _("filen er krypteret")
    if "compression method" in text:
        return _("ukendt komprimering")
    return text[:160]


# --------------------------------------------------------------------------- XML


class _Stop(Exception):
    pass


class _Prolog:
    """A parser target that stops at the DTD or at the root element, whichever comes first."""

    def __init__(self) -> None:
        self.dtd: str | None = None

    def doctype(self, name: str | None, pubid: str | None, system: str | None) -> None:
        self.dtd = name or "?"
        raise _Stop

    def start(self, tag: str, attrib: object, nsmap: object = None) -> None:
        raise _Stop

    def close(self) -> None:
        return None


def has_dtd(data: bytes) -> bool:
    """Whether the XML ``data`` declares a DTD (``<!DOCTYPE``) before its root element.

    Only the prolog is read (in any encoding XML allows); nothing is
    expanded or fetched. Data that is no XML has no DTD.
    """
    target = _Prolog()
    parser = etree.XMLParser(target=target, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        for at in range(0, max(len(data), 1), 64 * KiB):
            parser.feed(data[at : at + 64 * KiB])
        parser.close()
    except _Stop:
        pass
    except etree.XMLSyntaxError:
        pass
    return target.dtd is not None


def refuse_dtd(data: bytes, where: str, hint: str) -> None:
    """Raise a one-line :class:`TrivselError` when the XML ``data`` has a DTD (see the module)."""
    if has_dtd(data):
        raise TrivselError(
            _(
                "{where} indeholder en DTD (<!DOCTYPE …>), som hverken Word, Excel eller REFI-QDA-programmerne skriver; den kan gemme en XML-bombe eller hente andre filer, så intet fra filen er importeret"
            ).format(where=where),
            hint=hint,
        )


def _looks_like_xml(name: str, data: bytes) -> bool:
    if name.lower().endswith((".xml", ".rels", ".vml", ".qde", ".qdc")):
        return True
    head = data[:4]
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"<\x00", b"\x00<"):
        return True
    return data[:256].lstrip().startswith(b"<")


def checked_office_file(path: str | Path, limit: UnpackLimit | int | str | None, *, hint: str) -> io.BytesIO:
    """An in-memory copy of the ``.docx``/``.xlsx`` at ``path`` for python-docx or openpyxl.

    Every member is unpacked within the limits and every XML part is checked
    for a DTD; the copy stores the members as they are, uncompressed.
    """
    out = io.BytesIO()
    with SafeZip(path, limit, hint=hint) as archive, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in archive.infos:
            data = archive.read(info.filename)
            if _looks_like_xml(info.filename, data):
                refuse_dtd(data, f"{path}:{info.filename}", hint)
            copy.writestr(zipfile.ZipInfo(info.filename, date_time=info.date_time), data)
            del data
    out.seek(0)
    return out


# --------------------------------------------------------------------------- plain files


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (no FIFO, device or folder), at most ``limit`` of them."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block the open itself
            raise TrivselError(_("{path} er ikke en almindelig fil og kan ikke læses som tekst").format(path=path))
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise TrivselError(_("{path} kan ikke læses: {value}").format(path=path, value=exc.strerror or exc)) from None
    if len(data) > limit:
        raise TrivselError(
            _("{path} fylder over {format_size}; intet er importeret").format(
                path=path, format_size=format_size(limit)
            ),
            hint=_("hæv grænsen med {OPTION}, hvis filen virkelig skal med").format(OPTION=_OPTION),
        )
    return data
