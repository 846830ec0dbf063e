"""The export screen (Eksport): reports, quotes and files from one form."""
