"""Times as people type them: ISO dates and datetimes, and relative offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replay.timespec import TimeSpecError, parse_moment, parse_offset, parse_target

NOW = datetime(2016, 12, 12, 14, 30, tzinfo=UTC)


class TestMoment:
    """Absolute times."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2016-12-12", datetime(2016, 12, 12, tzinfo=UTC)),
            ("2016-12-12T14:30", datetime(2016, 12, 12, 14, 30, tzinfo=UTC)),
            ("2016-12-12 14:30:05", datetime(2016, 12, 12, 14, 30, 5, tzinfo=UTC)),
            ("2016-12-12T14:30Z", datetime(2016, 12, 12, 14, 30, tzinfo=UTC)),
            ("2016-12-12t14:30z", datetime(2016, 12, 12, 14, 30, tzinfo=UTC)),
            ("2016-12-12T17:30+03:00", datetime(2016, 12, 12, 14, 30, tzinfo=UTC)),
            ("2016-12-12T14:30:05.250Z", datetime(2016, 12, 12, 14, 30, 5, 250000, tzinfo=UTC)),
            ("  2016-12-12  ", datetime(2016, 12, 12, tzinfo=UTC)),
        ],
    )
    def test_iso(self, text: str, expected: datetime) -> None:
        """ISO dates and datetimes are read as UTC; one without an offset is taken as UTC."""
        moment = parse_moment(text)
        assert moment == expected
        assert moment.utcoffset() == timedelta(0)

    @pytest.mark.parametrize(
        "text", ["", "yesterday", "12/12/2016", "2016-13-01", "2016-12-12T25:00", "+10m"]
    )
    def test_refused(self, text: str) -> None:
        """Anything else is a TimeSpecError quoting the text and showing what is expected."""
        with pytest.raises(TimeSpecError, match=r"not a time: .* \(expected an ISO 8601 date or datetime"):
            parse_moment(text)

    def test_error_is_a_value_error(self) -> None:
        """TimeSpecError is a ValueError, so argparse and callers can treat it as bad input."""
        assert issubclass(TimeSpecError, ValueError)

    @settings(max_examples=100)
    @given(moment=st.datetimes(timezones=st.just(UTC)))
    def test_round_trip(self, moment: datetime) -> None:
        """Any UTC datetime written in ISO 8601 reads back as itself."""
        assert parse_moment(moment.isoformat()) == moment


class TestOffset:
    """Relative offsets."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("+10m", timedelta(minutes=10)),
            ("-2h", timedelta(hours=-2)),
            ("+1d", timedelta(days=1)),
            ("-30s", timedelta(seconds=-30)),
            ("+1w", timedelta(weeks=1)),
            ("+1.5h", timedelta(minutes=90)),
            ("+ 5 min", timedelta(minutes=5)),
            ("+3days", timedelta(days=3)),
            ("-1HR", timedelta(hours=-1)),
            ("+10sec", timedelta(seconds=10)),
        ],
    )
    def test_offsets(self, text: str, expected: timedelta) -> None:
        """A sign, a number and a unit (s, m, h, d, w and their longer names, any case)."""
        assert parse_offset(text) == expected

    @pytest.mark.parametrize("text", ["10m", "+10", "+10y", "+", "", "+m", "2016-12-12"])
    def test_refused(self, text: str) -> None:
        """Without a sign, number or known unit it is a TimeSpecError showing examples."""
        with pytest.raises(TimeSpecError, match=r"not an offset: .* \(expected e\.g\. \+10m, -2h, \+1d\)"):
            parse_offset(text)


class TestTarget:
    """A "go to" box: absolute or relative to now."""

    def test_relative(self) -> None:
        """A signed offset moves from now."""
        assert parse_target("+10m", NOW) == NOW + timedelta(minutes=10)
        assert parse_target(" -2h ", NOW) == NOW - timedelta(hours=2)

    def test_absolute(self) -> None:
        """A date or datetime is where it says, whatever now is."""
        assert parse_target("2016-12-13", NOW) == datetime(2016, 12, 13, tzinfo=UTC)

    @pytest.mark.parametrize("text", ["", "+", "-x", "soon"])
    def test_refused(self, text: str) -> None:
        """Neither an offset nor a time is a TimeSpecError."""
        with pytest.raises(TimeSpecError):
            parse_target(text, NOW)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("+99999999999w", "offset out of range"),
        ("+" + "9" * 400 + "s", "offset out of range"),
        ("+99999999d", "time out of range"),
        ("-5000000d", "time out of range"),
    ],
)
def test_offsets_beyond_a_date_are_refused_in_words(text: str, says: str) -> None:
    """An offset too large for a timedelta, or one that leaves the years 1-9999, is a TimeSpecError."""
    with pytest.raises(TimeSpecError, match=says):
        parse_target(text, datetime(2016, 12, 12, tzinfo=UTC))
