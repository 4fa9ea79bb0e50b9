from django.db import migrations


def load(apps, schema_editor):
    from portal.catalog_sync import sync_catalog

    sync_catalog(apps.get_model("portal", "PolicyDocument"), apps.get_model("portal", "Standard"))


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_compliance")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
