"""Writes to communities, organizations, people and memberships.

Views call these; they never save models directly. Each write validates, saves, records who did
it (django-simple-history) and re-judges the community, so findings follow the data at once.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from committees.models import Membership, Organization, Person, Qualification, Training
from compliance.engine import reevaluate_community
from core import audit
from core.models import User
from divisions.models import Community


@transaction.atomic
def community_update(*, actor: User, community: Community, data: dict) -> Community:
    """Apply validated profile fields to a community and record who changed it."""
    for field, value in data.items():
        setattr(community, field, value)
    audit.save_as(community, actor=actor)
    reevaluate_community(community)
    return community


@transaction.atomic
def organization_save(*, actor: User, organization: Organization) -> Organization:
    audit.save_as(organization, actor=actor)
    reevaluate_community(organization.community)
    return organization


@transaction.atomic
def person_save(*, actor: User, person: Person, reevaluate: bool = True) -> Person:
    """``reevaluate=False`` lets a bulk import judge the community once, at the end."""
    audit.save_as(person, actor=actor)
    if reevaluate:
        reevaluate_community(person.community)
    return person


def membership_conflicts(membership: Membership) -> dict[str, str]:
    """Rules a membership must keep that span rows: same community, no overlapping terms."""
    errors: dict[str, str] = {}
    if membership.person.community_id != membership.organization.community_id:
        errors["person"] = _("人员和组织必须属于同一个社区。")
    kind = Membership.POSITION_KINDS.get(membership.position)
    if kind is not None and membership.organization.kind != kind:
        errors["position"] = _(
            "%(position)s只能在“%(kind)s”类组织中任职:请先登记%(kind)s,再在其中登记%(position)s。"
        ) % {
            "position": Membership.Position(membership.position).label,
            "kind": Organization.Kind(kind).label,
        }
    start = membership.start_date
    end = membership.end_date or datetime.date.max
    overlapping = Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=start))
    others = Membership.objects.filter(overlapping).exclude(pk=membership.pk)
    if others.filter(
        person=membership.person, organization=membership.organization, position=membership.position
    ).exists():
        errors["position"] = _("此人在这段时间已在该组织担任这一职务。")
    if membership.position == Membership.Position.DIRECTOR:
        other = (
            others.filter(
                organization=membership.organization, position=Membership.Position.DIRECTOR
            )
            .select_related("person")
            .first()
        )
        if other:
            errors["position"] = _(
                "该组织在这段时间已有主任(%(name)s),同一时间只能有一位主任。"
            ) % {"name": other.person.name}
    return errors


@transaction.atomic
def membership_save(*, actor: User, membership: Membership, reevaluate: bool = True) -> Membership:
    errors = membership_conflicts(membership)
    if errors:
        raise ValidationError(errors)
    audit.save_as(membership, actor=actor)
    if reevaluate:
        reevaluate_community(membership.organization.community)
    return membership


@transaction.atomic
def membership_end(
    *, actor: User, membership: Membership, end_date: datetime.date, reason: str
) -> Membership:
    """A member leaves: the row stays, with its end date and reason (history is kept)."""
    membership.end_date = end_date
    membership.end_reason = reason
    return membership_save(actor=actor, membership=membership)


@transaction.atomic
def qualification_save(*, actor: User, qualification: Qualification) -> Qualification:
    audit.save_as(qualification, actor=actor)
    return qualification


@transaction.atomic
def training_save(*, actor: User, training: Training) -> Training:
    audit.save_as(training, actor=actor)
    reevaluate_community(training.person.community)
    return training
