"""Udtræk's keys as its help shows them, and its filter field."""

from __future__ import annotations

from trivselkode.storage.coding_views import CodeInfo
from trivselkode.tui.common.plain import PlainInput

#: The screen's keys as its help describes them (by action).
HELP_TEXT = {
    "escape": "fra filterfeltet: til rækkerne; ellers tilbage",
    "open_passage": "åbn rækkens udsagn i Kodning (Escape der: tilbage hertil)",
    "focus_filter": "filtrér rækkerne (se Filteret nedenfor)",
    "choose_code": "vælg koden, hvis udsnit vises",
    "open_review_queue": "Forslagskø: kodens ukodede udsagn, bedst først (y koder, n afviser)",
    "and_code": "kombination: kun udsagn, der også har en kode (vælg den igen for at fjerne den)",
    "not_code": "kombination: kun udsagn, der ikke har en kode (vælg den igen for at fjerne den)",
    "toggle_order": "ordn efter kilde eller efter længde (længste først)",
    "toggle_star": "stjerne på rækkens udsagn: citatkandidat (til/fra)",
    "pick_code": "sæt/fjern en vilkårlig kode på rækkens udsagn",
    "undo": "fortryd seneste kodning (også fra Kodning)",
    "redo": "gentag det fortrudte",
    "reload": "genindlæs fra databasen",
    "move(1)": "næste række",
    "move(-1)": "forrige række",
    "page(1)": "en skærmside frem",
    "page(-1)": "en skærmside tilbage",
    "first": "første række",
    "last": "sidste række",
    "back": "tilbage",
}


def help_extra(codes: list[CodeInfo]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter's syntax, the box below the rows, and the codes' keys (``codes``: those bound)."""
    return [
        (
            "Filteret (/)",
            [
                (
                    "ord",
                    "rækker, hvis bibliotek, kontekst, køn, aldersgruppe, kilde, taler eller kodere begynder sådan",
                ),
                ("bibliotek:randers", "et felt: bibliotek, kontekst, runde, køn, alder, koder, kilde, type, taler"),
                ("bibliotek:a,b", "et af flere (hvert ord skal passe)"),
                ("koder:anne", "kun annes kodninger tæller (også i kombinationen)"),
                ("Enter / ↓ / Escape", "til rækkerne"),
            ],
        ),
        ("Rækken i fuld længde", [("Tab", "til feltet under rækkerne: ↑ ↓ PgUp PgDn Home End ruller")]),
        ("Koder på rækkens udsagn", [(c.shortcut or "", f"sæt/fjern {c.key} {c.name}") for c in codes]),
    ]


class FilterInput(PlainInput):
    """The filter field. "?" is left to the screen (it shows the keys)."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if character == "?":
            return False
        return super().check_consume_key(key, character)
