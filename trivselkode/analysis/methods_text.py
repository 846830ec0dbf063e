"""The methods paragraph of an agreement report: its own figures in a sentence or four,
in Danish or English, for a paper's methods section; and, when any settlement of the
report's disagreements gave a reason, an appendix listing the settled disagreements
with their reasons (:func:`settlement_appendix`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import select

from trivselkode.i18n import N_, format_number, gettext_for, language, normalize
from trivselkode.storage.consensus import decisions
from trivselkode.storage.db import Project
from trivselkode.storage.models import Meta

if TYPE_CHECKING:
    from trivselkode.analysis.icr import AgreementReport

# The wording, in Danish (the message ids); the report's language is chosen per call (gettext_for).
_WORDS = {
    "passage": N_("deltagernes replikker (interviewerens er udeladt)"),
    "span": N_("kodede segmenter, parret på tværs af kodere efter tegnoverlap"),
    "codebook": N_("kodebog"),
    "body": N_(
        "Enigheden mellem {n} kodere ({coders}) blev vurderet på {units} enheder: "
        '{unit} fra {sources} kilder. Hver kode i kodebogen "{name}" (version {version}) '
        "blev behandlet som til stede eller fraværende i hver enhed. Samlet over {codes} koder var den observerede enighed "
        "{agreement}, Krippendorffs alfa (nominal) {alpha}"
    ),
    "ci": N_(" (95 %-bootstrap-konfidensinterval {lo}–{hi})"),
    "bp": N_(" og Brennan–Predigers kappa {bp}"),
    "cohen": N_("; Cohens kappa var {kappa}"),
    "end": N_(". Koderne var uenige om {d} af {u} kombinationer af enhed og kode."),
    "appendix": N_("Bilag: afgjorte uenigheder og begrundelserne for dem"),
    "line": N_("{source}, udsagn {passage}, {code}: {choice} (afgjort af {by}){reason}"),
    "no_reason": N_(" – ingen begrundelse givet"),
}


_CHOICES = {"a": "A ({a})", "b": "B ({b})", "both": N_("begge"), "neither": N_("ingen"), "manual": N_("manuelt")}


def codebook_meta(project: Project) -> tuple[str | None, str | None]:
    with project.read() as s:
        meta = {m.key: m.value for m in s.exec(select(Meta))}
    return meta.get("codebook_name"), meta.get("codebook_version")


def _fmt(x: float | None, lang: str) -> str:
    if x is None:
        return gettext_for(lang)(N_("ikke defineret"))
    return format_number(x, 2, lang)


def _settled_sentence(settled: tuple[int, int, list[str]] | None, lang: str) -> str:
    """ "N of M disagreements were settled by …", or nothing when none was settled."""
    if not settled or not settled[1]:
        return ""
    total, done, names = settled
    t = gettext_for(lang)
    who = t(N_(" af {names}")).format(names=t(N_(" og ")).join(names)) if names else ""
    if done == total:
        return t(N_(" Alle {total} uenigheder blev afgjort{who} i en konsensuskodning.")).format(total=total, who=who)
    return t(N_(" {done} af {total} uenigheder blev afgjort{who} i en konsensuskodning.")).format(
        done=done, total=total, who=who
    )


def methods_paragraph(
    project: Project,
    report: AgreementReport,
    lang: str | None = None,
    settled: tuple[int, int, list[str]] | None = None,
) -> str:
    """A short methods paragraph for a paper, from the report's own figures.

    ``settled`` is (disagreements, of them settled, who settled them) between
    the report's two coders; the paragraph speaks of a consensus only when
    some were settled.
    """
    name, version = codebook_meta(project)
    p = report.pooled
    ci = report.alpha_ci
    lang = normalize(lang) or language()
    t = gettext_for(lang)
    words = {key: t(text) for key, text in _WORDS.items()}
    text = words["body"].format(
        n=len(report.coders),
        coders=", ".join(report.coders),
        units=report.units,
        unit=words["passage"] if report.unit == "passage" else words["span"],
        sources=len(report.sources),
        name=name or words["codebook"],
        version=version or "?",
        codes=len(report.codes),
        agreement=_fmt(p.agreement, lang),
        alpha=_fmt(p.krippendorff_alpha, lang),
    )
    if ci:
        text += words["ci"].format(lo=_fmt(ci[0], lang), hi=_fmt(ci[1], lang))
    text += words["bp"].format(bp=_fmt(p.brennan_prediger, lang))
    if p.cohen_kappa is not None:
        text += words["cohen"].format(kappa=_fmt(p.cohen_kappa, lang))
    text += words["end"].format(d=p.disagreements, u=p.units)
    text += _settled_sentence(settled, lang)
    appendix = settlement_appendix(project, report.coders, [c.code for c in report.codes], lang)
    return f"{text}\n\n{appendix}" if appendix else text


def settlement_appendix(project: Project, coders: list[str], codes: list[str], lang: str | None = None) -> str:
    """The settled disagreements between ``coders`` on ``codes`` with their reasons; "" when none gave a reason.

    One line per settlement, by source, passage and code; a settlement
    without a reason says so.
    """
    lang = normalize(lang) or language()
    t = gettext_for(lang)
    words = {key: t(text) for key, text in _WORDS.items()}
    wanted = set(codes)
    rows = [
        d for d in decisions(project) if d["code"] in wanted and (not d["coders"] or set(d["coders"]) <= set(coders))
    ]
    if not any(d["reason"] for d in rows):
        return ""
    lines = [words["appendix"], ""]
    for d in rows:
        pair = d["coders"] if len(d["coders"]) == 2 else ["A", "B"]
        choice = (t(_CHOICES[d["choice"]]) if d["choice"] in _CHOICES else d["choice"]).format(a=pair[0], b=pair[1])
        reason = f": {d['reason']}" if d["reason"] else words["no_reason"]
        lines.append(
            "- "
            + words["line"].format(
                source=d["source"],
                passage=d["passage"],
                code=d["code"],
                choice=choice,
                by=d["settled_by"],
                reason=reason,
            )
        )
    return "\n".join(lines)
