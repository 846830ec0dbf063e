"""The review queue's keys as its help shows them."""

from __future__ import annotations

#: The screen's keys as its help describes them (by action).
HELP_TEXT = {
    "accept": "kod udsagnet med koden (gemmes med det samme; det næste vises straks)",
    "reject": "afvis: udsagnet tilbydes ikke igen for koden, og modellen lærer af det",
    "open_context": "åbn udsagnet i Kodning (Escape dér: tilbage hertil, samme sted i køen)",
    "undo": "fortryd seneste y eller n (en afvisning fjernes igen)",
    "skip": "spring over: udsagnet bagerst i køen, uden at gemme noget",
    "rerank": "rangér igen nu med det, der er kodet og afvist (sker også af sig selv hver 10. gang)",
    "choose_code": "vælg en anden kode",
    "escape": "tilbage",
    "back": "tilbage",
}

#: What ``?`` adds below the keys.
HELP_EXTRA = [
    (
        "Sådan virker køen",
        [
            ("rækkefølge", "de ukodede deltagerudsagn, som modellen tror bedst passer til koden, først"),
            (
                "blind kodning",
                "modellen lærer kun af dine egne kodninger og afvisninger, medmindre projektet siger andet",
            ),
            ("ingen kodninger", "uden kodninger endnu rangeres efter kodebogens nøgleord"),
            ("↑ ↓ PgUp PgDn", "rul i et langt udsagn"),
        ],
    )
]
