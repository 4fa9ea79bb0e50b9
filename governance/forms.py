from __future__ import annotations

import datetime

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.models import Person, membership_active_q
from core.forms import model_choice_field
from core.uploads import FileKindValidator
from divisions.models import Community
from governance.matters import STEP_NAMES, Progress
from governance.models import (
    Attachment,
    Covenant,
    Disclosure,
    FinanceLine,
    MajorMatter,
    MatterStep,
    Meeting,
    PublicService,
    Resolution,
    roster_kinds,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AttendeesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple
    MAX_PK = 2**63 - 1

    def _check_values(self, value):
        # Ids the database cannot even hold (SQLite raises OverflowError) are simply invalid.
        for pk in value:
            text = str(pk)
            if not text.isascii() or not text.isdigit() or int(text) > self.MAX_PK:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": text[:20]},
                )
        return super()._check_values(value)  # type: ignore[misc]  # private: not in the stubs

    def label_from_instance(self, obj: Person) -> str:
        return obj.name


ROSTER_ORGANIZATIONS = sorted({kind for kinds in roster_kinds().values() for kind in kinds})


def roster_people(community: Community, kind: str, on: datetime.date) -> QuerySet[Person]:
    """The people who sit on the body that holds a meeting of ``kind``, on the date."""
    return Person.objects.filter(
        pk__in=Person.objects.filter(
            community=community,
            memberships__organization__kind__in=roster_kinds().get(kind, ()),
        )
        .filter(membership_active_q(on, "memberships__"))
        .values("pk")
    )


class MeetingForm(forms.ModelForm):
    attendees = AttendeesField(
        queryset=Person.objects.none(),
        required=False,
        label=_("出席人员"),
        help_text=_(
            "两委联席会议、党员大会、居民代表会议等有成员名单的会议,可勾选出席人员;"
            "实到人数按勾选人数计。"
        ),
    )

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
        self.community = community
        model_choice_field(self, "facility").queryset = community.facilities.filter(
            retired_on__isnull=True
        )
        # Anyone who sat on a body with a roster in the last two years, or already ticked.
        since = timezone.localdate() - datetime.timedelta(days=730)
        candidates = Person.objects.filter(
            community=community,
            memberships__organization__kind__in=ROSTER_ORGANIZATIONS,
        ).exclude(memberships__end_date__lt=since)
        if self.instance.pk:
            candidates = candidates | Person.objects.filter(
                pk__in=self.instance.attendance.values("person")
            )
        model_choice_field(self, "attendees").queryset = candidates.distinct().order_by(
            "name", "pk"
        )
        if self.instance.pk:
            self.initial["attendees"] = list(
                self.instance.attendance.values_list("person", flat=True)
            )

    def clean_title(self) -> str:
        value = self.cleaned_data["title"].strip()
        if not value:
            raise forms.ValidationError(_("请填写会议名称。"))
        return value

    def clean(self):
        super().clean()
        data = self.cleaned_data
        people = data.get("attendees")
        if people and data.get("attended") is None and "attended" not in self.errors:
            data["attended"] = len(people)  # the ticked list is the count
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
        self.clean_attendees_list(data)
        return data

    def clean_attendees_list(self, data: dict) -> None:
        people = list(data.get("attendees") or [])
        kind, date = data.get("kind"), data.get("date")
        if not people or not kind or not date:
            return
        if not data.get("held"):
            self.add_error("attendees", _("尚未召开的会议不登记出席人员。"))
            return
        if kind not in roster_kinds():
            self.add_error("attendees", _("这类会议没有成员名单,请只填写实到人数。"))
            return
        members = set(roster_people(self.community, kind, date).values_list("pk", flat=True))
        outsiders = [p.name for p in people if p.pk not in members]
        if outsiders:
            self.add_error(
                "attendees",
                _("以下人员在会议当日不是该会议所属组织的成员:%(names)s")
                % {"names": "、".join(outsiders)},
            )
            return
        attended = data.get("attended")
        if attended is not None and attended != len(people) and "attended" not in self.errors:
            self.add_error(
                "attended",
                _("实到人数(%(n)s)与勾选的出席人员(%(k)s 人)不一致。")
                % {"n": attended, "k": len(people)},
            )


class ResolutionForm(forms.ModelForm):
    class Meta:
        model = Resolution
        fields = ["title", "text", "votes_for", "votes_against", "abstentions", "published"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not self.meeting.held or self.meeting.attended is None:
            raise forms.ValidationError(_("会议尚未召开,不能登记表决结果。"))
        given = [data.get(f) for f in ("votes_for", "votes_against", "abstentions")]
        votes = [v for v in given if v is not None]
        if len(votes) == len(given) and sum(votes) > self.meeting.attended:
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
        super().clean()
        data = self.cleaned_data
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


class MajorMatterForm(forms.ModelForm):
    class Meta:
        model = MajorMatter
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def clean_title(self) -> str:
        value = self.cleaned_data["title"].strip()
        if not value:
            raise forms.ValidationError(_("请填写事项名称。"))
        return value


class ResolutionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Resolution) -> str:
        outcome = _("通过") if obj.passed else _("未通过")
        return f"{obj.meeting.date:%Y-%m-%d} {obj.meeting.title} · {obj.title}({outcome})"


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Meeting) -> str:
        return f"{obj.date:%Y-%m-%d} {obj.title}"


class DisclosureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Disclosure) -> str:
        return f"{obj.published_on:%Y-%m-%d} {obj.title}"


STEP_MEETING_KINDS: dict[str, tuple[str, ...]] = {
    MatterStep.Step.JOINT_MEETING: (Meeting.Kind.JOINT,),
    MatterStep.Step.PARTY_ASSEMBLY: (Meeting.Kind.PARTY_ASSEMBLY,),
}


class MatterStepForm(forms.ModelForm):
    """The next step of a major matter: the date comes from its meeting or disclosure."""

    step = forms.ChoiceField(choices=MatterStep.Step.choices, widget=forms.HiddenInput)

    class Meta:
        model = MatterStep
        fields = ["step", "date", "meeting", "resolution", "disclosure", "note"]
        widgets = {"date": DATE, "note": forms.Textarea(attrs={"rows": 2})}
        field_classes = {
            "meeting": MeetingChoiceField,
            "resolution": ResolutionChoiceField,
            "disclosure": DisclosureChoiceField,
        }

    def __init__(self, *args, matter: MajorMatter, progress: Progress, **kwargs):
        super().__init__(*args, **kwargs)
        self.matter, self.progress = matter, progress
        step = progress.next_step
        self.initial["step"] = step
        community = matter.community
        kinds = STEP_MEETING_KINDS.get(step) if step is not None else None
        if kinds:
            self.fields["meeting"].required = True
            model_choice_field(self, "meeting").queryset = community.meetings.filter(
                kind__in=kinds, held=True
            ).order_by("-date", "-pk")
            self.fields["meeting"].label = _("召开的会议")
        else:
            del self.fields["meeting"]
        if step == MatterStep.Step.RESIDENTS_RESOLUTION:
            self.fields["resolution"].required = True
            model_choice_field(self, "resolution").queryset = (
                Resolution.objects.filter(
                    meeting__community=community,
                    meeting__kind__in=(Meeting.Kind.RESIDENTS, Meeting.Kind.REPRESENTATIVES),
                )
                .select_related("meeting")
                .order_by("-meeting__date", "-pk")
            )
            self.fields["resolution"].label = _("居民会议或居民代表会议的决议")
        else:
            del self.fields["resolution"]
        if step in MatterStep.DISCLOSURE_STEPS:
            self.fields["disclosure"].required = True
            model_choice_field(self, "disclosure").queryset = community.disclosures.filter(
                published_on__isnull=False
            ).order_by("-published_on", "-pk")
            self.fields["disclosure"].label = _("已公开的公开事项")
        else:
            del self.fields["disclosure"]
        if step == MatterStep.Step.PROPOSAL:
            self.fields["date"].label = _("提议日期")
            self.fields["note"].label = _("提议内容")
        else:
            del self.fields["date"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        expected = self.progress.next_step
        if data.get("step") != expected:
            if expected is None:
                raise forms.ValidationError(_("该事项的“四议两公开”已全部完成,不能再登记步骤。"))
            raise forms.ValidationError(
                _("请按顺序办理:下一步应为“%(step)s”。") % {"step": STEP_NAMES[expected]}
            )
        field, date = self.linked_date(data)
        if field is None:
            return data
        if date is None:
            return data
        if date > timezone.localdate():
            self.add_error(field, _("日期不能晚于今天。"))
        elif self.progress.last_date and date < self.progress.last_date:
            self.add_error(
                field,
                _("该步骤的日期(%(date)s)早于上一步骤的日期(%(last)s),顺序不符。")
                % {"date": f"{date:%Y-%m-%d}", "last": f"{self.progress.last_date:%Y-%m-%d}"},
            )
        return data

    def linked_date(self, data: dict) -> tuple[str | None, datetime.date | None]:
        """Which field carries the step's date, and the date; also fills the instance."""
        if "resolution" in self.fields:
            resolution = data.get("resolution")
            if resolution is None:
                return None, None
            data["meeting"] = resolution.meeting
            self.instance.meeting = resolution.meeting
            self.instance.date = resolution.meeting.date
            return "resolution", resolution.meeting.date
        if "meeting" in self.fields:
            meeting = data.get("meeting")
            if meeting is None:
                return None, None
            self.instance.date = meeting.date
            return "meeting", meeting.date
        if "disclosure" in self.fields:
            disclosure = data.get("disclosure")
            if disclosure is None:
                return None, None
            self.instance.date = disclosure.published_on
            return "disclosure", disclosure.published_on
        return "date", data.get("date")


class CovenantForm(forms.ModelForm):
    class Meta:
        model = Covenant
        fields = ["title", "text", "adopted_on", "meeting", "filed_on", "filed_with"]
        widgets = {"adopted_on": DATE, "filed_on": DATE, "text": forms.Textarea(attrs={"rows": 8})}
        field_classes = {"meeting": MeetingChoiceField}

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "meeting").queryset = community.meetings.filter(
            kind__in=(Meeting.Kind.RESIDENTS, Meeting.Kind.REPRESENTATIVES), held=True
        ).order_by("-date", "-pk")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        today = timezone.localdate()
        adopted, filed = data.get("adopted_on"), data.get("filed_on")
        if adopted and adopted > today:
            self.add_error("adopted_on", _("通过日期不能晚于今天。"))
        if filed and filed > today:
            self.add_error("filed_on", _("备案日期不能晚于今天。"))
        if adopted and filed and filed < adopted:
            self.add_error("filed_on", _("备案日期不能早于通过日期。"))
        if filed and not (data.get("filed_with") or "").strip():
            self.add_error("filed_with", _("已备案的公约请填写备案机关。"))
        meeting = data.get("meeting")
        if meeting and adopted and meeting.date != adopted:
            self.add_error(
                "meeting",
                _("所选会议的日期(%(date)s)与通过日期不一致。")
                % {"date": f"{meeting.date:%Y-%m-%d}"},
            )
        return data


class PublicServiceForm(forms.ModelForm):
    class Meta:
        model = PublicService
        fields = ["name", *PublicService.SIX, "published_on", "withdrawn_on"]
        widgets = {
            "published_on": DATE,
            "withdrawn_on": DATE,
            **{
                f: forms.Textarea(attrs={"rows": 2})
                for f in ("content", "procedure", "materials", "legal_basis")
            },
        }

    def clean(self):
        super().clean()
        data = self.cleaned_data
        published, withdrawn = data.get("published_on"), data.get("withdrawn_on")
        if published and published > timezone.localdate():
            self.add_error("published_on", _("公开日期不能晚于今天;尚未公开请留空。"))
        if withdrawn and not published:
            self.add_error("withdrawn_on", _("尚未公开的事项不填停办日期。"))
        elif published and withdrawn and withdrawn <= published:
            self.add_error("withdrawn_on", _("停办日期须晚于公开日期。"))
        return data


class FinanceLineForm(forms.ModelForm):
    class Meta:
        model = FinanceLine
        fields = ["direction", "item", "amount"]
        widgets = {
            "direction": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "item": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "amount": forms.NumberInput(
                attrs={
                    "class": "form-control form-control-sm",
                    "inputmode": "decimal",
                    "step": "0.01",
                }
            ),
        }


FinanceLineFormSet = forms.inlineformset_factory(
    Disclosure,
    FinanceLine,
    form=FinanceLineForm,
    extra=3,
    max_num=200,
    validate_max=True,
    can_delete=True,
)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        help_text=_("PDF、JPG、PNG、Word(docx)或 Excel(xlsx),不超过 10 MB。"),
        validators=[FileKindValidator(Attachment.ALLOWED)],
    )
