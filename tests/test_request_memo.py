"""A per-request memo answers a repeated question once within a request, and nothing is kept for the next one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crimedash.request_memo import RequestMemoMiddleware, per_request
from ingestion.models import Area
from ingestion.selectors import area_column, area_kinds

calls = []


@per_request
def _counted(value):
    calls.append(value)
    return value * 2


def _within_a_request(view):
    return RequestMemoMiddleware(lambda request: view())(request=None)


def test_within_a_request_a_question_is_answered_once_per_argument():
    calls.clear()
    assert _within_a_request(lambda: [_counted(2), _counted(2), _counted(3), _counted(value=2)]) == [4, 4, 6, 4]
    assert calls == [2, 3, 2]  # a keyword argument is another key


def test_nothing_is_kept_from_one_request_to_the_next_nor_outside_one():
    calls.clear()
    _within_a_request(lambda: _counted(5))
    _within_a_request(lambda: _counted(5))
    _counted(5), _counted(5)
    assert calls == [5, 5, 5, 5]


def test_a_task_run_eagerly_inside_a_request_asks_afresh():
    from crimedash.celery import app

    @app.task(name="tests.memo_probe")
    def probe():
        return [_counted(7), _counted(7)]

    calls.clear()
    assert _within_a_request(lambda: [_counted(7), probe.apply().get(), _counted(7)]) == [14, [14, 14], 14]
    assert calls == [7, 7, 7]  # the task wrote what the request's memo held: it reads outside it


def test_an_unhashable_argument_is_answered_each_time():
    calls.clear()
    assert _within_a_request(lambda: [_counted([1]), _counted([1])]) == [[1, 1], [1, 1]]
    assert calls == [[1], [1]]


@pytest.mark.django_db
def test_area_kinds_reads_the_areas_once_per_request_and_again_in_the_next():
    Area.objects.create(code="met", name="Met", kind=Area.Kind.FORCE)
    Area.objects.create(code="E09000033", name="Westminster", kind=Area.Kind.BOROUGH)
    with CaptureQueriesContext(connection) as queries:
        answers = _within_a_request(lambda: [area_kinds(["met", "E09000033", "89195da49b7ffff"]),
                                             area_kinds(("89195da49b7ffff", "E09000033", "met", "met"))])  # fmt: skip
    assert answers == [{"met": "force", "E09000033": "borough"}] * 2
    assert len(queries) == 1
    Area.objects.filter(code="met").update(kind=Area.Kind.BOROUGH)
    assert _within_a_request(lambda: area_kinds(["met"])) == {"met": "borough"}


@pytest.mark.django_db
def test_overlapping_sets_of_codes_read_only_the_codes_not_asked_before_in_the_request():
    Area.objects.create(code="met", name="Met", kind=Area.Kind.FORCE)
    Area.objects.create(code="E09000033", name="Westminster", kind=Area.Kind.BOROUGH)
    Area.objects.create(code="E09000007", name="Camden", kind=Area.Kind.BOROUGH)

    def asked():
        return [area_kinds(["met", "nowhere"]), area_kinds(["met", "E09000033"]), area_kinds(["nowhere", "met"]),
                area_kinds(["E09000033", "E09000007", "met"]), area_column(["met"], "name")]  # fmt: skip

    with CaptureQueriesContext(connection) as queries:
        answers = _within_a_request(asked)
    assert answers == [{"met": "force"}, {"met": "force", "E09000033": "borough"}, {"met": "force"},
                       {"met": "force", "E09000033": "borough", "E09000007": "borough"}, {"met": "Met"}]  # fmt: skip
    reads = [q["sql"] for q in queries]
    assert len(reads) == 4  # met and nowhere; E09000033; E09000007; the names, another column
    assert "'E09000007'" in reads[2] and "'met'" not in reads[2] and "'E09000033'" not in reads[2]


def test_a_page_with_a_chosen_area_asks_the_kinds_of_its_areas_once(client_for):
    Area.objects.create(code="E09000033", name="Westminster", kind=Area.Kind.BOROUGH)
    with CaptureQueriesContext(connection) as queries:
        response = client_for("analyst").get(reverse("dashboards:tactical"), {"area": "E09000033"})
    assert response.status_code == 200
    kinds_read = [q["sql"] for q in queries if 'FROM "ingestion_area" WHERE "ingestion_area"."code" IN' in q["sql"]]
    assert len(kinds_read) == 1, kinds_read


def test_a_page_builds_its_navigation_once_however_many_fragments_it_renders(client_for, monkeypatch):
    from accounts import context_processors

    reversed_names = []
    monkeypatch.setattr(context_processors, "reverse", lambda name: reversed_names.append(name) or reverse(name))
    response = client_for("analyst").get(reverse("dashboards:tactical"))
    assert response.status_code == 200 and response.context["nav_items"]
    assert len(reversed_names) == len(response.context["nav_items"])  # each link once, not once per fragment


@pytest.mark.django_db
def test_each_sources_zone_is_read_once_per_request_however_the_sources_are_grouped():
    from django.utils import timezone

    from ingestion.localtime import source_zones, zone_of_sources
    from ingestion.models import Incident

    for source, zone in (("baltimore_911", "America/New_York"), ("milwaukee_cfs", "America/Chicago")):
        Incident.objects.create(source=source, source_key="1", kind="call", category="assault",
                                occurred_at=timezone.now(), time_zone=zone)  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        answers = _within_a_request(
            lambda: [
                source_zones(["baltimore_911"]),
                zone_of_sources(("baltimore_911",)),
                source_zones(["milwaukee_cfs", "baltimore_911", "never-imported"]),
            ]
        )
    assert answers == [
        {"baltimore_911": "America/New_York"},
        "America/New_York",
        {"baltimore_911": "America/New_York", "milwaukee_cfs": "America/Chicago"},
    ]
    assert len(queries) == 3  # one per source, the one never imported included
    Incident.objects.filter(source="baltimore_911").update(time_zone="America/Denver")
    assert _within_a_request(lambda: source_zones(["baltimore_911"])) == {"baltimore_911": "America/Denver"}
