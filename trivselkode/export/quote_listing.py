"""A quote collection's candidates, as the researcher chooses among them: a text table, CSV, Markdown or JSON.

``trivselkode report quotes --candidates`` prints it, and the Eksport
screen's Citatvalg reads its JSON document (:func:`candidates_document`)::

    {"basis": "foreningsmængden af anne, bo", "n": 5, "codes": [
      {"code": "T3", "name": "Stille social resonans", "quotes": 5, "picked": 2, "dropped": 1,
       "candidates": [{"rank": 1, "state": "picked", "position": 1, "ref": "holstebro-interview-03#14",
                       "source": "holstebro-interview-03", "passage": 14,
                       "reference": "Interview 3, Holstebro, udsagn 14",
                       "attribution": "– Kvinde, 67 år, Holstebro", "text": "…", "starred": false,
                       "consensus": true, "coders": 2, "quotable": true}, …]}]}

The table's quote column is cut to :data:`TABLE_TEXT` characters (the
terminal's view); CSV, Markdown and JSON carry the whole quote.
"""

from __future__ import annotations

from typing import Any

from trivselkode.analysis.quote_candidates import DROPPED, PICKED, STATE_LABELS
from trivselkode.analysis.quotes import QuoteCollection
from trivselkode.export import tables
from trivselkode.export.tables import Column, Table
from trivselkode.i18n import CONTEXT_MARK, N_, gettext_for

TABLE_TEXT = 60  # characters of a quote in the text table

#: The table's labels as message ids (Danish), translated for the listing's language.
_LABELS = {
    "title": N_("Kandidater til citater"),
    "code": N_("Kode"),
    "rank": N_("Nr."),
    "state": N_("Valg"),
    "ref": N_("én henvisning¦Udsagn"),  # one passage per row: "Passage" (the context before "¦" is not shown)
    "reference": N_("Henvisning"),
    "attribution": N_("Tilskrivning"),
    "text": N_("Citat"),
    "basis": N_("Grundlag"),
    "n": N_("højst {n} citater pr. kode; Nr. er pladsen i eksporten"),
}


def _label(lang: str, key: str) -> str:
    """A label in ``lang``; a message id "text|context" (a Danish word with two English ones) shows "text"."""
    return gettext_for(lang)(_LABELS[key]).split(CONTEXT_MARK, 1)[-1]


def state_label(row: dict[str, Any], lang: str = "da") -> str:
    """ "valgt 2", "fravalgt", "automatisk" …: a candidate's state as it reads."""
    text = STATE_LABELS.get(lang, STATE_LABELS["da"])[row["state"]]
    if row["state"] == PICKED and row.get("position"):
        text += f" {row['position']}"
    return text + (" ★" if row.get("starred") else "")


def candidates_document(collection: QuoteCollection, n: int) -> dict[str, Any]:
    """The JSON document (see the module doc)."""
    codes = []
    for group in collection.codes:
        rows = [item.row() for item in group.listed]
        codes.append(
            {
                "code": group.code.key,
                "name": group.code.name,
                "quotes": len(group.quotes),
                "picked": sum(r["state"] == PICKED for r in rows),
                "dropped": sum(r["state"] == DROPPED for r in rows),
                "candidates": rows,
            }
        )
    return {"basis": collection.selection.describe(collection.lang), "n": n, "codes": codes}


def candidates_table(document: dict[str, Any], lang: str = "da", cut: bool = False) -> Table:
    """The document as one table (quotes cut to :data:`TABLE_TEXT` characters when ``cut``)."""
    keys = ("code", "rank", "state", "ref", "reference", "attribution", "text")
    columns = [Column(k, _label(lang, k), "int" if k == "rank" else "text") for k in keys]
    rows = []
    for group in document["codes"]:
        for r in group["candidates"]:
            text = " ".join(str(r["text"]).split())
            if cut and len(text) > TABLE_TEXT:
                text = text[: TABLE_TEXT - 1].rstrip() + "…"
            rows.append(
                [group["code"], r["rank"], state_label(r, lang), r["ref"], r["reference"], r["attribution"], text]
            )
    notes = [f"{_label(lang, 'basis')}: {document['basis']}; {_label(lang, 'n').format(n=document['n'])}."]
    return Table(_label(lang, "title"), columns, rows, lang, notes, sheet=_label(lang, "title"))


def render_candidates(collection: QuoteCollection, fmt: str, n: int) -> tuple[str, dict[str, Any]]:
    """The candidates in ``fmt`` (table, csv, md, json), and the JSON document."""
    document = candidates_document(collection, n)
    if fmt == "json":
        return tables.to_json(document), document
    rendered = tables.render(candidates_table(document, collection.lang, cut=fmt == "table"), fmt)
    assert isinstance(rendered, str)
    return rendered, document
