"""The joint display: a questionnaire dimension's low and high scorers beside the themes of their open answers.

Respondents with a score on the dimension (see
:func:`trivselkode.analysis.survey_scores.respondent_scores`) are split in two:
*high* scorers have a score at or above the split, *low* scorers below it. The
split is the median of those scores (``split="median"``) or a number given; a
split that leaves a group empty is refused, naming the scores' range.

For each theme (the codes of kind ``tema``, in codebook order):

- per group, how many of its respondents' open answers carry the theme and the
  share of the group's *answered* respondents (those with at least one
  open-answer passage), 0–1; ``None`` when nobody in the group answered;
- the difference, high share − low share (a fraction; the text shows it in
  percentage points);
- per group one representative quote, chosen as the quote reports choose
  (:mod:`trivselkode.analysis.quotes`): the researcher's picked passage
  (``QuoteChoice``) first, never a dropped one, else the best candidate by
  tier (starred, firm in the consensus, more coders) picked by
  :class:`~trivselkode.analysis.quote_pick.Picker`; one theme's quote is
  avoided for the next where the group has another. Attributed as the quote
  reports attribute ("– Kvinde, 67 år, Holstebro") with its ``SOURCE#N``.

And the reverse view: per theme, the dimension scores (n, mean, SD) of the
answered respondents whose answers carry it against those of the answered
respondents whose answers do not, and the difference of the means.

Whose codings count is the reports' basis (:func:`trivselkode.analysis.basis.load_basis`:
one coder, the union, or the consensus; by default the consensus when none of
its disagreements is open, else the union). A passage of an interviewer's turn
never counts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from sqlmodel import Session, col, select

from trivselkode.analysis.arrays import unique_sorted
from trivselkode.analysis.attributes import check_lang
from trivselkode.analysis.frequencies import CodeInfo, ProjectData, load_project_data
from trivselkode.analysis.quote_pick import PassageTexts
from trivselkode.analysis.quotes import QuoteCandidates, QuotePicking
from trivselkode.analysis.survey_scores import respondent_scores
from trivselkode.analysis.survey_stats import Summary, summarize
from trivselkode.domain.codebook_lang import code_name
from trivselkode.errors import TrivselError
from trivselkode.i18n import _, format_number, language
from trivselkode.storage.codebook import code_texts
from trivselkode.storage.db import Project
from trivselkode.storage.models import Passage, Star
from trivselkode.storage.quote_choices import CodeChoices, load_choices
from trivselkode.storage.surveys import StoredSurvey, load_survey

THEME_KIND = "tema"
SPLIT_RULES = ("median", "value")
#: A quote's length in words: open answers are short, so the least is lower than the quote reports' 8 (a bare
#: fragment without a keyword is still refused by the trimming); the most is theirs.
MIN_WORDS, MAX_WORDS = 4, 60
LOW, HIGH = "low", "high"


@dataclass(frozen=True)
class JointQuote:
    """One group's quote of a theme: verbatim text, attribution, ``SOURCE#N``."""

    text: str
    attribution: str
    ref: str

    def to_json(self) -> dict[str, str]:
        return {"text": self.text, "attribution": self.attribution, "ref": self.ref}


@dataclass(frozen=True)
class JointTheme:
    """A theme's row: per group the respondents whose answers carry it, their share, a quote."""

    key: str
    name: str
    low_count: int
    high_count: int
    low_share: float | None  # of the group's answered respondents, 0–1; None when none answered
    high_share: float | None
    low_quote: JointQuote | None = None
    high_quote: JointQuote | None = None

    @property
    def difference(self) -> float | None:
        """High share − low share (a fraction), None when either is unknown."""
        if self.low_share is None or self.high_share is None:
            return None
        return self.high_share - self.low_share

    def to_json(self) -> dict[str, Any]:
        def group(count: int, share: float | None, quote: JointQuote | None) -> dict[str, Any]:
            return {"count": count, "share": _round(share), "quote": quote.to_json() if quote else None}

        return {
            "code": self.key,
            "name": self.name,
            LOW: group(self.low_count, self.low_share, self.low_quote),
            HIGH: group(self.high_count, self.high_share, self.high_quote),
            "difference": _round(self.difference),
        }


@dataclass(frozen=True)
class ReverseRow:
    """A theme's reverse view: the dimension scores of answered respondents with and without it."""

    key: str
    name: str
    with_: Summary
    without: Summary

    @property
    def with_n(self) -> int:
        return self.with_.n

    @property
    def with_mean(self) -> float | None:
        return self.with_.mean

    @property
    def without_n(self) -> int:
        return self.without.n

    @property
    def without_mean(self) -> float | None:
        return self.without.mean

    @property
    def difference(self) -> float | None:
        """Mean with − mean without, None when either group is empty."""
        if self.with_.mean is None or self.without.mean is None:
            return None
        return self.with_.mean - self.without.mean

    def to_json(self) -> dict[str, Any]:
        def summary(s: Summary) -> dict[str, Any]:
            return {"n": s.n, "mean": _round(s.mean), "sd": _round(s.sd)}

        return {
            "code": self.key,
            "name": self.name,
            "with": summary(self.with_),
            "without": summary(self.without),
            "difference": _round(self.difference),
        }


@dataclass
class JointDisplay:
    """The joint display of one dimension (see the module doc)."""

    survey: str
    title: str
    dimension: tuple[str, str]  # key, name (in the display's language)
    split: float
    split_rule: str  # "median" | "value"
    low_n: int
    high_n: int
    low_answered: int
    high_answered: int
    basis: str  # the selection's mode: "coder" | "union" | "consensus"
    basis_note: str  # "konsensus af anne og bo", and why the default is not the consensus when it is not
    lang: str
    themes: list[JointTheme] = field(default_factory=list)
    reverse: list[ReverseRow] = field(default_factory=list)
    unscored: int = 0  # respondents without a score on the dimension (in neither group)

    def to_json(self) -> dict[str, Any]:
        """The one JSON document of ``trivselkode survey joint --format json`` (see the README)."""
        return {
            "survey": self.survey,
            "dimension": {"key": self.dimension[0], "name": self.dimension[1]},
            "split": _round(self.split),
            "split_rule": self.split_rule,
            "basis": self.basis,
            "basis_note": self.basis_note,
            "groups": {
                LOW: {"n": self.low_n, "answered": self.low_answered},
                HIGH: {"n": self.high_n, "answered": self.high_answered},
            },
            "unscored": self.unscored,
            "themes": [t.to_json() for t in self.themes],
            "reverse": [r.to_json() for r in self.reverse],
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), digits)


# ---------------------------------------------------------------- the split


def parse_split(split: str | float) -> tuple[str, float | None]:
    """``"median"`` → ("median", None); ``"3,5"`` or ``3.5`` → ("value", 3.5); anything else refused."""
    if isinstance(split, (int, float)) and not isinstance(split, bool):
        value: float | None = float(split)
    else:
        text = str(split).strip()
        if text.casefold() == "median":
            return "median", None
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            value = None
    if value is None or not math.isfinite(value):
        raise TrivselError(
            _("--split skal være median eller et tal, ikke '{split}'").format(split=split),
            _("fx --split median eller --split 4,5"),
        )
    return "value", value


def split_groups(scores: np.ndarray, split: str | float, dimension: str) -> tuple[str, float, np.ndarray]:
    """The rule, the split value and, per respondent, -1 (no score), 0 (low: below the split) or 1 (high).

    Refuses a split that leaves either group empty, saying the range of the scores (in the interface's
    language, as every error).
    """
    rule, value = parse_split(split)
    scored = ~np.isnan(scores)
    if not scored.any():
        raise TrivselError(
            _("ingen respondenter har en score på {dimension}").format(dimension=dimension),
            _("en score kræver svar på mindst halvdelen af dimensionens udsagn"),
        )
    if value is None:
        value = float(np.median(scores[scored]))
    group = np.full(scores.shape, -1, dtype=np.int64)
    group[scored] = (scores[scored] >= value).astype(np.int64)
    low, high = float(np.min(scores[scored])), float(np.max(scores[scored]))
    if not (group == 0).any() or not (group == 1).any():
        raise TrivselError(
            _("delingen ved {split} efterlader en tom gruppe: scorerne på {dimension} går fra {low} til {high}").format(
                split=format_number(value, 2),
                dimension=dimension,
                low=format_number(low, 2),
                high=format_number(high, 2),
            ),
            _("vælg --split over {low} og højst {high}").format(low=format_number(low, 2), high=format_number(high, 2)),
        )
    return rule, value, group


# ---------------------------------------------------------------- building


@dataclass
class _Respondents:
    """The survey's respondents as the display needs them: group, score, participant, answered."""

    group: np.ndarray  # -1 no score, 0 low, 1 high
    score: np.ndarray
    participant: np.ndarray  # participant id, -1 when none (or an interviewer's)
    answered: np.ndarray  # has at least one open-answer passage


def _respondents(survey: StoredSurvey, data: ProjectData, group: np.ndarray, score: np.ndarray) -> _Respondents:
    participants = data.participants
    pid = np.array(
        [
            r.participant_id
            if r.participant_id in participants and not participants[r.participant_id].is_interviewer
            else -1
            for r in survey.respondents
        ],
        dtype=np.int64,
    )
    owners = data.passages.participant
    said = np.bincount(owners[owners >= 0], minlength=_span(data))
    answered = (pid >= 0) & (said[np.maximum(pid, 0)] > 0)
    return _Respondents(group, score, pid, answered)


def _span(data: ProjectData) -> int:
    """The size of an array indexed by participant id (the largest id + 2, as the other reports size theirs)."""
    return int(max(data.participants, default=0)) + 2


def build_joint_display(
    project: Project,
    dimension: str,
    split: str | float = "median",
    survey: str | None = None,
    lang: str | None = None,
    coder: str | None = None,
    union: bool = False,
    consensus: bool = False,
    coders: str | Sequence[str] | None = None,
    pseudonymizer: Any = None,
) -> JointDisplay:
    """The joint display of ``dimension`` (a key of the survey's definition); see the module doc.

    ``pseudonymizer`` (a :class:`trivselkode.export.pseudonymize.Pseudonymizer`) replaces names and numbers
    in the quotes' text, attribution and reference, as the quote reports do.
    """
    lang = check_lang(lang or language())
    with project.read() as session:
        stored = load_survey(session, survey)
    dim = stored.definition.dimension(dimension)
    dim_name = dim.label(lang)
    scores = respondent_scores(stored).dimensions[dim.key]
    rule, value, group = split_groups(scores, split, dim_name)
    data = load_project_data(project, coder=coder, union=union, consensus=consensus, coders=coders, firm=True)
    people = _respondents(stored, data, group, scores)
    if not people.answered.any():
        raise TrivselError(
            _("ingen af spørgeskemaet '{survey}'s respondenter har åbne svar").format(survey=stored.name),
            _("indlæs spørgeskemaet med open_answers i definitionen eller med --source KILDE"),
        )
    themes = [c for c in data.book.codes if c.kind == THEME_KIND and not c.retired]
    if not themes:
        raise TrivselError(_("kodebogen har ingen temaer (koder af typen 'tema')"), _("indlæs en kodebog med temaer"))
    texts = code_texts(project)
    names = {c.key: code_name(texts[c.key], lang) if c.key in texts else c.name for c in themes}
    carried = _carried(data, themes, people)
    selection = data.selection
    why = selection.explain(lang)
    display = JointDisplay(
        survey=stored.name,
        title=stored.title,
        dimension=(dim.key, dim_name),
        split=value,
        split_rule=rule,
        low_n=int((group == 0).sum()),
        high_n=int((group == 1).sum()),
        low_answered=int(((group == 0) & people.answered).sum()),
        high_answered=int(((group == 1) & people.answered).sum()),
        basis=selection.mode,
        basis_note=selection.describe(lang) + (f" ({why})" if why else ""),
        lang=lang,
        unscored=int((group < 0).sum()),
    )
    quotes = _Quotes(project, data, themes, people, lang, pseudonymizer)
    for i, code in enumerate(themes):
        display.themes.append(_theme_row(code, names[code.key], carried[i], people, quotes, i))
        display.reverse.append(_reverse_row(code, names[code.key], carried[i], people))
    return display


def _carried(data: ProjectData, themes: Sequence[CodeInfo], people: _Respondents) -> np.ndarray:
    """Per theme, per respondent: whether their open answers carry it (a boolean matrix themes × respondents)."""
    r, passage, _coder = data.codings.mapped(data.book, themes, rollup=False)
    span = _span(data)
    keys = unique_sorted(r * span + data.passages.participant[passage])
    out = np.zeros((len(themes), people.participant.size), dtype=bool)
    linked = people.participant >= 0
    for i in range(len(themes)):
        out[i, linked] = np.isin(i * span + people.participant[linked], keys)
    return out


def _share(count: int, answered: int) -> float | None:
    return count / answered if answered else None


def _theme_row(
    code: CodeInfo, name: str, carries: np.ndarray, people: _Respondents, quotes: _Quotes, index: int
) -> JointTheme:
    counts = {g: int((carries & (people.group == g)).sum()) for g in (0, 1)}
    answered = {g: int((people.answered & (people.group == g)).sum()) for g in (0, 1)}
    return JointTheme(
        key=code.key,
        name=name,
        low_count=counts[0],
        high_count=counts[1],
        low_share=_share(counts[0], answered[0]),
        high_share=_share(counts[1], answered[1]),
        low_quote=quotes.quote(index, code, 0),
        high_quote=quotes.quote(index, code, 1),
    )


def _reverse_row(code: CodeInfo, name: str, carries: np.ndarray, people: _Respondents) -> ReverseRow:
    counted = people.answered & (people.group >= 0)
    return ReverseRow(
        key=code.key,
        name=name,
        with_=summarize(people.score[counted & carries]),
        without=summarize(people.score[counted & ~carries]),
    )


# ---------------------------------------------------------------- quotes


class _Quotes:
    """One quote per theme and group: the quote reports' candidates (:class:`QuoteCandidates`) kept to the
    group's passages, picked as they pick (:class:`QuotePicking`), one theme's quote avoided for the next."""

    def __init__(
        self,
        project: Project,
        data: ProjectData,
        themes: Sequence[CodeInfo],
        people: _Respondents,
        lang: str,
        pseudonymizer: Any,
    ) -> None:
        self.pseudonymizer = pseudonymizer
        with project.read() as session:
            starred = {int(p) for p in session.exec(select(Star.passage_id).distinct())}
            self.choices = load_choices(session, [c.id for c in themes])
            numbers = _numbers(session, people)
        texts = PassageTexts(project, data.selection)
        member = np.full(_span(data), -1, dtype=np.int64)
        linked = people.participant >= 0
        member[people.participant[linked]] = people.group[linked]
        group_of_passage = member[data.passages.participant]
        self.picking = {
            g: QuotePicking(
                data,
                QuoteCandidates(data, themes, set(), starred, [], numbers, only=np.flatnonzero(group_of_passage == g)),
                texts,
                (MIN_WORDS, MAX_WORDS),
                lang,
            )
            for g in (0, 1)
        }

    def quote(self, index: int, code: CodeInfo, group: int) -> JointQuote | None:
        """The group's quote of the theme, or None when its answers carrying the theme hold none quotable."""
        found = self.picking[group].code(index, code, self.choices.get(code.id, CodeChoices()), 1, False).quotes
        if not found:
            return None
        q = found[0]
        p = self.pseudonymizer
        if p is None:
            return JointQuote(q.text, q.attribution, f"{q.source}#{q.passage}")
        return JointQuote(p.text(q.text), p.text(q.attribution), f"{p.source(q.source)}#{q.passage}")


def _numbers(session: Session, people: _Respondents) -> dict[int, int]:
    """The passage numbers of the respondents' passages, by passage id."""
    linked = sorted(set(people.participant[people.participant >= 0].tolist()))
    out: dict[int, int] = {}
    for k in range(0, len(linked), 500):
        query = select(Passage.id, Passage.number).where(col(Passage.participant_id).in_(linked[k : k + 500]))
        out.update({cast(int, pid): number for pid, number in session.exec(query)})
    return out


__all__ = [
    "HIGH",
    "LOW",
    "SPLIT_RULES",
    "JointDisplay",
    "JointQuote",
    "JointTheme",
    "ReverseRow",
    "build_joint_display",
    "parse_split",
    "split_groups",
]
