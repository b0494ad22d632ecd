"""The `replay` command: argument parsing, one line per error, and exit codes."""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn, TextIO

from events import demo
from events.errors import EventsError
from events.ingest.driver import Report, ingest
from events.ingest.formats import names as format_names
from events.store import Log
from replay.launch import EXIT_INTERRUPTED
from replay.lines import one_line
from replay.timespec import TimeSpecError, parse_moment

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PROGRESS_AFTER_BYTES = 4 * 1024 * 1024  # smaller inputs finish before a bar would be read


class UsageError(Exception):
    """A mistake in what the user asked for; shown as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one "replay: ..." line and exit code 2, like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"replay: {message} (see {self.prog} --help)\n")


def _time(text: str) -> datetime:
    try:
        return parse_moment(text)
    except TimeSpecError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _speed(text: str) -> float | None:
    if text.lower() == "max":
        return None
    try:
        value = float(text.rstrip("xX"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a speed: {text!r} (a number like 60 or 0.5, or max)") from None
    if not 0.1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"speed {one_line(text)} is outside 0.1..10000 (or max)")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (0 < value < math.inf):  # NaN fails both
        raise argparse.ArgumentTypeError(f"the gap limit must be a number of seconds above 0, got {text!r}")
    return value


def demo_log() -> Path:
    """The built-in demo's log, built from the shipped articles on first use and kept in the cache."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "replay"
    cache.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    for document in demo.documents():
        digest.update(document.read_bytes())
    path = cache / f"demo-{digest.hexdigest()[:12]}.log"
    if not path.exists():
        # Built under a private name and renamed into place: an interrupted first run, or two at
        # once, never leave a half-built demo where the next run would take it as it is.
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        try:
            with Log.open(partial, create=True) as log:
                ingest(log, [str(p) for p in demo.documents()], format_name="article", names=demo.names())
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return path


# -- ingest -----------------------------------------------------------------------------------


def _progress(stream: TextIO) -> tuple[Callable[[int, int | None], None], Callable[[], None]]:
    """A rich progress bar on a terminal; nothing when piped."""
    if not stream.isatty():
        return (lambda done, total: None), (lambda: None)
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    progress = Progress(
        "[progress.description]ingesting",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(file=stream),
        transient=True,
    )
    task = progress.add_task("ingest", total=None)
    started = False

    def update(done: int, total: int | None) -> None:
        nonlocal started
        if not started and (total is None or total > PROGRESS_AFTER_BYTES):
            progress.start()
            started = True
        progress.update(task, completed=done, total=total)

    return update, progress.stop


def _ingest(args: argparse.Namespace) -> int:
    sources, names, format_name = list(args.sources), list(args.sources), args.format
    if args.demo:
        if sources:
            raise UsageError("--demo takes no SOURCE: ingest other files with a second command")
        sources, names, format_name = [str(p) for p in demo.documents()], demo.names(), "article"
    if sources.count("-") > 1:
        raise UsageError("stdin (-) can be read only once")
    if not sources:
        raise UsageError("nothing to ingest: name at least one SOURCE (or - for stdin), or --demo")
    update, stop = _progress(sys.stderr)
    log_path = Path(args.log).resolve()  # through a symlink: the file it names is what is made
    was_file = log_path.exists()
    undo = False
    try:
        with Log.open(args.log, create=True) as log:
            try:
                report = ingest(
                    log,
                    sources,
                    format_name=format_name,
                    names=names,
                    skip_bad=args.skip_bad,
                    on_progress=update,
                )
            except BaseException:
                # A failed first ingest leaves the file as it found it (none, or an empty one),
                # but only if this process made the log and nothing has been appended to it since:
                # another ingest may have filled a log made here, or made the one this one found.
                undo = log.created and log.count() == 0
                raise
    except BaseException:
        if undo and was_file:
            log_path.write_bytes(b"")
        elif undo:
            log_path.unlink(missing_ok=True)
        raise
    finally:
        stop()
    try:
        _print_report(report, args.log)
    except BrokenPipeError:
        raise
    except OSError as exc:  # a full disk under stdout: the log has changed all the same, say so
        raise UsageError(
            f"{report.new} new events were appended to {args.log}, but the report could not be "
            f"written: {exc.strerror or exc}"
        ) from exc
    return EXIT_OK


def _print_report(report: Report, log: str) -> None:
    out = sys.stdout
    posts = "post" if report.found == 1 else "posts"
    print(f"{report.found} {posts} found: {report.new} new, {report.present} already in the log", file=out)
    for notice in report.warnings:
        print(f"warning: {one_line(str(notice))}", file=out)
    if report.skipped:
        shown = ", ".join(f"{n.path}:{n.line}" for n in report.skipped[:5])
        more = f" and {len(report.skipped) - 5} more" if len(report.skipped) > 5 else ""
        records = "record" if len(report.skipped) == 1 else "records"
        first = one_line(str(report.skipped[0]))
        print(f"skipped {len(report.skipped)} bad {records} ({one_line(shown)}{more}); first: {first}")
    for message, count in sorted(report.unknown.items()):
        print(f"ignored {count} × {one_line(message)}", file=out)
    print(f"log {log}: head {report.head[:16]}", file=out)


# -- log info / verify / export ---------------------------------------------------------------


def _info(args: argparse.Namespace) -> int:
    with Log.open(args.path, readonly=True) as log:
        summary = log.summary()
    # Kinds and sources are read from the file, which anyone may have written: shown, not obeyed.
    print(f"log      {one_line(str(args.path))}")
    print(f"events   {summary.count}")
    if summary.span is not None:
        print(f"span     {summary.span.first.isoformat()} .. {summary.span.last.isoformat()}")
    for kind, count in sorted(summary.kinds.items()):
        print(f"kind     {one_line(kind)}: {count}")
    for source, count in sorted(summary.sources.items()):
        print(f"source   {one_line(source)}: {count}")
    print(f"ingests  {summary.ingests}")
    print(f"head     {summary.head}")
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    with Log.open(args.path, readonly=True) as log:
        result = log.verify()
    if result.intact:
        print(f"intact: {result.checked} events, every hash and link checks out")
        return EXIT_OK
    where = "damaged" if result.first_bad == 0 else f"damaged at position {result.first_bad}"
    print(f"{args.path}: {where}: {result.reason}", file=sys.stderr)
    return EXIT_FAILED


def _check_range(args: argparse.Namespace) -> None:
    if args.since is not None and args.until is not None and args.until <= args.since:
        raise UsageError(
            f"--until ({args.until:%Y-%m-%d %H:%M:%S}) must be after --from ({args.since:%Y-%m-%d %H:%M:%S})"
        )


def _export(args: argparse.Namespace) -> int:
    _check_range(args)
    output = Path(args.output) if args.output not in (None, "-") else None
    if (
        output is not None
        and output.exists()
        and Path(args.path).exists()
        and os.path.samefile(output, args.path)
    ):
        raise UsageError(f"{args.output}: is the log itself; export to another file")
    with Log.open(args.path, readonly=True) as log:
        out = sys.stdout if args.output in (None, "-") else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
        try:
            for line in log.export_lines(args.since, args.until):
                out.write(line + "\n")
        finally:
            if out is not sys.stdout:
                out.close()
    return EXIT_OK


# -- play -------------------------------------------------------------------------------------


def _play(args: argparse.Namespace) -> int:
    _check_range(args)
    path = Path(args.log) if args.log else demo_log()
    name = str(args.log) if args.log else demo.NAME
    with Log.open(path, readonly=True):  # a clear error now rather than inside the player
        pass
    if args.headless:
        from replay.headless import play

        return play(
            path,
            speed=args.speed,
            since=args.since,
            until=args.until,
            max_gap=args.max_gap,
            paused=args.paused,
            loop=args.loop,
            output_format=args.format,
            out=sys.stdout,
        )
    from replay.tui.app import run

    return run(path, name=name, speed=args.speed, since=args.since, until=args.until, max_gap=args.max_gap)


# -- parser -----------------------------------------------------------------------------------

_EPILOG_INGEST = """examples:
  replay ingest --demo --log aleppo.log
  replay ingest tweets.jsonl archive/data/tweets.js --log my.log
  cat export.jsonl | replay ingest - --format jsonl --log copy.log"""
_EPILOG_LOG = """examples:
  replay log info aleppo.log
  replay log verify aleppo.log
  replay log export aleppo.log --from 2016-12-12 --until 2016-12-13 -o day.jsonl"""
_EPILOG_PLAY = """examples:
  replay play                          # the built-in demo in the terminal UI
  replay play aleppo.log --headless --speed max
  replay play my.log --headless --from 2016-12-12T10:00 --max-gap 5 --format jsonl | head"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = _Parser(
        prog="replay",
        description="Turn timestamped social posts into an immutable event log and replay it in time order. "
        "With no command, opens the terminal UI on the built-in demo.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_EPILOG_PLAY,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    raw = argparse.RawDescriptionHelpFormatter
    p_ingest = commands.add_parser(
        "ingest", help="read posts into a log", epilog=_EPILOG_INGEST, formatter_class=raw
    )
    p_ingest.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="input files; - for stdin; .gz is read"
    )
    p_ingest.add_argument(
        "--log", required=True, metavar="PATH", help="the log to append to (created if new)"
    )
    p_ingest.add_argument("--format", default="auto", choices=format_names(), help="input format (auto)")
    p_ingest.add_argument("--demo", action="store_true", help="ingest the built-in Aleppo articles")
    p_ingest.add_argument(
        "--skip-bad", action="store_true", help="append the good records and report the bad ones"
    )
    p_ingest.set_defaults(handler=_ingest)

    p_log = commands.add_parser(
        "log", help="inspect, check or export a log", epilog=_EPILOG_LOG, formatter_class=raw
    )
    log_commands = p_log.add_subparsers(
        dest="log_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p_info = log_commands.add_parser(
        "info", help="count, time span, sources, kinds, head hash", epilog=_EPILOG_LOG, formatter_class=raw
    )
    p_info.add_argument("path", metavar="PATH")
    p_info.set_defaults(handler=_info)
    p_verify = log_commands.add_parser(
        "verify", help="recompute every hash; exit 1 if damaged", epilog=_EPILOG_LOG, formatter_class=raw
    )
    p_verify.add_argument("path", metavar="PATH")
    p_verify.set_defaults(handler=_verify)
    p_export = log_commands.add_parser(
        "export", help="write the log as JSON Lines", epilog=_EPILOG_LOG, formatter_class=raw
    )
    p_export.add_argument("path", metavar="PATH")
    p_export.add_argument(
        "--from", dest="since", type=_time, metavar="TIME", help="only events at or after TIME"
    )
    p_export.add_argument("--until", type=_time, metavar="TIME", help="only events before TIME")
    p_export.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    p_export.set_defaults(handler=_export)

    p_play = commands.add_parser(
        "play",
        help="replay a log in time order (TUI, or --headless to stdout)",
        epilog=_EPILOG_PLAY,
        formatter_class=raw,
    )
    p_play.add_argument("log", nargs="?", metavar="LOG", help="the log to play (default: the built-in demo)")
    p_play.add_argument("--headless", action="store_true", help="write posts to stdout as they come due")
    p_play.add_argument(
        "--speed", type=_speed, default=1.0, metavar="X", help="speed factor 0.1..10000, or max"
    )
    p_play.add_argument("--from", dest="since", type=_time, metavar="TIME", help="start at TIME (ISO 8601)")
    p_play.add_argument("--until", type=_time, metavar="TIME", help="stop before TIME (ISO 8601)")
    p_play.add_argument("--max-gap", type=_seconds, metavar="SECONDS", help="shorten longer silences to this")
    p_play.add_argument(
        "--paused",
        action="store_true",
        help="start paused (headless: write the newest 200 posts visible at the start, and exit)",
    )
    p_play.add_argument("--loop", action="store_true", help="start again at the end")
    p_play.add_argument("--format", choices=("text", "jsonl"), default="text", help="headless output format")
    p_play.set_defaults(handler=_play)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (`replay.launch` runs it as the command)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["play"])
    for dest, option in _ONE_VALUE.items():
        if isinstance(getattr(args, dest, None), list):  # "--from=--": argparse drops the "--"
            parser.error(f"argument {option}: expected one value")
    try:
        code: int = args.handler(args)
    except (EventsError, UsageError) as exc:
        print(f"replay: {one_line(str(exc))}", file=sys.stderr)  # it may quote the input
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (| head): not an error. Keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        # Playback handles Ctrl-C itself (a clean stop, exit 0); anywhere else it cuts work short,
        # and an ingest cut short appends nothing.
        print("replay: interrupted; nothing was changed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        where = f"{one_line(str(exc.filename))}: " if exc.filename else ""
        print(f"replay: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.Error as exc:  # a log damaged or changed underneath us
        if "locked" in str(exc):
            print(
                "replay: another process held the log for too long (a large ingest?); try again",
                file=sys.stderr,
            )
        else:
            print(f"replay: the log cannot be read: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UnicodeDecodeError:  # SQLite hands back text; a changed byte makes it not UTF-8
        print(
            "replay: the log cannot be read: a text value is not UTF-8; run replay log verify",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except (TypeError, ValueError, OverflowError) as exc:
        if args.command not in ("log", "play"):
            raise
        # A value changed in the file (a time that is text, a precision no one knows): verify
        # names the entry. Only commands that read a log get here.
        print(
            f"replay: the log holds a value it cannot read ({one_line(str(exc))}); run replay log verify",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return code


_ONE_VALUE = {
    "since": "--from",
    "until": "--until",
    "speed": "--speed",
    "max_gap": "--max-gap",
    "output": "-o/--output",
    "log": "--log",
    "format": "--format",
}
"""Options that take one value: argparse leaves a list there when the value was "--"."""


if __name__ == "__main__":
    sys.exit(main())
