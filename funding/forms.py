from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import access
from core.forms import model_choice_field
from core.models import User, is_code
from divisions.models import Community
from funding.models import Allocation, AssignedTask, Expenditure, StaffPay, WageBenchmark

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AllocationForm(forms.ModelForm):
    class Meta:
        model = Allocation
        fields = ["year", "source", "amount", "received_on", "note"]
        widgets = {"received_on": DATE}

    def clean(self):
        super().clean()
        data = self.cleaned_data
        year, received = data.get("year"), data.get("received_on")
        if year and received and received.year != year:
            self.add_error("received_on", _("到账日期应在 %(y)s 年内。") % {"y": year})
        if received and received > timezone.localdate():
            self.add_error("received_on", _("到账日期不能晚于今天。"))
        return data


class ExpenditureForm(forms.ModelForm):
    class Meta:
        model = Expenditure
        fields = ["year", "date", "category", "amount", "description", "approved_by"]
        widgets = {"date": DATE}

    def clean_description(self) -> str:
        value = self.cleaned_data["description"].strip()
        if not value:
            raise forms.ValidationError(_("请填写用途。"))
        return value

    def clean(self):
        super().clean()
        data = self.cleaned_data
        year, date = data.get("year"), data.get("date")
        if year and date and date.year != year:
            self.add_error("date", _("支出日期应在 %(y)s 年内。") % {"y": year})
        if date and date > timezone.localdate():
            self.add_error("date", _("支出日期不能晚于今天。"))
        return data


class StaffPayForm(forms.ModelForm):
    class Meta:
        model = StaffPay
        fields = ["person", "year", "annual_pay"]

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "person").queryset = community.people.order_by("name")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        person, year = data.get("person"), data.get("year")
        if (
            person
            and year
            and StaffPay.objects.filter(person=person, year=year)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("year", _("该人员这一年度的报酬已登记。"))
        return data


class AssignedTaskForm(forms.ModelForm):
    class Meta:
        model = AssignedTask
        fields = [
            "department",
            "title",
            "legal_basis",
            "assigned_on",
            "in_task_list",
            "approved_by",
            "approved_on",
            "funding",
            "ended_on",
        ]
        widgets = {"assigned_on": DATE, "approved_on": DATE, "ended_on": DATE}

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("approved_on") and not (data.get("approved_by") or "").strip():
            self.add_error("approved_by", _("填写审批日期时请填写审批机关。"))
        assigned, ended = data.get("assigned_on"), data.get("ended_on")
        if assigned and ended and ended < assigned:
            self.add_error("ended_on", _("终止日期不能早于交办日期。"))
        today = timezone.localdate()
        for field in ("assigned_on", "approved_on"):
            if data.get(field) and data[field] > today:
                self.add_error(field, _("日期不能晚于今天。"))
        return data


class WageBenchmarkForm(forms.ModelForm):
    class Meta:
        model = WageBenchmark
        fields = ["code", "year", "kind", "annual_amount", "source"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not is_code(code) or len(code) not in (2, 4, 6, 9):
            raise forms.ValidationError(_("区划代码应为 2、4、6 或 9 位数字。"))
        own = [g.code for g in access.grants(self.user) if g.role == "bureau"]
        if not access.is_unrestricted(self.user) and not any(code.startswith(p) for p in own):
            raise forms.ValidationError(_("只能为本辖区登记工资基准。"))
        return code


class DeleteRecordForm(forms.Form):
    """Deleting a money record asks why: the reason is kept in the record's history."""

    reason = forms.CharField(
        label=_("删除原因"),
        max_length=100,
        help_text=_("如:重复登记、金额录入错误。记录删除后仍保留在历史中。"),
    )

    def clean_reason(self) -> str:
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError(_("请填写删除原因。"))
        return value
