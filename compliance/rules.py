"""The rule registry and the vocabulary rules are written in.

A rule is registered under a key by its app's ``rules.py`` and has two halves:

* ``measure(communities, as_of)`` gathers the facts for many communities at once, in a constant
  number of queries, and returns ``{community_id: value}``;
* ``judge(value, params, as_of=…)`` is a pure function from one value and a standard's
  parameters to a ``Verdict``.

Boundaries follow Chinese drafting practice (STANDARDS.md): 以上/以下/不少于/不超过 include the
number, 超过/不满/低于 exclude it, 过半数 is strictly more than half. Parameters are validated by
a Django form per rule, so a bad threshold gets a Chinese message, never a crash mid-evaluation.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from compliance.status import Status

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

INFO_RULE = "info"  # informational clauses: listed, never judged

# Helpers that several rules' measures call with the same communities and date (the committee's
# head counts, the rooms' areas…) are computed once per evaluation batch, not once per rule.
_shared_measures: ContextVar[dict | None] = ContextVar("shared_measures", default=None)


def shared_measure(helper: Callable) -> Callable:
    """Decorator for such a helper ``helper(communities, …)``: inside ``sharing_measures()``
    (the engine opens it around each batch) a second call with the same queryset object and
    arguments returns the first result. Outside it, nothing is kept."""

    @functools.wraps(helper)
    def shared(communities, *args, **kwargs):
        cache = _shared_measures.get()
        if cache is None:
            return helper(communities, *args, **kwargs)
        key = (helper, id(communities), args, tuple(sorted(kwargs.items())))
        if key not in cache:
            # The queryset is kept with the result: its id cannot be reused meanwhile.
            cache[key] = (communities, helper(communities, *args, **kwargs))
        return cache[key][1]

    return shared


@contextmanager
def sharing_measures() -> Iterator[None]:
    token = _shared_measures.set({})
    try:
        yield
    finally:
        _shared_measures.reset(token)


@dataclass(frozen=True)
class Verdict:
    status: str
    measured: str = ""
    expected: str = ""
    explanation: str = ""
    missing: str = ""  # for no_data: the key of the record to enter (see MISSING_RECORDS)

    def __post_init__(self) -> None:
        # A plain string, not the Status member (the functions below resolve lazy translations
        # once, not every time the verdict is stored or shown).
        object.__setattr__(self, "status", str(self.status))


def compliant(
    measured: StrOrPromise, expected: StrOrPromise, explanation: StrOrPromise = ""
) -> Verdict:
    return Verdict(Status.COMPLIANT, str(measured), str(expected), str(explanation))


def non_compliant(
    measured: StrOrPromise, expected: StrOrPromise, explanation: StrOrPromise = ""
) -> Verdict:
    return Verdict(Status.NON_COMPLIANT, str(measured), str(expected), str(explanation))


def no_data(missing: str, expected: StrOrPromise, explanation: StrOrPromise) -> Verdict:
    return Verdict(Status.NO_DATA, "", str(expected), str(explanation), missing)


def not_applicable(explanation: StrOrPromise, expected: StrOrPromise = "") -> Verdict:
    return Verdict(Status.NOT_APPLICABLE, "", str(expected), str(explanation))


@dataclass(frozen=True)
class MissingRecord:
    label: StrOrPromise
    url_name: str  # reversed with the community code


# Where a committee or street user goes to fill in what a no_data finding lacks.
MISSING_RECORDS: dict[str, MissingRecord] = {}


def register_missing(key: str, label: StrOrPromise, url_name: str) -> None:
    MISSING_RECORDS[key] = MissingRecord(label, url_name)


class ParamsForm(forms.Form):
    """Base for a rule's parameter schema: unknown keys are refused."""

    def __init__(self, params: Any):
        self._not_an_object = not isinstance(params, dict)
        self._raw = params if isinstance(params, dict) else {}
        super().__init__(data=self._raw)

    def clean(self):
        data = super().clean()
        if self._not_an_object:
            raise ValidationError(_('参数应为 JSON 对象,如 {"min": 100}。'))
        unknown = sorted(set(self._raw) - set(self.fields))
        if unknown:
            raise ValidationError(_("未知参数:%(keys)s") % {"keys": "、".join(unknown)})
        return data


class FractionField(forms.Field):
    """An exact fraction ``{"numerator": n, "denominator": d, "strict": bool}``."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if not isinstance(value, dict) or not {"numerator", "denominator"} <= set(value):
            raise ValidationError(_("应为 {numerator, denominator, strict} 形式的分数。"))
        n, d = value["numerator"], value["denominator"]
        # type() rather than isinstance(): JSON true/false are bools, which are ints in Python.
        if type(n) is not int or type(d) is not int or n < 0 or d <= 0 or n > d:
            raise ValidationError(_("分子、分母应为整数,且 0 ≤ 分子 ≤ 分母、分母 > 0。"))
        strict = value.get("strict", False)
        if not isinstance(strict, bool):
            raise ValidationError(_("strict 应为 true(超过)或 false(不少于)。"))
        return {"numerator": n, "denominator": d, "strict": strict}


class TargetsField(forms.Field):
    """Dated targets ``[{"from": "YYYY-MM-DD", "min": "0.70"}, …]``, the latest in force applies."""

    def to_python(self, value):
        if value in (None, "", []):
            return []
        if not isinstance(value, list):
            raise ValidationError(_("目标应为列表。"))
        targets = []
        for item in value:
            try:
                start = datetime.date.fromisoformat(item["from"])
                minimum = Decimal(str(item["min"]))
            except (KeyError, TypeError, ValueError, InvalidOperation):
                raise ValidationError(
                    _("每个目标应包含日期 from(YYYY-MM-DD)和比例 min(如 0.70)。")
                ) from None
            if not minimum.is_finite() or not Decimal(0) <= minimum <= Decimal(1):
                raise ValidationError(_("目标比例应在 0 到 1 之间。"))
            targets.append({"from": start.isoformat(), "min": str(minimum)})
        starts = [t["from"] for t in targets]
        if len(set(starts)) != len(starts):
            raise ValidationError(_("目标的起始日期不能重复。"))
        return sorted(targets, key=lambda t: t["from"])


class ShareField(forms.Field):
    """A share from 0 to 1, kept as an exact decimal string ("0.5") so that it stays JSON."""

    def __init__(self, *, include_one: bool = True, example: str = "0.5", **kwargs):
        super().__init__(**kwargs)
        self.include_one, self.example = include_one, example

    def to_python(self, value):
        if value is None or value == "":
            return None
        message = _('应为 0 到 1 之间的比例,如 "%(example)s"。') % {"example": self.example}
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValidationError(message)
        try:
            share = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError(message) from None
        if not share.is_finite():  # NaN cannot even be compared
            raise ValidationError(message)
        if share < 0 or (share > 1 if self.include_one else share >= 1):
            raise ValidationError(message)
        return str(share)


def target_for(targets: list[dict], as_of: datetime.date) -> Decimal | None:
    """The target in force on ``as_of``: the latest one whose start has been reached."""
    current = None
    for target in targets:
        if datetime.date.fromisoformat(target["from"]) <= as_of:
            current = Decimal(target["min"])
    return current


def meets_fraction(part: int, whole: int, fraction: dict) -> bool:
    """part/whole against n/d, exactly: strict is 'more than' (过半数), else 'at least' (以上)."""
    left, right = part * fraction["denominator"], fraction["numerator"] * whole
    return left > right if fraction["strict"] else left >= right


def fmt_int(value: int | None, unit: StrOrPromise = "") -> str:
    return "" if value is None else f"{value:,}{unit}"


def fmt_share(value: Decimal | float) -> str:
    return f"{Decimal(value) * 100:.1f}%"


class Rule:
    """Base class: subclasses set ``key``, ``label``, ``params_form`` and implement the halves."""

    key: ClassVar[str]
    label: ClassVar[StrOrPromise]
    level: ClassVar[str] = "community"
    params_form: ClassVar[type[ParamsForm]] = ParamsForm

    def clean_params(self, params: Any) -> dict:
        form = self.params_form(params)
        if not form.is_valid():
            messages = []
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else None
                messages += [f"{label or name}:{e}" if name != "__all__" else e for e in errors]
            raise ValidationError(messages)
        return {k: v for k, v in form.cleaned_data.items() if k in params}

    def precedence_key(self, params: dict) -> str:
        """Standards of this rule with different keys are different requirements, so a more
        specific one never displaces another. By default all standards of a rule compete."""
        return ""

    def measure(self, communities: QuerySet, as_of: datetime.date) -> dict[int, Any]:
        raise NotImplementedError

    def judge(self, value: Any, params: dict, *, as_of: datetime.date) -> Verdict:
        raise NotImplementedError


class JurisdictionRule(Rule):
    """A rule judged on a division as an aggregate over its communities.

    ``measure_divisions`` returns ``{division_code: (part, whole)}`` for every division of the
    given code length under ``prefix``, in a constant number of queries.
    """

    level: ClassVar[str] = "jurisdiction"

    def measure_divisions(
        self, prefix: str, length: int, as_of: datetime.date, codes: Iterable[str] | None = None
    ) -> dict[str, tuple[int, int]]:
        raise NotImplementedError

    def measure_levels(
        self, prefix: str, codes_by_length: dict[int, list[str]], as_of: datetime.date
    ) -> dict[str, tuple[int, int]]:
        """The divisions asked for, of several code lengths at once: ``{code: (part, whole)}``.
        By default one ``measure_divisions`` per length; a rule whose counts add up from one
        level to the next may measure them all in one pass."""
        found: dict[str, tuple[int, int]] = {}
        for length, codes in sorted(codes_by_length.items()):
            found.update(self.measure_divisions(prefix, length, as_of, codes))
        return found


class ShareTargetsParams(ParamsForm):
    targets = TargetsField(label=_("目标"), required=True)


def judge_share(
    value: tuple[int, int] | None, params: dict, *, as_of: datetime.date, noun: str
) -> Verdict:
    """A share over a jurisdiction against the dated target in force (shared by several rules)."""
    target = target_for(params.get("targets", []), as_of)
    if target is None:
        return not_applicable(_("评估日期时目标尚未生效。"))
    expected = f"≥ {fmt_share(target)}"
    if value is None or value[1] == 0:
        return no_data("", expected, _("辖区内没有可统计的%(noun)s。") % {"noun": noun})
    part, whole = value
    share = Decimal(part) / Decimal(whole)
    measured = f"{fmt_share(share)}({part}/{whole})"
    if part * 1 >= target * whole:
        return compliant(measured, expected)
    return non_compliant(measured, expected)


@dataclass
class Registry:
    rules: dict[str, Rule] = field(default_factory=dict)

    def register(self, rule: Rule) -> Rule:
        if rule.key in self.rules and type(self.rules[rule.key]) is not type(rule):
            raise ValueError(f"rule key {rule.key!r} registered twice")
        self.rules[rule.key] = rule
        return rule

    def unregister(self, key: str) -> None:
        self.rules.pop(key, None)

    def get(self, key: str) -> Rule | None:
        return self.rules.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self.rules


registry = Registry()


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: ``@register`` on a Rule subclass registers one instance of it."""
    registry.register(cls())
    return cls


SQL_CODES_LIMIT = 100


def division_scope(field: str, prefix: str, codes: Iterable[str] | None) -> Q:
    """Rows under ``prefix``, narrowed in SQL to the few ``codes`` asked for (re-evaluating one
    community asks for its four ancestors): indexed prefix lookups, not a scan of the country."""
    scope = Q(**{f"{field}__startswith": prefix})
    if codes is not None:
        wanted = sorted(set(codes))
        if len(wanted) <= SQL_CODES_LIMIT:
            narrow = Q(pk__in=[])
            for code in wanted:
                narrow |= Q(**{f"{field}__startswith": code})
            scope &= narrow
    return scope


class StrictBooleanField(forms.Field):
    """JSON true/false only (a form's BooleanField would take any text as true)."""

    def to_python(self, value):
        if value is None or value == "":
            return None
        if not isinstance(value, bool):
            raise forms.ValidationError(_("应为 true 或 false。"))
        return value


class ChoiceListField(forms.Field):
    """A non-empty JSON list of distinct choices, in the order given."""

    def __init__(self, *, choices: dict, example: str, **kwargs):
        super().__init__(**kwargs)
        self.choices, self.example = choices, example

    def to_python(self, value):
        if value in (None, "", []):
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise forms.ValidationError(_("应为列表,如 %(example)s。") % {"example": self.example})
        unknown = [v for v in value if v not in self.choices]
        if unknown:
            raise forms.ValidationError(_("未知类别:%(keys)s") % {"keys": "、".join(unknown)})
        if len(set(value)) != len(value):
            raise forms.ValidationError(_("类别不能重复。"))
        return list(value)

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(_("至少要填写一个类别。"))


def community_ids(communities: QuerySet) -> list[int]:
    return list(communities.values_list("id", flat=True))
