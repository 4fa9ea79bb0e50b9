"""Writes of surveys: definition, one-time codes, answers (online with a code, or on paper),
publication. Views pass plain values, never a form; every refusal is a ValidationError naming
the field it is about, and nothing is saved."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Collection, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.models import User
from divisions.models import Community
from surveys.models import MAX_SCORE, MIN_SCORE, AnswerCode, Question, Response, Score, Survey

# Letters and digits that cannot be mistaken for one another on a printed slip.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_CODES_PER_BATCH = 2000

# The default template a street or bureau edits when it defines a survey.
DEFAULT_QUESTIONS = (
    "您对社区居委会的总体工作是否满意?",
    "您对社区提供的各项服务是否满意?",
    "您对居务公开(财务、事务公开)是否满意?",
)
DEFAULT_MEMBER_QUESTION = "您对该居委会成员的工作是否满意?"

# A score is given for (question, committee member or None).
Key = tuple[int, int | None]


@transaction.atomic
def survey_create(
    *,
    actor: User,
    code: str,
    title: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    questions: Sequence[str],
    member_question: str,
    communities: Collection[Community],
) -> Survey:
    """Define a survey of the division ``code`` for ``communities`` (all under ``code``)."""
    texts = [q.strip() for q in questions if q.strip()]
    errors: dict[str, list[str]] = {}
    if not texts and not member_question.strip():
        errors["questions"] = [_("问卷至少要有一个问题。")]
    if closes_on < opens_on:
        errors["closes_on"] = [_("截止日期不能早于开始日期。")]
    if not communities:
        errors["communities"] = [_("请至少选择一个社区。")]
    elif any(not c.code.startswith(code) for c in communities):
        errors["communities"] = [_("只能选择本辖区内的社区。")]
    if any(len(t) > 200 for t in texts):
        errors["questions"] = [_("每个问题不能超过 200 字。")]
    if errors:
        raise ValidationError(errors)
    survey = Survey(code=code, title=title, opens_on=opens_on, closes_on=closes_on)
    audit.save_as(survey, actor=actor)
    survey.communities.set(communities)
    for position, text in enumerate(texts, start=1):
        audit.save_as(Question(survey=survey, position=position, text=text), actor=actor)
    if member_question.strip():
        audit.save_as(
            Question(
                survey=survey,
                position=len(texts) + 1,
                text=member_question.strip(),
                per_member=True,
            ),
            actor=actor,
        )
    return survey


def survey_publish(*, actor: User, survey: Survey, on: datetime.date) -> Survey:
    """Publish the results on the public board of each community of the survey."""
    if survey.published_on is None:
        survey.published_on = on
        audit.save_as(survey, actor=actor)
    return survey


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


@transaction.atomic
def codes_issue(*, survey: Survey, community: Community, count: int) -> list[AnswerCode]:
    """``count`` new one-time codes of ``community`` for ``survey``, to print on slips."""
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise ValidationError(
            {"count": [_("每次可生成 1 至 %(n)d 个答题码。") % {"n": MAX_CODES_PER_BATCH}]}
        )
    if not survey.communities.filter(pk=community.pk).exists():
        raise ValidationError({"count": [_("该社区不在本次测评范围内。")]})
    wanted: set[str] = set()
    while len(wanted) < count:
        wanted |= {_new_code() for _i in range(count - len(wanted))}
        wanted -= set(AnswerCode.objects.filter(code__in=wanted).values_list("code", flat=True))
    return AnswerCode.objects.bulk_create(
        AnswerCode(survey=survey, community=community, code=c) for c in sorted(wanted)
    )


def normalise_code(text: str) -> str:
    return "".join(text.split()).upper()


def _check_scores(
    survey: Survey, scores: Mapping[Key, int | None], expected: Collection[Key]
) -> None:
    errors: dict[str, list[str]] = {}
    for key in expected:
        value = scores.get(key)
        field = score_field(key)
        if value is None:
            errors[field] = [_("请为此项打分。")]
        elif not MIN_SCORE <= value <= MAX_SCORE:
            errors[field] = [
                _("评分应在 %(lo)d 至 %(hi)d 分之间。") % {"lo": MIN_SCORE, "hi": MAX_SCORE}
            ]
    if not expected:
        errors["code"] = [_("本次测评没有可作答的问题。")]
    if errors:
        raise ValidationError(errors)


def score_field(key: Key) -> str:
    question, person = key
    return f"q{question}" if person is None else f"q{question}_p{person}"


def _save(
    survey: Survey,
    community: Community,
    channel: str,
    scores: Mapping[Key, int | None],
    expected: Collection[Key],
    on: datetime.date,
) -> Response:
    checked = {key: scores[key] for key in expected}
    response = Response.objects.create(
        survey=survey, community=community, channel=channel, submitted_on=on
    )
    Score.objects.bulk_create(
        Score(response=response, question_id=q, person_id=p, score=int(checked[(q, p)] or 0))
        for q, p in expected
    )
    return response


@transaction.atomic
def answer_with_code(
    *,
    community: Community,
    code: str,
    scores: Mapping[Key, int | None],
    expected: Collection[Key],
    on: datetime.date,
) -> Response:
    """A resident's answer on the public board: the code must be this community's, unused, of a
    survey open on ``on``. The code is consumed; the answer keeps no trace of it."""
    found = (
        AnswerCode.objects.select_for_update()
        .select_related("survey")
        .filter(code=normalise_code(code), community=community)
        .first()
    )
    if found is None:
        raise ValidationError({"code": [_("答题码无效,请核对纸条上的答题码。")]})
    if found.used:
        raise ValidationError({"code": [_("该答题码已经使用过,每个答题码只能作答一次。")]})
    survey = found.survey
    if on > survey.closes_on:
        raise ValidationError({"code": [_("本次测评已于 %(d)s 截止。") % {"d": survey.closes_on}]})
    if on < survey.opens_on:
        raise ValidationError({"code": [_("本次测评尚未开始。")]})
    _check_scores(survey, scores, expected)
    # Consumed only if still unused (a concurrent answer with the same code loses).
    if AnswerCode.objects.filter(pk=found.pk, used=False).update(used=True) != 1:
        raise ValidationError({"code": [_("该答题码已经使用过,每个答题码只能作答一次。")]})
    return _save(survey, community, Response.Channel.ONLINE, scores, expected, on)


@transaction.atomic
def answer_on_paper(
    *,
    actor: User,
    survey: Survey,
    community: Community,
    scores: Mapping[Key, int | None],
    expected: Collection[Key],
    on: datetime.date,
) -> Response:
    """A paper questionnaire entered by staff (any time: questionnaires come in late)."""
    if not survey.communities.filter(pk=community.pk).exists():
        raise ValidationError(_("该社区不在本次测评范围内。"))
    if on < survey.opens_on:
        raise ValidationError(_("本次测评尚未开始。"))
    _check_scores(survey, scores, expected)
    return _save(survey, community, Response.Channel.PAPER, scores, expected, on)


def question_keys(questions: Sequence[Question], members: Sequence[tuple[int, str]]) -> list[Key]:
    """What a questionnaire of a community asks: each question, a per-member one once per
    committee member."""
    keys: list[Key] = []
    for q in questions:
        if q.per_member:
            keys += [(q.pk, pk) for pk, _name in members]
        else:
            keys.append((q.pk, None))
    return keys
