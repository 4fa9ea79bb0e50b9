"""``manage.py sync_catalog``: write the standards catalogue into the database (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from compliance.catalog_sync import sync_catalog


class Command(BaseCommand):
    help = (
        "Load the policy documents and standards of compliance/catalog.py: new ones are added, "
        "changed ones updated, a bureau's local documents and standards are never touched. "
        "Runs by itself after every migrate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        result = sync_catalog(using=options["database"])
        self.stdout.write(
            f"catalogue: {result.created} added, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
        for key in result.skipped:
            self.stderr.write(f"skipped {key}: a local document or standard uses this key")
