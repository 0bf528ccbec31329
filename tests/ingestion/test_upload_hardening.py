"""Uploads always finish (issue 18, findings 4-6): every broken file ends the upload as failed with a message an
analyst can act on and no server path; a long value or a NUL refuses its row, not the file; a 200 MB line is
refused in bounded memory; a small file of millions of bad lines stops within seconds; a row cannot rename an area
of another kind."""

import gzip
import io
import time
import tracemalloc
import zipfile

import pytest

from ingestion import conf
from ingestion.models import Area, ImportUpload, Incident
from ingestion.uploads import upload_process

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context\n"
)
GOOD = (
    "aa01,2024-01,Metropolitan Police Service,Metropolitan Police Service,-0.131874,51.513678,On or near Frith Street,"
    "E01004763,Westminster 018C,Burglary,Under investigation,\n"
)


def good_rows(count: int = 40) -> str:
    """Enough good rows that one refused row stays under the error-rate ceiling."""
    return "".join(street_row(f"ok{n:03d}") for n in range(count))


def street_row(crime_id: str, *, lsoa_code: str = "E01000005", lsoa_name: str = "City of London 001E") -> str:
    return (
        f"{crime_id},2024-01,Metropolitan Police Service,Metropolitan Police Service,-0.093211,51.515512,"
        f"On or near Cheapside,{lsoa_code},{lsoa_name},Robbery,Under investigation,\n"
    )


@pytest.fixture
def upload_of(db, tmp_path, settings, monkeypatch, role_users):
    """upload_of(name, bytes) -> the ImportUpload after its import ran."""
    monkeypatch.setenv("IMPORT_UPLOAD_DIR", str(tmp_path / "server-side-uploads"))

    def _run(name: str, content: bytes) -> ImportUpload:
        folder = conf.upload_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"0123abcd-{name}"
        path.write_bytes(content)
        upload = ImportUpload.objects.create(
            file_name=name, path=str(path), importer="police_uk", created_by=role_users["analyst"]
        )
        upload_process(upload_id=upload.pk)
        upload.refresh_from_db()
        assert "server-side-uploads" not in upload.error
        assert "0123abcd" not in upload.error
        return upload

    return _run


def zipped(name: str, text: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def test_an_over_long_area_name_refuses_its_row_not_the_file(upload_of):
    long_name = "X" * 300 + " 001A"
    upload = upload_of(
        "2024-01-metropolitan-street.csv", (HEADER + good_rows() + street_row("aa02", lsoa_name=long_name)).encode()
    )
    assert upload.status == "succeeded", upload.error
    assert Incident.objects.count() == 40


def test_a_nul_byte_refuses_its_row_not_the_file(upload_of):
    upload = upload_of("2024-01-metropolitan-street.csv", (HEADER + good_rows() + street_row("aa\x0002")).encode())
    assert upload.status == "succeeded", upload.error
    assert Incident.objects.count() == 40


def test_a_corrupt_csv_gz_ends_failed_with_a_message(upload_of):
    whole = gzip.compress((HEADER + GOOD * 5000).encode())
    upload = upload_of("2024-01-metropolitan-street.csv.gz", whole[: len(whole) // 2])
    assert upload.status == "failed"
    assert "damaged" in upload.error


@pytest.mark.parametrize("damage", ["crc", "deflate"])
def test_a_zip_with_a_bad_crc_or_deflate_stream_ends_failed(upload_of, damage):
    content = bytearray(zipped("2024-01/2024-01-metropolitan-street.csv", (HEADER + GOOD * 20000).encode()))
    start = 30 + len("2024-01/2024-01-metropolitan-street.csv")  # first member's data, after its local header
    if damage == "crc":
        content[14:18] = b"\0\0\0\0"  # the local header's CRC-32
        central = content.rfind(b"PK\x01\x02")
        content[central + 16 : central + 20] = b"\0\0\0\0"
    else:
        content[start + 40 : start + 60] = b"\xff" * 20
    upload = upload_of("archive.zip", bytes(content))
    assert upload.status == "failed"
    assert upload.error


def test_a_200_mb_line_is_refused_in_bounded_memory(upload_of):
    content = zipped("2024-01/2024-01-metropolitan-street.csv", HEADER.encode() + b"a" * (200 << 20) + b"\n")
    assert len(content) < 2 << 20
    tracemalloc.start()
    try:
        upload = upload_of("archive.zip", content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert upload.status == "failed"
    assert "longer than 1 MB" in upload.error
    assert peak < 64 << 20


def test_a_file_of_bad_lines_stops_early(upload_of):
    bad_lines = b"x,y\n" * 2_000_000
    started = time.monotonic()
    upload = upload_of("2024-01-metropolitan-street.csv", HEADER.encode() + bad_lines)
    assert upload.status == "failed"
    assert "stopped early" in upload.error
    assert time.monotonic() - started < 30


def test_a_borough_code_as_an_lsoa_code_is_refused_and_the_borough_keeps_its_name(upload_of):
    Area.objects.create(code="E09000033", name="Westminster", kind="borough")
    row = street_row("aa02", lsoa_code="E09000033", lsoa_name="City <img src=x onerror=alert(1)> 001A")
    upload = upload_of("2024-01-metropolitan-street.csv", (HEADER + good_rows() + row).encode())
    assert upload.status == "succeeded", upload.error
    borough = Area.objects.get(code="E09000033")
    assert (borough.name, borough.kind, borough.parent_id) == ("Westminster", "borough", None)
    assert not Incident.objects.filter(source_key="aa02").exists()
