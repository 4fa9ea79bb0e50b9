from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core import access
from core.users import SignedInRequest
from divisions import selectors as division_selectors
from divisions.pages import add_service_errors, community_page, writable_community
from surveys import selectors, services
from surveys.forms import AnswerForm, CodesForm, SurveyForm

# A burst of answers from one address: at most this many submissions per window (seconds).
ANSWER_BURST = 10
ANSWER_WINDOW = 60


@login_required
def division_surveys(request: SignedInRequest, code: str) -> HttpResponse:
    division = division_selectors.division_for(request.user, code)
    return render(
        request,
        "surveys/division_surveys.html",
        {
            "division": division,
            "crumbs": division_selectors.breadcrumbs(request.user, code),
            "surveys": selectors.division_surveys(request.user, code),
            "can_manage": selectors.may_manage(request.user, code),
        },
    )


@login_required
def survey_create(request: SignedInRequest, code: str) -> HttpResponse:
    division, communities = division_selectors.division_communities(request.user, code)
    if not selectors.may_manage(request.user, code):
        raise PermissionDenied
    form = SurveyForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = services.survey_create(
                actor=request.user,
                code=code,
                title=data["title"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                questions=data["questions"].splitlines(),
                member_question=data["member_question"],
                communities=list(data["communities"]) or list(communities),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("满意度测评已建立。"))
            return redirect("surveys:survey", survey.pk)
    return render(
        request,
        "surveys/survey_form.html",
        {
            "division": division,
            "crumbs": division_selectors.breadcrumbs(request.user, code),
            "form": form,
        },
    )


@login_required
def survey_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_for(request.user, pk)
    communities = selectors.survey_communities(request.user, survey)
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "questions": selectors.questions(survey),
            "results": selectors.results(survey, communities),
            "can_manage": selectors.may_manage(request.user, survey.code),
        },
    )


@login_required
def survey_publish(request: SignedInRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_for(request.user, pk)  # 404 before 405: nothing is disclosed
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not selectors.may_manage(request.user, survey.code):
        raise PermissionDenied
    services.survey_publish(actor=request.user, survey=survey, on=timezone.localdate())
    messages.success(request, _("测评结果已在各社区公开栏公布。"))
    return redirect("surveys:survey", survey.pk)


@login_required
def community_surveys(request: SignedInRequest, code: str) -> HttpResponse:
    community = division_selectors.community_for(request.user, code)
    return community_page(
        request,
        community,
        "surveys/community_surveys.html",
        tab="surveys",
        surveys=selectors.community_surveys(community),
    )


@login_required
def community_survey(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    community, survey = selectors.community_survey(request.user, code, pk)
    return community_page(
        request,
        community,
        "surveys/community_survey.html",
        tab="surveys",
        survey=survey,
        result=selectors.results(survey, [community])[0],
    )


def _qr(url: str) -> str:
    # segno writes plain SVG markup (no script, no style attribute): safe under the CSP.
    return mark_safe(segno.make(url, error="m").svg_inline(scale=2, omitsize=False))  # noqa: S308


@login_required
def survey_codes(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    community, survey = selectors.community_survey(request.user, code, pk)
    if not access.can_write(request.user, code):
        raise PermissionDenied
    form = CodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.codes_issue(
                survey=survey, community=community, count=form.cleaned_data["count"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已生成 %(n)d 个答题码。") % {"n": len(issued)})
            return redirect("surveys:codes", code, pk)
    answer_url = request.build_absolute_uri(reverse("surveys:public_answer", args=[code]))
    slips = [
        (c.code, _qr(f"{answer_url}?s={survey.pk}&code={c.code}"))
        for c in selectors.unused_codes(survey, community)[:500]
    ]
    return community_page(
        request,
        community,
        "surveys/codes.html",
        tab="surveys",
        survey=survey,
        form=form,
        slips=slips,
        answer_url=answer_url,
    )


@login_required
def paper_entry(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    community, survey = selectors.community_survey(request.user, code, pk)
    writable_community(request, code)
    today = timezone.localdate()
    members = selectors.committee_members(community, min(today, survey.closes_on))
    form = AnswerForm(
        request.POST or None,
        questions=selectors.questions(survey),
        members=members,
        with_code=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_on_paper(
                actor=request.user,
                survey=survey,
                community=community,
                scores=form.scores(),
                expected=form.keys,
                on=today,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("纸质问卷已录入。"))
            return redirect("surveys:paper", code, pk)
    return community_page(
        request, community, "surveys/paper.html", tab="surveys", survey=survey, form=form
    )


def _throttled(request: HttpRequest) -> bool:
    """Count a submission from the address; True past the burst (Django's cache, shared by the
    workers when CACHE_URL points at Redis)."""
    key = f"surveys:answer:{request.META.get('REMOTE_ADDR', '')}"
    if cache.add(key, 1, ANSWER_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, ANSWER_WINDOW)
        return False
    return count > ANSWER_BURST


def public_answer(request: HttpRequest, code: str) -> HttpResponse:
    """A resident answers with a one-time code; no account. The page shows no code but the one
    the resident typed or scanned, and no personal data but committee members' names."""
    community = selectors.public_community(code)
    today = timezone.localdate()
    surveys = selectors.open_surveys(community, today)
    chosen = next((s for s in surveys if str(s.pk) == request.GET.get("s")), None)
    survey = chosen or (surveys[0] if surveys else None)
    context = {"community": community, "surveys": surveys, "survey": survey, "done": False}
    if survey is None:
        return render(request, "surveys/public_answer.html", context)
    form = AnswerForm(
        request.POST or None,
        initial={"code": request.GET.get("code", "")},
        questions=selectors.questions(survey),
        members=selectors.committee_members(community, today),
        with_code=True,
    )
    context["form"] = form
    status = 200
    if request.method == "POST":
        if _throttled(request):
            form.is_valid()
            form.add_error(None, _("提交过于频繁,请稍等一分钟后再试。"))
            status = 429
        elif form.is_valid():
            try:
                services.answer_with_code(
                    community=community,
                    code=form.cleaned_data.get("code") or "",
                    scores=form.scores(),
                    expected=form.keys,
                    on=today,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                context["done"] = True
                context["form"] = None
    return render(request, "surveys/public_answer.html", context, status=status)


def public_results(request: HttpRequest, code: str) -> HttpResponse:
    community = selectors.public_community(code)
    published = selectors.published_surveys(community)
    return render(
        request,
        "surveys/public_results.html",
        {
            "community": community,
            "published": [(s, selectors.results(s, [community])[0]) for s in published[:10]],
        },
    )
