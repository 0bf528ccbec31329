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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ingestion.loader import RowError

BLOCK = 1 << 22
SUFFIXES = (".csv", ".csv.gz")
csv.field_size_limit(1 << 24)


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
            return io.BufferedReader(gzip.open(path, "rb"), BLOCK)
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
        yield InputFile(f"{path}!{info.filename}", lambda info=info: archive.open(info), info.file_size)


def decoded_lines(binary: BinaryIO, bad_lines: set[int]) -> Iterator[str]:
    """Text lines (newline kept, only "\\n" splits); numbers of undecodable lines go into `bad_lines`."""
    first_line = 1
    while block := binary.read(BLOCK):
        block += binary.readline()
        if first_line == 1:
            block = block.removeprefix(codecs.BOM_UTF8)
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            text = _lines_decoded(block, first_line, bad_lines)
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
        width = len(self.header)
        previous = self.reader.line_num
        while True:
            try:
                fields = next(self.reader)
            except StopIteration:
                return
            except csv.Error as exc:
                previous = self.reader.line_num
                yield RowError(previous, "", f"unreadable CSV row: {exc}")
                continue
            start, previous = previous + 1, self.reader.line_num
            if not fields:
                continue
            if self.bad_lines and self.bad_lines.intersection(range(start, previous + 1)):
                yield RowError(start, ",".join(fields), "bad encoding: neither UTF-8 nor cp1252")
            elif len(fields) != width:
                yield RowError(start, ",".join(fields), f"ragged row: {len(fields)} fields, expected {width}")
            else:
                yield start, fields


def csv_inputs(paths: list[str | Path]) -> Iterator[CsvInput]:
    """Open each CSV of `paths` in turn (closing the previous one)."""
    for file in input_files(paths):
        with file.open() as binary:
            yield CsvInput(file, binary)
