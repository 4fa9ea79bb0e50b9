from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import Organization, Person
from core.forms import model_choice_field
from core.validators import validate_phone
from divisions.models import Community
from grassroots.models import MAX_TEXT, Grid, GridWorker, Request, Visit, state_q
from grassroots.services import PUBLIC_CATEGORIES, request_errors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


def _phone(value: str) -> str:
    value = value.strip().replace(" ", "")
    if value:
        validate_phone(value)
    return value


class RequestForm(forms.ModelForm):
    class Meta:
        model = Request
        fields = [
            "received_on",
            "channel",
            "category",
            "summary",
            "grid",
            "building",
            "resident_name",
            "phone",
            "handler",
            "due_on",
            "steps",
            "answer",
            "public_answer",
            "answered_on",
            "satisfaction",
            "escalated_on",
            "street_answer",
            "closed_on",
        ]
        widgets = {
            "received_on": DATE,
            "due_on": DATE,
            "answered_on": DATE,
            "escalated_on": DATE,
            "closed_on": DATE,
            "summary": TEXT,
            "steps": TEXT,
            "answer": TEXT,
            "public_answer": TEXT,
            "street_answer": TEXT,
        }
        help_texts = {"due_on": _("留空则按该类别的办理时限自动计算。")}

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "grid").queryset = Grid.objects.filter(community=community)
        model_choice_field(self, "building").queryset = Organization.objects.filter(
            community=community, kind=Organization.Kind.BUILDING
        )
        model_choice_field(self, "handler").queryset = Person.objects.filter(community=community)
        self.fields["due_on"].required = False
        self.community = community

    def clean(self):
        super().clean()
        # Beside the field, before the model's constraints would say it above the form.
        for name, message in request_errors(self.community, self.cleaned_data).items():
            if name in self.cleaned_data:
                self.add_error(name, message)
        return self.cleaned_data

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data.get("phone", ""))

    def clean_summary(self) -> str:
        value = self.cleaned_data["summary"].strip()
        if not value:
            raise forms.ValidationError(_("请填写事项摘要。"))
        return value


class GridForm(forms.ModelForm):
    covers = forms.ModelMultipleChoiceField(
        label=_("覆盖的居民小组和楼栋"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Grid
        fields = ["name", "households", "note"]

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "covers").queryset = Organization.objects.filter(
            community=community, kind__in=["residents_group", "building"]
        ).order_by("kind", "name")
        if self.instance.pk:
            self.fields["covers"].initial = list(self.instance.covers.all())

    def clean_name(self) -> str:
        value = self.cleaned_data["name"].strip()
        if not value:
            raise forms.ValidationError(_("请填写网格名称。"))
        return value


class GridWorkerForm(forms.ModelForm):
    class Meta:
        model = GridWorker
        fields = ["person", "start_date", "end_date"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "person").queryset = Person.objects.filter(community=community)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("结束日期不能早于起始日期。"))
        return data


class VisitForm(forms.ModelForm):
    open_category = forms.ChoiceField(
        label=_("发现事项,同时登记民情"),
        choices=[("", _("不登记"))] + list(Request.Category.choices),
        required=False,
    )
    open_summary = forms.CharField(
        label=_("事项摘要"), max_length=MAX_TEXT, required=False, widget=TEXT
    )

    class Meta:
        model = Visit
        fields = ["visited_on", "kind", "grid", "worker", "households_visited", "found"]
        widgets = {"visited_on": DATE, "found": TEXT}

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "grid").queryset = Grid.objects.filter(community=community)
        model_choice_field(self, "worker").queryset = Person.objects.filter(community=community)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("open_category") and not (data.get("open_summary") or "").strip():
            self.add_error("open_summary", _("登记民情事项请填写事项摘要。"))
        return data

    def opens(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("open_category"):
            return None
        return {"category": data["open_category"], "summary": data["open_summary"].strip()}


PUBLIC_MAX = 1000  # characters a resident may send; a longer text is refused, not cut


class PublicRequestForm(forms.Form):
    category = forms.ChoiceField(
        label=_("类别"),
        choices=[(c.value, c.label) for c in PUBLIC_CATEGORIES],
    )
    summary = forms.CharField(
        label=_("您反映的事项"),
        max_length=PUBLIC_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": _("内容不能超过 %(limit_value)d 字。")},
    )
    resident_name = forms.CharField(label=_("称呼(可不填)"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话(可不填,不会公开)"), max_length=20, required=False)

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data.get("phone", ""))

    def clean_summary(self) -> str:
        value = self.cleaned_data["summary"].strip()
        if not value:
            raise forms.ValidationError(_("请填写您反映的事项。"))
        return value


class TrackForm(forms.Form):
    code = forms.CharField(label=_("查询码"), max_length=20)


STATE_CHOICES = Request.State.choices


class RequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=STATE_CHOICES, method="filter_state"
    )
    category = django_filters.ChoiceFilter(label=_("类别"), choices=Request.Category.choices)
    grid = django_filters.ModelChoiceFilter(label=_("网格"), queryset=Grid.objects.none())
    month = django_filters.CharFilter(
        label=_("受理月份"), method="filter_month", widget=forms.TextInput(attrs={"type": "month"})
    )

    class Meta:
        model = Request
        fields = ["state", "category", "grid", "month"]

    def __init__(self, *args, community: Community, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.filters["grid"].queryset = Grid.objects.filter(community=community)
        for name, field in self.form.fields.items():
            css = "form-control" if name == "month" else "form-select"
            field.widget.attrs["class"] = f"{css} form-select-sm" if css == "form-select" else css

    def filter_state(self, queryset, name, value):
        return queryset.filter(state_q(value, self.today)) if value else queryset

    def filter_month(self, queryset, name, value):
        try:
            year, month = (int(p) for p in value.split("-"))
        except ValueError:
            return queryset.none()
        return queryset.filter(received_on__year=year, received_on__month=month)
