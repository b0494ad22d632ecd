"""The `replay` command end to end: ingest, log info / verify / export, one-line errors, and help."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from attrs import frozen

from events import demo, schema
from events.errors import EventsError
from events.store import Log
from replay.cli import demo_log, main
from tests.conftest import make_event, tamper

SEED = next(path for path in demo.documents() if path.name.startswith("001_"))
"""The one seed article that quotes posts with attributions (the other two quote none)."""
SEED_NAME = f"demo/{SEED.name}"
"""What `ingest --demo` calls that article in the log and in messages, wherever replay is installed."""


@frozen
class Result:
    """What one run of the command did: exit code, stdout and stderr."""

    code: int
    out: str
    err: str


Cli = Callable[..., Result]


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's cache, where the demo log is built, kept inside the test's directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run `replay ARGS...` in-process and collect its exit code and output."""

    def run(*argv: str | Path) -> Result:
        capsys.readouterr()
        try:
            code = main([str(arg) for arg in argv])
        except SystemExit as exc:  # argparse exits for --help and usage errors
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
        captured = capsys.readouterr()
        return Result(code=code, out=captured.out, err=captured.err)

    return run


@pytest.fixture
def demo_path(tmp_path: Path, cli: Cli) -> Path:
    """A log built by `replay ingest --demo`."""
    path = tmp_path / "demo.log"
    assert cli("ingest", "--demo", "--log", path).code == 0
    return path


def head(path: Path) -> str:
    """The head hash of the log at `path`."""
    with Log.open(path, readonly=True) as log:
        return log.head()


def one_error_line(result: Result) -> str:
    """The single stderr line of a failed command, checked to be the one-line form users see."""
    assert result.code == 2, result
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("replay: "), result.err
    return lines[0]


class TestIngest:
    """`replay ingest`: what it prints and appends."""

    def test_demo(self, tmp_path: Path, cli: Cli) -> None:
        """The demo ingest reports 9 new posts, the unattributed quote with file and line, and the head."""
        path = tmp_path / "aleppo.log"
        result = cli("ingest", "--demo", "--log", path)
        assert (result.code, result.err) == (0, "")
        lines = result.out.splitlines()
        assert lines[0] == "9 posts found: 9 new, 0 already in the log"
        assert re.fullmatch(
            rf"warning: {re.escape(SEED_NAME)}:29: looks like a quoted post but has no attribution: "
            r"'Call & message your representatives.*'",
            lines[1],
        )
        assert lines[-1] == f"log {path}: head {head(path)[:16]}"

    def test_second_ingest_adds_nothing(self, demo_path: Path, cli: Cli) -> None:
        """Ingesting the demo again appends nothing and says so; the head does not move."""
        before = head(demo_path)
        result = cli("ingest", "--demo", "--log", demo_path)
        assert result.code == 0
        assert result.out.splitlines()[0] == "9 posts found: 0 new, 9 already in the log"
        assert head(demo_path) == before

    def test_named_source(self, tmp_path: Path, cli: Cli) -> None:
        """A seed article named as SOURCE is detected as an article."""
        result = cli("ingest", SEED, "--log", tmp_path / "one.log")
        assert result.out.startswith("9 posts found: 9 new, 0 already in the log\n")

    def test_stdin(self, demo_path: Path, tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
        """ "-" reads an export piped on standard input."""
        exported = cli("log", "export", demo_path).out
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(exported.encode())))
        result = cli("ingest", "-", "--format", "jsonl", "--log", tmp_path / "copy.log")
        assert result.code == 0
        assert result.out.startswith("9 posts found: 9 new, 0 already in the log\n")
        assert head(tmp_path / "copy.log") == head(demo_path)

    def test_skip_bad(self, demo_path: Path, tmp_path: Path, cli: Cli) -> None:
        """With --skip-bad the good records go in and the bad ones are listed by line."""
        lines = cli("log", "export", demo_path).out.splitlines()
        lines[1] = lines[1][:50]
        damaged = tmp_path / "damaged.jsonl"
        damaged.write_text("\n".join(lines) + "\n")
        result = cli("ingest", damaged, "--skip-bad", "--log", tmp_path / "copy.log")
        assert result.code == 0
        assert result.out.splitlines()[0] == "8 posts found: 8 new, 0 already in the log"
        assert f"skipped 1 bad record ({damaged}:2); first: {damaged}:2: not valid JSON" in result.out


class TestLog:
    """`replay log info`, `verify` and `export`."""

    def test_info(self, demo_path: Path, cli: Cli) -> None:
        """info shows the count, the time span, kinds, sources, ingests and the full head hash."""
        result = cli("log", "info", demo_path)
        assert (result.code, result.err) == (0, "")
        assert result.out.splitlines() == [
            f"log      {demo_path}",
            "events   9",
            "span     2016-12-12T00:00:00+00:00 .. 2016-12-13T00:00:00+00:00",
            "kind     post.published: 9",
            f"source   {SEED_NAME}: 9",
            "ingests  1",
            f"head     {head(demo_path)}",
        ]

    def test_info_shows_source_names_literally(self, tmp_path: Path, cli: Cli) -> None:
        """A source path holding terminal escapes (from an export anyone may write) is shown, not obeyed."""
        path = tmp_path / "escapes.log"
        with Log.open(path, create=True) as log:
            log.append([make_event("hi", post_id="1", path="\x1b]0;pwned\x07\x1b[41mX")])
        result = cli("log", "info", path)
        assert result.code == 0 and "pwned" in result.out
        assert "\x1b" not in result.out and "\x07" not in result.out

    def test_verify_intact(self, demo_path: Path, cli: Cli) -> None:
        """verify exits 0 on an untouched log."""
        result = cli("log", "verify", demo_path)
        assert (result.code, result.out, result.err) == (
            0,
            "intact: 9 events, every hash and link checks out\n",
            "",
        )

    def test_verify_tampered(self, demo_path: Path, cli: Cli) -> None:
        """verify exits 1 on a log changed behind its back and names the first bad position."""
        tamper(demo_path, "UPDATE events SET body = replace(body, 'goodbye', 'hello') WHERE seq = 5")
        result = cli("log", "verify", demo_path)
        assert result.code == 1
        assert result.err == f"{demo_path}: damaged at position 5: id does not match\n"

    def test_export(self, demo_path: Path, cli: Cli) -> None:
        """export writes one JSON object per event, in log order, with every field of the format."""
        result = cli("log", "export", demo_path)
        assert (result.code, result.err) == (0, "")
        records = [json.loads(line) for line in result.out.splitlines()]
        assert [r["seq"] for r in records] == list(range(1, 10))
        for record in records:
            assert {"seq", "id", "kind", "occurred_at", "precision", "recorded_at", "prev", "post"} <= set(
                record
            )
            assert record["precision"] == "day"
            assert record["occurred_at"] in ("2016-12-12T00:00:00Z", "2016-12-13T00:00:00Z")
            assert set(record["post"]["author"]) == {"handle", "name"}
        with Log.open(demo_path) as log:
            assert result.out == "".join(line + "\n" for line in log.export_lines())

    @pytest.mark.parametrize(
        ("options", "seqs"),
        [
            (["--from", "2016-12-13"], [1, 8]),
            (["--until", "2016-12-13"], [2, 3, 4, 5, 6, 7, 9]),
            (["--from", "2016-12-12", "--until", "2016-12-12T00:00:00.000001Z"], [2, 3, 4, 5, 6, 7, 9]),
            (["--from", "2016-12-14"], []),
        ],
    )
    def test_export_window(self, demo_path: Path, cli: Cli, options: list[str], seqs: list[int]) -> None:
        """--from and --until keep the events in [from, until), in log order."""
        result = cli("log", "export", demo_path, *options)
        assert result.code == 0
        assert [json.loads(line)["seq"] for line in result.out.splitlines()] == seqs

    def test_export_to_file(self, demo_path: Path, tmp_path: Path, cli: Cli) -> None:
        """-o writes the export to a file instead of stdout."""
        output = tmp_path / "day.jsonl"
        result = cli("log", "export", demo_path, "--from", "2016-12-13", "-o", output)
        assert (result.code, result.out, result.err) == (0, "", "")
        assert output.read_text() == cli("log", "export", demo_path, "--from", "2016-12-13").out

    def test_export_ingest_export(self, demo_path: Path, tmp_path: Path, cli: Cli) -> None:
        """export -> ingest into a new log -> export gives the same bytes and the same head."""
        first = tmp_path / "first.jsonl"
        assert cli("log", "export", demo_path, "-o", first).code == 0
        result = cli("ingest", first, "--log", tmp_path / "copy.log")
        assert result.out.splitlines()[0] == "9 posts found: 9 new, 0 already in the log"
        assert result.out.splitlines()[-1] == f"log {tmp_path / 'copy.log'}: head {head(demo_path)[:16]}"
        assert cli("log", "info", tmp_path / "copy.log").out.splitlines()[-1] == f"head     {head(demo_path)}"
        assert cli("log", "export", tmp_path / "copy.log").out == first.read_text()


# -- errors: one line on stderr, exit 2, the log unchanged ----------------------------------------


def _write(name: str, content: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return make


def _directory(folder: Path) -> Path:
    (folder / "folder").mkdir()
    return folder / "folder"


def _missing(folder: Path) -> Path:
    return folder / "missing.txt"


def _bad_record(folder: Path) -> Path:
    path = folder / "bad.jsonl"
    record = {"kind": "post.liked", "occurred_at": "2016-12-12T00:00:00Z", "precision": "day", "post": {}}
    path.write_text(json.dumps(record) + "\n")
    return path


def _broken_gzip() -> bytes:
    """A gzip stream of many lines with bytes in its middle changed: zlib finds it corrupt."""
    packed = bytearray(gzip.compress(b"".join(b'{"n": %d}\n' % n for n in range(5000))))
    packed[200:260] = bytes(60)
    return bytes(packed)


_INPUTS = [
    pytest.param(_missing, "missing.txt: no such file", id="missing file"),
    pytest.param(_directory, "folder: is a directory, not a file", id="directory"),
    pytest.param(_write("binary.dat", b"GIF89a\x00\x01"), "binary.dat:1: binary data", id="binary"),
    pytest.param(_write("latin1.txt", "café\n".encode("latin-1")), "latin1.txt:1: not UTF-8", id="non-UTF-8"),
    pytest.param(_write("empty.txt", b""), "empty.txt: is empty", id="empty"),
    pytest.param(_write("blank.txt", b"\n  \n"), "blank.txt: is empty", id="blank"),
    pytest.param(_write("notes.txt", b"just notes\n"), "notes.txt: cannot tell the format", id="unknown"),
    pytest.param(_bad_record, "bad.jsonl:1: kind must be one of", id="bad record"),
    pytest.param(
        _write("broken.jsonl.gz", _broken_gzip()), "broken.jsonl.gz: cannot decompress", id="corrupt gzip"
    ),
]


@pytest.mark.parametrize(("make", "message"), _INPUTS)
def test_bad_input_into_a_new_log(
    tmp_path: Path, cli: Cli, make: Callable[[Path], Path], message: str
) -> None:
    """A bad input is one line on stderr, exit 2, and the new log is not left behind."""
    log = tmp_path / "new.log"
    line = one_error_line(cli("ingest", make(tmp_path), "--log", log))
    assert message in line
    assert not log.exists()


@pytest.mark.parametrize(("make", "message"), _INPUTS)
def test_bad_input_into_an_existing_log(
    demo_path: Path, tmp_path: Path, cli: Cli, make: Callable[[Path], Path], message: str
) -> None:
    """A bad input, even after a good one, is one line, exit 2, and the log is byte for byte unchanged."""
    before = demo_path.read_bytes()
    result = cli("ingest", SEED, make(tmp_path), "--log", demo_path)
    assert message in one_error_line(result)
    assert result.out == ""
    assert demo_path.read_bytes() == before


def test_bad_input_into_an_empty_file(tmp_path: Path, cli: Cli) -> None:
    """A failed first ingest into an existing empty file leaves it empty, not a log."""
    log = tmp_path / "empty.log"
    log.write_bytes(b"")
    one_error_line(cli("ingest", _bad_record(tmp_path), "--log", log))
    assert log.read_bytes() == b""


def test_input_text_in_messages_reaches_no_terminal(tmp_path: Path, cli: Cli) -> None:
    """Escape sequences quoted from the input, in errors and in the report, are shown as symbols."""
    hostile = tmp_path / "hostile.jsonl"
    good = {
        "id_str": "1",
        "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "text": "hi",
        "user": {"screen_name": "a"},
    }
    hostile.write_text(json.dumps(good) + "\n" + json.dumps({"\x1b]0;pwned\x07\x1b[2J": 1}) + "\n")
    result = cli("ingest", hostile, "--log", tmp_path / "a.log", "--format", "twitter-v1")
    assert result.code == 0 and "ignored 1 ×" in result.out
    assert "\x1b" not in result.out + result.err and "\x07" not in result.out + result.err
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"kind": "\x1b[2J", "occurred_at": "x", "precision": "day", "post": {}}) + "\n")
    assert "\x1b" not in one_error_line(cli("ingest", bad, "--log", tmp_path / "b.log"))


def _other_file(folder: Path) -> Path:
    path = folder / "notes.db"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.commit()
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(_write("notes.txt", b"just notes\n" * 20), "notes.txt: not a replay log", id="text"),
        pytest.param(_other_file, "notes.db: not a replay log", id="other app's database"),
        pytest.param(_directory, "folder: is a directory, not a log", id="directory"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [["ingest", "--demo", "--log"], ["log", "info"], ["log", "verify"], ["log", "export"]],
    ids=["ingest", "info", "verify", "export"],
)
def test_not_a_log(
    tmp_path: Path, cli: Cli, make: Callable[[Path], Path], message: str, command: list[str]
) -> None:
    """Every command given a file that is not a log says so in one line, exit 2, and leaves it alone."""
    path = make(tmp_path)
    before = None if path.is_dir() else path.read_bytes()
    assert message in one_error_line(cli(*command, path))
    assert before is None or path.read_bytes() == before


@pytest.mark.parametrize("command", [["log", "info"], ["log", "verify"], ["log", "export"]])
def test_missing_log(tmp_path: Path, cli: Cli, command: list[str]) -> None:
    """Reading a log that does not exist is one line, exit 2, and does not create it."""
    path = tmp_path / "missing.log"
    assert one_error_line(cli(*command, path)) == f"replay: {path}: no such log"
    assert not path.exists()


def test_locked_log(demo_path: Path, cli: Cli) -> None:
    """Ingesting into a log another writer holds is one line saying "locked", and changes nothing."""
    before = demo_path.read_bytes()
    with closing(sqlite3.connect(demo_path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        result = cli("ingest", SEED, "--log", demo_path)
        other.execute("ROLLBACK")
    assert one_error_line(result).startswith(f"replay: {demo_path}: locked by another writer")
    assert demo_path.read_bytes() == before


def test_reading_while_another_writer_is_busy(demo_path: Path, cli: Cli) -> None:
    """A write transaction elsewhere does not stop `log info` or `log verify` from reading."""
    with closing(sqlite3.connect(demo_path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        info, verify = cli("log", "info", demo_path), cli("log", "verify", demo_path)
        other.execute("ROLLBACK")
    assert (info.code, verify.code) == (0, 0)
    assert "events   9\n" in info.out


def test_demo_with_a_source(tmp_path: Path, cli: Cli) -> None:
    """`ingest --demo` with a SOURCE as well is refused in one line, and creates no log."""
    line = one_error_line(cli("ingest", "--demo", SEED, "--log", tmp_path / "new.log"))
    assert line.startswith("replay: --demo takes no SOURCE")
    assert not (tmp_path / "new.log").exists()


def test_nothing_to_ingest(tmp_path: Path, cli: Cli) -> None:
    """`ingest` with no source is one line saying what to give, and creates no log."""
    line = one_error_line(cli("ingest", "--log", tmp_path / "new.log"))
    assert line.startswith("replay: nothing to ingest")
    assert not (tmp_path / "new.log").exists()


def test_export_to_a_missing_directory(demo_path: Path, tmp_path: Path, cli: Cli) -> None:
    """An -o file that cannot be created is one line naming it."""
    output = tmp_path / "nowhere" / "out.jsonl"
    assert one_error_line(cli("log", "export", demo_path, "-o", output)) == (
        f"replay: {output}: No such file or directory"
    )


@pytest.mark.parametrize("command", [["log", "export"], ["play", "--headless"]], ids=["export", "play"])
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--from", "2016-12-13", "--until", "2016-12-12"],
            "--until (2016-12-12 00:00:00) must be after --from",
        ),
        (["--from", "2016-12-13", "--until", "2016-12-13"], "must be after --from"),
        (["--from", "9999-12-31T23:00-05:00"], "time out of range"),
        (["--until", "0001-01-01T00:00+01:00"], "time out of range"),
    ],
    ids=["reversed", "empty", "after 9999", "before year 1"],
)
def test_bad_range(demo_path: Path, cli: Cli, command: list[str], options: list[str], message: str) -> None:
    """A range that is empty, reversed or out of range is one line and exit 2, for play and export."""
    args = (
        [*command, demo_path, *options]
        if command[0] == "log"
        else ["play", demo_path, "--headless", *options]
    )
    assert message in one_error_line(cli(*args))


@pytest.mark.parametrize("value", ["inf", "nan", "1e309", "0", "-1"])
def test_bad_max_gap(demo_path: Path, cli: Cli, value: str) -> None:
    """A gap limit that is not a finite number above 0 is one line and exit 2."""
    assert "gap limit" in one_error_line(cli("play", demo_path, "--headless", "--max-gap", value))


@pytest.mark.parametrize(
    "sql",
    [
        """UPDATE events SET body = '{"author":{"handle":"x"}}' WHERE seq = 2""",
        "UPDATE events SET body = CAST(body AS BLOB) WHERE seq = 2",
        "UPDATE events SET body = '{not json' WHERE seq = 2",
    ],
    ids=["fields missing", "stored as a blob", "not JSON"],
)
@pytest.mark.parametrize(
    "mode", [["--speed", "max"], ["--paused", "--from", "2016-12-13"]], ids=["max", "paused"]
)
def test_play_of_a_damaged_log(demo_path: Path, tmp_path: Path, cli: Cli, sql: str, mode: list[str]) -> None:
    """A body changed in the file is one line pointing at verify, exit 2, never a traceback."""
    damaged = tmp_path / "damaged.log"
    shutil.copyfile(demo_path, damaged)
    tamper(damaged, sql)
    assert "run replay log verify" in one_error_line(cli("play", damaged, "--headless", *mode))


def test_export_onto_a_hard_link_of_the_log(demo_path: Path, tmp_path: Path, cli: Cli) -> None:
    """Another name for the log file is the log itself: refused, and the log is untouched."""
    before = demo_path.read_bytes()
    link = tmp_path / "link.log"
    os.link(demo_path, link)
    assert "is the log itself" in one_error_line(cli("log", "export", demo_path, "-o", link))
    assert demo_path.read_bytes() == before


@pytest.mark.parametrize("option", ["--from", "--until"])
def test_bad_time(demo_path: Path, cli: Cli, option: str) -> None:
    """A --from or --until that is not a time is one line naming the option and the text, exit 2."""
    line = one_error_line(cli("log", "export", demo_path, option, "yesterday"))
    assert option in line
    assert "not a time: 'yesterday'" in line


def test_export_onto_the_log_itself(demo_path: Path, cli: Cli) -> None:
    """Exporting a log over its own file is refused in one line and the log is left intact."""
    before = demo_path.read_bytes()
    result = cli("log", "export", demo_path, "-o", demo_path)
    assert demo_path.read_bytes() == before
    one_error_line(result)


# -- help --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [[], ["ingest"], ["log"], ["log", "info"], ["log", "verify"], ["log", "export"]],
    ids=["replay", "ingest", "log", "info", "verify", "export"],
)
def test_help(cli: Cli, command: list[str]) -> None:
    """--help on every command exits 0 and shows usage with examples."""
    result = cli(*command, "--help")
    assert result.code == 0
    assert result.out.startswith("usage: replay")
    assert "examples:\n  replay " in result.out


def test_installed_command() -> None:
    """The installed `replay` console script runs and prints its help."""
    script = shutil.which("replay", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the replay console script is not installed beside this Python")
    done = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: replay")
    assert "examples:" in done.stdout


def test_an_interrupted_first_build_of_the_demo_leaves_nothing_behind(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the demo is first built leaves no log in the cache; the next run builds it whole."""

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("replay.cli.ingest", interrupted)
    with pytest.raises(KeyboardInterrupt):
        demo_log()
    assert list((cache / "replay").iterdir()) == []
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    with Log.open(demo_log(), readonly=True) as log:
        assert log.count() == 9


def test_demo_log_is_built_once_in_the_cache(cache: Path) -> None:
    """The built-in demo's log is built in the user's cache on first use and reused after."""
    path = demo_log()
    assert path.parent == cache / "replay"
    with Log.open(path, readonly=True) as log:
        assert log.count() == 9
    built = path.stat().st_mtime_ns
    assert demo_log() == path
    assert path.stat().st_mtime_ns == built


def test_interrupted_ingest_changes_nothing(
    demo_path: Path, tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during an ingest is one line, exit 130, the log byte for byte as it was."""
    before = demo_path.read_bytes()

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("events.store.Log._known_ids", interrupted)
    export = tmp_path / "all.jsonl"
    assert cli("log", "export", demo_path, "-o", export).code == 0
    for target in (tmp_path / "new.log", demo_path):
        result = cli("ingest", export, "--log", target)
        assert (result.code, result.err) == (130, "replay: interrupted; nothing was changed\n")
    assert not (tmp_path / "new.log").exists()
    assert demo_path.read_bytes() == before


@pytest.mark.parametrize(
    "argv",
    [
        ("log", "export", "{log}", "--from=--"),
        ("log", "export", "{log}", "-o=--"),
        ("play", "{log}", "--headless", "--until=--"),
        ("play", "{log}", "--headless", "--speed=--"),
        ("play", "{log}", "--headless", "--format=--"),
        ("ingest", "{log}", "--log=--"),
    ],
)
def test_an_option_given_only_dashes_is_a_usage_error(
    demo_path: Path, cli: Cli, argv: tuple[str, ...]
) -> None:
    """'--from=--' (which argparse turns into an empty list) is one usage line, not a traceback."""
    result = cli(*(arg.format(log=demo_path) for arg in argv))
    assert result.code == 2 and "expected one value" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    ("column", "value"),
    [("occurred_at", "abc"), ("occurred_at", 2**62), ("occurred_at", 1.5), ("precision", "fortnight")],
)
@pytest.mark.parametrize(
    "command", [("log", "info"), ("log", "export"), ("play", "--headless", "--speed", "max")], ids=str
)
def test_a_value_changed_in_the_file_is_one_line_pointing_at_verify(
    demo_path: Path, cli: Cli, column: str, value: object, command: tuple[str, ...]
) -> None:
    """A time or precision rewritten behind the triggers' back is never a traceback: a command that
    needs the value says so in one line naming verify (exit 2); one that does not, works."""
    tamper(demo_path, f"UPDATE events SET {column} = ? WHERE seq = 1", (value,))
    argv = (
        [*command[:2], str(demo_path), *command[2:]]
        if command[0] == "log"
        else [command[0], str(demo_path), *command[1:]]
    )
    result = cli(*argv)
    if result.code != 0:
        assert "run replay log verify" in one_error_line(result)


def test_a_failed_ingest_through_a_dangling_symlink_leaves_both_as_they_were(
    tmp_path: Path, cli: Cli
) -> None:
    """The link still points nowhere and no log was made where it points."""
    (tmp_path / "target").mkdir()
    link = tmp_path / "link.log"
    link.symlink_to(tmp_path / "target" / "new.log")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind":"post.published"}\n')
    assert cli("ingest", bad, "--format", "jsonl", "--log", link).code == 2
    assert link.is_symlink() and not (tmp_path / "target" / "new.log").exists()


@pytest.mark.parametrize("typed", ["10000.0000001", "0.09999999999", "20000x"])
def test_a_speed_out_of_range_is_quoted_as_typed(demo_path: Path, cli: Cli, typed: str) -> None:
    """The message shows the speed as given, not rounded into the range it is refused from."""
    result = cli("play", demo_path, "--headless", "--speed", typed)
    assert result.code == 2 and f"speed {typed} is outside 0.1..10000" in result.err


def test_a_report_that_cannot_be_written_says_the_log_changed(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With stdout on a full disk the ingest is still appended, and the one error line says so."""

    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(sys, "stdout", Full())
    path = tmp_path / "full.log"
    line = one_error_line(cli("ingest", "--demo", "--log", path))
    assert "9 new events were appended" in line and "No space left on device" in line
    with Log.open(path, readonly=True) as log:
        assert log.count() == 9


def test_a_failed_first_ingest_leaves_a_log_another_ingest_has_filled(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While this ingest (which made the log) reads a bad input, another fills the log: it stays."""
    path = tmp_path / "shared.log"

    def filled_by_another_then_bad(log: Log, *args: object, **kwargs: object) -> None:
        with Log.open(path) as other:
            other.append([make_event("from the other ingest", post_id="9")])
        raise EventsError("bad input")

    monkeypatch.setattr("replay.cli.ingest", filled_by_another_then_bad)
    assert cli("ingest", "--demo", "--log", path).code == 2
    with Log.open(path, readonly=True) as log:
        assert log.count() == 1


def test_two_first_ingests_at_once_both_find_one_log(tmp_path: Path) -> None:
    """When two processes make the same new log at once, the second finds the tables made."""
    path = tmp_path / "race.log"
    path.touch()
    with (
        closing(sqlite3.connect(path, isolation_level=None)) as first,
        closing(sqlite3.connect(path, isolation_level=None)) as second,
    ):
        assert schema._create(first) is True
        assert schema._create(second) is False
    with Log.open(path) as log:
        assert log.count() == 0
