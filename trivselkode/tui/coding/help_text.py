"""What the help (``?``) says about Kodning's keys: a line per action, and the notes of its modes."""

from __future__ import annotations

from trivselkode.tui.coding.learning import RETRAIN_EVERY

HELP_TEXT: dict[str, str] = {
    "move(1)": "næste udsagn (interviewerens springes over)",
    "move(-1)": "forrige udsagn",
    "page(1)": "en skærmside frem (i et langt udsagn først gennem udsagnet)",
    "page(-1)": "en skærmside tilbage (i et langt udsagn først gennem udsagnet)",
    "first": "første udsagn",
    "last": "sidste udsagn",
    "next_uncoded": "næste udsagn, du ikke har kodet (til sidst: tilbyder næste ufærdige kilde)",
    "previous_uncoded": "forrige udsagn, du ikke har kodet",
    "pick_code": "vælg en vilkårlig kode ved at skrive en del af navnet (Enter sætter/fjerner den)",
    "accept_suggestion": "tag det første sikre forslag (forslag sættes aldrig af sig selv)",
    "choose_suggestion": "vælg blandt alle forslag med et tal (de sikre først, så de usikre nedtonet)",
    "start_span": "indsnævr udsagnets kodning til sætninger eller ord (citat, in vivo) – se Udsnit nedenfor",
    "edit_memo": "notat på udsagnet",
    "undo": "fortryd seneste kodning (også i andre udsagn og kilder)",
    "redo": "gentag det fortrudte",
    "open_search": "søg i kilden",
    "search_next": "næste træf",
    "search_previous": "forrige træf",
    "toggle_star": "stjerne: udsagnet er en citatkandidat (til/fra)",
    "toggle_done": "markér kilden færdig for dig (til/fra)",
    "edit_speaker": "ret deltagerens køn, alder, bibliotek og andre egenskaber",
    "toggle_others": "vis/skjul de andre koderes kodninger (skjult: blind kodning)",
    "reload": "genindlæs fra databasen (andres færdigmarkeringer og tal), og lad forslagene lære igen",
    "review_queue": "forslagskø for koden markeret i kodebogen: de ukodede udsagn, den nok passer til",
    "span_end(1)": "udsnit: udvid med en sætning",
    "span_end(-1)": "udsnit: formindsk med en sætning",
    "span_start(1)": "udsnit: flyt starten en sætning frem",
    "span_start(-1)": "udsnit: flyt starten en sætning tilbage",
    "span_word_end(1)": "udsnit: udvid med et ord",
    "span_word_end(-1)": "udsnit: formindsk med et ord",
    "span_word_start(1)": "udsnit: flyt starten et ord frem",
    "span_word_start(-1)": "udsnit: flyt starten et ord tilbage",
    "in_vivo": "udsnit: kod de valgte ord in vivo (ny kode med ordene som navn)",
    "confirm": "udsnit: kod det valgte",
    "escape": "annullér udsnittet, ellers tilbage til oversigten",
    "back": "tilbage til oversigten",
}

HELP_EXTRA: list[tuple[str, list[tuple[str, str]]]] = [
    ("Udsnit (efter s)", [
        ("s", "(igen) kun udsnittets første ord – derfra udvides det med w"),
        ("w / ctrl+→", "udvid udsnittet med et ord"),
        ("b / ctrl+←", "formindsk udsnittet med et ord"),
        ("W / B", "flyt udsnittets start et ord frem / tilbage (også ctrl+shift+→ / ←)"),
        ("→ / ←", "udvid / formindsk udsnittet med en sætning"),
        ("shift+→ / shift+←", "flyt udsnittets start en sætning frem / tilbage"),
        ("PageDown / PageUp", "bladr i et langt udsagn; udsnittets ende holdes på skærmen"),
        ("Enter", "kod udsnittet med den kode, der sidst blev sat på udsagnet (ellers vælges en kode)"),
        ("v", "in vivo: ny kode med de valgte ord som navn, under en overkode du bekræfter"),
        ("Escape", "annullér udsnittet"),
        ("w b W B v", "er udsnittets taster i udsnittet; ellers kodernes genveje, hvis de har dem"),
    ]),
    ("Vælg kode (mellemrum)", [
        ("skriv", "find en kode på nøgle, genvej eller navn (begyndelsen først)"),
        ("Enter", "sæt/fjern den markerede kode"),
        ("Opret kode …", "et navn, ingen kode har: Enter opretter koden og sætter den på"),
        ("ctrl+o", "vælg, hvor den nye kode skal ligge i kodebogen"),
    ]),
    ("Søgning (efter /)", [
        ("skriv", "markér træf i kilden"),
        ("Enter / ↓ / ctrl+n", "næste træf"),
        ("↑ / ctrl+p", "forrige træf"),
        ("Escape", "luk søgefeltet (ctrl+n / ctrl+p søger videre)"),
    ]),
    ("Forslag", [
        ("Forslag: …", "linjen siger, hvad forslagene bygger på: lært af N kodede udsagn, eller nøgleord"),
        ("lært", "en model lærer af projektets kodninger (alle koderes, konsensus hvor den findes)"),
        ("lærer igen", f"i baggrunden efter hver {RETRAIN_EVERY}. kodning, du sætter, og på r; tasterne virker imens"),
        ("sikre forslag", "vises med nummer, sandsynlighed og hvorfor; + tager det første"),
        ("usikre forslag", "vises kun med A (nedtonet); koder, udsagnet allerede har, foreslås ikke"),
    ]),
    ("Kodebogen", [
        ("Tab", "skift mellem udsagnene og kodebogen"),
        ("↑ ↓ Enter", "i kodebogen: vælg en kode og sæt/fjern den på udsagnet"),
    ]),
]  # fmt: skip
