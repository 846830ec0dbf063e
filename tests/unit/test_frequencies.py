"""Frequencies: the numbers reconcile with the codings table, on random projects too.

``build_project`` (also used by the other report tests) writes a project
straight through the models from a small description.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert
from sqlmodel import select

from trivselkode.analysis.attributes import AgeBands, attribution, effective_attributes
from trivselkode.analysis.frequencies import compute_frequencies
from trivselkode.errors import TrivselError
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Code, Coder, Coding, Participant, Passage, Source, Star

# ---------------------------------------------------------------- a project from a description

CODES = [
    ("T1", "Biblioteket som et psykologisk tryghedssystem", "tema", None, ["tryg", "velkommen"]),
    ("T2", "Et unikt rum for mental ro", "tema", None, ["ro", "stille", "fordybe"]),
    ("B", "Behov", "behov", None, []),
    ("B.social", "Sociale behov", "behov", "B", ["fællesskab", "snakke"]),
    ("B.gennem", "Gennemgribende behov", "behov", "B", []),
    ("B.frihed", "Frihed", "behov", "B.gennem", ["frihed", "fri"]),
]


def sentences_of(text: str) -> list[list[int]]:
    """Sentence spans the way the importer stores them (trailing spaces left out)."""
    out, start = [], 0
    for m in re.finditer(r"[.!?]+(?=\s|$)", text):
        end = m.end()
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            out.append([start + lead, end])
        start = end
    if text[start:].strip():
        lead = len(text[start:]) - len(text[start:].lstrip())
        out.append([start + lead, len(text.rstrip())])
    return out


def build_project(spec: dict[str, Any], db: str = ":memory:"):
    """A project from ``spec``: codes, coders, sources (participants, passages), codings, stars.

    ``sources``: ``{"name", "site", "kind", "context", "round", "extra",
    "participants": [{"label", "role", "gender", "age", "site", "attributes"}],
    "passages": [(label, text), ...]}``; ``codings``: ``(source, number, code,
    coder[, start, end])``; ``stars``: ``(source, number, coder)``.
    """
    project, _ = open_project(db)
    with project.write() as s:
        ids: dict[str, int] = {}
        for pos, (key, name, kind, parent, keywords) in enumerate(spec.get("codes", CODES)):
            code = Code(
                key=key,
                name=name,
                kind=kind,
                parent_id=ids.get(parent),
                position=pos,
                description=f"Definitionen af {name.lower()}.",
                keywords=list(keywords),
            )
            s.add(code)
            s.flush()
            ids[key] = code.id
        coders: dict[str, int] = {}
        for name in spec.get("coders", ["anne", "bo"]):
            coder = Coder(name=name)
            s.add(coder)
            s.flush()
            coders[name] = coder.id
        passages: dict[tuple[str, int], int] = {}
        for src in spec.get("sources", []):
            body, pos, laid = [], 0, []
            for label, text in src["passages"]:
                prefix = f"{label}: "
                start = pos + len(prefix)
                body.append(prefix + text + "\n")
                laid.append((label, start, text))
                pos = start + len(text) + 1
            source = Source(
                name=src["name"],
                title=src.get("title", src["name"]),
                site=src.get("site"),
                kind=src.get("kind"),
                context=src.get("context"),
                round=src.get("round"),
                text="".join(body),
                extra=src.get("extra", {}),
            )
            s.add(source)
            s.flush()
            people: dict[str, int] = {}
            for p in src["participants"]:
                row = Participant(
                    source_id=source.id,
                    label=p["label"],
                    role=p.get("role", "participant"),
                    gender=p.get("gender"),
                    age=p.get("age"),
                    site=p.get("site"),
                    attributes=p.get("attributes", {}),
                )
                s.add(row)
                s.flush()
                people[p["label"]] = row.id
            rows = []
            for n, (label, start, text) in enumerate(laid, start=1):
                rows.append(
                    {
                        "source_id": source.id,
                        "number": n,
                        "participant_id": people[label],
                        "start": start,
                        "end": start + len(text),
                        "text": text,
                        "sentences": sentences_of(text),
                    }
                )
            if rows:
                s.execute(insert(Passage), rows)
            for pid, number in s.exec(select(Passage.id, Passage.number).where(Passage.source_id == source.id)):
                passages[(src["name"], number)] = pid
        rows = []
        for src, number, key, coder, *span in spec.get("codings", []):
            start, end = (list(span) + [None, None])[:2]
            rows.append(
                {
                    "passage_id": passages[(src, number)],
                    "code_id": ids[key],
                    "coder_id": coders[coder],
                    "start": start,
                    "end": end,
                }
            )
        if rows:
            s.execute(insert(Coding), rows)
        for src, number, coder in spec.get("stars", []):
            s.add(Star(passage_id=passages[(src, number)], coder_id=coders[coder]))
    return project


def small_spec() -> dict[str, Any]:
    return {
        "coders": ["anne", "bo"],
        "sources": [
            {
                "name": "holstebro-1",
                "site": "Holstebro",
                "kind": "interview",
                "context": "bibliotek",
                "round": 1,
                "participants": [
                    {"label": "I", "role": "interviewer"},
                    {"label": "P1", "gender": "kvinde", "age": 67},
                    {"label": "P2", "gender": "mand", "age": 30, "attributes": {"uddannelse": "lang"}},
                ],
                "passages": [
                    ("I", "Hvad betyder biblioteket for dig?"),
                    ("P1", "Jeg føler mig tryg her. Her er ro."),
                    ("P2", "Der er stille, og jeg kan fordybe mig."),
                    ("I", "Tak."),
                ],
            },
            {
                "name": "viborg-1",
                "site": "Viborg",
                "kind": "voxpop",
                "context": "arrangement",
                "round": 2,
                "participants": [
                    {"label": "P1", "gender": "kvinde"},
                    {"label": "P2", "site": "Randers", "age": 15},
                ],
                "passages": [("P1", "Her kan jeg snakke med folk."), ("P2", "Jeg er fri her.")],
            },
        ],
        "codings": [
            ("holstebro-1", 2, "T1", "anne"),
            ("holstebro-1", 2, "T1", "bo"),
            ("holstebro-1", 2, "T1", "bo", 0, 20),
            ("holstebro-1", 3, "T2", "anne"),
            ("viborg-1", 1, "B.social", "bo"),
            ("viborg-1", 2, "B.frihed", "anne"),
            ("holstebro-1", 1, "T2", "anne"),  # on the interviewer's turn
        ],
    }


def by_code(rows: list[dict]) -> dict[str, dict]:
    return {r["code"]: r for r in rows}


# ---------------------------------------------------------------- examples


def test_union_counts_a_passage_once_per_code_and_never_counts_interviewers():
    project = build_project(small_spec())
    result = compute_frequencies(project)
    assert result.selection.mode == "union"
    rows = by_code(result.rows)
    assert rows["T1"] == {
        "code": "T1",
        "name": CODES[0][1],
        "codings": 3,
        "passages": 1,
        "sources": 1,
        "participants": 1,
        "share": 0.25,
    }
    # The interviewer's coded turn counts as a passage but not as a participant.
    assert rows["T2"]["passages"] == 2 and rows["T2"]["participants"] == 1
    assert rows["B"]["passages"] == 0
    assert [r["code"] for r in result.rows] == [c[0] for c in CODES]


def test_rollup_counts_descendants_once():
    project = build_project(small_spec())
    rows = by_code(compute_frequencies(project, rollup=True, codes="B,B.gennem").rows)
    assert rows["B"]["passages"] == 2 and rows["B"]["participants"] == 2 and rows["B"]["sources"] == 1
    assert rows["B.gennem"]["passages"] == 1


def test_one_coder_and_the_union_default():
    """Without settled disagreements the default is the union (the consensus: test_consensus_reports)."""
    project = build_project(small_spec())
    default = compute_frequencies(project)
    assert default.selection.mode == "union" and default.selection.why is None
    assert by_code(default.rows)["T1"]["passages"] == 1 and by_code(default.rows)["T1"]["codings"] == 3
    anne = by_code(compute_frequencies(project, coder="anne").rows)
    assert anne["T1"]["codings"] == 1 and anne["B.social"]["codings"] == 0
    assert "open_disagreements" not in default.rows[0]


def test_groups_inherit_the_source_unless_the_participant_says_otherwise():
    project = build_project(small_spec())
    result = compute_frequencies(project, by="site", codes="T1,B.frihed")
    sites = [r["site"] for r in result.rows if r["code"] == "T1"]
    assert sites == ["Holstebro", "Randers", "Viborg"]
    frihed = {r["site"]: r for r in result.rows if r["code"] == "B.frihed"}
    assert frihed["Randers"]["participants"] == 1 and frihed["Randers"]["share"] == 1.0
    assert frihed["Viborg"]["participants"] == 0


def test_age_bands_are_configurable_and_ordered():
    project = build_project(small_spec())
    result = compute_frequencies(project, by="age_band", codes="T1", age_bands=AgeBands.parse("18,40"))
    assert [r["age_band"] for r in result.rows] == ["under 18", "18–39", "40+", None]
    assert AgeBands().labels() == ["under 18", "18–29", "30–44", "45–59", "60–74", "75+"]
    with pytest.raises(TrivselError):
        AgeBands.parse("30,18")


def test_unknown_attribute_lists_the_known_ones_including_participant_keys():
    project = build_project(small_spec())
    with pytest.raises(TrivselError) as err:
        compute_frequencies(project, by="skostørrelse")
    assert "skostørrelse" in err.value.message
    assert "site" in err.value.hint and "age_band" in err.value.hint and "uddannelse" in err.value.hint


def test_unknown_code_and_empty_project_are_refused():
    project = build_project(small_spec())
    with pytest.raises(TrivselError) as err:
        compute_frequencies(project, codes="T9")
    assert "T9" in err.value.message
    empty = build_project({"sources": small_spec()["sources"]})
    with pytest.raises(TrivselError) as err:
        compute_frequencies(empty)
    assert "ingen kodninger" in err.value.message
    alone = build_project({**small_spec(), "codings": [c for c in small_spec()["codings"] if c[3] == "anne"]})
    with pytest.raises(TrivselError) as err:
        compute_frequencies(alone, consensus=True)  # one coder: no consensus to form
    assert "to kodere" in str(err.value)
    with pytest.raises(TrivselError):
        compute_frequencies(project, coder="nobody")


def test_codes_by_kind_and_alias():
    project = build_project(small_spec())
    assert [r["code"] for r in compute_frequencies(project, codes="themes").rows] == ["T1", "T2"]
    assert [r["code"] for r in compute_frequencies(project, codes=["behov"]).rows] == [
        "B",
        "B.social",
        "B.gennem",
        "B.frihed",
    ]


def test_effective_attributes_and_attribution():
    attrs = effective_attributes(
        {"name": "s", "site": "Viborg", "kind": "interview", "context": "bibliotek", "round": "2"},
        {"gender": "Kvinde", "age": 67, "site": None, "role": "participant"},
        {"kontekst": "arrangement", "uddannelse": "lang"},
        AgeBands(),
    )
    assert attrs["site"] == "Viborg" and attrs["context"] == "arrangement" and attrs["round"] == 2
    assert attrs["age_band"] == "60–74" and attrs["uddannelse"] == "lang"
    assert attribution(attrs) == "– Kvinde, 67 år, Viborg"
    assert attribution(attrs, "en") == "– Woman, 67, Viborg"
    assert attribution({"gender": "kvinde", "site": "Viborg"}) == "– Kvinde, Viborg"
    assert attribution({"site": "Viborg"}) == "– Deltager, Viborg"
    assert attribution({"site": "Viborg"}, "en") == "– Participant, Viborg"


# ---------------------------------------------------------------- random projects

SITES = ["Randers", "Viborg", None]
GENDERS = ["kvinde", "mand", None]
AGES = [None, 12, 25, 50, 80]
CODERS = ["anne", "bo"]


@st.composite
def random_specs(draw) -> dict[str, Any]:
    sources = []
    for s in range(draw(st.integers(1, 3))):
        participants = [{"label": "I", "role": "interviewer"}] if draw(st.booleans()) else []
        for p in range(draw(st.integers(1, 3))):
            person: dict[str, Any] = {
                "label": f"P{p + 1}",
                "gender": draw(st.sampled_from(GENDERS)),
                "age": draw(st.sampled_from(AGES)),
            }
            if draw(st.booleans()):
                person["site"] = draw(st.sampled_from(SITES))
            attrs = {}
            if draw(st.booleans()):
                attrs["uddannelse"] = draw(st.sampled_from(["kort", "lang"]))
            if draw(st.integers(0, 4)) == 0:
                attrs["kind"] = "survey"
            person["attributes"] = attrs
            participants.append(person)
        labels = [p["label"] for p in participants]
        passages = [
            (draw(st.sampled_from(labels)), f"Udsagn {n} fra kilde {s}.") for n in range(draw(st.integers(1, 5)))
        ]
        sources.append(
            {
                "name": f"kilde-{s}",
                "site": draw(st.sampled_from(SITES)),
                "kind": draw(st.sampled_from(["interview", "voxpop"])),
                "round": draw(st.sampled_from([1, 2, None])),
                "participants": participants,
                "passages": passages,
            }
        )
    slots = [(src["name"], n + 1) for src in sources for n in range(len(src["passages"]))]
    keys = [c[0] for c in CODES]
    raw = draw(
        st.lists(
            st.tuples(st.sampled_from(slots), st.sampled_from(keys), st.sampled_from(CODERS), st.booleans()),
            min_size=1,
            max_size=25,
        )
    )
    codings, seen = [], set()
    for (src, number), key, coder, narrow in raw:
        span = (0, 3) if narrow else (None, None)
        if (src, number, key, coder, span) in seen:
            continue
        seen.add((src, number, key, coder, span))
        codings.append((src, number, key, coder, *span))
    return {"coders": CODERS, "sources": sources, "codings": codings}


def expected_rows(
    project, *, coders: set[str], by: list[str], rollup: bool, codings: list | None = None
) -> dict[tuple, dict]:
    """The frequencies recomputed from the tables in plain Python (of ``coders``, or of the rows ``codings``)."""
    with project.read() as s:
        codes = list(s.exec(select(Code).order_by(Code.position)))
        children: dict[int, list[int]] = {}
        for c in codes:
            if c.parent_id:
                children.setdefault(c.parent_id, []).append(c.id)
        sources = {src.id: src for src in s.exec(select(Source))}
        people = {p.id: p for p in s.exec(select(Participant))}
        passages = {p.id: p for p in s.exec(select(Passage))}
        coder_names = {c.id: c.name for c in s.exec(select(Coder))}
        if codings is None:
            codings = [c for c in s.exec(select(Coding)) if coder_names[c.coder_id] in coders]

    def attrs_of(p: Participant) -> dict[str, Any]:
        src = sources[p.source_id]
        values = {
            "site": src.site,
            "kind": src.kind,
            "context": src.context,
            "round": src.round,
            "gender": None,
            "age": None,
        }
        values.update(p.attributes)
        values["site"] = p.site if p.site is not None else values["site"]
        values["gender"] = p.gender
        values["age"] = p.age
        values["age_band"] = AgeBands().band(p.age)
        return values

    def group(pid: int) -> tuple:
        values = attrs_of(people[pid])
        return tuple(values.get(name) for name in by)

    def subtree(cid: int) -> set[int]:
        out = {cid}
        for child in children.get(cid, []):
            out |= subtree(child)
        return out

    counted = [pid for pid, p in people.items() if p.role != "interviewer"]
    sizes: dict[tuple, int] = {}
    for pid in counted:
        sizes[group(pid)] = sizes.get(group(pid), 0) + 1
    groups = set(sizes) | {group(passages[c.passage_id].participant_id) for c in codings}
    out = {}
    for code in codes:
        members = subtree(code.id) if rollup else {code.id}
        for g in groups:
            mine = [c for c in codings if c.code_id in members and group(passages[c.passage_id].participant_id) == g]
            speakers = {passages[c.passage_id].participant_id for c in mine}
            participants = {pid for pid in speakers if people[pid].role != "interviewer"}
            n = sizes.get(g, 0)
            out[(code.key, g)] = {
                "codings": len(mine),
                "passages": len({c.passage_id for c in mine}),
                "sources": len({passages[c.passage_id].source_id for c in mine}),
                "participants": len(participants),
                "share": round(len(participants) / n, 4) if n else 0.0,
            }
    return out


BYS = [[], ["site"], ["gender", "age_band"], ["kind", "round"], ["uddannelse"]]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    spec=random_specs(),
    by=st.sampled_from(BYS),
    rollup=st.booleans(),
    mode=st.sampled_from(["default", "union", "anne"]),
)
def test_frequencies_reconcile_with_the_codings_table(spec, by, rollup, mode):
    """One coder and the union against the codings table (the consensus: test_consensus_reports)."""
    project = build_project(spec)
    try:
        used = {c[3] for c in spec["codings"]}
        options: dict[str, Any] = {}
        coders = used
        if mode == "union":
            options["union"] = True
        elif mode == "anne":
            options["coder"] = "anne"
            coders = {"anne"}
        if not coders & used or (
            by == ["uddannelse"]
            and not any("uddannelse" in p.get("attributes", {}) for src in spec["sources"] for p in src["participants"])
        ):
            with pytest.raises(TrivselError):
                compute_frequencies(project, by=by, rollup=rollup, **options)
            return
        result = compute_frequencies(project, by=by, rollup=rollup, **options)
        expected = expected_rows(project, coders=coders, by=by, rollup=rollup)
        fields = ("codings", "passages", "sources", "participants", "share")
        if result.selection.mode == "consensus":
            # Chosen by default only when the two coders never disagree: the union's passages, one coding a span.
            assert mode == "default" and result.selection.consensus.disagreements == 0
            fields = fields[1:]
        got = {(r["code"], tuple(r[n] for n in by)): {k: r[k] for k in fields} for r in result.rows}
        assert got == {k: {f: v[f] for f in fields} for k, v in expected.items()}
    finally:
        project.dispose()


def test_a_kind_the_codebook_lacks_is_named_as_such():
    spec = small_spec()
    spec["codes"] = [("K1", "Kode 1", "", None, []), ("K2", "Kode 2", "", None, [])]
    spec["codings"] = [("holstebro-1", 2, "K1", "anne")]
    project = build_project(spec)
    for token in ("themes", "tema"):
        with pytest.raises(TrivselError) as err:
            compute_frequencies(project, codes=token)
        assert "ingen koder af typen 'tema'" in err.value.message and "mente du" not in str(err.value)
    with pytest.raises(TrivselError) as err:
        compute_frequencies(project, codes="K12")
    assert "'K1'" in str(err.value) and "themes" not in str(err.value)
