"""The one exception type the core raises for anything a user can mend.

The CLI prints it as one line and exits non-zero; the TUI shows it as a
notification. Its message says what is wrong and, where possible, how to mend it.
"""

from __future__ import annotations


class TrivselError(Exception):
    """A problem the user can mend: bad input, a clash, a refused database."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} – {self.hint}"
        return self.message


class NotFound(TrivselError):
    """A named source, participant, code, passage or coder does not exist."""


class Refused(TrivselError):
    """The database or a file cannot be used as it is."""

    exit_code = 2
