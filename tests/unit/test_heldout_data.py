"""The held-out passages for suggestion quality (tests/data/suggest_heldout.yaml) keep their shape."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "tests" / "data" / "suggest_heldout.yaml"
TRANSCRIPTS = ROOT / "transcripts"
THEMES = {f"T{n}" for n in range(1, 8)}
RUN = 8  # no run of this many words may be shared with a demo transcript


def _passages() -> list[dict[str, object]]:
    data = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    passages = data["passages"]
    assert isinstance(passages, list)
    return passages


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def test_at_least_a_hundred_passages_with_unique_ids_and_text() -> None:
    passages = _passages()
    assert len(passages) >= 100
    ids = [p["id"] for p in passages]
    assert len(set(ids)) == len(ids)
    texts = [str(p["text"]).strip() for p in passages]
    assert all(texts)
    assert len(set(texts)) == len(texts)


def test_labels_are_themes_only_at_most_three() -> None:
    for passage in _passages():
        themes = passage["themes"]
        assert isinstance(themes, list), passage["id"]
        assert set(themes) <= THEMES, passage["id"]
        assert len(themes) == len(set(themes)) <= 3, passage["id"]


def test_about_a_tenth_carry_no_theme_and_every_theme_occurs() -> None:
    passages = _passages()
    none = sum(1 for p in passages if not p["themes"])
    assert 0.08 <= none / len(passages) <= 0.2
    seen = {t for p in passages for t in p["themes"]}
    assert seen == THEMES
    for theme in THEMES:
        assert sum(1 for p in passages if theme in p["themes"]) >= 10, theme


def test_no_passage_copies_a_demo_transcript() -> None:
    demo: set[tuple[str, ...]] = set()
    files = [p for p in TRANSCRIPTS.iterdir() if p.suffix in {".txt", ".vtt", ".csv", ".yaml"}]
    assert len(files) >= 10
    for path in files:
        demo |= _runs(_words(path.read_text(encoding="utf-8")))
    copied = [
        (p["id"], " ".join(sorted(_runs(_words(str(p["text"]))) & demo)[0]))
        for p in _passages()
        if _runs(_words(str(p["text"]))) & demo
    ]
    assert copied == []


@pytest.mark.parametrize("word", ["(griner)", "(pause)"])
def test_some_passages_carry_transcription_annotations(word: str) -> None:
    assert any(word in str(p["text"]) for p in _passages())
