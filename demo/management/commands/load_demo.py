from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from compliance.engine import evaluate_communities, evaluate_jurisdictions
from core.models import Assignment, Role, User
from demo.committees import load_zhuhai
from demo.facilities import populate_facilities
from demo.funding import populate_funds
from demo.governance import populate_governance
from demo.supervision import populate_supervision
from divisions.models import Community

DEMO_PASSWORD = "demo-2026"  # printed for the demo; never used outside `make run`


def _demo_users() -> list[tuple[str, str, str | None, str | None]]:
    """(username, full name, role, code) for one user per role in the Zhuhai slice."""
    committee_code = (
        Community.objects.filter(code__startswith="440402001")
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    return [
        ("admin", "系统管理员", None, None),
        ("city", "珠海市民政局", Role.BUREAU, "4404"),
        ("district", "香洲区民政局", Role.BUREAU, "440402"),
        ("street", "翠香街道办事处", Role.STREET, "440402001"),
        ("committee", "社区居委会委员", Role.COMMITTEE, committee_code),
        ("viewer", "斗门区查看员", Role.VIEWER, "440403"),
    ]


class Command(BaseCommand):
    help = (
        "Load the demo data (Zhuhai, 213 communities) and one demo user per role. Safe to re-run."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        filled = load_zhuhai()
        zhuhai = Community.objects.filter(code__startswith="4404")
        populate_facilities(list(zhuhai))
        populate_funds(list(zhuhai), timezone.localdate().year)
        populate_governance(list(zhuhai), timezone.localdate())
        findings = evaluate_communities(zhuhai, timezone.localdate())
        evaluate_jurisdictions("4404", timezone.localdate())
        self.stdout.write(f"合规评估:{findings} 条结果")
        self.stdout.write(
            f"演示数据:珠海市 {Community.objects.filter(code__startswith='4404').count()} 个社区"
            f"(本次补充概况 {filled} 个)"
        )
        rows = []
        for username, full_name, role, code in _demo_users():
            user, _ = User.objects.get_or_create(username=username)
            user.full_name = full_name
            user.is_superuser = user.is_staff = role is None
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role and code:
                user.assignments.exclude(code=code).delete()
                Assignment.objects.update_or_create(user=user, code=code, defaults={"role": role})
            rows.append((username, full_name, code or "全国"))
        # Notices, disputes and a published assessment need the demo users: after them.
        self.stdout.write(f"监督:{populate_supervision(timezone.localdate())}")
        self.stdout.write("")
        self.stdout.write(f"演示账号(密码均为 {DEMO_PASSWORD}):")
        for username, full_name, scope in rows:
            self.stdout.write(f"  {username:<10} {full_name:<12} 辖区 {scope}")
