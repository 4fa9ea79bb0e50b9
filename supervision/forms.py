from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.models import Finding, Standard, Status
from core import access
from core.forms import choice_field, model_choice_field
from core.models import Role, User, is_code
from divisions.models import Division
from supervision.models import EVIDENCE_FILE, Assessment, AssessmentItem, NoticeEvent
from supervision.selectors import standards_for_assessment

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("请输入有效日期,格式为 YYYY-MM-DD。")}
MAX_AHEAD_DAYS = 366 * 5  # a due date or expiry further away is almost surely a typo


def _text(value: str | None, message: StrOrPromise) -> str:
    value = (value or "").replace("\x00", "").strip()
    if not value:
        raise ValidationError(message)
    return value


def _not_past(value: datetime.date | None, message: StrOrPromise) -> datetime.date | None:
    today = timezone.localdate()
    if value and value < today:
        raise ValidationError(message)
    if value and value > today + datetime.timedelta(days=MAX_AHEAD_DAYS):
        raise ValidationError(_("日期不能晚于五年之后,请核对。"))
    return value


# --- notices -----------------------------------------------------------------------------


class IssueFilterForm(forms.Form):
    """The filters of the issue page (GET): which failing findings to list."""

    STATUSES = [
        (Status.NON_COMPLIANT, Status.NON_COMPLIANT.label),
        (Status.NO_DATA, Status.NO_DATA.label),
    ]

    status = forms.ChoiceField(label=_("结果"), choices=STATUSES, required=False)
    standard = forms.CharField(label=_("标准"), max_length=30, required=False)
    community = forms.CharField(label=_("社区代码"), max_length=12, required=False)

    def clean_community(self) -> str:
        value = self.cleaned_data["community"].strip()
        if value and not is_code(value):
            raise ValidationError(_("社区代码只能由数字组成。"))
        return value


class NoticeIssueForm(forms.Form):
    selected = forms.MultipleChoiceField(
        label=_("整改事项"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请至少勾选一项需要整改的结果。"),
            "invalid_choice": _("所选结果已不存在或已有整改通知,请刷新后重新选择。"),
        },
    )
    due_on = forms.DateField(
        label=_("整改期限"),
        widget=DATE,
        error_messages={**DATE_ERRORS, "required": _("请填写整改期限。")},
    )
    instructions = forms.CharField(
        label=_("整改要求"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写整改要求。")},
    )

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "selected").choices = choices

    def clean_due_on(self):
        return _not_past(self.cleaned_data["due_on"], _("整改期限不能早于今天。"))

    def clean_instructions(self) -> str:
        return _text(self.cleaned_data.get("instructions"), _("请填写整改要求。"))


def clean_portal_link(value: str) -> str:
    """A link to a page of this portal (the record that changed), kept as a path: never another
    site, never a javascript: URL."""
    value = value.replace("\x00", "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("", "http", "https"):
        raise ValidationError(_("请粘贴本平台中相关记录的页面地址。"))
    path = parts.path
    # A backslash is read as a slash by browsers: "/\\evil.example" would leave the site.
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        raise ValidationError(_("请粘贴本平台中相关记录的页面地址,如 /c/…/meetings/12/。"))
    try:
        resolve(path)
    except Resolver404:
        raise ValidationError(_("本平台没有这个页面,请核对地址。")) from None
    return path + (f"?{parts.query}" if parts.query else "")


class NoticeResponseForm(forms.ModelForm):
    class Meta:
        model = NoticeEvent
        fields = ["text", "evidence_link", "evidence_note", "attachment"]
        labels = {"text": _("整改情况")}
        help_texts = {
            "text": _("说明做了什么、何时完成。"),
            "evidence_link": _("本平台中已修改的记录,如会议、公开事项、设施的页面地址。"),
            "evidence_note": _("如公开栏张贴位置、文件编号等。"),
            "attachment": _("照片、PDF 或 Office 文件,不超过 10 MB。"),
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "evidence_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].required = True
        self.fields["text"].error_messages["required"] = _("请说明整改情况。")
        self.fields["attachment"].validators = [EVIDENCE_FILE]

    def clean_text(self) -> str:
        return _text(self.cleaned_data.get("text"), _("请说明整改情况。"))

    def clean_evidence_link(self) -> str:
        return clean_portal_link(self.cleaned_data.get("evidence_link") or "")

    def clean_evidence_note(self) -> str:
        return (self.cleaned_data.get("evidence_note") or "").replace("\x00", "").strip()

    def clean(self):
        super().clean()
        data = self.cleaned_data
        evidence = [data.get("evidence_link"), data.get("evidence_note"), data.get("attachment")]
        if not any(evidence) and not any(
            f in self.errors for f in ("evidence_link", "evidence_note", "attachment")
        ):
            self.add_error(
                "evidence_link",
                _("请至少提供一项佐证:相关记录链接、佐证说明或附件。"),
            )
        return data


class NoticeReviewForm(forms.Form):
    ACCEPT, RETURN = "accept", "return"

    decision = forms.ChoiceField(
        label=_("验收结论"),
        choices=[(ACCEPT, _("验收通过,办结")), (RETURN, _("退回,重新整改"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择验收结论。")},
    )
    comment = forms.CharField(
        label=_("意见"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必须说明理由。"),
    )

    def clean_comment(self) -> str:
        return (self.cleaned_data.get("comment") or "").replace("\x00", "").strip()

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == self.RETURN and not data.get("comment"):
            self.add_error("comment", _("退回时请说明理由。"))
        return data


# --- disputes and exemptions -------------------------------------------------------------


class DisputeForm(forms.Form):
    standard = forms.ChoiceField(
        label=_("申诉的结果"),
        error_messages={
            "required": _("请选择要申诉的结果。"),
            "invalid_choice": _("这一项不能申诉(已达标、已豁免或已在申诉中)。"),
        },
    )
    reason = forms.CharField(
        label=_("申诉理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("如条款为“一般”“原则上”的规定、房屋无法扩建等客观原因。"),
        error_messages={"required": _("请填写申诉理由。")},
    )

    def __init__(self, *args, findings: list[Finding], **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "standard").choices = [("", "—")] + [
            (
                f.standard.code,
                f"{f.standard.code} {f.standard.title}({f.get_status_display()})",
            )
            for f in findings
        ]

    def clean_reason(self) -> str:
        return _text(self.cleaned_data.get("reason"), _("请填写申诉理由。"))


class DecisionForm(forms.Form):
    GRANT, REJECT = "grant", "reject"

    decision = forms.ChoiceField(
        label=_("裁定"),
        choices=[(GRANT, _("同意豁免")), (REJECT, _("驳回申诉"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择同意豁免或驳回。")},
    )
    reason = forms.CharField(
        label=_("裁定理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写裁定理由。")},
    )
    expires_on = forms.DateField(
        label=_("豁免截止日期"),
        required=False,
        widget=DATE,
        error_messages=DATE_ERRORS,
        help_text=_("同意豁免时必填:到期后该项重新计入达标率。"),
    )

    def clean_reason(self) -> str:
        return _text(self.cleaned_data.get("reason"), _("请填写裁定理由。"))

    def clean_expires_on(self):
        return _not_past(self.cleaned_data.get("expires_on"), _("豁免截止日期不能早于今天。"))

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if (
            data.get("decision") == self.GRANT
            and not data.get("expires_on")
            and "expires_on" not in self.errors
        ):
            self.add_error("expires_on", _("同意豁免须填写豁免截止日期。"))
        return data


# --- assessments -------------------------------------------------------------------------


class AssessmentForm(forms.ModelForm):
    code = forms.ChoiceField(label=_("考核范围"))

    class Meta:
        model = Assessment
        fields = ["title", "year", "code", "exempted_rule"]
        widgets = {"year": forms.NumberInput(attrs={"inputmode": "numeric"})}
        help_texts = {
            "exempted_rule": _(
                "已豁免的未达标项如何计分。不适用的标准总是不计入,其余权重按比例折算。"
            )
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if access.is_unrestricted(user):
            codes = Division.objects.filter(level__lte=Division.Level.DISTRICT)
        else:
            own = [g.code for g in access.grants(user) if g.role == Role.BUREAU]
            codes = Division.objects.filter(code__in=own)
        choice_field(self, "code").choices = [
            (c, f"{n}({c})") for c, n in codes.order_by("code").values_list("code", "name")
        ]
        self.fields["code"].error_messages["invalid_choice"] = _("只能在您负责的辖区内设考核。")
        self.fields["year"].error_messages["invalid"] = _("请输入年份,如 2025。")
        self.fields["year"].error_messages["required"] = _("请填写考核年度。")
        self.fields["title"].error_messages["required"] = _("请填写考核名称。")
        if self.instance.pk:
            self.fields["code"].disabled = True

    def clean_title(self) -> str:
        return _text(self.cleaned_data.get("title"), _("请填写考核名称。"))

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year + 1:
            raise ValidationError(_("考核年度不能晚于明年。"))
        return year


class StandardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Standard) -> str:
        return f"{obj.code} {obj.title}"


class ItemForm(forms.ModelForm):
    class Meta:
        model = AssessmentItem
        fields = ["standard", "weight"]
        field_classes = {"standard": StandardChoiceField}
        widgets = {"weight": forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        standard = model_choice_field(self, "standard")
        standard.queryset = standards_for_assessment().select_related("document")
        self.fields["standard"].error_messages["invalid_choice"] = _("请选择标准库中的条款。")
        self.fields["standard"].error_messages["required"] = _("请选择标准。")
        self.fields["weight"].error_messages.update(
            required=_("请填写权重。"),
            invalid=_("请输入数字,如 10 或 12.5。"),
            max_decimal_places=_("权重最多两位小数。"),
            max_digits=_("权重不能超过 100。"),
            max_whole_digits=_("权重不能超过 100。"),
        )


class BaseItemFormSet(BaseInlineFormSet):
    def validate_unique(self) -> None:
        """Duplicates are reported by ``clean`` next to the row, in plain Chinese."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        total, seen, kept = Decimal(0), set(), 0
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if not data or data.get("DELETE"):
                continue
            standard, weight = data.get("standard"), data.get("weight")
            if standard is None and weight is None:
                continue
            if standard is None:
                form.add_error("standard", _("请选择标准。"))
                continue
            if weight is None:
                form.add_error("weight", _("请填写权重。"))
                continue
            if standard.pk in seen:
                form.add_error("standard", _("同一标准只能出现一次。"))
            seen.add(standard.pk)
            total += weight
            kept += 1
        if any(form.errors for form in self.forms):
            return
        if not kept:
            raise ValidationError(_("请至少选择一项标准。"))
        if total != 100:
            raise ValidationError(
                _("各项权重之和应为 100 分,现为 %(total)s 分。")
                % {"total": f"{total.normalize():f}"}
            )


ItemFormSet = inlineformset_factory(
    Assessment,
    AssessmentItem,
    form=ItemForm,
    formset=BaseItemFormSet,
    extra=3,
    can_delete=True,
    max_num=60,
    validate_max=True,
)
