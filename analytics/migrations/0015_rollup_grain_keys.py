from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("analytics", "0014_hotspot_methods")]

    operations = []
