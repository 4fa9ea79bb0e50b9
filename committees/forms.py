from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.models import Community

MAX_HOUSEHOLDS = 100_000
MAX_POPULATION = 500_000


class CommunityForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = [
            "name",
            "kind",
            "households",
            "population",
            "occupancy_rate",
            "established_on",
            "multi_ethnic",
        ]
        widgets = {"established_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写社区名称。"))
        return name

    def clean_households(self) -> int | None:
        value = self.cleaned_data.get("households")
        if value is not None and value > MAX_HOUSEHOLDS:
            raise forms.ValidationError(
                _("常住户数不能超过 %(max)s 户,请核对。") % {"max": f"{MAX_HOUSEHOLDS:,}"}
            )
        return value

    def clean_population(self) -> int | None:
        value = self.cleaned_data.get("population")
        if value is not None and value > MAX_POPULATION:
            raise forms.ValidationError(
                _("常住人口不能超过 %(max)s 人,请核对。") % {"max": f"{MAX_POPULATION:,}"}
            )
        return value

    def clean_established_on(self):
        value = self.cleaned_data.get("established_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("成立日期不能晚于今天。"))
        return value

    def clean(self):
        data = super().clean()
        households, population = data.get("households"), data.get("population")
        if households and population is not None and population < households:
            self.add_error("population", _("常住人口不能少于常住户数(每户至少一人)。"))
        if (
            data.get("occupancy_rate") is not None
            and data.get("kind") != Community.Kind.NEW_RESIDENTIAL
        ):
            self.add_error("occupancy_rate", _("入住率只适用于新建住宅区社区。"))
        return data
