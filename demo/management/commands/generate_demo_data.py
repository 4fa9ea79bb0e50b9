from __future__ import annotations

import datetime
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from compliance.engine import evaluate_communities, evaluate_jurisdictions
from core.models import is_code
from core.progress import progress_bar
from demo.committees import ZHUHAI_DIR
from demo.generate import BATCH, SCALES, generate
from divisions.imports import import_divisions
from divisions.models import Community


class Command(BaseCommand):
    help = (
        "Generate deterministic synthetic records (committees, people, elections, meetings, "
        "disclosures, major matters, covenants, public services, funds, rooms…) on top of real "
        "divisions: --scale demo (one district), city (one city) "
        "or national (every community imported). Communities that already have organizations "
        "are left alone, so a second run adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument(
            "--divisions",
            type=Path,
            default=None,
            help="import this division folder first (default for demo and city: the shipped "
            "Zhuhai slice, if the scope has no communities yet)",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--scope", default=None, help="code prefix to generate for (overrides the scale's)"
        )
        parser.add_argument("--today", default=None, help="reference date YYYY-MM-DD")
        parser.add_argument("--batch-size", type=int, default=BATCH)
        parser.add_argument(
            "--evaluate", action="store_true", help="evaluate compliance afterwards"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self,
        *args,
        scale: str,
        divisions: Path | None,
        seed: int,
        scope: str | None,
        today: str | None,
        batch_size: int,
        evaluate: bool,
        no_progress: bool,
        **options,
    ):
        chosen = SCALES[scale]
        prefix = chosen.default_scope if scope is None else scope
        if prefix and not is_code(prefix):
            raise CommandError(f"范围“{prefix}”应为区划代码前缀(数字)。")
        try:
            date = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"日期“{today}”无效,应为 YYYY-MM-DD。") from None
        started = time.monotonic()
        if divisions is not None:
            if not divisions.is_dir():
                raise CommandError(f"不是目录:{divisions}")
            result = import_divisions(divisions)
            self.stdout.write(f"区划导入:{len(result.errors)} 行有误已跳过。")
        elif scale != "national" and not Community.objects.filter(code__startswith=prefix).exists():
            import_divisions(ZHUHAI_DIR)
        communities = Community.objects.filter(code__startswith=prefix)
        if scope is None and not communities.exists() and prefix:
            # The scale's default slice is not in this data set: take the first of its size.
            first = Community.objects.order_by("code").values_list("code", flat=True).first()
            if first:
                prefix = first[: len(prefix)]
                communities = Community.objects.filter(code__startswith=prefix)
        total = communities.count()
        if not total:
            raise CommandError(
                "没有可生成数据的社区:请先用 import_divisions 导入区划,或用 --divisions 指定目录。"
            )
        with progress_bar(
            self.stderr, total=total, unit="社区", desc="生成", disable=no_progress
        ) as bar:
            counts = generate(
                communities, seed=seed, today=date, batch=batch_size, progress=bar.update
            )
        elapsed = time.monotonic() - started
        rows = sum(n for name, n in counts.items() if name not in ("community", "profile"))
        self.stdout.write(
            f"范围 {prefix or '全国'}:{total} 个社区,本次生成 {counts['community']} 个"
            f"(补充概况 {counts['profile']} 个),写入 {rows:,} 行,用时 {elapsed:.1f} 秒。"
        )
        self.stdout.write(
            "  " + ", ".join(f"{name} {n:,}" for name, n in sorted(counts.items()) if n)
        )
        if evaluate:
            started = time.monotonic()
            written = evaluate_communities(communities, date)
            evaluate_jurisdictions(prefix, date)
            self.stdout.write(
                f"合规评估:{written:,} 条结果,用时 {time.monotonic() - started:.1f} 秒。"
            )
        else:
            self.stdout.write(
                "合规结果尚未更新:请运行 manage.py evaluate_compliance"
                + (f" --scope {prefix}" if prefix else "")
            )
