"""Demo supervision for the Zhuhai slice: notices in every state, disputes and exemptions, and
a published assessment of last year for 香洲区. Safe to re-run: what exists is kept."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q

from compliance.engine import evaluate_communities
from compliance.models import Finding, Standard, Status
from core.models import User
from divisions.models import Community
from supervision import services
from supervision.models import (
    Assessment,
    AssessmentItem,
    Exemption,
    NoticeEvent,
    NoticeItem,
    RectificationNotice,
)

STREET = "440402001"
DISTRICT = "440402"
INSTRUCTIONS = "请对照所列标准完成整改,在期限内反馈整改情况并上传佐证材料。"
ASSESSMENT_WEIGHTS = (Decimal(30), Decimal(20), Decimal(20), Decimal(15), Decimal(15))


def _failing(community: Community) -> list[Finding]:
    return list(
        Finding.objects.filter(
            community=community, is_current=True, status=Status.NON_COMPLIANT
        ).select_related("community", "standard")[:2]
    )


def _notices(today: datetime.date, street: User, committee_code: str | None) -> int:
    if RectificationNotice.objects.filter(code__startswith=STREET).exists():
        return 0
    communities = list(Community.objects.filter(code__startswith=STREET).order_by("code")[:6])
    if committee_code:  # the demo committee's own community gets an open notice first
        communities.sort(key=lambda c: c.code != committee_code)
    made = 0
    for step, community in enumerate(communities[:5]):
        findings = _failing(community)
        if not findings:
            continue
        if step == 2:  # overdue: issued six weeks ago, due ten days ago, no response
            notice = RectificationNotice.objects.create(
                community=community,
                code=community.code,
                instructions=INSTRUCTIONS,
                due_on=today - datetime.timedelta(days=10),
                issued_by=street,
                issued_on=today - datetime.timedelta(days=42),
            )
            NoticeItem.objects.bulk_create(
                NoticeItem(
                    notice=notice,
                    standard=f.standard,
                    status_at_issue=f.status,
                    measured_at_issue=f.measured,
                    expected=f.expected,
                    as_of_at_issue=f.valid_from,
                )
                for f in findings
            )
            NoticeEvent.objects.create(notice=notice, kind=NoticeEvent.Kind.ISSUED, actor=street)
            made += 1
            continue
        (notice,) = services.notices_issue(
            actor=street,
            findings=findings,
            due_on=today + datetime.timedelta(days=20 + 5 * step),
            instructions=INSTRUCTIONS,
            today=today,
        )
        made += 1
        if step in (1, 3, 4):
            services.notice_respond(
                actor=street,
                notice=notice,
                event=NoticeEvent(
                    text="已召开两委联席会议研究整改,相关记录已在平台更新。",
                    evidence_link=f"/c/{community.code}/meetings/",
                    evidence_note="整改情况已在居务公开栏张贴。",
                ),
            )
        if step == 3:
            services.notice_accept(actor=street, notice=notice, comment="整改到位,同意办结。")
        if step == 4:
            services.notice_return(
                actor=street, notice=notice, reason="佐证材料不足,请补充会议纪要。"
            )
    return made


def _exemptions(today: datetime.date, district: User, street: User) -> int:
    if Exemption.objects.filter(code__startswith=STREET).exists():
        return 0
    communities = list(Community.objects.filter(code__startswith=STREET).order_by("code")[5:9])
    made = 0
    for step, community in enumerate(communities):
        findings = _failing(community)
        if not findings:
            continue
        dispute = services.dispute_raise(
            actor=street,
            community=community,
            standard=findings[0].standard,
            reason="社区办公用房位于老旧小区,房屋结构无法扩建,已申请周边场地置换。",
        )
        made += 1
        if step == 1:
            services.dispute_decide(
                actor=district,
                dispute=dispute,
                grant=True,
                reason="经实地核查属实,给予一年豁免期,期满前完成场地置换。",
                expires_on=today + datetime.timedelta(days=365),
            )
        elif step == 2:
            services.dispute_decide(
                actor=street,
                dispute=dispute,
                grant=False,
                reason="该条款为硬性规定,不属于“一般”“原则上”的情形。",
            )
    return made


def _assessment(today: datetime.date, district: User) -> Assessment | None:
    year = today.year - 1
    title = "社区规范化建设考核"
    if Assessment.objects.filter(code=DISTRICT, year=year, title=title).exists():
        return None
    communities = Community.objects.filter(code__startswith=DISTRICT)
    year_end = datetime.date(year, 12, 31)
    evaluate_communities(communities, year_end)  # history: the findings as of that year's end
    # The five standards that tell communities apart best there (as many pass as fail), by
    # code on ties: the same on every machine.
    counts = (
        Finding.objects.on(year_end)
        .filter(code__startswith=DISTRICT)
        .values("standard_id", "standard__code")
        .annotate(
            passed=Count("id", filter=Q(status=Status.COMPLIANT)),
            failed=Count("id", filter=Q(status__in=[Status.NON_COMPLIANT, Status.NO_DATA])),
        )
    )
    best = sorted(counts, key=lambda r: (-min(r["passed"], r["failed"]), r["standard__code"]))
    standards = list(
        Standard.objects.filter(pk__in=[r["standard_id"] for r in best[:5]]).order_by("code")
    )
    if len(standards) < len(ASSESSMENT_WEIGHTS):
        return None
    assessment = Assessment.objects.create(
        code=DISTRICT,
        year=year,
        title=title,
        exempted_rule=Assessment.ExemptedRule.EXCLUDED,
        created_by=district,
    )
    AssessmentItem.objects.bulk_create(
        AssessmentItem(assessment=assessment, standard=s, weight=w)
        for s, w in zip(standards, ASSESSMENT_WEIGHTS, strict=True)
    )
    services.assessment_publish(actor=district, assessment=assessment)
    return assessment


@transaction.atomic
def populate_supervision(today: datetime.date) -> str:
    users = {
        u.username: u for u in User.objects.filter(username__in=["street", "district", "committee"])
    }
    street, district = users.get("street"), users.get("district")
    if street is None or district is None:
        return "no demo users"
    committee = users.get("committee")
    committee_code = (
        committee.assignments.values_list("code", flat=True).first() if committee else None
    )
    notices = _notices(today, street, committee_code)
    exemptions = _exemptions(today, district, street)
    assessment = _assessment(today, district)
    return f"整改通知 {notices} 份,申诉 {exemptions} 件" + (
        f",已发布考核“{assessment.title}”" if assessment else ""
    )
