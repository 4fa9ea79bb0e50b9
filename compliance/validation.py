"""What a policy document or standard must satisfy before it is saved (models, admin, forms)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal, overload

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from compliance.rules import INFO_RULE, registry
from core.models import is_code

if TYPE_CHECKING:
    from compliance.models import Standard

# A rule key names an area and a thing ("committee.size_range"); see compliance/rules.py.
RULE_KEY = re.compile(r"^[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z0-9]+)*$")

# Scope prefixes: nationwide (empty), province, city, district, street or one community.
SCOPE_LENGTHS = (0, 2, 4, 6, 9, 12)


@overload
def validate_scope_prefixes(value, *, allow_empty: Literal[False]) -> list[str]: ...
@overload
def validate_scope_prefixes(value, *, allow_empty: bool = True) -> list[str] | None: ...
def validate_scope_prefixes(value, *, allow_empty: bool = True) -> list[str] | None:
    """A list of code prefixes ("" = nationwide). Raises ValidationError in Chinese."""
    if value is None and allow_empty:
        return value
    if not isinstance(value, list) or not value:
        raise ValidationError(_("适用范围应为至少一个区划代码前缀的列表(全国用空字符串)。"))
    cleaned = []
    for prefix in value:
        if not isinstance(prefix, str) or (prefix and not is_code(prefix)):
            raise ValidationError(_("区划代码前缀只能由数字组成:%(p)s") % {"p": prefix})
        if len(prefix) not in SCOPE_LENGTHS:
            raise ValidationError(
                _("区划代码前缀应为 2、4、6、9 或 12 位(全国为空):%(p)s") % {"p": prefix}
            )
        cleaned.append(prefix)
    return sorted(set(cleaned))


def within(prefix: str, scopes: Iterable[str]) -> bool:
    return any(prefix.startswith(scope) for scope in scopes)


def validate_standard(standard: Standard) -> None:
    """Everything a standard must satisfy before it is saved (used by admin and portal forms)."""
    errors: dict[str, list[str]] = defaultdict(list)
    rule = registry.get(standard.rule_key)
    # A rule not yet implemented never blocks saving: the standard is listed as not yet
    # checkable (engine._problem) and the document's other standards apply from activation.
    if standard.rule_key != INFO_RULE and not RULE_KEY.match(standard.rule_key):
        errors["rule_key"].append(
            _("检查规则应为“领域.事项”形式(如 committee.size_range):%(key)s")
            % {"key": standard.rule_key}
        )
    elif rule is not None:
        if rule.level != standard.level:
            errors["level"].append(
                _("规则 %(key)s 的层级应为“%(level)s”。")
                % {"key": rule.key, "level": type(standard).Level(rule.level).label}
            )
        try:
            standard.params = rule.clean_params(standard.params)
        except ValidationError as error:
            errors["params"] += error.messages
    starts, ends = standard.effective_from, standard.effective_to
    if starts and ends and ends < starts:
        errors["effective_to"].append(_("失效日期不能早于施行日期。"))
    try:
        standard.scope_prefixes = validate_scope_prefixes(standard.scope_prefixes)
    except ValidationError as error:
        errors["scope_prefixes"] += error.messages
    document = getattr(standard, "document", None) if standard.document_id else None
    if document and standard.scope_prefixes and not errors.get("scope_prefixes"):
        wider = [p for p in standard.scope_prefixes if not within(p, document.scope_prefixes)]
        if wider:
            errors["scope_prefixes"].append(
                _("适用范围不能超出政策文件的范围:%(p)s") % {"p": "、".join(wider) or _("全国")}
            )
    if errors:
        raise ValidationError(dict(errors))
