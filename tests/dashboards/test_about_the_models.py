"""/about-the-models/: every signed-in role opens it, anonymous visitors sign in first; every model the dashboards
show is on it with its measured accuracy; its rules come from the settings."""

import pytest
from django.urls import reverse

from accounts.roles import DISPATCH, ROLES
from analytics import conf
from analytics.models import (
    DemandBacktest,
    DemandBacktestScore,
    DemandForecast,
    HotspotBacktest,
    HotspotRun,
)
from tests.factories import UserFactory

URL = "/about-the-models/"


def test_the_url_is_at_the_root():
    assert reverse("about_the_models") == URL


@pytest.mark.parametrize("role", [role for role in ROLES if role != DISPATCH])
def test_every_role_opens_the_page(client_for, role):
    response = client_for(role).get(URL)
    assert response.status_code == 200
    assert "It makes no prediction about any individual" in response.content.decode()


def test_the_dispatch_service_account_opens_it_too(client, org):
    client.force_login(UserFactory(username="cad-feed", role=DISPATCH, unit=org["force"]))
    assert client.get(URL).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login")) and "next=/about-the-models/" in response["Location"]


def test_the_suppression_threshold_and_retention_come_from_the_settings(client_for, monkeypatch, settings):
    monkeypatch.setattr(conf, "SUPPRESSION_THRESHOLD", 7)
    settings.AUDIT_RETENTION_DAYS = 730
    settings.API_TOKEN_TTL_DAYS = 12
    html = client_for("executive").get(URL).content.decode()
    assert "counts from 1 to 6 hidden" in html and "ANALYTICS_SUPPRESSION_THRESHOLD = 7" in html
    assert "kept 730 days" in html and "expire after 12 days" in html


def test_every_model_shown_elsewhere_is_listed_with_its_accuracy(client_for, forecast_data):
    html = client_for("analyst").get(URL).content.decode()
    demand = set(DemandBacktestScore.objects.values_list("model", flat=True))
    demand |= {name for backtest in DemandBacktest.objects.all() for name in backtest.summary["models"]}
    forecasts = set(DemandForecast.objects.values_list("model", flat=True))
    hotspots = {name for backtest in HotspotBacktest.objects.all() for name in backtest.results["methods"]}
    runs = set(HotspotRun.objects.values_list("method", flat=True))
    names = demand | forecasts | hotspots | runs
    assert len(demand) >= 3 and hotspots and runs
    missing = [name for name in names if f"<code>{name}</code>" not in html]
    assert missing == []
    backtest = DemandBacktest.objects.filter(granularity="day").first()
    chosen = backtest.summary["models"][backtest.chosen]
    assert f'data-model="{backtest.chosen}"><td><code>{backtest.chosen}</code> (chosen)' in html
    assert f'<td class="num">{chosen["mase"]:.2f}</td>' in html
    assert "(baseline)" in html and "Latest bias report" in html and "Decile" in html
