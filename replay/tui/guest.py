"""Trio as a guest on Textual's asyncio loop: started when the app mounts, stopped before it unmounts.

In guest mode trio runs on the host's thread, so the UI calls a scheduler's sync `*_nowait`
methods directly and trio code posts messages to the app; nothing crosses a thread. Stopping
cancels the scope around trio's main function and waits for trio's done callback, so no trio
task outlives the app and the terminal is restored by Textual as usual.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import outcome
import trio


class TrioGuest:
    """One guest run of `main` on the running asyncio loop, with an optional (fake) clock."""

    def __init__(
        self,
        main: Callable[[], Awaitable[None]],
        *,
        clock: trio.abc.Clock | None = None,
        on_exit: Callable[[BaseException | None], None] | None = None,
    ) -> None:
        self._main = main
        self._clock = clock
        self._on_exit = on_exit
        self._scope: trio.CancelScope | None = None
        self._stopping = False
        self._reported = False
        self._finished: asyncio.Future[outcome.Outcome[None]] | None = None

    @property
    def running(self) -> bool:
        """True from `start` until trio's run has finished."""
        return self._finished is not None and not self._finished.done()

    def start(self) -> None:
        """Start trio on the running asyncio loop; returns at once."""
        if self._finished is not None:
            raise RuntimeError("this guest run has already been started")
        loop = asyncio.get_running_loop()
        self._finished = loop.create_future()
        trio.lowlevel.start_guest_run(
            self._run,
            run_sync_soon_threadsafe=loop.call_soon_threadsafe,
            run_sync_soon_not_threadsafe=loop.call_soon,
            done_callback=self._done,
            host_uses_signal_set_wakeup_fd=True,
            clock=self._clock,
        )

    async def _run(self) -> None:
        with trio.CancelScope() as scope:
            self._scope = scope
            if self._stopping:  # stop() came before trio ran its first step
                scope.cancel()
            await self._main()

    def _done(self, result: outcome.Outcome[None]) -> None:
        assert self._finished is not None
        if not self._finished.done():
            self._finished.set_result(result)
        if not self._stopping and self._on_exit is not None:
            # trio ended on its own (a crash, or a KeyboardInterrupt delivered to it): tell the app.
            self._reported = True
            self._on_exit(_single(result.error) if isinstance(result, outcome.Error) else None)

    async def stop(self) -> None:
        """Cancel trio's main function and wait until the run has finished.

        Raises what trio's run raised, unless `on_exit` was already told of it.
        """
        if self._finished is None:
            return
        self._stopping = True
        if self._scope is not None:
            self._scope.cancel()
        result = await self._finished
        if not self._reported:
            result.unwrap()


def _single(error: BaseException) -> BaseException:
    """The one error inside nested groups of one (trio's nurseries group even a lone error)."""
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return error
