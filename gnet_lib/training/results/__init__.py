"""Result files and their safety: the versioned result schema and identity, atomic storage and
checkpoints, provenance, the readable run notes, per-image predictions as strings. Imports the
settings only."""
