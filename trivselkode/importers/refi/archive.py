"""Opening a REFI-QDA file: the ``.qdpx`` archive unpacked safely, source files found by their paths.

An archive's members are unpacked within limits
(:class:`~trivselkode.importers.safety.UnpackLimit`), an archive with a
member named ``../x`` or ``/x`` is refused whole, and a path that points
outside the file is read only from a folder the caller names (``sources_dir``).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.importers.refi.model import RefiDocument
from trivselkode.importers.refi.read import parse_document, parse_xml
from trivselkode.importers.safety import SafeZip, UnpackLimit, read_regular_file


@dataclass
class RefiFile:
    """An opened ``.qdpx``/``.qde``/``.qdc``: its document and its source files.

    Source files are read from the archive (or the ``sources/`` folder beside
    a bare ``.qde``), and from ``sources_dir`` only when one is given (see the
    module); ``limit`` bounds what is unpacked or read.
    """

    path: Path
    kind: str  # "qdpx", "qde" or "qdc"
    document: RefiDocument
    archive: SafeZip | None = None
    _members: dict[str, str] = field(default_factory=dict)  # lower-case file name -> member
    _files: dict[str, str] = field(default_factory=dict)  # lower-case path below the .qde's folder -> member
    sources_dir: Path | None = None
    limit: UnpackLimit = field(default_factory=UnpackLimit)

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def read_source_file(self, path: str) -> tuple[bytes | None, str]:
        """The bytes of the file a ``plainTextPath`` names, and why not when None.

        Returns ``(None, reason)`` when the file is not read: ``missing-internal``,
        ``not-in-archive``, ``not-included``, ``outside`` (it points outside the
        file and no ``sources_dir`` allows it) or ``not-in-sources-dir``.
        """
        path = path.strip()
        if path.startswith("internal://"):
            name = PurePosixPath(path[len("internal://") :].replace("\\", "/")).name
            if self.archive is not None:
                member = self._members.get(name.lower())
                if member is None:
                    return None, "missing-internal"
                return self.archive.read(member), ""
            return self._beside(name)
        inner = _inside_path(path)
        if inner is not None:  # qc writes "interview.txt" for sources/interview.txt
            if self.archive is not None:
                member = self._files.get(("sources/" + inner).lower()) or self._files.get(inner.lower())
                if member is None:
                    return None, "not-in-archive"
                return self.archive.read(member), ""
            return self._beside(inner)
        # Absolute, file://, relative://, "../x.txt": outside the file, never read against the current folder.
        if self.sources_dir is None:
            return None, "outside"
        return self._from_sources_dir(path)

    def read_note_files(self) -> list[str]:
        """Read the text of the notes kept in files of their own; a line for each note not read for being outside."""
        skipped = []
        for note in self.document.notes.values():
            if note.text is None and note.plain_text_path:
                data, reason = self.read_source_file(note.plain_text_path)
                if data is not None:
                    note.text = decode_raw(data, f"{self.path}:{note.plain_text_path}")
                elif reason == "outside":
                    skipped.append(
                        _(
                            "notatet '{name}': tekstfilen {plain_text_path} ligger uden for filen og læses kun fra en mappe, du tillader med --sources-dir MAPPE"
                        ).format(name=note.name, plain_text_path=note.plain_text_path)
                    )
        return skipped

    def _beside(self, inner: str) -> tuple[bytes | None, str]:
        """A file in the ``sources/`` folder beside a bare ``.qde`` (a link out of that folder is not followed)."""
        for folder in ("sources", "Sources"):
            base = self.path.parent / folder
            candidate = base / inner
            if candidate.is_file():
                try:
                    inside = candidate.resolve().is_relative_to(base.resolve())
                except (OSError, RuntimeError):
                    inside = False
                if not inside:
                    return None, "outside"
                return read_regular_file(candidate, self.limit.total), ""
        return None, "not-included"

    def _from_sources_dir(self, path: str) -> tuple[bytes | None, str]:
        """The file ``path`` names, if it lies in ``sources_dir`` once symbolic links are resolved."""
        assert self.sources_dir is not None
        root = self.sources_dir.resolve()
        raw = path.replace("\\", "/")
        candidates: list[Path] = []
        if raw.lower().startswith("file://"):
            url = urlsplit(path)
            if url.netloc in ("", "localhost"):
                candidates.append(Path(unquote(url.path)))
        elif raw.startswith("relative://"):
            candidates.append(root / raw[len("relative://") :].lstrip("/"))
        elif raw.startswith("/"):
            candidates.append(Path(raw))
        elif not _SCHEME_RE.match(raw):
            candidates.append(root / raw)
        # The file's name in the folder: paths are the sender's (C:\Users\…\interview.txt).
        name = raw.rstrip("/").rsplit("/", 1)[-1]
        if name not in ("", ".", ".."):
            candidates.append(root / unquote(name))
        escaped = False
        for candidate in candidates:
            try:
                real = candidate.resolve(strict=True)
            except (OSError, RuntimeError, ValueError):
                continue
            if not real.is_relative_to(root):
                # Only what is in the folder counts; a link from inside it to elsewhere is refused.
                escaped = escaped or candidate.absolute().parent.resolve().is_relative_to(root)
                continue
            if real.is_file():
                return read_regular_file(real, self.limit.total), ""
        return None, "link-out-of-sources-dir" if escaped else "not-in-sources-dir"


_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _inside_path(path: str) -> str | None:
    """``path`` as a path inside the archive's ``sources/`` folder, or None when it points elsewhere.

    A relative path without a scheme, a drive letter or ``..`` is inside
    (``interview.txt``, ``round2/interview.txt``, ``sources/interview.txt``).
    """
    path = path.replace("\\", "/").strip()
    if not path or path.startswith("/") or _SCHEME_RE.match(path):
        return None
    parts = [p for p in PurePosixPath(path).parts if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    if len(parts) > 1 and parts[0].lower() == "sources":
        parts = parts[1:]
    return "/".join(parts)


def open_refi(
    path: str | Path,
    *,
    sources_dir: str | Path | None = None,
    max_unpacked: UnpackLimit | int | str | None = None,
) -> RefiFile:
    """Open a REFI-QDA file, telling ``.qdpx`` (zip) from ``.qde``/``.qdc`` (XML) by content.

    ``sources_dir`` is a folder from which source files outside the file may
    be read; ``max_unpacked`` bounds unpacking (see
    :class:`~trivselkode.importers.safety.UnpackLimit`).
    """
    path = Path(path)
    limit = UnpackLimit.of(max_unpacked)
    folder: Path | None = None
    if sources_dir is not None:
        folder = Path(sources_dir)
        if not folder.is_dir():
            raise TrivselError(
                _("--sources-dir {folder} er ikke en mappe").format(folder=folder),
                _("angiv mappen med kildernes tekstfiler"),
            )
    if path.is_dir():
        raise TrivselError(_("{path} er en mappe, ikke en REFI-QDA-fil").format(path=path))
    if not path.is_file():
        raise TrivselError(_("{path}: filen findes ikke").format(path=path), _("tjek stien"))
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise TrivselError(_("{path} kan ikke læses: {value}").format(path=path, value=exc.strerror or exc)) from None
    if head.startswith(b"PK"):
        rf = _open_archive(path, limit)
    else:
        if path.suffix.lower() == ".qdpx":
            raise TrivselError(
                _("{path} er ikke en .qdpx-fil (ikke et zip-arkiv)").format(path=path),
                _("eksportér projektet igen fra programmet"),
            )
        data = path.read_bytes()
        root = parse_xml(data, str(path))
        doc = parse_document(root, str(path))
        rf = RefiFile(path=path, kind="qdc" if doc.kind == "codebook" else "qde", document=doc)
    rf.sources_dir = folder
    rf.limit = limit
    return rf


def _open_archive(path: Path, limit: UnpackLimit) -> RefiFile:
    archive = SafeZip(path, limit, hint=_("eksportér projektet igen"))
    try:
        names = archive.namelist()
        qdes = [n for n in names if n.lower().endswith(".qde") and not PurePosixPath(n).name.startswith(("._", "."))]
        if not qdes:
            raise TrivselError(
                _("{path} indeholder ingen .qde-fil, så det er ikke et REFI-QDA-projekt").format(path=path),
                _("en .qdpx skal indeholde project.qde og mappen sources/"),
            )
        if len(qdes) > 1:
            top = [n for n in qdes if "/" not in n]
            if len(top) != 1:
                raise TrivselError(
                    _("{path} indeholder flere .qde-filer ({items}); der må kun være én").format(
                        path=path, items=", ".join(qdes[:4])
                    )
                )
            qdes = top
        root = parse_xml(archive.read(qdes[0]), f"{path}:{qdes[0]}")
        doc = parse_document(root, f"{path}:{qdes[0]}")
        if doc.kind != "project":
            raise TrivselError(
                _("{path}: {qdes} er en kodebog, ikke et projekt").format(path=path, qdes=qdes[0]),
                _("en .qdpx skal indeholde et <Project>"),
            )
        members: dict[str, str] = {}
        for n in names:
            parts = PurePosixPath(n).parts
            if len(parts) >= 2 and parts[-2].lower() == "sources":
                members.setdefault(parts[-1].lower(), n)
        for n in names:  # anything else by its file name, as a last resort
            members.setdefault(PurePosixPath(n).name.lower(), n)
        # Paths as written relative to the project file (qc's plainTextPath="round2/interview.txt").
        base = str(PurePosixPath(qdes[0]).parent)
        prefix = "" if base == "." else base + "/"
        files = {n[len(prefix) :].lower(): n for n in names if n.startswith(prefix)}
    except BaseException:
        archive.close()
        raise
    return RefiFile(path=path, kind="qdpx", document=doc, archive=archive, _members=members, _files=files)


def decode_raw(data: bytes, where: str) -> str:
    """Decoded text with the BOM removed and nothing else changed."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        if data.startswith(codecs.BOM_UTF16_LE):
            return data[2:].decode("utf-16-le")
        if data.startswith(codecs.BOM_UTF16_BE):
            return data[2:].decode("utf-16-be")
    except UnicodeDecodeError:
        raise TrivselError(
            _("{where} begynder som Unicode-tekst (BOM), men indeholder ugyldige tegn").format(where=where)
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
