"""HTTP client of the data.police.uk API (https://data.police.uk/docs/).

Keeps to the published limit (15 requests/s, bursts of 30) with a token bucket, retries 429 answers and network
errors with exponential backoff, POSTs polygons whose GET URL would pass 4,094 characters, and splits a polygon
that answers 503 (more than 10,000 crimes) into quadrants until every piece answers.
"""

import json
import time
from collections.abc import Callable
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from shapely.geometry import Polygon

from ingestion import conf
from ingestion.geo import poly_param, polygons_of, quadrants
from ingestion.sources.police_uk.ratelimit import TokenBucket

# Quadrant splitting stops here: a piece this deep that still answers 503 is an API fault, not a busy polygon.
MAX_SPLIT_DEPTH = 8


class PoliceApiError(Exception):
    """The API could not give an answer we can use; the message names the request."""


class NotFound(PoliceApiError):
    """404: the API knows no such thing (outcomes-for-crime of a crime it has dropped)."""


class PolygonTooBusy(PoliceApiError):
    """503 on crimes-street: the polygon holds over 10,000 crimes."""


class PoliceApiClient:
    def __init__(
        self,
        *,
        base_url: str = "",
        bucket: TokenBucket | None = None,
        max_retries: int | None = None,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float | None = None,
    ) -> None:
        self.base_url = (base_url or conf.POLICE_UK_API_URL).rstrip("/")
        self.bucket = bucket or TokenBucket(rate=conf.POLICE_UK_RATE, capacity=conf.POLICE_UK_BURST)
        self.max_retries = conf.POLICE_UK_MAX_RETRIES if max_retries is None else max_retries
        self.backoff = backoff
        self.sleep = sleep
        self.timeout = timeout or conf.POLICE_UK_TIMEOUT
        self.requests_made = 0
        self.retries = 0
        self.splits = 0

    # --- endpoints -----------------------------------------------------------------------------------------

    def forces(self) -> list[dict]:
        return self.get("forces")

    def neighbourhoods(self, *, force: str) -> list[dict]:
        return self.get(f"{force}/neighbourhoods")

    def crime_categories(self, *, month: str) -> list[dict]:
        return self.get("crime-categories", {"date": month})

    def crimes_no_location(self, *, force: str, month: str, category: str = "all-crime") -> list[dict]:
        return self.get("crimes-no-location", {"category": category, "force": force, "date": month})

    def outcomes_for_crime(self, *, persistent_id: str) -> dict:
        try:
            return self.get(f"outcomes-for-crime/{persistent_id}")
        except NotFound:
            return {"outcomes": []}

    def crimes_street(self, *, polygon: Polygon, month: str) -> list[dict]:
        """Crimes in one polygon for one month: GET, or POST when the URL would be too long."""
        params = {"poly": poly_param(polygon), "date": month}
        if len(self.url("crimes-street/all-crime", params)) > conf.POLICE_UK_MAX_GET_URL:
            return self.post("crimes-street/all-crime", params)
        return self.get("crimes-street/all-crime", params)

    def crimes_street_area(self, *, geometry, month: str) -> list[dict]:
        """Every crime of a (multi)polygon in one month, each once, splitting pieces that answer 503."""
        crimes: dict[int, dict] = {}
        for polygon in polygons_of(geometry):
            for crime in self._crimes_split(polygon, month, depth=0):
                # Quadrants share edges: a crime on one is returned twice, so keep each API id once.
                crimes.setdefault(crime["id"], crime)
        return list(crimes.values())

    def _crimes_split(self, polygon: Polygon, month: str, *, depth: int) -> list[dict]:
        try:
            return self.crimes_street(polygon=polygon, month=month)
        except PolygonTooBusy:
            if depth >= MAX_SPLIT_DEPTH:
                raise
        self.splits += 1
        return [crime for piece in quadrants(polygon) for crime in self._crimes_split(piece, month, depth=depth + 1)]

    # --- transport -----------------------------------------------------------------------------------------

    def url(self, path: str, params: dict | None = None) -> str:
        query = f"?{urlencode(params, safe=':,')}" if params else ""
        return f"{self.base_url}/{path}{query}"

    def get(self, path: str, params: dict | None = None):
        return self._send(Request(self.url(path, params), method="GET"))

    def post(self, path: str, params: dict):
        body = urlencode(params, safe=":,").encode()
        request = Request(self.url(path), data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        return self._send(request)

    def _send(self, request: Request):
        problem = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                self.retries += 1
                self.sleep(self.backoff * 2 ** (attempt - 1))
            self.bucket.acquire()
            self.requests_made += 1
            try:
                with urlopen(request, timeout=self.timeout) as response:
                    return _decode(request, response.read())
            except HTTPError as error:
                _raise_unless_retryable(request, error)
                problem = "HTTP 429 Too Many Requests"
            except (URLError, TimeoutError, ConnectionError) as error:
                problem = str(error)
        raise PoliceApiError(f"{_describe(request)} failed after {self.max_retries + 1} attempts: {problem}")


def _describe(request: Request) -> str:
    return f"{request.get_method()} {request.full_url[:200]}"


def _raise_unless_retryable(request: Request, error: HTTPError) -> None:
    if error.code == 429:
        return
    if error.code == 503 and "/crimes-street/" in request.full_url:
        raise PolygonTooBusy(f"{_describe(request)} answered 503: over 10,000 crimes in the polygon")
    kind = NotFound if error.code == 404 else PoliceApiError
    raise kind(f"{_describe(request)} answered HTTP {error.code} {error.reason}")


def _decode(request: Request, body: bytes):
    try:
        return json.loads(body)
    except ValueError as error:
        raise PoliceApiError(f"{_describe(request)} returned malformed JSON ({error}): {body[:120]!r}") from None
