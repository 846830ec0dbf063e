"""Udtræk (`R`/F6): every passage or span coded with a code, or a combination, across all sources."""
