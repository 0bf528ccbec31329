"""Each import refreshes what it touched, except inside a bulk load that ends in a full refresh (the demo's)."""

import pytest

from analytics.models import RefreshRun
from analytics.signals import imports_before_full_refresh
from ingestion.services import calls_import

HEADER = "recordId,callDateTime,priority,district,description,callNumber,incidentLocation,location\n"


def _calls_file(tmp_path, number: int):
    path = tmp_path / f"calls-{number}.csv"
    row = f'{number},05/04/2016 09:58:00 PM,Medium,NORTHERN,AUTO ACCIDENT,P{number},,"(39.3, -76.6)"\n'
    path.write_text(HEADER + row)
    return path


@pytest.mark.django_db
def test_an_import_inside_the_bulk_load_refreshes_nothing_and_one_outside_it_does(
    tmp_path, django_capture_on_commit_callbacks
):
    with imports_before_full_refresh(), django_capture_on_commit_callbacks(execute=True):
        [deferred] = calls_import(paths=[_calls_file(tmp_path, 1)])
    assert deferred.rows_inserted == 1 and not RefreshRun.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        [refreshed] = calls_import(paths=[_calls_file(tmp_path, 2)])
    assert list(RefreshRun.objects.values_list("run_id", flat=True)) == [refreshed.pk]


@pytest.mark.django_db
def test_the_bulk_load_ends_even_when_an_import_inside_it_fails(tmp_path, django_capture_on_commit_callbacks):
    with pytest.raises(RuntimeError), imports_before_full_refresh():
        raise RuntimeError("an import failed")
    with django_capture_on_commit_callbacks(execute=True):
        [run] = calls_import(paths=[_calls_file(tmp_path, 3)])
    assert RefreshRun.objects.filter(run_id=run.pk).count() == 1
