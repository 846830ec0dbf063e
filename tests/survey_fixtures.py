"""A questionnaire for the tests: responses and definition files, and a project with them imported and coded.

The answers are drawn (deterministically, from ``seed``) from one latent
factor per respondent plus noise, so the scales hang together as real ones
do (Cronbach's alpha about 0.8–0.9); dimension means differ (Tryghed highest,
the social lowest), a few cells are empty or "ved ikke", ``q6`` is
reverse-coded, and about two thirds of the respondents wrote an open answer
made of Danish sentences, each sentence belonging to one theme (T1–T7). The
themes follow the latent factor: high scorers write more of T1 (safety) and
T4 (the staff), low scorers more of T3 (the social), so a joint display has
something to show.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from trivselkode.storage.db import Project

#: The columns of the items of each dimension (q6 is reverse-coded).
DIMENSIONS = {
    "tryghed": ("Tryghed", "Safety", ("q1", "q2", "q3")),
    "orientering": ("At finde rundt og orientere sig", "Finding one's way", ("q4", "q5", "q6")),
    "sociale": ("Det sociale", "The social", ("q7", "q8", "q9", "q10")),
}
REVERSE = ("q6",)
#: Where each dimension's answers centre on the 1–5 scale.
CENTRES = {"tryghed": 4.5, "orientering": 4.1, "sociale": 3.6}
SITES = ("Hovedbiblioteket", "Filial Nord", "Bogbussen")
GENDERS = ("kvinde", "mand")

#: Sentences of the open answers, by the theme they carry.
THEME_SENTENCES = {
    "T1": (
        "Her føler jeg mig tryg, også på de dårlige dage.",
        "Biblioteket er et sted, hvor ingen kræver noget af mig.",
        "Jeg ved, at jeg altid kan komme her og være i fred.",
    ),
    "T2": (
        "Stilheden giver mig ro i hovedet.",
        "Jeg kommer for at få en pause fra alt derhjemme.",
    ),
    "T3": (
        "Jeg savner nogen at tale med, når jeg er her.",
        "Det er svært at komme i snak med de andre gæster.",
        "Man hilser på hinanden, men mere bliver det ikke til.",
    ),
    "T4": (
        "Personalet er altid venlige og hjælper gerne.",
        "Bibliotekaren kender mig og spørger, hvordan det går.",
    ),
    "T5": (
        "Jeg har fundet nye bøger om min hobby her.",
        "Her kan jeg dyrke mine interesser i mit eget tempo.",
    ),
    "T6": (
        "Foredragene giver mig noget at tænke over.",
        "Jeg går til strikkecafé hver torsdag.",
    ),
    "T7": (
        "Det koster ingenting, og man må bare være her.",
        "Der er ingen, der forventer, at jeg køber noget.",
    ),
}

CODERS = ("anne", "bo")


def _likert(rng: random.Random, centre: float, theta: float) -> int:
    return max(1, min(5, round(centre + 0.8 * theta + rng.gauss(0, 0.55))))


def _themes(rng: random.Random, theta: float) -> list[str]:
    """One or two themes, T1/T4 likelier for high scorers and T3 for low ones."""
    weights = {
        "T1": 1.0 + theta,
        "T2": 1.0,
        "T3": 1.0 - theta,
        "T4": 1.0 + 0.7 * theta,
        "T5": 0.8,
        "T6": 0.6,
        "T7": 0.6,
    }
    keys = list(weights)
    chosen = rng.choices(keys, weights=[max(0.1, weights[k]) for k in keys], k=2)
    return list(dict.fromkeys(chosen[: rng.choice((1, 2))]))


DEFINITION = """\
title: Brugeres oplevelser af biblioteket
scale: {{min: 1, max: 5}}
respondent: id
round: runde
attributes:
  bibliotek: site
  køn: gender
  alder: age
{open_answers}missing: ["", "ved ikke", "9"]
reverse: [q6]
dimensions:
  - key: tryghed
    name: Tryghed
    name_en: Safety
    items: [q1, q2, q3]
  - key: orientering
    name: At finde rundt og orientere sig
    name_en: Finding one's way
    items: [q4, q5, q6]
  - key: sociale
    name: Det sociale
    name_en: The social
    items: [q7, q8, q9, q10]
"""


def survey_rows(*, rows: int = 40, rounds: int = 2, seed: int = 1, open_answers: bool = True) -> list[dict[str, str]]:
    """The responses as rows of text cells (column -> cell), file order: round 1's respondents first."""
    rng = random.Random(seed)
    table: list[dict[str, str]] = []
    for n in range(1, rows + 1):
        theta = rng.gauss(0, 1)
        row = {
            "id": f"R{n:03d}",
            "runde": str(1 + (n - 1) * rounds // rows),
            "bibliotek": SITES[rng.randrange(len(SITES))],
            "køn": GENDERS[rng.randrange(2)],
            "alder": str(rng.randint(18, 85)),
        }
        for key, (_name, _en, items) in DIMENSIONS.items():
            for item in items:
                value = _likert(rng, CENTRES[key], theta)
                if item in REVERSE:
                    value = 6 - value
                draw = rng.random()
                row[item] = "" if draw < 0.015 else "ved ikke" if draw < 0.025 else str(value)
        if open_answers:
            themes = _themes(rng, theta) if rng.random() < 2 / 3 else []
            row["svar"] = " ".join(rng.choice(THEME_SENTENCES[t]) for t in themes)
        table.append(row)
    return table


def write_survey_files(
    folder: Path, *, rows: int = 40, rounds: int = 2, seed: int = 1, open_answers: bool = True
) -> tuple[Path, Path]:
    """``responses.csv`` (comma-separated, UTF-8) and ``definition.yaml`` in ``folder``; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    table = survey_rows(rows=rows, rounds=rounds, seed=seed, open_answers=open_answers)
    responses = folder / "responses.csv"
    with responses.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    definition = folder / "definition.yaml"
    definition.write_text(
        DEFINITION.format(open_answers="open_answers: [svar]\n" if open_answers else ""), encoding="utf-8"
    )
    return responses, definition


def themes_in(text: str) -> list[str]:
    """The themes of the :data:`THEME_SENTENCES` an open answer is made of, sorted."""
    return sorted({theme for theme, sentences in THEME_SENTENCES.items() for s in sentences if s in text})


def code_open_answers(project: Project, source: str) -> int:
    """anne codes every open answer with the themes of its sentences; bo the same but skips every fifth passage.

    Through the storage API ``codings add`` uses; the number of codings stored.
    """
    from sqlmodel import col, select

    from trivselkode.storage.codings import CodingRef, add_coding
    from trivselkode.storage.models import Passage, Source

    with project.read() as session:
        texts = list(
            session.exec(
                select(Passage.text)
                .join(Source, col(Source.id) == col(Passage.source_id))
                .where(Source.name == source)
                .order_by(col(Passage.number))
            )
        )
    stored = 0
    for number, text in enumerate(texts, start=1):
        for coder in CODERS:
            if coder == "bo" and number % 5 == 0:
                continue
            for theme in themes_in(text):
                add_coding(project, CodingRef(source=source, passage=number, code=theme, coder=coder))
                stored += 1
    return stored


def survey_project(tmp_path: Path, **kw) -> Project:  # noqa: ANN003
    """A real SQLite project with the bundled codebook, the survey of :func:`write_survey_files` imported as
    ``responses`` and (with open answers) its open answers coded by anne and bo. The caller disposes it."""
    from trivselkode.config import bundled_codebook
    from trivselkode.domain.codebook import load_codebook_file
    from trivselkode.importers.survey import import_survey
    from trivselkode.storage.codebook import load_codebook
    from trivselkode.storage.db import open_project

    responses, definition = write_survey_files(tmp_path / "survey", **kw)
    project, _ = open_project(str(tmp_path / "survey.db"))
    load_codebook(project, load_codebook_file(bundled_codebook()))
    result = import_survey(project, responses, definition)
    if result.source_name is not None:
        code_open_answers(project, result.source_name)
    return project
