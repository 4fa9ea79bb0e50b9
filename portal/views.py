"""The home page and the division dashboards: the top floor, reading every app below it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from compliance import counts
from compliance import selectors as compliance
from core import access, reminders
from core.users import SignedInRequest
from divisions import selectors as divisions_selectors
from divisions.models import Division
from jobs import selectors as job_selectors


@login_required
def national(request: SignedInRequest) -> HttpResponse:
    """The whole country, province by province: for unrestricted (national) users only."""
    if not access.is_unrestricted(request.user):
        raise Http404
    return render(
        request,
        "portal/division_detail.html",
        {
            "division": None,
            "crumbs": [],
            # Lazy: read only when the cached fragment has to be rendered again.
            "rows": SimpleLazyObject(lambda: counts.child_rows("", 2)),
            "totals": counts.division_totals(""),
            "child_label": Division.Level.PROVINCE.label,
            "board": compliance.dashboard("", 2),
        },
    )


@login_required
def division_detail(request: SignedInRequest, code: str) -> HttpResponse:
    division = divisions_selectors.division_for(request.user, code)
    return render(request, "portal/division_detail.html", division_context(request, division))


def division_context(request: SignedInRequest, division: Division) -> dict:
    """The drill-down and compliance dashboard of one division (also the home page)."""
    code = division.code
    context = {
        "division": division,
        "crumbs": divisions_selectors.breadcrumbs(request.user, code),
        "totals": counts.division_totals(code),
        "board": compliance.dashboard(code, division.child_code_length, code),
        "can_evaluate": access.can_evaluate(request.user, code),
    }
    if division.level == Division.Level.STREET:
        # Reminders name people to act on: the street's own list. Above it they would be a
        # scan of every membership and training of the district, city or province per request.
        # Lazy: the section is cached per day and roll-up generation (every save through the
        # services re-evaluates the community, which recounts the street's roll-ups), and the
        # same for every user of the street (core/reminders.py: dashboard sections).
        today = timezone.localdate()
        user = request.user
        context.update(
            today=today,
            reminders=SimpleLazyObject(
                lambda: reminders.sections(user, code, today, dashboard=True)
            ),
        )
        page = Paginator(division.communities.order_by("code"), settings.PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context.update(page=page, can_write=access.can_write(request.user, code))
    else:
        context.update(
            rows=SimpleLazyObject(lambda: counts.child_rows(code, division.child_code_length)),
            child_label=Division.Level(division.level + 1).label,
        )
    return context


@login_required
def home(request: SignedInRequest) -> HttpResponse:
    """A user with one division sees its dashboard here; others see a card per jurisdiction."""
    cards = counts.jurisdiction_cards(request.user)
    if len(cards) == 1 and cards[0].code and not cards[0].is_community:
        division = Division.objects.get(code=cards[0].code)
        context = division_context(request, division)
        context["is_home"] = True
        return render(request, "portal/division_detail.html", context)
    context = {"cards": cards}
    if len(cards) == 1 and cards[0].is_community:
        # A committee member's home: what is due in their own community.
        today = timezone.localdate()
        context["reminders"] = reminders.sections(
            request.user, cards[0].code, today, dashboard=True
        )
    return render(request, "portal/home.html", context)


@transaction.non_atomic_requests  # no BEGIN: the probe itself says whether the database answers
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when the database answers, 503 when it does not. Also reports
    the job queue (jobs waiting, the oldest one's wait, workers seen lately) without failing
    when no worker runs: that is for monitoring to judge, not the load balancer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 — any database failure means "not healthy"
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "queue": job_selectors.queue_health()})
