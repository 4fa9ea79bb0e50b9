"""Inclusion points of supervision on other apps' pages (dashboard, home, compliance tab).

The pages include a template of this app and call one tag there: the shared views stay as they
are, and each tag costs a fixed number of queries.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from supervision import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def division_supervision(context, code: str) -> dict:
    """Counts and the overdue notices under a division (its dashboard): three queries."""
    today = timezone.localdate()
    user = context["request"].user
    return {
        "counts": selectors.notice_counts(code, today),
        "overdue": selectors.overdue_notices(code, today),
        "may_supervise": selectors.may_supervise(user, code),
        "today": today,
    }


@register.simple_tag
def community_open_notices(code: str) -> dict:
    """A community's unfinished notices with their progress (its committee's home page)."""
    return {"notices": selectors.open_notices_for_home(code), "today": timezone.localdate()}


@register.simple_tag(takes_context=True)
def may_supervise(context, code: str) -> bool:
    return selectors.may_supervise(context["request"].user, code)


@register.simple_tag(takes_context=True)
def community_supervision(context, community) -> dict:
    """What the compliance tab shows of supervision for one community."""
    user = context["request"].user
    return {
        "open": selectors.open_notices_for_home(community.code),
        "may_respond": selectors.may_respond(user, community.code),
        "may_supervise": selectors.may_supervise(user, community.code),
        "today": timezone.localdate(),
    }
