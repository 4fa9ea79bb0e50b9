"""Every API error as JSON: field errors from the models' own validation, never a 500 page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from core.locking import EditConflict


def field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if name == "__all__" else name): list(messages)
            for name, messages in error.message_dict.items()
        }
    return {"non_field_errors": list(error.messages)}


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(field_errors(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, EditConflict):
        set_rollback()
        return Response(
            {"detail": exc.message, "version": exc.current},
            status=status.HTTP_412_PRECONDITION_FAILED,
            headers={"ETag": f'"{exc.current}"'},
        )
    if isinstance(exc, SuspiciousOperation):  # a body over DATA_UPLOAD_MAX_MEMORY_SIZE, say
        set_rollback()
        return Response({"detail": _("请求内容过大或格式不正确。")}, status=400)
    response = exception_handler(exc, context)
    if response is not None and response.status_code == 429:
        wait = getattr(exc, "wait", None)
        response.data = {
            "detail": _("请求过于频繁,请稍后再试。"),
            "retry_after_seconds": int(wait) if wait else None,
        }
    return response
