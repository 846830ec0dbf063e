"""trivselkode: keyboard-first qualitative interview coding in the terminal.

Nothing heavy is imported here: the CLI must start fast.
"""

__version__ = "0.1.0"
