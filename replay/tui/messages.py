"""Every message the replay UI sends: from trio to the app, and from widgets to the app."""

from __future__ import annotations

from textual.message import Message


class StateChanged(Message):
    """The replay moved or changed (posts delivered, a reset, a command took effect).

    The driver posts at most one of these until the app has read the new state, so a replay at
    10,000x cannot flood the message queue; the app repaints at a bounded rate.
    """


class TrioExited(Message):
    """Trio's run ended while the app was still running: a crash (`error`) or an interrupt."""

    def __init__(self, error: BaseException | None) -> None:
        super().__init__()
        self.error = error


class SeekTo(Message):
    """Move the playhead to `virtual_us` (a click on the timeline, a time typed in the box)."""

    def __init__(self, virtual_us: int) -> None:
        super().__init__()
        self.virtual_us = virtual_us


class FilterChanged(Message):
    """The feed's filter is now `query` (empty: show everything)."""

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query = query
