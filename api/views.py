"""The read and write endpoints of /api/v1/.

Each resource is a thin viewset over a queryset scoped by ``core.access`` (a record outside the
token's jurisdiction is a 404, as on the pages); writes go through the apps' services, with the
token's owner as the actor, so validation, history and the re-judging of compliance are those of
the forms.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, pagination, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers as s
from api.models import ApiToken, ApiWrite
from committees.models import Membership, Organization
from compliance.models import Finding, Rollup, Standard
from core import access, locking
from core.models import User
from divisions import selectors as division_selectors
from divisions.models import Community, Division
from elections.models import Election
from facilities import services as facility_services
from facilities.models import Facility
from funding.models import Allocation, AssignedTask, Expenditure
from governance import services as governance_services
from governance.models import Disclosure, Meeting
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
    prefetch: ClassVar[tuple[str, ...]] = ()
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
    """Create and update through a service: ``save(actor, community, record, data)``.

    An update must name the version it is based on (``If-Match`` with the ETag of the record,
    or ``version`` in the body); a stale one is refused with 412 and nothing is written.
    """

    write_serializer: ClassVar[type[serializers.Serializer]]
    save: ClassVar[Callable[..., models.Model]]
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

    def write(self, record: models.Model | None, partial: bool) -> Response:
        user: User = self.request.user
        if record is None:
            code = (
                self.request.data.get("community") if isinstance(self.request.data, dict) else None
            )
            if not isinstance(code, str) or not code:
                raise exceptions.ValidationError({"community": [_("请填写社区代码。")]})
            community = self.writable_community(code)
        else:
            community = self.writable_community(record.community.code)  # type: ignore[attr-defined]
        serializer = self.write_serializer(
            instance=record,
            data=self.request.data,
            partial=partial,
            context={"request": self.request, "community": community},
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("community", None)
        submitted = data.pop("version", None)
        if record is not None:
            header = self.request.headers.get("If-Match", "").strip().strip('"')
            wanted = header or (str(submitted) if submitted is not None else "")
            if not wanted:
                raise exceptions.ValidationError(
                    {"version": [_("修改记录须在 If-Match 或 version 中给出所依据的版本。")]}
                )
            locking.ensure_current(record, wanted)
            if partial:  # unchanged fields keep their values through the service
                data = {name: getattr(record, name) for name in self.fields_of()} | data
        saved = self.save_record(actor=user, community=community, record=record, data=data)
        body = self.get_serializer_class_for_read()(saved, context={"request": self.request}).data
        etag = f'"{locking.version_of(saved)}"'
        return Response(body, status=201 if record is None else 200, headers={"ETag": etag})

    def fields_of(self) -> tuple[str, ...]:
        raise NotImplementedError

    def save_record(
        self, *, actor: User, community: Community, record: Any, data: Mapping[str, Any]
    ) -> models.Model:
        raise NotImplementedError

    def get_serializer_class_for_read(self) -> type[serializers.BaseSerializer]:
        return self.serializer_class

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.write(None, partial=False)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()  # 404 outside
        return self.write(record, partial=kwargs.get("partial", False))


VERSION = serializers.IntegerField(
    required=False,
    write_only=True,
    help_text="所依据的版本(ETag),也可用 If-Match 头 · The version the change is based on",
)


class FacilityWrite(s.Described):
    community = serializers.CharField(required=False, help_text=s.bilingual(_("社区代码")))
    version = serializers.IntegerField(required=False, write_only=True, help_text=VERSION.help_text)

    class Meta:
        model = Facility
        fields = ["community", "version", *facility_services.FACILITY_FIELDS]


class MeetingWrite(s.Described):
    community = serializers.CharField(required=False, help_text=s.bilingual(_("社区代码")))
    version = serializers.IntegerField(required=False, write_only=True, help_text=VERSION.help_text)

    class Meta:
        model = Meeting
        fields = ["community", "version", *governance_services.MEETING_FIELDS]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        community = self.context.get("community")
        # Only a room of the meeting's own community may be its venue.
        fields["facility"].queryset = (
            Facility.objects.filter(community=community) if community else Facility.objects.none()
        )
        return fields


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


class MembershipViewSet(Resource):
    """组织成员及职务 · Memberships"""

    model = Membership
    scope = "organization__community__code"
    related = ("organization__community", "person")
    serializer_class = s.MembershipSerializer
    filterset_fields = {"organization__community__code": ["exact", "startswith"]}


class FacilityViewSet(Writable, Resource):
    """社区用房与场地 · Rooms and sites"""

    model = Facility
    related = ("community",)
    serializer_class = s.FacilitySerializer
    write_serializer = FacilityWrite
    filterset_fields = {"community__code": ["exact", "startswith"], "kind": ["exact"]}
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def fields_of(self) -> tuple[str, ...]:
        return facility_services.FACILITY_FIELDS

    def save_record(
        self, *, actor: User, community: Community, record: Any, data: Mapping[str, Any]
    ) -> models.Model:
        return facility_services.facility_save(
            actor=actor, community=community, facility=record, data=data
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

    def fields_of(self) -> tuple[str, ...]:
        return governance_services.MEETING_FIELDS

    def save_record(
        self, *, actor: User, community: Community, record: Any, data: Mapping[str, Any]
    ) -> models.Model:
        return governance_services.meeting_save(
            actor=actor, community=community, meeting=record, data=data
        )


class DisclosureViewSet(Resource):
    """公开事项及收支明细(含草稿,与页面相同)· Disclosures with their finance lines"""

    model = Disclosure
    related = ("community",)
    prefetch = ("lines",)
    serializer_class = s.DisclosureSerializer
    filterset_fields = {
        "community__code": ["exact", "startswith"],
        "category": ["exact"],
        "published_on": ["gte", "lte", "isnull"],
    }


class AllocationViewSet(Resource):
    """工作经费拨付 · Work-fund allocations"""

    model = Allocation
    related = ("community",)
    serializer_class = s.AllocationSerializer
    filterset_fields = {"community__code": ["exact", "startswith"]}


class ExpenditureViewSet(Resource):
    """工作经费支出 · Work-fund spending"""

    model = Expenditure
    related = ("community",)
    serializer_class = s.ExpenditureSerializer
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
