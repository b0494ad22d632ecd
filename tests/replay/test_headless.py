"""Headless play end to end: text and JSONL output, range, paused, loop, closed pipes and Ctrl-C."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events import demo
from events.codec import post_body
from events.ingest.driver import ingest
from events.ingest.formats import IMPORTERS
from events.model import Kind, Precision, from_micros, to_micros
from events.store import Log
from replay.headless import play
from replay.lines import TimeLabels, headline, one_line
from tests.conftest import DAY, TRICKY_TEXT, make_event, posts
from tests.replay.logs import build

ROOT = Path(__file__).resolve().parents[2]


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    """Sixty posts a minute apart, with a repost, an edit and a delete among them."""
    events = [
        make_event(f"post {i}", at=DAY + seconds(60 * i), post_id=str(i), handle=f"user{i % 7}")
        for i in range(60)
    ]
    events.append(make_event("again", at=DAY + seconds(90), kind=Kind.REPOSTED, post_id="r", repost_of="1"))
    events.append(make_event("post 2, fixed", at=DAY + seconds(150), kind=Kind.EDITED, post_id="2"))
    events.append(make_event("", at=DAY + seconds(210), kind=Kind.DELETED, post_id="3"))
    return build(tmp_path / "synthetic.log", events)


def played(path: Path, **options: object) -> list[str]:
    out = io.StringIO()
    options.setdefault("speed", None)
    assert play(path, out=out, **options) == 0  # type: ignore[arg-type]
    return out.getvalue().splitlines()


class TestText:
    def test_every_post_once_in_time_order(self, synthetic: Path) -> None:
        """Text output has one line per event, in time order, time at its precision then @handle."""
        lines = played(synthetic)
        assert len(lines) == 63
        assert lines[0] == "12 Dec 2016 00:00:00  @user0  post 0"
        assert lines[2] == "12 Dec 2016 00:01:30  @someone  [repost] again"
        assert "12 Dec 2016 00:02:30  @someone  [edit] post 2, fixed" in lines
        assert "12 Dec 2016 00:03:30  @someone  [deleted] " in lines
        assert lines[-1] == "12 Dec 2016 00:59:00  @user3  post 59"

    def test_range(self, synthetic: Path) -> None:
        """--from and --until keep only the posts in [from, until)."""
        lines = played(synthetic, since=DAY + seconds(600), until=DAY + seconds(720))
        assert [line.split("  ")[2] for line in lines] == ["post 10", "post 11"]

    def test_day_precision_shows_only_the_date(self, tmp_path: Path) -> None:
        """A post known only to the day shows its date, never an invented time of day."""
        path = build(tmp_path / "day.log", [make_event("a", precision=Precision.DAY, post_id="a")])
        assert played(path) == ["12 Dec 2016  @someone  a"]

    def test_post_text_cannot_drive_the_terminal(self, tmp_path: Path) -> None:
        """Line breaks, escapes and other controls in a post come out as visible, inert marks."""
        text = "one\ntwo\r\nthree\x1b[31mred\x07\tend\u2028[bold]x[/bold]"
        path = build(tmp_path / "escape.log", [make_event(text, handle="evil\x1b]0;title\x07")])
        (line,) = played(path)
        assert "\x1b" not in line and "\x07" not in line and "\r" not in line
        assert line == "12 Dec 2016 00:00:00  @evil␛]0;title␇  one⏎two⏎three␛[31mred␇ end⏎[bold]x[/bold]"

    def test_at_1x_posts_come_when_due(self, tmp_path: Path) -> None:
        """At a finite speed headless play waits for each post (here 100x over 2 s of log)."""
        events = [make_event(f"p{i}", at=DAY + seconds(i), post_id=str(i)) for i in range(3)]
        path = build(tmp_path / "slow.log", events)
        assert len(played(path, speed=100.0)) == 3


class TestJsonl:
    def test_lines_are_the_export_format(self, synthetic: Path) -> None:
        """JSONL output is exactly `log export`'s lines, in time order."""
        lines = played(synthetic, output_format="jsonl")
        with Log.open(synthetic, readonly=True) as log:
            exported = {json.loads(line)["seq"]: line for line in log.export_lines()}
        order = [json.loads(line)["seq"] for line in lines]
        assert lines == [exported[seq] for seq in order]
        times = [(json.loads(line)["occurred_at"], json.loads(line)["seq"]) for line in lines]
        assert times == sorted(times) and len(lines) == 63

    def test_range_in_the_middle_keeps_the_chain_links(self, synthetic: Path) -> None:
        """Each line's `prev` is the hash of the entry before it in the log, wherever playing starts."""
        lines = played(synthetic, output_format="jsonl", since=DAY + seconds(1200))
        with Log.open(synthetic, readonly=True) as log:
            for line in lines:
                record = json.loads(line)
                assert record["prev"] == log.hash_before(record["seq"]).hex()


class TestPausedAndLoop:
    def test_paused_writes_the_state_at_the_start_and_returns(self, synthetic: Path) -> None:
        """Paused, play writes the posts visible at the start position, oldest first, and ends."""
        lines = played(synthetic, paused=True, since=DAY + seconds(240))
        assert [line.split("  ", 2)[2] for line in lines] == [
            "post 0",
            "post 1",
            "[repost] again",
            "post 2, fixed",
        ]  # post 3 was deleted; post 4 is at the start itself, not before it

    def test_paused_at_the_very_start_writes_nothing(self, synthetic: Path) -> None:
        """Before the first post nothing has been posted yet."""
        assert played(synthetic, paused=True) == []

    def test_paused_jsonl_writes_the_entries(self, synthetic: Path) -> None:
        """Paused with JSONL, the visible posts come out as export lines."""
        lines = played(synthetic, paused=True, since=DAY + seconds(100), output_format="jsonl")
        assert [json.loads(line)["post"]["text"] for line in lines] == ["post 0", "post 1", "again"]

    def test_paused_jsonl_lines_are_the_logs_own(self, synthetic: Path) -> None:
        """Each line is the entry exactly as the export writes it, an edited post's included."""
        lines = played(synthetic, paused=True, since=DAY + seconds(240), output_format="jsonl")
        with Log.open(synthetic, readonly=True) as log:
            exported = set(log.export_lines())
        assert len(lines) == 4 and all(line in exported for line in lines)
        assert json.loads(lines[-1])["post"]["text"] == "post 2"  # its edit is an entry of its own

    def test_loop_plays_again_until_the_reader_stops(self, synthetic: Path) -> None:
        """With loop the range repeats; a closed pipe then ends play with exit code 0."""
        out = LimitedPipe(lines=150)
        assert play(synthetic, speed=None, loop=True, until=DAY + seconds(60 * 10), out=out) == 0
        lines = out.getvalue().splitlines()
        period = lines.index(lines[0], 1)
        assert period == 13  # ten posts, a repost, an edit and a delete in the first ten minutes
        assert lines[:period] == lines[period : 2 * period] == lines[2 * period : 3 * period]


class LimitedPipe(io.StringIO):
    """A stream whose reader goes away after `lines` lines, like `| head`."""

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.limit = lines

    def write(self, text: str) -> int:
        if self.getvalue().count("\n") >= self.limit:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)

    def fileno(self) -> int:
        raise io.UnsupportedOperation("no file descriptor")


class Interrupting(io.StringIO):
    """A stream during whose first write the user presses Ctrl-C."""

    def write(self, text: str) -> int:
        raise KeyboardInterrupt


class TestEndings:
    def test_closed_pipe_ends_quietly(self, synthetic: Path) -> None:
        """A reader that goes away mid-play ends it with exit code 0."""
        out = LimitedPipe(lines=5)
        assert play(synthetic, speed=None, out=out) == 0
        assert out.getvalue().count("\n") >= 5

    def test_ctrl_c_stops_cleanly(self, synthetic: Path) -> None:
        """KeyboardInterrupt during play ends it with exit code 0."""
        assert play(synthetic, speed=None, out=Interrupting()) == 0

    def test_other_errors_are_not_swallowed(self, synthetic: Path) -> None:
        """An unexpected error still surfaces, as itself."""

        class Failing(io.StringIO):
            def write(self, text: str) -> int:
                raise RuntimeError("disk on fire")

        with pytest.raises(RuntimeError, match="disk on fire"):  # itself, not in an exception group
            play(synthetic, speed=None, out=Failing())

    def test_unknown_format_is_refused(self, synthetic: Path) -> None:
        """An output format other than text or jsonl fails with a clear message."""
        with pytest.raises(ValueError, match="output format must be 'text' or 'jsonl'"):
            play(synthetic, output_format="xml", out=io.StringIO())  # type: ignore[arg-type]


def _player(path: Path, speed: str) -> list[str]:
    code = "import sys; from replay.headless import play; "
    code += f"sys.exit(play({str(path)!r}, speed={speed}, out=sys.stdout))"
    return [sys.executable, "-c", code]


@pytest.mark.parametrize("attempt", range(8))  # the lost error depended on which task ran first
def test_an_error_while_playing_is_raised_not_lost(
    synthetic: Path, monkeypatch: pytest.MonkeyPatch, attempt: int
) -> None:
    """A failure inside the scheduler reaches the caller every time, never an early, quiet exit 0."""

    def broken(self: object, now: float) -> None:
        raise RuntimeError("the log broke")

    monkeypatch.setattr("replay.transport.Transport.take", broken)
    with pytest.raises(RuntimeError, match="the log broke"):
        play(synthetic, speed=None, out=io.StringIO())


def test_head_on_a_real_pipe_ends_quietly(synthetic: Path) -> None:
    """`play | head -1` on a real pipe: exit code 0 and nothing on stderr."""
    child = subprocess.Popen(
        _player(synthetic, "None"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=_env()
    )
    assert child.stdout is not None and child.stderr is not None
    first = child.stdout.readline()
    child.stdout.close()  # the reader goes away, as head does
    assert child.wait(timeout=60) == 0
    assert first.startswith(b"12 Dec 2016 00:00:00")
    assert child.stderr.read() == b""


def test_sigint_on_a_real_process_stops_cleanly(synthetic: Path) -> None:
    """Ctrl-C (SIGINT) during play at 1x: exit code 0, no traceback."""
    child = subprocess.Popen(
        _player(synthetic, "1.0"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=_env()
    )
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline().startswith(b"12 Dec 2016 00:00:00")  # playing, waiting for the next
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=60) == 0
    assert child.stderr.read() == b""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.mark.skipif("article" not in IMPORTERS, reason="the article importer is not registered yet")
def test_the_seed_demo_plays_in_order_at_its_real_precision(tmp_path: Path) -> None:
    """The demo articles' posts play in (date, source order), each shown with its date only."""
    with Log.open(tmp_path / "demo.log", create=True) as log:
        report = ingest(log, [str(path) for path in demo.documents()], format_name="article")
    lines = played(tmp_path / "demo.log")
    assert len(lines) == report.new > 0
    dates = [datetime.strptime(line.split("  ")[0], "%d %b %Y").replace(tzinfo=UTC) for line in lines]
    assert dates == sorted(dates)
    assert all(line.split("  ")[1].startswith("@") for line in lines)
    assert any("@AlabedBana" in line for line in lines)


@pytest.mark.skipif("article" not in IMPORTERS, reason="the article importer is not registered yet")
def test_the_seed_demo_as_jsonl_round_trips(tmp_path: Path) -> None:
    """The demo played as JSONL reads back through the jsonl importer into the same events."""
    with Log.open(tmp_path / "demo.log", create=True) as log:
        ingest(log, [str(path) for path in demo.documents()], format_name="article")
    (tmp_path / "demo.jsonl").write_text(
        "\n".join(played(tmp_path / "demo.log", output_format="jsonl")) + "\n"
    )
    with Log.open(tmp_path / "copy.log", create=True) as copy, Log.open(tmp_path / "demo.log") as original:
        ingest(copy, [str(tmp_path / "demo.jsonl")], format_name="jsonl")
        assert {e.id for e in copy.entries()} == {e.id for e in original.entries()}


# -- the line renderer ----------------------------------------------------------------------------


@given(post=posts)
def test_headline_reads_what_the_codec_wrote(post: object) -> None:
    """For any post, the fast reader finds the same handle and text as a full decode."""
    from events.model import Post

    assert isinstance(post, Post)
    assert headline(post_body(post)) == (post.author.handle, post.text)


def test_headline_reads_a_doubled_handle_as_json_does() -> None:
    """A body naming the handle twice shows the one every other reader sees: the last."""
    body = '{"author":{"handle":"FAKE","handle":"someone","name":null},"platform":"x","text":"hi"}'
    assert headline(body) == ("someone", "hi")


def test_headline_falls_back_on_other_shapes() -> None:
    """A body not in canonical form (spaces, other key order) is decoded whole."""
    assert headline('{"text": "hi", "author": {"handle": "x"}}') == ("x", "hi")
    assert headline('{"author":{"handle":"x"},"text":"a\\"b","urls":[]}') == ("x", 'a"b')


@given(
    moment=st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    precision=st.sampled_from(Precision),
)
def test_time_labels_match_the_model(moment: datetime, precision: Precision) -> None:
    """Cached time labels are exactly Precision.format of the time."""
    micros = to_micros(precision.truncate(moment))
    assert TimeLabels()(micros, precision.value) == precision.format(from_micros(micros))


@given(text=st.lists(st.sampled_from(TRICKY_TEXT) | st.text(), max_size=6).map("".join))
def test_one_line_leaves_no_control_characters(text: str) -> None:
    """After one_line, no line break and no C0/C1 control is left; printable text is unchanged."""
    shown = one_line(text)
    assert not any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in shown)
    assert "\u2028" not in shown and "\u2029" not in shown
    if text.isprintable():
        assert shown == text


def test_one_line_drops_bidi_overrides() -> None:
    """Embeddings, overrides and isolates, which would reorder the line, are dropped; marks stay."""
    assert one_line("abc\u202edef\u2066x\u2069 \u200f ok") == "abcdefx \u200f ok"
