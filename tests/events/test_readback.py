"""Export lines read back: the same event, id, ingest time and body, or one line on what is wrong."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.codec import CodecError, event_id, export_line, post_body
from events.model import Author, Event, Precision, to_micros
from events.readback import EXPORTED_LINE, decoded_row, restore_line, restore_row
from tests.conftest import DAY, events, make_event, make_post, moments
from tests.events.test_codec import entry, hashes


class TestRestoreLine:
    """restore_line reads an export line back to the same event, id, ingest time and body."""

    @settings(max_examples=150)
    @given(event=events, seq=st.integers(1, 2**40), prev=hashes, recorded_at=moments)
    def test_round_trip(self, event: Event, seq: int, prev: bytes, recorded_at: datetime) -> None:
        """Every event comes back equal, with its id, recorded_at and the exact stored body."""
        restored = restore_line(export_line(entry(event, seq, prev, recorded_at)))
        assert restored.event() == event
        assert restored.id == event_id(event)
        assert restored.recorded_us == to_micros(recorded_at)
        assert restored.body == post_body(event.post)

    @pytest.mark.parametrize(
        "text",
        [
            "هادي العبدالله Hadi: لا تناموا",
            "😢🇸🇾 #SaveAleppo",
            'We said "never again." What happened?',
            "C:\\path\\to\\nowhere \\n is not a newline",
            "line one\nline two\r\nline three",
            "[bold]not bold[/bold] [link=http://x]x[/link]",
            "\x1b[31mred\x1b[0m \x1b]0;title\x07",
            '"post":{"text":"x"}}',
        ],
    )
    def test_text_comes_back_literally(self, text: str) -> None:
        """Hostile text comes back character for character: nothing interprets markup or escapes."""
        event = make_event(text, handle="هادي", hashtags=("SaveAleppo",))
        restored = restore_line(export_line(entry(event)))
        assert restored.event().post.text == text
        assert restored.event() == event

    def test_keeps_the_stored_body_verbatim(self) -> None:
        """A body in another key order or spelling is kept as written, so re-export gives it back."""
        body = (
            '{"text":"caf\\u00e9","platform":"twitter","author":{"name":null,"handle":"a"},'
            '"source":{"path":"f","format":"article","line":1},"id":null,"hashtags":[],'
            '"mentions":[],"urls":[],"reply_to":null,"quote_of":null,"repost_of":null,"lang":null}'
        )
        envelope = '"kind":"post.published","occurred_at":"2016-12-12T00:00:00Z","precision":"day"'
        line = f'{{{envelope},"post":{body}}}'
        restored = restore_line(line)
        assert restored.body == body
        assert restored.event().post.text == "café"
        assert restored.recorded_us is None

    def test_unknown_post_keys_are_dropped_from_the_body(self) -> None:
        """A post with keys the model does not know is stored in its canonical form, without them."""
        record = _record()
        record["post"]["likes"] = 12
        restored = restore_line(json.dumps(record))
        assert restored.body == post_body(restored.event().post)
        assert "likes" not in restored.body

    def test_post_not_last_is_stored_canonically(self) -> None:
        """When `post` is not the last key, the body is re-encoded rather than cut out of the line."""
        record = _record()
        record = {"post": record.pop("post"), **record}
        restored = restore_line(json.dumps(record, indent=1).replace("\n", ""))
        assert restored.body == post_body(restored.event().post)

    @settings(max_examples=100)
    @given(event=events)
    def test_checked_and_built_posts_give_the_same_row(self, event: Event) -> None:
        """A kept body with a native id (checked only) and a moved one (built) give the same row."""
        line = export_line(entry(event))
        record = json.loads(line)
        moved = json.dumps({"post": record.pop("post"), **record}, ensure_ascii=False)
        assert restore_row(line) == restore_row(moved)

    def test_unknown_keys_inside_author_are_dropped(self) -> None:
        """A key the model does not know inside the author also sends the post through the model."""
        record = _record()
        record["post"]["author"]["followers"] = 10
        restored = restore_line(json.dumps(record))
        assert "followers" not in restored.body
        assert restored.body == post_body(restored.event().post)

    def test_author_and_source_values_survive(self) -> None:
        """Author names in any script and source lines come back exactly."""
        post = make_post(author=Author(handle="HadiAlabdallah", name="هادي العبدالله Hadi"), line=23)
        event = Event.published(post, DAY, Precision.DAY)
        assert restore_line(export_line(entry(event))).event().post == post

    def test_whitespace_before_the_post_colon(self) -> None:
        """Valid JSON with a space before the colon of "post" still gives the post's own body."""
        record = _record()
        line = json.dumps(record).replace('"post": ', '"post" : ')
        restored = restore_line(line)
        assert json.loads(restored.body) == json.loads(post_body(restored.event().post))

    @pytest.mark.parametrize(
        "shape",
        [
            pytest.param(
                lambda env, post: f'{{{env},"hash":{{"x":0,"post":{{}}}},"post": {post}}}',
                id="decoy in hash",
            ),
            pytest.param(
                lambda env, post: f'{{{env},"post":{{"text":"decoy"}},"po\\u0073t":{post}}}', id="escaped key"
            ),
            pytest.param(
                lambda env, post: f'{{{env},"post":{{"text":"decoy"}},"post" :{post}}}',
                id="spaced second key",
            ),
            pytest.param(
                lambda env, post: f'{{{env},"post" :{{"text":"decoy"}},"post":{post}}}', id="spaced first key"
            ),
            pytest.param(
                lambda env, post: f'{{{env},"post":{post},"prev":{{}},"prev":"0"}}', id="key after post"
            ),
            pytest.param(
                lambda env, post: f'{{{env},"post":{post},"seq":{{"a":1}}}}', id="object after post"
            ),
        ],
    )
    def test_a_decoy_post_key_is_never_stored(self, shape: Callable[[str, str], str]) -> None:
        """Lines shaped to make the body cut at the wrong "post" still store the post's own body."""
        envelope = '"kind":"post.published","occurred_at":"2016-12-12T00:00:00Z","precision":"day"'
        post = post_body(make_event().post)
        try:
            restored = restore_line(shape(envelope, post))
        except CodecError:
            return  # refused outright is also safe
        assert json.loads(restored.body) == json.loads(post_body(restored.event().post))
        assert restored.body == post_body(restored.event().post)

    def test_a_post_without_optional_fields_is_stored_whole(self) -> None:
        """A post missing fields that have defaults is stored with all of them, as the log reads it."""
        record = _record()
        for name in ("hashtags", "mentions", "lang", "repost_of"):
            del record["post"][name]
        del record["post"]["author"]["name"], record["id"]  # the content changes, and so its id
        restored = restore_line(json.dumps(record, separators=(",", ":")))
        assert restored.body == post_body(restored.event().post)
        assert {"hashtags", "mentions", "lang", "repost_of"} <= json.loads(restored.body).keys()

    def test_a_time_out_of_range_is_a_codec_error(self) -> None:
        """A time that UTC cannot hold is one line naming the field, never an OverflowError."""
        record = _record()
        record["occurred_at"] = "0001-01-01T00:00:00+01:00"
        with pytest.raises(CodecError, match="occurred_at: time out of range"):
            restore_line(json.dumps(record))

    def test_refuses_a_wrong_claimed_id(self) -> None:
        """An id that does not match the content is refused: the line was edited or corrupted."""
        record = _record()
        record["id"] = "0" * 64
        with pytest.raises(CodecError, match=r"^id 000000000000… does not match the entry's content$"):
            restore_line(json.dumps(record))

    def test_no_claimed_id_is_computed(self) -> None:
        """A line without an id or recorded_at (hand-written) gets its id computed."""
        record = _record()
        del record["id"], record["recorded_at"]
        restored = restore_line(json.dumps(record))
        assert restored.id == event_id(make_event())
        assert restored.recorded_us is None

    @pytest.mark.parametrize(
        ("field", "change"),
        [
            pytest.param("kind", lambda r: r.pop("kind"), id="missing kind"),
            pytest.param("occurred_at", lambda r: r.pop("occurred_at"), id="missing occurred_at"),
            pytest.param("precision", lambda r: r.pop("precision"), id="missing precision"),
            pytest.param("post", lambda r: r.pop("post"), id="missing post"),
            pytest.param("text", lambda r: r["post"].pop("text"), id="missing text"),
            pytest.param("author", lambda r: r["post"].pop("author"), id="missing author"),
            pytest.param("platform", lambda r: r["post"].pop("platform"), id="missing platform"),
            pytest.param("source", lambda r: r["post"].pop("source"), id="missing source"),
            pytest.param("handle", lambda r: r["post"]["author"].pop("handle"), id="missing handle"),
            pytest.param("path", lambda r: r["post"]["source"].pop("path"), id="missing source path"),
            pytest.param("kind", lambda r: r.update(kind=5), id="kind is a number"),
            pytest.param("precision", lambda r: r.update(precision=None), id="precision is null"),
            pytest.param("id", lambda r: r.update(id=5), id="id is a number"),
            pytest.param("text", lambda r: r["post"].update(text=5), id="text is a number"),
            pytest.param("text", lambda r: r["post"].update(text=None), id="text is null"),
            pytest.param(
                "hashtags", lambda r: r["post"].update(hashtags="Aleppo"), id="hashtags is a string"
            ),
            pytest.param("hashtags", lambda r: r["post"].update(hashtags=[1]), id="hashtags holds a number"),
            pytest.param("id", lambda r: r["post"].update(id=808306356524634113), id="post id is a number"),
            pytest.param("handle", lambda r: r["post"]["author"].update(handle=""), id="handle is empty"),
            pytest.param("line", lambda r: r["post"]["source"].update(line="3"), id="line is a string"),
            pytest.param("platform", lambda r: r["post"].update(platform=[]), id="platform is a list"),
            pytest.param(
                "author",
                lambda r: r["post"].update(author="bob"),
                id="author is a string",
            ),
            pytest.param(
                "author",
                lambda r: r["post"].update(author=None),
                id="author is null",
            ),
            pytest.param(
                "source",
                lambda r: r["post"].update(source=[]),
                id="source is a list",
            ),
            pytest.param(
                "occurred_at",
                lambda r: r.update(occurred_at=1481500800),
                id="occurred_at is a number",
            ),
            pytest.param("kind", lambda r: r.update(kind="post.liked"), id="unknown kind"),
            pytest.param("precision", lambda r: r.update(precision="week"), id="unknown precision"),
            pytest.param(
                "occurred_at",
                lambda r: r.update(occurred_at="2016-12-12T00:00:00"),
                id="occurred_at without timezone",
            ),
            pytest.param(
                "occurred_at",
                lambda r: r.update(occurred_at="2016-12-12"),
                id="occurred_at a date",
            ),
            pytest.param(
                "recorded_at",
                lambda r: r.update(recorded_at="2024-05-01T09:30:15"),
                id="recorded_at without timezone",
            ),
            pytest.param(
                "occurred_at",
                lambda r: r.update(occurred_at="yesterday"),
                id="occurred_at not a time",
            ),
        ],
    )
    def test_refusal_names_the_field(self, field: str, change: Callable[[dict[str, Any]], object]) -> None:
        """A bad line is a CodecError of one line that names the field at fault."""
        record = _record()
        change(record)
        with pytest.raises(CodecError) as raised:
            restore_line(json.dumps(record))
        message = str(raised.value)
        assert "\n" not in message
        assert re.search(rf"\b{field}\b", message), message

    def test_bad_enum_lists_the_choices(self) -> None:
        """A bad kind is refused with the kinds that exist."""
        record = _record()
        record["kind"] = "post.liked"
        with pytest.raises(CodecError, match=r"kind must be one of post\.published, .*; got 'post\.liked'"):
            restore_line(json.dumps(record))

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            ('{"kind": "post.published", ', "not valid JSON"),
            ("[1, 2]", "expected a JSON object, got list"),
            ("null", "expected a JSON object, got NoneType"),
            ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ],
    )
    def test_refuses_what_is_not_an_entry(self, line: str, message: str) -> None:
        """Text that is not a JSON object is a CodecError, even when nested past the recursion limit."""
        with pytest.raises(CodecError, match=message):
            restore_line(line)

    def test_lone_surrogate_is_a_codec_error(self) -> None:
        """A JSON escape of half a surrogate pair is refused with a CodecError, never a crash."""
        line = json.dumps(_record()).replace("Save #Aleppo now", "Save \\ud83d")
        with pytest.raises(CodecError, match="text"):
            restore_line(line)


_EDITS = st.sampled_from(
    ['"', "\\", ",", ":", "{", "}", "[", "]", " ", "0", "9", "a", "n", "u", "\x00", "\ud800", ""]
)
"""What an edit puts in a line: JSON's own characters, a digit, a letter, nothing (a deletion)."""


def _same_reading(line: str) -> None:
    """restore_row of `line` does exactly what the field-by-field reading does."""
    try:
        expected = decoded_row(line)
    except CodecError as exc:
        with pytest.raises(CodecError) as raised:
            restore_row(line)
        assert str(raised.value) == str(exc)
    else:
        assert restore_row(line) == expected


class TestExportedLines:
    """A line as the export writes it is read without decoding its JSON, with the same outcome."""

    @settings(max_examples=200)
    @given(event=events, seq=st.integers(1, 2**40), prev=hashes, recorded_at=moments)
    def test_export_lines_are_matched_and_read_the_same(
        self, event: Event, seq: int, prev: bytes, recorded_at: datetime
    ) -> None:
        """Every exported line without a \\u escape is matched, and reads as the decoding reads it."""
        line = export_line(entry(event, seq, prev, recorded_at))
        assert (EXPORTED_LINE.fullmatch(line) is not None) == ("\\u" not in line)
        _same_reading(line)

    @settings(max_examples=500)
    @given(
        event=events,
        recorded_at=moments,
        at=st.floats(0, 1),
        cut=st.integers(0, 3),
        put=st.lists(_EDITS, max_size=2).map("".join),
    )
    def test_an_edited_line_reads_as_the_decoding_reads_it(
        self, event: Event, recorded_at: datetime, at: float, cut: int, put: str
    ) -> None:
        """Characters replaced anywhere in a line: the same row, or the same error, as decoding gives."""
        line = export_line(entry(event, recorded_at=recorded_at))
        start = round(at * len(line))
        _same_reading(line[:start] + put + line[start + cut :])

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            pytest.param('"handle":"someone"', '"handle":""', id="empty handle"),
            pytest.param('"platform":"twitter"', '"platform":""', id="empty platform"),
            pytest.param('"lang":null', '"lang":""', id="empty lang"),
            pytest.param('"line":1', '"line":01', id="number with a leading zero"),
            pytest.param('"line":1', '"line":true', id="line a boolean"),
            pytest.param('"line":1', '"line":1.0', id="line a float"),
            pytest.param('"hashtags":[]', '"hashtags":[1]', id="a number among hashtags"),
            pytest.param('"hashtags":[]', '"hashtags":["a",]', id="trailing comma"),
            pytest.param('"Save #Aleppo now"', '"Save \\x now"', id="unknown escape"),
            pytest.param('"Save #Aleppo now"', '"Save \\ud83d now"', id="lone surrogate escape"),
            pytest.param('"Save #Aleppo now"', '"Save \x01 now"', id="raw control character"),
            pytest.param('"seq":1', '"seq":0', id="seq zero"),
            pytest.param('"id":"', '"id":"0', id="id too long"),
            pytest.param('"kind":"post.published"', '"kind":"post.liked"', id="unknown kind"),
            pytest.param('"precision":"second"', '"precision":"week"', id="unknown precision"),
            pytest.param(
                '"occurred_at":"2016-12-12T00:00:00Z"', '"occurred_at":"2016-12-12T00:00:00"', id="naive"
            ),
            pytest.param(
                '"occurred_at":"2016-12-12T00:00:00Z"', '"occurred_at":"2016-13-12T00:00:00Z"', id="month 13"
            ),
            pytest.param('"text":"Save #Aleppo now",', "", id="missing text"),
        ],
    )
    def test_a_line_almost_as_exported_reads_as_the_decoding_reads_it(self, old: str, new: str) -> None:
        """Values the model refuses, or JSON it cannot decode, are refused with the decoding's words."""
        line = export_line(entry(make_event(post_id="808")))
        assert EXPORTED_LINE.fullmatch(line) is not None
        assert old in line
        _same_reading(line.replace(old, new, 1))

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            pytest.param('"Save #Aleppo now"', '"Save #Aleppo now\\u00e9"', id="a \\u escape"),
            pytest.param('"Save #Aleppo now"', '"Save \\/ #Aleppo now"', id="an escaped slash"),
            pytest.param('"hashtags":[]', '"hashtags":["a","b"]', id="two hashtags"),
            pytest.param('"line":1', '"line":-12', id="a negative line"),
            pytest.param('"lang":null', '"lang":"ar"', id="a language"),
            pytest.param('"format":"article"', '"format":"a\\"b\\\\c"', id="escaped quote and backslash"),
            pytest.param('"path":"posts.txt"', '"path":""', id="empty path"),
            pytest.param('"post":{', '"post":{"likes":1,', id="an extra key"),
            pytest.param("}}", "}}\r\n ", id="trailing whitespace"),
        ],
    )
    def test_lines_in_other_spellings_read_as_the_decoding_reads_them(self, old: str, new: str) -> None:
        """Valid lines the pattern leaves to the decoding, or takes itself, give the decoding's row."""
        line = export_line(entry(make_event(post_id="808")))
        edited = line.replace(old, new, 1)
        _same_reading(
            edited.replace('"id":"' + event_id(make_event(post_id="808")), '"id":"' + _id_of(edited))
        )

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            pytest.param('"text":"Save #Aleppo now"', '"text":"Save \\/ #Aleppo now"', id="escaped slash"),
            pytest.param('"line":1', '"line":-0', id="minus zero"),
        ],
    )
    def test_a_body_in_another_spelling_is_stored_as_the_decoding_stores_it(self, old: str, new: str) -> None:
        """A valid body spelled otherwise than canonically gives the decoding's body, even when a
        "post" among its values makes the decoding write the body anew."""
        line = export_line(entry(make_event(post_id="808", hashtags=("post",))))
        _same_reading(line.replace(old, new, 1))

    @pytest.mark.parametrize("field", ['"seq":1', '"line":1'])
    def test_a_number_too_long_for_python_is_a_codec_error(self, field: str) -> None:
        """A number of more digits than Python converts is one CodecError line, both ways."""
        line = export_line(entry(make_event(post_id="808")))
        name = field.split(":", maxsplit=1)[0]
        edited = line.replace(field, f"{name}:{'1' * 5000}", 1)
        with pytest.raises(CodecError, match=r"^a number has more than 4,300 digits$"):
            restore_row(edited)
        _same_reading(edited)

    def test_the_row_takes_the_groups_in_their_order(self) -> None:
        """The pattern's groups come in the order in which `_exported_row` unpacks them."""
        assert list(EXPORTED_LINE.groupindex) == [
            "id",
            "kind",
            "occurred",
            "precision",
            "recorded",
            "body",
            "native_id",
            "platform",
            "path",
        ]


def _id_of(line: str) -> str:
    """The id the content of `line` has (its claimed id is ignored)."""
    record = json.loads(line)
    del record["id"]
    return restore_line(json.dumps(record)).id


def _record() -> dict[str, Any]:
    """The export record of the default event, to be changed by a test."""
    record: dict[str, Any] = json.loads(export_line(entry(make_event())))
    return record
