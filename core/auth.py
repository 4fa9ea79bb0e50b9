"""Login throttling: django-axes, with the portal's lockout page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest, HttpResponse


class ThrottledBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login through the web.

    Axes refuses ``authenticate()`` calls without a request; only code outside a request makes
    them (management commands, the test client's ``login``), where there is nothing to throttle,
    so those are left to the next backend instead of failing.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page a locked-out login gets (AXES_LOCKOUT_CALLABLE): 429, in Chinese."""
    from django.conf import settings
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(
        request,
        "portal/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


class LoginForm(AuthenticationForm):
    """Django's login form with the user name's length checked before anyone authenticates.

    Django only sets the input's ``maxlength``: a longer name would reach django-axes, which
    records it in a 255-character column (a 500 on PostgreSQL).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(
            MaxLengthValidator(
                getattr(field, "max_length", None) or 150, _("用户名过长,请核对后重新输入。")
            )
        )
