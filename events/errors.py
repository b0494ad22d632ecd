"""The errors of the events package: bad input and unusable logs, each naming what caused it."""

from __future__ import annotations


class EventsError(Exception):
    """Base of every error this package raises on purpose; its message is fit for a user."""


class InputError(EventsError):
    """A source could not be read: names the file, the line when known, and what was wrong."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, int | None]]:
        # Raised in a worker process, it is pickled back to the one that reports it.
        return (InputError, (self.path, self.message, self.line))


class LogError(EventsError):
    """A log file cannot be used: not a log, a newer schema, locked, or damaged."""
