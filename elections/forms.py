"""Forms of the election steps. Each shows the services' own checks next to its fields, so a
refusal reads the same in the browser as in the service, and nothing is saved."""

from __future__ import annotations

import copy

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.models import Organization
from core.forms import choice_field, model_choice_field
from core.meta import model_field
from elections import services
from elections.counting import election_rules
from elections.models import Election, ElectionCandidate

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"inputmode": "numeric", "min": "0", "class": "form-control"}
NEGATIVE = _("不能为负数。")
TOO_MANY = _("数字过大,请核对。")


def count_field(label, *, required: bool = True, **attrs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=services.MAX_VOTERS,
        error_messages={"min_value": NEGATIVE, "max_value": TOO_MANY},
        widget=forms.NumberInput(attrs={**NUMBER, **attrs}),
    )


class ElectionStepForm(forms.ModelForm):
    """A step of an election: validated across the steps by the services before saving."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.IntegerField):
                field.error_messages.update(min_value=NEGATIVE, max_value=TOO_MANY)
                # A model's own lower bound above 0 (届次 ≥ 1) keeps its own message: the form's
                # messages replace the model's by code, and "negative" would be wrong for 0.
                known = {f.name for f in Election._meta.get_fields()}
                bounds = model_field(Election, name).validators if name in known else []
                for validator in bounds:
                    if isinstance(validator, MinValueValidator) and validator.limit_value > 0:
                        field.error_messages["min_value"] = validator.message
                field.widget.attrs.update(NUMBER)
                if field.max_value is None:
                    # The database would overflow long before any real count: refuse early.
                    field.max_value = services.MAX_VOTERS
                    field.validators.append(MaxValueValidator(services.MAX_VOTERS, TOO_MANY))

    def shadow(self) -> Election:
        """The election as it would be with this form's values (nothing saved)."""
        election = copy.copy(self.instance)
        for name, value in self.cleaned_data.items():
            if name in self.fields:
                setattr(election, name, value)
        return election

    # Fields whose values the checks across the steps read; other fields may be in error.
    checked: tuple[str, ...] | None = None

    def step_errors(self, election: Election) -> dict[str, str]:
        raise NotImplementedError

    def clean(self):
        super().clean()
        data = self.cleaned_data
        checked = self.checked if self.checked is not None else tuple(self.fields)
        if not any(name in self.errors for name in checked):
            for field, message in self.step_errors(self.shadow()).items():
                if field not in self.errors:
                    self.add_error(field if field in self.fields else None, message)
        return data


class ElectionPlanForm(ElectionStepForm):
    class Meta:
        model = Election
        fields = [
            "kind",
            "term_number",
            "election_day",
            "method",
            "reps_per_group",
            "seats_director",
            "seats_deputy",
            "seats_member",
            "election_committee",
            "election_committee_members",
        ]
        widgets = {"election_day": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        community = self.instance.community
        model_choice_field(self, "election_committee").queryset = community.organizations.filter(
            kind=Organization.Kind.ELECTION_COMMITTEE
        )
        self.fields["election_committee_members"].error_messages["required"] = _(
            "请填写居民选举委员会的组成人员。"
        )
        self.fields["election_committee"].help_text = _(
            "在“组织与人员”中登记的居民选举委员会;没有登记可不选。"
        )

    checked = (
        "kind",
        "term_number",
        "election_day",
        "method",
        "reps_per_group",
        "seats_director",
        "seats_deputy",
        "seats_member",
    )

    def clean_election_committee_members(self) -> str:
        value = self.cleaned_data["election_committee_members"].strip()
        if not value:
            raise forms.ValidationError(_("请填写居民选举委员会的组成人员。"))
        return value

    def step_errors(self, election):
        return services.plan_errors(
            election, services.candidates_of(election), timezone.localdate()
        )


class VoterListForm(ElectionStepForm):
    class Meta:
        model = Election
        fields = ["voter_list_published_on", "registered_voters", "voting_units"]
        widgets = {"voter_list_published_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["voter_list_published_on"].required = True
        self.fields["registered_voters"].required = True
        if self.instance.is_representative:
            self.fields["voting_units"].required = True
            self.fields["voting_units"].label = services.electorate_label(self.instance)
        else:
            del self.fields["voting_units"]

    def step_errors(self, election):
        return services.voter_list_errors(election, timezone.localdate())


class VotingForm(ElectionStepForm):
    class Meta:
        model = Election
        fields = ["ballots_issued", "ballots_cast", "ballots_valid", "ballots_invalid"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True

    def step_errors(self, election):
        return services.voting_errors(
            election, services.candidates_of(election), timezone.localdate()
        )


class CandidateForm(forms.ModelForm):
    class Meta:
        model = ElectionCandidate
        fields = ["person", "position", "nomination"]

    def __init__(self, *args, election: Election, **kwargs):
        super().__init__(*args, **kwargs)
        self.election = election
        model_choice_field(self, "person").queryset = election.community.people.exclude(
            candidacies__election=election
        ).order_by("name")
        self.fields["person"].help_text = _(
            "候选人须先在“组织与人员”中登记(出生日期或身份证号用于核对年龄)。"
        )
        choice_field(self, "position").choices = [
            (value, label)
            for value, label in ElectionCandidate.Position.choices
            if election.seats.get(value)
        ]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not self.errors:
            candidate = ElectionCandidate(
                election=self.election,
                person=data["person"],
                position=data["position"],
                nomination=data["nomination"],
            )
            errors = services.candidate_errors(
                self.election,
                candidate,
                services.candidates_of(self.election),
                election_rules(self.election.community.code, self.election.election_day),
            )
            for field, message in errors.items():
                self.add_error(field if field in self.fields else None, message)
        return data


class VotesForm(forms.Form):
    """One number per candidate (``votes_<pk>``), grouped by position in the template."""

    prefix_name = "votes"

    def __init__(self, *args, election: Election, candidates: list[ElectionCandidate], **kw):
        super().__init__(*args, **kw)
        self.election = election
        self.candidates = candidates
        for c in candidates:
            field = count_field(
                f"{c.person.name}({c.get_position_display()})",
                required=self.prefix_name == "votes",
                **{"data-position": c.position},
            )
            field.initial = getattr(c, self.prefix_name)
            self.fields[f"{self.prefix_name}_{c.pk}"] = field

    def votes(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(f"{self.prefix_name}_{c.pk}") for c in self.candidates}

    def given(self) -> dict[ElectionCandidate, int | None]:
        return {c: self.cleaned_data.get(f"{self.prefix_name}_{c.pk}") for c in self.candidates}

    def rows(self):
        """(position label, seats, [(candidate, bound field), …]) for the template."""
        out = []
        for value, label in ElectionCandidate.Position.choices:
            mine = [
                (c, self[f"{self.prefix_name}_{c.pk}"])
                for c in self.candidates
                if c.position == value
            ]
            if mine:
                out.append((value, label, self.seats_for(value), mine))
        return out

    def seats_for(self, position: str) -> int:
        return self.election.seats[position]


class ResultsForm(VotesForm):
    def clean(self):
        super().clean()
        data = self.cleaned_data
        valid = self.election.ballots_valid
        if valid is None:
            # No valid ballots to hold the votes against (nor to preview who is elected): the
            # service refuses the same way.
            raise forms.ValidationError(
                _("请先登记投票情况(发出、收回、有效和无效选票),再登记得票。")
            )
        if not self.errors:
            for field, message in services.votes_errors(
                valid, self.election.seats, self.given()
            ).items():
                self.add_error(field if field in self.fields else None, message)
        return data


class RerunForm(VotesForm):
    """The re-run's ballots, and votes for those who stood in it (blank for the others)."""

    prefix_name = "rerun_votes"

    def __init__(self, *args, places: dict[str, int], **kwargs):
        self.places = places
        super().__init__(*args, **kwargs)
        election = self.election
        fields = {
            "rerun_day": forms.DateField(
                label=_("另行选举日期"), widget=DATE, initial=election.rerun_day
            ),
            "rerun_ballots_issued": count_field(_("发出选票")),
            "rerun_ballots_cast": count_field(_("收回选票")),
            "rerun_ballots_valid": count_field(_("有效票")),
            "rerun_ballots_invalid": count_field(_("无效票")),
        }
        for name, field in fields.items():
            if name != "rerun_day":
                field.initial = getattr(election, name)
        self.fields = {**fields, **self.fields}

    def seats_for(self, position: str) -> int:
        return self.places.get(position, 0)

    def apply(self, election: Election) -> Election:
        for name in (
            "rerun_day",
            "rerun_ballots_issued",
            "rerun_ballots_cast",
            "rerun_ballots_valid",
            "rerun_ballots_invalid",
        ):
            setattr(election, name, self.cleaned_data.get(name))
        return election

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not self.errors:
            shadow = self.apply(copy.copy(self.election))
            errors = services.rerun_errors(
                shadow, services.candidates_of(self.election), self.given(), timezone.localdate()
            )
            for field, message in errors.items():
                self.add_error(field if field in self.fields else None, message)
        return data


class CertifyForm(forms.Form):
    certified_on = forms.DateField(label=_("确认日期"), widget=DATE)
    confirm = forms.BooleanField(
        label=_("已核对选举程序与计票结果,确认选举有效"),
        error_messages={"required": _("请勾选确认。")},
    )


class CorrectionForm(forms.Form):
    """A correction of a certified election: every count may change, with a reason."""

    reason = forms.CharField(
        label=_("更正原因"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如:经复核,某候选人得票登记有误。更正记录将永久保存。"),
    )

    def __init__(self, *args, election: Election, candidates: list[ElectionCandidate], **kw):
        super().__init__(*args, **kw)
        self.election = election
        self.candidates = candidates
        names = ["ballots_issued", "ballots_cast", "ballots_valid", "ballots_invalid"]
        if election.has_rerun:
            names += [f"rerun_{n}" for n in names]
        for name in names:
            field = count_field(model_field(Election, name).verbose_name)
            field.initial = getattr(election, name)
            self.fields[name] = field
        for c in candidates:
            field = count_field(f"{c.person.name}({c.get_position_display()})得票")
            field.initial = c.votes
            self.fields[f"votes_{c.pk}"] = field
            if election.has_rerun:
                rerun = count_field(
                    f"{c.person.name}({c.get_position_display()})另行选举得票", required=False
                )
                rerun.initial = c.rerun_votes
                self.fields[f"rerun_votes_{c.pk}"] = rerun

    def clean_reason(self) -> str:
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError(_("请说明更正原因。"))
        return value

    def counts(self) -> dict[str, int | None]:
        return {
            name: self.cleaned_data.get(name)
            for name in services.CORRECTABLE_FIELDS
            if name in self.fields
        }

    def votes(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(f"votes_{c.pk}") for c in self.candidates}

    def rerun_votes(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(f"rerun_votes_{c.pk}") for c in self.candidates}
