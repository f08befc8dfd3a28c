"""Question packs: the schema, the loader and the shipped machine-learning bank."""
