"""A community's work funds of a year, as the funding standards count them and the pages show.

Shared by the funding rules (funding/rules.py) and the ledger pages (funding/selectors.py), so
that a chart never disagrees with the finding beside it. Money is ``Decimal`` yuan.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from compliance.rules import shared_measure
from divisions.models import Community
from funding.models import Allocation

ZERO = Decimal("0.00")

# What counts as a committee's "work funds" (工作经费). Every funding standard here is an
# obligation of government to fund the committee:
#   GD 六(二十): "纳入区(县、市)级以上政府财政预算";
#   SD 第三十一条: "核拨", "纳入县(市、区)财政预算";
#   Anhui 皖发〔2007〕6号: "补贴工作经费"; Hubei 鄂发〔2007〕4号: "各地政府要…落实…经费".
# Money the committee raises itself (社会募集, which N18 第十六条 lets it raise for public-good
# projects, under its own disclosure duty) or receives from the units it builds the community
# with (共驻共建单位) is not such funding: the Anhui survey (seeds/004) describes committees
# "到辖区单位募捐,搞赞助" precisely because government funds fall short, so counting that
# money would hide the very shortfall the standards are about. Fundraising and joint-building
# money are therefore left out of the sum and only mentioned in the finding. "其他" (other) is
# kept: the ledger records allocations to the committee, and an unnamed source is taken to be
# public money (a special transfer, say) rather than guessed away.
EXCLUDED_SOURCES = (Allocation.Source.FUNDRAISING, Allocation.Source.JOINT)
WORK_SOURCES = tuple(s for s in Allocation.Source.values if s not in EXCLUDED_SOURCES)


@shared_measure
def year_funds(communities: QuerySet[Community], year: int) -> dict[int, tuple[Decimal, Decimal]]:
    """``{community_id: (work funds, excluded funds)}`` of a year, for the communities with at
    least one allocation recorded for it (one query). A community with only fundraising recorded
    has work funds of ¥0.00: its ledger is kept and shows no government money."""
    rows = (
        Allocation.objects.filter(community__in=communities.values("pk"), year=year)
        .values("community_id")
        .annotate(
            work=Sum("amount", filter=Q(source__in=WORK_SOURCES)),
            excluded=Sum("amount", filter=Q(source__in=EXCLUDED_SOURCES)),
        )
        .order_by()
    )
    return {r["community_id"]: (r["work"] or ZERO, r["excluded"] or ZERO) for r in rows}


def rate_for(params: dict, code: str) -> int:
    """The yuan per household of a per-household standard (GD-20b…) for a community: the rate
    of the band with the longest prefix of the code, else the general rate."""
    best, rate = -1, params["yuan_per_household"]
    for band in params.get("bands", []):
        for prefix in band["prefixes"]:
            if code.startswith(prefix) and len(prefix) > best:
                best, rate = len(prefix), band["yuan_per_household"]
    return rate
