from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from core.progress import progress_bar
from divisions.imports import ImportAborted, ImportResult, import_divisions

MAX_ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import statistical division codes from DIR (provinces.csv, cities.csv, areas.csv, "
        "streets.csv, residents_committees.csv). Idempotent; bad rows are reported with file "
        "and line and skipped, or with --strict abort the import before anything is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--strict", action="store_true", help="abort without writing anything if any row is bad"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(
        self, *args, directory: Path, strict: bool, no_progress: bool, batch_size: int, **options
    ) -> None:
        if not directory.is_dir():
            raise CommandError(f"不是目录:{directory}")
        bar: tqdm | None = None

        def on_validated(result: ImportResult, total: int) -> None:
            nonlocal bar
            self._report_errors(result)
            bar = progress_bar(
                self.stderr, total=total, unit="行", desc="写入", disable=no_progress
            )

        try:
            result = import_divisions(
                directory,
                strict=strict,
                batch=batch_size,
                progress=lambda n: bar.update(n) if bar else None,
                on_validated=on_validated,
            )
        except ImportAborted as aborted:
            self._report_errors(aborted.result)
            raise CommandError(str(aborted)) from None
        finally:
            if bar:
                bar.close()
        for level in result.levels:
            self.stdout.write(
                f"{level.filename}: 读取 {level.read},新增 {level.created},更新 {level.updated},"
                f"未变 {level.unchanged},跳过 {level.skipped}"
            )
        if result.errors:
            self.stdout.write(self.style.WARNING(f"共跳过 {len(result.errors)} 行错误数据。"))
        else:
            self.stdout.write(self.style.SUCCESS("导入完成,没有错误。"))

    def _report_errors(self, result: ImportResult) -> None:
        for error in result.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(str(error))
        if len(result.errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"…… 另有 {len(result.errors) - MAX_ERRORS_SHOWN} 行错误未列出")
