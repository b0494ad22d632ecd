"""Small hand-made logs for the replay tests, and the playback times they should have."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from events.codec import Row
from events.model import Event, Kind, Precision, to_micros
from events.store import Log
from tests.conftest import DAY, make_event

MIXED_START_US = to_micros(DAY)
_SPAN_US = {precision: precision.span // timedelta(microseconds=1) for precision in Precision}


def mixed_events() -> list[Event]:
    """Day-precision posts sharing midnight, posts sharing a second and a minute, an edit, a
    repost and a delete, a long silence, and a post at the same midnight as day posts but known
    to the second."""
    d1, d2, d3 = DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)

    def post(text: str, at: object, precision: Precision = Precision.SECOND, **fields: object) -> Event:
        return make_event(text, at=at, precision=precision, handle=f"h{len(text) % 3}", **fields)  # type: ignore[arg-type]

    return [
        post("first of the day #Aleppo", d1, Precision.DAY, post_id="p1", hashtags=("Aleppo",)),
        post("second of the day #aleppo", d1, Precision.DAY, post_id="p2", hashtags=("aleppo",)),
        post("third", d1, Precision.DAY, post_id="p3"),
        post("known to the second at midnight", d1, Precision.SECOND, post_id="p4"),
        post("same second A #SaveAleppo", d1 + timedelta(hours=10), post_id="p5", hashtags=("SaveAleppo",)),
        post("same second B", d1 + timedelta(hours=10), post_id="p6"),
        post("alone", d1 + timedelta(hours=10, seconds=5), post_id="p7"),
        post("first, edited", d1 + timedelta(hours=12), kind=Kind.EDITED, post_id="p1"),
        post("repost of 2", d1 + timedelta(hours=13), kind=Kind.REPOSTED, post_id="r1", repost_of="p2"),
        post("", d1 + timedelta(hours=14), kind=Kind.DELETED, post_id="p3"),
        post("day two a", d2, Precision.DAY, post_id="q1"),
        post("day two b", d2, Precision.DAY, post_id="q2"),
        post("day two c", d2, Precision.DAY, post_id="q3"),
        post("a minute later", d2 + timedelta(minutes=1), post_id="q4"),
        post("minute one", d3 + timedelta(hours=9, minutes=30), Precision.MINUTE, post_id="m1"),
        post("minute two", d3 + timedelta(hours=9, minutes=30), Precision.MINUTE, post_id="m2"),
        post("an hour", d3 + timedelta(hours=11), Precision.HOUR, post_id="o1"),
        post("after a week of silence", d3 + timedelta(days=7, seconds=1), post_id="z1"),
    ]


def reference_times(rows: list[Row]) -> list[int]:
    """Playback times worked out from the whole list: the k-th of n rows at one instant plays at
    t + k * width // n, width the coarsest span there cut at the next instant."""
    instants = sorted({row[3] for row in rows})
    following = dict(zip(instants, [*instants[1:], None], strict=True))
    times = []
    for row in rows:
        group = [other for other in rows if other[3] == row[3]]
        if len(group) == 1:
            times.append(row[3])
            continue
        span = max(_SPAN_US[Precision(other[4])] for other in group)
        after = following[row[3]]
        width = max(1, span if after is None else min(span, after - row[3]))
        times.append(row[3] + group.index(row) * width // len(group))
    return times


def build(path: Path, events: list[Event]) -> Path:
    """A log at `path` holding `events`, in that order."""
    with Log.open(path, create=True) as log:
        log.append(events)
    return path
