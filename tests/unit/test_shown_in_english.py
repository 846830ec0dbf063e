"""What lists show of stored Danish values and names when the interface speaks English."""

from __future__ import annotations

from trivselkode.analysis.attributes import shown_value
from trivselkode.analysis.frequencies import theme_frequencies
from trivselkode.i18n import set_language


def test_a_context_is_shown_as_stored_in_danish_and_by_its_english_name_in_english() -> None:
    assert shown_value("context", "arrangement") == "arrangement"
    assert shown_value("context", "bibliotek", "en") == "Library visit"
    assert shown_value("context", "arrangement", "en") == "Event"
    assert shown_value("context", "noget eget", "en") == "Noget eget"  # a value of the user's own
    assert shown_value("context", None, "en") == ""


def test_the_overview_names_the_themes_in_the_interface_language(demo) -> None:  # noqa: ANN001
    danish = [t.name for t in theme_frequencies(demo).themes]
    set_language("en")
    english = [t.name for t in theme_frequencies(demo).themes]
    assert danish[0] == "Biblioteket som et psykologisk tryghedssystem"
    assert english[0] == "The library as a psychological safety system"
    assert len(english) == len(danish) == 7 and english[6] == "Low pressure, high value"
