from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("analytics", "0013_context_effects")]

    operations = []
