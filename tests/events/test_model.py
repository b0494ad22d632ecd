"""The domain values: what their validators refuse, how precision truncates and shows a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.model import (
    EPOCH,
    GENESIS,
    Author,
    Entry,
    Event,
    Kind,
    Post,
    Precision,
    Source,
    from_micros,
    to_micros,
)
from tests.conftest import DAY, make_event, make_post, moments

_FIRST_MICROS = to_micros(datetime.min.replace(tzinfo=UTC))
_LAST_MICROS = to_micros(datetime.max.replace(tzinfo=UTC))


def _changed(field: str, value: Any) -> Post:
    """`make_post()` with one field replaced, through the validators."""
    changes: dict[str, Any] = {field: value}
    return attrs.evolve(make_post(), **changes)


class TestTimes:
    """Event and entry times must be timezone-aware UTC."""

    def test_utc_is_accepted(self) -> None:
        """A time in UTC, or in any zone whose offset is zero, makes a valid event."""
        assert make_event(at=DAY).occurred_at == DAY
        zero = datetime(2016, 12, 12, tzinfo=timezone(timedelta(0)))
        assert make_event(at=zero).occurred_at == DAY

    def test_naive_time_is_refused(self) -> None:
        """A time without a timezone is refused, naming the field."""
        with pytest.raises(ValueError, match="occurred_at must be timezone-aware UTC"):
            make_event(at=datetime(2016, 12, 12))

    def test_other_offsets_are_refused(self) -> None:
        """A time in another offset is refused rather than silently converted."""
        with pytest.raises(ValueError, match="occurred_at"):
            make_event(at=datetime(2016, 12, 12, 3, tzinfo=timezone(timedelta(hours=3))))

    def test_non_datetime_is_refused(self) -> None:
        """A string where a datetime belongs is a TypeError naming the field."""
        with pytest.raises(TypeError, match="occurred_at must be a datetime, got str"):
            Event(kind=Kind.PUBLISHED, occurred_at="2016-12-12", precision=Precision.DAY, post=make_post())  # type: ignore[arg-type]

    def test_entry_recorded_at_must_be_utc(self) -> None:
        """An entry's ingest time follows the same rule as an event's time."""
        with pytest.raises(ValueError, match="recorded_at"):
            Entry(seq=1, id="a", recorded_at=datetime(2020, 1, 1), prev=GENESIS, hash="b", event=make_event())


class TestPost:
    """The post's validators state its invariants with messages that name the field."""

    def test_platform_must_not_be_empty(self) -> None:
        """A post names its platform."""
        with pytest.raises(ValueError, match="platform must be a non-empty string"):
            make_post(platform="")

    def test_handle_must_not_be_empty(self) -> None:
        """An author without a handle is refused."""
        with pytest.raises(ValueError, match="handle must be a non-empty string"):
            Author(handle="")

    def test_handle_must_be_a_string(self) -> None:
        """A handle of another type is refused, not turned into text."""
        with pytest.raises(ValueError, match="handle"):
            Author(handle=None)  # type: ignore[arg-type]

    @pytest.mark.parametrize("field", ["id", "reply_to", "quote_of", "repost_of", "lang"])
    def test_optional_ids_are_none_or_non_empty(self, field: str) -> None:
        """Optional ids accept None and a string, and refuse "" (which would mean None)."""
        assert getattr(_changed(field, None), field) is None
        assert getattr(_changed(field, "123"), field) == "123"
        with pytest.raises(ValueError, match=f"{field} must be a non-empty string or None"):
            _changed(field, "")

    def test_post_id_must_be_a_string(self) -> None:
        """A numeric native id is refused: ids are compared as text everywhere."""
        with pytest.raises(ValueError, match="id must be a non-empty string or None, got 5"):
            make_post(post_id=5)  # type: ignore[arg-type]

    def test_author_name_is_optional_but_not_empty(self) -> None:
        """A display name is None when unknown, never ""."""
        assert Author(handle="a").name is None
        with pytest.raises(ValueError, match="name"):
            Author(handle="a", name="")

    @pytest.mark.parametrize("field", ["hashtags", "mentions", "urls"])
    @pytest.mark.parametrize("value", [["Aleppo"], ("Aleppo", 5), "Aleppo", None])
    def test_lists_must_be_tuples_of_strings(self, field: str, value: Any) -> None:
        """Hashtags, mentions and urls must be tuples of strings (a list would make the post mutable)."""
        with pytest.raises(TypeError, match=f"{field} must be a list of strings"):
            _changed(field, value)

    def test_lists_of_strings_are_kept(self) -> None:
        """Tuples of strings are kept as given, in order."""
        post = make_post(hashtags=("SaveAleppo", "Aleppo"), mentions=("UN",), urls=("https://t.co/x",))
        assert post.hashtags == ("SaveAleppo", "Aleppo")
        assert post.mentions == ("UN",)

    def test_text_must_be_a_string_and_may_be_empty(self) -> None:
        """A post may have empty text (a picture alone), but not text of another type."""
        assert make_post("").text == ""
        with pytest.raises(TypeError, match="text must be str, got int"):
            make_post(5)  # type: ignore[arg-type]

    def test_author_and_source_must_be_values(self) -> None:
        """A dict where an Author or Source belongs is refused."""
        with pytest.raises(TypeError, match="author must be Author, got dict"):
            make_post(author={"handle": "a"})
        with pytest.raises(TypeError, match="source must be Source, got dict"):
            make_post(source={"path": "p"})

    def test_source_line_must_be_an_integer(self) -> None:
        """A line number of another type, including a bool, is refused."""
        assert Source(path="f", format="article", line=None).line is None
        for line in ("3", True, 1.0):
            with pytest.raises(TypeError, match="line must be an integer or None"):
                Source(path="f", format="article", line=line)  # type: ignore[arg-type]

    def test_source_format_must_not_be_empty(self) -> None:
        """A source names its format."""
        with pytest.raises(ValueError, match="format"):
            Source(path="f", format="")


class TestValues:
    """Values are frozen and keyword-only."""

    def test_frozen(self) -> None:
        """A post cannot be changed in place; evolve makes a new one."""
        post = make_post()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            post.text = "changed"  # type: ignore[misc]
        assert attrs.evolve(post, text="changed").text == "changed"
        assert post.text == "Save #Aleppo now"

    def test_keyword_only(self) -> None:
        """Fields cannot be passed by position, so they cannot be swapped by mistake."""
        with pytest.raises(TypeError):
            Author("handle")  # type: ignore[call-arg]

    def test_published_constructor(self) -> None:
        """Event.published makes a post.published event."""
        event = Event.published(make_post(), DAY, Precision.DAY)
        assert (event.kind, event.occurred_at, event.precision) == (Kind.PUBLISHED, DAY, Precision.DAY)

    def test_entry_position_starts_at_one(self) -> None:
        """Log positions start at 1; 0 is refused."""
        with pytest.raises(ValueError, match="seq"):
            Entry(seq=0, id="a", recorded_at=DAY, prev=GENESIS, hash="b", event=make_event())

    def test_kinds_and_genesis(self) -> None:
        """The four kinds have their wire names, and the first entry's prev is 64 zeros."""
        assert [kind.value for kind in Kind] == [
            "post.published",
            "post.reposted",
            "post.edited",
            "post.deleted",
        ]
        assert GENESIS == "0" * 64


class TestPrecision:
    """Truncating to a precision and showing a time at it, never finer."""

    MOMENT = datetime(2016, 12, 12, 14, 3, 27, 123456, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("precision", "expected"),
        [
            (Precision.MICROSECOND, datetime(2016, 12, 12, 14, 3, 27, 123456, tzinfo=UTC)),
            (Precision.MILLISECOND, datetime(2016, 12, 12, 14, 3, 27, 123000, tzinfo=UTC)),
            (Precision.SECOND, datetime(2016, 12, 12, 14, 3, 27, tzinfo=UTC)),
            (Precision.MINUTE, datetime(2016, 12, 12, 14, 3, tzinfo=UTC)),
            (Precision.HOUR, datetime(2016, 12, 12, 14, tzinfo=UTC)),
            (Precision.DAY, datetime(2016, 12, 12, tzinfo=UTC)),
        ],
    )
    def test_truncate(self, precision: Precision, expected: datetime) -> None:
        """truncate gives the start of the unit that contains the moment, in UTC."""
        result = precision.truncate(self.MOMENT)
        assert result == expected
        assert result.tzinfo is UTC

    def test_truncate_before_the_epoch(self) -> None:
        """A time before 1970 truncates down to its own day, not up to the next."""
        moment = datetime(1969, 12, 31, 23, 59, tzinfo=UTC)
        assert Precision.DAY.truncate(moment) == datetime(1969, 12, 31, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("precision", "expected"),
        [
            (Precision.DAY, "12 Dec 2016"),
            (Precision.HOUR, "12 Dec 2016 14:00"),
            (Precision.MINUTE, "12 Dec 2016 14:03"),
            (Precision.SECOND, "12 Dec 2016 14:03:27"),
            (Precision.MICROSECOND, "12 Dec 2016 14:03:27.123456"),
        ],
    )
    def test_format(self, precision: Precision, expected: str) -> None:
        """format writes the time to its precision and no finer."""
        assert precision.format(self.MOMENT) == expected

    def test_day_precision_invents_no_time_of_day(self) -> None:
        """A post known only to the day is shown as the day, with no clock time at all."""
        event = make_event(at=DAY, precision=Precision.DAY)
        assert event.describe_time() == "12 Dec 2016"
        day: Precision = Precision.DAY  # a variable: mypy mistakes Literal[DAY].format for str.format
        assert ":" not in day.format(self.MOMENT)

    def test_format_shows_utc(self) -> None:
        """A time given in another offset is shown in UTC."""
        moment = datetime(2016, 12, 13, 1, 30, tzinfo=timezone(timedelta(hours=3)))
        minute: Precision = Precision.MINUTE
        assert minute.format(moment) == "12 Dec 2016 22:30"

    @settings(max_examples=200)
    @given(moment=moments, precision=st.sampled_from(Precision))
    def test_truncate_is_the_start_of_its_unit(self, moment: datetime, precision: Precision) -> None:
        """The truncated time is aligned, at or before the moment, and less than one unit before it."""
        start = precision.truncate(moment)
        assert start <= moment
        assert moment - start < precision.span
        assert to_micros(start) % (precision.span // timedelta(microseconds=1)) == 0
        assert precision.truncate(start) == start

    @settings(max_examples=200)
    @given(moment=moments, precision=st.sampled_from(Precision))
    def test_format_shows_nothing_finer_than_the_precision(
        self, moment: datetime, precision: Precision
    ) -> None:
        """Every moment in one unit of the precision is shown the same way as the unit's start."""
        assert precision.format(moment) == precision.format(precision.truncate(moment))


class TestMicros:
    """The integer time the log stores: microseconds since the Unix epoch."""

    def test_epoch_is_zero(self) -> None:
        """The epoch is 0 and one second later is 1,000,000."""
        assert to_micros(EPOCH) == 0
        assert to_micros(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)) == 1_000_000
        assert from_micros(-1) == datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)

    def test_offsets_count_as_the_same_instant(self) -> None:
        """Two spellings of one instant give one number."""
        moment = datetime(2016, 12, 12, 3, tzinfo=timezone(timedelta(hours=3)))
        assert to_micros(moment) == to_micros(DAY)

    @settings(max_examples=200)
    @given(moment=moments)
    def test_datetime_round_trip(self, moment: datetime) -> None:
        """from_micros(to_micros(t)) is t, in UTC, for every time between the years 1 and 9999."""
        back = from_micros(to_micros(moment))
        assert back == moment
        assert back.tzinfo is UTC

    @settings(max_examples=200)
    @given(micros=st.integers(_FIRST_MICROS, _LAST_MICROS))
    def test_integer_round_trip(self, micros: int) -> None:
        """to_micros(from_micros(n)) is n over the whole range of datetime."""
        assert to_micros(from_micros(micros)) == micros
