"""The analytical page's context panel shows each factor's stored effect, in the user's scope."""

import datetime as dt

import pytest
from django.urls import reverse

from analytics.forecasting.context_selectors import context_effect_list
from analytics.models import ContextEffect, DemandBacktest


def _effect(backtest, area_code: str, **fields) -> ContextEffect:
    values = {
        "factor": "event",
        "source": "import_context series 'event'",
        "indicator": True,
        "period_start": dt.date(2024, 1, 1),
        "period_end": dt.date(2024, 8, 27),
        "days": 240,
        "days_on": 29,
        "mean_on": 55.123,
        "mean_off": 42.5,
        "effect": 0.2871,
        "effect_low": 0.2212,
        "effect_high": 0.3566,
        "validation_mae_without": 7.5,
        "validation_mae_with": 5.25,
        "improved": True,
        "used": True,
    }
    return ContextEffect.objects.create(
        backtest=backtest,
        area_code=area_code,
        borough_code="" if area_code == "force" else area_code,
        **values | fields,
    )


@pytest.fixture
def stored_effects(db):
    backtest = DemandBacktest.objects.create(granularity="day", baseline="seasonal-naive", chosen="x", summary={})
    return {
        "force": _effect(backtest, "force"),
        "rain": _effect(
            backtest, "force", factor="rain_mm", indicator=False, effect=-0.0123, effect_low=-0.02, effect_high=-0.004
        ),
        "westminster": _effect(backtest, "E09000033", mean_on=3.0, mean_off=2.0),
        "camden": _effect(backtest, "E09000007"),
    }


def test_the_page_shows_the_stored_effect_with_its_interval_and_validation_verdict(client_for, stored_effects):
    response = client_for("analyst").get(reverse("dashboards:analytical"))
    table = response.context["context_effects"]
    stored = stored_effects["force"]
    force_event = next(row for row in table["rows"] if row[0] == "Whole force" and row[1] == "Event")
    assert force_event[3] == "+28.7% on vs off days (90%: +22.1% to +35.7%)"
    assert f"{stored.effect * 100:+.1f}%" in force_event[3]
    assert force_event[4] == "55.1 / 42.5 (29 days on)"
    assert force_event[5] == "MAE 7.50 → 5.25: kept, and the area's forecast uses it"
    rain = next(row for row in table["rows"] if row[1] == "Rain mm")
    assert rain[3].startswith("-1.2% per 1 mm more")
    html = response.content.decode()
    assert "+28.7% on vs off days" in html and "01 Jan 2024 to 27 Aug 2024" in html


def test_a_commander_sees_only_their_boroughs_effects_and_small_means_are_hidden(role_users, stored_effects):
    result = context_effect_list(user=role_users["commander"])
    assert {row["area_code"] for row in result["effects"]} == {"E09000033"}
    assert result["effects"][0]["mean_on"] is None and result["effects"][0]["mean_off"] is None  # under 5 a day
    assert result["effects"][0]["effect"] == stored_effects["westminster"].effect
    analyst = context_effect_list(user=role_users["analyst"])
    assert analyst["effects"][0]["area_code"] == "force"
    assert {row["area_code"] for row in analyst["effects"]} == {"force", "E09000033", "E09000007"}


def test_before_any_backtest_the_panel_says_what_it_needs(client_for, db):
    table = client_for("analyst").get(reverse("dashboards:analytical")).context["context_effects"]
    assert table["rows"] == [] and "import_context" in table["empty_text"]


def test_anonymous_visitors_are_sent_to_sign_in(client, stored_effects):
    response = client.get(reverse("dashboards:analytical"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
