from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import is_code
from divisions.models import Community


class CommunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("名称或代码"), method="filter_q", widget=forms.TextInput(attrs={"type": "search"})
    )
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=Community.Kind.choices)
    street = django_filters.CharFilter(
        label=_("街道代码"), field_name="code", lookup_expr="startswith"
    )

    class Meta:
        model = Community
        fields = ["q", "kind", "street"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if is_code(value):
            return queryset.filter(code__startswith=value)
        return queryset.filter(Q(name__contains=value) | Q(street__name__contains=value))
