from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.models import Community
from governance.models import Disclosure, Meeting, Resolution

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "date",
            "held",
            "entitled",
            "attended",
            "facility",
            "place",
            "convened_by",
            "agenda",
            "minutes",
        ]
        widgets = {
            "date": DATE,
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 4}),
            "entitled": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "attended": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = community.facilities.filter(retired_on__isnull=True)

    def clean_title(self) -> str:
        value = self.cleaned_data["title"].strip()
        if not value:
            raise forms.ValidationError(_("请填写会议名称。"))
        return value

    def clean(self):
        data = super().clean()
        held, date = data.get("held"), data.get("date")
        entitled, attended = data.get("entitled"), data.get("attended")
        if held and date and date > timezone.localdate():
            self.add_error("held", _("会议日期在今天之后,不能标记为已召开。"))
        if held and attended is None and "attended" not in self.errors:
            self.add_error("attended", _("已召开的会议请填写实到人数。"))
        if not held and attended is not None:
            self.add_error("attended", _("尚未召开的会议不填实到人数。"))
        if entitled and attended is not None and attended > entitled:
            self.add_error("attended", _("实到人数不能超过应到人数(%(n)s 人)。") % {"n": entitled})
        return data


class ResolutionForm(forms.ModelForm):
    class Meta:
        model = Resolution
        fields = ["title", "text", "votes_for", "votes_against", "abstentions", "published"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def clean(self):
        data = super().clean()
        if not self.meeting.held or self.meeting.attended is None:
            raise forms.ValidationError(_("会议尚未召开,不能登记表决结果。"))
        votes = [data.get(f) for f in ("votes_for", "votes_against", "abstentions")]
        if all(v is not None for v in votes) and sum(votes) > self.meeting.attended:
            self.add_error(
                "votes_for",
                _("赞成、反对、弃权票合计(%(sum)s)不能超过实到人数(%(n)s 人)。")
                % {"sum": sum(votes), "n": self.meeting.attended},
            )
        return data


class DisclosureForm(forms.ModelForm):
    class Meta:
        model = Disclosure
        fields = [
            "category",
            "title",
            "content",
            "period_start",
            "period_end",
            "published_on",
            "displayed_until",
            "channel",
        ]
        widgets = {
            "period_start": DATE,
            "period_end": DATE,
            "published_on": DATE,
            "displayed_until": DATE,
            "content": forms.Textarea(attrs={"rows": 5}),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("所属期间的结束日期不能早于开始日期。"))
        published, until = data.get("published_on"), data.get("displayed_until")
        if published and published > timezone.localdate():
            self.add_error("published_on", _("公开日期不能晚于今天;尚未公开请留空。"))
        if published and until and until < published:
            self.add_error("displayed_until", _("公示截止日期不能早于公开日期。"))
        if until and not published:
            self.add_error("displayed_until", _("尚未公开的事项不填公示截止日期。"))
        return data
