"""An input opened for reading: a file, a .gz file or stdin, checked and decoded as UTF-8 text."""

from __future__ import annotations

import codecs
import gzip
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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

    def __init__(self, name: str, raw: BinaryIO, size: int | None = None) -> None:
        self.name = name
        self.size = size
        self._raw = raw
        self._head = raw.read(SNIFF_BYTES)
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
        if path.endswith(".gz"):
            raw = gzip.open(raw, "rb")  # type: ignore[assignment]  # noqa: SIM115 (closed by chunks())
            size = None
        try:
            return cls(name or path, raw, size)
        except (OSError, EOFError) as exc:
            raise InputError(path, f"cannot decompress: {exc}") from None

    @property
    def head(self) -> str:
        """The first bytes of the input as text (undecodable bytes replaced), for format sniffing."""
        return self._head.decode("utf-8-sig", errors="replace")

    @property
    def head_is_partial(self) -> bool:
        """True when `head` is only the start of the input (the rest is read later)."""
        return len(self._head) == SNIFF_BYTES

    def check_text(self) -> None:
        """Refuse at once an input whose first bytes are binary or not UTF-8 (file, line, byte)."""
        head = self._head.removeprefix(codecs.BOM_UTF8)
        lines = head.split(b"\n")
        whole = not self.head_is_partial
        if not whole:
            lines.pop()  # may be cut by the sniff window; read in full later
        for number, raw in enumerate(lines, start=1):
            self._decode(raw, number, last=whole and number == len(lines))

    @property
    def is_empty(self) -> bool:
        """True when the input has no content but whitespace."""
        return not self._head.removeprefix(codecs.BOM_UTF8).strip()

    def chunks(self) -> Iterator[bytes]:
        """The raw bytes, the sniffed head first; can be iterated only once."""
        if self._consumed:
            raise RuntimeError(f"{self.name} has already been read")
        self._consumed = True
        chunk = self._head
        try:
            while chunk:
                self.bytes_read += len(chunk)
                yield chunk
                chunk = self._raw.read(_CHUNK)
        except (OSError, EOFError) as exc:
            raise InputError(self.name, f"cannot read: {exc}") from None
        finally:
            if self._raw is not sys.stdin.buffer:
                self._raw.close()

    def lines(self) -> Iterator[tuple[int, str]]:
        """(line number from 1, text without its line end), each line decoded strictly, CRLF as LF.

        Lines are cut as bytes and decoded one by one, so an error names its own line and column
        whatever the chunking, and a line longer than MAX_LINE_BYTES is refused, not buffered.
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
            complete = bytes(pending[:cut])
            del pending[: cut + 1]
            for raw in complete.split(b"\n"):
                number += 1
                yield number, self._decode(raw, number)
        if not bom_checked:
            pending = bytearray(pending.removeprefix(codecs.BOM_UTF8))
        if pending:
            yield number + 1, self._decode(bytes(pending), number + 1, last=True)

    def _decode(self, raw: bytes, number: int, *, last: bool = False) -> str:
        if b"\x00" in raw:
            raise InputError(self.name, "binary data (a NUL byte), not text", number)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if last and exc.reason == "unexpected end of data":
                message = "not UTF-8 text (ends inside a character)"
            else:
                message = f"not UTF-8 text (byte 0x{raw[exc.start]:02x})"
            raise InputError(self.name, message, number) from None
        return text[:-1] if text.endswith("\r") else text

    def text(self) -> str:
        """The whole input as one string (for small, non-line formats)."""
        return "".join(line + "\n" for _, line in self.lines())


def from_text(name: str, text: str) -> Document:
    """A Document over in-memory text (tests and embedded data)."""
    data = text.encode()
    return Document(name, io.BytesIO(data), len(data))
