"""Each rollup table unique on its grain; the unique index leads with the columns of the index it replaces.

Two refreshes that overlapped before this could have inserted one slice twice: the same rows with the same counts.
Those copies are deleted first (the oldest row of each grain stays), so the constraints can be built.
"""

from django.db import migrations, models

# model -> its grain, in the order of the unique index
GRAINS = {
    "monthlycount": ("level", "area_code", "month", "borough_code", "category", "kind", "origin", "source"),
    "areamonthtotal": ("level", "borough_code", "month", "area_code", "kind", "source"),
    "hourweekdaycount": ("level", "area_code", "month", "borough_code", "weekday", "hour", "category", "kind",
                         "source"),
    "dailycount": ("level", "area_code", "day", "borough_code", "category", "kind", "source", "priority"),
    "prioritymonthtotal": ("level", "month", "area_code", "borough_code", "kind", "source", "priority"),
    "outcomecount": ("level", "area_code", "month", "borough_code", "category", "kind", "outcome"),
    "responsetimecount": ("level", "measure", "month", "area_code", "borough_code", "category", "kind", "source",
                          "priority", "bucket"),
    "responsehourcount": ("level", "month", "area_code", "borough_code", "weekday", "hour", "category", "kind",
                          "source", "priority", "bucket"),
}  # fmt: skip
NAMES = {
    "monthlycount": "mc",
    "areamonthtotal": "amt",
    "hourweekdaycount": "hw",
    "dailycount": "dc",
    "prioritymonthtotal": "pmt",
    "outcomecount": "oc",
    "responsetimecount": "rtc",
    "responsehourcount": "rhc",
}
REPLACED = {
    "monthlycount": "mc_level_area_month_idx",
    "areamonthtotal": "amt_level_borough_month_idx",
    "hourweekdaycount": "hw_level_area_month_idx",
    "dailycount": "dc_level_area_day_idx",
    "prioritymonthtotal": "pmt_level_month_idx",
    "outcomecount": "oc_level_area_month_idx",
    "responsetimecount": "rtc_level_measure_month_idx",
    "responsehourcount": "rhc_level_month_idx",
}


def copies_delete(apps, schema_editor):
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        for model_name, grain in GRAINS.items():
            table = quote(apps.get_model("analytics", model_name)._meta.db_table)
            columns = ", ".join(quote(column) for column in grain)
            ranked = f"SELECT id, row_number() OVER (PARTITION BY {columns} ORDER BY id) AS n FROM {table}"
            cursor.execute(f"DELETE FROM {table} WHERE id IN (SELECT id FROM ({ranked}) r WHERE n > 1)")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0014_hotspot_methods")]

    operations = [
        migrations.RunPython(copies_delete, migrations.RunPython.noop, elidable=True),
        *(
            migrations.AddConstraint(
                model_name=model_name,
                constraint=models.UniqueConstraint(fields=grain, name=f"{NAMES[model_name]}_grain_unique"),
            )
            for model_name, grain in GRAINS.items()
        ),
        *(migrations.RemoveIndex(model_name=model_name, name=name) for model_name, name in REPLACED.items()),
    ]
