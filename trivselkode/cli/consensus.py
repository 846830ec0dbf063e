"""``trivselkode consensus …``: settle, undo, list and audit settlements; the project's consensus settings."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

import typer

from trivselkode.cli.common import OutputFormat, emit_data, emit_json, new_typer, note, say, state
from trivselkode.i18n import N_, _, ngettext

consensus_app = new_typer()


def _pair(coders: str) -> tuple[str, str]:
    from trivselkode.errors import TrivselError

    names = [v.strip() for v in coders.split(",") if v.strip()]
    if len(names) != 2:
        raise TrivselError(_("--coders skal nævne præcis to kodere"), _("fx --coders anne,bo"))
    return names[0], names[1]


@consensus_app.command("settle", help=N_("Afgør en uenighed i konsensuskoderen (kodernes egne kodninger ændres ikke)."))
def settle(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help=N_("Kildens navn.")),
    passage: int = typer.Option(..., "--passage", "-p", help=N_("Udsagnets nummer.")),
    code: str = typer.Option(..., "--code", "-c", help=N_("Koden.")),
    take: str = typer.Option(..., "--take", help=N_("a, b, both eller neither.")),
    coders: str = typer.Option(..., "--coders", help=N_("De to kodere, A først, fx anne,bo.")),
    settled_by: str | None = typer.Option(None, "--by", help=N_("Hvem afgør (standard: TRIVSELKODE_CODER).")),
    reason: str | None = typer.Option(
        None,
        "--reason",
        help=N_('Begrundelsen for afgørelsen (udeladt: en tidligere begrundelse beholdes; "": fjernes).'),
    ),
) -> None:
    from trivselkode.storage.consensus import settle as do_settle

    st = state(ctx)
    result = do_settle(st.project(), source, passage, code, take, _pair(coders), st.coder(settled_by), reason)
    verb = _("Afgjort") if result.previous is None else _("Ændret (før: {previous})").format(previous=result.previous)
    why = " " + _("Begrundelse: {reason}").format(reason=result.reason) if result.reason else ""
    made = ngettext("{n} konsensuskodning", "{n} konsensuskodninger", result.codings).format(n=result.codings)
    note(
        _("{verb}: {code} på udsagn {passage} i '{source}' → {take} ({made}).").format(
            verb=verb, code=code, passage=passage, source=source, take=take, made=made
        )
        + why
    )


@consensus_app.command(
    "undo", help=N_("Ophæv en afgørelse: uenigheden er åben igen, og konsensuskoderens kodning af koden dér fjernes.")
)
def undo(
    ctx: typer.Context,
    source: str = typer.Option(..., "--source", "-s", help=N_("Kildens navn.")),
    passage: int = typer.Option(..., "--passage", "-p", help=N_("Udsagnets nummer.")),
    code: str = typer.Option(..., "--code", "-c", help=N_("Koden.")),
    by: str | None = typer.Option(None, "--by", help=N_("Hvem ophæver (standard: TRIVSELKODE_CODER).")),
    reason: str | None = typer.Option(None, "--reason", help=N_("Hvorfor afgørelsen ophæves (gemmes i loggen).")),
) -> None:
    from trivselkode.storage.consensus import unsettle

    st = state(ctx)
    result = unsettle(st.project(), source, passage, code, st.coder(by), reason)
    note(
        _("Ophævet: {code} på udsagn {passage} i '{source}' (var: {previous}); uenigheden er åben igen.").format(
            code=code, passage=passage, source=source, previous=result.previous
        )
    )


@consensus_app.command("list", help=N_("Vis de afgjorte uenigheder: hvem afgjorde hvad, hvornår og hvorfor."))
def list_decisions(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.storage.consensus import decisions

    rows = decisions(state(ctx).project())
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    for r in rows:
        why = " – " + _("begrundelse: {reason}").format(reason=r["reason"]) if r["reason"] else ""
        line = _("{source} udsagn {passage} {code}: {choice} ({coders}) af {by} {at}").format(
            source=r["source"],
            passage=r["passage"],
            code=r["code"],
            choice=r["choice"],
            coders="/".join(r["coders"]),
            by=r["settled_by"],
            at=r["settled_at"],
        )
        say(line + why)
    if not rows:
        note(_("Ingen afgørelser endnu."))


class AuditFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"


AUDIT_FIELDS = ["at", "by", "action", "source", "passage", "speaker", "code", "previous", "choice", "coders", "reason", "text"]  # fmt: skip


def _local(stamp: datetime) -> str:
    """A stored time (UTC) in the local time zone, as the review screen shows it."""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone().strftime("%d.%m.%Y %H:%M")


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@consensus_app.command(
    "audit",
    help=N_(
        "Loggen over afgørelser: hvem afgjorde, ændrede eller ophævede hvad, hvornår, hvorfor – med udsagnets tekst."
    ),
)
def audit(
    ctx: typer.Context,
    code: str | None = typer.Option(None, "--code", "-c", help=N_("Kun denne kode.")),
    source: str | None = typer.Option(None, "--source", "-s", help=N_("Kun denne kilde.")),
    fmt: AuditFormat = typer.Option(AuditFormat.table, "--format", help=N_("table, json, csv eller tsv.")),
) -> None:
    from trivselkode.storage.decisions import audit as read_audit

    events = read_audit(state(ctx).project(), code=code, source=source)
    rows = [r.as_dict() for r in events]
    if fmt is AuditFormat.json:
        emit_json(rows)
        return
    if fmt in (AuditFormat.csv, AuditFormat.tsv):
        from trivselkode.domain.cells import csv_text
        from trivselkode.export.tsv import csv_to_tsv

        text = csv_text(AUDIT_FIELDS, [{**r, "coders": ",".join(r["coders"])} for r in rows])
        emit_data(csv_to_tsv(text) if fmt is AuditFormat.tsv else text)
        return
    if not rows:
        note(_("Ingen afgørelser i loggen endnu."))
        return
    for r, event in zip(rows, events):
        change = (
            f"{_choice(event, r['previous'])} → {_choice(event, r['choice'])}"
            if r["previous"]
            else _choice(event, r["choice"])
        )
        action = _(ACTIONS.get(event.action, event.action))
        say(f"{_local(event.at)} · {r['by']} · {action} · {r['source']} #{r['passage']} {r['code']} · {change}")
        say("  " + (_("Begrundelse: {reason}").format(reason=r["reason"]) if r["reason"] else _("Ingen begrundelse")))
        say(f"  {r['speaker']}: »{_short(r['text'], 200)}«")


ACTIONS = {"afgjort": N_("afgjort"), "ændret": N_("ændret"), "ophævet": N_("ophævet")}


def _choice(event, choice: str) -> str:  # noqa: ANN001 (an AuditRow)
    """``b (bo)``, ``both``, ``undone``: a choice with the coder's name for a and b."""
    if choice in ("a", "b") and len(event.coders) == 2:
        return f"{choice} ({event.coders[0 if choice == 'a' else 1]})"
    return choice


@consensus_app.command(
    "settings", help=N_("Projektets indstillinger for enighed og konsensus (gemt i projektet, gælder alle kodere).")
)
def settings(
    ctx: typer.Context,
    allow_own_fix: bool | None = typer.Option(
        None,
        "--allow-own-fix/--no-allow-own-fix",
        help=N_("Må en koder rette sin egen kodning fra Enigheds gennemgang (tast o)? Uden valg: vis indstillingen."),
    ),
    learn_all: bool | None = typer.Option(
        None,
        "--queue-learns-from-all/--queue-learns-from-own",
        help=N_("Lærer forslagskøen (Q) af alle koderes kodninger (ellers kun koderens egne: blind kodning)?"),
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=N_("table eller json.")),
) -> None:
    from trivselkode.storage import project_settings as ps

    project = state(ctx).project()
    value = ps.set_allow_own_fix(project, allow_own_fix) if allow_own_fix is not None else ps.allow_own_fix(project)
    learns = (
        ps.set_queue_learns_from_all(project, learn_all) if learn_all is not None else ps.queue_learns_from_all(project)
    )
    if fmt is OutputFormat.json:
        emit_json({"allow_own_fix": value, "queue_learns_from_all": learns})
        return
    say(_("Ret egen kodning fra gennemgangen (allow_own_fix): {state}").format(state=_("til") if value else _("fra")))
    say(
        _("Køen lærer af alle koderes kodninger (queue_learns_from_all): {state}").format(
            state=_("til") if learns else _("fra")
        )
    )
    if allow_own_fix is None and not value:
        note(_("Slå det til med `trivselkode consensus settings --allow-own-fix`."))
