from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from compliance.engine import evaluate_communities, evaluate_jurisdictions
from core.models import is_code
from core.progress import progress_bar
from divisions.models import Community


def parse_as_of(value: str | None) -> datetime.date:
    if not value:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"评估日期“{value}”不是有效日期,应为 YYYY-MM-DD。") from None


class Command(BaseCommand):
    help = (
        "Evaluate every applicable standard for the communities under --scope (default: all) "
        "as of --as-of (default: today), and the jurisdiction aggregates above them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scope", default="", help="division code prefix, e.g. 4404")
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, scope: str, as_of: str | None, no_progress: bool, **options):
        if scope and not is_code(scope):
            raise CommandError(f"范围“{scope}”应为区划代码前缀(数字)。")
        date = parse_as_of(as_of)
        communities = Community.objects.filter(code__startswith=scope)
        total = communities.count()
        started = time.monotonic()
        with progress_bar(
            self.stderr, total=total, unit="社区", desc="评估", disable=no_progress
        ) as bar:
            written = evaluate_communities(communities, date, progress=bar.update)
        aggregates = evaluate_jurisdictions(scope, date)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"评估日期 {date.isoformat()}:{total} 个社区,写入 {written} 条社区结果、"
            f"{aggregates} 条辖区结果,用时 {elapsed:.1f} 秒。"
        )
