"""The response-times panel of the tactical and analytical pages: the numbers of the API, per source, scoped,
suppressed, and a source without times saying so."""

import datetime as dt

import pytest
from django.urls import reverse

from analytics.models import ResponseTarget
from analytics.refresh import analytics_refresh
from tests.analytics.factories import CAMDEN, LSOA_C1, incidents, local, london_areas

pytestmark = pytest.mark.django_db
API = "/api/analytics/response-times/"


def _calls(minutes: list[float], *, day: int, **fields) -> None:
    for index, value in enumerate(minutes):
        received = local(2024, 3, day, 8) + dt.timedelta(hours=index)
        fields = {"category": "assault", "priority": "Emergency", **fields}
        incidents(1, source="cad_demo", kind="call", time_precision="minute", occurred_at=received,
                  on_scene_at=received + dt.timedelta(minutes=value), source_key=f"CAD-{day}-{index}",
                  **fields)  # fmt: skip


@pytest.fixture
def timed_calls(db):
    london_areas()
    ResponseTarget.objects.update_or_create(priority="Emergency", defaults={"target_minutes": 15})
    _calls([5, 8, 10, 12, 14, 16, 20, 45], day=4)  # Westminster
    _calls([30, 31, 32, 33, 34, 35], day=5, borough_id=CAMDEN, lsoa_id=LSOA_C1)
    _calls([6, 7], day=6, category="overdose")  # Westminster: two, a small count
    incidents(12, source="baltimore", kind="call", time_precision="minute", occurred_at=local(2024, 3, 4, 9))
    analytics_refresh(full=True)


def _sections(response) -> dict:
    return {section["source"]: section for section in response.context["response_times"]}


def _chart(section: dict, prefix: str) -> dict:
    return next(chart for chart in section["charts"] if chart["id"].startswith(prefix))


@pytest.mark.parametrize("page", ["dashboards:tactical", "dashboards:analytical"])
def test_analyst_panel_shows_the_numbers_of_the_api(client_for, timed_calls, page):
    client = client_for("analyst")
    response = client.get(reverse(page))
    section = _sections(response)["cad_demo"]
    api = client.get(section["api_url"]).json()  # the link the panel gives to its figures
    assert section["api_url"].startswith(API)
    # the page's period (Apr 2021 to Mar 2024) from the source's first month with times: the months it covers
    assert section["covers"]["period"] == "Mar 2024"
    assert "source=cad_demo" in section["api_query"] and "date_from=2024-03-01" in section["api_query"]
    assert section["overall"]["count"] == api["overall"]["count"] == 16
    assert section["overall"]["p50"] == api["overall"]["p50"]
    emergency = section["priorities"][0]
    assert (emergency["priority"], emergency["target_minutes"]) == ("Emergency", 15)
    assert emergency["within_target"] == pytest.approx(7 / 16)
    assert section["slowest"][0]["response_minutes"] == 45.0
    html = response.content.decode()
    assert "Response times · " in html and "Apr 2021 to Mar 2024" in html
    assert "hours and months in Europe/London time" in html
    assert reverse("dashboards:incident", args=[section["slowest"][0]["pk"]]) in html


def test_a_source_without_times_says_so_instead_of_zeros(client_for, timed_calls):
    response = client_for("analyst").get(reverse("dashboards:tactical"))
    baltimore = _sections(response)["baltimore"]
    assert baltimore["has_times"] is False and "charts" not in baltimore
    assert "this source records no response times" in response.content.decode()


def test_commander_sees_only_own_bcu_and_no_small_counts(client_for, timed_calls):
    section = _sections(client_for("commander").get(reverse("dashboards:tactical")))["cad_demo"]
    assert section["overall"]["count"] == 10  # Westminster's eight and two, not Camden's six
    assert _chart(section, "rt-area")["figure"]["data"][0]["x"] == ["Westminster"]
    assert all(call["area_code"] == "E09000033" for call in section["slowest"])
    categories = _chart(section, "rt-category")["table"]["rows"]
    overdose = next(row for row in categories if row[0] == "Overdose")
    assert overdose[1:] == [None, None]  # two calls: their median and p90 are hidden from a commander


REFUSED = [
    ("executive", "dashboards:tactical"),
    ("supervisor", "dashboards:tactical"),
    ("commander", "dashboards:analytical"),
    ("officer", "dashboards:analytical"),
]


@pytest.mark.parametrize(("role", "page"), REFUSED)
def test_roles_without_the_page_do_not_get_the_panel(client_for, timed_calls, role, page):
    response = client_for(role).get(reverse(page))
    assert response.status_code == 403
    assert b"response-times" not in response.content


def test_without_dates_a_source_shows_its_latest_12_months_with_times_from_its_first(role_users, timed_calls):
    from dashboards.filters import DashboardFilters
    from dashboards.response_times import response_times_panels

    sections = {s["source"]: s for s in response_times_panels(user=role_users["analyst"], filters=DashboardFilters())}
    assert sections["cad_demo"]["covers"]["period"] == "Mar 2024"  # the 12 months to Mar 2024 hold times from Mar
    assert sections["cad_demo"]["overall"]["count"] == 16
    incidents(1, source="cad_demo", kind="call", time_precision="minute", occurred_at=local(2023, 9, 1, 8),
              on_scene_at=local(2023, 9, 1, 8) + dt.timedelta(minutes=9), source_key="CAD-early")  # fmt: skip
    analytics_refresh(full=True)
    sections = {s["source"]: s for s in response_times_panels(user=role_users["analyst"], filters=DashboardFilters())}
    assert sections["cad_demo"]["covers"]["period"] == "Sep 2023 to Mar 2024"


def test_a_priority_without_a_target_is_blank_not_a_hidden_count(client_for, timed_calls):
    _calls([50, 55, 60, 65, 70, 75], day=7, priority="Scheduled", category="theft")
    analytics_refresh(full=True)
    section = _sections(client_for("commander").get(reverse("dashboards:tactical")))["cad_demo"]
    priority = _chart(section, "rt-priority")
    assert priority["table"]["rows"][-1][0] == "Scheduled" and priority["table"]["rows"][-1][3] is None
    assert priority["partly_suppressed"] is False
    assert (
        _chart(section, "rt-category")["partly_suppressed"] is True
    )  # overdose (2), and theft (6) lest the total give it away


def test_a_chosen_source_of_crimes_says_it_records_no_response_times(client_for, timed_calls):
    incidents(10, occurred_at=local(2024, 3, 1))  # police.uk crimes, monthly
    analytics_refresh(full=True)
    response = client_for("analyst").get(reverse("dashboards:analytical"), {"source": "police_uk"})
    sections = _sections(response)
    assert list(sections) == ["police_uk"] and sections["police_uk"]["has_times"] is False
    assert "this source records no response times" in response.content.decode()


def test_the_panel_names_the_chosen_area(client_for, timed_calls):
    response = client_for("analyst").get(reverse("dashboards:tactical"), {"area": CAMDEN})
    section = _sections(response)["cad_demo"]
    assert section["covers"]["areas"] == "Camden" and section["overall"]["count"] == 6
