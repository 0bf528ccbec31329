"""Settings of the ingestion app, read from the environment with defaults that work with none set.

POLICE_UK_API_URL        base of the data.police.uk API (tests point it at a local fake)
POLICE_UK_AREAS          comma-separated GSS codes of the boroughs the monthly fetch covers
POLICE_UK_RATE           sustained requests per second (the API allows 15)
POLICE_UK_BURST          bucket size (the API allows bursts of 30)
POLICE_UK_MAX_RETRIES    retries of a 429 or network error before giving up
POLICE_UK_TIMEOUT        seconds per request
DISPATCH_RECENT_LIMIT    most rows /api/dispatch/recent/ answers with
IMPORT_UPLOAD_DIR        where files uploaded on /imports/ are kept
"""

from pathlib import Path

from django.conf import settings

from crimedash.env import env_int, env_list, env_str

# The five boroughs of the London case study (GSS codes).
CASE_STUDY_BOROUGHS = {
    "E09000033": "Westminster",
    "E09000007": "Camden",
    "E09000030": "Tower Hamlets",
    "E09000028": "Southwark",
    "E09000001": "City of London",
}

POLICE_UK_API_URL = env_str("POLICE_UK_API_URL", "https://data.police.uk/api").rstrip("/")
POLICE_UK_AREAS = env_list("POLICE_UK_AREAS", list(CASE_STUDY_BOROUGHS))
POLICE_UK_RATE = env_int("POLICE_UK_RATE", 15, minimum=1)
POLICE_UK_BURST = env_int("POLICE_UK_BURST", 30, minimum=1)
POLICE_UK_MAX_RETRIES = env_int("POLICE_UK_MAX_RETRIES", 5, minimum=0)
POLICE_UK_TIMEOUT = env_int("POLICE_UK_TIMEOUT", 60, minimum=1)
# The API answers 400 to a GET longer than this; longer polygons are POSTed.
POLICE_UK_MAX_GET_URL = 4094

DISPATCH_RECENT_LIMIT = env_int("DISPATCH_RECENT_LIMIT", 500, minimum=1)


def upload_dir() -> Path:
    return Path(env_str("IMPORT_UPLOAD_DIR", str(settings.MEDIA_ROOT / "imports")))


def boundaries_file() -> Path:
    return settings.SHARED_DATA_DIR / "london-boroughs.geojson"
