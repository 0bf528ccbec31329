"""Baltimore 911 calls for service in the three published layouts, as CallSpecs for the generic calls engine.

- short (2015-2017 copies): recordId, callDateTime, priority, district, description, callNumber, incidentLocation,
  location; dates `05/04/2016 09:58:00 PM` (local), location a quoted multi-line `ADDRESS\\nBALTIMORE, MD\\n(lat, lon)`.
- portal (older city portal export): the short columns plus ZipCode, Neighborhood, PoliceDistrict, PolicePost and
  `2010 Census ...` columns.
- arcgis (2021 onward): recordId, callKey, callDateTime, priority, district, description, callNumber,
  incidentLocation, location, Neighborhood, PoliceDistrict, PolicePost, CouncilDistrict, SheriffDistricts,
  Community_Statistical_Areas, Census_Tracts, VRIZones, ZIPCode, NeedsSync, IsDeleted, ESRI_OID;
  dates `2022/01/01 05:04:00+00` (UTC).
Any layout may carry any of the date forms (the two above and ISO 8601) and either location form.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ingestion.readers import CsvInput, InputError
from ingestion.sources.cad import AreaColumn, CallSpec

SOURCE = "baltimore_911"
LOCAL = ZoneInfo("America/New_York")
# The city with a small margin; (0, 0) and other placeholders fall outside.
BOUNDS = (39.15, 39.40, -76.75, -76.50)
SHORT = ["recordId", "callDateTime", "priority", "district", "description", "callNumber", "incidentLocation",
         "location"]  # fmt: skip
LAYOUTS = {
    "short": SHORT,
    "portal": [*SHORT, "ZipCode"],
    "arcgis": [*SHORT, "Neighborhood", "PoliceDistrict", "PolicePost", "ZIPCode", "ESRI_OID"],
}


def call_time(text: str) -> datetime:
    """`05/04/2016 09:58:00 PM` (local), `2022/01/01 05:04:00+00` (UTC) or ISO 8601 (naive = local)."""
    text = text.strip()
    if len(text) >= 19 and text[2] == "/" and text[5] == "/":
        hour = int(text[11:13]) % 12 + (12 if text[-2:].upper() == "PM" else 0)
        return datetime(int(text[6:10]), int(text[:2]), int(text[3:5]), hour, int(text[14:16]), int(text[17:19]),
                        tzinfo=LOCAL)  # fmt: skip
    if len(text) >= 19 and text[4] == "/" and text[7] == "/":
        moment = datetime(int(text[:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16]),
                          int(text[17:19]), tzinfo=UTC)  # fmt: skip
        return moment if text[19:] in ("", "+00", "+00:00", "Z") else datetime.fromisoformat(text.replace("/", "-"))
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)


# call_time's forms for a whole column (regex of the stripped text, strptime format of its first characters, zone);
# anything else (an offset other than UTC, fractions of a second) is left to call_time row by row
_MONTH, _DAY = r"(?:0[1-9]|1[0-2])", r"(?P<day>0[1-9]|[12]\d|3[01])"
_HMS, _HMS12 = r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d", r"(?:0[1-9]|1[0-2]):[0-5]\d:[0-5]\d [AP]M"
VECTOR_FORMS = [
    (rf"^{_MONTH}/{_DAY}/\d{{4}} {_HMS12}$", "%m/%d/%Y %I:%M:%S %p", 22, LOCAL.key),
    (rf"^\d{{4}}/{_MONTH}/{_DAY} {_HMS}(?:\+00|\+00:00|Z)?$", "%Y/%m/%d %H:%M:%S", 19, "UTC"),
    (rf"^\d{{4}}-{_MONTH}-{_DAY}T{_HMS}$", "%Y-%m-%dT%H:%M:%S", 19, LOCAL.key),
    (rf"^\d{{4}}-{_MONTH}-{_DAY} {_HMS}$", "%Y-%m-%d %H:%M:%S", 19, LOCAL.key),
]


def call_times(stamps):
    """call_time over a pyarrow column (ingestion.sources.cad.batches); null where a row needs call_time itself."""
    from ingestion.sources.cad.batches import times_parsed  # pyarrow, loaded by the imports that use it

    return times_parsed(stamps, VECTOR_FORMS)


def detect_layout(csv_input: CsvInput) -> str:
    """The layout of this header (names matched in any case and spacing), or an error naming the nearest."""
    if csv_input.has("ESRI_OID") or csv_input.has("callKey"):
        return "arcgis"
    if csv_input.has("ZipCode") or any(name.casefold().startswith("2010 census") for name in csv_input.header):
        return "portal"
    if not csv_input.missing(SHORT):
        return "short"
    layout, missing = csv_input.nearest(LAYOUTS)
    raise InputError(
        f"{csv_input.file.name}: unknown calls layout; the nearest is the Baltimore 911 {layout} layout, which "
        f"lacks column(s) {', '.join(missing)}. For another force's export, pass --mapping (see docs/cad-mapping.md)"
    )


def layout_spec(csv_input: CsvInput, layout: str = "auto") -> CallSpec:
    """The CallSpec of this file's layout (detected, or as given and checked)."""
    if layout == "auto":
        layout = detect_layout(csv_input)
    if layout not in LAYOUTS:
        raise InputError(f"{csv_input.file.name}: unknown layout {layout!r}; expected auto, {', '.join(LAYOUTS)}")
    csv_input.require(LAYOUTS[layout], f"Baltimore 911 {layout}-layout")
    zip_column = "ZIPCode" if layout == "arcgis" else "ZipCode"
    header = set(csv_input.adopt(["PoliceDistrict", "Neighborhood", "PolicePost", zip_column]))
    district = "PoliceDistrict" if "PoliceDistrict" in header else "district"
    areas = [AreaColumn(district, "district", "bal-district", "borough_id")]
    optional = (
        ("Neighborhood", "neighborhood", "bal-neighborhood", "neighborhood_id", "borough_id"),
        ("PolicePost", "post", "bal-post", "post_id", "borough_id"),
        (zip_column, "zip", "bal-zip", "zip_code_id", None),
    )
    areas += [AreaColumn(*spec) for spec in optional if spec[0] in header]
    return CallSpec(
        source=SOURCE,
        id_columns=("recordId",),
        time_column="callDateTime",
        time_parser=call_time,
        category_column="description",
        priority_column="priority",
        address_column="incidentLocation",
        point_column="location",
        areas=areas,
        bounds=BOUNDS,
        context_column="callNumber",
        time_zone=LOCAL.key,
        vector_times=call_times,
    )
