"""``trivselkode consensus …``: settle, undo, list and audit settlements; the project's consensus settings."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

import typer

from trivselkode.cli.common import OutputFormat, emit_data, emit_json, new_typer, note, say, state

consensus_app = new_typer()


def _pair(coders: str) -> tuple[str, str]:
    from trivselkode.errors import TrivselError

    names = [v.strip() for v in coders.split(",") if v.strip()]
    if len(names) != 2:
        raise TrivselError("--coders skal nævne præcis to kodere", "fx --coders anne,bo")
    return names[0], names[1]


@consensus_app.command("settle")
def settle(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help="Kildens navn."),
    passage: int = typer.Option(..., "--passage", "-p", help="Udsagnets nummer."),
    code: str = typer.Option(..., "--code", "-c", help="Koden."),
    take: str = typer.Option(..., "--take", help="a, b, both eller neither."),
    coders: str = typer.Option(..., "--coders", help="De to kodere, A først, fx anne,bo."),
    settled_by: str | None = typer.Option(None, "--by", help="Hvem afgør (standard: TRIVSELKODE_CODER)."),
    reason: str | None = typer.Option(
        None, "--reason", help='Begrundelsen for afgørelsen (udeladt: en tidligere begrundelse beholdes; "": fjernes).'
    ),
) -> None:
    """Afgør en uenighed i konsensuskoderen (kodernes egne kodninger ændres ikke)."""
    from trivselkode.storage.consensus import settle as do_settle

    st = state(ctx)
    result = do_settle(st.project(), source, passage, code, take, _pair(coders), st.coder(settled_by), reason)
    verb = "Afgjort" if result.previous is None else f"Ændret (før: {result.previous})"
    why = f" Begrundelse: {result.reason}" if result.reason else ""
    note(f"{verb}: {code} på udsagn {passage} i '{source}' → {take} ({result.codings} konsensuskodning(er)).{why}")


@consensus_app.command("undo")
def undo(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help="Kildens navn."),
    passage: int = typer.Option(..., "--passage", "-p", help="Udsagnets nummer."),
    code: str = typer.Option(..., "--code", "-c", help="Koden."),
    by: str | None = typer.Option(None, "--by", help="Hvem ophæver (standard: TRIVSELKODE_CODER)."),
    reason: str | None = typer.Option(None, "--reason", help="Hvorfor afgørelsen ophæves (gemmes i loggen)."),
) -> None:
    """Ophæv en afgørelse: uenigheden er åben igen, og konsensuskoderens kodning af koden dér fjernes."""
    from trivselkode.storage.consensus import unsettle

    st = state(ctx)
    result = unsettle(st.project(), source, passage, code, st.coder(by), reason)
    note(f"Ophævet: {code} på udsagn {passage} i '{source}' (var: {result.previous}); uenigheden er åben igen.")


@consensus_app.command("list")
def list_decisions(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Vis de afgjorte uenigheder: hvem afgjorde hvad, hvornår og hvorfor."""
    from trivselkode.storage.consensus import decisions

    rows = decisions(state(ctx).project())
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    for r in rows:
        why = f" – begrundelse: {r['reason']}" if r["reason"] else ""
        say(
            f"{r['source']} udsagn {r['passage']} {r['code']}: {r['choice']} ({'/'.join(r['coders'])}) "
            f"af {r['settled_by']} {r['settled_at']}{why}"
        )
    if not rows:
        note("Ingen afgørelser endnu.")


class AuditFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


AUDIT_FIELDS = ["at", "by", "action", "source", "passage", "speaker", "code", "previous", "choice", "coders", "reason", "text"]  # fmt: skip


def _local(stamp: datetime) -> str:
    """A stored time (UTC) in the local time zone, as the review screen shows it."""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone().strftime("%d.%m.%Y %H:%M")


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@consensus_app.command("audit")
def audit(
    ctx: typer.Context,
    code: str | None = typer.Option(None, "--code", "-c", help="Kun denne kode."),
    source: str | None = typer.Option(None, "--source", "-s", help="Kun denne kilde."),
    fmt: AuditFormat = typer.Option(AuditFormat.table, "--format", help="table, json eller csv."),
) -> None:
    """Loggen over afgørelser: hvem afgjorde, ændrede eller ophævede hvad, hvornår, hvorfor – med udsagnets tekst."""
    from trivselkode.storage.decisions import audit as read_audit

    events = read_audit(state(ctx).project(), code=code, source=source)
    rows = [r.as_dict() for r in events]
    if fmt is AuditFormat.json:
        emit_json(rows)
        return
    if fmt is AuditFormat.csv:
        from trivselkode.domain.cells import csv_text

        emit_data(csv_text(AUDIT_FIELDS, [{**r, "coders": ",".join(r["coders"])} for r in rows]))
        return
    if not rows:
        note("Ingen afgørelser i loggen endnu.")
        return
    for r, event in zip(rows, events):
        change = (
            f"{_choice(event, r['previous'])} → {_choice(event, r['choice'])}"
            if r["previous"]
            else _choice(event, r["choice"])
        )
        say(f"{_local(event.at)} · {r['by']} · {event.action} · {r['source']} #{r['passage']} {r['code']} · {change}")
        say(f"  Begrundelse: {r['reason']}" if r["reason"] else "  Ingen begrundelse")
        say(f"  {r['speaker']}: »{_short(r['text'], 200)}«")


def _choice(event, choice: str) -> str:  # noqa: ANN001 (an AuditRow)
    """``b (bo)``, ``both``, ``undone``: a choice with the coder's name for a and b."""
    if choice in ("a", "b") and len(event.coders) == 2:
        return f"{choice} ({event.coders[0 if choice == 'a' else 1]})"
    return choice


@consensus_app.command("settings")
def settings(
    ctx: typer.Context,
    allow_own_fix: bool | None = typer.Option(
        None,
        "--allow-own-fix/--no-allow-own-fix",
        help="Må en koder rette sin egen kodning fra Enigheds gennemgang (tast o)? Uden valg: vis indstillingen.",
    ),
    learn_all: bool | None = typer.Option(
        None,
        "--queue-learns-from-all/--queue-learns-from-own",
        help="Lærer forslagskøen (Q) af alle koderes kodninger (ellers kun koderens egne: blind kodning)?",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
) -> None:
    """Projektets indstillinger for enighed og konsensus (gemt i projektet, gælder alle kodere)."""
    from trivselkode.storage import project_settings as ps

    project = state(ctx).project()
    value = ps.set_allow_own_fix(project, allow_own_fix) if allow_own_fix is not None else ps.allow_own_fix(project)
    learns = (
        ps.set_queue_learns_from_all(project, learn_all) if learn_all is not None else ps.queue_learns_from_all(project)
    )
    if fmt is OutputFormat.json:
        emit_json({"allow_own_fix": value, "queue_learns_from_all": learns})
        return
    state_text = "til" if value else "fra"
    say(f"Ret egen kodning fra gennemgangen (allow_own_fix): {state_text}")
    say(f"Køen lærer af alle koderes kodninger (queue_learns_from_all): {'til' if learns else 'fra'}")
    if allow_own_fix is None and not value:
        note("Slå det til med `trivselkode consensus settings --allow-own-fix`.")
