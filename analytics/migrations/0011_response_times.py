from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("analytics", "0010_context_series_plural")]

    operations = []
