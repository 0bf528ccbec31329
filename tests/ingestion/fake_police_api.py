"""A local stand-in for data.police.uk: http.server on 127.0.0.1 in a thread, answering with recorded responses.

It behaves like the real API where our client depends on it: crimes-street filters its crimes by the `poly`
(GET or POST form), answers 503 when a polygon holds more than `max_crimes`, 400 to a GET URL over 4,094
characters; any path can be told to answer a status or a body first (`fail_next`) to play 429s or bad JSON.
"""

import copy
import json
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import shapely
from shapely.geometry import Polygon

FIXTURES = Path(__file__).parent / "police_api"
MAX_GET_URL = 4094


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


def crimes_at(points: list[tuple[float, float]], *, month: str = "2024-01", first_id: int = 200000000) -> list[dict]:
    """Crimes of the real crimes-street shape at the given (lng, lat) points."""
    template = fixture("crimes-street.json")[1]
    crimes = []
    for n, (lng, lat) in enumerate(points):
        crime = copy.deepcopy(template)
        crime.update(id=first_id + n, persistent_id=f"{first_id + n:064x}", month=month)
        crime["location"].update(latitude=f"{lat:.6f}", longitude=f"{lng:.6f}")
        crimes.append(crime)
    return crimes


class FakePoliceApi:
    def __init__(self, *, crimes: list[dict] | None = None, max_crimes: int = 10_000) -> None:
        self.crimes = fixture("crimes-street.json") if crimes is None else crimes
        self.no_location = fixture("crimes-no-location.json")
        self.outcomes = {
            "4c1f5d1a35f0b1f39b3a4c8e2f0f1bd0a9f4a3e8c77b9dbe31f9c4a3b5e7d2a1": fixture("outcomes-for-crime.json")
        }
        self.max_crimes = max_crimes
        self.requests: list[dict] = []
        self.scripted: dict[str, list[tuple[int, bytes]]] = defaultdict(list)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/api"

    def url_length(self, path: str) -> int:
        return len(self.url.removesuffix("/api")) + len(path)

    def fail_next(self, path: str, *, status: int = 200, body: bytes = b"", times: int = 1) -> None:
        """The next `times` requests whose path starts with `path` (after /api/) get this answer instead."""
        self.scripted[path].extend([(status, body)] * times)

    def __enter__(self) -> "FakePoliceApi":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- routing -------------------------------------------------------------------------------------------

    def answer(self, method: str, path: str, params: dict, url_length: int) -> tuple[int, object]:
        self.requests.append({"method": method, "path": path, "params": params, "url_length": url_length})
        if method == "GET" and url_length > MAX_GET_URL:
            return 400, b"<html>Request-URI Too Long</html>"
        for prefix, queue in self.scripted.items():
            if path.startswith(prefix) and queue:
                return queue.pop(0)
        return self.route(path, params)

    def route(self, path: str, params: dict) -> tuple[int, object]:
        if path == "forces":
            return 200, fixture("forces.json")
        if path.endswith("/neighbourhoods"):
            return 200, fixture(f"neighbourhoods-{path.split('/')[0]}.json")
        if path == "crime-categories":
            return 200, fixture("crime-categories.json")
        if path == "crimes-street/all-crime":
            return self.crimes_street(params)
        if path == "crimes-no-location":
            found = params.get("force") == "metropolitan"
            return 200, [c for c in self.no_location if found and c["month"] == params.get("date")]
        if path.startswith("outcomes-for-crime/"):
            outcome = self.outcomes.get(path.rsplit("/", 1)[1])
            return (200, outcome) if outcome else (404, b"")
        return 404, b""

    def crimes_street(self, params: dict) -> tuple[int, object]:
        polygon = Polygon([(float(lng), float(lat)) for lat, lng in (p.split(",") for p in params["poly"].split(":"))])
        month = [c for c in self.crimes if c["month"] == params.get("date")]
        x = [float(c["location"]["longitude"]) for c in month]
        y = [float(c["location"]["latitude"]) for c in month]
        inside = shapely.intersects_xy(polygon, x, y) if month else []
        found = [crime for crime, hit in zip(month, inside, strict=True) if hit]
        if len(found) > self.max_crimes:
            return 503, b""
        return 200, found


def _handler_for(api: FakePoliceApi):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            parts = urlsplit(self.path)
            self._reply(*api.answer("GET", _path(parts.path), _flat(parse_qs(parts.query)), api.url_length(self.path)))

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            self._reply(*api.answer("POST", _path(urlsplit(self.path).path), _flat(parse_qs(body)), 0))

        def _reply(self, status: int, payload) -> None:
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

    return Handler


def _path(raw: str) -> str:
    return raw.removeprefix("/api/").strip("/")


def _flat(query: dict) -> dict:
    return {key: values[-1] for key, values in query.items()}
