"""The methods paragraph of an agreement report: its own figures in a sentence or four,
in Danish or English, for a paper's methods section; and, when any settlement of the
report's disagreements gave a reason, an appendix listing the settled disagreements
with their reasons (:func:`settlement_appendix`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import select

from trivselkode.storage.consensus import decisions
from trivselkode.storage.db import Project
from trivselkode.storage.models import Meta

if TYPE_CHECKING:
    from trivselkode.analysis.icr import AgreementReport

# One language's wording; the same placeholders in each.
_WORDS = {
    "en": {
        "passage": "participant turns (interviewer turns excluded)",
        "span": "coded segments matched across coders by their character overlap",
        "codebook": "codebook",
        "body": (
            "Inter-coder agreement was assessed for {n} coders ({coders}) on {units} units: "
            '{unit} from {sources} sources. Each code of the codebook "{name}" (version {version}) '
            "was treated as present or absent per unit. Pooled over {codes} codes, observed agreement was "
            "{agreement}, Krippendorff's alpha (nominal) {alpha}"
        ),
        "ci": " (95% bootstrap CI {lo}–{hi})",
        "bp": " and Brennan–Prediger's kappa {bp}",
        "cohen": "; Cohen's kappa was {kappa}",
        "end": ". The coders disagreed on {d} of {u} unit-code pairs.",
        "appendix": "Appendix: settled disagreements and the reasons given",
        "line": "{source}, turn {passage}, {code}: {choice} (settled by {by}){reason}",
        "no_reason": " – no reason given",
    },
    "da": {
        "passage": "deltagernes replikker (interviewerens er udeladt)",
        "span": "kodede segmenter, parret på tværs af kodere efter tegnoverlap",
        "codebook": "kodebog",
        "body": (
            "Enigheden mellem {n} kodere ({coders}) blev vurderet på {units} enheder: "
            '{unit} fra {sources} kilder. Hver kode i kodebogen "{name}" (version {version}) '
            "blev behandlet som til stede eller fraværende i hver enhed. Samlet over {codes} koder var den observerede enighed "
            "{agreement}, Krippendorffs alfa (nominal) {alpha}"
        ),
        "ci": " (95 %-bootstrap-konfidensinterval {lo}–{hi})",
        "bp": " og Brennan–Predigers kappa {bp}",
        "cohen": "; Cohens kappa var {kappa}",
        "end": ". Koderne var uenige om {d} af {u} kombinationer af enhed og kode.",
        "appendix": "Bilag: afgjorte uenigheder og begrundelserne for dem",
        "line": "{source}, udsagn {passage}, {code}: {choice} (afgjort af {by}){reason}",
        "no_reason": " – ingen begrundelse givet",
    },
}


_CHOICES = {
    "en": {"a": "A ({a})", "b": "B ({b})", "both": "both", "neither": "neither", "manual": "by hand"},
    "da": {"a": "A ({a})", "b": "B ({b})", "both": "begge", "neither": "ingen", "manual": "manuelt"},
}


def codebook_meta(project: Project) -> tuple[str | None, str | None]:
    with project.read() as s:
        meta = {m.key: m.value for m in s.exec(select(Meta))}
    return meta.get("codebook_name"), meta.get("codebook_version")


def _fmt(x: float | None, lang: str) -> str:
    if x is None:
        return "ikke defineret" if lang == "da" else "undefined"
    s = f"{x:.2f}"
    return s.replace(".", ",") if lang == "da" else s


def _settled_sentence(settled: tuple[int, int, list[str]] | None, lang: str) -> str:
    """ "N of M disagreements were settled by …", or nothing when none was settled."""
    if not settled or not settled[1]:
        return ""
    total, done, names = settled
    if lang == "en":
        who = f" by {' and '.join(names)}" if names else ""
        head = f"All {total} disagreements were" if done == total else f"{done} of {total} disagreements were"
        return f" {head} settled{who} into a consensus coding."
    who = f" af {' og '.join(names)}" if names else ""
    head = f"Alle {total} uenigheder blev" if done == total else f"{done} af {total} uenigheder blev"
    return f" {head} afgjort{who} i en konsensuskodning."


def methods_paragraph(
    project: Project, report: AgreementReport, lang: str = "da", settled: tuple[int, int, list[str]] | None = None
) -> str:
    """A short methods paragraph for a paper, from the report's own figures.

    ``settled`` is (disagreements, of them settled, who settled them) between
    the report's two coders; the paragraph speaks of a consensus only when
    some were settled.
    """
    name, version = codebook_meta(project)
    p = report.pooled
    ci = report.alpha_ci
    lang = "en" if lang == "en" else "da"
    words = _WORDS[lang]
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


def settlement_appendix(project: Project, coders: list[str], codes: list[str], lang: str = "da") -> str:
    """The settled disagreements between ``coders`` on ``codes`` with their reasons; "" when none gave a reason.

    One line per settlement, by source, passage and code; a settlement
    without a reason says so.
    """
    lang = "en" if lang == "en" else "da"
    words = _WORDS[lang]
    wanted = set(codes)
    rows = [
        d for d in decisions(project) if d["code"] in wanted and (not d["coders"] or set(d["coders"]) <= set(coders))
    ]
    if not any(d["reason"] for d in rows):
        return ""
    lines = [words["appendix"], ""]
    for d in rows:
        pair = d["coders"] if len(d["coders"]) == 2 else ["A", "B"]
        choice = _CHOICES[lang].get(d["choice"], d["choice"]).format(a=pair[0], b=pair[1])
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
