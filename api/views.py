"""The read and write endpoints of /api/v1/.

Each resource is a thin viewset over a queryset scoped by ``core.access`` (a record outside the
token's jurisdiction is a 404, as on the pages); writes go through the apps' services, with the
token's owner as the actor, so validation, history and the re-judging of compliance are those of
the forms.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from django import forms
from django.db import models
from django.db.models import Prefetch
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, pagination, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers as s
from api import writes
from api.models import ApiToken, ApiWrite
from committees import services as committee_services
from committees.forms import MembershipForm
from committees.models import Membership, Organization
from compliance.models import Finding, Rollup, Standard
from core import access, locking
from core.models import User
from divisions import selectors as division_selectors
from divisions.models import Community, Division
from elections.models import Election
from facilities import services as facility_services
from facilities.forms import FacilityForm
from facilities.models import Facility
from funding import services as funding_services
from funding.forms import AllocationForm, ExpenditureForm
from funding.models import Allocation, AssignedTask, Expenditure
from governance import services as governance_services
from governance.forms import DisclosureForm, FinanceLineForm, MeetingForm, ResolutionForm
from governance.models import Disclosure, FinanceLine, Meeting, Resolution
from supervision.models import RectificationNotice

UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="只返回此时间之后新建或修改的记录(增量同步)· Only records created or changed "
    "since this time (incremental sync)",
)


NOT_INCREMENTAL = _lazy("这类记录不支持增量同步,请完整读取。")


class Cursor(pagination.CursorPagination):
    ordering = "id"  # ids never change: a client resumes a sync where it stopped
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


def since(request: Request) -> datetime.datetime | None:
    raw = request.query_params.get("updated_since")
    if raw is None:
        return None
    value = parse_datetime(raw)
    if value is None:
        day = parse_date(raw) if len(raw) == 10 else None
        if day is None:
            raise exceptions.ValidationError(
                {"updated_since": [_("请输入 ISO 8601 格式的时间,如 2026-01-31T08:00:00+08:00。")]}
            )
        value = datetime.datetime.combine(day, datetime.time(), datetime.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class Resource(viewsets.ReadOnlyModelViewSet):
    """A record type, limited to the user's jurisdiction through ``scope`` (a code path)."""

    model: ClassVar[type[models.Model]]
    scope: ClassVar[str] = "community__code"
    related: ClassVar[tuple[str, ...]] = ()
    prefetch: ClassVar[tuple[str | Prefetch, ...]] = ()
    pagination_class = Cursor
    filter_backends = [DjangoFilterBackend]

    def base_queryset(self) -> models.QuerySet:
        user: User = self.request.user  # IsAuthenticated
        return (
            self.model._default_manager.filter(access.scope_q(user, self.scope))
            .select_related(*self.related)
            .prefetch_related(*self.prefetch)
        )

    def get_queryset(self) -> models.QuerySet:
        queryset = self.base_queryset().order_by("id")
        changed_since = since(self.request)
        if changed_since is not None:
            queryset = self.changed(queryset, changed_since)
        return queryset

    def changed(self, queryset: models.QuerySet, after: datetime.datetime) -> models.QuerySet:
        # Every save writes a historical row (django-simple-history): one subquery finds
        # what changed, whatever the model.
        if not hasattr(self.model, "history"):
            raise exceptions.ValidationError({"updated_since": [NOT_INCREMENTAL]})
        history = self.model.history.filter(history_date__gte=after)
        return queryset.filter(pk__in=history.values("id"))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        etag = f'"{locking.version_of(record)}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(self.get_serializer(record).data, headers={"ETag": etag})

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(request, "auth", None)
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and isinstance(token, ApiToken)
            and 200 <= response.status_code < 300
        ):
            # Logged in the write's own transaction: what was written, with its token. A
            # refused write (400, 404, 412) was rolled back and wrote nothing.
            ApiWrite.objects.create(
                token=token,
                method=request.method or "",
                path=request.path[:300],
                status=response.status_code,
            )
        return response


class Writable(mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Create and update as the record's page does: its form validates, its service saves.

    ``write_serializer`` documents the body in the schema; the values are checked by the app's
    form (``form_class``), so a refusal carries the page's own message for each field. An update
    must name the version it is based on (``If-Match`` with the record's ETag, or ``version`` in
    the body); a stale one is refused with 412 and nothing is written.
    """

    model: ClassVar[type[models.Model]]
    write_serializer: ClassVar[type[serializers.Serializer]]
    form_class: ClassVar[type[forms.ModelForm]]
    request: Request

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.request.method in ("POST", "PUT", "PATCH"):
            return self.write_serializer
        return super().get_serializer_class()

    def writable_community(self, code: str) -> Community:
        user: User = self.request.user
        community = division_selectors.community_for(user, code)  # 404 outside
        if not access.can_write(user, community.code):
            raise exceptions.PermissionDenied(_("您没有修改这个社区记录的权限。"))
        return community

    def community_of(self, record: Any) -> Community:
        return record.community

    def new_record(self, community: Community) -> models.Model:
        return self.model(community=community)

    def form_kwargs(self, community: Community) -> dict[str, Any]:
        return {}

    def initial_of(self, record: models.Model, form_class: type[forms.ModelForm]) -> dict:
        return forms.model_to_dict(record, fields=form_class._meta.fields)

    def write(self, record: models.Model | None, partial: bool) -> Response:
        user: User = self.request.user
        body = writes.require_object(self.request.data)
        if record is None:
            code = body.get("community")
            if not isinstance(code, str) or not code:
                raise exceptions.ValidationError({"community": [_("请填写社区代码。")]})
            community = self.writable_community(code)
        else:
            community = self.writable_community(self.community_of(record).code)
            check_version(record, self.request.headers.get("If-Match", ""), body.get("version"))
        blank = self.new_record(community)
        form = writes.bound(
            self.form_class,
            body,
            # A field left out keeps its value (PATCH) or takes its default, as on a new form.
            initial=self.initial_of(record if record and partial else blank, self.form_class),
            extra=("community", "version"),
            instance=record or blank,
            **self.form_kwargs(community),
        )
        saved = self.save_record(actor=user, community=community, record=record, form=form)
        body_out = self.serializer_class(saved, context={"request": self.request}).data
        etag = f'"{locking.version_of(saved)}"'
        return Response(body_out, status=201 if record is None else 200, headers={"ETag": etag})

    def save_record(
        self, *, actor: User, community: Community, record: Any, form: forms.BaseForm
    ) -> models.Model:
        raise NotImplementedError

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.write(None, partial=False)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()  # 404 outside
        return self.write(record, partial=kwargs.get("partial", False))


def check_version(record: models.Model, header: str, submitted: Any, key: str = "version") -> None:
    """Refuse (412) a change based on another version than the record's; lock its row."""
    wanted = header.strip().strip('"') or ("" if submitted is None else str(submitted))
    if not wanted:
        raise exceptions.ValidationError(
            {key: [_("修改记录须在 If-Match 或 version 中给出所依据的版本。")]}
        )
    locking.ensure_current(record, wanted)


def only(data: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    return {name: data[name] for name in fields if name in data}


def finance_lines(
    disclosure: Disclosure, body: Mapping[str, Any]
) -> tuple[list[governance_services.FinanceLineData], list[int]]:
    """The lines of a body, each checked by the page's row form (errors keyed
    ``lines.<index>.<field>`` as the service keys its own); a changed line must be the version
    its client read (412 otherwise)."""
    errors = writes.shape_errors(body, {}, extra=("lines", "deleted"))
    raw_lines, deleted = body.get("lines", []), body.get("deleted", [])
    if not isinstance(raw_lines, list):
        errors["lines"] = [_("请填写明细行列表。")]
    if not isinstance(deleted, list) or not all(
        isinstance(pk, int) and not isinstance(pk, bool) for pk in deleted
    ):
        errors["deleted"] = [_("请填写编号列表。")]
    if errors:
        raise exceptions.ValidationError(errors)
    existing = {line.pk: line for line in disclosure.lines.all()}
    lines: list[governance_services.FinanceLineData] = []
    for index, raw in enumerate(raw_lines):
        prefix = f"lines.{index}."
        if not isinstance(raw, dict):
            errors[prefix + "non_field_errors"] = [_("请求内容须为 JSON 对象。")]
            continue
        pk = raw.get("id")
        if pk is not None and (not isinstance(pk, int) or isinstance(pk, bool)):
            errors[prefix + "id"] = [_("请填写单个值。")]
            continue
        line = existing.get(pk) if pk is not None else None
        if pk is not None and line is None:
            errors[prefix + "id"] = [_("这一行已被删除或不属于本公开事项,请刷新后重新填写。")]
            continue
        try:
            form = writes.bound(
                FinanceLineForm,
                raw,
                extra=("id", "version"),
                prefix=prefix,
                instance=copy.copy(line) if line else FinanceLine(disclosure=disclosure),
            )
        except exceptions.ValidationError as error:
            errors.update(error.detail)
            continue
        if line is not None:
            check_version(line, "", raw.get("version"), key=prefix + "version")
        data = form.cleaned_data
        lines.append(
            governance_services.FinanceLineData(
                direction=data["direction"], item=data["item"], amount=data["amount"], pk=pk
            )
        )
    if errors:
        raise exceptions.ValidationError(errors)
    return lines, list(deleted)


VERSION_HELP = "所依据的版本(ETag),也可用 If-Match 头 · The version the change is based on"
COMMUNITY_HELP = s.bilingual(_lazy("社区代码"))


class WriteBody(s.Described):
    """A write body: the record's fields, its community (on create) and the version."""

    community = serializers.CharField(required=False, help_text=COMMUNITY_HELP)
    version = serializers.IntegerField(required=False, write_only=True, help_text=VERSION_HELP)


class FacilityWrite(WriteBody):
    class Meta:
        model = Facility
        fields = ["community", "version", *facility_services.FACILITY_FIELDS]


class MeetingWrite(WriteBody):
    attendees = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=s.bilingual(_lazy("出席人员"))
        + "(人员编号;有成员名单的会议 · person ids, for bodies with a roster)",
    )

    class Meta:
        model = Meeting
        fields = ["community", "version", *governance_services.MEETING_FIELDS, "attendees"]


class DisclosureWrite(WriteBody):
    class Meta:
        model = Disclosure
        fields = ["community", "version", *governance_services.DISCLOSURE_FIELDS]


class AllocationWrite(WriteBody):
    class Meta:
        model = Allocation
        fields = ["community", "version", *funding_services.ALLOCATION_FIELDS]


class ExpenditureWrite(WriteBody):
    class Meta:
        model = Expenditure
        fields = ["community", "version", *funding_services.EXPENDITURE_FIELDS]


class MembershipWrite(WriteBody):
    class Meta:
        model = Membership
        fields = ["community", "version", *MembershipForm._meta.fields]  # type: ignore[misc]


class ResolutionWrite(s.Described):
    class Meta:
        model = Resolution
        fields = list(governance_services.RESOLUTION_FIELDS)


class LineWrite(s.Described):
    id = serializers.IntegerField(
        required=False, help_text="已有明细行的编号;新行不填 · The id of an existing line"
    )
    version = serializers.IntegerField(
        required=False, help_text="已有明细行的版本 · The version of an existing line"
    )

    class Meta:
        model = FinanceLine
        fields = ["id", "version", "direction", "item", "amount"]


class LinesWrite(serializers.Serializer):
    lines = LineWrite(many=True, help_text="新增或修改的明细行 · Lines added or changed")
    deleted = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="删除的明细行编号 · Ids of the lines to delete",
    )


class DivisionViewSet(Resource):
    """行政区划(树:每条记录给出上级代码)· Divisions, as a tree by parent code"""

    model = Division
    scope = "code"
    related = ("parent",)
    serializer_class = s.DivisionSerializer
    filterset_fields = {"level": ["exact"], "code": ["startswith"]}
    lookup_field = "code"

    def changed(self, queryset: models.QuerySet, after: datetime.datetime) -> models.QuerySet:
        return queryset.none()  # divisions change only by import: a full list is small


class CommunityViewSet(Resource):
    """社区及其概况 · Communities and their profiles"""

    model = Community
    scope = "code"
    related = ("street",)
    serializer_class = s.CommunitySerializer
    filterset_fields = {"code": ["startswith"], "kind": ["exact"]}
    lookup_field = "code"

    def changed(self, queryset: models.QuerySet, after: datetime.datetime) -> models.QuerySet:
        return queryset.filter(updated_at__gte=after)


class OrganizationViewSet(Resource):
    """组织(居委会、党组织、下属委员会等)· Organizations"""

    model = Organization
    related = ("community",)
    serializer_class = s.OrganizationSerializer
    filterset_fields = {"community__code": ["exact", "startswith"], "kind": ["exact"]}


class MembershipViewSet(Writable, Resource):
    """组织成员及职务 · Memberships"""

    model = Membership
    scope = "organization__community__code"
    related = ("organization__community", "person")
    serializer_class = s.MembershipSerializer
    write_serializer = MembershipWrite
    form_class = MembershipForm
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def community_of(self, record: Any) -> Community:
        return record.organization.community

    def new_record(self, community: Community) -> models.Model:
        return Membership()

    def form_kwargs(self, community: Community) -> dict[str, Any]:
        return {"community": community}

    def save_record(
        self, *, actor: User, community: Community, record: Any, form: forms.BaseForm
    ) -> models.Model:
        membership: Membership = form.instance  # type: ignore[attr-defined]
        return committee_services.membership_save(actor=actor, membership=membership)

    filterset_fields = {"organization__community__code": ["exact", "startswith"]}


class FacilityViewSet(Writable, Resource):
    """社区用房与场地 · Rooms and sites"""

    model = Facility
    related = ("community",)
    serializer_class = s.FacilitySerializer
    write_serializer = FacilityWrite
    filterset_fields = {"community__code": ["exact", "startswith"], "kind": ["exact"]}
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    form_class = FacilityForm

    def save_record(
        self, *, actor: User, community: Community, record: Any, form: forms.BaseForm
    ) -> models.Model:
        return facility_services.facility_save(
            actor=actor,
            community=community,
            facility=record,
            data=only(form.cleaned_data, facility_services.FACILITY_FIELDS),
        )


class MeetingViewSet(Writable, Resource):
    """会议及决议 · Meetings and their resolutions"""

    model = Meeting
    related = ("community",)
    prefetch = ("resolutions", "attendance")
    serializer_class = s.MeetingSerializer
    write_serializer = MeetingWrite
    filterset_fields = {
        "community__code": ["exact", "startswith"],
        "kind": ["exact"],
        "date": ["gte", "lte"],
    }
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    form_class = MeetingForm

    def form_kwargs(self, community: Community) -> dict[str, Any]:
        return {"community": community}

    def initial_of(self, record: models.Model, form_class: type[forms.ModelForm]) -> dict:
        initial = super().initial_of(record, form_class)
        if record.pk:
            initial["attendees"] = [a.person_id for a in record.attendance.all()]  # type: ignore[attr-defined]
        return initial

    def save_record(
        self, *, actor: User, community: Community, record: Any, form: forms.BaseForm
    ) -> models.Model:
        return governance_services.meeting_save(
            actor=actor,
            community=community,
            meeting=record,
            data=only(form.cleaned_data, governance_services.MEETING_FIELDS),
            # As on the page: only bodies with a roster keep a list of who attended.
            attendees=list(form.cleaned_data.get("attendees") or []),
        )

    @extend_schema(
        request=ResolutionWrite,
        responses={201: s.ResolutionSerializer},
        summary="登记会议决议 · Record a resolution of a held meeting",
    )
    @action(detail=True, methods=["post"], url_path="resolutions")
    def resolutions(self, request: Request, pk: str | None = None) -> Response:
        """Whether it passed is computed, with the rule that applied on the meeting's day."""
        meeting = self.get_object()  # 404 outside
        self.writable_community(meeting.community.code)
        body = writes.require_object(request.data)
        form = writes.bound(
            ResolutionForm, body, meeting=meeting, instance=Resolution(meeting=meeting)
        )
        resolution = governance_services.resolution_save(
            actor=request.user,
            meeting=meeting,
            data=only(form.cleaned_data, governance_services.RESOLUTION_FIELDS),
        )
        etag = f'"{locking.version_of(resolution)}"'
        return Response(s.ResolutionSerializer(resolution).data, status=201, headers={"ETag": etag})


class DisclosureViewSet(Writable, Resource):
    """公开事项及收支明细(含草稿,与页面相同)· Disclosures with their finance lines"""

    model = Disclosure
    related = ("community",)
    prefetch = (Prefetch("lines", queryset=s.lines_with_versions()),)
    serializer_class = s.DisclosureSerializer
    write_serializer = DisclosureWrite
    form_class = DisclosureForm
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def save_record(
        self, *, actor: User, community: Community, record: Any, form: forms.BaseForm
    ) -> models.Model:
        return governance_services.disclosure_save(
            actor=actor,
            community=community,
            disclosure=record,
            data=only(form.cleaned_data, governance_services.DISCLOSURE_FIELDS),
        )

    @extend_schema(
        request=LinesWrite,
        responses={200: s.DisclosureSerializer},
        summary="保存财务公开的收支明细 · Save the finance lines of a financial disclosure",
    )
    @action(detail=True, methods=["put"], url_path="lines")
    def lines(self, request: Request, pk: str | None = None) -> Response:
        """Lines with an id are changed (give each its version), lines without one added, the
        ids in ``deleted`` removed; other lines stay as they are. All or nothing."""
        # 404 outside; then read again without the prefetched lines, which the forms below
        # would change in place before the service compares them.
        disclosure = Disclosure.objects.get(pk=self.get_object().pk)
        self.writable_community(disclosure.community.code)
        body = writes.require_object(request.data)
        if disclosure.category != Disclosure.Category.FINANCE:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("只有财务公开事项有收支明细。")]}
            )
        lines, deleted = finance_lines(disclosure, body)
        governance_services.finance_lines_save(
            actor=request.user, disclosure=disclosure, lines=lines, deleted=deleted
        )
        fresh = self.base_queryset().get(pk=disclosure.pk)
        etag = f'"{locking.version_of(fresh)}"'
        return Response(
            self.serializer_class(fresh, context={"request": request}).data,
            headers={"ETag": etag},
        )

    filterset_fields = {
        "community__code": ["exact", "startswith"],
        "category": ["exact"],
        "published_on": ["gte", "lte", "isnull"],
    }


class AllocationViewSet(Writable, Resource):
    """工作经费拨付 · Work-fund allocations"""

    model = Allocation
    related = ("community",)
    serializer_class = s.AllocationSerializer
    write_serializer = AllocationWrite
    form_class = AllocationForm
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def save_record(
        self, *, actor: User, community: Community, record: Any, form: forms.BaseForm
    ) -> models.Model:
        return funding_services.allocation_save(
            actor=actor,
            community=community,
            allocation=record,
            data=only(form.cleaned_data, funding_services.ALLOCATION_FIELDS),
        )

    filterset_fields = {"community__code": ["exact", "startswith"]}


class ExpenditureViewSet(Writable, Resource):
    """工作经费支出 · Work-fund spending"""

    model = Expenditure
    related = ("community",)
    serializer_class = s.ExpenditureSerializer
    write_serializer = ExpenditureWrite
    form_class = ExpenditureForm
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def save_record(
        self, *, actor: User, community: Community, record: Any, form: forms.BaseForm
    ) -> models.Model:
        return funding_services.expenditure_save(
            actor=actor,
            community=community,
            expenditure=record,
            data=only(form.cleaned_data, funding_services.EXPENDITURE_FIELDS),
        )

    filterset_fields = {"community__code": ["exact", "startswith"]}


class AssignedTaskViewSet(Resource):
    """准入事项(部门交办任务)· Tasks assigned to communities"""

    model = AssignedTask
    related = ("community",)
    serializer_class = s.AssignedTaskSerializer
    filterset_fields = {"community__code": ["exact", "startswith"]}


class ElectionViewSet(Resource):
    """换届选举及结果 · Elections and their results"""

    model = Election
    related = ("community",)
    serializer_class = s.ElectionSerializer
    filterset_fields = {"community__code": ["exact", "startswith"]}


class NoticeViewSet(Resource):
    """整改通知 · Rectification notices"""

    model = RectificationNotice
    related = ("community",)
    serializer_class = s.NoticeSerializer
    filterset_fields = {"community__code": ["exact", "startswith"]}


class StandardViewSet(Resource):
    """政策标准条款(公开文本)· Policy standards (public text)"""

    model = Standard
    related = ("document",)
    serializer_class = s.StandardSerializer
    lookup_field = "code"
    filterset_fields = {"rule_key": ["exact"]}

    def base_queryset(self) -> models.QuerySet:
        return Standard.objects.select_related("document")  # the same for everyone

    def changed(self, queryset: models.QuerySet, after: datetime.datetime) -> models.QuerySet:
        return queryset.filter(updated_at__gte=after)


class FindingViewSet(Resource):
    """当前评估结论 · Current findings"""

    model = Finding
    scope = "code"
    related = ("community", "standard")
    serializer_class = s.FindingSerializer
    filterset_fields = {"code": ["exact", "startswith"], "status": ["exact"]}

    def base_queryset(self) -> models.QuerySet:
        return super().base_queryset().filter(is_current=True)

    def changed(self, queryset: models.QuerySet, after: datetime.datetime) -> models.QuerySet:
        raise exceptions.ValidationError({"updated_since": [NOT_INCREMENTAL]})


class RollupViewSet(Resource):
    """各级区划的达标汇总 · Roll-ups per division"""

    model = Rollup
    scope = "code"
    related = ("standard",)
    serializer_class = s.RollupSerializer
    filterset_fields = {"code": ["exact"], "length": ["exact"]}

    def changed(self, queryset: models.QuerySet, after: datetime.datetime) -> models.QuerySet:
        raise exceptions.ValidationError({"updated_since": [NOT_INCREMENTAL]})
