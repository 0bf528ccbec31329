"""The data.police.uk client against a local fake API: rate limit, retries, POST for long polygons, 503 splits."""

import pytest
from shapely.geometry import Polygon, box

from ingestion.sources.police_uk.client import PoliceApiClient, PoliceApiError
from ingestion.sources.police_uk.ratelimit import TokenBucket
from tests.ingestion.fake_police_api import FakePoliceApi, crimes_at


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def bucket_on(clock: FakeClock, rate: float = 15, capacity: int = 30) -> TokenBucket:
    return TokenBucket(rate=rate, capacity=capacity, clock=clock, sleep=clock.sleep)


def client_for(api: FakePoliceApi, clock: FakeClock | None = None, **kwargs) -> PoliceApiClient:
    clock = clock or FakeClock()
    return PoliceApiClient(base_url=api.url, bucket=bucket_on(clock), sleep=clock.sleep, timeout=5, **kwargs)


WESTMINSTER_BOX = box(-0.2, 51.48, -0.11, 51.53)
CENTRAL_BOX = box(-0.2, 51.48, -0.06, 51.56)


def test_bucket_allows_a_burst_of_thirty_without_waiting():
    clock = FakeClock()
    bucket = bucket_on(clock)
    waits = [bucket.acquire() for _ in range(30)]
    assert sum(waits) == 0
    assert clock.slept == []


def test_bucket_then_keeps_to_fifteen_per_second():
    clock = FakeClock()
    bucket = bucket_on(clock)
    start = clock.now
    for _ in range(30 + 150):
        bucket.acquire()
    # 150 requests beyond the burst take 10 s at 15/s.
    assert clock.now - start == pytest.approx(10.0)


def test_bucket_refills_while_idle_but_never_beyond_capacity():
    clock = FakeClock()
    bucket = bucket_on(clock)
    for _ in range(30):
        bucket.acquire()
    clock.now += 3600
    for _ in range(30):
        assert bucket.acquire() == 0
    assert bucket.acquire() == pytest.approx(1 / 15)


def test_client_reads_forces_and_categories():
    with FakePoliceApi() as api:
        client = client_for(api)
        forces = {force["id"] for force in client.forces()}
        categories = {c["url"]: c["name"] for c in client.crime_categories(month="2024-01")}
    assert {"metropolitan", "city-of-london"} <= forces
    assert categories["violent-crime"] == "Violence and sexual offences"


def test_429_is_retried_with_exponential_backoff_then_succeeds():
    clock = FakeClock()
    with FakePoliceApi() as api:
        api.fail_next("forces", status=429, times=3)
        client = client_for(api, clock, backoff=0.5)
        forces = client.forces()
    assert len(forces) == 4
    assert client.retries == 3
    assert clock.slept == [0.5, 1.0, 2.0]


def test_client_gives_up_after_its_retries_naming_the_request():
    with FakePoliceApi() as api:
        api.fail_next("forces", status=429, times=10)
        client = client_for(api, max_retries=2)
        with pytest.raises(PoliceApiError, match=r"GET .*/forces failed after 3 attempts"):
            client.forces()


def test_network_errors_are_retried():
    with FakePoliceApi() as api:
        url = api.url
    clock = FakeClock()  # the server is gone: connection refused each time
    client = PoliceApiClient(base_url=url, bucket=bucket_on(clock), sleep=clock.sleep, max_retries=2, timeout=2)
    with pytest.raises(PoliceApiError, match="failed after 3 attempts"):
        client.forces()
    assert client.requests_made == 3


def test_malformed_json_is_a_clear_error():
    with FakePoliceApi() as api:
        api.fail_next("crime-categories", body=b'[{"url": "all-crime", "name"')
        with pytest.raises(PoliceApiError, match="malformed JSON"):
            client_for(api).crime_categories(month="2024-01")


def test_short_polygon_is_sent_by_get():
    with FakePoliceApi() as api:
        crimes = client_for(api).crimes_street(polygon=WESTMINSTER_BOX, month="2024-01")
    assert api.requests[-1]["method"] == "GET"
    assert {c["id"] for c in crimes} == {116208998, 116211347}


def test_long_polygon_is_posted_instead_of_a_get_the_api_would_refuse():
    circle = Polygon(WESTMINSTER_BOX.exterior).buffer(0.0, quad_segs=1)
    detailed = circle.segmentize(0.0005)  # ~400 vertices: a GET URL well past 4,094 characters
    with FakePoliceApi() as api:
        crimes = client_for(api).crimes_street(polygon=detailed, month="2024-01")
    assert api.requests[-1]["method"] == "POST"
    assert {c["id"] for c in crimes} == {116208998, 116211347}


def test_busy_polygon_is_split_into_quadrants_and_every_crime_arrives_once():
    # A 12 x 12 grid of crimes, some on the lines the quadrants are cut along.
    points = [(-0.2 + 0.14 * i / 11, 51.48 + 0.08 * j / 11) for i in range(12) for j in range(12)]
    with FakePoliceApi(crimes=crimes_at(points), max_crimes=20) as api:
        client = client_for(api)
        crimes = client.crimes_street_area(geometry=CENTRAL_BOX, month="2024-01")
    assert client.splits >= 2
    assert sorted(c["id"] for c in crimes) == sorted(c["id"] for c in api.crimes)
    assert sum(1 for r in api.requests if r["path"] == "crimes-street/all-crime") > 4


def test_no_location_and_outcomes_for_crime():
    with FakePoliceApi() as api:
        client = client_for(api)
        no_location = client.crimes_no_location(force="metropolitan", month="2024-01")
        outcomes = client.outcomes_for_crime(persistent_id=api.crimes[1]["persistent_id"])
    assert [c["location"] for c in no_location] == [None, None]
    assert [o["category"]["code"] for o in outcomes["outcomes"]] == ["under-investigation", "no-further-action"]


def test_unknown_crime_has_no_outcomes_and_other_http_errors_stop_with_the_status():
    with FakePoliceApi() as api:
        client = client_for(api)
        assert client.outcomes_for_crime(persistent_id="unknown") == {"outcomes": []}
        api.fail_next("forces", status=500)
        with pytest.raises(PoliceApiError, match="HTTP 500"):
            client.forces()
