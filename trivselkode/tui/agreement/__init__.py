"""The agreement screen (Enighed): coefficients, disagreements and settling them, and its dialogs."""
