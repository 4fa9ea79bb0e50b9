from django.core.management.base import BaseCommand

from jobs import services


class Command(BaseCommand):
    help = "重新排队失去工作进程的任务,并删除过期的已完成任务及其结果文件(建议每分钟由 cron 运行)。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="覆盖 JOBS_RESULT_DAYS")

    def handle(self, *args, days: int | None = None, **options) -> None:
        requeued, failed = services.recover_stale()
        expired = services.expire(older_than_days=days)
        self.stdout.write(f"re-queued {requeued}, failed {failed}, expired {expired}")
