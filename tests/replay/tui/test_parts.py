"""The UI's pure parts: the speed ladder, the timeline's axis, the feed filter, the key list."""

from __future__ import annotations

from itertools import pairwise

import pytest
from textual.app import App

from replay.playhead import MAX
from replay.tui import keys
from replay.tui.driver import SPEEDS, faster, slower
from replay.tui.frame import Timeline
from replay.tui.widgets.header import format_speed
from replay.tui.widgets.timeline import bars


def test_the_ladder_goes_up_and_down_one_rung_at_a_time() -> None:
    """Each rung's neighbours are the next and previous rungs; the ends hold."""
    for lower, higher in pairwise(SPEEDS):
        assert faster(lower) == higher and slower(higher) == lower
    assert SPEEDS[0] == 0.1 and SPEEDS[-1] == 10_000
    assert faster(10_000) == 10_000 and slower(0.1) == 0.1


def test_speeds_off_the_ladder_and_max() -> None:
    """A speed between rungs goes to the neighbouring rung; max stays max going up, 10,000x going down."""
    assert faster(3) == 5 and slower(3) == 2
    assert faster(MAX) == MAX and slower(MAX) == 10_000


@pytest.mark.parametrize(
    ("speed", "shown"),
    [(0.1, "0.1x"), (0.5, "0.5x"), (1, "1x"), (60, "60x"), (10_000, "10,000x"), (MAX, "max")],
)
def test_speeds_are_written_as_people_read_them(speed: float, shown: str) -> None:
    """The header writes 0.1x, 1x, 10,000x and max."""
    assert format_speed(speed) == shown


def test_timeline_maps_times_to_fractions_and_back() -> None:
    """The axis runs from origin to end; times outside are held at the ends."""
    line = Timeline(origin_us=1000, end_us=2000)
    assert line.fraction(1500) == 0.5 and line.fraction(0) == 0 and line.fraction(5000) == 1
    assert line.time_at(0.25) == 1250 and line.time_at(2) == 2000


def test_timeline_density_is_resampled_to_the_width() -> None:
    """Each bucket counts once, where it starts: over four columns pairs add up; over sixteen, every
    other column holds one."""
    line = Timeline(origin_us=0, end_us=80, bucket_us=10, counts=(2, 0, 4, 4, 0, 0, 8, 0))
    assert line.density(4) == [2, 8, 0, 8]
    assert line.density(16)[:6] == [2, 0, 0, 0, 4, 0]
    assert sum(line.density(7)) == sum(line.counts)


def test_bars_scale_to_the_busiest_column() -> None:
    """Empty columns are the lowest bar; the others run from the quietest (▂) to the busiest (█)."""
    assert bars([0, 1, 2, 4]) == "▁▂▄█"
    assert bars([0, 0]) == "▁▁"
    assert bars([5, 5, 0]) == "██▁"
    assert bars([100, 110, 120]) == "▂▅█"  # a busy log still shows its shape


def test_every_key_has_a_palette_entry_and_a_help_line() -> None:
    """Every binding's action is offered by the palette (quit is Textual's own) and described in the help."""
    app: App[None] = App()
    titles = {command.title for command in keys.palette_commands(app)}
    described = {says for _, says in keys.grouped(keys.key_help(app))}
    for binding in keys.BINDINGS:
        assert keys.says(binding) in described
        assert binding.action == "quit" or keys.says(binding) in titles
