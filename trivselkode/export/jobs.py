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
from trivselkode.i18n import N_, _
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
        N_("Temafrekvenser"),
        ("xlsx", "csv", "md", "json", "table"),
        "temafrekvenser",
        N_("Pr. kode: kodninger, udsagn, kilder, deltagere og andel af deltagerne – evt. fordelt på egenskaber."),
    ),
    ReportKind(
        "cooccurrence",
        N_("Samforekomst"),
        ("xlsx", "csv", "md", "json", "table"),
        "samforekomst",
        N_("Antal udsagn, der bærer både rækkens og kolonnens kode (standard temaer × behov)."),
    ),
    ReportKind(
        "matrix",
        N_("Deltager × kode-matrix"),
        ("xlsx", "csv", "json"),
        "deltager-kode-matrix",
        N_("Én række pr. deltager med egenskaber og 0/1 for hver kode – til videre statistik."),
    ),
    ReportKind(
        "quotes",
        N_("Citater"),
        ("docx", "md", "html", "csv", "json"),
        "citater",
        N_('Repræsentative citater for hver kode, tilskrevet som "– Kvinde, 67 år, Holstebro".'),
    ),
    ReportKind(
        "chart",
        N_("Diagram"),
        ("png", "svg"),
        "temafrekvenser",
        N_("Søjlediagram over kodernes hyppighed (læseligt i sort-hvid), evt. fordelt på en egenskab."),
    ),
    ReportKind(
        "codings",
        N_("Kodninger (CSV)"),
        ("csv", "json"),
        "kodninger",
        N_("Hver kodning: kilde, udsagnsnummer, kode, koder, evt. delspænd og notat – til regneark og scripts."),
    ),
    ReportKind(
        "refi",
        N_("REFI-QDA-projekt"),
        ("qdpx",),
        "projekt",
        N_("Hele projektet som .qdpx til NVivo, ATLAS.ti, MAXQDA og QualCoder."),
    ),
    ReportKind(
        "codebook",
        N_("Kodebog"),
        ("yaml", "qdc", "docx", "html", "md"),
        "kodebog",
        N_(
            "Projektets kodebog som YAML (kan indlæses igen), som REFI-QDA-kodebog (.qdc) eller som bilag til en "
            "artikel (Word, HTML, Markdown)."
        ),
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
    "table": N_("tekst (.txt)"),
    "csv": N_("CSV (.csv)"),
    "xlsx": N_("Excel (.xlsx)"),
    "md": N_("Markdown (.md)"),
    "json": N_("JSON (.json)"),
    "docx": N_("Word (.docx)"),
    "html": N_("HTML (.html)"),
    "png": N_("PNG-billede (.png)"),
    "svg": N_("SVG-tegning (.svg)"),
    "qdpx": N_("REFI-QDA (.qdpx)"),
    "yaml": N_("YAML (.yaml)"),
    "qdc": N_("REFI-QDA-kodebog (.qdc)"),
}


def format_label(fmt: str) -> str:
    """How the interface names a format (``"docx"`` → ``"Word (.docx)"``), in its language."""
    return _(FORMAT_LABELS[fmt]) if fmt in FORMAT_LABELS else fmt


#: The builder of each kind, as :func:`build_report` finds it (the tests hold reports here).
_BUILDERS = BUILDERS


class ExportCancelled(TrivselError):
    """The export was called off; nothing was written."""

    def __init__(self) -> None:
        super().__init__(_("eksporten er afbrudt; der er ikke skrevet nogen fil"))


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
        consensus=_("konsensus af {names}").format(names=state.names()) if state is not None else "",
        default_basis=selection.mode if selection is not None else "",
        basis_note=selection.label() if selection else "",
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
                _("{kind} kan ikke skrives som {suffix}").format(kind=_(spec.title), suffix=out.suffix.lower()),
                _("vælg et filnavn, der ender på {suffixes}").format(suffixes=allowed),
            )
        return by_suffix
    if fmt is not None:
        if fmt not in spec.formats:
            raise TrivselError(
                _("{kind} kan ikke skrives som {suffix}").format(kind=_(spec.title), suffix=fmt),
                _("vælg {formats}").format(formats=", ".join(spec.formats)),
            )
        return fmt
    return spec.formats[0]


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise ExportCancelled()


# What the long first step of each export does (the screen shows it while it runs).
_WORKING = {
    "frequencies": N_("Tæller kodninger, udsagn og deltagere …"),
    "cooccurrence": N_("Tæller udsagn med begge koder …"),
    "matrix": N_("Samler deltagerne og deres koder …"),
    "quotes": N_("Udvælger citaterne …"),
    "chart": N_("Tæller og tegner diagrammet …"),
    "codings": N_("Læser kodningerne …"),
    "codebook": N_("Læser kodebogen …"),
}


def _check_request(req: ReportRequest) -> None:
    if req.kind not in KINDS:
        raise TrivselError(
            _("ukendt eksport '{kind}'").format(kind=req.kind), _("vælg en af {kinds}").format(kinds=", ".join(KINDS))
        )
    if req.lang not in LANGS:
        raise TrivselError(_("ukendt sprog '{lang}'").format(lang=req.lang), _("brug da eller en"))
    if req.kind == "quotes":
        if req.n < 1:
            raise TrivselError(_("antallet af citater skal være mindst 1"))
        if req.min_words < 1 or req.max_words < req.min_words:
            raise TrivselError(
                _("ordgrænserne {lo}–{hi} går ikke").format(lo=req.min_words, hi=req.max_words),
                _("korteste skal være mindst 1 og højst længste"),
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
        raise TrivselError(_("der er intet filnavn"), _("skriv fx {name}").format(name=default_name(request.kind)))
    path = check_target(Path(request.out))
    fmt = format_of(request.kind, request.fmt, path)
    key = check_key_target(request.key, path, request.pseudonymize)

    def write(tmp: Path) -> tuple[str, list[str]]:
        if request.kind == "refi":
            from trivselkode.export.refi import write_qdpx

            step(0, _("Samler projektet …"))
            pseudo = Pseudonymizer.if_asked(project, request.pseudonymize)
            step(1, _("Skriver REFI-QDA-projektet …"))
            report = write_qdpx(project, tmp, pseudonymizer=pseudo)
            summary = report.summary()
            warnings = list(report.warnings)
        else:
            step(0, _(_WORKING[request.kind]))
            built = build_report(project, replace(request, fmt=fmt))
            summary, warnings = built.summary, built.warnings
            step(1, _("Skriver filen …"))
            write_data(tmp, built.data)
        step(2, _("Lægger filen på plads …"))
        _check(cancel)  # the last moment to call it off: nothing is in place yet
        if key is not None:  # the same placeholders as the export: they are stable for the project
            lang = request.lang if request.kind in ("frequencies", "quotes", "chart") else "da"
            written = write_key(Pseudonymizer.from_project(project, lang), key, path)
            summary += _(" Nøglen til pseudonymerne er skrevet til {path}.").format(path=written)
        return summary, warnings

    size, (summary, warnings) = replace_atomically(path, write)
    if progress is not None:
        progress(steps, steps, _("Færdig."))
    return ExportResult(request.kind, fmt, path, size, summary, warnings, key)


def describe_error(exc: BaseException) -> str:
    """One line (the interface's language) for any failure of an export."""
    from trivselkode.storage.db import explain_failure

    if isinstance(exc, TrivselError):
        return str(exc)
    return explain_failure(exc) + _(" (intet er skrevet halvt)")


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
    "format_label",
    "format_of",
    "run_report",
    "with_format",
)
