"""An input opened for reading: a file, a .gz file or stdin, checked and decoded as UTF-8 text."""

from __future__ import annotations

import codecs
import gzip
import io
import os
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from attrs import frozen

from events.errors import InputError

SNIFF_BYTES = 64 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024
"""A longer line is refused rather than held in memory: no real export has one."""
_CHUNK = 1 << 20


class Document:
    """One input's text, read once as a stream of lines; also keeps its first bytes for sniffing.

    Decoding is strict UTF-8 (a leading byte-order mark is dropped); a NUL byte marks the input as
    binary. Both end the read with an InputError naming the line.
    """

    def __init__(self, name: str, raw: BinaryIO, size: int | None = None, path: str | None = None) -> None:
        self.name = name
        self.size = size
        self.path = path
        """The file's path when it can be read by position (a plain file), else None."""
        self._raw = raw
        self._head = raw.read(SNIFF_BYTES)
        self._partial = len(self._head) == SNIFF_BYTES
        # Blank lines say nothing about the format: read on, within bounds, to the first content.
        while self._partial and not self._head.strip() and len(self._head) < MAX_LINE_BYTES:
            more = raw.read(SNIFF_BYTES)
            self._head += more
            self._partial = len(more) == SNIFF_BYTES
        self.bytes_read = 0
        self._consumed = False

    @classmethod
    def open(cls, path: str, name: str | None = None) -> Document:
        """Open `path` ("-" for stdin; a name ending in .gz is decompressed), known as `name`."""
        if path == "-":
            return cls(name or "<stdin>", sys.stdin.buffer)
        file = Path(path)
        if file.is_dir():
            raise InputError(path, "is a directory, not a file")
        try:
            raw: BinaryIO = file.open("rb")
        except FileNotFoundError:
            raise InputError(path, "no such file") from None
        except OSError as exc:
            raise InputError(path, f"cannot read: {exc.strerror}") from None
        size: int | None = file.stat().st_size
        # Workers read a plain file by its path, so it must name the same file in them: not
        # /dev/fd/N (another process's descriptor N), which is read as a stream instead.
        plain: str | None = path if file.is_file() and not path.startswith(("/dev/", "/proc/")) else None
        if path.endswith(".gz"):
            raw = gzip.open(raw, "rb")  # type: ignore[assignment]  # noqa: SIM115 (closed by chunks())
            size = plain = None
        try:
            return cls(name or path, raw, size, plain)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(path, f"cannot decompress: {exc}") from None

    @property
    def head(self) -> str:
        """The first bytes of the input as text (undecodable bytes replaced), for format sniffing."""
        return self._head.decode("utf-8-sig", errors="replace")

    @property
    def head_is_partial(self) -> bool:
        """True when `head` is only the start of the input (the rest is read later)."""
        return self._partial

    def check_text(self) -> None:
        """Refuse at once an input whose first bytes are binary or not UTF-8 (file, line, byte)."""
        head = self._head.removeprefix(codecs.BOM_UTF8)
        lines = head.split(b"\n")
        whole = not self.head_is_partial
        if not whole:
            lines.pop()  # may be cut by the sniff window; read in full later
        for number, raw in enumerate(lines, start=1):
            decode_line(self.name, raw, number, last=whole and number == len(lines))

    @property
    def is_empty(self) -> bool:
        """True when the input has no content but whitespace."""
        return not self._head.removeprefix(codecs.BOM_UTF8).strip()

    def _consume(self) -> None:
        if self._consumed:
            raise RuntimeError(f"{self.name} has already been read")
        self._consumed = True

    def chunks(self) -> Iterator[bytes]:
        """The raw bytes, the sniffed head first; can be iterated only once."""
        self._consume()
        chunk = self._head
        try:
            while chunk:
                self.bytes_read += len(chunk)
                yield chunk
                chunk = self._raw.read(_CHUNK)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(self.name, f"cannot read: {exc}") from None
        finally:
            if self._raw is not sys.stdin.buffer:
                self._raw.close()

    def blocks(self) -> Iterator[Block]:
        """The input cut at line ends into blocks of whole lines, as raw bytes.

        Each block can be decoded on its own, in another process too. The byte-order mark is
        dropped, and a line longer than MAX_LINE_BYTES is refused, not buffered. Can be iterated
        only once.
        """
        number = 0
        pending = bytearray()
        bom_checked = False
        for chunk in self.chunks():
            pending += chunk
            if not bom_checked and len(pending) >= len(codecs.BOM_UTF8):
                pending, bom_checked = bytearray(pending.removeprefix(codecs.BOM_UTF8)), True
            cut = pending.rfind(b"\n")
            if cut < 0:
                if len(pending) > MAX_LINE_BYTES:
                    raise InputError(self.name, f"line longer than {MAX_LINE_BYTES:,} bytes", number + 1)
                continue
            data = bytes(pending[:cut])
            del pending[: cut + 1]
            # Only the block's first line can have begun in an earlier chunk and grown past the
            # limit before its end came; the others fit in one chunk. Measured, as spans() does.
            first = data.find(b"\n")
            if (len(data) if first < 0 else first) > MAX_LINE_BYTES:
                raise InputError(self.name, f"line longer than {MAX_LINE_BYTES:,} bytes", number + 1)
            yield Block(self.name, number + 1, data)
            number += data.count(b"\n") + 1
        if not bom_checked:
            pending = bytearray(pending.removeprefix(codecs.BOM_UTF8))
        if pending:
            yield Block(self.name, number + 1, bytes(pending), unterminated=True)

    def spans(self) -> Iterator[Span]:
        """A plain file cut at line ends into spans of about a megabyte, read by whoever checks them.

        Nothing but the line ends near each cut is read here, so a worker process can read and
        check a span while this one does other work. Needs `path`; can be iterated only once.
        """
        if self.path is None or self.size is None:
            raise RuntimeError(f"{self.name} cannot be read by position")
        self._consume()
        size = self.size
        fd = self._raw.fileno()
        start = len(codecs.BOM_UTF8) if self._head.startswith(codecs.BOM_UTF8) else 0
        unterminated = size > 0 and os.pread(fd, 1, size - 1) != b"\n"
        try:
            while start < size:
                end = self._line_end(fd, start, min(start + _CHUNK, size), size)
                self.bytes_read = end
                yield Span(self.name, self.path, start, end, unterminated=unterminated and end == size)
                start = end
        finally:
            self._raw.close()

    def _line_end(self, fd: int, start: int, at: int, size: int) -> int:
        """Where the line that holds byte `at` ends (just after its LF), or the end of the file.

        `start` is where a line begins at or before `at`. A line longer than MAX_LINE_BYTES is
        refused, measured from its own start, which is looked for only when it might be that long.
        """
        scanned = at
        while scanned < size:
            piece = os.pread(fd, 64 * 1024, scanned)
            cut = piece.find(b"\n")
            end = scanned + cut + 1 if cut >= 0 else scanned + len(piece)
            if end - start > MAX_LINE_BYTES:
                begins = self._line_start(fd, start, at)
                if end - begins > MAX_LINE_BYTES + (cut >= 0):
                    lines = sum(
                        os.pread(fd, min(_CHUNK, begins - o), o).count(b"\n")
                        for o in range(0, begins, _CHUNK)
                    )
                    raise InputError(self.name, f"line longer than {MAX_LINE_BYTES:,} bytes", lines + 1)
            if cut >= 0:
                return end
            scanned = end
        return size

    @staticmethod
    def _line_start(fd: int, start: int, at: int) -> int:
        """Where the line that holds byte `at` begins, given that one begins at `start`."""
        before = os.pread(fd, at - start, start)
        return start + before.rfind(b"\n") + 1

    def lines(self) -> Iterator[tuple[int, str]]:
        """(line number from 1, text without its line end), each line decoded strictly, CRLF as LF.

        The input is cut at line ends before it is decoded, so an error names its own line and
        byte whatever the chunking.
        """
        for block in self.blocks():
            yield from block.lines()

    def text(self) -> str:
        """The whole input as one string (for small, non-line formats)."""
        return "".join(line + "\n" for _, line in self.lines())


@frozen
class Block:
    """Whole lines of an input as raw bytes joined by LF (no final LF): what `Document.blocks` yields."""

    name: str
    first: int
    """The number of the first line (from 1)."""
    data: bytes
    unterminated: bool = False
    """True for the input's last block when it ends without a line end (it may end mid-character)."""

    def raw_lines(self) -> Iterator[tuple[int, bytes, bool]]:
        """(line number, raw bytes, whether it is the unterminated end of the input) of each line."""
        raws = self.data.split(b"\n")
        last = len(raws) - 1
        for index, raw in enumerate(raws):
            yield self.first + index, raw, self.unterminated and index == last

    def lines(self) -> Iterator[tuple[int, str]]:
        """(line number, text without its line end), decoded strictly; an InputError names the line."""
        if b"\x00" not in self.data and b"\r" not in self.data:
            try:
                # Text as it usually is: decoded in one call, not line by line.
                return enumerate(self.data.decode("utf-8").split("\n"), self.first)
            except UnicodeDecodeError:
                pass  # found again below, with its line
        return ((n, decode_line(self.name, raw, n, last=last)) for n, raw, last in self.raw_lines())


@frozen
class Span:
    """Whole lines of a file, by their place in it: what `Document.spans` yields."""

    name: str
    path: str
    start: int
    end: int
    unterminated: bool = False
    """True when the span ends the file and the file ends without a line end."""

    def read(self) -> Block:
        """The span's lines, numbered from 1 (the reader knows how many lines come before)."""
        with open(self.path, "rb") as file:
            file.seek(self.start)
            data = file.read(self.end - self.start)
        if not self.unterminated:
            data = data.removesuffix(b"\n")
        return Block(self.name, 1, data, self.unterminated)


def decode_line(name: str, raw: bytes, number: int, *, last: bool = False) -> str:
    """One line's text, the CR of a CRLF dropped; binary or non-UTF-8 bytes end in an InputError.

    `last` says the line ends the input without a line end, so it may stop inside a character.
    """
    if b"\x00" in raw:
        raise InputError(name, "binary data (a NUL byte), not text", number)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if last and exc.reason == "unexpected end of data":
            message = "not UTF-8 text (ends inside a character)"
        else:
            message = f"not UTF-8 text (byte 0x{raw[exc.start]:02x})"
        raise InputError(name, message, number) from None
    return text[:-1] if text.endswith("\r") else text


def from_text(name: str, text: str) -> Document:
    """A Document over in-memory text (tests and embedded data)."""
    data = text.encode()
    return Document(name, io.BytesIO(data), len(data))
