"""Times as the sources write them, read as UTC with the precision they give, or one clear refusal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events.ingest.text import from_epoch, parse_iso_time, parse_twitter_time
from events.model import Precision


class TestTwitterTime:
    """created_at as the Twitter API writes it."""

    def test_reads_the_api_form(self) -> None:
        """The API's form, with any offset, is read as UTC."""
        assert parse_twitter_time("Wed Oct 10 20:19:24 +0000 2018") == datetime(
            2018, 10, 10, 20, 19, 24, tzinfo=UTC
        )
        assert parse_twitter_time("Wed Oct 10 20:19:24 +0200 2018") == datetime(
            2018, 10, 10, 18, 19, 24, tzinfo=UTC
        )

    def test_a_year_below_100_is_that_year(self) -> None:
        """The year 0050 is the year 50, whatever the offset (no two-digit-year guessing)."""
        assert parse_twitter_time("Mon Jan 01 00:00:00 +0000 0050").year == 50
        assert parse_twitter_time("Mon Jan 01 12:00:00 +0100 0050").year == 50

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("Fri Dec 31 23:59:59 -0100 9999", "time out of range"),
            ("Mon Jan 01 00:00:00 +0100 0001", "time out of range"),
            ("yesterday", "not a Twitter time"),
            ("Wed Oct 10 20:19:24 2018", "not a Twitter time"),
        ],
    )
    def test_refusals_are_value_errors(self, text: str, message: str) -> None:
        """A time out of range or not in the API's form is a ValueError naming it."""
        with pytest.raises(ValueError, match=message):
            parse_twitter_time(text)


class TestIsoTime:
    """ISO 8601 times with an offset, and the precision their digits give."""

    @pytest.mark.parametrize(
        ("text", "precision"),
        [
            ("2020-01-01T10:30:45.123Z", Precision.MILLISECOND),
            ("2020-01-01T10:30:45,5Z", Precision.MILLISECOND),
            ("2020-01-01T10:30:45.123456789Z", Precision.MICROSECOND),
            ("2020-01-01T10:30:45Z", Precision.SECOND),
            ("20200101T103045Z", Precision.SECOND),
            ("2020-01-01T10:30+05:30", Precision.MINUTE),
            ("2020-01-01T10Z", Precision.HOUR),
        ],
    )
    def test_precision_from_the_digits(self, text: str, precision: Precision) -> None:
        """The precision is what the time's digits say, in the extended or the basic form."""
        assert parse_iso_time(text)[1] is precision

    def test_out_of_range_is_a_value_error(self) -> None:
        """A time that UTC cannot hold is refused with a ValueError, not an OverflowError."""
        with pytest.raises(ValueError, match="time out of range"):
            parse_iso_time("0001-01-01T00:00:00+01:00")
        with pytest.raises(ValueError, match="time out of range"):
            parse_iso_time("9999-12-31T23:59:59-05:00")


class TestEpoch:
    """Unix timestamps in seconds or milliseconds."""

    def test_seconds_and_milliseconds(self) -> None:
        """Whole seconds say second precision; milliseconds say millisecond."""
        assert from_epoch(1610005273) == (datetime(2021, 1, 7, 7, 41, 13, tzinfo=UTC), Precision.SECOND)
        assert from_epoch("1610005273500", millis=True)[1] is Precision.MILLISECOND

    @pytest.mark.parametrize("value", [float("inf"), float("nan"), 1e300, "1e300", -1e20])
    def test_refusals_are_value_errors(self, value: float | str) -> None:
        """Infinity, NaN and times out of range are ValueErrors, never an OverflowError."""
        with pytest.raises(ValueError, match="time"):
            from_epoch(value)
