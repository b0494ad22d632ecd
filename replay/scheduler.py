"""The trio driver of a replay: sleeps until the next deadline, hands out updates, takes commands.

`Scheduler.run()` loops: ask the transport when the next update is due, `trio.sleep_until` that
absolute deadline (so lateness never adds up into drift), take everything due then as one update
and send it on a bounded memory channel, whose receiver is the consumer (`scheduler.updates`).
A slow consumer slows delivery: the send waits (nothing is dropped; memory holds at most `buffer`
updates of at most `max_batch` rows). With `frame` set (a TUI), batches are at least that many
seconds apart at high speed. There is one trio checkpoint per update, none per row.

Commands are synchronous `*_nowait` methods, safe to call from anything running in trio's thread
(a Textual handler with trio in guest mode included). They take effect at once: the pending sleep
is cancelled and the deadline recomputed; a command that moves the replay (seek, previous, step
back) also cancels a send in progress, whose rows the `Reset` that follows makes stale. After
`pause_nowait()` no new update is sent until play; one already being handed over completes.
Time is trio's clock (`trio.current_time()`), so a test's `MockClock` drives it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType

import trio
from attrs import frozen

from events.checkpoints import Checkpoints
from events.model import to_micros
from events.projection import Settings
from events.store import Log
from replay import playhead as ph
from replay.playhead import MAX, Range
from replay.track import Track
from replay.transport import Batch, Ended, Reset, Transport, Update


@frozen(kw_only=True)
class Statistics:
    """A snapshot of the scheduler: where it is, how it moves, and what it has delivered."""

    position: int
    """Entries of the log at or before the last one delivered (the n of "event n of N")."""
    total: int
    """Entries in the log (the N)."""
    playhead_us: int
    """The playback time shown now, µs since the epoch."""
    speed: float
    """The speed factor; `playhead.MAX` (inf) for as fast as the consumer takes them."""
    paused: bool
    ended: bool
    delivered: int
    """Rows handed to the consumer since the scheduler started (across seeks and loops)."""
    last_lateness: float
    """How late, in seconds, the last batch left after its first row was due."""


class Updates(trio.abc.ReceiveChannel[Update]):
    """The consumer's end of the scheduler's channel; counts the rows it has received."""

    def __init__(self, channel: trio.MemoryReceiveChannel[Update]) -> None:
        self._channel = channel
        self.rows_received = 0

    async def receive(self) -> Update:
        """The next update, waiting for it."""
        return self._counted(await self._channel.receive())

    def receive_nowait(self) -> Update:
        """The next update if one is waiting, else trio.WouldBlock."""
        return self._counted(self._channel.receive_nowait())

    async def aclose(self) -> None:
        """Stop receiving: the scheduler's loop then ends."""
        await self._channel.aclose()

    def _counted(self, update: Update) -> Update:
        if isinstance(update, Batch):
            self.rows_received += len(update.rows)
        return update


def _speed(speed: float | None) -> float:
    return MAX if speed is None else ph.check_speed(speed)


class Scheduler:
    """Plays a log in time order to `updates`; commanded through `*_nowait` methods."""

    def __init__(self, transport: Transport, *, buffer: int = 0, log: Log | None = None) -> None:
        self._transport = transport
        self._log = log
        self._send, receive = trio.open_memory_channel[Update](buffer)
        self.updates = Updates(receive)
        """The receiving end: Reset, Batch and Ended updates, in order."""
        self._wake: trio.CancelScope | None = None
        self._sending: trio.CancelScope | None = None

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        speed: float | None = 1.0,
        since: datetime | None = None,
        until: datetime | None = None,
        max_gap: float | None = None,
        paused: bool = False,
        loop: bool = False,
        keep_state: bool = True,
        settings: Settings | None = None,
        frame: float | None = None,
        max_batch: int = 1024,
        buffer: int = 0,
    ) -> Scheduler:
        """A scheduler over the log at `path`, standing at the start of [since, until).

        With `keep_state`, every Reset carries the projection at its position (checkpoints are
        built beside the log on first use; a 1M-entry log takes some seconds); without it,
        Resets carry None. Call from within trio: the clock starts at `trio.current_time()`.
        """
        span = Range(
            since_us=None if since is None else to_micros(since),
            until_us=None if until is None else to_micros(until),
        )
        log = Log.open(path, readonly=True)
        try:
            checkpoints = Checkpoints.open(log, settings=settings) if keep_state else None
            transport = Transport(
                Track(log, span),
                trio.current_time(),
                checkpoints=checkpoints,
                speed=_speed(speed),
                paused=paused,
                max_gap=max_gap,
                loop=loop,
                max_batch=max_batch,
                frame=frame,
            )
        except BaseException:
            log.close()
            raise
        return cls(transport, buffer=buffer, log=log)

    def close(self) -> None:
        """Close the log and checkpoints this scheduler opened."""
        if self._transport.checkpoints is not None:
            self._transport.checkpoints.close()
        if self._log is not None:
            self._log.close()

    def __enter__(self) -> Scheduler:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- the loop ----------------------------------------------------------------------------------

    async def run(self) -> None:
        """Deliver updates until cancelled, or until the consumer closes `updates`."""
        transport = self._transport
        try:
            # Closed without a checkpoint: `async with` would give the consumer, woken by the
            # close, a chance to cancel this task and so turn an error leaving here into Cancelled.
            with self._send:
                while True:
                    now = trio.current_time()
                    deadline = transport.next_deadline(now)
                    if deadline > now:
                        with trio.CancelScope() as self._wake:
                            await trio.sleep_until(deadline)
                        self._wake = None
                        continue
                    update = transport.take(now)
                    if update is None:
                        await trio.lowlevel.checkpoint()
                        continue
                    await self._hand_over(update)
        except trio.BrokenResourceError:
            return  # the consumer went away

    async def _hand_over(self, update: Update) -> None:
        """Send `update`, unless a seek makes it stale before the consumer takes it."""
        try:
            self._send.send_nowait(update)  # the consumer is waiting: no need to yield
            return
        except trio.WouldBlock:
            pass
        with trio.CancelScope() as sending:
            self._sending = sending
            await self._send.send(update)
        self._sending = None

    def _wake_up(self) -> None:
        if self._wake is not None:
            self._wake.cancel()
        if self._sending is not None and self._transport.reset_pending:
            self._sending.cancel()

    # -- commands ----------------------------------------------------------------------------------

    def play_nowait(self) -> None:
        """Play from where the playhead stands (from the start again when at the end)."""
        self._transport.play(trio.current_time())
        self._wake_up()

    def pause_nowait(self) -> None:
        """Pause: no new update is sent until play."""
        self._transport.pause(trio.current_time())
        self._wake_up()

    def toggle_nowait(self) -> None:
        """Pause if playing, play if paused."""
        self._transport.toggle(trio.current_time())
        self._wake_up()

    def set_speed_nowait(self, speed: float | None) -> None:
        """Play at `speed` (0.1..10,000; None or `playhead.MAX` for as fast as possible)."""
        self._transport.set_speed(_speed(speed), trio.current_time())
        self._wake_up()

    def set_max_gap_nowait(self, seconds: float | None) -> None:
        """Shorten silences longer than `seconds` of wall time (None: keep them whole)."""
        self._transport.set_max_gap(seconds)
        self._wake_up()

    def seek_nowait(self, moment: datetime) -> None:
        """Move to `moment` on the log's timeline; a Reset with the state there follows."""
        self._transport.seek(to_micros(moment), trio.current_time())
        self._wake_up()

    def seek_by_nowait(self, delta: timedelta) -> None:
        """Move by `delta` (e.g. ±1 minute, hour or day) from the time shown now."""
        self._transport.seek_by(delta // timedelta(microseconds=1), trio.current_time())
        self._wake_up()

    def seek_start_nowait(self) -> None:
        """Move to the start of the range."""
        self._transport.seek_start(trio.current_time())
        self._wake_up()

    def seek_end_nowait(self) -> None:
        """Move to the end of the range."""
        self._transport.seek_end(trio.current_time())
        self._wake_up()

    def next_event_nowait(self) -> None:
        """Jump to the next post and deliver it, keeping the play/pause state."""
        self._transport.next_event(trio.current_time())
        self._wake_up()

    def previous_event_nowait(self) -> None:
        """Go back one post (undo the last delivered), keeping the play/pause state."""
        self._transport.previous_event(trio.current_time())
        self._wake_up()

    def step_forward_nowait(self) -> None:
        """Pause and deliver exactly the next post."""
        self._transport.step_forward(trio.current_time())
        self._wake_up()

    def step_back_nowait(self) -> None:
        """Pause and undo the last post delivered."""
        self._transport.step_back(trio.current_time())
        self._wake_up()

    # -- reading -----------------------------------------------------------------------------------

    def statistics(self) -> Statistics:
        """Where the replay is now; cheap enough to call at a screen's frame rate."""
        transport = self._transport
        playhead = transport.playhead
        return Statistics(
            position=transport.position,
            total=transport.total,
            playhead_us=ph.time_at(playhead, trio.current_time()),
            speed=playhead.speed,
            paused=playhead.paused,
            ended=transport.ended,
            delivered=self.updates.rows_received,
            last_lateness=transport.last_lateness,
        )


__all__ = ["MAX", "Batch", "Ended", "Reset", "Scheduler", "Statistics", "Update"]
