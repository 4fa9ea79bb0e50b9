from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from divisions.models import Community
from surveys.models import MAX_SCORE, MIN_SCORE, Question
from surveys.services import DEFAULT_MEMBER_QUESTION, DEFAULT_QUESTIONS, Key, score_field

SCORE_CHOICES = [
    (1, _("1 非常不满意")),
    (2, _("2 不满意")),
    (3, _("3 一般")),
    (4, _("4 满意")),
    (5, _("5 非常满意")),
]
assert [c for c, _label in SCORE_CHOICES] == list(range(MIN_SCORE, MAX_SCORE + 1))


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    opens_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    questions = forms.CharField(
        label=_("问题(每行一个)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        initial="\n".join(DEFAULT_QUESTIONS),
        help_text=_("按模板预填,可增删修改。"),
    )
    member_question = forms.CharField(
        label=_("对每名居委会成员的问题"),
        required=False,
        max_length=200,
        initial=DEFAULT_MEMBER_QUESTION,
        help_text=_("留空则不对成员逐一测评。"),
    )
    communities = forms.ModelMultipleChoiceField(
        label=_("参加测评的社区"),
        queryset=Community.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则为辖区内全部社区。"),
    )

    def __init__(self, *args, communities: QuerySet[Community], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["communities"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = communities


class AnswerForm(forms.Form):
    """A questionnaire: one score field per question (per committee member for a per-member
    question); with ``with_code`` the one-time code first. Range and completeness are checked
    by the service, so its message stands beside the field."""

    code = forms.CharField(label=_("答题码"), max_length=32, required=False)

    def __init__(
        self,
        *args,
        questions: Sequence[Question],
        members: Sequence[tuple[int, str]],
        with_code: bool,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["code"]
        names = dict(members)
        self.keys: list[Key] = []
        for q in questions:
            targets: list[int | None] = list(names) if q.per_member else [None]
            for person in targets:
                key = (q.pk, person)
                label = q.text if person is None else f"{q.text}({names[person]})"
                self.fields[score_field(key)] = forms.IntegerField(
                    label=label,
                    required=False,
                    widget=forms.RadioSelect(choices=SCORE_CHOICES),
                )
                self.keys.append(key)

    def scores(self) -> dict[Key, int | None]:
        return {key: self.cleaned_data.get(score_field(key)) for key in self.keys}


class CodesForm(forms.Form):
    count = forms.IntegerField(label=_("生成答题码数量"), min_value=1, max_value=2000, initial=50)
