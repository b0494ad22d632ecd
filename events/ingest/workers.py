"""Work on the pieces of an input done in worker processes, the results taken back in order.

Each worker has pipes of its own: pieces go out on one and what came of them comes back on the
other, which only that worker writes. So a worker that dies is an end of file where its result
should be, an error here rather than a wait without end; and when this process goes, its workers
read an end of file too and end. Ctrl-C reaches the whole process group: workers start with it
blocked, so they never print a traceback for it, and this process, which gets it, stops them.
"""

from __future__ import annotations

import contextlib
import ctypes
import pickle
import queue
import signal
import threading
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from multiprocessing import get_context, resource_tracker
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

Piece = TypeVar("Piece")
Result = TypeVar("Result")

STOP_WAIT_S = 5.0
"""How long a worker has to end once its pipes are closed, before it is killed."""


class WorkerLost(Exception):
    """A worker process ended before it sent back what came of a piece."""


def in_order(
    work: Callable[[Piece], Result], pieces: Iterable[Piece], *, workers: int, ahead: int
) -> Generator[Result, None, None]:
    """`work` of each of `pieces`, done by `workers` processes, in the order of the pieces.

    Piece i goes to worker i mod `workers`, with up to `ahead` pieces each in flight. `work` must
    be a module-level function (workers are spawned, and import it). An exception it raises is
    raised here in its piece's turn; an exception from `pieces` after the results of the pieces
    before it; a worker that dies is a WorkerLost. Closing the iterator stops the workers.
    """
    crew: list[_Worker[Piece, Result]] = []
    pending: deque[_Worker[Piece, Result]] = deque()
    failed: list[Exception] = []
    try:
        crew.extend(_Worker(work) for _ in range(workers))  # those started are stopped, whatever fails
        for count, piece in enumerate(_until_failure(pieces, failed)):
            worker = crew[count % workers]
            worker.give(piece)
            pending.append(worker)
            if len(pending) >= workers * ahead:
                yield pending.popleft().take()
        while pending:
            yield pending.popleft().take()
        if failed:
            raise failed[0]
    finally:
        for worker in crew:
            worker.stop()


def _until_failure(pieces: Iterable[Piece], failed: list[Exception]) -> Iterator[Piece]:
    """`pieces` until one fails to come: its exception goes into `failed`, to be raised later."""
    try:
        yield from pieces
    except Exception as exc:
        failed.append(exc)


class _Worker(Generic[Piece, Result]):
    """One worker process, its pipes, and the pieces given to it and not yet taken back."""

    def __init__(self, work: Callable[[Piece], Result]) -> None:
        context = get_context("spawn")
        tasks, self._tasks = context.Pipe(duplex=False)
        self._results, results = context.Pipe(duplex=False)
        self._process = context.Process(target=_serve, args=(work, tasks, results), daemon=True)
        resource_tracker.ensure_running()  # it unblocks Ctrl-C when it starts: not in the block below
        with _interrupts_blocked():
            self._process.start()
        tasks.close()  # the worker's ends stay with the worker alone
        results.close()

    def give(self, piece: Piece) -> None:
        """Send the worker a piece to work on after those it has."""
        try:
            self._tasks.send(piece)
        except OSError:
            raise self._lost() from None

    def take(self) -> Result:
        """What came of the oldest piece given and not taken."""
        try:
            done, value = self._results.recv()
        except (EOFError, OSError):
            raise self._lost() from None
        if not done:
            raise value
        result: Result = value
        return result

    def stop(self) -> None:
        """End the worker: it reads the end of its pieces, or fails to send, and returns."""
        self._tasks.close()
        self._results.close()
        self._process.join(STOP_WAIT_S)
        if self._process.exitcode is None:
            self._process.kill()
            self._process.join()

    def _lost(self) -> WorkerLost:
        self._process.join(STOP_WAIT_S)
        code = self._process.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return WorkerLost(f"a worker process ended unexpectedly ({how})")


@contextlib.contextmanager
def _interrupts_blocked() -> Iterator[None]:
    """Ctrl-C held back from this thread while a worker starts: the worker inherits the mask and
    never sees it, and this process gets it as soon as the mask is restored."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


_END = object()


def _serve(work: Callable[[Any], Any], tasks: Connection, results: Connection) -> None:
    """A worker's life: `work` on each piece it is sent, in turn, and what came of it sent back.

    A thread takes the pieces off their pipe as they come, so that the parent, sending, never
    waits on a worker that is itself waiting to send a result.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _keep_freed_memory()
    inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
    threading.Thread(target=_receive, args=(tasks, inbox), daemon=True).start()
    while (piece := inbox.get()) is not _END:
        if isinstance(piece, _Unreceived):
            outcome: tuple[bool, Any] = (
                False,
                WorkerLost(f"a worker process could not take a piece: {piece}"),
            )
        else:
            try:
                outcome = (True, work(piece))
            except Exception as exc:
                outcome = (False, _carried(exc))
        try:
            results.send(outcome)
        except OSError:  # the parent has gone, or stopped listening
            return
        except Exception as exc:  # a result that cannot be pickled
            results.send((False, RuntimeError(_told(exc))))
        if isinstance(piece, _Unreceived):
            return


def _carried(exc: Exception) -> Exception:
    """`exc` with a note of where it was raised in the worker, whose traceback does not travel;
    or, if it would not arrive as it is (it cannot be pickled, or unpickled), its words."""
    exc.add_note(f"raised in a worker process:\n{_told(exc)}")
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(_told(exc))
    return exc


def _told(exc: Exception) -> str:
    return "".join(traceback.format_exception(exc))


_M_TRIM_THRESHOLD = -1  # glibc's <malloc.h>
_M_MMAP_THRESHOLD = -3


def _keep_freed_memory() -> None:
    """Have glibc's allocator keep the megabytes a piece frees for the next piece.

    A piece allocates a few megabytes (its bytes, text, lines, results, their pickle) and frees
    them. By default glibc gives such memory back to the system and faults it in again for the
    next piece: 0.7 µs a line of system time when checking an export. Another C library: nothing.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_TRIM_THRESHOLD, 256 * 1024 * 1024)
    mallopt(_M_MMAP_THRESHOLD, 32 * 1024 * 1024)


class _Unreceived(str):
    """What went wrong taking a piece off the pipe (memory ran out, say): the worker's last."""


def _receive(tasks: Connection, inbox: queue.SimpleQueue[Any]) -> None:
    """Put each piece that comes into `inbox`, then _END; a failure to take one ends the pieces."""
    try:
        while True:
            inbox.put(tasks.recv())
    except (EOFError, OSError):
        inbox.put(_END)
    except BaseException as exc:
        inbox.put(_Unreceived(repr(exc)))
