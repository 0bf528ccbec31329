"""Indexes that serve the pages' Incident reads under each filter-bar choice (see Incident.Meta).

On PostgreSQL each is built CONCURRENTLY, so a live Incident table keeps taking imports and reads while it builds
(hence atomic = False); other databases build them plainly.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


def _time_id(field: str, name: str, condition: models.Q | None = None) -> AddIndexConcurrentlyOnPostgres:
    index = models.Index(fields=[field, "occurred_at", "id"], name=name, condition=condition)
    return AddIndexConcurrentlyOnPostgres(model_name="incident", index=index)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("ingestion", "0008_incident_lifecycle")]

    operations = [
        _time_id("kind", "incident_kind_time_id_idx"),
        _time_id("source", "incident_source_time_id_idx"),
        _time_id("force", "incident_force_time_id_idx"),
        _time_id("lsoa", "incident_lsoa_time_id_idx", models.Q(lsoa__isnull=False)),
        _time_id("neighborhood", "incident_nbhd_time_id_idx", models.Q(neighborhood__isnull=False)),
        _time_id("post", "incident_post_time_id_idx", models.Q(post__isnull=False)),
        _time_id("zip_code", "incident_zip_time_id_idx", models.Q(zip_code__isnull=False)),
        _time_id("h3_cell", "incident_h3_time_id_idx"),
        AddIndexConcurrentlyOnPostgres(
            model_name="incident",
            index=models.Index(
                fields=["occurred_at", "id"],
                name="incident_minute_time_id_idx",
                condition=models.Q(time_precision="minute"),
            ),
        ),
    ]
