from django.db import migrations


def load(apps, schema_editor):
    from portal.catalog_sync import sync_catalog

    sync_catalog(apps.get_model("portal", "PolicyDocument"), apps.get_model("portal", "Standard"))


class Migration(migrations.Migration):
    """GD-07 gains its step interval, GD-09r (the 70% disclosure rate) is added."""

    dependencies = [("portal", "0004_assignment_code_ascii")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
