from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from committees import selectors
from committees.models import Division
from committees.views import division_context
from governance import selectors as governance_selectors
from governance.elections_selectors import overdue_elections


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A user with one division sees its dashboard here; others see a card per jurisdiction."""
    cards = selectors.jurisdiction_cards(request.user)
    if len(cards) == 1 and cards[0].code and not cards[0].is_community:
        division = Division.objects.get(code=cards[0].code)
        context = division_context(request, division)
        context["is_home"] = True
        return render(request, "committees/division_detail.html", context)
    context = {"cards": cards}
    if len(cards) == 1 and cards[0].is_community:
        # A committee member's home: what is due in their own community.
        today = timezone.localdate()
        context.update(
            terms=selectors.term_reminders(cards[0].code, today),
            untrained=selectors.training_overdue(cards[0].code, today),
            matters_late=governance_selectors.overdue_matters(cards[0].code, today),
            elections_overdue=overdue_elections(cards[0].code, today),
        )
    return render(request, "portal/home.html", context)


@transaction.non_atomic_requests  # no BEGIN: the probe itself says whether the database answers
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 — any database failure means "not healthy"
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
