"""``trivselkode agreement``, ``disagreements`` and ``merge``; the ``consensus`` group is :mod:`.consensus`."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TypedDict

import typer

from trivselkode.cli.agreement_output import by_source_csv, by_source_table, per_code_csv, per_code_table
from trivselkode.cli.common import OutputFormat, emit_data, emit_json, note, say, state
from trivselkode.cli.consensus import consensus_app
from trivselkode.i18n import N_, _


def register(app: typer.Typer) -> None:
    app.command(
        "agreement",
        help=N_(
            "Enighed mellem kodere pr. kode (eller pr. kilde og kode): procent, Cohens kappa, Krippendorffs alfa, Brennan–Prediger."
        ),
    )(agreement)
    app.command("disagreements", help=N_("Vis hvert udsagn, hvor koderne er uenige, med begges koder."))(disagreements)
    app.command(
        "merge",
        help=N_("Flet en anden koders projekt ind: kodere, kodninger, notater, færdigmarkeringer og nye koder."),
    )(merge)
    app.add_typer(consensus_app, name="consensus", help=N_("Konsensus: afgør uenigheder, vis afgørelser."))


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


class AgreementFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"


class Scope(TypedDict):
    """What is compared: the arguments agreement_report and agreement_by_source share."""

    coders: list[str] | None
    codes: list[str] | None
    sources: list[str] | None
    all_passages: bool
    unit: str


class Lang(str, Enum):
    da = "da"
    en = "en"


def agreement(
    ctx: typer.Context,
    coders: str | None = typer.Option(
        None, "--coders", help=N_("Kodere at sammenligne, fx anne,bo (standard: alle undtagen konsensus).")
    ),
    codes: str | None = typer.Option(None, "--codes", help=N_("Kun disse koder, fx T1,T2.")),
    sources: str | None = typer.Option(None, "--sources", help=N_("Kun disse kilder.")),
    unit: str = typer.Option("passage", "--unit", help=N_("passage (udsagn) eller span (tegnoverlap).")),
    overlap: float = typer.Option(
        0.9, "--overlap", help=N_("Mindste overlap for span-enheder (andel af det længste segment).")
    ),
    all_passages: bool = typer.Option(
        False, "--all", help=N_("Alle udsagn, som nogen har kodet, også i ufærdige kilder.")
    ),
    by_source: bool = typer.Option(
        False, "--by-source", help=N_("Enighed pr. kilde og kode: hvilket interview skal ses efter.")
    ),
    fmt: AgreementFormat = typer.Option(AgreementFormat.table, "--format", help=N_("table, json, csv eller tsv.")),
    methods: bool = typer.Option(False, "--methods", help=N_("Tilføj et metodeafsnit til en artikel.")),
    lang: Lang | None = typer.Option(
        None, "--lang", help=N_("Sprog for metodeafsnittet: da eller en (standard: grænsefladens sprog).")
    ),
    samples: int = typer.Option(
        1000, "--samples", help=N_("Bootstrap-stikprøver til alfas konfidensinterval (med --methods).")
    ),
    seed: int = typer.Option(1, "--seed", help=N_("Frø for bootstrap (gør intervallet reproducerbart).")),
) -> None:
    from trivselkode.analysis.icr import agreement_report

    scope = Scope(
        coders=_split(coders), codes=_split(codes), sources=_split(sources), all_passages=all_passages, unit=unit
    )
    if by_source:
        _by_source(ctx, scope, overlap, fmt, methods)
        return
    project = state(ctx).project()
    report = agreement_report(project, **scope, overlap=overlap, ci_samples=samples if methods else 0, seed=seed)
    for n in report.notes:
        note(n)
    paragraph = _methods(project, report, lang, _split(sources), all_passages, unit, overlap) if methods else None
    if fmt is AgreementFormat.json:
        doc = report.as_json()
        if paragraph:
            doc["methods"] = paragraph
        emit_json(doc)
        return
    if fmt in (AgreementFormat.csv, AgreementFormat.tsv):
        per_code_csv(report, tsv=fmt is AgreementFormat.tsv)
    else:
        per_code_table(report)
    if paragraph:
        say("\n" + paragraph)


def _by_source(ctx: typer.Context, scope: Scope, overlap: float, fmt: AgreementFormat, methods: bool) -> None:
    """``agreement --by-source``: the source × code table."""
    from trivselkode.analysis.agreement_by_source import agreement_by_source
    from trivselkode.errors import TrivselError

    if methods:
        raise TrivselError(_("--methods og --by-source kan ikke bruges sammen"), _("kør dem hver for sig"))
    report = agreement_by_source(state(ctx).project(), **scope, overlap=overlap)
    for n in report.notes:
        note(n)
    if fmt is AgreementFormat.json:
        emit_json(report.as_json())
    elif fmt in (AgreementFormat.csv, AgreementFormat.tsv):
        by_source_csv(report, tsv=fmt is AgreementFormat.tsv)
    else:
        by_source_table(report)


def _methods(project, report, lang: Lang | None, sources, all_passages: bool, unit: str, overlap: float) -> str:  # noqa: ANN001
    """The methods paragraph, saying how much of the two coders' disagreements was settled."""
    from trivselkode.analysis.icr import methods_paragraph

    settled = None
    if len(report.coders) == 2:
        from trivselkode.analysis.review import settlers

        settled = settlers(
            project,
            (report.coders[0], report.coders[1]),
            codes=[c.code for c in report.codes],
            sources=sources,
            all_passages=all_passages,
            unit=unit,
            overlap=overlap,
        )
    from trivselkode.i18n import language

    return methods_paragraph(project, report, lang.value if lang is not None else language(), settled)


class DisagreementFormat(str, Enum):
    md = "md"
    json = "json"


def disagreements(
    ctx: typer.Context,
    coders: str = typer.Option(..., "--coders", help=N_("To (eller flere) kodere, fx anne,bo.")),
    code: str | None = typer.Option(None, "--code", help=N_("Kun denne kode.")),
    sources: str | None = typer.Option(None, "--sources", help=N_("Kun disse kilder.")),
    all_passages: bool = typer.Option(False, "--all", help=N_("Også ufærdige kilder.")),
    fmt: DisagreementFormat = typer.Option(DisagreementFormat.md, "--format", help=N_("md eller json.")),
    pseudonymize: bool = typer.Option(
        False,
        "--pseudonymize",
        help=N_("Erstat navne, CPR-numre, telefonnumre og e-mails i kilder, talere, tekst og notater."),
    ),
    key: Path | None = typer.Option(
        None, "--key", help=N_("Skriv nøglen fra pseudonymer til navne og kilder i denne fil (kun med --pseudonymize).")
    ),
) -> None:
    from trivselkode.analysis.icr import disagreements as find
    from trivselkode.cli.report import key_target, write_key_file
    from trivselkode.export.pseudonymize import Pseudonymizer

    key = key_target(key, None, pseudonymize)
    project = state(ctx).project()
    rows = find(project, _split(coders) or [], code, _split(sources), all_passages)
    pseudo = Pseudonymizer.if_asked(project, pseudonymize)
    if pseudo is not None:
        rows = [_pseudonymized(pseudo, r) for r in rows]
    write_key_file(pseudo, key, None)
    if fmt is DisagreementFormat.json:
        emit_json(rows)
        return
    names = _split(coders) or []
    title = _("Uenigheder mellem {coders}").format(coders=", ".join(names))
    lines = ["# " + title + (_(" om {code}").format(code=code) if code else ""), ""]
    for r in rows:
        lines.append(
            "## "
            + _("{source} · udsagn {passage} ({speaker}) · uenige om {codes}").format(
                source=r["source"], passage=r["passage"], speaker=r["speaker"], codes=", ".join(r["codes"])
            )
        )
        lines.append("")
        lines.append("> " + r["text"].replace("\n", "\n> "))
        lines.append("")
        for coder, codings in r["coders"].items():
            shown = ", ".join(
                c["code"]
                + (f" [{c['start']}–{c['end']}]" if c["start"] is not None else "")
                + (f" ({c['memo']})" if c["memo"] else "")
                for c in codings
            )
            lines.append(f"- **{coder}**: {shown or '–'}")
        lines.append("")
    if not rows:
        lines.append(_("Ingen uenigheder."))
    emit_data("\n".join(lines) + "\n")


def _pseudonymized(pseudo, row: dict) -> dict:  # noqa: ANN001 (a Pseudonymizer; imported lazily)
    """A disagreement with its source, speaker, text and memos pseudonymised (spans moved with the text)."""
    from trivselkode.export.pseudonymize import shift

    text, moves = pseudo.replace(row["text"])
    coders = {
        coder: [
            {
                **c,
                "start": None if c["start"] is None else shift(moves, c["start"]),
                "end": None if c["end"] is None else shift(moves, c["end"], end=True),
                "memo": pseudo.text(c["memo"]) if c["memo"] else c["memo"],
            }
            for c in codings
        ]
        for coder, codings in row["coders"].items()
    }
    return {
        **row,
        "source": pseudo.source(row["source"]),
        "speaker": pseudo.label(row["speaker"]),
        "text": text,
        "coders": coders,
    }


def merge(
    ctx: typer.Context,
    other: str = typer.Argument(..., help=N_("Den anden koders projektfil (eller database-URL).")),
    dry_run: bool = typer.Option(False, "--dry-run", help=N_("Vis hvad der ville ske, uden at gemme noget.")),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.storage.merge import merge as do_merge

    report = do_merge(state(ctx).project(), other, dry_run=dry_run)
    if fmt is OutputFormat.json:
        emit_json(report.as_dict())
        return
    added = ", ".join(
        _("{n} {what}").format(n=n, what=_(MERGED.get(what, what))) for what, n in sorted(report.added.items())
    )
    added = added or _("intet nyt")
    note((_("Prøvekørsel (intet gemt): {added}") if dry_run else _("Flettet: {added}")).format(added=added))
    if report.backup:
        note(_("Sikkerhedskopi før fletning: {path}").format(path=report.backup))
    for conflict in report.conflicts:
        note(_("konflikt: {conflict}").format(conflict=conflict))


# What a merge adds (the keys of its JSON stay as they are), as the dry run and the summary name it.
MERGED = {
    "attributes": N_("egenskaber"),
    "coders": N_("kodere"),
    "codes": N_("koder"),
    "codings": N_("kodninger"),
    "decision_events": N_("hændelser i afgørelsesloggen"),
    "decisions": N_("afgørelser"),
    "done": N_("færdigmarkeringer"),
    "memos": N_("notater"),
    "quote_choices": N_("citatvalg"),
    "rejections": N_("afviste forslag"),
    "sources": N_("kilder"),
    "stars": N_("stjerner"),
    "unplaced": N_("ikke-genplacerede kodninger"),
}
