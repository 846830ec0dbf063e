"""``trivselkode report quotes --candidates`` and the researcher's choice of quotes.

The quotes command lists a code's candidates (``--candidates``) and stores
the researcher's choice in the project (:mod:`trivselkode.storage.quote_choices`),
so every later export keeps it::

    trivselkode report quotes -c T3 --candidates            # every candidate, its place and choice
    trivselkode report quotes -c T3 --pick holstebro-interview-03#14 --pick viborg-interview-01#3
    trivselkode report quotes -c T3 --drop randers-interview-02#7
    trivselkode report quotes -c T3 --order viborg-interview-01#3,holstebro-interview-03#14
    trivselkode report quotes -c T3 --unpick viborg-interview-01#3   # back to the automatic choice
    trivselkode report quotes -c T3 --reset                  # forget every choice of T3

A change names one code (``--codes``) and is saved in one transaction (all
of it, or nothing, when a reference is wrong); then the code's candidates
are listed as with ``--candidates``. The listing is a table (or ``--format
json|csv|md``) through :func:`trivselkode.export.reports.build_report`, as
the Eksport screen's Citatvalg reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trivselkode.cli.common import note
from trivselkode.errors import TrivselError
from trivselkode.i18n import _


@dataclass
class QuoteChoiceOptions:
    """The quotes command's choice options as given."""

    candidates: bool = False
    pick: list[str] = field(default_factory=list)
    drop: list[str] = field(default_factory=list)
    unpick: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    reset: bool = False
    automatic: bool = False

    @property
    def changes(self) -> bool:
        return bool(self.pick or self.drop or self.unpick or self.order or self.reset)

    @property
    def listing(self) -> bool:
        return self.candidates or self.changes


def candidate_format(fmt: str | None, out: Path | None) -> str:
    """The listing's format: given, else from the suffix of ``--out``, else a text table."""
    from trivselkode.cli.pipes import choose_format
    from trivselkode.export.reports import CANDIDATE_FORMATS

    if fmt is not None and fmt not in CANDIDATE_FORMATS:
        raise TrivselError(
            _("kandidaterne kan ikke skrives som {format}").format(format=fmt),
            _("vælg --format {formats}").format(formats=", ".join(CANDIDATE_FORMATS)),
        )
    fmt = choose_format(fmt, out, list(CANDIDATE_FORMATS), default="table")
    if fmt not in CANDIDATE_FORMATS:
        raise TrivselError(
            _("kandidaterne kan ikke skrives som {format}").format(format=fmt),
            _("vælg --format {formats}").format(formats=", ".join(CANDIDATE_FORMATS)),
        )
    return fmt


def one_code(codes: list[str] | None) -> str:
    """The one code a change of choice is for."""
    keys = [k.strip() for spec in codes or [] for k in spec.split(",") if k.strip()]
    if len(keys) != 1:
        raise TrivselError(
            _("et valg af citater gælder én kode, ikke {n}").format(n=len(keys))
            if keys
            else _("et valg af citater gælder én kode"),
            _("angiv koden med --codes, fx --codes T3"),
        )
    return keys[0]


def _refs(values: list[str]) -> list[tuple[str, int]]:
    from trivselkode.analysis.quotes import parse_ref

    return [parse_ref(part.strip()) for value in values for part in value.split(",") if part.strip()]


def apply_changes(project: Any, code: str, options: QuoteChoiceOptions, by: str) -> list[str]:
    """Store the changes of ``options`` for ``code`` in one transaction; one line on what was done."""
    from trivselkode.storage.quote_choices import edit_choices

    if options.automatic:
        raise TrivselError(_("--automatic ser bort fra valgene og kan ikke ændre dem"), _("udelad --automatic"))
    unpick, drop, pick, order = (_refs(v) for v in (options.unpick, options.drop, options.pick, options.order))
    done: list[str] = []
    with edit_choices(project, code, by) as writer:
        if options.reset:
            done.append(_("{n} valg glemt").format(n=writer.reset()))
        for source, number in unpick:
            writer.release(source, number)
            done.append(_("{ref} overladt til det automatiske valg").format(ref=f"{source}#{number}"))
        for source, number in drop:
            writer.drop(source, number)
            done.append(_("{ref} fravalgt").format(ref=f"{source}#{number}"))
        for source, number in pick:
            done.append(_("{ref} valgt som nr. {n}").format(ref=f"{source}#{number}", n=writer.pick(source, number)))
        if order:
            writer.order(order)
            done.append(_("rækkefølge: {refs}").format(refs=", ".join(f"{s}#{n}" for s, n in order)))
    return [_("Gemt for {code}: {done}.").format(code=code, done="; ".join(done))]


def run_quote_choice(ctx: Any, options: QuoteChoiceOptions, fmt: str | None, request_options: dict[str, Any]) -> None:
    """Apply the changes (if any) and list the candidates, through the one report path."""
    from trivselkode.cli.common import state
    from trivselkode.cli.pipes import deliver, file_target
    from trivselkode.cli.report import _prepare_out, key_target, write_key_file
    from trivselkode.export.reports import ReportRequest, build_report, selection_of

    target: Path | None = request_options.pop("out")
    out = file_target(target)  # --out -: standard output
    basis = request_options.pop("basis")
    key = request_options.pop("key")
    request = ReportRequest(
        "quotes", out, candidate_format(fmt, target), candidates=True, choices=not options.automatic, **request_options
    )
    request.selection = selection_of(*basis)
    request.selection_options()  # a bad basis is refused before anything is stored
    code = one_code(request_options.get("codes")) if options.changes else None
    _prepare_out(out)
    key = key_target(key, out, request.pseudonymize)
    project = state(ctx).project()
    lines: list[str] = []
    if code is not None:
        lines = apply_changes(project, code, options, state(ctx).settings.coder or "")
        request.codes = [code]
    report = build_report(project, request)
    deliver(target, report.data)
    if out is not None:
        lines.append(_("Kandidaterne skrevet til {out}.").format(out=out))
    write_key_file(report.pseudonymizer, key, out)
    for warning in report.warnings:
        note(_("advarsel: {warning}").format(warning=warning))
    for line in [*lines, *report.notes]:
        note(line)
