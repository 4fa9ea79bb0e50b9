"""Findings become intervals: one row per verdict, valid_from (the old as_of) to valid_to."""

import datetime

from django.db import migrations, models
from django.db.models import F, OuterRef, Q, Subquery


def close_intervals(apps, schema_editor):
    """A past per-date finding held until the next finding of its key; one that no later
    evaluation repeated held for its own day only."""
    for name, keys in (("Finding", ("community_id", "standard_id")), ("JurisdictionFinding", ("code", "standard_id"))):
        model = apps.get_model("compliance", name)
        later = (
            model.objects.filter(**{k: OuterRef(k) for k in keys}, valid_from__gt=OuterRef("valid_from"))
            .order_by("valid_from")
            .values("valid_from")[:1]
        )
        old = model.objects.filter(was_current=False)
        old.update(valid_to=Subquery(later))
        for row in old.filter(valid_to__isnull=True).only("pk", "valid_from").iterator():
            model.objects.filter(pk=row.pk).update(valid_to=row.valid_from + datetime.timedelta(days=1))


def is_current():
    return models.GeneratedField(
        db_persist=True,
        expression=Q(valid_to__isnull=True),
        output_field=models.BooleanField(),
        verbose_name="最新结果",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="finding", name="finding_current_code_prefix"),
        migrations.RemoveIndex(model_name="finding", name="finding_standard_status"),
        migrations.RemoveConstraint(model_name="finding", name="finding_unique_community_standard_as_of"),
        migrations.RemoveConstraint(model_name="jurisdictionfinding", name="jfinding_unique_code_standard_as_of"),
        migrations.RenameField(model_name="finding", old_name="as_of", new_name="valid_from"),
        migrations.RenameField(model_name="jurisdictionfinding", old_name="as_of", new_name="valid_from"),
        migrations.RenameField(model_name="finding", old_name="is_current", new_name="was_current"),
        migrations.RenameField(model_name="jurisdictionfinding", old_name="is_current", new_name="was_current"),
        migrations.AlterField(model_name="finding", name="valid_from", field=models.DateField(verbose_name="起始日期")),
        migrations.AlterField(model_name="jurisdictionfinding", name="valid_from", field=models.DateField(verbose_name="起始日期")),
        migrations.AddField(model_name="finding", name="valid_to", field=models.DateField(blank=True, null=True, verbose_name="截止日期")),
        migrations.AddField(model_name="jurisdictionfinding", name="valid_to", field=models.DateField(blank=True, null=True, verbose_name="截止日期")),
        migrations.AddField(model_name="finding", name="standard_version", field=models.PositiveIntegerField(blank=True, null=True, verbose_name="标准版本")),
        migrations.AddField(model_name="jurisdictionfinding", name="standard_version", field=models.PositiveIntegerField(blank=True, null=True, verbose_name="标准版本")),
        migrations.RunPython(close_intervals, migrations.RunPython.noop),
        migrations.RemoveField(model_name="finding", name="was_current"),
        migrations.RemoveField(model_name="jurisdictionfinding", name="was_current"),
        migrations.AddField(model_name="finding", name="is_current", field=is_current()),
        migrations.AddField(model_name="jurisdictionfinding", name="is_current", field=is_current()),
    ]
