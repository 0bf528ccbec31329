"""The live feed in an LSOA reads minute-precision rows only (see Incident.Meta); built CONCURRENTLY on PostgreSQL,
as 0009's indexes are."""

from importlib import import_module

from django.db import migrations, models

AddIndexConcurrentlyOnPostgres = import_module("ingestion.migrations.0009_incident_read_indexes").AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("ingestion", "0010_area_outline"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="incident",
            index=models.Index(
                condition=models.Q(("lsoa__isnull", False), ("time_precision", "minute")),
                fields=["lsoa", "occurred_at", "id"],
                name="incident_lsoa_minute_idx",
            ),
        ),
    ]
