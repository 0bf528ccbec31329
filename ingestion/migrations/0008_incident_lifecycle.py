from django.db import migrations, models


def _lifecycle(name: str, help_text: str) -> migrations.AddField:
    return migrations.AddField(
        model_name="incident", name=name, field=models.DateTimeField(blank=True, help_text=help_text, null=True)
    )


class Migration(migrations.Migration):
    dependencies = [("ingestion", "0007_incident_local_time_category_override")]

    # Nullable columns without a default: PostgreSQL adds them without rewriting the incident table.
    operations = [
        _lifecycle("dispatched_at", "When a unit was assigned."),
        _lifecycle("en_route_at", "When the unit set off."),
        _lifecycle("on_scene_at", "When the first unit arrived."),
        _lifecycle("cleared_at", "When the last unit left the scene."),
    ]
