from django.db import migrations, models

LEVELS = [
    ("force", "Force"),
    ("borough", "Borough / BCU / district"),
    ("lsoa", "LSOA"),
    ("neighborhood", "Neighborhood"),
    ("post", "Police post"),
    ("zip", "ZIP code"),
    ("h3", "H3 cell (res 9)"),
]
# A starting table the force edits in the admin: the usual English grades for the priorities its CAD (and the demo)
# writes. Priorities without a row have no target and show none.
DEFAULT_TARGETS = [
    ("Emergency", 15, "immediate, urban"),
    ("Priority", 60, "prompt"),
]


def _rollup_fields(*extra):
    return [
        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
        ("level", models.CharField(choices=LEVELS, max_length=16)),
        ("area_code", models.CharField(max_length=64)),
        ("borough_code", models.CharField(blank=True, max_length=64)),
        ("month", models.DateField(help_text="First day of the month (local time).")),
        ("kind", models.CharField(max_length=8)),
        ("count", models.PositiveIntegerField()),
        ("category", models.CharField(max_length=64)),
        ("source", models.CharField(max_length=32)),
        ("priority", models.CharField(blank=True, max_length=32)),
        *extra,
        ("bucket", models.PositiveIntegerField(help_text="Lower edge of the bucket, in minutes.")),
    ]


def default_targets(apps, schema_editor):
    target = apps.get_model("analytics", "ResponseTarget")
    for priority, minutes, label in DEFAULT_TARGETS:
        target.objects.get_or_create(priority=priority, defaults={"target_minutes": minutes, "label": label})


def default_targets_remove(apps, schema_editor):
    target = apps.get_model("analytics", "ResponseTarget")
    target.objects.filter(priority__in=[priority for priority, *_ in DEFAULT_TARGETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0010_context_series_plural")]

    operations = [
        migrations.CreateModel(
            name="ResponseTarget",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "priority",
                    models.CharField(help_text="Priority exactly as the calls carry it.", max_length=32, unique=True),
                ),
                (
                    "target_minutes",
                    models.PositiveSmallIntegerField(help_text="On scene within this many minutes of the call."),
                ),
                (
                    "label",
                    models.CharField(
                        blank=True, help_text="How the force names it, e.g. 'I grade (urban)'.", max_length=100
                    ),
                ),
            ],
            options={"ordering": ["target_minutes", "priority"]},
        ),
        migrations.CreateModel(
            name="ResponseHourCount",
            fields=_rollup_fields(
                ("weekday", models.PositiveSmallIntegerField()), ("hour", models.PositiveSmallIntegerField())
            ),
            options={
                "indexes": [
                    models.Index(fields=["month", "borough_code"], name="rhc_month_borough_idx"),
                    models.Index(fields=["level", "month"], name="rhc_level_month_idx"),
                ]
            },
        ),
        migrations.CreateModel(
            name="ResponseTimeCount",
            fields=_rollup_fields(
                (
                    "measure",
                    models.CharField(
                        choices=[
                            ("response", "Response time"),
                            ("dispatch", "Dispatch delay"),
                            ("on_scene", "Time on scene"),
                        ],
                        max_length=16,
                    ),
                )
            ),
            options={
                "indexes": [
                    models.Index(fields=["month", "borough_code"], name="rtc_month_borough_idx"),
                    models.Index(fields=["level", "measure", "month"], name="rtc_level_measure_month_idx"),
                ]
            },
        ),
        migrations.RunPython(default_targets, default_targets_remove),
    ]
