"""Ranked code suggestions for every participant passage of some sources (``trivselkode suggest``).

The model is trained on the project's codings *except* those of the sources
asked about (:func:`~trivselkode.analysis.learn_project.train_project` with
``exclude_source_ids``), so each passage is scored by a model that has not
seen it, and combined with the codebook's keywords
(:class:`~trivselkode.analysis.suggester.Suggester`). Codes already on a
passage, by any coder or in the consensus, are not suggested for it. Nothing
is written to the project.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from sqlmodel import col, select

from trivselkode.analysis.suggest import Analyzed, KeywordIndex, Suggestion, spacy_analyze
from trivselkode.errors import NotFound, TrivselError
from trivselkode.i18n import _, ngettext
from trivselkode.storage.coding_views import THEME_KIND, CodeInfo, load_codes
from trivselkode.storage.db import Project
from trivselkode.storage.lookup import source_by_name
from trivselkode.storage.models import Code, Coding, Source

THEMES = "themes"
ALL = "all"


@dataclass(frozen=True)
class PassageSuggestions:
    """One participant passage and its suggestions, best first."""

    source: str
    passage: int  # the passage's number in its source
    passage_id: int
    text: str
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True)
class SuggestionRun:
    """What ``suggest`` found, and what its model learnt from."""

    passages: tuple[PassageSuggestions, ...]
    sources: tuple[str, ...]  # the sources asked about, in project order
    codes: tuple[str, ...] | None  # the codes suggestions were restricted to (None: every code)
    examples: int  # coded passages the model was trained on (the asked sources' own left out)
    model_codes: tuple[str, ...]  # codes that have a model (the others: keywords only)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def resolve_sources(project: Project, names: str | Sequence[str] | None) -> dict[int, str]:
    """Source id → name of the named sources (comma-separated or a list), or of all; NotFound names the nearest."""
    wanted = _split(names) if isinstance(names, str) else [n.strip() for n in names or () if n.strip()]
    with project.read() as s:
        if not wanted:
            rows = s.exec(select(Source.id, Source.name).order_by(col(Source.id))).all()
            return {int(i): str(n) for i, n in rows if i is not None}
        found = {int(source_by_name(s, name).id or 0): name for name in dict.fromkeys(wanted)}
    return dict(sorted(found.items()))


def resolve_codes(codes: Sequence[CodeInfo], spec: str | None) -> tuple[str, ...] | None:
    """The code keys ``spec`` names: ``all`` (or nothing: None, every code), ``themes``, or ``T1,T2,…``.

    Keys are matched exactly, else regardless of case; an unknown key raises NotFound.
    """
    if spec is None or spec.strip().lower() in ("", ALL):
        return None
    live = [c for c in codes if not c.retired]
    if spec.strip().lower() == THEMES:
        themes = tuple(c.key for c in live if c.kind == THEME_KIND)
        if not themes:
            raise TrivselError(
                _("kodebogen har ingen temaer"), _("angiv koderne selv, fx --codes T1,T2, eller --codes all")
            )
        return themes
    keys = {c.key: c.key for c in codes}
    folded = {c.key.casefold(): c.key for c in codes}
    out: list[str] = []
    for part in _split(spec):
        key = keys.get(part) or folded.get(part.casefold())
        if key is None:
            raise NotFound(
                _("koden '{key}' findes ikke i kodebogen").format(key=part),
                _("angiv kodernes nøgler kommasepareret (fx T1,T4), themes eller all – se `trivselkode codebook show`"),
            )
        out.append(key)
    return tuple(dict.fromkeys(out))


def codes_on_passages(project: Project, source_ids: Collection[int]) -> dict[int, set[str]]:
    """Passage id → the code keys any coder (the consensus included) has put on it, in these sources."""
    from trivselkode.storage.models import Passage

    query = (
        select(Coding.passage_id, Code.key)
        .join(Code, col(Code.id) == Coding.code_id)
        .join(Passage, col(Passage.id) == Coding.passage_id)
        .where(col(Passage.source_id).in_(sorted(int(i) for i in source_ids)))
    )
    out: dict[int, set[str]] = {}
    with project.read() as s:
        for pid, key in s.exec(query):
            out.setdefault(int(pid), set()).add(str(key))
    return out


def suggest_sources(
    project: Project,
    *,
    sources: str | Sequence[str] | None = None,
    codes: str | None = None,
    top: int | None = 3,
    analyze: Callable[[str], Analyzed] = spacy_analyze,
    progress: Callable[[str], None] = lambda _message: None,
) -> SuggestionRun:
    """The ranked suggestions (at most ``top`` each) for every participant passage of ``sources`` (default all).

    Unknown sources or codes raise before any work is done. ``progress`` hears
    what is going on, in Danish, for a person waiting.
    """
    from trivselkode.analysis.learn_project import train_project
    from trivselkode.analysis.suggester import Suggester
    from trivselkode.storage.training import participant_passages

    chosen = resolve_sources(project, sources)
    infos = load_codes(project)
    restrict = resolve_codes(infos, codes)
    progress(_("Træner modellen på projektets kodninger (de valgte kilder undtaget) …"))
    model = train_project(project, exclude_source_ids=tuple(chosen), analyze=analyze)
    suggester = Suggester(KeywordIndex(infos), model)  # retired codes are left out
    passages = participant_passages(project, source_ids=tuple(chosen))
    on = codes_on_passages(project, tuple(chosen))
    progress(
        ngettext(
            "Foreslår koder for {n} udsagn i {sources} kilde …",
            "Foreslår koder for {n} udsagn i {sources} kilder …",
            len(chosen),
        ).format(n=len(passages), sources=len(chosen))
    )
    rows = []
    for pid, source_id, number, text in passages:
        found = suggester.suggest(analyze(text), exclude=on.get(pid, set()), codes=restrict, limit=top)
        rows.append(PassageSuggestions(chosen[source_id], number, pid, text, tuple(found)))
    return SuggestionRun(
        passages=tuple(rows),
        sources=tuple(chosen.values()),
        codes=restrict,
        examples=model.n_examples,
        model_codes=tuple(model.codes),
    )
