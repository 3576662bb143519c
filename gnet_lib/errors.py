"""The errors a user can fix: each message says what was wrong and how to fix it."""

from __future__ import annotations


class UsageError(ValueError):
    """Bad arguments or input: an unknown name, an impossible size, settings that conflict
    with stored results. The command line reports it without a traceback (exit code 2)."""
