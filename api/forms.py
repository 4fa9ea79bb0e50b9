from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def default_expiry() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=90)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("如:区智慧社区平台同步"))
    expires_on = forms.DateField(
        label=_("有效期至"),
        initial=default_expiry,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("最长一年。"),
    )
    read_only = forms.BooleanField(label=_("只读"), required=False, initial=True)
    code = forms.CharField(
        label=_("平台服务令牌的授权区划代码"),
        max_length=12,
        required=False,
        help_text=_(
            "仅区、市民政部门填写:为其他平台创建只在该区划内有效的服务令牌;留空为个人令牌。"
        ),
    )
