from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FacilityForm(forms.ModelForm):
    class Meta:
        model = Facility
        fields = [
            "kind",
            "name",
            "indoor",
            "area_m2",
            "tenure",
            "annual_rent",
            "address",
            "in_use_since",
            "retired_on",
            "handed_over_on",
            "shared_use",
            "note",
        ]
        widgets = {"in_use_since": DATE, "retired_on": DATE, "handed_over_on": DATE}

    def clean_name(self) -> str:
        value = self.cleaned_data["name"].strip()
        if not value:
            raise forms.ValidationError(_("请填写名称。"))
        return value

    def clean(self):
        super().clean()
        data = self.cleaned_data
        tenure, rent = data.get("tenure"), data.get("annual_rent")
        if tenure == Facility.Tenure.RENTED and rent is None and "annual_rent" not in self.errors:
            self.add_error("annual_rent", _("租用的用房请填写年租金。"))
        if tenure and tenure != Facility.Tenure.RENTED and rent is not None:
            self.add_error("annual_rent", _("只有租用的用房填写年租金。"))
        if data.get("kind") == Facility.Kind.SQUARE_PARK and data.get("indoor"):
            self.add_error("indoor", _("小广场或小公园是室外场地,请取消“室内”。"))
        start, end = data.get("in_use_since"), data.get("retired_on")
        today = timezone.localdate()
        if start and start > today + datetime.timedelta(days=366):
            self.add_error("in_use_since", _("启用日期不能晚于一年以后。"))
        if start and end and end < start:
            self.add_error("retired_on", _("停用日期不能早于启用日期。"))
        handed = data.get("handed_over_on")
        if handed and handed > today:
            self.add_error("handed_over_on", _("移交日期不能晚于今天。"))
        if handed and tenure and tenure != Facility.Tenure.DEVELOPER_FREE:
            self.add_error("handed_over_on", _("只有开发商无偿提供的用房填写移交日期。"))
        return data
