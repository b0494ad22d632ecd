"""Worker processes: results in order, failures in their turn, no hang and no orphan when one dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from events.ingest.workers import WorkerLost, in_order


def square(number: int) -> int:
    """A piece of work: the square, slowly enough that pieces overlap."""
    time.sleep(0.001)
    return number * number


def fail_on_three(number: int) -> int:
    """Fails for the piece 3."""
    if number == 3:
        raise ValueError("three is not allowed")
    return number


def die_on_three(number: int) -> int:
    """Kills its own process at the piece 3, as the OOM killer would."""
    if number == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return number


def interrupts(_: int) -> tuple[bool, bool]:
    """Whether Ctrl-C is blocked in the worker, and whether it is ignored."""
    blocked = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    return blocked, signal.getsignal(signal.SIGINT) == signal.SIG_IGN


class Unreadable:
    """A piece that pickles, but that the worker cannot unpickle (as when its memory runs out)."""

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return (_refuse, ())


def _refuse() -> None:
    raise MemoryError


class NeedsTwo(Exception):
    """An exception that pickles but does not unpickle: its __init__ takes two arguments."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} {second}")


def raise_needs_two(_: int) -> int:
    """Raises an exception that cannot travel as it is."""
    raise NeedsTwo("no", "way")


def pid(_: int) -> int:
    """The worker's process id."""
    return os.getpid()


@pytest.mark.parametrize(("workers", "ahead"), [(1, 1), (2, 1), (3, 2)])
def test_results_come_in_the_order_of_the_pieces(workers: int, ahead: int) -> None:
    """Whatever the number of workers and pieces in flight, results come in piece order."""
    assert list(in_order(square, range(20), workers=workers, ahead=ahead)) == [n * n for n in range(20)]


def test_an_exception_comes_in_its_turn() -> None:
    """The results before the failing piece come first; then its exception, with where it was raised."""
    results: list[int] = []
    with pytest.raises(ValueError, match="three is not allowed") as raised:
        results.extend(in_order(fail_on_three, range(6), workers=2, ahead=2))
    assert results == [0, 1, 2]
    assert "raised in a worker process" in "".join(raised.value.__notes__)


def test_an_exception_from_the_pieces_comes_after_the_pieces_before_it() -> None:
    """A piece that cannot be cut (a line too long) is told after the results of those before it."""

    def pieces() -> Iterator[int]:
        yield from range(4)
        raise LookupError("the fifth piece")

    results: list[int] = []
    with pytest.raises(LookupError, match="fifth"):
        results.extend(in_order(square, pieces(), workers=2, ahead=1))
    assert results == [0, 1, 4, 9]


def test_a_killed_worker_is_an_error_not_a_hang() -> None:
    """A worker that dies mid-work ends the iteration with WorkerLost naming how it ended."""
    results: list[int] = []
    with pytest.raises(WorkerLost, match=r"killed by signal 9"):
        results.extend(in_order(die_on_three, range(8), workers=2, ahead=1))
    assert results == [0, 1, 2]


def test_workers_never_see_ctrl_c() -> None:
    """Ctrl-C is blocked from a worker's first instruction, and ignored once it runs."""
    assert set(in_order(interrupts, range(2), workers=2, ahead=1)) == {(True, True)}


def test_a_piece_the_worker_cannot_take_is_an_error_not_a_hang() -> None:
    """A piece that fails to arrive (memory runs out unpickling it) ends the iteration with WorkerLost."""
    code = (
        "from events.ingest.workers import WorkerLost, in_order\n"
        "from tests.events.ingest.test_workers import Unreadable, pid\n"
        "if __name__ == '__main__':\n"
        "    try:\n"
        "        list(in_order(pid, [1, Unreadable(), 3], workers=1, ahead=1))\n"
        "    except WorkerLost as exc:\n"
        "        print(exc)\n"
    )
    assert "could not take a piece: MemoryError()" in _run(code)


def test_an_exception_that_cannot_travel_arrives_as_its_words() -> None:
    """An exception the parent could not unpickle comes back as a RuntimeError that tells it."""
    with pytest.raises(RuntimeError, match="NeedsTwo: no way"):
        list(in_order(raise_needs_two, range(2), workers=1, ahead=1))


def test_the_first_worker_of_a_process_never_sees_ctrl_c() -> None:
    """Ctrl-C is blocked in a process's very first worker too (whose start also starts
    multiprocessing's resource tracker, which unblocks it in the starting thread)."""
    code = (
        "from events.ingest.workers import in_order\n"
        "from tests.events.ingest.test_workers import interrupts\n"
        "if __name__ == '__main__':\n"
        "    print(list(in_order(interrupts, range(2), workers=2, ahead=1)))\n"
    )
    assert _run(code).strip() == "[(True, True), (True, True)]"


def _run(code: str) -> str:
    """What `code` prints, run as the main module of a fresh Python that can import the tests."""
    root = str(Path(__file__).parents[3])
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {root!r})\n{code}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_closing_early_stops_the_workers() -> None:
    """An iteration abandoned halfway leaves no worker process behind."""
    results = in_order(pid, range(10), workers=2, ahead=2)
    pids = {next(results), next(results)}
    results.close()
    for worker in pids:
        assert not _alive(worker)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    """A parent killed outright (kill -9) does not leave its workers running."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {str(Path(__file__).parents[3])!r})\n"
        "from events.ingest.workers import in_order\n"
        "from tests.events.ingest.test_workers import pid\n"
        "if __name__ == '__main__':\n"
        "    results = in_order(pid, range(100), workers=2, ahead=1)\n"
        "    print(next(results), next(results), flush=True)\n"
        "    time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    workers = [int(word) for word in parent.stdout.readline().split()]
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(worker) for worker in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(worker) for worker in workers)


def _alive(process: int) -> bool:
    """Whether `process` runs (a zombie waiting for its parent to reap it does not)."""
    if sys.platform != "linux":
        try:
            os.kill(process, 0)
        except ProcessLookupError:
            return False
        return True
    try:
        state = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
