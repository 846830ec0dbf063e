"""Export jobs: one report, one file, written atomically, with progress and cancelling.

The terminal UI's Eksport screen runs every report through :func:`run_report`
in a worker thread. It builds the reports with
:func:`trivselkode.export.reports.build_report`, the function ``trivselkode
report …`` calls, and the other exports with the core functions of
``codings export``, ``refi export`` and ``codebook export``, with the same
options, so a file from the screen equals the file from the command line::

    request = ReportRequest("frequencies", Path("temafrekvenser.xlsx"), by=["site"])
    result = run_report(project, request, progress=print, cancel=threading.Event())
    result.path       # the absolute path written
    result.summary    # one Danish line: what was written, from whose codings

As in the command line, the format follows the file's suffix (``.xlsx``,
``.csv`` …) unless one is given; a suffix that names a format this report
cannot write is refused instead of writing, say, a Word file called
``citater.xlsx``. The target is checked before any work is done, the output
goes to a temporary file beside it, and that is renamed into place only at
the end — after a last look at ``cancel`` — so an error or a cancel leaves
nothing half-written and an existing file untouched.

No Textual here: the core never imports the UI.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from trivselkode.analysis.attributes import LANGS, AgeBands
from trivselkode.errors import TrivselError
from trivselkode.export.pseudonymize import Pseudonymizer, check_key_target, write_key
from trivselkode.export.reports import BUILDERS, ReportRequest, build_report
from trivselkode.storage.files import check_target, replace_atomically, write_data

#: ``progress(step, steps, text)``: step ``step`` of ``steps`` has begun (Danish text).
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ReportKind:
    """One kind of export: its title, formats (the first is the default) and default file stem."""

    key: str
    title: str
    formats: tuple[str, ...]
    stem: str
    description: str


# Formats are named as the command line names them; "table" is plain text (.txt).
REPORT_KINDS: tuple[ReportKind, ...] = (
    ReportKind(
        "frequencies",
        "Temafrekvenser",
        ("xlsx", "csv", "md", "json", "table"),
        "temafrekvenser",
        "Pr. kode: kodninger, udsagn, kilder, deltagere og andel af deltagerne – evt. fordelt på egenskaber.",
    ),
    ReportKind(
        "cooccurrence",
        "Samforekomst",
        ("xlsx", "csv", "md", "json", "table"),
        "samforekomst",
        "Antal udsagn, der bærer både rækkens og kolonnens kode (standard temaer × behov).",
    ),
    ReportKind(
        "matrix",
        "Deltager × kode-matrix",
        ("xlsx", "csv", "json"),
        "deltager-kode-matrix",
        "Én række pr. deltager med egenskaber og 0/1 for hver kode – til videre statistik.",
    ),
    ReportKind(
        "quotes",
        "Citater",
        ("docx", "md", "html", "csv", "json"),
        "citater",
        'Repræsentative citater for hver kode, tilskrevet som "– Kvinde, 67 år, Holstebro".',
    ),
    ReportKind(
        "chart",
        "Diagram",
        ("png", "svg"),
        "temafrekvenser",
        "Søjlediagram over kodernes hyppighed (læseligt i sort-hvid), evt. fordelt på en egenskab.",
    ),
    ReportKind(
        "codings",
        "Kodninger (CSV)",
        ("csv", "json"),
        "kodninger",
        "Hver kodning: kilde, udsagnsnummer, kode, koder, evt. delspænd og notat – til regneark og scripts.",
    ),
    ReportKind(
        "refi",
        "REFI-QDA-projekt",
        ("qdpx",),
        "projekt",
        "Hele projektet som .qdpx til NVivo, ATLAS.ti, MAXQDA og QualCoder.",
    ),
    ReportKind(
        "codebook",
        "Kodebog (YAML)",
        ("yaml", "qdc"),
        "kodebog",
        "Projektets kodebog som YAML (kan indlæses igen) eller som REFI-QDA-kodebog (.qdc).",
    ),
)
KINDS: dict[str, ReportKind] = {k.key: k for k in REPORT_KINDS}

#: The file suffix of each format.
SUFFIX = {
    "table": ".txt",
    "csv": ".csv",
    "xlsx": ".xlsx",
    "md": ".md",
    "json": ".json",
    "docx": ".docx",
    "html": ".html",
    "png": ".png",
    "svg": ".svg",
    "qdpx": ".qdpx",
    "yaml": ".yaml",
    "qdc": ".qdc",
}
#: The format a suffix names (as ``report`` reads ``--out``).
SUFFIXES = {
    ".txt": "table",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".md": "md",
    ".markdown": "md",
    ".json": "json",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".png": "png",
    ".svg": "svg",
    ".qdpx": "qdpx",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".qdc": "qdc",
}
#: How the UI names the formats.
FORMAT_LABELS = {
    "table": "tekst (.txt)",
    "csv": "CSV (.csv)",
    "xlsx": "Excel (.xlsx)",
    "md": "Markdown (.md)",
    "json": "JSON (.json)",
    "docx": "Word (.docx)",
    "html": "HTML (.html)",
    "png": "PNG-billede (.png)",
    "svg": "SVG-tegning (.svg)",
    "qdpx": "REFI-QDA (.qdpx)",
    "yaml": "YAML (.yaml)",
    "qdc": "REFI-QDA-kodebog (.qdc)",
}
#: The builder of each kind, as :func:`build_report` finds it (the tests hold reports here).
_BUILDERS = BUILDERS


class ExportCancelled(TrivselError):
    """The export was called off; nothing was written."""

    def __init__(self) -> None:
        super().__init__("eksporten er afbrudt; der er ikke skrevet nogen fil")


@dataclass
class ExportResult:
    kind: str
    format: str
    path: Path
    bytes: int
    summary: str
    warnings: list[str] = field(default_factory=list)
    key: Path | None = None  # the key file written beside the export's pseudonyms, if asked for


# ---------------------------------------------------------------- choices


@dataclass
class ExportChoices:
    """What the export form offers for a project: coders, attributes, codes, the basis."""

    coders: list[str]  # coders with codings, konsensus included when it has any
    has_consensus: bool  # whether a consensus of two coders can be formed
    attributes: list[str]  # attributes a report can be broken down by
    codes: list[tuple[str, str, str]]  # (key, name, kind) of the live codes, codebook order
    kinds: list[str]
    project_stem: str
    consensus: str = ""  # "konsensus af anne og bo", when it can be formed
    default_basis: str = ""  # what a report reads by default: "consensus", "union" or "" (no codings)
    basis_note: str = ""  # "foreningsmængden af anne, bo (konsensus: 4 af 145 uenigheder afgjort – …)"


def export_choices(project: Any) -> ExportChoices:
    """The coders with codings, the attributes and the codes of ``project`` (one read)."""
    from sqlmodel import col, func, select

    from trivselkode.analysis.attributes import known_attributes, load_participants
    from trivselkode.analysis.basis import load_basis
    from trivselkode.analysis.frequencies import load_codebook
    from trivselkode.storage.models import Coder, Coding

    with project.read() as session:
        coders = sorted(
            name
            for name, count in session.exec(
                select(Coder.name, func.count(col(Coding.id)))
                .join(Coding, col(Coding.coder_id) == Coder.id)
                .group_by(Coder.name)
            )
            if count
        )
        participants = load_participants(session)
        book = load_codebook(session)
        try:
            selection = load_basis(session).selection if coders else None
        except TrivselError:  # only the reserved coder has codings: no default basis
            selection = None
    attributes = known_attributes(participants.values())
    live = [c for c in book.codes if not c.retired]
    name = project.display_name if project.is_sqlite else ""
    stem = Path(name).stem if name and name != ":memory:" else "projekt"
    state = selection.consensus if selection is not None else None
    return ExportChoices(
        coders=coders,
        has_consensus=state is not None,
        attributes=attributes,
        codes=[(c.key, c.name, c.kind) for c in live],
        kinds=sorted({c.kind for c in live if c.kind}),
        project_stem=stem or "projekt",
        consensus=f"konsensus af {state.names()}" if state is not None else "",
        default_basis=selection.mode if selection is not None else "",
        basis_note=(selection.describe() + (f" ({selection.why})" if selection.why else "")) if selection else "",
    )


# ---------------------------------------------------------------- paths and formats


def default_name(kind: str, fmt: str | None = None, project_stem: str = "projekt") -> str:
    """The file name the form suggests: ``temafrekvenser.xlsx``, ``citater.docx`` …"""
    spec = KINDS[kind]
    stem = project_stem if kind == "refi" else spec.stem
    return stem + SUFFIX[fmt or spec.formats[0]]


def with_format(name: str, fmt: str) -> str:
    """``name`` with the suffix of ``fmt`` (a known suffix is replaced, else one is added)."""
    path = Path(name)
    if path.suffix.lower() in SUFFIXES:
        return str(path.with_suffix(SUFFIX[fmt]))
    return name + SUFFIX[fmt] if name else name


def format_of(kind: str, fmt: str | None, out: Path) -> str:
    """The output format: from the suffix when it names one, else ``fmt``, else the kind's default.

    A suffix that names a format this kind cannot write is refused.
    """
    spec = KINDS[kind]
    by_suffix = SUFFIXES.get(out.suffix.lower())
    if by_suffix is not None:
        if by_suffix not in spec.formats:
            allowed = ", ".join(SUFFIX[f] for f in spec.formats)
            raise TrivselError(
                f"{spec.title} kan ikke skrives som {out.suffix.lower()}",
                f"vælg et filnavn, der ender på {allowed}",
            )
        return by_suffix
    if fmt is not None:
        if fmt not in spec.formats:
            raise TrivselError(f"{spec.title} kan ikke skrives som {fmt}", f"vælg {', '.join(spec.formats)}")
        return fmt
    return spec.formats[0]


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise ExportCancelled()


# What the long first step of each export does (the screen shows it while it runs).
_WORKING = {
    "frequencies": "Tæller kodninger, udsagn og deltagere …",
    "cooccurrence": "Tæller udsagn med begge koder …",
    "matrix": "Samler deltagerne og deres koder …",
    "quotes": "Udvælger citaterne …",
    "chart": "Tæller og tegner diagrammet …",
    "codings": "Læser kodningerne …",
    "codebook": "Læser kodebogen …",
}


def _check_request(req: ReportRequest) -> None:
    if req.kind not in KINDS:
        raise TrivselError(f"ukendt eksport '{req.kind}'", "vælg en af " + ", ".join(KINDS))
    if req.lang not in LANGS:
        raise TrivselError(f"ukendt sprog '{req.lang}'", "brug da eller en")
    if req.kind == "quotes":
        if req.n < 1:
            raise TrivselError("antallet af citater skal være mindst 1")
        if req.min_words < 1 or req.max_words < req.min_words:
            raise TrivselError(
                f"ordgrænserne {req.min_words}–{req.max_words} går ikke", "korteste skal være mindst 1 og højst længste"
            )
    if req.age_bands:
        AgeBands.parse(req.age_bands)
    req.selection_options()


def run_report(
    project: Any,
    request: ReportRequest,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Run one export to ``request.out`` (see the module doc); raise :class:`TrivselError` on a mendable problem."""
    steps = 3

    def step(i: int, text: str) -> None:
        _check(cancel)
        if progress is not None:
            progress(i, steps, text)

    _check_request(request)
    if request.out is None:
        raise TrivselError("der er intet filnavn", f"skriv fx {default_name(request.kind)}")
    path = check_target(Path(request.out))
    fmt = format_of(request.kind, request.fmt, path)
    key = check_key_target(request.key, path, request.pseudonymize)

    def write(tmp: Path) -> tuple[str, list[str]]:
        if request.kind == "refi":
            from trivselkode.export.refi import write_qdpx

            step(0, "Samler projektet …")
            pseudo = Pseudonymizer.if_asked(project, request.pseudonymize)
            step(1, "Skriver REFI-QDA-projektet …")
            report = write_qdpx(project, tmp, pseudonymizer=pseudo)
            summary = (
                f"{report.sources} kilder, {report.passages} udsagn, {report.codings} kodninger, "
                f"{report.codes} koder, {report.coders} kodere, {report.notes} notater"
                + (" (pseudonymiseret)." if report.pseudonymized else ".")
            )
            warnings = list(report.warnings)
        else:
            step(0, _WORKING[request.kind])
            built = build_report(project, replace(request, fmt=fmt))
            summary, warnings = built.summary, built.warnings
            step(1, "Skriver filen …")
            write_data(tmp, built.data)
        step(2, "Lægger filen på plads …")
        _check(cancel)  # the last moment to call it off: nothing is in place yet
        if key is not None:  # the same placeholders as the export: they are stable for the project
            lang = request.lang if request.kind in ("frequencies", "quotes", "chart") else "da"
            written = write_key(Pseudonymizer.from_project(project, lang), key, path)
            summary += f" Nøglen til pseudonymerne er skrevet til {written}."
        return summary, warnings

    size, (summary, warnings) = replace_atomically(path, write)
    if progress is not None:
        progress(steps, steps, "Færdig.")
    return ExportResult(request.kind, fmt, path, size, summary, warnings, key)


def describe_error(exc: BaseException) -> str:
    """One Danish line for any failure of an export."""
    from trivselkode.storage.db import explain_failure

    if isinstance(exc, TrivselError):
        return str(exc)
    return f"{explain_failure(exc)} (intet er skrevet halvt)"


__all__: Sequence[str] = (
    "ExportCancelled",
    "ExportChoices",
    "ExportResult",
    "KINDS",
    "REPORT_KINDS",
    "ReportKind",
    "ReportRequest",
    "default_name",
    "describe_error",
    "export_choices",
    "format_of",
    "run_report",
    "with_format",
)
