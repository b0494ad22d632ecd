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

    def check_text(self) -> None:
        """Refuse at once an input whose first bytes are binary or not UTF-8."""
        if b"\x00" in self._head:
            line = self._head[: self._head.index(b"\x00")].count(b"\n") + 1
            raise InputError(self.name, "binary data (a NUL byte), not text", line)
        try:
            self._head.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            cut_by_window = exc.reason == "unexpected end of data" and len(self._head) == SNIFF_BYTES
            if not cut_by_window:
                line = self._head[: exc.start].count(b"\n") + 1
                message = f"not UTF-8 text (byte 0x{self._head[exc.start]:02x})"
                raise InputError(self.name, message, line) from None

    @property
    def is_empty(self) -> bool:
        """True when the input has no content but whitespace."""
        return not self._head.strip()

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
        """(line number from 1, text without its line end), decoded strictly, CRLF as LF."""
        decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
        number = 0
        pending = ""
        for chunk in self.chunks():
            if b"\x00" in chunk:
                line = (
                    number
                    + 1
                    + (pending + chunk[: chunk.index(b"\x00")].decode(errors="replace")).count("\n")
                )
                raise InputError(self.name, "binary data (a NUL byte), not text", line)
            try:
                text = pending + decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                before = pending + chunk[: exc.start].decode(errors="replace")
                line = number + 1 + before.count("\n")
                raise InputError(self.name, f"not UTF-8 text (byte 0x{chunk[exc.start]:02x})", line) from None
            parts = text.split("\n")
            pending = parts.pop()
            for part in parts:
                number += 1
                yield number, part.removesuffix("\r")
        try:
            pending += decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise InputError(self.name, "not UTF-8 text (ends inside a character)", number + 1) from None
        if pending:
            yield number + 1, pending.removesuffix("\r")

    def text(self) -> str:
        """The whole input as one string (for small, non-line formats)."""
        return "".join(line + "\n" for _, line in self.lines())


def from_text(name: str, text: str) -> Document:
    """A Document over in-memory text (tests and embedded data)."""
    data = text.encode()
    return Document(name, io.BytesIO(data), len(data))
