"""Pseudonymisation catches what people write: names in any case and form, numbers in any layout, sources' names.

The rule (see :mod:`trivselkode.export.pseudonymize`): a full name in any
case; a single known name in any case unless it is also an ordinary Danish
word, which is replaced only when capitalised; CPR numbers of real dates with
a dash, a space or nothing; phone numbers in pairs, fours or together; a
source whose name holds a name gets a neutral one.
"""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.unit.test_frequencies import build_project
from trivselkode.export.pseudonymize import Pseudonymizer, is_name, is_ordinary_word, key_document, shift


def test_full_names_in_any_case_and_the_genitive():
    pseudo = Pseudonymizer(["Karen Hansen"])
    text = "KAREN HANSEN, karen hansen, Karen Hansens hus, KARENS kat, karen, Hansen, HANSEN, hansens, Hansen Karen."
    assert pseudo.text(text) == (
        "[Navn 1], [Navn 1], [Navn 1]s hus, [Navn 1]S kat, [Navn 1], [Navn 1], [Navn 1], [Navn 1]s, [Navn 1]."
    )
    # Whole words only.
    assert pseudo.text("Karensdag og Hansenhus") == "Karensdag og Hansenhus"


def test_speaker_labels_in_any_case_are_names():
    assert all(is_name(n) for n in ["MORTEN", "lise", "KAREN HANSEN", "karen hansen", "Bo", "Jens-Ole", "ANNE-MARIE"])
    assert not any(
        is_name(c) for c in ["A", "B", "INT", "IP", "SPM", "interviewer", "DELTAGER", "Mand", "ukendt taler"]
    )
    pseudo = Pseudonymizer(["MORTEN", "lise"])
    assert pseudo.label("MORTEN") == pseudo.label("Morten") == pseudo.label("morten") == "[Navn 1]"
    assert pseudo.label("lise") == "[Navn 2]"
    assert pseudo.text("MORTEN sagde til morten og Morten") == "[Navn 1] sagde til [Navn 1] og [Navn 1]"
    # A name in a label's note is a name too.
    assert pseudo.label("Interviewer (Mette)") == "Interviewer ([Navn 3])"
    assert pseudo.text("METTE spurgte") == "[Navn 3] spurgte"


def test_names_that_are_also_words_are_replaced_only_as_names():
    assert all(is_ordinary_word(w) for w in ["bo", "Per", "dag", "mark", "sten", "tim", "ask", "rose", "maj", "lise"])
    assert not any(is_ordinary_word(w) for w in ["Karen", "morten", "Hansen", "Mette"])
    pseudo = Pseudonymizer(["Bo", "lise", "Per Holm", "Rose"])
    assert pseudo.text("Bo vil bo her; BO.") == "[Navn 1] vil bo her; BO."
    assert pseudo.text("Det var en lise. Lise kom.") == "Det var en lise. [Navn 2] kom."
    assert pseudo.text("To gange per dag, sagde Per. per holm, PER HOLM.") == (
        "To gange per dag, sagde [Navn 3]. [Navn 3], [Navn 3]."
    )
    assert pseudo.text("en rose til Rose, Roses have") == "en rose til [Navn 4], [Navn 4]s have"
    # Two known names side by side are not a full name unless they are one person's.
    assert pseudo.text("hvor skal Per bo") == "hvor skal [Navn 3] bo"
    # A genitive that is itself a word ("karens", a waiting period) is judged as that word.
    assert Pseudonymizer(["Karen"]).text("tre dages karens, Karens og KARENS bog") == (
        "tre dages karens, [Navn 1]s og [Navn 1]S bog"
    )


def test_cpr_numbers_with_a_dash_a_space_or_nothing_when_the_date_is_real():
    pseudo = Pseudonymizer()
    assert pseudo.text("020285-1235, 020285 1235, 0202851235, 020285 - 1235, 290200-1234") == (
        "[CPR], [CPR], [CPR], [CPR], [CPR]"
    )
    # No date: 31 February, 31 April, month 13, day 00; and ten digits that are no date.
    assert pseudo.text("3102851235 3104851235 0113851235 0001851235 9876543210") == (
        "3102851235 3104851235 0113851235 0001851235 9876543210"
    )


def test_phone_numbers_with_dashes_dots_spaces_and_a_country_code():
    pseudo = Pseudonymizer()
    forms = ["12-34-56-78", "12.34.56.78", "12 34 56 78", "+45 12 34 56 78", "+4512345678", "0045 1234 5678",
             "(+45) 12345678", "1234 5678", "1234-5678", "12345678"]  # fmt: skip
    assert pseudo.text(", ".join(forms)) == ", ".join(["[Telefon]"] * len(forms))
    # Dates, years and longer numbers stay.
    assert pseudo.text("d. 12.03.2024, 2024-03-12, 12-03-2024, 123456789, i 2024") == (
        "d. 12.03.2024, 2024-03-12, 12-03-2024, 123456789, i 2024"
    )


def test_sources_named_after_people_get_neutral_stable_names():
    pseudo = Pseudonymizer(
        ["Karen Hansen", "MORTEN"], sources=["interview-karen-hansen", "Kilde 1", "morten_2024", "holstebro-01"]
    )
    assert pseudo.source("interview-karen-hansen") == "Kilde 2"  # "Kilde 1" is another source's own name
    assert pseudo.source("morten_2024") == "Kilde 3"
    assert pseudo.source("holstebro-01") == "holstebro-01"
    assert pseudo.text("se INTERVIEW-KAREN-HANSEN#4") == "se Kilde 2#4"
    assert pseudo.source("ring-12345678") == "Kilde 4"  # a number in the name is enough
    english = Pseudonymizer(["Karen"], lang="en", sources=["karen"])
    assert english.source("karen") == "Source 1" and english.text("KAREN") == "[Name 1]"


def test_the_same_placeholders_in_every_export_and_the_key():
    spec = {
        "coders": ["anne"],
        "sources": [
            {
                "name": "interview-karen-hansen",
                "extra": {"names": ["Karen Hansen"]},
                "participants": [{"label": "I", "role": "interviewer"}, {"label": "MORTEN"}],
                "passages": [("I", "Hej."), ("MORTEN", "Karen Hansen kom.")],
            },
            {
                "name": "a-voxpop",
                "participants": [{"label": "lise"}],
                "passages": [("lise", "Hej.")],
            },
        ],
    }
    project = build_project(spec)
    first = Pseudonymizer.from_project(project)
    again = Pseudonymizer.from_project(build_project(spec), "en")
    assert first.label("lise") == "[Navn 1]" and again.label("lise") == "[Name 1]"
    assert first.text("karen hansen og morten") == "[Navn 3] og [Navn 2]"
    assert again.text("karen hansen og morten") == "[Name 3] og [Name 2]"
    assert first.source("interview-karen-hansen") == "Kilde 1" and first.source("a-voxpop") == "a-voxpop"
    assert key_document(first) == (
        "pseudonym,original,type\n[Navn 1],lise,navn\n[Navn 2],MORTEN,navn\n[Navn 3],Karen Hansen,navn\n"
        "Kilde 1,interview-karen-hansen,kilde\n"
    )


def test_offsets_move_with_the_replacements():
    pseudo = Pseudonymizer(["Karen Hansen"])
    text = "Jeg er Karen Hansen, ring 12345678 nu."
    new, moves = pseudo.replace(text)
    assert new == "Jeg er [Navn 1], ring [Telefon] nu."
    assert new[shift(moves, 0) : shift(moves, 7)] == "Jeg er "
    assert new[shift(moves, 7) : shift(moves, 19, end=True)] == "[Navn 1]"
    assert new[shift(moves, 10) : shift(moves, 15, end=True)] == "[Navn 1]"  # inside a name: the whole placeholder
    assert new[shift(moves, 35) :] == "nu."


NAMES = st.from_regex(r"[bdfgklmnprstv][aeiouyæøå][bdfgklmnprstv][aeiouyæøå][nlrst]?", fullmatch=True)
CASES = st.sampled_from([str.upper, str.lower, str.capitalize])


@settings(max_examples=150)
@given(first=NAMES, last=NAMES, case=CASES, genitive=st.booleans(), alone=st.sampled_from(["first", "last", "full"]))
def test_every_form_of_a_known_name_is_replaced(first, last, case, genitive, alone):
    assume(first != last)
    assume(not any(is_ordinary_word(w) or is_ordinary_word(w + "s") for w in (first, last)))
    full = f"{first.capitalize()} {last.capitalize()}"
    pseudo = Pseudonymizer([full])
    written = case({"first": first, "last": last, "full": f"{first} {last}"}[alone]) + ("s" if genitive else "")
    out = pseudo.text(f"Det sagde {written} i går.")
    assert out == f"Det sagde [Navn 1]{written[-1] if genitive else ''} i går."


@settings(max_examples=150)
@given(day=st.integers(1, 31), month=st.integers(1, 12), year=st.integers(0, 99), serial=st.integers(0, 9999),
       sep=st.sampled_from(["-", " ", "", " - "]))  # fmt: skip
def test_a_cpr_number_is_replaced_exactly_when_its_date_is_real(day, month, year, serial, sep):
    import calendar

    cpr = f"{day:02d}{month:02d}{year:02d}{sep}{serial:04d}"
    real = day <= calendar.monthrange(2000, month)[1]
    out = Pseudonymizer().text(f"nr. {cpr} her")
    assert (out == "nr. [CPR] her") == real
    if not real:
        assert "[CPR]" not in out
