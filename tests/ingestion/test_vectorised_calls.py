"""The calls engine read in pyarrow blocks (PostgreSQL) gives exactly what it gives row by row: the same Incidents,
Areas, rejected rows (line, reason, text) and run counts, on files holding every kind of row the row path refuses."""

import csv
import io

import pytest
from django.db import connection

from ingestion.loader import COLUMN_NAMES, StagedRows
from ingestion.models import Area, ImportRun, Incident, RejectedRow
from ingestion.services import calls_import
from ingestion.sources.cad import batches

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the vectorised path loads through PostgreSQL COPY"),
]

EXTRA = {
    "short": [],
    "portal": ["ZipCode", "Neighborhood", "PoliceDistrict", "PolicePost", "2010 Census Neighborhoods"],
    "arcgis": ["callKey", "Neighborhood", "PoliceDistrict", "PolicePost", "ZIPCode", "IsDeleted", "ESRI_OID"],
}
BASE = ["recordId", "callDateTime", "priority", "district", "description", "callNumber", "incidentLocation", "location"]
MULTI_LINE = "400 WINSTON AV\nBALTIMORE, MD\n(39.349792, -76.61)"
STAMPS = [
    "05/04/2016 09:58:00 PM", "05/04/2016 12:05:00 AM", "05/04/2016 12:05:00 PM", " 07/04/2016 09:58:00 AM ",
    "2016/05/05 01:58:00+00", "2016/05/05 01:58:00", "2016/05/05 01:58:00+00:00", "2016/05/05 01:58:00Z",
    "2016/05/05 01:58:00-04:00", "2016-05-04T21:58:00", "2016-05-04 21:58:00", "2016-05-04T21:58:00.250",
    "2016-05-05T01:58:00+00:00", "05/04/2016 9:58:00 PM", "05/04/2016 09:58:00 pm",
    "11/06/2016 01:30:00 AM",  # repeated hour of the autumn clock change
    "03/13/2016 02:30:00 AM",  # skipped hour of the spring one
    "12/31/2016 11:59:59 PM", "01/01/2017 12:00:00 AM",
]  # fmt: skip
BAD_STAMPS = ["02/30/2016 01:00:00 AM", "2016/02/30 06:00:00+00", "01/01/2099 01:00:00 AM", "2099/01/01 06:00:00+00",
              "oops", "", "13/01/2016 01:00:00 AM", "01/01/1850 01:00:00 AM", "2016/05/05 25:00:00+00",
              "05/04/2016 13:58:00 PM", "05/04/2016 00:58:00 AM"]  # fmt: skip


def _row(layout, record_id, stamp="05/04/2016 09:58:00 PM", **kw):
    values = {"recordId": record_id, "callDateTime": stamp, "priority": kw.get("priority", "Medium"),
              "district": kw.get("district", "NORTHERN"), "description": kw.get("description", "AUTO ACCIDENT"),
              "callNumber": kw.get("call", "P161"), "incidentLocation": kw.get("address", ""),
              "location": kw.get("location", "(39.3, -76.6)"), "ZipCode": "21218", "ZIPCode": kw.get("zip", "21218"),
              "Neighborhood": kw.get("neighborhood", "Hampden"), "PoliceDistrict": kw.get("district", "Northern"),
              "PolicePost": "524", "callKey": "k" + record_id, "IsDeleted": "False", "ESRI_OID": record_id}  # fmt: skip
    return [values.get(column, "") for column in BASE + EXTRA[layout]]


def _rows(layout):
    rows = [_row(layout, f"s{i}", stamp, location=MULTI_LINE) for i, stamp in enumerate(STAMPS)]
    rows += [_row(layout, f"b{i}", stamp) for i, stamp in enumerate(BAD_STAMPS)]
    rows += [
        _row(layout, ""), _row(layout, "   "), _row(layout, " 77 "), _row(layout, "x" * 200),
        _row(layout, "\xa078"), _row(layout, "79\u3000"),
        _row(layout, "o1", location="(0, 0)"), _row(layout, "o2", location="(39.9, -76.6)"),
        _row(layout, "o3", location="BALTIMORE, MD\n(39.15, -76.75)"),
        _row(layout, "p1", location="1200 N CHARLES ST"), _row(layout, "p2", location=""),
        _row(layout, "p3", location="(39.31, -76.62)", address="  22 E NORTH AV "),
        _row(layout, "p4", location="(39.3,-76.6) then (39.2, -76.7)"), _row(layout, "p5", location="(39., -76.60)"),
        _row(layout, "p6", location="(٣٩.3, -76.6)"), _row(layout, "p7", location="A\\B\tC\n(39.2, -76.6)"),
        _row(layout, "d1", location=MULTI_LINE), _row(layout, "d1", location="(39.31, -76.59)"),
        _row(layout, "d2", description="LARCENY"), _row(layout, "d2", description="BURGLARY", neighborhood=""),
        _row(layout, "d3"), _row(layout, "d3"),
        _row(layout, "c1", description="  OTHER "), _row(layout, "c2", description="x" * 300),
        _row(layout, "c3", description="ÉMEUTE", priority=" high "), _row(layout, "c4", priority="x" * 40),
        _row(layout, "c5", description="", priority=""), _row(layout, "c6", description="OTHER", call="a\\N"),
        _row(layout, "a1", district="", neighborhood="hampden", zip=""),
        _row(layout, "a2", neighborhood="Mt. Washington"),
        _row(layout, "a3", district="z" * 70), _row(layout, "a4", neighborhood="Hampden\t2"),
        ["r1", "ragged"], [],
    ]  # fmt: skip
    return rows


def _calls_file(tmp_path, layout, *, dirty=False, ragged=True, copies=1):
    body = io.StringIO()
    writer = csv.writer(body, lineterminator="\r\n")
    writer.writerow(BASE + EXTRA[layout])
    rows = [row for row in _rows(layout) if ragged or len(row) == len(BASE + EXTRA[layout])]
    for copy in range(copies):
        writer.writerows([[f"{copy}-{row[0]}", *row[1:]] if row else [] for row in rows])
    data = body.getvalue().encode("utf-8")
    if dirty:  # a cp1252 line and a line holding NUL, each spoiling the block it falls in
        cp1252 = io.StringIO()
        csv.writer(cp1252, lineterminator="\r\n").writerow(_row(layout, "e1", description="CAFÉ"))
        data += cp1252.getvalue().encode("cp1252") + b"e2,\x00oops\r\n" + data.split(b"\r\n", 1)[1]
    path = tmp_path / f"calls-{layout}.csv"
    path.write_bytes(b"\xef\xbb\xbf" + data)
    return path


def _snapshot(run: ImportRun) -> dict:
    run.refresh_from_db()
    stats = {k: v for k, v in run.stats.items() if k not in ("pid", "host")}
    return {
        "run": (
            run.status,
            run.rows_read,
            run.rows_inserted,
            run.rows_updated,
            run.rows_duplicate,
            run.rows_rejected,
            run.coordinates_dropped,
            run.months_touched,
            run.areas_touched,
            stats,
        ),  # fmt: skip
        "incidents": sorted(Incident.objects.values_list(*COLUMN_NAMES)),
        "areas": sorted(Area.objects.values_list("code", "name", "kind", "parent_id")),
        "rejected": sorted(RejectedRow.objects.filter(run=run).values_list("line_number", "reason", "raw_text")),
    }


def _both_paths(path, monkeypatch) -> tuple[dict, dict, int]:
    (row_run,) = calls_import(paths=[path], max_error_rate=1, vectorised=False)
    by_rows = _snapshot(row_run)
    Incident.objects.all().delete()
    Area.objects.all().delete()
    staged = []
    real = StagedRows.__init__
    monkeypatch.setattr(StagedRows, "__init__", lambda self, **kw: staged.append(kw["count"]) or real(self, **kw))
    (vector_run,) = calls_import(paths=[path], max_error_rate=1, vectorised=True)
    return by_rows, _snapshot(vector_run), sum(staged)


@pytest.mark.parametrize("layout", ["short", "portal", "arcgis"])
@pytest.mark.parametrize("block", [300, 1 << 22])
def test_blocks_give_what_rows_give(tmp_path, monkeypatch, layout, block):
    """Small blocks cut through multi-line rows; a ragged or blank line sends its whole block row by row, so the
    one-block file has none."""
    monkeypatch.setattr(batches, "BLOCK_BYTES", block)
    path = _calls_file(tmp_path, layout, ragged=block < 1000, copies=3)
    by_rows, by_blocks, staged = _both_paths(path, monkeypatch)
    assert by_blocks == by_rows
    assert by_rows["rejected"] and by_rows["run"][6] and by_rows["run"][4]  # rejections, dropped points, duplicates
    assert staged >= 3 * 25  # most good rows went the vectorised way


@pytest.mark.parametrize("layout", ["short", "arcgis"])
def test_blocks_pyarrow_cannot_read_go_row_by_row(tmp_path, monkeypatch, layout):
    monkeypatch.setattr(batches, "BLOCK_BYTES", 500)
    by_rows, by_blocks, staged = _both_paths(_calls_file(tmp_path, layout, dirty=True, copies=2), monkeypatch)
    assert by_blocks == by_rows
    reasons = {reason.split(":")[0] for _line, reason, _text in by_rows["rejected"]}
    assert {"binary data", "ragged row"} <= reasons
    assert staged


def test_reimport_by_blocks_over_rows_changes_nothing(tmp_path):
    path = _calls_file(tmp_path, "arcgis", copies=2)
    calls_import(paths=[path], max_error_rate=1, vectorised=False)
    (again,) = calls_import(paths=[path], max_error_rate=1, vectorised=True)
    assert (again.rows_inserted, again.rows_updated) == (0, 0)
