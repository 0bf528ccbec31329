from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analytics", "0013_context_effects")]

    operations = [
        migrations.AlterField(
            model_name="hotspotrun",
            name="method",
            field=models.CharField(
                choices=[
                    ("counts", "Counts"),
                    ("kde", "Kernel density"),
                    ("gi-star", "Getis-Ord Gi*"),
                    ("prospective", "Prospective (near-repeat)"),
                    ("near-repeat", "Near-repeat (shrunk long-run rate plus recent nearby incidents)"),
                    ("blend", "Blend of long-run, recent and neighbouring counts"),
                ],
                max_length=16,
            ),
        ),
    ]
