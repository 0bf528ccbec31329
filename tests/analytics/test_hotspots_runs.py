"""Stored hotspot runs: the planted cluster is a significant Gi* cell; reported-only is the default ranking."""

import h3
import pytest

from analytics.hotspots.runs import chosen_method, hotspot_run, hotspots_refresh
from analytics.models import HotspotBacktest, HotspotCell, HotspotRun
from ingestion.models import Incident
from tests.analytics.forecasting_data import CLUSTER, WESTMINSTER, located, month, noise_and_cluster

pytestmark = pytest.mark.django_db


def _cluster_cell(resolution: int) -> str:
    return h3.latlng_to_cell(*CLUSTER, resolution)


def test_planted_cluster_is_stored_as_a_significant_hotspot_with_its_parameters():
    noise_and_cluster()
    run = hotspot_run(method=HotspotRun.Method.GI_STAR, resolution=9)
    assert run.params["fdr"] == "benjamini-hochberg"
    assert run.origin_filter == "public_report"
    assert run.incidents == 6 * 190
    cell = HotspotCell.objects.get(run=run, cell=_cluster_cell(9))
    assert cell.significant and cell.q < 0.05 and cell.z > 3
    assert cell.borough_code == WESTMINSTER
    assert run.significant_count <= 10  # the cluster and its ring, not the noise


def test_police_generated_records_do_not_rank_by_default():
    noise_and_cluster(months=3, cluster=0)
    elsewhere = (51.495, -0.125)
    located(
        [elsewhere[0]] * 60, [elsewhere[1]] * 60, occurred_at=month(2024, 3), origin=Incident.Origin.POLICE_GENERATED
    )
    default = hotspot_run(method=HotspotRun.Method.COUNTS, resolution=9)
    everything = hotspot_run(method=HotspotRun.Method.COUNTS, resolution=9, origin="all")
    cell = h3.latlng_to_cell(*elsewhere, 9)
    assert HotspotCell.objects.get(run=everything, cell=cell).rank == 1
    assert not HotspotCell.objects.filter(run=default, cell=cell, rank=1).exists()


def test_refresh_stores_every_method_and_prospective_targets_the_next_month():
    noise_and_cluster(months=4)
    ids = hotspots_refresh(resolution=9)
    runs = HotspotRun.objects.filter(pk__in=ids)
    assert {run.method for run in runs} == set(HotspotRun.Method.values)
    prospective = runs.get(method=HotspotRun.Method.PROSPECTIVE)
    assert prospective.target_period.isoformat() == "2024-05-01"
    assert HotspotCell.objects.filter(run=prospective).order_by("rank").first().cell in h3.grid_disk(
        _cluster_cell(9), 1
    )


def test_no_located_incidents_means_no_run():
    assert hotspot_run(method=HotspotRun.Method.KDE) is None


def _backtest_choosing(method: str, params: dict) -> HotspotBacktest:
    results = {"methods": {method: {"params": params}}, "chosen": {"method": method, "params": params}}
    return HotspotBacktest.objects.create(
        grid_kind="square", resolution=250, test_from="2024-04-01", periods=3, cells=10, best_method=method,
        results=results,
    )  # fmt: skip


def test_a_near_repeat_run_uses_the_settings_the_latest_backtest_chose_and_the_map_follows_its_choice():
    noise_and_cluster(months=4)
    assert chosen_method() == HotspotRun.Method.GI_STAR  # no backtest yet
    chosen = {"bandwidth_m": 250.0, "pseudo_months": 2.0, "scale_m": 400.0, "half_life": 1.0, "weight": 0.2}
    _backtest_choosing(HotspotRun.Method.NEAR_REPEAT, chosen)
    run = hotspot_run(method=HotspotRun.Method.NEAR_REPEAT, resolution=9)
    assert {key: run.params[key] for key in chosen} == chosen
    assert run.target_period.isoformat() == "2024-05-01"
    assert HotspotCell.objects.filter(run=run).order_by("rank").first().cell in h3.grid_disk(_cluster_cell(9), 1)
    assert chosen_method() == HotspotRun.Method.NEAR_REPEAT
    _backtest_choosing("some-method-runs-do-not-store", {})
    assert chosen_method() == HotspotRun.Method.GI_STAR
