"""A transcript with a long participant turn (over 1,500 characters), for the coding screen's tests.

The project is :func:`tests.tui.conftest.build_project`'s, with one more
source, ``lang-tur`` (between ``holstebro-1`` and ``viborg-voxpop`` in the
overview's order): the interviewer asks, P1 answers at length (passage 2),
the interviewer thanks, P2 says a little more (passage 4).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert

from tests.tui.conftest import build_project, sentences
from trivselkode.storage.db import Project
from trivselkode.storage.models import Participant, Passage, Source

SOURCE = "lang-tur"

LONG_TURN = (
    "Jeg kommer her næsten hver dag, og det har jeg gjort, siden min mand døde for tre år siden. "
    "I begyndelsen kom jeg bare for at låne krimier, men så begyndte jeg at blive siddende i læsesalen, "
    "fordi der var varmt og stille, og fordi ingen spurgte, hvorfor jeg sad der. "
    "Det lyder måske mærkeligt, men jeg følte mig mindre alene blandt fremmede mennesker, "
    "der også bare sad og læste, end jeg gjorde derhjemme i min egen stue. "
    "Personalet lærte hurtigt mit navn, og en af bibliotekarerne spurgte en dag, om jeg ikke ville med "
    "i læsekredsen om torsdagen, og det ville jeg egentlig ikke, men jeg sagde ja alligevel. "
    "Nu er det blevet det faste holdepunkt i min uge: vi er syv-otte stykker, vi drikker kaffe, "
    "vi skændes lidt om bøgerne, og bagefter går nogle af os en tur langs åen. "
    "Jeg tror ikke, jeg havde klaret den første vinter uden det her sted, det må jeg ærligt sige. "
    "Det er ikke fordi, biblioteket gør noget særligt, det er mere, at det er der, at døren er åben, "
    "og at man ikke skal betale eller forklare sig for at komme ind. "
    "Når jeg går herfra om eftermiddagen, har jeg ofte talt med to eller tre mennesker, "
    "og det er flere, end jeg taler med resten af ugen tilsammen. "
    "Min datter siger, at jeg skal tage på højskole eller melde mig ind i en forening, "
    "men det her passer mig bedre, for her kan jeg selv bestemme, hvor meget jeg vil være med. "
    "Nogle dage sidder jeg bare og kigger ud ad vinduet, og det er også helt i orden. "
    "Det er det, jeg mener med, at det er et trygt sted: ingen forventer noget af mig."
)


def build_long_project(path: Path | str) -> Project:
    """The small test project plus ``lang-tur`` with its long turn as passage 2."""
    assert len(LONG_TURN) >= 1500, len(LONG_TURN)
    project = build_project(path)
    turns = [
        ("I", "Hvad betyder biblioteket for dig?"),
        ("P1", LONG_TURN),
        ("I", "Tak. Og du?"),
        ("P2", "Jeg kommer for avisernes skyld. Og for kaffen."),
    ]
    with project.write() as s:
        src = Source(name=SOURCE, title="Lang tur", kind="interview", site="Randers", context="bibliotek", text="")
        s.add(src)
        s.flush()
        ids = {}
        for label, attrs in {
            "I": {"role": "interviewer"},
            "P1": {"gender": "kvinde", "age": 74},
            "P2": {"gender": "mand", "age": 58},
        }.items():
            part = Participant(source_id=src.id, label=label, **attrs)
            s.add(part)
            s.flush()
            ids[label] = part.id
        rows = [
            dict(source_id=src.id, number=n, participant_id=ids[label], start=0, end=len(text), text=text,
                 sentences=sentences(text))
            for n, (label, text) in enumerate(turns, start=1)
        ]  # fmt: skip
        s.execute(insert(Passage), rows)
    return project
