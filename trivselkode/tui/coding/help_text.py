"""What the help (``?``) says about Kodning's keys: a line per action, and the notes of its modes."""

from __future__ import annotations

from trivselkode.i18n import N_, _
from trivselkode.tui.coding.learning import RETRAIN_EVERY

HELP_TEXT: dict[str, str] = {
    "move(1)": N_("næste udsagn (interviewerens springes over)"),
    "move(-1)": N_("forrige udsagn"),
    "page(1)": N_("en skærmside frem (i et langt udsagn først gennem udsagnet)"),
    "page(-1)": N_("en skærmside tilbage (i et langt udsagn først gennem udsagnet)"),
    "first": N_("første udsagn"),
    "last": N_("sidste udsagn"),
    "next_uncoded": N_("næste udsagn, du ikke har kodet (til sidst: tilbyder næste ufærdige kilde)"),
    "previous_uncoded": N_("forrige udsagn, du ikke har kodet"),
    "pick_code": N_("vælg en vilkårlig kode ved at skrive en del af navnet (Enter sætter/fjerner den)"),
    "accept_suggestion": N_("tag det første sikre forslag (forslag sættes aldrig af sig selv)"),
    "choose_suggestion": N_("vælg blandt alle forslag med et tal (de sikre først, så de usikre nedtonet)"),
    "start_span": N_("indsnævr udsagnets kodning til sætninger eller ord (citat, in vivo) – se Udsnit nedenfor"),
    "edit_memo": N_("notat på udsagnet"),
    "undo": N_("fortryd seneste kodning (også i andre udsagn og kilder)"),
    "redo": N_("gentag det fortrudte"),
    "open_search": N_("søg i kilden"),
    "search_next": N_("næste træf"),
    "search_previous": N_("forrige træf"),
    "toggle_star": N_("stjerne: udsagnet er en citatkandidat (til/fra)"),
    "toggle_done": N_("markér kilden færdig for dig (til/fra)"),
    "edit_speaker": N_("ret deltagerens køn, alder, bibliotek og andre egenskaber"),
    "toggle_others": N_("vis/skjul de andre koderes kodninger (skjult: blind kodning)"),
    "reload": N_("genindlæs fra databasen (andres færdigmarkeringer og tal), og lad forslagene lære igen"),
    "review_queue": N_("forslagskø for koden markeret i kodebogen: de ukodede udsagn, den nok passer til"),
    "span_end(1)": N_("udsnit: udvid med en sætning"),
    "span_end(-1)": N_("udsnit: formindsk med en sætning"),
    "span_start(1)": N_("udsnit: flyt starten en sætning frem"),
    "span_start(-1)": N_("udsnit: flyt starten en sætning tilbage"),
    "span_word_end(1)": N_("udsnit: udvid med et ord"),
    "span_word_end(-1)": N_("udsnit: formindsk med et ord"),
    "span_word_start(1)": N_("udsnit: flyt starten et ord frem"),
    "span_word_start(-1)": N_("udsnit: flyt starten et ord tilbage"),
    "in_vivo": N_("udsnit: kod de valgte ord in vivo (ny kode med ordene som navn)"),
    "confirm": N_("udsnit: kod det valgte"),
    "escape": N_("annullér udsnittet, ellers tilbage til oversigten"),
    "back": N_("tilbage til oversigten"),
}

RETRAIN_NOTE = N_("i baggrunden efter hver {n}. kodning, du sætter, og på r; tasterne virker imens")

HELP_EXTRA: list[tuple[str, list[tuple[str, str]]]] = [
    (N_("Udsnit (efter s)"), [
        ("s", N_("(igen) kun udsnittets første ord – derfra udvides det med w")),
        ("w / ctrl+→", N_("udvid udsnittet med et ord")),
        ("b / ctrl+←", N_("formindsk udsnittet med et ord")),
        ("W / B", N_("flyt udsnittets start et ord frem / tilbage (også ctrl+shift+→ / ←)")),
        ("→ / ←", N_("udvid / formindsk udsnittet med en sætning")),
        ("shift+→ / shift+←", N_("flyt udsnittets start en sætning frem / tilbage")),
        ("PageDown / PageUp", N_("bladr i et langt udsagn; udsnittets ende holdes på skærmen")),
        ("Enter", N_("kod udsnittet med den kode, der sidst blev sat på udsagnet (ellers vælges en kode)")),
        ("v", N_("in vivo: ny kode med de valgte ord som navn, under en overkode du bekræfter")),
        ("Escape", N_("annullér udsnittet")),
        ("w b W B v", N_("er udsnittets taster i udsnittet; ellers kodernes genveje, hvis de har dem")),
    ]),
    (N_("Vælg kode (mellemrum)"), [
        (N_("skriv"), N_("find en kode på nøgle, genvej eller navn (begyndelsen først)")),
        ("Enter", N_("sæt/fjern den markerede kode")),
        (N_("Opret kode …"), N_("et navn, ingen kode har: Enter opretter koden og sætter den på")),
        ("ctrl+o", N_("vælg, hvor den nye kode skal ligge i kodebogen")),
    ]),
    (N_("Søgning (efter /)"), [
        (N_("skriv"), N_("markér træf i kilden")),
        ("Enter / ↓ / ctrl+n", N_("næste træf")),
        ("↑ / ctrl+p", N_("forrige træf")),
        ("Escape", N_("luk søgefeltet (ctrl+n / ctrl+p søger videre)")),
    ]),
    (N_("Forslag"), [
        (N_("Forslag: …"), N_("linjen siger, hvad forslagene bygger på: lært af N kodede udsagn, eller nøgleord")),
        (N_("lært"), N_("en model lærer af projektets kodninger (alle koderes, konsensus hvor den findes)")),
        (N_("lærer igen"), RETRAIN_NOTE),
        (N_("sikre forslag"), N_("vises med nummer, sandsynlighed og hvorfor; + tager det første")),
        (N_("usikre forslag"), N_("vises kun med A (nedtonet); koder, udsagnet allerede har, foreslås ikke")),
    ]),
    (N_("Kodebogen"), [
        ("Tab", N_("skift mellem udsagnene og kodebogen")),
        ("↑ ↓ Enter", N_("i kodebogen: vælg en kode og sæt/fjern den på udsagnet")),
    ]),
]  # fmt: skip


def help_extra() -> list[tuple[str, list[tuple[str, str]]]]:
    """:data:`HELP_EXTRA` as the help shows it now (message ids; the retraining note with its number in it)."""
    retrain = _(RETRAIN_NOTE).format(n=RETRAIN_EVERY)
    return [
        (title, [(key, retrain if what == RETRAIN_NOTE else what) for key, what in rows]) for title, rows in HELP_EXTRA
    ]
