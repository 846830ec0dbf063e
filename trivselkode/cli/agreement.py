"""``trivselkode agreement``, ``disagreements``, ``consensus`` and ``merge``."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from trivselkode.cli.common import OutputFormat, emit_data, emit_json, new_typer, note, plain_console, say, state

consensus_app = new_typer()


def register(app: typer.Typer) -> None:
    app.command("agreement")(agreement)
    app.command("disagreements")(disagreements)
    app.command("merge")(merge)
    app.add_typer(consensus_app, name="consensus", help="Konsensus: afgør uenigheder, vis afgørelser.")


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


class AgreementFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class Lang(str, Enum):
    da = "da"
    en = "en"


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def agreement(
    ctx: typer.Context,
    coders: str | None = typer.Option(
        None, "--coders", help="Kodere at sammenligne, fx anne,bo (standard: alle undtagen konsensus)."
    ),
    codes: str | None = typer.Option(None, "--codes", help="Kun disse koder, fx T1,T2."),
    sources: str | None = typer.Option(None, "--sources", help="Kun disse kilder."),
    unit: str = typer.Option("passage", "--unit", help="passage (udsagn) eller span (tegnoverlap)."),
    overlap: float = typer.Option(
        0.9, "--overlap", help="Mindste overlap for span-enheder (andel af det længste segment)."
    ),
    all_passages: bool = typer.Option(False, "--all", help="Alle udsagn, som nogen har kodet, også i ufærdige kilder."),
    fmt: AgreementFormat = typer.Option(AgreementFormat.table, "--format", help="table, json eller csv."),
    methods: bool = typer.Option(False, "--methods", help="Tilføj et metodeafsnit til en artikel."),
    lang: Lang = typer.Option(Lang.da, "--lang", help="Sprog for metodeafsnittet: da eller en."),
    samples: int = typer.Option(
        1000, "--samples", help="Bootstrap-stikprøver til alfas konfidensinterval (med --methods)."
    ),
    seed: int = typer.Option(1, "--seed", help="Frø for bootstrap (gør intervallet reproducerbart)."),
) -> None:
    """Enighed mellem kodere pr. kode: procent, Cohens kappa, Krippendorffs alfa, Brennan–Prediger."""
    from trivselkode.analysis.icr import agreement_report, methods_paragraph

    project = state(ctx).project()
    report = agreement_report(
        project,
        _split(coders),
        _split(codes),
        _split(sources),
        all_passages,
        unit,
        overlap,
        ci_samples=samples if methods else 0,
        seed=seed,
    )
    for n in report.notes:
        note(n)
    paragraph = None
    if methods:
        settled = None
        if len(report.coders) == 2:
            from trivselkode.analysis.review import settlers

            settled = settlers(
                project,
                (report.coders[0], report.coders[1]),
                codes=[c.code for c in report.codes],
                sources=_split(sources),
                all_passages=all_passages,
                unit=unit,
                overlap=overlap,
            )
        paragraph = methods_paragraph(project, report, lang.value, settled)
    if fmt is AgreementFormat.json:
        doc = report.as_json()
        if paragraph:
            doc["methods"] = paragraph
        emit_json(doc)
        return
    fields = [
        "code",
        "name",
        "units",
        "agreement",
        "cohen_kappa",
        "krippendorff_alpha",
        "brennan_prediger",
        "disagreements",
        "undefined",
    ]
    rows = [c.__dict__ for c in report.codes] + [{**report.pooled.__dict__, "code": "samlet", "name": ""}]
    if fmt is AgreementFormat.csv:
        from trivselkode.domain.cells import csv_text

        undefined = ["; ".join(f"{k}: {v}" for k, v in (r["undefined"] or {}).items()) for r in rows]
        emit_data(csv_text(fields, [{**r, "undefined": u} for r, u in zip(rows, undefined)]))
    else:
        from rich.table import Table

        table = Table(
            "Kode",
            "Enheder",
            "Enighed",
            "Cohens κ",
            "Kripp. α",
            "B–P κ",
            "Uenige",
            title=f"Kodere: {', '.join(report.coders)} · enhed: {report.unit}",
        )
        for r in rows:
            table.add_row(
                r["code"],
                str(r["units"]),
                _num(r["agreement"]),
                _num(r["cohen_kappa"]),
                _num(r["krippendorff_alpha"]),
                _num(r["brennan_prediger"]),
                str(r["disagreements"]),
            )
        plain_console().print(table)
        undefined = [(r["code"], r["undefined"]) for r in rows if r["undefined"]]
        for code, reasons in undefined:
            note(f"{code}: " + "; ".join(f"{k} ikke defineret ({v})" for k, v in reasons.items()))
    if paragraph and fmt is not AgreementFormat.json:
        say("\n" + paragraph)


class DisagreementFormat(str, Enum):
    md = "md"
    json = "json"


def disagreements(
    ctx: typer.Context,
    coders: str = typer.Option(..., "--coders", help="To (eller flere) kodere, fx anne,bo."),
    code: str | None = typer.Option(None, "--code", help="Kun denne kode."),
    sources: str | None = typer.Option(None, "--sources", help="Kun disse kilder."),
    all_passages: bool = typer.Option(False, "--all", help="Også ufærdige kilder."),
    fmt: DisagreementFormat = typer.Option(DisagreementFormat.md, "--format", help="md eller json."),
    pseudonymize: bool = typer.Option(
        False,
        "--pseudonymize",
        help="Erstat navne, CPR-numre, telefonnumre og e-mails i kilder, talere, tekst og notater.",
    ),
    key: Path | None = typer.Option(
        None, "--key", help="Skriv nøglen fra pseudonymer til navne og kilder i denne fil (kun med --pseudonymize)."
    ),
) -> None:
    """Vis hvert udsagn, hvor koderne er uenige, med begges koder."""
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
    lines = [f"# Uenigheder mellem {', '.join(names)}" + (f" om {code}" if code else ""), ""]
    for r in rows:
        lines.append(f"## {r['source']} · udsagn {r['passage']} ({r['speaker']}) · uenige om {', '.join(r['codes'])}")
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
        lines.append("Ingen uenigheder.")
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


@consensus_app.command("settle")
def settle(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help="Kildens navn."),
    passage: int = typer.Option(..., "--passage", "-p", help="Udsagnets nummer."),
    code: str = typer.Option(..., "--code", "-c", help="Koden."),
    take: str = typer.Option(..., "--take", help="a, b, both eller neither."),
    coders: str = typer.Option(..., "--coders", help="De to kodere, A først, fx anne,bo."),
    settled_by: str | None = typer.Option(None, "--by", help="Hvem afgør (standard: TRIVSELKODE_CODER)."),
) -> None:
    """Afgør en uenighed i konsensuskoderen (kodernes egne kodninger ændres ikke)."""
    from trivselkode.errors import TrivselError
    from trivselkode.storage.consensus import settle as do_settle

    names = _split(coders) or []
    if len(names) != 2:
        raise TrivselError("--coders skal nævne præcis to kodere", "fx --coders anne,bo")
    st = state(ctx)
    result = do_settle(st.project(), source, passage, code, take, (names[0], names[1]), st.coder(settled_by))
    note(f"Afgjort: {code} på udsagn {passage} i '{source}' → {take} ({result.codings} konsensuskodning(er)).")


@consensus_app.command("list")
def list_decisions(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Vis de afgjorte uenigheder: hvem afgjorde hvad og hvornår."""
    from trivselkode.storage.consensus import decisions

    rows = decisions(state(ctx).project())
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    for r in rows:
        say(
            f"{r['source']} udsagn {r['passage']} {r['code']}: {r['choice']} ({'/'.join(r['coders'])}) af {r['settled_by']} {r['settled_at']}"
        )
    if not rows:
        note("Ingen afgørelser endnu.")


def merge(
    ctx: typer.Context,
    other: str = typer.Argument(..., help="Den anden koders projektfil (eller database-URL)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Vis hvad der ville ske, uden at gemme noget."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Flet en anden koders projekt ind: kodere, kodninger, notater, færdigmarkeringer og nye koder."""
    from trivselkode.storage.merge import merge as do_merge

    report = do_merge(state(ctx).project(), other, dry_run=dry_run)
    if fmt is OutputFormat.json:
        emit_json(report.as_dict())
        return
    added = ", ".join(f"{n} {what}" for what, n in sorted(report.added.items())) or "intet nyt"
    note(("Prøvekørsel (intet gemt): " if dry_run else "Flettet: ") + added)
    if report.backup:
        note(f"Sikkerhedskopi før fletning: {report.backup}")
    for conflict in report.conflicts:
        note(f"konflikt: {conflict}")
