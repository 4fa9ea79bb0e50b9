"""Scoped reads of surveys and their results. Results are aggregates: no read here returns an
individual answer, and nothing stored links an answer to a code or a person."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404

from committees.models import Membership, Organization, membership_active_q, organization_active_q
from core import access
from core.models import Role, User
from divisions.models import Community
from surveys.models import AnswerCode, Question, Response, Score, Survey


def may_manage(user: User, code: str) -> bool:
    """Define, publish: the street office or bureau over the survey's division."""
    return access.is_unrestricted(user) or any(
        access.has_role(user, role, code) for role in (Role.STREET, Role.BUREAU)
    )


def _overlaps_q(user: User) -> Q:
    """Surveys whose division contains or lies inside the user's jurisdiction."""
    if access.is_unrestricted(user):
        return Q()
    q = Q(pk__in=[])
    for prefix in access.prefixes(user):
        ancestors = [prefix[:n] for n in (2, 4, 6, 9, 12) if n <= len(prefix)]
        q |= Q(code__startswith=prefix) | Q(code__in=ancestors)
    return q


def division_surveys(user: User, code: str) -> QuerySet[Survey]:
    """Surveys defined in the division ``code`` (inside the jurisdiction) or above it, that
    cover at least one of its communities the user may see."""
    ancestors = [code[:n] for n in (2, 4, 6, 9) if n < len(code)]
    return (
        Survey.objects.filter(_overlaps_q(user))
        .filter(Q(code__startswith=code) | Q(code__in=ancestors))
        .filter(communities__code__startswith=code)
        .annotate(community_count=Count("communities", distinct=True))
        .distinct()
        .order_by("-opens_on", "pk")
    )


def survey_for(user: User, pk: int) -> Survey:
    """A survey that covers a community inside the user's jurisdiction (404 otherwise)."""
    survey = (
        Survey.objects.filter(pk=pk, communities__in=Community.objects.filter(access.scope_q(user)))
        .distinct()
        .first()
    )
    if survey is None:
        raise Http404
    return survey


def community_survey(user: User, code: str, pk: int) -> tuple[Community, Survey]:
    """A survey of the community ``code`` inside the jurisdiction (404 otherwise)."""
    community = Community.objects.filter(access.scope_q(user), code=code).first()
    survey = Survey.objects.filter(pk=pk, communities=community).first() if community else None
    if community is None or survey is None:
        raise Http404
    return community, survey


def community_surveys(community: Community) -> QuerySet[Survey]:
    return Survey.objects.filter(communities=community).order_by("-opens_on", "pk")


def questions(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("position"))


def committee_members(community: Community, on: datetime.date) -> list[tuple[int, str]]:
    """(person pk, name) of the residents' committee's current members, as on the public
    board: names only."""
    rows = (
        Membership.objects.filter(
            membership_active_q(on),
            organization_active_q(on, "organization__"),
            organization__community=community,
            organization__kind=Organization.Kind.RESIDENTS_COMMITTEE,
        )
        .order_by("person__name", "person_id")
        .values_list("person_id", "person__name")
        .distinct()
    )
    return list(rows)


def open_surveys(community: Community, on: datetime.date) -> list[Survey]:
    surveys = Survey.objects.filter(communities=community, opens_on__lte=on, closes_on__gte=on)
    return list(surveys.order_by("pk"))


def unused_codes(survey: Survey, community: Community) -> QuerySet[AnswerCode]:
    return AnswerCode.objects.filter(survey=survey, community=community, used=False).order_by(
        "code"
    )


@dataclass
class Line:
    text: str
    average: Decimal | None
    count: int


@dataclass
class Result:
    community: Community
    responses: int
    households: int | None
    codes_issued: int = 0
    lines: list[Line] = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        if not self.households:
            return None
        return (Decimal(self.responses) * 100 / Decimal(self.households)).quantize(Decimal("0.1"))

    @property
    def overall(self) -> Decimal | None:
        values = [(line.average, line.count) for line in self.lines if line.average is not None]
        total = sum(count for _avg, count in values)
        if not total:
            return None
        weighted = sum(avg * count for avg, count in values) / total
        return Decimal(weighted).quantize(Decimal("0.01"))


def results(survey: Survey, communities: QuerySet[Community] | list[Community]) -> list[Result]:
    """Per community: responses, response rate against households, average score per question
    (per committee member for a per-member question). Four queries whatever the size."""
    communities = list(communities)
    ids = [c.pk for c in communities]
    qs = questions(survey)
    responses = dict(
        Response.objects.filter(survey=survey, community_id__in=ids)
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
    codes = dict(
        AnswerCode.objects.filter(survey=survey, community_id__in=ids)
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
    scores = (
        Score.objects.filter(response__survey=survey, response__community_id__in=ids)
        .values("response__community_id", "question_id", "person_id", "person__name")
        .annotate(avg=Avg("score"), n=Count("id"))
        .order_by("person__name")
    )
    by_community: dict[int, list[dict]] = {}
    for row in scores:
        by_community.setdefault(row["response__community_id"], []).append(row)
    found = []
    for community in communities:
        rows = by_community.get(community.pk, [])
        lines = []
        for q in qs:
            mine = [r for r in rows if r["question_id"] == q.pk]
            if q.per_member:
                lines += [
                    Line(f"{q.text}({r['person__name']})", _avg(r["avg"]), r["n"]) for r in mine
                ]
            else:
                if mine:
                    lines.append(Line(q.text, _avg(mine[0]["avg"]), mine[0]["n"]))
                else:
                    lines.append(Line(q.text, None, 0))
        found.append(
            Result(
                community=community,
                responses=responses.get(community.pk, 0),
                households=community.households,
                codes_issued=codes.get(community.pk, 0),
                lines=lines,
            )
        )
    return found


def _avg(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def survey_communities(user: User, survey: Survey) -> QuerySet[Community]:
    """The survey's communities the user may see."""
    return survey.communities.filter(access.scope_q(user)).order_by("code")


def published_surveys(community: Community) -> list[Survey]:
    surveys = Survey.objects.filter(communities=community, published_on__isnull=False)
    return list(surveys.order_by("-closes_on", "pk"))


def public_community(code: str) -> Community:
    community = Community.objects.filter(code=code).select_related("street").first()
    if community is None:
        raise Http404
    return community
