import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analytics", "0012_deployment_pilot")]

    operations = [
        migrations.CreateModel(
            name="ContextEffect",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("area_code", models.CharField(help_text="Borough/district code, or 'force'.", max_length=64)),
                ("borough_code", models.CharField(blank=True, max_length=64)),
                ("factor", models.CharField(help_text="bank_holiday, or a ContextSeries name.", max_length=64)),
                ("source", models.CharField(max_length=200)),
                (
                    "indicator",
                    models.BooleanField(help_text="On/off days (1/0) rather than a measurement such as rain in mm."),
                ),
                ("period_start", models.DateField()),
                ("period_end", models.DateField()),
                ("days", models.PositiveIntegerField()),
                ("days_on", models.PositiveIntegerField(blank=True, null=True)),
                (
                    "mean_on",
                    models.FloatField(blank=True, help_text="Mean daily calls on days with the factor.", null=True),
                ),
                (
                    "mean_off",
                    models.FloatField(blank=True, help_text="Mean daily calls on days without it.", null=True),
                ),
                (
                    "effect",
                    models.FloatField(
                        blank=True,
                        help_text="Change in daily calls as a share (0.3 = +30 %): on vs off, or per unit.",
                        null=True,
                    ),
                ),
                ("effect_low", models.FloatField(blank=True, null=True)),
                ("effect_high", models.FloatField(blank=True, null=True)),
                ("interval_level", models.FloatField(default=0.9)),
                ("validation_mae_without", models.FloatField(blank=True, null=True)),
                ("validation_mae_with", models.FloatField(blank=True, null=True)),
                (
                    "improved",
                    models.BooleanField(default=False, help_text="Adding it cut the validation MAE enough to be kept."),
                ),
                (
                    "used",
                    models.BooleanField(
                        default=False, help_text="The area's chosen model is the context regression with it."
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200)),
                (
                    "backtest",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="context_effects",
                        to="analytics.demandbacktest",
                    ),
                ),
            ],
            options={"ordering": ["area_code", "factor"]},
        ),
    ]
