"""The search screen (Søgning): fuzzy search over every passage."""
