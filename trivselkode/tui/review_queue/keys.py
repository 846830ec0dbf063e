"""The review queue's keys as its help shows them."""

from __future__ import annotations

from trivselkode.i18n import N_

#: The screen's keys as its help describes them (by action).
HELP_TEXT = {
    "accept": N_("kod udsagnet med koden (gemmes med det samme; det næste vises straks)"),
    "reject": N_("afvis: udsagnet tilbydes ikke igen for koden, og modellen lærer af det"),
    "open_context": N_("åbn udsagnet i Kodning (Escape dér: tilbage hertil, samme sted i køen)"),
    "undo": N_("fortryd seneste y eller n (en afvisning fjernes igen)"),
    "skip": N_("spring over: udsagnet bagerst i køen, uden at gemme noget"),
    "rerank": N_("rangér igen nu med det, der er kodet og afvist (sker også af sig selv hver 10. gang)"),
    "choose_code": N_("vælg en anden kode"),
    "escape": N_("tilbage"),
    "back": N_("tilbage"),
}

#: What ``?`` adds below the keys.
HELP_EXTRA = [
    (
        N_("Sådan virker køen"),
        [
            (N_("rækkefølge"), N_("de ukodede deltagerudsagn, som modellen tror bedst passer til koden, først")),
            (
                N_("blind kodning"),
                N_("modellen lærer kun af dine egne kodninger og afvisninger, medmindre projektet siger andet"),
            ),
            (N_("ingen kodninger"), N_("uden kodninger endnu rangeres efter kodebogens nøgleord")),
            ("↑ ↓ PgUp PgDn", N_("rul i et langt udsagn")),
        ],
    )
]
