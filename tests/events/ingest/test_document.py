"""Documents: files, .gz and stdin read as strict UTF-8 lines, with refusals that name the line."""

from __future__ import annotations

import gzip
import io
import pickle
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.errors import InputError
from events.ingest import document as document_module
from events.ingest.document import Block, Document, from_text

BOM = b"\xef\xbb\xbf"


def lines_of(data: bytes, name: str = "input") -> list[tuple[int, str]]:
    """The numbered lines of `data` read as a document."""
    return list(Document(name, io.BytesIO(data), len(data)).lines())


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read documents 3 bytes at a time with a 4-byte sniff window, so every boundary is crossed."""
    monkeypatch.setattr(document_module, "SNIFF_BYTES", 4)
    monkeypatch.setattr(document_module, "_CHUNK", 3)


class TestOpen:
    """Opening an input by name."""

    def test_file(self, tmp_path: Path) -> None:
        """A file is read as numbered lines, and its size is known."""
        path = tmp_path / "posts.txt"
        path.write_bytes(b"one\ntwo\n")
        document = Document.open(str(path))
        assert (document.name, document.size) == (str(path), 8)
        assert list(document.lines()) == [(1, "one"), (2, "two")]
        assert document.bytes_read == 8

    def test_stdin(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """ "-" reads standard input's bytes, and leaves stdin open afterwards."""
        stdin = io.TextIOWrapper(io.BytesIO("é one\r\ntwo".encode()))
        monkeypatch.setattr(sys, "stdin", stdin)
        document = Document.open("-")
        assert (document.name, document.size) == ("<stdin>", None)
        assert list(document.lines()) == [(1, "é one"), (2, "two")]
        assert not stdin.buffer.closed

    def test_gzip(self, tmp_path: Path) -> None:
        """A name ending in .gz is decompressed; its size is unknown."""
        path = tmp_path / "posts.jsonl.gz"
        path.write_bytes(gzip.compress("{}\nهادي\n".encode()))
        document = Document.open(str(path))
        assert document.size is None
        assert list(document.lines()) == [(1, "{}"), (2, "هادي")]

    @pytest.mark.parametrize("data", [b"not gzip at all", gzip.compress(b"x" * 1000)[:20]])
    def test_broken_gzip(self, tmp_path: Path, data: bytes) -> None:
        """A .gz file that is not gzip, or is cut short, is an InputError naming it, not a traceback."""
        path = tmp_path / "posts.gz"
        path.write_bytes(data)
        with pytest.raises(InputError, match=rf"^{path}: cannot decompress"):
            Document.open(str(path))

    def test_gzip_cut_after_the_sniff_window(self, tmp_path: Path) -> None:
        """A .gz file cut short after its first 64 KiB fails while reading, as an InputError."""
        path = tmp_path / "posts.gz"
        path.write_bytes(gzip.compress(b"line\n" * 100_000)[:-50])
        document = Document.open(str(path))
        with pytest.raises(InputError, match=rf"^{path}: cannot read"):
            list(document.lines())

    def test_missing(self, tmp_path: Path) -> None:
        """A missing file is an InputError naming it."""
        path = str(tmp_path / "missing.txt")
        with pytest.raises(InputError, match=rf"^{path}: no such file$") as raised:
            Document.open(path)
        assert (raised.value.path, raised.value.line) == (path, None)

    def test_directory(self, tmp_path: Path) -> None:
        """A directory is an InputError naming it."""
        with pytest.raises(InputError, match=rf"^{tmp_path}: is a directory, not a file$"):
            Document.open(str(tmp_path))


class TestText:
    """Decoding: strict UTF-8, a byte-order mark dropped, CRLF as LF."""

    def test_bom_is_dropped(self) -> None:
        """A leading UTF-8 byte-order mark is not part of the first line or the sniffed head."""
        data = BOM + b'{"a": 1}\n'
        assert lines_of(data) == [(1, '{"a": 1}')]
        assert Document("x", io.BytesIO(data)).head == '{"a": 1}\n'

    def test_crlf(self) -> None:
        """CRLF line ends read as LF; a lone CR inside a line is kept."""
        assert lines_of(b"one\r\ntwo\rthree\r\nfour\r\n") == [(1, "one"), (2, "two\rthree"), (3, "four")]

    def test_last_line_without_newline(self) -> None:
        """A last line without a line end is still a line; blank lines keep their numbers."""
        assert lines_of(b"one\n\nthree") == [(1, "one"), (2, ""), (3, "three")]

    def test_only_newline_splits(self) -> None:
        """Unicode line separators inside JSON strings do not split a line."""
        assert lines_of("a\u2028b\x85c\x0cd\n".encode()) == [(1, "a\u2028b\x85c\x0cd")]

    def test_text(self) -> None:
        """text() is every line with a newline, for small formats read whole."""
        assert from_text("t", "a\r\nb").text() == "a\nb\n"

    def test_read_once(self) -> None:
        """A document is a stream: reading it a second time is a programming error."""
        document = from_text("t", "a\n")
        list(document.lines())
        with pytest.raises(RuntimeError, match="already been read"):
            list(document.lines())

    def test_empty(self) -> None:
        """An input with nothing but whitespace is empty; one with a character is not."""
        assert from_text("t", "").is_empty
        assert from_text("t", " \n\r\n\t").is_empty
        assert not from_text("t", "\n.\n").is_empty

    @settings(max_examples=100)
    @given(
        lines=st.lists(st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=20)),
        crlf=st.booleans(),
        bom=st.booleans(),
        sniff=st.integers(1, 10),
        chunk=st.integers(1, 10),
    )
    def test_any_text_in_any_chunks(
        self, lines: list[str], crlf: bool, bom: bool, sniff: int, chunk: int
    ) -> None:
        """Whatever the chunk and sniff sizes, the lines are the text's lines, numbered from 1."""
        data = (BOM if bom else b"") + ("\r\n" if crlf else "\n").join(lines).encode()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(document_module, "SNIFF_BYTES", sniff)
            patch.setattr(document_module, "_CHUNK", chunk)
            document = Document("t", io.BytesIO(data), len(data))
            document.check_text()
            read = list(document.lines())
        expected = lines[:-1] if lines and lines[-1] == "" else lines
        assert read == list(enumerate(expected, start=1))


def test_blank_lines_longer_than_the_sniff_window(tmp_path: Path) -> None:
    """Blank lines past the sniff window do not make a document empty: the head reads on to content."""
    path = tmp_path / "input.jsonl"
    path.write_bytes(b"\n" * (document_module.SNIFF_BYTES + 10) + b'{"a": 1}\n')
    document = Document.open(str(path))
    assert not document.is_empty
    assert document.head.strip() == '{"a": 1}'
    assert list(document.lines())[-1] == (document_module.SNIFF_BYTES + 11, '{"a": 1}')


class TestSpans:
    """A plain file is cut at line ends into spans that others read: together, exactly its lines."""

    @settings(max_examples=60, deadline=None)
    @given(
        lines=st.lists(st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=20)),
        bom=st.booleans(),
        newline_at_end=st.booleans(),
        chunk=st.integers(1, 40),
    )
    def test_spans_hold_the_lines(
        self,
        tmp_path_factory: pytest.TempPathFactory,
        lines: list[str],
        bom: bool,
        newline_at_end: bool,
        chunk: int,
    ) -> None:
        """Spans follow one another from after the BOM to the end; read and numbered on, they give lines()."""
        data = (
            (BOM if bom else b"") + "\n".join(lines).encode() + (b"\n" if newline_at_end and lines else b"")
        )
        path = tmp_path_factory.mktemp("spans") / "input.txt"
        path.write_bytes(data)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(document_module, "_CHUNK", chunk)
            spans = list(Document.open(str(path)).spans())
        starts = [len(BOM) if bom else 0] + [span.end for span in spans[:-1]]
        assert [span.start for span in spans] == (starts if spans else [])
        assert spans == [] or spans[-1].end == len(data)
        assert all(data[span.end - 1 : span.end] == b"\n" for span in spans[:-1])
        read: list[tuple[int, str]] = []
        for span in spans:
            read += [(len(read) + number, line) for number, line in span.read().lines()]
        assert read == list(Document.open(str(path)).lines())

    def test_last_line_without_newline(self, tmp_path: Path) -> None:
        """Only the span that ends a file without a line end says so (its last character may be cut)."""
        path = tmp_path / "input.txt"
        path.write_bytes(b"one\ntwo\nthree")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(document_module, "_CHUNK", 4)
            spans = list(Document.open(str(path)).spans())
        assert [span.unterminated for span in spans] == [False, True]
        assert spans[-1].read() == Block(str(path), 1, b"three", unterminated=True)

    def test_progress(self, tmp_path: Path) -> None:
        """bytes_read follows the spans handed out."""
        path = tmp_path / "input.txt"
        path.write_bytes(b"one\ntwo\n")
        document = Document.open(str(path))
        seen = [document.bytes_read for _ in document.spans()]
        assert seen == [8]

    def test_only_plain_files(self, tmp_path: Path) -> None:
        """A .gz file or stdin has no path to read by position, and spans() refuses it."""
        path = tmp_path / "input.txt.gz"
        path.write_bytes(gzip.compress(b"one\n"))
        document = Document.open(str(path))
        assert document.path is None
        with pytest.raises(RuntimeError, match="cannot be read by position"):
            list(document.spans())

    def test_line_too_long(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A line longer than the limit is refused with its line number, not read into memory."""
        monkeypatch.setattr(document_module, "MAX_LINE_BYTES", 100)
        monkeypatch.setattr(document_module, "_CHUNK", 10)
        path = tmp_path / "input.txt"
        path.write_bytes(b"short\nshort\n" + b"x" * 300_000 + b"\nshort\n")
        with pytest.raises(InputError, match=r"line longer than 100 bytes") as raised:
            list(Document.open(str(path)).spans())
        assert raised.value.line == 3

    def test_line_too_long_counted_from_its_start(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A long line that begins before a cut is measured from where it begins, as blocks() does."""
        monkeypatch.setattr(document_module, "MAX_LINE_BYTES", 100)
        monkeypatch.setattr(document_module, "_CHUNK", 10)
        path = tmp_path / "input.txt"
        path.write_bytes(b"ab\n" + b"x" * 101 + b"\nshort\n")
        with pytest.raises(InputError, match=r"line longer than 100 bytes") as raised:
            list(Document.open(str(path)).spans())
        assert raised.value.line == 2
        path.write_bytes(b"ab\n" + b"x" * 100 + b"\nshort\n")
        assert len(list(Document.open(str(path)).spans())) == 2  # exactly the limit is a line
        assert [number for number, _ in Document.open(str(path)).lines()] == [1, 2, 3]

    @pytest.mark.parametrize("chunk", [10, 64, 99])  # chunks are smaller than the limit (1 MB, 64 MB)
    def test_blocks_refuse_the_same_lines_as_spans(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
    ) -> None:
        """One byte over the limit is refused however the chunks fall, read as blocks (stdin, .gz)."""
        monkeypatch.setattr(document_module, "MAX_LINE_BYTES", 100)
        monkeypatch.setattr(document_module, "_CHUNK", chunk)
        monkeypatch.setattr(document_module, "SNIFF_BYTES", chunk)  # both below the limit, as in use
        path = tmp_path / "input.txt"
        path.write_bytes(b"ab\n" + b"x" * 101 + b"\nshort\n")
        with pytest.raises(InputError, match=r"line longer than 100 bytes") as raised:
            list(Document.open(str(path)).blocks())
        assert raised.value.line == 2
        path.write_bytes(b"ab\n" + b"x" * 100 + b"\nshort\n")
        assert [number for number, _ in Document.open(str(path)).lines()] == [1, 2, 3]


class TestBinary:
    """A NUL byte marks an input as binary, with the line it was found on."""

    def test_in_the_head(self) -> None:
        """check_text refuses a NUL in the first bytes at once, naming its line."""
        document = Document("data.bin", io.BytesIO(b"one\ntwo\nth\x00ree\n"))
        with pytest.raises(InputError, match=r"^data\.bin:3: binary data \(a NUL byte\), not text$"):
            document.check_text()

    def test_later(self, tiny_chunks: None) -> None:
        """A NUL past the sniff window ends the read with its line, after the lines before it."""
        document = Document("data.bin", io.BytesIO(b"one\ntwo\nthree\nfo\x00ur\n"))
        document.check_text()
        read: list[tuple[int, str]] = []
        with pytest.raises(InputError, match=r"^data\.bin:4: binary data") as raised:
            read.extend(document.lines())
        assert raised.value.line == 4
        assert read == [(1, "one"), (2, "two"), (3, "three")]


class TestNotUtf8:
    """Bytes that are not UTF-8 are refused with the line and the byte."""

    def test_in_the_head(self) -> None:
        """check_text names the line and the first bad byte."""
        document = Document("latin1.txt", io.BytesIO("one\ncafé\n".encode("latin-1")))
        with pytest.raises(InputError, match=r"^latin1\.txt:2: not UTF-8 text \(byte 0xe9\)$"):
            document.check_text()

    def test_later(self, tiny_chunks: None) -> None:
        """lines() names the line and byte of a bad byte past the sniff window."""
        document = Document("latin1.txt", io.BytesIO("one\ntwo\ncafé!\n".encode("latin-1")))
        document.check_text()
        with pytest.raises(InputError, match=r"^latin1\.txt:3: not UTF-8 text \(byte 0xe9\)$"):
            list(document.lines())

    def test_character_cut_by_the_sniff_window_is_fine(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A character split by the end of the sniff window is not mistaken for bad UTF-8."""
        monkeypatch.setattr(document_module, "SNIFF_BYTES", 2)
        document = Document("t", io.BytesIO("aé\n".encode()))
        document.check_text()
        assert list(document.lines()) == [(1, "aé")]

    def test_ends_inside_a_character(self) -> None:
        """An input that ends in the middle of a character names the last line."""
        document = Document("cut.txt", io.BytesIO("one\nhé".encode()[:-1]))
        with pytest.raises(InputError, match=r"^cut\.txt:2: not UTF-8 text \(ends inside a character\)$"):
            list(document.lines())

    def test_after_a_bom(self) -> None:
        """A bad byte in a file that starts with a BOM is named with its own line and value."""
        data = BOM + b"ab\n\xff\n"
        for read in (lambda d: d.check_text(), lambda d: list(d.lines())):
            with pytest.raises(InputError) as raised:
                read(Document("bom.txt", io.BytesIO(data)))
            assert str(raised.value) == "bom.txt:2: not UTF-8 text (byte 0xff)"

    def test_after_a_character_split_between_chunks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A bad byte in the read after a character split between two reads is still an InputError."""
        monkeypatch.setattr(document_module, "SNIFF_BYTES", 4)
        monkeypatch.setattr(document_module, "_CHUNK", 4)
        document = Document("split.txt", io.BytesIO(b"abc\xc3\xa9\nx\xff\n"))  # reads: abc\xc3, \xa9\nx\xff
        with pytest.raises(InputError, match=r"^split\.txt:2: not UTF-8 text \(byte 0xff\)$"):
            list(document.lines())


class TestErrors:
    """InputError carries what a user needs."""

    def test_fields_and_message(self) -> None:
        """An InputError keeps path, line and message, and reads "path:line: message"."""
        error = InputError("posts.jsonl", "not valid JSON", 12)
        assert (error.path, error.line, error.message) == ("posts.jsonl", 12, "not valid JSON")
        assert str(error) == "posts.jsonl:12: not valid JSON"
        assert str(InputError("posts.jsonl", "is empty")) == "posts.jsonl: is empty"

    def test_pickles(self) -> None:
        """An InputError raised in a worker process comes back whole (it is pickled across)."""
        error = pickle.loads(pickle.dumps(InputError("posts.jsonl", "not valid JSON", 12)))
        assert (error.path, error.line, error.message) == ("posts.jsonl", 12, "not valid JSON")


def test_a_file_named_by_descriptor_is_read_as_a_stream(tmp_path: Path) -> None:
    """/dev/fd/N names this process's descriptor N, not a worker's: such a file is not read by path."""
    plain = tmp_path / "posts.txt"
    plain.write_text("one\ntwo\n")
    with plain.open("rb") as file:
        opened = Document.open(f"/dev/fd/{file.fileno()}")
        assert opened.path is None
        assert [text for _, text in opened.lines()] == ["one", "two"]
    assert Document.open(str(plain)).path == str(plain)
