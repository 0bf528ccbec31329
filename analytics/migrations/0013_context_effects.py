from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("analytics", "0012_deployment_pilot")]

    operations = []
