from django.db import migrations, models


def outlines_fill(apps, schema_editor):
    """Areas imported before outlines were stored get theirs from their boundary."""
    from ingestion.geo import outline_of

    Area = apps.get_model("ingestion", "Area")
    for area in Area.objects.filter(boundary__isnull=False).only("pk", "boundary").iterator():
        Area.objects.filter(pk=area.pk).update(outline=outline_of(area.boundary))


class Migration(migrations.Migration):
    dependencies = [
        ("ingestion", "0009_incident_read_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="area",
            name="outline",
            field=models.JSONField(
                blank=True,
                help_text="The boundary simplified to about 30 m, as maps draw it (set on import).",
                null=True,
            ),
        ),
        migrations.RunPython(outlines_fill, migrations.RunPython.noop),
    ]
