"""Calls read in blocks with pyarrow: the fast path of the calls engine on PostgreSQL, with CallRows' exact results.

The file is cut into blocks of a few MB, each ending at a row's end, and pyarrow parses each block (every column as
text); every column is then computed for the whole block at once: the id, the time (the spec's `vector_times`), the
local day, hour and weekday, the point and its bounds, and, over the block's distinct values only, the category,
priority and area codes. A row that passes every check goes to the staging table as COPY text (`StagedRows`); any
other row (a bad or unusual date, a missing id, a value too long, an odd character at a value's edge...) goes through
CallRows itself, so a rejection keeps its reason and line number. A block pyarrow cannot read as the csv module does
(bad UTF-8, NUL, a ragged or blank line, lines that do not add up) is read by CallRows whole. Memory is one block.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import h3
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
from django.utils import timezone

from ingestion.loader import COLUMN_NAMES, H3_RESOLUTION, TEXT_LIMITS, StagedRows
from ingestion.localtime import zone_info
from ingestion.readers import DAMAGED, MAX_FIELD_CHARS, MAX_LINE_BYTES, CsvInput, InputError, block_rows
from ingestion.sources.cad import CallRows, CallSpec, address_of, priority_name

BLOCK_BYTES = 1 << 22
MAX_BLOCK_BYTES = 1 << 26  # a quote left open extends a block to its close, but not past this
# str.strip() removes more than ASCII white space: a value with a control separator or any non-ASCII character at an
# edge is left to the row path
_ODD_EDGE = r"^[\x1c-\x1f\x{80}-\x{10FFFF}]|[\x1c-\x1f\x{80}-\x{10FFFF}]$"
_ASCII = r"^[\x20-\x7e\t\n\r]*$"  # where RE2's \s and \d mean what Python's do
_POINT = r"\(\s*(?P<lat>-?\d+(?:\.\d*)?)\s*,\s*(?P<lon>-?\d+(?:\.\d*)?)\s*\)"  # cad._POINT
_NUMBER = r"^-?\d+(?:\.\d+)?$"
_COPY_SPECIAL = r"[\\\t\n\r]"
_COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
_NULL = pa.scalar(None, pa.string())
_LIMITS = dict(TEXT_LIMITS)
_LINKS = ("borough_id", "neighborhood_id", "post_id", "zip_code_id")  # CallRows.seen_combinations' order
_YEAR_1900 = -2208902400  # 1900-01-02 UTC: a time before it may fall before 1900 in its zone (record_problem refuses)


def vectorisable(spec: CallSpec) -> bool:
    return bool(spec.id_columns) and spec.vector_times is not None and not spec.lifecycle


def times_parsed(stamps: pa.Array, forms: list[tuple[str, str, int, str]]) -> pa.Array:
    """UTC timestamps of `stamps` in the given forms (regex of the whole stripped text with the day of the month as
    group `day`, strptime format of its first `width` characters, zone of the wall time); null where no form fits,
    the day does not exist in its month (strptime would roll it over) or the wall time is ambiguous or skipped by a
    clock change."""
    text = pc.ascii_trim_whitespace(stamps)
    plain = pc.invert(pc.match_substring_regex(text, _ODD_EDGE))
    result = pa.nulls(len(stamps), pa.timestamp("s", "UTC"))
    for pattern, fmt, width, zone in forms:
        fitting = pc.extract_regex(text, pattern)
        fits = pc.and_(plain, pc.is_valid(fitting))
        wall = pc.strptime(pc.if_else(fits, pc.utf8_slice_codeunits(text, 0, width), _NULL), format=fmt, unit="s",
                           error_is_null=True)  # fmt: skip
        day = pc.cast(pc.if_else(fits, pc.struct_field(fitting, "day"), "0"), pa.int64())
        wall = pc.if_else(pc.equal(pc.day(wall), day), wall, None)
        early = pc.assume_timezone(wall, timezone=zone, ambiguous="earliest", nonexistent="earliest")
        late = pc.assume_timezone(wall, timezone=zone, ambiguous="latest", nonexistent="latest")
        moment = pc.cast(pc.if_else(pc.equal(early, late), early, None), pa.timestamp("s", "UTC"))
        result = pc.coalesce(result, moment)
    return result


def _np(array: pa.Array) -> np.ndarray:
    return array.to_numpy(zero_copy_only=False)


def _per_value(array: pa.Array, function) -> pa.Array:
    """`function` of each value, called once per distinct value (None stays None)."""
    encoded = pc.dictionary_encode(array)
    values = pa.array([function(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return values.take(encoded.indices)


def _escaped(text: str | None) -> str | None:
    if text:
        for special, escape in _COPY_ESCAPES:
            text = text.replace(special, escape)
    return text


def _escaped_array(array: pa.Array) -> pa.Array:
    if not pc.any(pc.match_substring_regex(array, _COPY_SPECIAL)).as_py():
        return array
    for special, escape in _COPY_ESCAPES:
        array = pc.replace_substring(array, special, escape)
    return array


def _too_long(array: pa.Array, limit: int) -> np.ndarray:
    return _np(pc.fill_null(pc.greater(pc.utf8_length(array), limit), False))


def _text_bytes(array: pa.Array) -> bytes:
    """The values of a string array end to end."""
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset : array.offset + len(array) + 1]
    return array.buffers()[2][int(offsets[0]) : int(offsets[-1])].to_pybytes()


def _blocks(binary, first_line: int, name: str):
    """(block, its first line): parts of the file of about BLOCK_BYTES, each ending at a row's end (quotes closed)."""
    while block := _read(binary.read, BLOCK_BYTES, name):
        parts, quotes, size = [block], block.count(b'"'), len(block)
        while True:
            tail = _read(binary.readline, MAX_LINE_BYTES, name)
            if len(tail) == MAX_LINE_BYTES and not tail.endswith(b"\n"):
                raise InputError(
                    f"{name}: a line after line {first_line} is longer than {MAX_LINE_BYTES >> 20} MB; not a CSV export"
                )
            parts.append(tail)
            quotes, size = quotes + tail.count(b'"'), size + len(tail)
            if not tail or quotes % 2 == 0 or size > MAX_BLOCK_BYTES:
                break
        block = b"".join(parts)
        yield block, first_line
        first_line += block.count(b"\n")


def _blank_line(block: bytes) -> bool:
    """csv skips a blank line where pyarrow makes it a row of empty fields."""
    return block.startswith((b"\n", b"\r\n")) or b"\n\n" in block or b"\n\r\n" in block


def _read(read, size: int, name: str) -> bytes:
    try:
        return read(size)
    except DAMAGED:
        raise InputError(f"{name}: the file is damaged (it stops or fails its checksum part way)") from None


class CallBatches:
    """CallRows' records of one CSV, block by block: StagedRows for the rows it vouches for, CallRows for the rest."""

    def __init__(self, spec: CallSpec, csv_input: CsvInput):
        self.spec = spec
        self.input = csv_input
        self.rows = CallRows(spec, csv_input)  # the row path, sharing the areas seen so far
        self.width = len(csv_input.header)
        self.header_lines = csv_input.header_lines()
        self.zone = zone_info(spec.time_zone)
        self.latest = 0

    def __iter__(self):
        # record_problem refuses times more than a day ahead of its own clock: a minute's margin leaves rows that
        # close to the row path, whose answer is then the loader's
        latest = timezone.now() + timedelta(days=1) - timedelta(minutes=1)
        self.latest = int((latest - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
        name = self.input.file.name
        with self.input.file.open() as binary:
            for _ in range(self.header_lines):
                binary.readline()
            for block, first_line in _blocks(binary, self.header_lines + 1, name):
                yield from self.block(block, first_line)

    def block(self, block: bytes, first_line: int):
        columns, lines = self.parsed(block)
        if columns is None:
            yield from self.rows.rows_of(block_rows(io.BytesIO(block), first_line, self.width, self.input.file.name))
            return
        starts = first_line + np.concatenate([[0], np.cumsum(lines)[:-1]])
        ok, out, codes, tally = self.computed(columns)
        rows = pc.binary_join_element_wise(*(out[name] for name in COLUMN_NAMES), "\t", null_handling="replace",
                                           null_replacement="\\N")  # fmt: skip
        start = 0
        for bad in [*np.flatnonzero(~ok).tolist(), len(ok)]:
            if bad > start:
                yield from self.areas(columns, codes, start, bad)
                yield self.staged(rows, codes, tally, start, bad)
            if bad < len(ok):
                fields = [column[bad].as_py() for column in columns]
                yield from self.rows.rows_of([(int(starts[bad]), fields)])
            start = bad + 1

    def parsed(self, block: bytes) -> tuple[list[pa.Array] | None, np.ndarray | None]:
        """The block's columns, and the lines of each row; None where pyarrow would not read it as csv does."""
        if b"\x00" in block or _blank_line(block):
            return None, None
        try:
            table = pcsv.read_csv(
                pa.py_buffer(block),
                read_options=pcsv.ReadOptions(
                    column_names=[f"c{i}" for i in range(self.width)], block_size=len(block) + 1, use_threads=False
                ),
                parse_options=pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
                convert_options=pcsv.ConvertOptions(
                    column_types=dict.fromkeys((f"c{i}" for i in range(self.width)), pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None, None
        columns = [column.combine_chunks() for column in table.columns]
        if any((pc.max(pc.binary_length(column)).as_py() or 0) > MAX_FIELD_CHARS for column in columns):
            return None, None
        lines = block.count(b"\n") + (not block.endswith(b"\n"))
        if len(table) == lines:  # no value holds a line break
            return columns, np.ones(lines, dtype=np.int64)
        per_row = 1 + sum(_np(pc.count_substring(column, "\n")).astype(np.int64) for column in columns)
        return (columns, per_row) if int(per_row.sum()) == lines else (None, None)

    def computed(self, columns: list[pa.Array]):
        """(rows to stage, the COPY columns, the area codes, what the tally needs), for the whole block at once."""
        spec, col = self.spec, self.rows.col
        size = len(columns[0])
        ok = np.ones(size, dtype=bool)
        empty = pa.array([""] * size, pa.string())

        def stripped(column: str | None) -> pa.Array:
            if not column:
                return empty
            values = pc.ascii_trim_whitespace(columns[col[column]])
            ok[_np(pc.match_substring_regex(values, _ODD_EDGE))] = False
            return values

        parts = [stripped(column) for column in spec.id_columns]
        key = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "|")
        for part in parts:
            ok[_np(pc.equal(pc.utf8_length(part), 0))] = False
        ok[_too_long(key, 128)] = False
        utc = spec.vector_times(columns[col[spec.time_column]])
        seconds = _np(pc.fill_null(pc.cast(utc, pa.int64()), -(1 << 62)))
        ok[(seconds > self.latest) | (seconds < _YEAR_1900)] = False
        local = pc.local_timestamp(pc.cast(utc, pa.timestamp("s", self.zone.key)))
        local_date = pc.cast(local, pa.date32())
        raw_category = _per_value(columns[col[spec.category_column]], str.strip)
        category = _per_value(raw_category, self.rows.category)
        lat, lon, inside, dropped = self.coordinates(columns, stripped, ok)
        location = self.location_text(columns, stripped, ok)
        priority = _per_value(columns[col[spec.priority_column]], priority_name) if spec.priority_column else empty
        status = _per_value(columns[col[spec.status_column]], str.strip) if spec.status_column else empty
        codes = {link: pa.nulls(size, pa.string()) for link in _LINKS}
        for area in spec.areas:
            codes[area.link] = _per_value(columns[col[area.column]], lambda v, p=area.prefix: _area_code(p, v))
        limited = {"category": category, "raw_category": raw_category, "location_text": location,
                   "priority": priority, "status": status, **{link: codes[link] for link in _LINKS}}  # fmt: skip
        for name, values in limited.items():
            ok[_too_long(values, _LIMITS[name])] = False
        out = {
            "source": pa.scalar(spec.source),
            "source_key": _escaped_array(key),
            "kind": pa.scalar("call"),
            "category": _per_value(category, _escaped),
            "raw_category": _per_value(raw_category, _escaped),
            "occurred_at": _utc_text(utc),
            "time_precision": pa.scalar("minute"),
            "time_zone": pa.scalar(self.zone.key),
            "local_date": pc.cast(local_date, pa.string()),
            "local_hour": pc.cast(pc.hour(local), pa.string()),
            "local_weekday": pc.cast(pc.day_of_week(local, count_from_zero=False, week_start=1), pa.string()),
            "latitude": pc.if_else(inside, pc.cast(lat, pa.string()), _NULL),
            "longitude": pc.if_else(inside, pc.cast(lon, pa.string()), _NULL),
            "h3_cell": self.h3_cells(lat, lon, inside),
            "location_text": _escaped_array(location),
            "priority": _per_value(priority, _escaped),
            "status": _per_value(status, _escaped),
            "outcome": pa.scalar(""),
            "outcome_history": pa.scalar("[]"),
            "context": _escaped_array(stripped(spec.context_column)),
            "origin": pa.scalar("public_report"),
            **{link: _per_value(codes[link], _escaped) for link in _LINKS},
        }
        out.update({name: _NULL for name in COLUMN_NAMES if name not in out})
        tally = {"local_date": local_date, "dropped": dropped, "raw_category": raw_category, "category": category}
        return ok, out, codes, tally

    def coordinates(self, columns, stripped, ok: np.ndarray):
        """(latitude, longitude, inside the bounds, dropped) as CallRows.coordinates reads them."""
        spec, col = self.spec, self.rows.col
        if spec.point_column:
            raw = columns[col[spec.point_column]]
            ok[~_np(pc.match_substring_regex(raw, _ASCII))] = False
            point = pc.extract_regex(raw, _POINT)
            found = _np(pc.is_valid(point))
            lat_text, lon_text = pc.struct_field(point, "lat"), pc.struct_field(point, "lon")
        else:
            lat_text, lon_text = stripped(spec.latitude_column), stripped(spec.longitude_column)
            found = _np(pc.and_(pc.greater(pc.utf8_length(lat_text), 0), pc.greater(pc.utf8_length(lon_text), 0)))
            numeric = pc.and_(pc.match_substring_regex(lat_text, _NUMBER), pc.match_substring_regex(lon_text, _NUMBER))
            ok[found & ~_np(numeric)] = False
        found = found & ok
        lat = pc.cast(pc.if_else(pa.array(found), lat_text, "0"), pa.float64())
        lon = pc.cast(pc.if_else(pa.array(found), lon_text, "0"), pa.float64())
        south, north, west, east = spec.bounds or (-90, 90, -180, 180)
        lat_np, lon_np = _np(lat), _np(lon)
        within = (south <= lat_np) & (lat_np <= north) & (west <= lon_np) & (lon_np <= east)
        return lat, lon, pa.array(found & within), found & ~within

    def location_text(self, columns, stripped, ok: np.ndarray) -> pa.Array:
        """The address, else the first line of the point column's text unless that is only the point."""
        spec = self.spec
        address = stripped(spec.address_column)
        if not spec.point_column:
            return address
        missing = np.flatnonzero(_np(pc.equal(pc.utf8_length(address), 0)) & ok)
        if not len(missing):
            return address
        values = address.to_pylist()
        raw = columns[self.rows.col[spec.point_column]]
        for index in missing.tolist():
            values[index] = address_of(raw[index].as_py())
        return pa.array(values, pa.string())

    @staticmethod
    def h3_cells(lat: pa.Array, lon: pa.Array, inside: pa.Array) -> pa.Array:
        """The H3 cell of each point inside the bounds: each distinct point of the block computed once (a real export
        repeats its addresses), then spread back to its rows by numpy."""
        where = np.flatnonzero(_np(inside))
        result = np.full(len(lat), "", dtype=object)
        if len(where):
            # a point as one complex number (latitude + longitude i): numpy finds the distinct ones in one sort
            points, back = np.unique(_np(lat)[where] + 1j * _np(lon)[where], return_inverse=True)
            cell = h3.latlng_to_cell
            found = [cell(y, x, H3_RESOLUTION) for y, x in zip(points.real.tolist(), points.imag.tolist(), strict=True)]
            result[where] = np.array(found, dtype=object)[back]
        return pa.array(result, pa.string())

    def areas(self, columns, codes: dict, start: int, end: int):
        """The AreaRecords CallRows would yield for rows start..end: one per area code first seen."""
        links = [codes[link].slice(start, end - start) for link in _LINKS]
        combined = pc.binary_join_element_wise(*links, "\x1f", null_handling="replace", null_replacement="\x1e")
        distinct = pc.unique(combined)
        for index in _np(pc.index_in(distinct, value_set=combined)).tolist():
            combination = tuple(link[index].as_py() for link in links)
            if combination not in self.rows.seen_combinations:
                self.rows.seen_combinations.add(combination)
                fields = [column[start + index].as_py() for column in columns]
                yield from self.rows.new_areas(SimpleNamespace(**dict(zip(_LINKS, combination, strict=True))), fields)

    def staged(self, rows: pa.Array, codes: dict, tally: dict, start: int, end: int) -> StagedRows:
        count = end - start
        part = rows.slice(start, count)
        category = tally["category"].slice(start, count)
        other = pc.filter(tally["raw_category"].slice(start, count), pc.equal(category, "other"))
        counts = pc.value_counts(other)

        def copy_text(first: int) -> bytes:
            numbers = pc.cast(pa.array(np.arange(first, first + count)), pa.string())
            lines = pc.binary_join_element_wise(numbers, pa.scalar("\n"), "")
            return _text_bytes(pc.binary_join_element_wise(part, lines, "\t"))

        return StagedRows(
            count=count,
            copy_text=copy_text,
            local_days=set(pc.unique(tally["local_date"].slice(start, count)).to_pylist()),
            areas={code for link in _LINKS for code in pc.unique(codes[link].slice(start, count)).to_pylist() if code},
            coordinates_dropped=int(tally["dropped"][start:end].sum()),
            other=Counter(dict(zip(*(counts.field(f).to_pylist() for f in ("values", "counts")), strict=True))),
        )


def _utc_text(utc: pa.Array) -> pa.Array:
    """2016-05-05 01:58:00+00: the wall time of UTC (a cast without the zone, 20 times faster than with it)."""
    return pc.binary_join_element_wise(pc.cast(pc.cast(utc, pa.timestamp("s")), pa.string()), "+00", "")


def _area_code(prefix: str, value: str) -> str | None:
    name = value.strip()
    return CallRows.area_code(prefix, name) if name else None
