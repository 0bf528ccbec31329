from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analytics", "0011_response_times")]

    operations = [
        migrations.AddField(
            model_name="deploymentplan",
            name="coverage_option",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Staging sites per shift that maximise demand within the target time.",
            ),
        ),
        migrations.AddField(
            model_name="deploymentplan",
            name="dispatch_attempts",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="deploymentplan",
            name="dispatch_delivered_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="deploymentplan",
            name="dispatch_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("not_configured", "No dispatch endpoint configured"),
                    ("pending", "Being sent"),
                    ("delivered", "Delivered"),
                    ("failed", "Failed after retries"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="deploymentplan",
            name="pilot_areas",
            field=models.JSONField(
                blank=True, default=list, help_text="Sub-areas that took up the plan on acceptance."
            ),
        ),
        migrations.AddField(
            model_name="deploymentplan",
            name="pilot_start",
            field=models.DateField(blank=True, help_text="First day the pilot areas run the plan.", null=True),
        ),
    ]
