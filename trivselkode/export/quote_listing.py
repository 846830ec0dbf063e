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

TABLE_TEXT = 60  # characters of a quote in the text table

_LABELS = {
    "da": {
        "title": "Kandidater til citater",
        "code": "Kode",
        "rank": "Nr.",
        "state": "Valg",
        "ref": "Udsagn",
        "reference": "Henvisning",
        "attribution": "Tilskrivning",
        "text": "Citat",
        "basis": "Grundlag",
        "n": "højst {n} citater pr. kode; Nr. er pladsen i eksporten",
    },
    "en": {
        "title": "Candidate quotes",
        "code": "Code",
        "rank": "No.",
        "state": "Choice",
        "ref": "Passage",
        "reference": "Reference",
        "attribution": "Attribution",
        "text": "Quote",
        "basis": "Basis",
        "n": "at most {n} quotes a code; No. is the place in the export",
    },
}


def _label(lang: str, key: str) -> str:
    return _LABELS.get(lang, _LABELS["da"])[key]


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
