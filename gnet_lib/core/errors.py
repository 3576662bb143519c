"""The errors a user can fix: each message says what was wrong and how to fix it."""

from __future__ import annotations


class UsageError(ValueError):
    """Bad arguments or input: an unknown name, an impossible size, settings that conflict
    with stored results. The command line reports it without a traceback (exit code 2)."""


class InputTooSmallError(UsageError):
    """An input size for which some layer's output would be empty; ``layer`` names that layer."""

    def __init__(self, message: str, layer: str):
        super().__init__(message)
        self.layer = layer
