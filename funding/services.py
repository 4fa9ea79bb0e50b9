"""Writes of funding: a community's ledger (allocations, spending, staff pay), the tasks assigned
to it, and the wage benchmarks pay standards compare with.

Views pass the validated field values, never a form. Each write validates, saves with who did it
(the record's history) and re-judges what the record counts in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import services as compliance_services
from compliance.engine import evaluate_communities
from core import audit
from core.models import User
from divisions.models import Community
from funding.models import Allocation, AssignedTask, Expenditure, StaffPay, WageBenchmark

# What a user may set on each record; the community comes from the page it is recorded on.
ALLOCATION_FIELDS = ("year", "source", "amount", "received_on", "note")
EXPENDITURE_FIELDS = ("year", "date", "category", "amount", "description", "approved_by")
PAY_FIELDS = ("person", "year", "annual_pay")
TASK_FIELDS = (
    "department",
    "title",
    "legal_basis",
    "assigned_on",
    "in_task_list",
    "approved_by",
    "approved_on",
    "funding",
    "ended_on",
)
BENCHMARK_FIELDS = ("code", "year", "kind", "annual_amount", "source")


@transaction.atomic
def allocation_save(
    *, actor: User, community: Community, allocation: Allocation | None, data: Mapping[str, Any]
) -> Allocation:
    """Record money received by ``community`` (``allocation`` None) or correct a receipt."""
    return compliance_services.community_record_save(
        actor=actor,
        community=community,
        record=allocation or Allocation(community=community),
        data=data,
        fields=ALLOCATION_FIELDS,
    )


@transaction.atomic
def expenditure_save(
    *, actor: User, community: Community, expenditure: Expenditure | None, data: Mapping[str, Any]
) -> Expenditure:
    return compliance_services.community_record_save(
        actor=actor,
        community=community,
        record=expenditure or Expenditure(community=community),
        data=data,
        fields=EXPENDITURE_FIELDS,
    )


@transaction.atomic
def task_save(
    *, actor: User, community: Community, task: AssignedTask | None, data: Mapping[str, Any]
) -> AssignedTask:
    return compliance_services.community_record_save(
        actor=actor,
        community=community,
        record=task or AssignedTask(community=community),
        data=data,
        fields=TASK_FIELDS,
    )


@transaction.atomic
def pay_save(
    *, actor: User, community: Community, pay: StaffPay | None, data: Mapping[str, Any]
) -> StaffPay:
    """Record a person's pay for a year; the person must be one of ``community``'s people."""
    pay = pay or StaffPay()
    compliance_services.assign(pay, data, PAY_FIELDS)
    if getattr(pay, "person_id", None) is None or pay.person.community_id != community.pk:
        raise ValidationError({"person": _("只能登记本社区人员的报酬。")})
    compliance_services.record_save(actor=actor, instance=pay, community=community)
    return pay


Deletable = TypeVar("Deletable", bound=Allocation | Expenditure | StaffPay)


@transaction.atomic
def record_delete(
    *, actor: User, community: Community, record: Deletable, reason: str
) -> Deletable:
    """Delete a money record of ``community`` softly (core.softdelete): it stays, with who
    deleted it, when and why, and no ledger, total or rule counts it any more."""
    owner = record.person.community_id if isinstance(record, StaffPay) else record.community_id
    if owner != community.pk:
        raise ValueError("the record belongs to another community")
    compliance_services.record_delete(
        actor=actor, instance=record, community=community, reason=reason
    )
    return record


@transaction.atomic
def benchmark_save(*, actor: User, data: Mapping[str, Any]) -> WageBenchmark:
    """Record a benchmark and re-judge the communities it covers (pay standards use it)."""
    benchmark = WageBenchmark()
    compliance_services.assign(benchmark, data, BENCHMARK_FIELDS)
    audit.save_as(benchmark, actor=actor)
    evaluate_communities(
        Community.objects.filter(code__startswith=benchmark.code), timezone.localdate()
    )
    return benchmark
