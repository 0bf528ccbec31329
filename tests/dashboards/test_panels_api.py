"""The API and the page agree on every panel: /api/dashboards/<page>/panels/ returns what the page draws for the same
query, for every role that opens the page, under filters drawn at random over every dimension the filter bar has."""

import json
import random

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from analytics.models import MonthlyCount
from dashboards.api import panels_of
from dashboards.filters import DashboardFilters, filters_to_query

OPENS = {"strategic": ("executive", "commander", "analyst"), "tactical": ("commander", "analyst"),
         "analytical": ("analyst",)}  # fmt: skip


def _random_queries(count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    rows = MonthlyCount.objects.filter(level="borough")
    months = sorted(set(rows.values_list("month", flat=True)))
    values = {
        field: sorted(set(rows.values_list(field, flat=True))) for field in ("area_code", "category", "kind", "source")
    }
    queries = [""]
    for _ in range(count):
        start = rng.choice(months)
        end = rng.choice([month for month in months if month >= start])
        chosen = {
            field: tuple(rng.sample(options, 1)) if rng.random() < 0.5 else () for field, options in values.items()
        }
        lists = {"areas": chosen["area_code"], "categories": chosen["category"], "kinds": chosen["kind"]}
        filters = DashboardFilters(date_from=start, date_to=end, sources=chosen["source"], **lists)
        queries.append(filters_to_query(filters))
    return queries


def _as_json(value) -> object:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@pytest.mark.parametrize("page", sorted(OPENS))
def test_the_api_returns_the_numbers_the_page_draws(client_for, dashboard_data, page):
    for role in OPENS[page]:
        client = client_for(role)
        for query in _random_queries(4):
            shown = client.get(f"{reverse(f'dashboards:{page}')}?{query}")
            assert shown.status_code == 200, (role, query)
            answer = client.get(f"{reverse(f'dashboards-{page}-panels')}?{query}")
            assert answer.status_code == 200, (role, query)
            drawn = _as_json(panels_of(shown.context))
            assert answer.json() == drawn, (role, page, query)
            assert drawn["panels"] or not shown.context["has_data"], (role, page, query)


@pytest.mark.parametrize(("role", "page"), [("executive", "tactical"), ("commander", "analytical"),
                                            ("officer", "strategic"), ("supervisor", "tactical")])  # fmt: skip
def test_a_role_that_cannot_open_the_page_gets_none_of_its_panels(client_for, dashboard_data, role, page):
    assert client_for(role).get(reverse(f"dashboards-{page}-panels")).status_code == 403


def test_anonymous_gets_no_panels(client, dashboard_data):
    assert client.get(reverse("dashboards-strategic-panels")).status_code in (401, 403)
