from django.db import migrations


def load(apps, schema_editor):
    from portal.catalog_sync import sync_catalog

    sync_catalog(apps.get_model("portal", "PolicyDocument"), apps.get_model("portal", "Standard"))


class Migration(migrations.Migration):
    """Re-sync the catalogue: GD-07 gains its step interval, GD-09r (the disclosure rate) is added,
    the election rules get their keys."""

    dependencies = [("portal", "0005_history_of_assignments_and_standards")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
