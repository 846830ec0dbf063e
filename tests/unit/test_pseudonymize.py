"""Pseudonymisation: names from labels and metadata, CPR, phone numbers, e-mails."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_frequencies import build_project
from trivselkode.export.pseudonymize import Pseudonymizer, is_name


def test_labels_that_are_names_and_labels_that_are_codes():
    names = ["Bo", "Anne", "Anne Marie", "Jens-Ole", "Ib", "Karen Blixen"]
    codes = [
        "P1",
        "I",
        "INT",
        "Interviewer",
        "Intervieweren",
        "R3",
        "IP",
        "SPEAKER_00",
        "Kvinde 1",
        "D-2",
        "deltager",
        "",
    ]
    assert all(is_name(n) for n in names)
    assert not any(is_name(c) for c in codes)


def test_stable_placeholders_for_names_and_their_parts():
    pseudo = Pseudonymizer(["Anne Hansen", "Bo", "Karen"])
    assert pseudo.text("Anne Hansen og Bo mødte Karen. Annes bog. Hansen kom.") == (
        "[Navn 1] og [Navn 2] mødte [Navn 3]. [Navn 1]s bog. [Navn 1] kom."
    )
    # Whole words only, case-sensitive: "Annette" and the verb "bo" stay.
    assert pseudo.text("Annette vil bo her.") == "Annette vil bo her."
    assert pseudo.label("Bo") == "[Navn 2]"
    assert pseudo.label("P1") == "P1"
    assert pseudo.label("Ole") == "[Navn 4]"  # a name-like label not met before gets the next number
    assert pseudo.label("Ole") == "[Navn 4]"


def test_cpr_phone_and_email():
    pseudo = Pseudonymizer()
    text = (
        "CPR 010190-1234 eller 3112991234; ring 12 34 56 78, 1234 5678, 12345678 eller +45 87654321, "
        "skriv til anne.hansen@bib.dk."
    )
    assert pseudo.text(text) == (
        "CPR [CPR] eller [CPR]; ring [Telefon], [Telefon], [Telefon] eller [Telefon], skriv til [E-mail]."
    )
    # Not a CPR number (month 13) nor a phone number (seven or nine digits); years stay.
    assert pseudo.text("011390-1234 1234567 123456789 i 2024") == "011390-1234 1234567 123456789 i 2024"
    english = Pseudonymizer(["Anne"], lang="en")
    assert english.text("Anne: 12345678, a@b.dk, 010190-1234") == "[Name 1]: [Phone], [Email], [CPR]"


def test_from_project_reads_labels_and_metadata_names():
    project = build_project(
        {
            "coders": ["anne"],
            "sources": [
                {
                    "name": "b-interview",
                    "extra": {"names": ["Mette Sørensen", "Lars"]},
                    "participants": [{"label": "I", "role": "interviewer"}, {"label": "Karen"}],
                    "passages": [("I", "Hej Karen."), ("Karen", "Mette Sørensen og Lars kom også.")],
                },
                {
                    "name": "a-voxpop",
                    "participants": [{"label": "P1"}, {"label": "Bo"}],
                    "passages": [("P1", "Jeg så Bo."), ("Bo", "Hej.")],
                },
            ],
        }
    )
    pseudo = Pseudonymizer.from_project(project)
    # Sources in name order: a-voxpop's Bo first, then b-interview's Karen, Mette Sørensen, Lars.
    assert pseudo.label("Bo") == "[Navn 1]"
    assert pseudo.text("Hej Karen, Mette og Lars. Sørensen.") == "Hej [Navn 2], [Navn 3] og [Navn 4]. [Navn 3]."
    assert Pseudonymizer.from_project(project).text("Karen") == "[Navn 2]"  # stable between runs


digits = st.integers(0, 9).map(str)


@settings(max_examples=80, deadline=None)
@given(
    date=st.dates(),  # a CPR number begins with a real date (ten digits that are none stay: test_pseudonymize_forms)
    serial=st.integers(0, 9999),
    dash=st.booleans(),
    phone=st.lists(digits, min_size=8, max_size=8),
    spaced=st.booleans(),
    prefix=st.sampled_from(["", "+45 ", "+45", "0045 "]),
    user=st.from_regex(r"[a-z][a-z0-9.]{0,10}[a-z]", fullmatch=True),
    filler=st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå ,.", max_size=20),
)
def test_every_number_and_address_is_replaced(date, serial, dash, phone, spaced, prefix, user, filler):
    cpr = f"{date:%d%m%y}{'-' if dash else ''}{serial:04d}"
    number = " ".join("".join(phone[i : i + 2]) for i in range(0, 8, 2)) if spaced else "".join(phone)
    email = f"{user}@bibliotek.dk"
    text = f"{filler} {cpr} {filler} {prefix}{number} {filler} {email} {filler}"
    out = Pseudonymizer().text(text)
    assert cpr not in out and number not in out and email not in out
    assert out.count("[CPR]") == 1 and out.count("[Telefon]") == 1 and out.count("[E-mail]") == 1
    assert Pseudonymizer().text(filler) == filler
