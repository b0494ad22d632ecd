"""Fixtures shared by every layer of the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def shared() -> Path:
    """The project's shared folder (../shared); tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


@pytest.fixture
def samples(shared: Path) -> Path:
    """The real export samples in ../shared/samples."""
    path = shared / "samples"
    if not path.is_dir():
        pytest.skip("../shared/samples is absent")
    return path
