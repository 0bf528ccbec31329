from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("ingestion", "0007_incident_local_time_category_override")]

    operations = []
