"""Write the demo's invented questionnaire answers, ``surveys/spoergeskema.csv``.

The answers come from a latent-factor model with a fixed numpy seed, so the
file is the same on every run: every respondent has a general liking of the
library and one leaning per dimension of ``surveys/spoergeskema.yaml``; an
item's answer is that sum plus noise, cut into the scale's five steps. Each
dimension's level is then calibrated (by bisection, per round) so that the
mean of the respondents' dimension scores is the figure of the study's report
(*Biblioteker fremmer trivsel*, "Kvantitative fund"): Tryghed strongest, the
social weakest, the rounds alike, Cronbach's alpha 0.94–0.95.

Round 1 begins with R01–R21, the respondents of
``transcripts/spoergeskema-aabne-svar-r1.csv`` (same id, gender, age and
library), whose leanings follow what their open answers say (the one who
works in quiet scores the social low, the one from the knitting café high),
so the joint display of scores and coded answers has something to show.

    python tools/make_demo_survey.py            # write the file
    python tools/make_demo_survey.py --check    # exit 1 when the file is not what the script writes
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFINITION = ROOT / "surveys" / "spoergeskema.yaml"
RESPONSES = ROOT / "surveys" / "spoergeskema.csv"
OPEN_ANSWERS = ROOT / "transcripts" / "spoergeskema-aabne-svar-r1.csv"

SEED = 20260315
PER_ROUND = 120
SITES = ("Randers", "Viborg", "Holstebro")

#: The mean of each dimension's scores per round (the report's figures; Fysiske rammer is not in the
#: report's summary and sits between the strong and the weak dimensions).
TARGETS: dict[str, dict[str, float]] = {
    "1": {"tryghed": 4.65, "orientering": 4.57, "personale": 4.49, "rammer": 3.94, "sociale": 3.85, "interesser": 3.92},
    "2": {"tryghed": 4.68, "orientering": 4.58, "personale": 4.52, "rammer": 3.94, "sociale": 3.88, "interesser": 3.93},
}

#: Loadings of the latent model (in scale steps): the general liking, the dimension's leaning, the item's noise.
GENERAL, LEANING, NOISE = 0.57, 0.38, 0.42
#: Share of answers given as "ved ikke" and left empty.
DONT_KNOW, EMPTY = 0.008, 0.004

#: Leanings (in standard deviations) of R01–R21 that follow their open answers; "general" is the overall
#: liking (else KNOWN_GENERAL times the drawn one), a dimension not named has the drawn leaning.
KNOWN_GENERAL = 0.5
KNOWN_LEANINGS: dict[str, dict[str, float]] = {
    "R01": {"tryghed": 1.0, "personale": 1.2},
    "R02": {"general": 0.0, "sociale": -2.0, "rammer": 0.8},
    "R03": {"sociale": -1.2},
    "R05": {"personale": 1.5, "orientering": -1.5, "tryghed": 0.8},
    "R06": {"sociale": 1.6},
    "R07": {"sociale": -1.4, "rammer": 1.0},
    "R08": {"interesser": 1.5},
    "R09": {"general": -1.2, "sociale": -0.8, "interesser": -1.2},
    "R10": {"interesser": 1.6},
    "R11": {"tryghed": 1.0, "sociale": -0.8},
    "R12": {"sociale": 1.6, "tryghed": 1.0},
    "R14": {"sociale": -1.7, "rammer": 0.6},
    "R15": {"sociale": -1.4, "rammer": 1.0},
    "R16": {"interesser": 1.6},
    "R17": {"personale": 1.6, "sociale": 0.4},
    "R18": {"sociale": 1.4},
    "R19": {"tryghed": 1.2},
    "R20": {"sociale": 1.6, "interesser": 1.0},
    "R21": {"sociale": -1.2},
}


@dataclass(frozen=True)
class Layout:
    """The definition's parts the generator needs: items in order, each item's dimension, the reversed ones."""

    items: tuple[str, ...]
    dimensions: tuple[str, ...]
    item_dimension: tuple[int, ...]
    reverse: frozenset[str]
    low: int
    high: int


@dataclass(frozen=True)
class Person:
    label: str
    site: str
    gender: str
    age: int


def read_layout(path: Path) -> Layout:
    """The items, dimensions and reverse items of the questionnaire definition at ``path``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items: list[str] = []
    owner: list[int] = []
    for index, dimension in enumerate(data["dimensions"]):
        for item in dimension["items"]:
            items.append(item)
            owner.append(index)
    return Layout(
        items=tuple(items),
        dimensions=tuple(d["key"] for d in data["dimensions"]),
        item_dimension=tuple(owner),
        reverse=frozenset(data.get("reverse") or ()),
        low=int(data["scale"]["min"]),
        high=int(data["scale"]["max"]),
    )


def known_people(path: Path) -> list[Person]:
    """The respondents of the demo's open answers, as that file has them."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return [Person(r["respondent"], r["bibliotek"], r["køn"], int(r["alder"])) for r in rows]


def invented_people(rng: np.random.Generator, first: int, count: int) -> list[Person]:
    """``count`` invented respondents numbered from ``first``: the three libraries, more women, all ages."""
    people = []
    for number in range(first, first + count):
        site = SITES[int(rng.integers(len(SITES)))]
        gender = "kvinde" if rng.random() < 0.63 else "mand"
        age = int(np.clip(round(rng.normal(52, 18)), 15, 91))
        people.append(Person(f"R{number:02d}", site, gender, age))
    return people


def latent_levels(rng: np.random.Generator, people: list[Person], layout: Layout) -> np.ndarray:
    """Each respondent's latent level on each item, before the dimension's own level is added."""
    n, k, d = len(people), len(layout.items), len(layout.dimensions)
    general = rng.normal(size=n) + np.array([(p.age - 50) / 60 for p in people])
    leaning = rng.normal(size=(n, d))
    for row, person in enumerate(people):
        if person.label not in KNOWN_LEANINGS:
            continue
        known = KNOWN_LEANINGS[person.label]  # what they wrote sets these; the rest is drawn as for anyone
        general[row] = known.get("general", KNOWN_GENERAL * general[row])
        for key, shift in known.items():
            if key != "general":
                leaning[row, layout.dimensions.index(key)] = shift
    item_shift = rng.normal(scale=0.12, size=k)
    owner = np.array(layout.item_dimension)
    noise = rng.normal(size=(n, k))
    return GENERAL * general[:, None] + LEANING * leaning[:, owner] + NOISE * noise + item_shift[None, :]


def to_steps(levels: np.ndarray, layout: Layout) -> np.ndarray:
    """Latent levels cut into the scale's steps (rounded, clipped to min..max)."""
    return np.clip(np.rint(levels), layout.low, layout.high)


def dimension_mean(steps: np.ndarray, answered: np.ndarray) -> float:
    """The mean over respondents of their mean answered item (the tool's dimension score, all answered here)."""
    masked = np.where(answered, steps, np.nan)
    scores = np.nanmean(masked, axis=1)
    enough = answered.sum(axis=1) * 2 >= steps.shape[1]
    return float(np.mean(scores[enough]))


def calibrate(levels: np.ndarray, answered: np.ndarray, layout: Layout, targets: dict[str, float]) -> np.ndarray:
    """The scored answers (before reversing) whose dimension means hit ``targets``, by bisection on each level."""
    steps = np.empty_like(levels)
    for index, key in enumerate(layout.dimensions):
        cols = [i for i, owner in enumerate(layout.item_dimension) if owner == index]
        lo, hi = float(layout.low) - 3, float(layout.high) + 3
        for _ in range(60):
            mid = (lo + hi) / 2
            if dimension_mean(to_steps(levels[:, cols] + mid, layout), answered[:, cols]) < targets[key]:
                lo = mid
            else:
                hi = mid
        steps[:, cols] = to_steps(levels[:, cols] + hi, layout)
    return steps


def round_rows(rng: np.random.Generator, people: list[Person], round_: str, layout: Layout) -> list[list[str]]:
    """The CSV rows of one round: id, round, library, gender, age and the raw answers (reverse items reversed)."""
    levels = latent_levels(rng, people, layout)
    draw = rng.random(levels.shape)
    dont_know = draw < DONT_KNOW
    empty = (draw >= DONT_KNOW) & (draw < DONT_KNOW + EMPTY)
    steps = calibrate(levels, ~(dont_know | empty), layout, TARGETS[round_])
    rows = []
    for r, person in enumerate(people):
        cells = []
        for i, item in enumerate(layout.items):
            value = int(steps[r, i])
            if item in layout.reverse:
                value = layout.high + layout.low - value
            cells.append("ved ikke" if dont_know[r, i] else "" if empty[r, i] else str(value))
        rows.append([person.label, round_, person.site, person.gender, str(person.age), *cells])
    return rows


def build_csv() -> str:
    """The whole responses file as text (``;``-separated, one header row), the same on every run."""
    layout = read_layout(DEFINITION)
    rng = np.random.default_rng(SEED)
    first = known_people(OPEN_ANSWERS)
    round1 = first + invented_people(rng, len(first) + 1, PER_ROUND - len(first))
    round2 = invented_people(rng, PER_ROUND + 1, PER_ROUND)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["respondent", "runde", "bibliotek", "køn", "alder", *layout.items])
    writer.writerows(round_rows(rng, round1, "1", layout))
    writer.writerows(round_rows(rng, round2, "2", layout))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check that the file is up to date")
    args = parser.parse_args(argv)
    text = build_csv()
    if args.check:
        same = RESPONSES.exists() and RESPONSES.read_text(encoding="utf-8") == text
        print(f"{RESPONSES.relative_to(ROOT)}: {'up to date' if same else 'differs from what the script writes'}")
        return 0 if same else 1
    RESPONSES.write_text(text, encoding="utf-8")
    print(f"wrote {RESPONSES.relative_to(ROOT)} ({text.count(chr(10)) - 1} respondents)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
