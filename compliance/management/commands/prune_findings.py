from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from compliance import intervals
from compliance.models import Finding, JurisdictionFinding


class Command(BaseCommand):
    help = (
        "Delete the findings' intervals (community and jurisdiction) that ended more than "
        "--years (default: settings.FINDINGS_RETENTION_YEARS; unset keeps everything) years ago. "
        "Current verdicts are never deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, default=None)

    def handle(self, *args: object, years: int | None = None, **options: object) -> None:
        years = years if years is not None else settings.FINDINGS_RETENTION_YEARS
        if years is None:
            self.stdout.write("FINDINGS_RETENTION_YEARS is not set: every interval is kept.")
            return
        if years < 1:
            raise CommandError("--years must be at least 1.")
        today = timezone.localdate()
        try:
            before = today.replace(year=today.year - years)
        except ValueError:  # 29 February
            before = today.replace(year=today.year - years, day=28)
        deleted = sum(intervals.prune(model, before) for model in (Finding, JurisdictionFinding))
        self.stdout.write(f"Deleted {deleted} intervals that ended before {before:%Y-%m-%d}.")
