from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.models import Membership, Organization, Person, Qualification, Training
from committees.services import membership_conflicts
from core.forms import model_choice_field
from core.validators import id_number_birth_date, validate_id_number, validate_phone
from divisions.models import Community

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
            "committee_application_on",
            "residents_moved_in_on",
            "estate_floor_area_m2",
            "multi_ethnic",
        ]
        widgets = {
            "established_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "residents_moved_in_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "committee_application_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

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
        super().clean()
        data = self.cleaned_data
        households, population = data.get("households"), data.get("population")
        if households and population is not None and population < households:
            self.add_error("population", _("常住人口不能少于常住户数(每户至少一人)。"))
        if (
            data.get("occupancy_rate") is not None
            and data.get("kind") != Community.Kind.NEW_RESIDENTIAL
        ):
            self.add_error("occupancy_rate", _("入住率只适用于新建住宅区社区。"))
        return data


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "kind",
            "subkind",
            "name",
            "party_member_count",
            "established_on",
            "dissolved_on",
            "note",
        ]
        widgets = {"established_on": DATE, "dissolved_on": DATE}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写组织名称。"))
        return name

    def clean(self):
        super().clean()
        data = self.cleaned_data
        kind, subkind = data.get("kind"), data.get("subkind")
        if kind == Organization.Kind.SUBCOMMITTEE and not subkind:
            self.add_error("subkind", _("下属委员会请选择委员会类别。"))
        if kind and kind != Organization.Kind.SUBCOMMITTEE and subkind:
            self.add_error("subkind", _("只有下属委员会需要选择委员会类别。"))
        if data.get("party_member_count") is not None and kind not in Organization.PARTY_KINDS:
            self.add_error("party_member_count", _("只有党组织填写党员人数。"))
        established, dissolved = data.get("established_on"), data.get("dissolved_on")
        if established and established > timezone.localdate():
            self.add_error("established_on", _("成立日期不能晚于今天。"))
        if established and dissolved and dissolved < established:
            self.add_error("dissolved_on", _("撤销日期不能早于成立日期。"))
        return data


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "name",
            "gender",
            "birth_date",
            "ethnicity",
            "political_status",
            "education",
            "phone",
            "lives_in_community",
            "registered_in_community",
            "id_number",
            "note",
        ]
        widgets = {"birth_date": DATE}
        error_messages = {
            "ethnicity": {
                "invalid_choice": _(
                    "“%(value)s”不是国家标准(GB/T 3304)中的民族名称。"
                    "请填写民族全称,如“汉族”“壮族”。"
                )
            }
        }

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写姓名。"))
        return name

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("出生日期不能晚于今天。"))
        if value and value.year < 1900:
            raise forms.ValidationError(_("出生日期不能早于 1900 年。"))
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip().replace(" ", "")
        if value:
            validate_phone(value)
        return value

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "").strip().upper()
        if value:
            validate_id_number(value)
        return value

    def clean(self):
        super().clean()
        data = self.cleaned_data
        birth, number = data.get("birth_date"), data.get("id_number")
        if birth and number and id_number_birth_date(number) != birth:
            self.add_error("birth_date", _("出生日期与身份证号中的出生日期不一致。"))
        return data


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = [
            "person",
            "organization",
            "position",
            "start_date",
            "term_ends_on",
            "full_time",
            "source",
            "end_date",
            "end_reason",
        ]
        widgets = {"start_date": DATE, "term_ends_on": DATE, "end_date": DATE}

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "person").queryset = community.people.order_by("name")
        model_choice_field(self, "organization").queryset = community.organizations.order_by(
            "kind", "name"
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        start, end, term = data.get("start_date"), data.get("end_date"), data.get("term_ends_on")
        if start and end and end < start:
            self.add_error("end_date", _("离任日期不能早于任职日期。"))
        if start and term and term <= start:
            self.add_error("term_ends_on", _("任期届满日期应晚于任职日期。"))
        if end and not data.get("end_reason", "").strip():
            self.add_error("end_reason", _("填写离任日期时请说明离任原因。"))
        if start and start > timezone.localdate() + datetime.timedelta(days=366):
            self.add_error("start_date", _("任职日期不能晚于一年以后。"))
        person, organization = data.get("person"), data.get("organization")
        position = data.get("position")
        if person and organization and position and start and not self.errors:
            candidate = Membership(
                pk=self.instance.pk,
                person=person,
                organization=organization,
                position=position,
                start_date=start,
                end_date=end,
            )
            for field, message in membership_conflicts(candidate).items():
                self.add_error(field, message)
        return data


class EndMembershipForm(forms.Form):
    end_date = forms.DateField(label=_("离任日期"), widget=DATE)
    end_reason = forms.CharField(label=_("离任原因"), max_length=100)

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean_end_date(self):
        value = self.cleaned_data["end_date"]
        if value < self.membership.start_date:
            raise forms.ValidationError(
                _("离任日期不能早于任职日期(%(d)s)。")
                % {"d": self.membership.start_date.isoformat()}
            )
        if value > timezone.localdate():
            raise forms.ValidationError(_("离任日期不能晚于今天。"))
        return value

    def clean_end_reason(self) -> str:
        value = self.cleaned_data["end_reason"].strip()
        if not value:
            raise forms.ValidationError(_("请说明离任原因。"))
        return value


class TrainingForm(forms.ModelForm):
    class Meta:
        model = Training
        fields = ["date", "course", "hours", "organizer"]
        widgets = {"date": DATE}

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("培训日期不能晚于今天。"))
        return value

    def clean_course(self) -> str:
        value = self.cleaned_data["course"].strip()
        if not value:
            raise forms.ValidationError(_("请填写培训内容。"))
        return value


class QualificationForm(forms.ModelForm):
    class Meta:
        model = Qualification
        fields = ["kind", "name", "obtained_on", "number"]
        widgets = {"obtained_on": DATE}

    def clean_obtained_on(self):
        value = self.cleaned_data["obtained_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("取得日期不能晚于今天。"))
        return value

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("kind") == Qualification.Kind.OTHER and not data.get("name", "").strip():
            self.add_error("name", _("“其他证书”请填写证书名称。"))
        return data
