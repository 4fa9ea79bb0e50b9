from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from compliance.models import PolicyDocument, Standard
from compliance.rules import INFO_RULE, registry
from compliance.validation import validate_scope_prefixes, within
from core import access
from core.models import User


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=_("评估日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效日期,格式为 YYYY-MM-DD。")},
    )


class ScopeField(forms.CharField):
    """Code prefixes typed as text, separated by commas or spaces."""

    def to_python(self, value):
        text = super().to_python(value) or ""
        parts = [p for p in text.replace(",", " ").replace(",", " ").replace("、", " ").split()]
        return parts


def _within_jurisdiction(user: User, prefixes: list[str]) -> list[str]:
    """The prefixes that lie outside what the user may manage."""
    if access.is_unrestricted(user):
        return []
    own = [g.code for g in access.grants(user) if g.role == "bureau"]
    return [p for p in prefixes if not within(p, own)]


def clean_scope(user: User, prefixes: list[str]) -> list[str]:
    """Valid code prefixes, none of them wider than what the user manages."""
    try:
        prefixes = validate_scope_prefixes(prefixes, allow_empty=False)
    except ValidationError as error:
        raise ValidationError(error.messages) from None
    outside = _within_jurisdiction(user, prefixes)
    if outside:
        raise ValidationError(
            _("适用范围不能超出您的辖区:%(p)s")
            % {"p": "、".join(p or str(_("全国")) for p in outside)}
        )
    return prefixes


class LocalDocumentForm(forms.ModelForm):
    scope_prefixes = ScopeField(
        label=_("适用范围"), help_text=_("区划代码,多个用逗号分隔,如 440402。")
    )

    class Meta:
        model = PolicyDocument
        fields = [
            "key",
            "title",
            "issuer",
            "number",
            "issued_on",
            "effective_from",
            "effective_to",
            "status",
            "scope_prefixes",
            "source",
        ]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}),
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "effective_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (PolicyDocument.Status.IN_FORCE, PolicyDocument.Status.IN_FORCE.label),
            (PolicyDocument.Status.DRAFT, PolicyDocument.Status.DRAFT.label),
        ]

    def clean_scope_prefixes(self):
        return clean_scope(self.user, self.cleaned_data["scope_prefixes"])


def _rule_choices():
    rules = sorted(registry.rules.values(), key=lambda r: r.key)
    return [(r.key, f"{r.label}({r.key})") for r in rules]


class LocalStandardForm(forms.ModelForm):
    params = forms.JSONField(
        label=_("参数(JSON)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_('如 {"min": 1500, "max": 2500}。各规则的参数见标准库中同一规则的现有条款。'),
        error_messages={"invalid": _("参数不是有效的 JSON。")},
    )
    scope_prefixes = ScopeField(
        label=_("适用范围"), required=False, help_text=_("空表示沿用政策文件的适用范围。")
    )

    class Meta:
        model = Standard
        fields = [
            "code",
            "document",
            "article",
            "title",
            "quote",
            "rule_key",
            "params",
            "scope_prefixes",
            "effective_from",
            "effective_to",
            "is_default",
        ]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "effective_to": forms.DateInput(attrs={"type": "date"}),
            "quote": forms.Textarea(attrs={"rows": 3}),
            "rule_key": forms.Select(),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["rule_key"].widget.choices = [("", "---------"), *_rule_choices()]
        documents = PolicyDocument.objects.exclude(status=PolicyDocument.Status.REPEALED)
        if not access.is_unrestricted(user):
            ids = [
                d.pk
                for d in documents
                if d.scope_prefixes and not _within_jurisdiction(user, d.scope_prefixes)
            ]
            documents = documents.filter(pk__in=ids)
        cast(forms.ModelChoiceField, self.fields["document"]).queryset = documents.order_by("key")
        self.fields["document"].help_text = _(
            "只能选择适用范围在您辖区内的本地文件;没有时请先新增文件。"
        )

    def clean_rule_key(self):
        key = self.cleaned_data["rule_key"]
        if key != INFO_RULE and key not in registry:
            raise ValidationError(_("未知的检查规则:%(key)s") % {"key": key})
        return key

    def clean_params(self):
        value = self.cleaned_data.get("params")
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValidationError(_('参数应为 JSON 对象,如 {"min": 100}。'))
        return value

    def clean_scope_prefixes(self):
        prefixes = self.cleaned_data.get("scope_prefixes") or []
        return clean_scope(self.user, prefixes) if prefixes else None  # None: the document's

    def clean(self):
        data = cast(dict[str, Any], super().clean())  # (forms.Form.clean: cleaned_data)
        rule = registry.get(data.get("rule_key") or "")
        # The level follows from the rule; the user does not choose it.
        self.instance.level = rule.level if rule else Standard.Level.COMMUNITY
        return data
