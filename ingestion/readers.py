"""Opening input files: zip archives, folders, .csv and .csv.gz; decoding rows; numbering lines.

Real exports mix encodings: each block is read as UTF-8 (a BOM is dropped) and, if that fails, each line is decoded
on its own as UTF-8 or else cp1252, so one bad line never spoils the rest. Line numbers are physical lines (a quoted
multi-line field spans several), as a person opening the file in an editor would count them.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from crimedash.env import env_int
from ingestion.loader import RowError

BLOCK = 1 << 22
SUFFIXES = (".csv", ".csv.gz")
# Limits that keep a small hostile file from tying up a worker: no real export has a field of 64 KB or a line of
# 1 MB, and the largest data.police.uk month file is well under 2 GB once decompressed.
MAX_FIELD_CHARS = 1 << 16
MAX_LINE_BYTES = 1 << 20
MAX_FILE_BYTES = env_int("INGEST_MAX_FILE_BYTES", 2 << 30, minimum=1 << 20)
csv.field_size_limit(MAX_FIELD_CHARS)
# What a damaged .csv.gz or .zip raises while it is read (a bad CRC, a broken deflate stream, a cut-off file).
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, gzip.BadGzipFile)


class InputError(ValueError):
    """A file that cannot be imported at all; the message names the file and what was expected."""


@dataclass(frozen=True)
class InputFile:
    name: str  # path, or "archive.zip!member.csv"
    open: Callable[[], BinaryIO]
    size: int


def input_files(paths: list[str | Path]) -> Iterator[InputFile]:
    """Every CSV in the given zips, folders and files, in name order."""
    for path in map(Path, paths):
        if path.is_dir():
            yield from _folder_files(path)
        elif not path.exists():
            raise InputError(f"{path}: no such file or folder")
        elif path.suffix.lower() == ".zip":
            yield from _zip_files(path)
        elif path.name.lower().endswith(SUFFIXES):
            yield _plain_file(path)
        else:
            raise InputError(f"{path}: unsupported file type; expected a .zip archive, a folder, a .csv or a .csv.gz")


def _plain_file(path: Path) -> InputFile:
    def opener() -> BinaryIO:
        if path.name.lower().endswith(".gz"):
            return io.BufferedReader(_Bounded(gzip.open(path, "rb"), path.name), BLOCK)
        return open(path, "rb")  # noqa: SIM115 (the caller closes it)

    return InputFile(str(path), opener, path.stat().st_size)


def _folder_files(folder: Path) -> Iterator[InputFile]:
    found = sorted(p for p in folder.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES))
    if not found:
        raise InputError(f"{folder}: the folder holds no .csv or .csv.gz files")
    yield from map(_plain_file, found)


def _zip_files(path: Path) -> Iterator[InputFile]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError(f"{path}: not a zip archive (expected the archive as downloaded, holding CSV files)") from None
    members = sorted((i for i in archive.infolist() if i.filename.lower().endswith(".csv")), key=lambda i: i.filename)
    if not members:
        raise InputError(f"{path}: the archive holds no .csv files")
    for info in members:
        if info.file_size > MAX_FILE_BYTES:
            raise InputError(f"{path.name}!{info.filename}: {_too_large(info.filename)}")
        yield InputFile(
            f"{path}!{info.filename}",
            lambda info=info: io.BufferedReader(_Bounded(archive.open(info), info.filename), BLOCK),
            info.file_size,
        )


def _too_large(name: str) -> str:
    return f"{name} holds more than {MAX_FILE_BYTES // (1 << 20)} MB once decompressed, more than any real export"


class _Bounded(io.RawIOBase):
    """A decompressing stream that stops at MAX_FILE_BYTES, whatever the archive's header claims."""

    def __init__(self, raw: BinaryIO, name: str):
        self.raw, self.name, self.count = raw, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        self.count += len(data)
        if self.count > MAX_FILE_BYTES:
            raise InputError(_too_large(self.name))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


def decoded_lines(binary: BinaryIO, bad_lines: set[int]) -> Iterator[str]:
    """Text lines (newline kept, only "\\n" splits); numbers of undecodable lines and lines holding NUL go into
    `bad_lines`. A line longer than MAX_LINE_BYTES stops the file (reading it whole would hold it in memory)."""
    first_line = 1
    while block := binary.read(BLOCK):
        tail = binary.readline(MAX_LINE_BYTES)
        if len(tail) == MAX_LINE_BYTES and not tail.endswith(b"\n"):
            raise InputError(
                f"a line after line {first_line} is longer than {MAX_LINE_BYTES >> 20} MB; not a CSV export"
            )
        block += tail
        if first_line == 1:
            block = block.removeprefix(codecs.BOM_UTF8)
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            text = _lines_decoded(block, first_line, bad_lines)
        if "\x00" in text:  # PostgreSQL refuses NUL in text: such lines are rejected, not loaded
            bad_lines.update(first_line + offset for offset, line in enumerate(text.split("\n")) if "\x00" in line)
        first_line += text.count("\n")
        yield from io.StringIO(text, newline="\n")


def _lines_decoded(block: bytes, first_line: int, bad_lines: set[int]) -> str:
    lines = []
    for offset, raw in enumerate(block.split(b"\n")):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                lines.append(raw.decode("cp1252"))
            except UnicodeDecodeError:
                bad_lines.add(first_line + offset)
                lines.append(raw.decode("utf-8", "replace"))
    return "\n".join(lines)


def header_key(name: str) -> str:
    """How column names are matched: 'RecordID', ' recordId', 'Record ID', 'record_id' -> 'recordid'."""
    return "".join(name.replace("_", " ").split()).casefold()


class CsvInput:
    """One CSV file: its header and its rows as (line_number, fields) or RowError."""

    def __init__(self, file: InputFile, binary: BinaryIO):
        self.file = file
        self.bad_lines: set[int] = set()
        self.reader = csv.reader(decoded_lines(binary, self.bad_lines))
        try:
            header = next(self.reader)
        except (StopIteration, csv.Error):
            raise InputError(f"{file.name}: empty or not a CSV file (expected a header row)") from None
        if any("\x00" in name for name in header):
            raise InputError(f"{file.name}: binary data, not a CSV file")
        self.header = [name.strip() for name in header]
        # exports spell column names in any case and spacing: 'RecordID', 'record id' and 'recordId' are one column
        self.header_keys = {}
        for index, name in enumerate(self.header):
            self.header_keys.setdefault(header_key(name), index)

    def has(self, column: str) -> bool:
        return header_key(column) in self.header_keys

    def missing(self, columns: list[str]) -> list[str]:
        return [c for c in columns if not self.has(c)]

    def adopt(self, columns: list[str]) -> list[str]:
        """Rename the header's spellings of `columns` to these, so rows are read by these names; returns the found."""
        found = [c for c in columns if self.has(c)]
        for column in found:
            self.header[self.header_keys[header_key(column)]] = column
        return found

    def require(self, columns: list[str], what: str) -> None:
        missing = self.missing(columns)
        if missing:
            raise InputError(
                f"{self.file.name}: missing column(s) {', '.join(missing)}; expected a {what} file with columns "
                f"{', '.join(columns)}"
            )
        self.adopt(columns)

    def nearest(self, layouts: dict[str, list[str]]) -> tuple[str, list[str]]:
        """The layout this header comes closest to, and the columns it lacks of it."""
        return min(((name, self.missing(columns)) for name, columns in layouts.items()), key=lambda kv: len(kv[1]))

    def rows(self) -> Iterator[tuple[int, list[str]] | RowError]:
        yield from numbered_rows(self.reader, self.bad_lines, len(self.header), self.file.name)

    def header_lines(self) -> int:
        """Physical lines of the header (before any row is read)."""
        return self.reader.line_num


def numbered_rows(reader, bad_lines: set[int], width: int, name: str, offset: int = 0) -> Iterator:
    """(line_number, fields) or RowError of each row of a csv `reader` whose first line is line `offset + 1`."""
    previous = reader.line_num
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except DAMAGED:
            raise InputError(f"{name}: the file is damaged (it stops or fails its checksum part way)") from None
        except InputError as exc:
            raise InputError(f"{name}: {exc}") from None
        except csv.Error as exc:
            previous = reader.line_num
            yield RowError(offset + previous, "", f"unreadable CSV row: {exc}")
            continue
        start, previous = previous + 1, reader.line_num
        if not fields:
            continue
        if bad_lines and bad_lines.intersection(range(start, previous + 1)):
            yield RowError(offset + start, ",".join(fields).replace("\x00", ""), _bad_line_reason(fields))
        elif len(fields) != width:
            yield RowError(offset + start, ",".join(fields), f"ragged row: {len(fields)} fields, expected {width}")
        else:
            yield offset + start, fields


def block_rows(binary: BinaryIO, first_line: int, width: int, name: str) -> Iterator:
    """The rows of part of a file that starts at a row (line `first_line`), numbered as in the whole file."""
    bad_lines: set[int] = set()
    yield from numbered_rows(csv.reader(decoded_lines(binary, bad_lines)), bad_lines, width, name, first_line - 1)


def csv_inputs(paths: list[str | Path]) -> Iterator[CsvInput]:
    """Open each CSV of `paths` in turn (closing the previous one)."""
    for file in input_files(paths):
        with file.open() as binary:
            yield CsvInput(file, binary)


def _bad_line_reason(fields: list[str]) -> str:
    if any("\x00" in field for field in fields):
        return "binary data: the row holds a NUL character"
    return "bad encoding: neither UTF-8 nor cp1252"
