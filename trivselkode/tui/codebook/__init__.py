"""The codebook screen (Kodebog) and its dialogs."""
