"""The pages where a user manages their API tokens (and a bureau its service tokens)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api import selectors, services
from api.forms import TokenForm
from core.users import SignedInRequest


@login_required
def tokens(request: SignedInRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.token_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            # Shown on this response only: the secret is not stored and cannot be shown again.
            created = (token, raw)
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": selectors.tokens_of(request.user), "created": created},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def token_revoke(request: SignedInRequest, pk: int) -> HttpResponse:
    token = selectors.token_of(request.user, pk)  # someone else's token is a 404
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("令牌已撤销。"))
    return redirect("api:tokens")
