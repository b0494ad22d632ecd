"""The installed `replay` command: Ctrl-C while the command line loads ends quietly."""

from __future__ import annotations

import sys
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType

import pytest

from replay import launch


class _InterruptedImport(MetaPathFinder):
    """Raises KeyboardInterrupt when replay.cli is imported, as a Ctrl-C while it loads would."""

    def find_spec(
        self, fullname: str, path: object = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname == "replay.cli":
            raise KeyboardInterrupt
        return None


def test_ctrl_c_while_loading_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Ctrl-C during the import of the command line: one line and exit code 130, no traceback."""
    monkeypatch.delitem(sys.modules, "replay.cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_InterruptedImport(), *sys.meta_path])
    assert launch.main() == 130
    assert capsys.readouterr().err == "replay: interrupted; nothing was changed\n"


def test_runs_the_command_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Loaded, it runs the command line with the process's arguments and returns its exit code."""
    monkeypatch.setattr(sys, "argv", ["replay", "log", "info", "/nonexistent/x.log"])
    assert launch.main() == 2
    assert "no such log" in capsys.readouterr().err
