"""Udtræk's keys as its help shows them, and its filter field."""

from __future__ import annotations

from trivselkode.i18n import N_, _
from trivselkode.storage.coding_views import CodeInfo
from trivselkode.tui.common.plain import PlainInput

#: The screen's keys as its help describes them (by action).
HELP_TEXT = {
    "escape": N_("fra filterfeltet: til rækkerne; ellers tilbage"),
    "open_passage": N_("åbn rækkens udsagn i Kodning (Escape der: tilbage hertil)"),
    "focus_filter": N_("filtrér rækkerne (se Filteret nedenfor)"),
    "choose_code": N_("vælg koden, hvis udsnit vises"),
    "open_review_queue": N_("Forslagskø: kodens ukodede udsagn, bedst først (y koder, n afviser)"),
    "and_code": N_("kombination: kun udsagn, der også har en kode (vælg den igen for at fjerne den)"),
    "not_code": N_("kombination: kun udsagn, der ikke har en kode (vælg den igen for at fjerne den)"),
    "toggle_order": N_("ordn efter kilde eller efter længde (længste først)"),
    "toggle_star": N_("stjerne på rækkens udsagn: citatkandidat (til/fra)"),
    "pick_code": N_("sæt/fjern en vilkårlig kode på rækkens udsagn"),
    "undo": N_("fortryd seneste kodning (også fra Kodning)"),
    "redo": N_("gentag det fortrudte"),
    "reload": N_("genindlæs fra databasen"),
    "move(1)": N_("næste række"),
    "move(-1)": N_("forrige række"),
    "page(1)": N_("en skærmside frem"),
    "page(-1)": N_("en skærmside tilbage"),
    "first": N_("første række"),
    "last": N_("sidste række"),
    "back": N_("tilbage"),
}


def help_extra(codes: list[CodeInfo]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter's syntax, the box below the rows, and the codes' keys (``codes``: those bound)."""
    return [
        (
            _("Filteret (/)"),
            [
                (
                    _("ord"),
                    _("rækker, hvis bibliotek, kontekst, køn, aldersgruppe, kilde, taler eller kodere begynder sådan"),
                ),
                (
                    _("bibliotek:randers"),
                    _("et felt: bibliotek, kontekst, runde, køn, alder, koder, kilde, type, taler"),
                ),
                (_("bibliotek:a,b"), _("et af flere (hvert ord skal passe)")),
                (_("koder:anne"), _("kun annes kodninger tæller (også i kombinationen)")),
                ("Enter / ↓ / Escape", _("til rækkerne")),
            ],
        ),
        (_("Rækken i fuld længde"), [("Tab", _("til feltet under rækkerne: ↑ ↓ PgUp PgDn Home End ruller"))]),
        (
            _("Koder på rækkens udsagn"),
            [(c.shortcut or "", _("sæt/fjern {key} {name}").format(key=c.key, name=c.name)) for c in codes],
        ),
    ]


class FilterInput(PlainInput):
    """The filter field. "?" is left to the screen (it shows the keys)."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if character == "?":
            return False
        return super().check_consume_key(key, character)
