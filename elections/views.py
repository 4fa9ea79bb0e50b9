"""Election pages: the community's history, the step-by-step page and its forms, the printable
announcement, certification and corrections, and a division's overview.

Committee members and the street office record the steps (``can_write``); only the street
office or a bureau above it certifies and corrects (``access.can_certify``). A record outside the
jurisdiction is a 404, a step the user may not take a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.models import Status
from compliance.rules import meets_fraction
from core import access, locking
from core.users import SignedInRequest
from divisions import selectors as committee_selectors
from divisions.models import Community
from divisions.pages import (
    community_page,
    edit_page,
    guarded_save,
    version_context,
    writable_community,
)
from elections import selectors, services
from elections.counting import Entry, compute_outcomes, election_rules, entries_of, frozen_results
from elections.forms import (
    CandidateForm,
    CertifyForm,
    CorrectionForm,
    ElectionPlanForm,
    RerunForm,
    ResultsForm,
    VoterListForm,
    VotingForm,
)
from elections.models import Election, ElectionCandidate

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TAB = "elections"
FORM = "elections/election_form.html"


def _election(request: SignedInRequest, code: str, pk: int) -> Election:
    return committee_selectors.community_record(
        request.user,
        code,
        Election.objects.select_related("community__street", "certified_by", "election_committee"),
        pk,
    )


def _url(election: Election) -> str:
    return reverse("elections:election", args=[election.community.code, election.pk])


def _certifier_community(request: SignedInRequest, code: str) -> Community:
    community = committee_selectors.community_for(request.user, code)
    if not access.can_certify(request.user, code):
        raise PermissionDenied
    return community


def _closed(request: HttpRequest, election: Election) -> HttpResponse | None:
    """Steps of a certified election are not edited in place: back to the election page."""
    if not election.is_certified:
        return None
    messages.warning(
        request,
        _("这次选举已经确认,不能直接修改;如需更正,请由街道办事处或民政部门登记更正。"),
    )
    return redirect(_url(election))


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


def _form_page(
    request: SignedInRequest,
    community: Community,
    form: forms.BaseForm,
    save: Callable[[Any], str],
    *,
    heading: StrOrPromise,
    done: StrOrPromise,
    cancel: str,
    template: str = FORM,
    **context,
) -> HttpResponse:
    """Bind, validate, call the service (which returns where to go), redirect; refusals of
    the service land next to the fields and nothing is saved. A form of an existing election
    carries its version: a save over someone else's newer one is refused (core.locking)."""
    return edit_page(
        request,
        community,
        form,
        save,
        heading=heading,
        done=done,
        next_url=None,
        tab=TAB,
        template=template,
        cancel=cancel,
        **context,
    )


# --- the community tab ----------------------------------------------------------------------------


@login_required
def elections(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    today = timezone.localdate()
    page = Paginator(selectors.community_elections(community), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for election in page.object_list:
        election.step = None if election.is_certified else selectors.step_label(election)
    term = selectors.current_term(community, today)
    return community_page(
        request,
        community,
        "elections/elections.html",
        tab=TAB,
        page=page,
        term=term,
        overdue=bool(term and term.term_ends_on and term.term_ends_on < today),
        today=today,
    )


@login_required
def election_create(request: SignedInRequest, code: str) -> HttpResponse:
    community = writable_community(request, code)
    last = (
        community.elections.filter(kind=Election.Kind.GENERAL)
        .order_by("-term_number")
        .values_list("term_number", flat=True)
        .first()
    )
    form = ElectionPlanForm(
        request.POST or None,
        instance=Election(community=community),
        initial={"term_number": (last or 0) + 1},
    )

    def save(f) -> str:
        return _url(services.election_plan(actor=request.user, election=f.instance))

    return _form_page(
        request,
        community,
        form,
        save,
        heading=_("筹备选举:登记选举计划"),
        done=_("选举计划已登记。下一步:公布选民名单。"),
        cancel=reverse("elections:elections", args=[code]),
        intro=_(
            "换届选举产生新一届居委会全体成员(主任 1 名,副主任和委员若干);补选只选出缺的职务。"
            "居民代表选举每个居民小组推选代表二至三人。"
        ),
    )


@login_required
def election_detail(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    election = _election(request, code, pk)
    page = selectors.election_page(election, timezone.localdate())
    can_certify = access.can_certify(request.user, code)
    actions = {}
    if access.can_write(request.user, code) and not election.is_certified:
        args = [code, pk]
        actions = {
            "plan": reverse("elections:election_plan", args=args),
            "voter_list": reverse("elections:election_voter_list", args=args),
            "voting": reverse("elections:election_voting", args=args),
            "results": reverse("elections:election_results", args=args),
        }
        if not election.has_voting:
            actions["candidates"] = reverse("elections:election_candidate_create", args=args)
    if can_certify and not election.is_certified:
        actions["certified"] = reverse("elections:election_certify", args=[code, pk])
    return community_page(
        request,
        election.community,
        "elections/election_detail.html",
        tab=TAB,
        election=election,
        page=page,
        actions=actions,
        can_certify=can_certify,
        rerun_needed=page.results.complete
        and not page.void_reason
        and page.results.unfilled_after_first > 0
        and not election.has_rerun,
    )


def _step_view(
    request: SignedInRequest,
    election: Election,
    form_class: type[forms.ModelForm],
    save: Callable[..., Election],
    *,
    heading: StrOrPromise,
    done: StrOrPromise,
    intro: StrOrPromise = "",
) -> HttpResponse:
    community = writable_community(request, election.community.code)
    closed = _closed(request, election)
    if closed:
        return closed
    form = form_class(request.POST or None, instance=election)
    return _form_page(
        request,
        community,
        form,
        lambda f: _url(save(actor=request.user, election=f.instance)),
        heading=heading,
        done=done,
        cancel=_url(election),
        intro=intro,
        election=election,
    )


@login_required
def election_plan(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    return _step_view(
        request,
        _election(request, code, pk),
        ElectionPlanForm,
        services.election_plan,
        heading=_("修改选举计划"),
        done=_("选举计划已保存。"),
    )


@login_required
def voter_list(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    election = _election(request, code, pk)
    community = writable_community(request, code)
    closed = _closed(request, election)
    if closed:
        return closed
    form = VoterListForm(request.POST or None, instance=election)

    def save(f) -> str:
        saved = services.voter_list_publish(actor=request.user, election=f.instance)
        _warn_findings(request, saved, {"election.voter_list_lead"})
        return _url(saved)

    return _form_page(
        request,
        community,
        form,
        save,
        heading=_("选民登记:公布选民名单"),
        done=_("选民名单已登记。下一步:登记候选人。"),
        cancel=_url(election),
        election=election,
        intro=_("选民名单应在选举日的二十日以前公布;不足二十日仍可登记,合规检查会提示不符合。"),
    )


def _warn_findings(request: HttpRequest, election: Election, keys: set[str]) -> None:
    """A saved step that breaks a rule is a finding, not a refusal: say so at once."""
    candidates = services.candidates_of(election)
    for row in selectors.election_verdicts(election, candidates):
        if row.standard.rule_key in keys and row.status == Status.NON_COMPLIANT:
            messages.warning(
                request,
                _("已保存,但不符合 %(code)s(%(title)s):%(why)s")
                % {
                    "code": row.standard.code,
                    "title": row.standard.title,
                    "why": row.explanation or row.measured,
                },
            )


@login_required
def candidate_create(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    election = _election(request, code, pk)
    community = writable_community(request, code)
    closed = _closed(request, election)
    if closed:
        return closed
    form = CandidateForm(request.POST or None, election=election)

    def save(f) -> str:
        services.candidate_add(actor=request.user, election=election, candidate=f.instance)
        return _url(election)

    return _form_page(
        request,
        community,
        form,
        save,
        heading=_("登记候选人"),
        done=_("候选人已登记。"),
        cancel=_url(election),
        election=election,
        intro=_(
            "候选人须在选举日年满十八周岁;候选人名额应多于应选名额(差额选举)。"
            "还没有登记的人员,请先到“组织与人员”中新增。"
        ),
        person_create=reverse("committees:person_create", args=[code]),
    )


@login_required
def candidate_remove(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    election = _election(request, code, pk)
    if request.method != "POST":  # checked after the scope, so outside codes stay a 404
        return HttpResponseNotAllowed(["POST"])
    writable_community(request, code)
    raw = request.POST.get("candidate", "")
    candidate = None
    if raw.isascii() and raw.isdigit() and len(raw) < 16:
        candidate = election.candidates.filter(pk=int(raw)).select_related("person").first()
    if candidate is None:
        messages.error(request, _("没有找到要删除的候选人。"))
    else:
        try:
            services.candidate_remove(actor=request.user, election=election, candidate=candidate)
        except ValidationError as error:
            messages.error(request, ";".join(error.messages))
        else:
            messages.success(request, _("已删除候选人 %(name)s。") % {"name": candidate.person})
    return redirect(_url(election))


@login_required
def voting(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    election = _election(request, code, pk)
    noun = services.electorate_label(election)
    return _step_view(
        request,
        election,
        VotingForm,
        services.voting_record,
        heading=_("投票:登记选票情况"),
        done=_("投票情况已登记。下一步:登记各候选人得票。"),
        intro=_(
            "发出选票不能多于%(noun)s(%(n)s);有效票与无效票之和应等于收回选票。"
            "参加投票人数须过半数,选举方为有效。"
        )
        % {"noun": noun, "n": election.electorate if election.electorate is not None else "—"},
    )


@login_required
def results(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    """Votes per candidate. "Preview" computes who would be elected without saving, so the
    totals and winners can be checked before anything is recorded (also without JavaScript)."""
    election = _election(request, code, pk)
    community = writable_community(request, code)
    closed = _closed(request, election)
    if closed:
        return closed
    candidates = services.candidates_of(election)
    form = ResultsForm(request.POST or None, election=election, candidates=candidates)
    rules = election_rules(community.code, election.final_day)
    preview = None
    submitted = request.POST.get(locking.FIELD) if request.method == "POST" else None
    children = ElectionCandidate.history.filter(election_id=election.pk)
    conflict = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            votes = form.votes()
            preview = compute_outcomes(
                election.seats,
                [Entry(c.pk, c.position, votes[c.pk], c.rerun_votes) for c in candidates],
                election.ballots_cast,
                election.rerun_ballots_cast,
                rules,
            )
        else:
            try:
                guarded_save(
                    election,
                    submitted,
                    lambda: services.results_record(
                        actor=request.user, election=election, votes=form.votes()
                    ),
                    children,
                )
            except locking.EditConflict as error:
                conflict = error
                form.add_error(None, error.message)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("计票结果已登记,当选人已按规则计算。"))
                return redirect(_url(election))
    elif request.method != "POST" and election.has_voting:
        preview = compute_outcomes(
            election.seats, entries_of(candidates), election.ballots_cast, None, rules
        )
    return community_page(
        request,
        community,
        "elections/election_votes.html",
        tab=TAB,
        form=form,
        election=election,
        rules=rules,
        preview=preview,
        fraction=rules.win,
        cast=election.ballots_cast,
        valid=election.ballots_valid,
        heading=_("计票结果:登记各候选人得票"),
        cancel=_url(election),
        names={c.pk: c.person.name for c in candidates},
        **version_context(request, community, election, submitted, conflict, children),
    )


@login_required
def rerun(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    election = _election(request, code, pk)
    community = writable_community(request, code)
    closed = _closed(request, election)
    if closed:
        return closed
    candidates = services.candidates_of(election)
    places = services.rerun_places(election, candidates)
    rules = election_rules(community.code, election.final_day)
    form = None
    submitted = request.POST.get(locking.FIELD) if request.method == "POST" else None
    children = ElectionCandidate.history.filter(election_id=election.pk)
    conflict = None
    if places:
        form = RerunForm(
            request.POST or None,
            election=election,
            candidates=services.rerun_candidates(election, candidates),
            places=places,
        )
        if request.method == "POST" and form.is_valid():
            try:
                guarded_save(
                    election,
                    submitted,
                    lambda: services.rerun_record(
                        actor=request.user, election=form.apply(election), votes=form.votes()
                    ),
                    children,
                )
            except locking.EditConflict as error:
                conflict = error
                form.add_error(None, error.message)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("另行选举结果已登记。"))
                return redirect(_url(election))
    return community_page(
        request,
        community,
        "elections/election_votes.html",
        tab=TAB,
        form=form,
        election=election,
        rules=rules,
        rerun=True,
        places=places,
        fraction=rules.rerun,
        results=frozen_results(election, candidates),
        heading=_("另行选举:登记空缺名额的选举结果"),
        cancel=_url(election),
        **version_context(request, community, election, submitted, conflict, children),
    )


# --- certification and correction (street office or bureau) -------------------------------------


@login_required
def certify(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    election = _election(request, code, pk)
    community = _certifier_community(request, code)
    closed = _closed(request, election)
    if closed:
        return closed
    page = selectors.election_page(election, timezone.localdate())
    form = CertifyForm(request.POST or None, initial={"certified_on": timezone.localdate()})

    def save(f) -> str:
        services.election_certify(
            actor=request.user, election=election, on=f.cleaned_data["certified_on"]
        )
        return _url(election)

    return _form_page(
        request,
        community,
        form,
        save,
        heading=_("确认选举结果"),
        done=_("选举结果已确认;当选人已列入居委会成员名单,上届成员已离任。"),
        cancel=_url(election),
        template="elections/election_certify.html",
        election=election,
        record=election,
        page=page,
    )


@login_required
def correct(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    election = _election(request, code, pk)
    community = _certifier_community(request, code)
    candidates = services.candidates_of(election)
    form = None
    if election.is_certified:
        form = CorrectionForm(request.POST or None, election=election, candidates=candidates)

    def save(f) -> str:
        for name, value in f.counts().items():
            setattr(election, name, value)
        services.election_correct(
            actor=request.user,
            election=election,
            reason=f.cleaned_data["reason"],
            votes=f.votes(),
            rerun_votes=f.rerun_votes(),
        )
        return _url(election)

    if form is None:
        return community_page(
            request,
            community,
            FORM,
            tab=TAB,
            form=None,
            heading=_("更正选举结果"),
            cancel=_url(election),
            election=election,
            intro=_("这次选举尚未确认,计票结果可以直接修改,不需要登记更正。"),
        )
    return _form_page(
        request,
        community,
        form,
        save,
        heading=_("更正选举结果"),
        done=_("更正已登记;当选人已按更正后的得票重新计算。"),
        cancel=_url(election),
        election=election,
        record=election,
        intro=_(
            "已确认的选举结果不能直接修改。更正作为一次新的记录保存,写明原因和更正人;"
            "当选人按更正后的得票重新计算,任职记录随之调整。"
        ),
    )


# --- the printable announcement ------------------------------------------------------------------


@login_required
def announcement(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    election = _election(request, code, pk)
    page = selectors.election_page(election, timezone.localdate())
    community = election.community
    if election.election_committee:
        issuer = election.election_committee.name
    elif community.name.endswith("居民委员会"):
        issuer = community.name.removesuffix("居民委员会") + "居民选举委员会"
    else:
        issuer = community.name + "居民选举委员会"
    cast, electorate = election.ballots_cast, election.electorate
    return render(
        request,
        "elections/election_announcement.html",
        {
            "community": community,
            "election": election,
            "page": page,
            "street": community.street,
            "issuer": issuer,
            "valid_turnout": cast is not None  # election.has_voting
            and electorate is not None
            and electorate != 0
            and meets_fraction(cast, electorate, page.rules.turnout),
        },
    )


# --- a division's overview ------------------------------------------------------------------------


@login_required
def overview(request: SignedInRequest, code: str) -> HttpResponse:
    division = committee_selectors.division_for(request.user, code)
    today = timezone.localdate()
    return render(
        request,
        "elections/election_overview.html",
        {
            "division": division,
            "crumbs": committee_selectors.breadcrumbs(request.user, code),
            "data": selectors.overview(code, today),
            "today": today,
            "upcoming_days": selectors.UPCOMING_DAYS,
        },
    )
