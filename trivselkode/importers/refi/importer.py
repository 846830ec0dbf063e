"""Importing a REFI-QDA file: everything read and planned first, then stored in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from trivselkode.importers.refi.archive import RefiFile, open_refi
from trivselkode.importers.refi.codes import check_depth, order_parents_first, plan_codes
from trivselkode.importers.refi.report import RefiImportReport, skip_other_parts
from trivselkode.importers.refi.sources import SourcePlan, plan_sources
from trivselkode.importers.refi.store import store
from trivselkode.importers.safety import UnpackLimit


def import_refi(
    project: Any,
    path: str | Path | RefiFile,
    *,
    split_names: bool = False,
    coder: str | None = None,
    on_progress: Callable[[str], None] | None = None,
    sources_dir: str | Path | None = None,
    max_unpacked: UnpackLimit | int | str | None = None,
) -> RefiImportReport:
    """Import a ``.qdpx``, ``.qde`` or ``.qdc`` (a path, or a file from :func:`open_refi`) in one transaction.

    ``sources_dir`` and ``max_unpacked`` are for opening a path (see :func:`open_refi`).
    """
    rf = path if isinstance(path, RefiFile) else open_refi(path, sources_dir=sources_dir, max_unpacked=max_unpacked)
    try:
        return _import(project, rf, split_names=split_names, coder=coder or "import", on_progress=on_progress)
    finally:
        rf.close()


def _import(
    project: Any,
    rf: RefiFile,
    *,
    split_names: bool,
    coder: str,
    on_progress: Callable[[str], None] | None,
) -> RefiImportReport:
    from trivselkode.storage.lookup import check_coder_name

    doc = rf.document
    own = doc.own
    report = RefiImportReport(file=str(rf.path), kind=rf.kind, origin=doc.origin, own=own is not None)
    report.warnings.extend(doc.warnings)
    check_coder_name(coder)

    plans = order_parents_first(plan_codes(doc, split_names, report.warnings))
    check_depth(plans, rf.path)
    source_plans = plan_sources(rf, own, report, on_progress)
    skip_other_parts(doc, report)
    report.skipped.extend(rf.read_note_files())
    _segment(project, source_plans)
    with project.write() as session:
        store(session, doc, own, plans, source_plans, report, coder)
    return report


def _segment(project: Any, source_plans: list[SourcePlan]) -> None:
    """Sentences (spaCy) before the transaction, only for sources that may be stored (unchanged ones keep theirs)."""
    if not source_plans:
        return
    from sqlmodel import select

    from trivselkode.importers.pipeline import segment
    from trivselkode.storage.models import Source

    with project.read() as session:
        have = dict(session.exec(select(Source.name, Source.content_hash)).all())
    for p in source_plans:
        if have.get(p.parsed.name) != p.digest:
            p.sentences = segment(p.parsed)
