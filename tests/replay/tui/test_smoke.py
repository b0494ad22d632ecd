"""The real `replay` command in a real terminal (tmux): it opens the demo, obeys keys and quits cleanly."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


class Terminal:
    """A tmux server of our own with one 120x36 window running a command."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        done = subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True, check=True)
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "replay")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "replay", *keys)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear; the screen shows:\n{self.screen()}")


def _replay_in_tmux(tmp_path: Path, then: str) -> Terminal:
    """`replay` with no arguments in tmux, its cache (and so the demo log) in a temporary folder."""
    term = Terminal(f"replay-test-{os.getpid()}")
    replay = Path(sys.executable).parent / "replay"
    environment = f"XDG_CACHE_HOME={shlex.quote(str(tmp_path))} REPLAY_BIDI=on"
    term.tmux("new-session", "-d", "-s", "replay", "-x", "120", "-y", "36", f"{environment} {replay}{then}")
    return term


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """The player in tmux, followed by its exit code on the screen once it has quit."""
    term = _replay_in_tmux(tmp_path, "; echo EXIT=$?; sleep 30")
    try:
        yield term
    finally:
        term.tmux("kill-server")


def test_replay_opens_the_demo_obeys_keys_and_quits(terminal: Terminal) -> None:
    """Space pauses, end goes to the last post, ? shows the help, q quits with 0 and leaves a clean screen."""
    terminal.wait_for("Aleppo, December 2016")
    terminal.wait_for("@AlabedBana")
    terminal.keys("space")
    terminal.wait_for("paused")
    terminal.keys("End")
    screen = terminal.wait_for("event 9 of 9")
    assert "@janinedigi" in screen and "Most active" in screen
    terminal.keys("?")
    terminal.wait_for("Toolong")  # the whole help fits
    terminal.keys("Escape")
    time.sleep(0.5)  # an escape followed at once by q would read as alt+q
    terminal.wait_for("Most active")
    terminal.keys("q")
    screen = terminal.wait_for("EXIT=0")
    assert "Aleppo, December 2016" not in screen  # the alternate screen is gone: the terminal is restored


def test_closing_the_terminal_ends_the_player(tmp_path: Path) -> None:
    """When its terminal goes away (SIGHUP), the player quits instead of running on unseen."""
    term = _replay_in_tmux(tmp_path, "")
    try:
        term.wait_for("@AlabedBana")
        pid = int(term.tmux("display", "-p", "-t", "replay", "#{pane_pid}"))
    finally:
        term.tmux("kill-server")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError(f"the player (pid {pid}) is still running after its terminal closed")
