from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("analytics", "0011_response_times")]

    operations = []
