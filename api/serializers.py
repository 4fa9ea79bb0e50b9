"""What the API shows of each record, and what it accepts for the writable ones.

Field descriptions come from the models' own verbose names, in Chinese and English, so the
schema says what a field is in both languages without a second copy of the labels.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import serializers

from committees.models import Membership, Organization
from compliance.models import Finding, Rollup, Standard
from core import access, locking
from core.validators import mask_id_number, mask_phone
from divisions.models import Community, Division
from elections.models import Election
from facilities.models import Facility
from funding.models import Allocation, AssignedTask, Expenditure
from governance.models import Disclosure, FinanceLine, Meeting, Resolution
from supervision.models import RectificationNotice


def bilingual(text: Any) -> str:
    """'中文 · English' from a lazily translated label."""
    with translation.override("zh-hans"):
        zh = str(text)
    with translation.override("en"):
        en = str(text)
    return zh if zh == en else f"{zh} · {en}"


def portable_range(field: serializers.IntegerField, model_field: Any) -> None:
    """The range of an integer column in every database (SQLite's is wider than PostgreSQL's),
    so that the schema is the same whichever one generates it."""
    bounds = BaseDatabaseOperations.integer_field_ranges.get(model_field.get_internal_type())
    if bounds is None:
        return
    low, high = bounds
    if field.min_value is not None and field.min_value < low:
        field.min_value = low
    if field.max_value is not None and field.max_value > high:
        field.max_value = high


class Described(serializers.ModelSerializer):
    """Every field's description in both languages, taken from its model field's label."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        model = self.Meta.model
        for name, field in fields.items():
            source = field.source if field.source and field.source != "*" else name
            try:
                model_field = model._meta.get_field(source.split(".")[0])
            except Exception:  # a computed field: it carries its own help text
                continue
            label = getattr(model_field, "verbose_name", None)  # a relation's other side: none
            if label is None:
                continue
            if not field.help_text:
                field.help_text = bilingual(label)
            if isinstance(field, serializers.IntegerField):
                portable_range(field, model_field)
            elif isinstance(field, serializers.ChoiceField):  # its choices are its range
                field.validators = [
                    v for v in field.validators
                    if not isinstance(v, MinValueValidator | MaxValueValidator)
                ]  # fmt: skip
        return fields

    def to_internal_value(self, data: Any) -> Any:
        # A field the record does not have is refused, not silently dropped: a client that
        # misspells a field name learns it at once.
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        errors = {name: [_("未知字段。")] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            detail = error.detail if isinstance(error.detail, dict) else {}
            raise serializers.ValidationError({**detail, **errors}) from error
        if errors:
            raise serializers.ValidationError(errors)
        return value


class DivisionSerializer(Described):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Division
        fields = ["id", "code", "name", "level", "parent"]


class CommunitySerializer(Described):
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Community
        exclude: list[str] = []


class OrganizationSerializer(Described):
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Organization
        fields = "__all__"


class MembershipSerializer(Described):
    community = serializers.CharField(
        source="organization.community.code", read_only=True, help_text=bilingual(_("社区代码"))
    )
    person_name = serializers.CharField(
        source="person.name", read_only=True, help_text=bilingual(_("姓名"))
    )
    phone = serializers.CharField(
        source="person.phone", read_only=True, help_text=bilingual(_("联系电话"))
    )
    id_number = serializers.CharField(
        source="person.id_number", read_only=True, help_text=bilingual(_("身份证号"))
    )

    class Meta:
        model = Membership
        fields = "__all__"

    def to_representation(self, instance: Membership) -> dict[str, Any]:
        data = super().to_representation(instance)
        user = self.context["request"].user
        # Phones and ID numbers in full only for those who keep the roster, as on the pages.
        if not access.may_see_personal_data(user, data["community"]):
            data["phone"] = mask_phone(data["phone"] or "")
            data["id_number"] = mask_id_number(data["id_number"] or "")
        return data


class FacilitySerializer(Described):
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Facility
        fields = "__all__"


class ResolutionSerializer(Described):
    class Meta:
        model = Resolution
        exclude = ["meeting"]


class MeetingSerializer(Described):
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)
    resolutions = ResolutionSerializer(many=True, read_only=True)
    attendees = serializers.SerializerMethodField(help_text=bilingual(_("出席人员")))

    class Meta:
        model = Meeting
        fields = "__all__"

    def get_attendees(self, meeting: Meeting) -> list[int]:
        return [a.person_id for a in meeting.attendance.all()]


def lines_with_versions() -> QuerySet[FinanceLine]:
    """Finance lines with their version (newest history id) in the same query: a client
    changing a line says which version it read."""
    newest = (
        FinanceLine.history.filter(id=OuterRef("pk"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    return FinanceLine.objects.annotate(version=Subquery(newest)).order_by("pk")


class FinanceLineSerializer(Described):
    version = serializers.SerializerMethodField(
        help_text="版本,修改这一行时回传 · The version, sent back when changing the line"
    )

    class Meta:
        model = FinanceLine
        exclude = ["disclosure"]

    def get_version(self, line: FinanceLine) -> int:
        version = getattr(line, "version", None)
        if version is None:
            # A line's own version has no children: the record's newest history id.
            version = int(locking.version_of(line) or 0)
        return int(version)


class DisclosureSerializer(Described):
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lines = FinanceLineSerializer(many=True, read_only=True)

    class Meta:
        model = Disclosure
        fields = "__all__"


class AllocationSerializer(Described):
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Allocation
        fields = "__all__"


class ExpenditureSerializer(Described):
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Expenditure
        fields = "__all__"


class AssignedTaskSerializer(Described):
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = AssignedTask
        fields = "__all__"


class ElectionSerializer(Described):
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Election
        exclude = ["certified_by"]


class StandardSerializer(Described):
    class Meta:
        model = Standard
        exclude = ["created_by"]


class FindingSerializer(Described):
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)
    standard = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Finding
        fields = "__all__"


class RollupSerializer(Described):
    standard = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Rollup
        fields = "__all__"


class NoticeSerializer(Described):
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = RectificationNotice
        exclude = ["issued_by"]
