"""The codec: content-addressed ids, the chain hash, and export lines written and read back."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.codec import (
    CodecError,
    Row,
    canonical_json,
    canonical_pattern,
    chain_hash,
    check_post,
    entry_from_row,
    event_id,
    export_line,
    export_line_from_row,
    format_time,
    id_key,
    id_keys,
    json_text,
    parse_time,
    post_body,
    structure_post,
)
from events.model import GENESIS, Entry, Event, Kind, Post, Precision, Source, to_micros
from tests.conftest import DAY, events, make_event, moments, texts, words

RECORDED = datetime(2024, 5, 1, 9, 30, 15, 250000, tzinfo=UTC)
hashes = st.binary(min_size=32, max_size=32)


def stored(event: Event, seq: int = 1, prev: bytes = bytes(32), recorded_at: datetime = RECORDED) -> Row:
    """The row the log would store for `event` at `seq` after the entry whose hash is `prev`."""
    unhashed = (
        seq,
        bytes.fromhex(event_id(event)),
        event.kind.value,
        to_micros(event.occurred_at),
        event.precision.value,
        to_micros(recorded_at),
        post_body(event.post),
    )
    return (*unhashed, chain_hash(prev, unhashed))


def entry(event: Event, seq: int = 1, prev: bytes = bytes(32), recorded_at: datetime = RECORDED) -> Entry:
    """The log entry of `event` stored at `seq`."""
    return entry_from_row(stored(event, seq, prev, recorded_at), prev)


class TestEventId:
    """The id is a hash of what happened, so the same happening always gets the same id."""

    def test_same_post_twice_gets_the_same_id(self) -> None:
        """Two separately built but equal events have one id, a SHA-256 in hex."""
        first, second = make_event("Save #Aleppo"), make_event("Save #Aleppo")
        assert first is not second
        assert event_id(first) == event_id(second)
        assert re.fullmatch(r"[0-9a-f]{64}", event_id(first))

    @settings(max_examples=50)
    @given(event=events)
    def test_id_is_a_function_of_the_event(self, event: Event) -> None:
        """Any event, rebuilt field by field, gets the id it had."""
        copy = attrs.evolve(event, post=attrs.evolve(event.post))
        assert event_id(copy) == event_id(event)

    def test_compat_and_extended_text_of_one_tweet_are_one_event(self) -> None:
        """With a native id, identity is (kind, platform, id): the truncated and full text are one post."""
        compat = make_event(
            "Final message - people are dying since last night. I am very surprised I am tweeting…",
            post_id="808306356524634113",
            path="stream.jsonl",
            line=3,
        )
        extended = make_event(
            "Final message - people are dying since last night. I am very surprised I am tweeting right "
            "now & still alive. - Fatemah #Aleppo",
            post_id="808306356524634113",
            hashtags=("Aleppo",),
            path="search.json",
            line=90,
        )
        assert event_id(compat) == event_id(extended)

    def test_native_id_published_at_another_time_is_the_same_event(self) -> None:
        """A publication's native identity does not include its time (one source may round it)."""
        assert event_id(make_event(post_id="1", at=DAY)) == event_id(
            make_event(post_id="1", at=DAY + timedelta(seconds=1), precision=Precision.MILLISECOND)
        )

    def test_native_id_differs_by_platform_and_kind(self) -> None:
        """The same native id on another platform, or another kind of event, is another event."""
        base = make_event(post_id="1")
        assert event_id(make_event(post_id="1", platform="mastodon")) != event_id(base)
        assert event_id(make_event(post_id="1", kind=Kind.DELETED)) != event_id(base)
        assert event_id(make_event(post_id="2")) != event_id(base)

    def test_edits_differ_by_time(self) -> None:
        """A post is edited many times: each edit, told apart by its time, is its own event."""
        first = make_event("v2", post_id="1", kind=Kind.EDITED, at=DAY)
        again = make_event("v2 again", post_id="1", kind=Kind.EDITED, at=DAY)
        later = make_event("v3", post_id="1", kind=Kind.EDITED, at=DAY + timedelta(minutes=5))
        assert event_id(first) == event_id(again)
        assert event_id(first) != event_id(later)

    @settings(max_examples=100)
    @given(event=events.map(lambda e: attrs.evolve(e, post=attrs.evolve(e.post, id=None))), data=st.data())
    def test_without_native_id_any_change_of_content_changes_the_id(
        self, event: Event, data: st.DataObject
    ) -> None:
        """Without a native id, another text, author, time, precision or kind is another event."""
        post = event.post
        changes: dict[str, Callable[[], Event]] = {
            "text": lambda: attrs.evolve(event, post=attrs.evolve(post, text=data.draw(texts))),
            "handle": lambda: attrs.evolve(
                event, post=attrs.evolve(post, author=attrs.evolve(post.author, handle=data.draw(words)))
            ),
            "occurred_at": lambda: attrs.evolve(event, occurred_at=data.draw(moments)),
            "precision": lambda: attrs.evolve(event, precision=data.draw(st.sampled_from(Precision))),
            "kind": lambda: attrs.evolve(event, kind=data.draw(st.sampled_from(Kind))),
        }
        changed = changes[data.draw(st.sampled_from(sorted(changes)))]()
        if changed == event:
            assert event_id(changed) == event_id(event)
        else:
            assert event_id(changed) != event_id(event)

    @settings(max_examples=50)
    @given(event=events.map(lambda e: attrs.evolve(e, post=attrs.evolve(e.post, id=None))), source=st.data())
    def test_source_does_not_change_the_id(self, event: Event, source: st.DataObject) -> None:
        """Where a post was read from (file, format, line) is not part of what happened."""
        elsewhere = Source(path=source.draw(words), format=source.draw(words), line=None)
        moved = attrs.evolve(event, post=attrs.evolve(event.post, source=elsewhere))
        assert event_id(moved) == event_id(event)

    def test_id_key_is_the_first_eight_bytes(self) -> None:
        """The short index key is the id's first 8 bytes as a signed big-endian integer."""
        assert id_key(bytes.fromhex("0000000000000001" + "ff" * 24)) == 1
        assert id_key(bytes.fromhex("ffffffffffffffff" + "00" * 24)) == -1


class TestChainHash:
    """The chain hash seals every stored column of an entry and the hash before it."""

    @settings(max_examples=100)
    @given(event=events, seq=st.integers(1, 2**40), column=st.integers(0, 6), prev=hashes)
    def test_every_column_is_covered(self, event: Event, seq: int, column: int, prev: bytes) -> None:
        """Changing any one of seq, id, kind, occurred_at, precision, recorded_at or body changes the hash."""
        row = stored(event, seq, prev)
        unhashed: list[Any] = list(row[:7])
        value = unhashed[column]
        if isinstance(value, int):
            unhashed[column] = value + 1
        elif isinstance(value, bytes):
            unhashed[column] = bytes([value[0] ^ 1]) + value[1:]
        else:
            unhashed[column] = value + "x"
        assert chain_hash(prev, row[:7]) == row[7]
        assert chain_hash(prev, tuple(unhashed)) != row[7]

    @settings(max_examples=50)
    @given(event=events, prev=hashes, other=hashes)
    def test_previous_hash_is_covered(self, event: Event, prev: bytes, other: bytes) -> None:
        """The same entry after another predecessor has another hash: the chain cannot be reordered."""
        row = stored(event, 1, prev)
        assert (chain_hash(other, row[:7]) == row[7]) == (other == prev)

    def test_hash_is_32_bytes(self) -> None:
        """The hash is a raw SHA-256 digest."""
        assert len(stored(make_event())[7]) == 32


class TestTimesAndJson:
    """The codec's time and JSON spellings."""

    def test_format_time(self) -> None:
        """Times are written in UTC with a Z, microseconds only when there are some."""
        assert format_time(DAY) == "2016-12-12T00:00:00Z"
        assert format_time(RECORDED) == "2024-05-01T09:30:15.250000Z"
        assert format_time(datetime(2016, 12, 12, 3, tzinfo=timezone(timedelta(hours=3)))) == (
            "2016-12-12T00:00:00Z"
        )

    @settings(max_examples=100)
    @given(moment=moments)
    def test_time_round_trip(self, moment: datetime) -> None:
        """parse_time reads back what format_time writes."""
        assert parse_time(format_time(moment)) == moment

    def test_parse_time_converts_offsets(self) -> None:
        """A time with an offset is read as the same instant in UTC."""
        moment = parse_time("2016-12-12T05:30:00+05:30")
        assert moment == DAY
        assert moment.utcoffset() == timedelta(0)

    @pytest.mark.parametrize(
        ("text", "message"),
        [("2016-12-12T00:00:00", "no timezone"), ("yesterday", "not an ISO 8601 time"), (5, "got int")],
    )
    def test_parse_time_refuses(self, text: Any, message: str) -> None:
        """A time without an offset, not a time, or not a string is a CodecError."""
        with pytest.raises(CodecError, match=message):
            parse_time(text)

    def test_canonical_json(self) -> None:
        """Canonical JSON has sorted keys, no spaces, and non-ASCII text as is."""
        assert canonical_json({"b": 1, "a": ["é", None]}) == '{"a":["é",null],"b":1}'


class TestExportLine:
    """An export line is one entry as compact JSON, the envelope first and the post last."""

    def test_fields(self) -> None:
        """The line has the envelope's fields in order, then the post with every field of the issue."""
        event = make_event("hi", at=DAY, precision=Precision.DAY)
        record = json.loads(export_line(entry(event, seq=7, prev=bytes.fromhex(GENESIS))))
        assert list(record) == [
            "hash",
            "id",
            "kind",
            "occurred_at",
            "precision",
            "prev",
            "recorded_at",
            "seq",
            "post",
        ]
        assert record["seq"] == 7
        assert record["id"] == event_id(event)
        assert record["kind"] == "post.published"
        assert record["occurred_at"] == "2016-12-12T00:00:00Z"
        assert record["precision"] == "day"
        assert record["recorded_at"] == "2024-05-01T09:30:15.250000Z"
        assert record["prev"] == GENESIS
        assert set(record["post"]) == {
            "platform",
            "id",
            "author",
            "text",
            "hashtags",
            "mentions",
            "urls",
            "reply_to",
            "quote_of",
            "repost_of",
            "lang",
            "source",
        }
        assert record["post"]["author"] == {"handle": "someone", "name": "Some One"}

    @settings(max_examples=100)
    @given(event=events, seq=st.integers(1, 2**40), prev=hashes)
    def test_one_line_whatever_the_text(self, event: Event, seq: int, prev: bytes) -> None:
        """Newlines, quotes and escapes in any field never split or break the line."""
        line = export_line(entry(event, seq, prev))
        assert "\n" not in line
        assert "\r" not in line
        assert json.loads(line)["post"]["text"] == event.post.text

    @settings(max_examples=100)
    @given(event=events, seq=st.integers(1, 2**40), prev=hashes)
    def test_from_row_equals_from_entry(self, event: Event, seq: int, prev: bytes) -> None:
        """The export of a stored row, body untouched, is the export of its decoded entry."""
        row = stored(event, seq, prev)
        assert export_line_from_row(row, prev) == export_line(entry_from_row(row, prev))

    @settings(max_examples=100)
    @given(event=events, seq=st.integers(1, 2**40), prev=hashes, recorded_at=moments)
    def test_row_round_trip(self, event: Event, seq: int, prev: bytes, recorded_at: datetime) -> None:
        """A stored row decodes to the event, position, ids and times it was made from."""
        decoded = entry(event, seq, prev, recorded_at)
        assert decoded.event == event
        assert (decoded.seq, decoded.id, decoded.recorded_at, decoded.prev) == (
            seq,
            event_id(event),
            recorded_at,
            prev.hex(),
        )


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
_strings = st.sampled_from(["", "a", "Aleppo", "\ud83d"]) | st.text(max_size=6)
_wrong = _json_values | _strings | st.lists(_strings, max_size=2) | st.tuples(_strings)
_places = st.sampled_from([(), ("author",), ("source",)])
_fields = st.sampled_from([*attrs.fields_dict(Post), "handle", "name", "path", "format", "line", "likes"])


@st.composite
def _raw_posts(draw: st.DrawFn) -> Any:
    """A valid post unstructured, then up to three fields changed to any value, or taken out."""
    raw = json.loads(post_body(draw(events).post))
    for _ in range(draw(st.integers(0, 3))):
        place = raw
        for key in draw(_places):
            place = place[key] if isinstance(place, dict) and isinstance(place.get(key), dict) else place
        if not isinstance(place, dict):
            continue
        field = draw(_fields)
        if draw(st.booleans()):
            place.pop(field, None)
        else:
            place[field] = draw(_wrong)
    return raw


class TestCheckPost:
    """check_post accepts and refuses exactly what structure_post does, without building the Post."""

    @settings(max_examples=1500)
    @given(raw=_raw_posts() | _json_values)
    def test_agrees_with_structure_post(self, raw: Any) -> None:
        """On any raw post, good or bad in any field, both accept it or both refuse it."""
        try:
            structure_post(raw)
        except CodecError:
            with pytest.raises(CodecError):
                check_post(raw)
        else:
            check_post(raw)

    @settings(max_examples=200)
    @given(event=events)
    def test_accepts_every_stored_post(self, event: Event) -> None:
        """Every valid post, unstructured, passes, and is found to hold only keys the model knows."""
        assert check_post(json.loads(post_body(event.post))) is True

    def test_unknown_keys_are_reported(self) -> None:
        """A key the model does not know, at any level, makes it return False (it is not an error)."""
        raw = json.loads(post_body(make_event().post))
        for place in (raw, raw["author"], raw["source"]):
            place["likes"] = 3
            assert check_post(raw) is False
            del place["likes"]
        assert check_post(raw) is True

    def test_a_missing_optional_field_is_reported(self) -> None:
        """A field left to its default, at any level, makes it return False: not a stored body's shape."""
        for path in (("lang",), ("hashtags",), ("author", "name"), ("source", "line")):
            raw = json.loads(post_body(make_event().post))
            place = raw if len(path) == 1 else raw[path[0]]
            del place[path[-1]]
            assert check_post(raw) is False


class TestCanonicalPattern:
    """canonical_pattern matches the canonical JSON of valid posts, and nothing check_post refuses."""

    @settings(max_examples=300)
    @given(event=events)
    def test_matches_every_stored_body_without_a_u_escape(self, event: Event) -> None:
        """A stored body matches unless it needed a \\u escape (a control character in some text)."""
        body = post_body(event.post)
        assert (re.fullmatch(_POST_PATTERN, body) is not None) == ("\\u" not in body)

    @settings(max_examples=1500)
    @given(raw=_raw_posts() | _json_values)
    def test_what_it_matches_check_post_accepts_whole(self, raw: Any) -> None:
        """Any post with fields changed or removed: if its canonical JSON matches, check_post says whole."""
        if re.fullmatch(_POST_PATTERN, canonical_json(raw)) is not None:
            assert check_post(raw) is True

    def test_groups_capture_json_values(self) -> None:
        """A named field is captured as its JSON spelling, which json_text turns back into text."""
        post = make_event(path='a "quoted"\\path', handle="x").post
        match = re.fullmatch(
            canonical_pattern(Post, {"source.path": "path", "author.handle": "h"}), post_body(post)
        )
        assert match is not None
        assert match["path"] == '"a \\"quoted\\"\\\\path"'
        assert json_text(match["path"]) == 'a "quoted"\\path'
        assert json_text(match["h"]) == "x"

    def test_a_rule_it_cannot_spell_is_refused(self) -> None:
        """A field whose rule has no JSON pattern is a TypeError, not a pattern that accepts too much."""

        @attrs.frozen
        class Tagged:
            tag: str = attrs.field(validator=attrs.validators.matches_re("#.+"))

        with pytest.raises(TypeError, match=r"Tagged\.tag: no JSON pattern"):
            canonical_pattern(Tagged)


_POST_PATTERN = canonical_pattern(Post)


def test_id_keys_are_the_keys_of_each_id() -> None:
    """id_keys gives id_key of each id, in order."""
    ids = [bytes(range(32)), bytes(32), b"\xff" * 32]
    assert id_keys(ids) == [id_key(id_) for id_ in ids] == [0x0001020304050607, 0, -1]
