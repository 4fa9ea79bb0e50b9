"""The jurisdiction export: every record the token may read, as JSON Lines, streamed.

One line per record, ``{"type": "<resource>", "record": {…}}``, the record exactly as the list
endpoint of its resource gives it (the schema documents each). Records are read in chunks with a
database cursor and written as they are read, so memory stays the same whatever the size of the
jurisdiction. Resources come in the order of ``EXPORTED``, each in id order.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from api import views

# The resources of a jurisdiction (the public standards are not one of them).
EXPORTED: dict[str, type[views.Resource]] = {
    "divisions": views.DivisionViewSet,
    "communities": views.CommunityViewSet,
    "organizations": views.OrganizationViewSet,
    "memberships": views.MembershipViewSet,
    "facilities": views.FacilityViewSet,
    "meetings": views.MeetingViewSet,
    "disclosures": views.DisclosureViewSet,
    "allocations": views.AllocationViewSet,
    "expenditures": views.ExpenditureViewSet,
    "tasks": views.AssignedTaskViewSet,
    "elections": views.ElectionViewSet,
    "notices": views.NoticeViewSet,
    "findings": views.FindingViewSet,
    "rollups": views.RollupViewSet,
}
CHUNK = 500


def lines(request: Request, kinds: list[str]) -> Iterator[bytes]:
    encoder = JSONEncoder(ensure_ascii=False)
    for kind in kinds:
        viewset = EXPORTED[kind](request=request, format_kwarg=None, action="list")
        serializer_class = viewset.serializer_class
        context = {"request": request}
        for record in viewset.base_queryset().order_by("id").iterator(chunk_size=CHUNK):
            data = serializer_class(record, context=context).data
            yield (encoder.encode({"type": kind, "record": data}) + "\n").encode()


class Export(APIView):
    """管辖范围导出(JSON Lines)· The jurisdiction export, as JSON Lines"""

    @extend_schema(
        operation_id="export",
        summary="导出管辖范围内的全部记录 · Export every record of the jurisdiction",
        description='每行一个 JSON 对象 `{"type": 资源名, "record": 记录}`,记录与该资源列表接口'
        '的格式相同;按资源、编号顺序流式输出。 · One JSON object per line, `{"type": resource, '
        '"record": record}`, each record as the resource\'s list endpoint gives it; streamed '
        "by resource, then id.",
        parameters=[
            OpenApiParameter(
                "types",
                OpenApiTypes.STR,
                description="逗号分隔的资源名,缺省为全部 · Comma-separated resources, default all: "
                + ", ".join(EXPORTED),
            )
        ],
        responses={
            (200, "application/jsonl"): OpenApiResponse(OpenApiTypes.STR, description="JSON Lines")
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        wanted = request.query_params.get("types")
        kinds = [k.strip() for k in wanted.split(",") if k.strip()] if wanted else list(EXPORTED)
        unknown = [k for k in kinds if k not in EXPORTED]
        if unknown:
            raise exceptions.ValidationError(
                {"types": [_("未知的资源:%(names)s") % {"names": ", ".join(unknown)}]}
            )
        response = StreamingHttpResponse(
            lines(request, kinds), content_type="application/jsonl; charset=utf-8"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="export-{stamp}.jsonl"'
        return response
