"""Roster sheets: download a template, check and import a filled-in roster, export the current one.

A roster has one row per person and membership (the person's details, then the post they hold).
The import validates the whole file first, with the same forms the browser uses so that a user
sees the same messages, and writes nothing unless every row is good. Writes then go through
``committees.services`` in one transaction, so history is recorded and compliance re-evaluated.
"""

from __future__ import annotations

import datetime
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from typing import IO, Any, Literal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from committees.forms import MembershipForm, PersonForm
from committees.models import Membership, Organization, Person
from committees.services import membership_save, person_save
from compliance.engine import reevaluate_community
from core.exports import keep_as_text, xlsx_response
from core.meta import model_field
from core.models import User
from core.validators import mask_id_number, mask_phone
from divisions.models import Community

MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
# An .xlsx is a zip: 5 MB compressed can still unpack to gigabytes (a "zip bomb").
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Physical rows read at most (blank ones included) and columns looked at, whatever the file says.
MAX_SCANNED_ROWS = MAX_ROWS * 10
MAX_COLUMNS = 50
FILE_LEVEL = 0  # RowError.row for problems with the whole file rather than one row

Kind = Literal["text", "id", "choice", "bool", "date", "organization"]


@dataclass(frozen=True)
class Column:
    header: str
    form: Literal["person", "membership"]
    field: str
    kind: Kind
    required: bool  # the column must be present in the sheet
    help: Any  # lazy text


# Headers are the file format: fixed Chinese, never translated, so a sheet reads in any language.
COLUMNS: tuple[Column, ...] = (
    Column("姓名", "person", "name", "text", True, gettext_lazy("必填。")),
    Column("性别", "person", "gender", "choice", True, gettext_lazy("必填。")),
    Column(
        "出生日期",
        "person",
        "birth_date",
        "date",
        False,
        gettext_lazy("格式 YYYY-MM-DD,如 1980-05-01;须与身份证号中的出生日期一致。"),
    ),
    Column(
        "民族",
        "person",
        "ethnicity",
        "text",
        False,
        gettext_lazy("填写全称,如“汉族”“壮族”;留空时新人员按“汉族”。"),
    ),
    Column(
        "政治面貌",
        "person",
        "political_status",
        "choice",
        False,
        gettext_lazy("留空时新人员按“群众”。"),
    ),
    Column("学历", "person", "education", "choice", False, gettext_lazy("可留空。")),
    Column(
        "联系电话",
        "person",
        "phone",
        "text",
        False,
        gettext_lazy("11 位手机号,或带区号的固定电话(如 0756-1234567)。"),
    ),
    Column(
        "身份证号",
        "person",
        "id_number",
        "id",
        False,
        gettext_lazy(
            "18 位,请以文本格式填写(Excel 会改变超过 15 位的数字)。"
            "与本社区已登记人员的身份证号相同时,视为同一人员。"
        ),
    ),
    Column("居住在本社区", "person", "lives_in_community", "bool", False, gettext_lazy("是/否。")),
    Column(
        "户籍在本社区", "person", "registered_in_community", "bool", False, gettext_lazy("是/否。")
    ),
    Column(
        "组织",
        "membership",
        "organization",
        "organization",
        True,
        gettext_lazy(
            "必填。填写本社区已登记组织的名称;本社区只有一个该类组织时,也可以填写组织类别,"
            "如“社区居民委员会”。"
        ),
    ),
    Column(
        "职务",
        "membership",
        "position",
        "choice",
        True,
        gettext_lazy(
            "必填。居民小组长只能填在“居民小组”类组织的行中,楼栋长只能填在“楼栋”类组织的行中"
            "(每个居民小组、楼栋先在系统中登记为一个组织),不能填在社区居民委员会。"
        ),
    ),
    Column(
        "任职日期", "membership", "start_date", "date", True, gettext_lazy("必填,格式 YYYY-MM-DD。")
    ),
    Column(
        "本届任期届满",
        "membership",
        "term_ends_on",
        "date",
        False,
        gettext_lazy("选举产生的成员填写,格式 YYYY-MM-DD,应晚于任职日期。"),
    ),
    Column("专职", "membership", "full_time", "bool", False, gettext_lazy("是/否。")),
    Column("产生方式", "membership", "source", "choice", False, gettext_lazy("留空按“选举产生”。")),
)
ROSTER_COLUMNS: tuple[str, ...] = tuple(column.header for column in COLUMNS)
_BY_HEADER = {column.header: column for column in COLUMNS}
_BY_FIELD: dict[tuple[str, str], Column] = {(c.form, c.field): c for c in COLUMNS}
_MODELS = {"person": Person, "membership": Membership}
YES, NO = "是", "否"

# A made-up example (checksum-valid, so the example row itself passes the ID checks).
_EXAMPLE_ID = "440402198005010017"
_EXAMPLE = {
    "姓名": "张三",
    "性别": "男",
    "出生日期": datetime.date(1980, 5, 1),
    "民族": "汉族",
    "政治面貌": "中共党员",
    "学历": "本科",
    "联系电话": "13800138000",
    "身份证号": _EXAMPLE_ID,
    "居住在本社区": YES,
    "户籍在本社区": YES,
    "职务": "主任",
    "任职日期": datetime.date(2021, 6, 1),
    "本届任期届满": datetime.date(2026, 6, 1),
    "专职": YES,
    "产生方式": "选举产生",
}

# Order of posts within one organization: its head first, then deputies, then the others.
_POSITION_RANK: dict[str, int] = {
    position: rank
    for rank, position in enumerate(
        [
            Membership.Position.DIRECTOR,
            Membership.Position.SECRETARY,
            Membership.Position.CHAIR,
            Membership.Position.DEPUTY_DIRECTOR,
            Membership.Position.DEPUTY_SECRETARY,
            Membership.Position.VICE_CHAIR,
            Membership.Position.MEMBER,
            Membership.Position.STAFF,
            Membership.Position.GROUP_LEADER,
            Membership.Position.BUILDING_LEADER,
            Membership.Position.OTHER,
        ]
    )
}
_KIND_RANK = {kind: rank for rank, kind in enumerate(Organization.Kind.values)}


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel shows it (header = 1); 0 for the whole file
    column: str  # a header of ROSTER_COLUMNS, or "" when no single column is at fault
    message: str

    def __str__(self) -> str:
        if self.row == FILE_LEVEL:
            return self.message
        where = _("第 %(row)d 行") % {"row": self.row}
        if self.column:
            where += _("“%(column)s”列") % {"column": self.column}
        return f"{where}:{self.message}"


@dataclass
class RosterRow:
    """One good row, ready to write: the person (new, or an existing one with the row's values
    applied) and the new membership."""

    row: int
    person: Person
    membership: Membership
    new_person: bool
    person_changed: bool
    same_as: int | None = None  # an earlier row of the same person (一肩挑: several posts)


@dataclass
class RosterCheck:
    """What validate_roster found; import_roster fills in the counts once it has written."""

    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    people_created: int = 0
    people_reused: int = 0  # existing people of the community the file refers to
    people_updated: int = 0  # of those, people whose details the file changed
    memberships_created: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


# --- labels ------------------------------------------------------------------------------------


def _choices(column: Column) -> list[tuple[str, str]]:
    """(value, Chinese label) pairs. The sheet is Chinese whatever language the user browses in."""
    choices = model_field(_MODELS[column.form], column.field).choices
    assert choices is not None  # a choice column
    with translation.override("zh-hans"):
        return [(value, str(label)) for value, label in choices]


def _yes_no(value: bool) -> str:
    return YES if value else NO


# --- reading the file --------------------------------------------------------------------------


def _file_error(message: str) -> RosterCheck:
    return RosterCheck(errors=[RowError(FILE_LEVEL, "", message)])


def _read_bytes(file: IO[bytes] | bytes) -> bytes | None:
    """The upload's bytes, or None when it is over the size limit (read no more than needed)."""
    if isinstance(file, bytes | bytearray):
        return bytes(file) if len(file) <= MAX_BYTES else None
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        return None
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_BYTES + 1)
    return data if len(data) <= MAX_BYTES else None


class _Unreadable(Exception):
    pass


class _TooManyRows(Exception):
    pass


def _read_sheet(data: bytes) -> list[tuple[int, tuple]]:
    """(Excel row number, values) of every row of the first sheet, header included.

    Raises _Unreadable for anything that is not a sound .xlsx, _TooManyRows past the limit.
    """
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise _Unreadable
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise _Unreadable from exc
    try:
        # data_only: a formula cell gives the value Excel last showed, not the formula text.
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file; all mean "unreadable"
        raise _Unreadable from exc
    rows: list[tuple[int, tuple]] = []
    filled = 0
    try:
        if not workbook.worksheets:
            raise _Unreadable
        sheet = workbook.worksheets[0]
        # Ignore the size the file claims: some tools write a wrong one, which would cut rows.
        sheet.reset_dimensions()
        # Read-only sheets parse lazily: a damaged sheet only fails here, while iterating.
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
            if number > MAX_SCANNED_ROWS:
                raise _TooManyRows
            if all(_blank(value) for value in values):
                continue
            filled += 1
            if filled > MAX_ROWS + 1:  # + the header row
                raise _TooManyRows
            rows.append((number, tuple(values)))
    except (_Unreadable, _TooManyRows):
        raise
    except Exception as exc:
        raise _Unreadable from exc
    finally:
        workbook.close()
    return rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as the text a user would have typed into the browser form."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 13800138000 typed into a number cell comes back as a float
    return str(value).strip()


# --- validating --------------------------------------------------------------------------------


@dataclass
class _Organizations:
    """The community's organizations, loaded once, resolved by name or by kind label."""

    by_name: dict[str, list[Organization]]
    active_by_kind: dict[str, list[Organization]]
    kind_of_label: dict[str, str]

    @classmethod
    def load(cls, community: Community) -> _Organizations:
        today = timezone.localdate()
        by_name: dict[str, list[Organization]] = defaultdict(list)
        active_by_kind: dict[str, list[Organization]] = defaultdict(list)
        for org in community.organizations.order_by("kind", "name", "pk"):
            by_name[org.name.strip()].append(org)
            if _org_active(org, today):
                active_by_kind[org.kind].append(org)
        with translation.override("zh-hans"):
            kind_of_label = {str(label): value for value, label in Organization.Kind.choices}
        return cls(by_name, active_by_kind, kind_of_label)

    def names(self) -> list[str]:
        return list(self.by_name)

    def resolve(self, text: str) -> Organization:
        today = timezone.localdate()
        if text in self.by_name:
            found = self.by_name[text]
            if len(found) > 1:
                found = [org for org in found if _org_active(org, today)]
            if len(found) == 1:
                return found[0]
            raise ValidationError(
                _("本社区有多个名为“%(name)s”的组织,请先在系统中改名以便区分。") % {"name": text}
            )
        if text in self.kind_of_label:
            found = self.active_by_kind.get(self.kind_of_label[text], [])
            if len(found) == 1:
                return found[0]
            if not found:
                raise ValidationError(
                    _("本社区没有在册的%(kind)s,请先在系统中登记该组织。") % {"kind": text}
                )
            raise ValidationError(
                _("本社区有 %(n)d 个%(kind)s,请填写组织名称:%(names)s。")
                % {"n": len(found), "kind": text, "names": "、".join(o.name for o in found)}
            )
        names = self.names()
        if not names:
            raise ValidationError(_("本社区还没有登记任何组织,请先在系统中登记组织,再导入名册。"))
        shown = "、".join(names[:10]) + ("等" if len(names) > 10 else "")
        raise ValidationError(
            _("本社区没有名为“%(name)s”的组织。可填写:%(names)s。") % {"name": text, "names": shown}
        )


def _org_active(org: Organization, on: datetime.date) -> bool:
    return org.dissolved_on is None or org.dissolved_on > on


@dataclass
class _People:
    """The community's people, loaded once, to recognise someone already registered."""

    by_id: dict[str, Person]
    by_name_birth: dict[tuple[str, datetime.date | None], list[Person]]

    @classmethod
    def load(cls, community: Community) -> _People:
        by_id: dict[str, Person] = {}
        by_name_birth: dict[tuple[str, datetime.date | None], list[Person]] = defaultdict(list)
        for person in community.people.order_by("pk"):
            if person.id_number:
                by_id[person.id_number.upper()] = person
            by_name_birth[(person.name.strip(), person.birth_date)].append(person)
        return cls(by_id, by_name_birth)

    def find(self, name: str, birth: datetime.date | None, id_number: str) -> Person | None:
        if id_number and id_number in self.by_id:
            person = self.by_id[id_number]
            # The ID decides who it is; a different name is more likely a wrong ID than a rename
            # (renames are made in the person's page, where the change is visible).
            if name and name != person.name.strip():
                raise ValidationError(
                    _("该身份证号在本社区登记的姓名是“%(name)s”,与本行姓名不符,请核对。")
                    % {"name": person.name},
                    code="身份证号",
                )
            return person
        # Same name and birth date is the same person, unless both have different ID numbers.
        found = [
            person
            for person in self.by_name_birth.get((name, birth), [])
            if not (id_number and person.id_number)
        ]
        if len(found) > 1:
            raise ValidationError(
                _("本社区已登记 %(n)d 位同名且出生日期相同的人员,请填写身份证号以便区分。")
                % {"n": len(found)},
                code="姓名",
            )
        if found or not name:
            return found[0] if found else None
        # A birth date missing on one side does not make a second person: a row naming a
        # registered member by name alone is that member, when only one can be meant.
        found = [
            person
            for (other, other_birth), people in self.by_name_birth.items()
            if other == name and (birth is None or other_birth is None)
            for person in people
            if not (id_number and person.id_number)
        ]
        if len(found) > 1:
            raise ValidationError(
                _("本社区已登记 %(n)d 位名为“%(name)s”的人员,请填写身份证号或出生日期以便区分。")
                % {"n": len(found), "name": name},
                code="姓名",
            )
        return found[0] if found else None


# A person new in this file has no primary key, but MembershipForm's person field only takes
# saved people. A stand-in with a key the database never assigns lets the form's own clean() run
# membership_conflicts: a newcomer holds no posts, so only the organization's rules apply.
_NEWCOMER_PK = 0


class _RowMembershipForm(MembershipForm):
    def __init__(self, *args, newcomer: Person | None, **kwargs):
        super().__init__(*args, **kwargs)
        self._newcomer = newcomer
        if newcomer is not None:
            del self.fields["person"]

    def clean(self):
        if self._newcomer is not None:
            self.cleaned_data["person"] = self._newcomer
        return super().clean()


def _person_values(person: Person) -> dict[str, Any]:
    """An existing person as bound form data: the starting point that non-empty cells override."""
    values = {}
    for name in PersonForm.Meta.fields:
        value = getattr(person, name)
        values[name] = value.isoformat() if isinstance(value, datetime.date) else value
    return values


def _defaults(model: type[models.Model], fields: Iterable[str]) -> dict[str, Any]:
    values = {}
    for name in fields:
        default = model_field(model, name).get_default()
        values[name] = "" if default is None else default
    return values


@dataclass
class _Parsed:
    """One row's cells converted to form data, plus what the file-wide checks need."""

    row: int
    person_data: dict[str, Any] = field(default_factory=dict)
    membership_data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # header -> message
    same_as: int | None = None  # the earlier row describing the same person


def _convert(column: Column, value: Any, parsed: _Parsed, orgs: _Organizations) -> None:
    """Turn a cell into form data. Only what the form cannot judge from text is checked here."""
    target = parsed.person_data if column.form == "person" else parsed.membership_data
    text = _text(value)
    if not text:
        return  # left to defaults / the existing person / the form's "required" message
    if column.kind == "id":
        if isinstance(value, int | float) and not isinstance(value, bool):
            parsed.errors[column.header] = _(
                "身份证号被 Excel 存成了数字,末几位可能已被改变。请把该列设为文本格式后重新填写。"
            )
            return
        target[column.field] = text.upper()
    elif column.kind == "choice":
        values = {label: value for value, label in _choices(column)}
        if text not in values:
            parsed.errors[column.header] = _(
                "“%(value)s”不是有效的%(column)s,可填写:%(choices)s。"
            ) % {"value": text, "column": column.header, "choices": "、".join(values)}
            return
        target[column.field] = values[text]
    elif column.kind == "bool":
        if text not in (YES, NO):
            parsed.errors[column.header] = _("请填写“是”或“否”。")
            return
        target[column.field] = text == YES
    elif column.kind == "organization":
        try:
            target[column.field] = orgs.resolve(text).pk
        except ValidationError as exc:
            parsed.errors[column.header] = exc.messages[0]
    else:  # text and dates: the form parses them, exactly as typed into the browser
        target[column.field] = text


def _form_errors(form: forms.BaseForm, which: str, parsed: _Parsed) -> None:
    for name, messages in form.errors.items():
        if name == NON_FIELD_ERRORS:
            # The only cross-row rules: the ID number is unique; one post / one director.
            column = _BY_FIELD[("person", "id_number")] if which == "person" else None
            header = column.header if column else "职务"
        else:
            column = _BY_FIELD.get((which, name))
            header = column.header if column else ""
        # A cell that could not even be converted already has the clearer message.
        parsed.errors.setdefault(header, str(messages[0]))


def _check_headers(header_values: tuple) -> tuple[dict[int, Column], list[RowError]]:
    errors: list[RowError] = []
    positions: dict[int, Column] = {}
    seen: set[str] = set()
    for index, value in enumerate(header_values):
        name = _text(value)
        if not name:
            continue
        if name not in _BY_HEADER:
            errors.append(
                RowError(
                    1,
                    name,
                    _("无法识别的列“%(column)s”。列名应为:%(columns)s。")
                    % {"column": name, "columns": "、".join(ROSTER_COLUMNS)},
                )
            )
        elif name in seen:
            errors.append(RowError(1, name, _("“%(column)s”列出现了两次。") % {"column": name}))
        else:
            seen.add(name)
            positions[index] = _BY_HEADER[name]
    for column in COLUMNS:
        if column.required and column.header not in seen:
            errors.append(
                RowError(
                    1,
                    column.header,
                    _("缺少必填的“%(column)s”列。") % {"column": column.header},
                )
            )
    return positions, errors


def validate_roster(community: Community, file: IO[bytes] | bytes) -> RosterCheck:
    """Check a whole roster sheet without writing anything.

    ``file`` is an upload (or any binary file object, or bytes). Every problem is reported as a
    RowError; the function never raises on a bad file.
    """
    data = _read_bytes(file)
    if data is None:
        return _file_error(
            _("文件超过 %(mb)d MB,请删除多余内容或分批导入。") % {"mb": MAX_BYTES // 2**20}
        )
    try:
        rows = _read_sheet(data)
    except _TooManyRows:
        return _file_error(
            _("表格超过 %(n)d 行数据,请分批导入,每次最多 %(n)d 行。") % {"n": MAX_ROWS}
        )
    except _Unreadable:
        return _file_error(
            _(
                "无法读取该文件。请上传 Excel 工作簿(.xlsx),可先下载名册模板填写;"
                ".xls 或 .csv 文件请在 Excel 中另存为 .xlsx。"
            )
        )
    if not rows or rows[0][0] != 1:
        return _file_error(_("第 1 行应为列名(可下载名册模板参照)。"))
    positions, header_errors = _check_headers(rows[0][1])
    if header_errors:
        return RosterCheck(errors=header_errors)
    if len(rows) == 1:
        return _file_error(_("表格中没有人员数据。"))

    orgs = _Organizations.load(community)
    people = _People.load(community)
    check = RosterCheck()
    parsed_rows: list[tuple[_Parsed, Person | None, str, datetime.date | None]] = []
    for number, values in rows[1:]:
        parsed = _Parsed(number)
        for index, column in positions.items():
            _convert(column, values[index] if index < len(values) else None, parsed, orgs)
        name = str(parsed.person_data.get("name", ""))
        id_number = str(parsed.person_data.get("id_number", ""))
        birth = _date_or_none(parsed.person_data.get("birth_date"))
        if id_number == _EXAMPLE_ID:
            parsed.errors["身份证号"] = _("这是模板中的示例行,请改为真实人员信息或删除此行。")
        try:
            existing = people.find(name, birth, id_number)
        except ValidationError as exc:
            # The code names the column (People.find always gives one).
            parsed.errors.setdefault(exc.code or "", exc.messages[0])
            existing = None
        ready = _validate_row(community, parsed, existing)
        parsed_rows.append((parsed, existing, id_number, birth))
        if ready is not None and not parsed.errors:
            check.rows.append(ready)

    _check_across_rows(parsed_rows)
    same_as = {parsed.row: parsed.same_as for parsed, *_rest in parsed_rows if parsed.same_as}
    for ready in check.rows:
        ready.same_as = same_as.get(ready.row)
    order = {header: i for i, header in enumerate(ROSTER_COLUMNS)}
    for parsed, *_rest in parsed_rows:
        for header in sorted(parsed.errors, key=lambda h: order.get(h, len(order))):
            check.errors.append(RowError(parsed.row, header, parsed.errors[header]))
    if check.errors:
        bad = {error.row for error in check.errors}
        check.rows = [row for row in check.rows if row.row not in bad]
    return check


def _date_or_none(text: Any) -> datetime.date | None:
    try:
        return forms.DateField(required=False).clean(text or "")
    except ValidationError:
        return None


def _validate_row(
    community: Community, parsed: _Parsed, existing: Person | None
) -> RosterRow | None:
    """Bind PersonForm and MembershipForm with the row, so messages match the browser's."""
    if existing is not None:
        before = _person_values(existing)
        person_data = {**before, **parsed.person_data}
        person_form = PersonForm(person_data, instance=existing)
    else:
        before = None
        person_data = {**_defaults(Person, PersonForm.Meta.fields), **parsed.person_data}
        person_form = PersonForm(person_data, instance=Person(community=community))
    newcomer = None if existing else Person(pk=_NEWCOMER_PK, community=community)
    membership_data = {
        **_defaults(Membership, MembershipForm.Meta.fields),
        **parsed.membership_data,
        "person": existing.pk if existing else "",
    }
    membership_form = _RowMembershipForm(membership_data, community=community, newcomer=newcomer)
    person_ok = person_form.is_valid()
    membership_ok = membership_form.is_valid()
    _form_errors(person_form, "person", parsed)
    _form_errors(membership_form, "membership", parsed)
    if not (person_ok and membership_ok):
        return None
    person = person_form.instance  # the form applied the row's values to it
    membership = membership_form.instance
    membership.person = person
    return RosterRow(
        row=parsed.row,
        person=person,
        membership=membership,
        new_person=existing is None,
        person_changed=existing is not None and _person_values(person) != before,
    )


def _check_across_rows(
    parsed_rows: list[tuple[_Parsed, Person | None, str, datetime.date | None]],
) -> None:
    """Rules no single form can see: one row per person, one director per organization."""
    by_id: dict[str, int] = {}
    by_name_birth: dict[tuple[str, datetime.date | None], tuple[int, str]] = {}
    by_name: dict[str, list[tuple[int, datetime.date | None, str]]] = {}
    by_existing: dict[int, int] = {}
    rows_by_number = {parsed.row: parsed for parsed, *_rest in parsed_rows}
    posts: dict[int, set] = {}
    for parsed, existing, id_number, birth in parsed_rows:
        name = str(parsed.person_data.get("name", ""))
        first: int | None = None
        header = "姓名"
        if id_number and id_number in by_id:
            first, header = by_id[id_number], "身份证号"
        if first is None and name and (name, birth) in by_name_birth:
            other_row, other_id = by_name_birth[(name, birth)]
            if not (id_number and other_id):  # two different ID numbers: two different people
                first = other_row
        if first is None and name:
            # A birth date left out on one of the rows: still the same person, if only one fits.
            fits = [
                other_row
                for other_row, other_birth, other_id in by_name.get(name, [])
                if (birth is None or other_birth is None) and not (id_number and other_id)
            ]
            if len(fits) == 1:
                first = fits[0]
        if first is None and existing is not None and existing.pk in by_existing:
            # Two rows that both matched the same registered person (say by ID, and by name).
            first = by_existing[existing.pk]
        if first is not None:
            # One person may hold several posts (e.g. 书记、主任一肩挑): one row per post, as
            # long as the rows agree on who the person is.
            earlier = rows_by_number[first]
            differing = [
                key
                for key in set(parsed.person_data) | set(earlier.person_data)
                if parsed.person_data.get(key) not in (None, "")
                and earlier.person_data.get(key) not in (None, "")
                and parsed.person_data.get(key) != earlier.person_data.get(key)
            ]
            if differing:
                parsed.errors.setdefault(
                    header,
                    _("与第 %(row)d 行是同一人员,但两行的人员信息不一致,请核对。") % {"row": first},
                )
                continue
            parsed.same_as = first
            post = (
                parsed.membership_data.get("organization"),
                parsed.membership_data.get("position"),
            )
            if post in posts.get(first, set()):
                parsed.errors.setdefault(
                    "职务",
                    _("与第 %(row)d 行重复:同一人员在同一组织的同一职务只写一行。")
                    % {"row": first},
                )
            posts.setdefault(first, set()).add(post)
            continue
        posts[parsed.row] = {
            (parsed.membership_data.get("organization"), parsed.membership_data.get("position"))
        }
        if id_number:
            by_id[id_number] = parsed.row
        if name:
            by_name_birth.setdefault((name, birth), (parsed.row, id_number))
            by_name.setdefault(name, []).append((parsed.row, birth, id_number))
        if existing is not None:
            by_existing[existing.pk] = parsed.row

    directors: dict[int, _Parsed] = {}
    for parsed, *_rest in parsed_rows:
        org = parsed.membership_data.get("organization")
        if parsed.membership_data.get("position") != Membership.Position.DIRECTOR or org is None:
            continue
        # Imported memberships are open-ended, so two directors of one organization always overlap.
        if org in directors:
            director = directors[org]
            parsed.errors.setdefault(
                "职务",
                _("该组织在这段时间已有主任(%(name)s,第 %(row)d 行),同一时间只能有一位主任。")
                % {"name": director.person_data.get("name", ""), "row": director.row},
            )
        else:
            directors[org] = parsed


# --- importing ---------------------------------------------------------------------------------


class _WriteFailed(Exception):
    def __init__(self, row: int, errors: list[RowError]):
        super().__init__(row)
        self.errors = errors


def _refusal(row: int, which: str, exc: ValidationError) -> list[RowError]:
    """A service's ValidationError as RowErrors, on the column of the field it names."""
    if not hasattr(exc, "error_dict"):
        return [RowError(row, "", message) for message in exc.messages]
    found = []
    for name, messages in exc.message_dict.items():
        column = _BY_FIELD.get((which, name))
        for message in messages:
            found.append(RowError(row, column.header if column else "", message))
    return found


def import_roster(*, actor: User, community: Community, file: IO[bytes] | bytes) -> RosterCheck:
    """Validate the whole file; if it is clean, write it in one transaction through the services.

    With any error nothing is written. Data can change between the check and the write (another
    user adds a director): the services re-check, and any refusal rolls the whole import back.
    """
    check = validate_roster(community, file)
    if check.errors:
        return check
    try:
        with transaction.atomic():
            saved: dict[int, Person] = {}
            for row in check.rows:
                which = "person"
                try:
                    if row.same_as is not None:
                        row.person, row.new_person, row.person_changed = (
                            saved[row.same_as],
                            False,
                            False,
                        )
                    elif row.new_person or row.person_changed:
                        person_save(actor=actor, person=row.person, reevaluate=False)
                    saved[row.row] = row.person
                    which = "membership"
                    row.membership.person = row.person
                    membership_save(actor=actor, membership=row.membership, reevaluate=False)
                except ValidationError as exc:
                    raise _WriteFailed(row.row, _refusal(row.row, which, exc)) from exc
                except IntegrityError as exc:
                    message = _("数据已被他人同时修改,请重新检查后再导入。")
                    raise _WriteFailed(row.row, [RowError(row.row, "", message)]) from exc
            # One evaluation for the whole file, not one per row.
            reevaluate_community(community)
    except _WriteFailed as failure:
        # Rolled back: the rows' new people may hold primary keys that no longer exist.
        return RosterCheck(errors=failure.errors)
    check.people_created = sum(row.new_person for row in check.rows)
    check.people_reused = sum(not row.new_person and row.same_as is None for row in check.rows)
    check.people_updated = sum(row.person_changed for row in check.rows)
    check.memberships_created = len(check.rows)
    check.written = True
    return check


# --- template ----------------------------------------------------------------------------------


def _allowed_values(column: Column, orgs: list[Organization]) -> list[str]:
    if column.kind == "choice":
        return [label for _value, label in _choices(column)]
    if column.kind == "bool":
        return [YES, NO]
    if column.kind == "organization":
        names = list(dict.fromkeys(org.name for org in orgs))
        today = timezone.localdate()
        counts: dict[str, int] = defaultdict(int)
        for org in orgs:
            if _org_active(org, today):
                counts[org.kind] += 1
        with translation.override("zh-hans"):
            labels = [
                str(label)
                for value, label in Organization.Kind.choices
                if counts[value] == 1 and str(label) not in names
            ]
        return names + labels
    return []


def roster_template(community: Community) -> bytes:
    """An .xlsx to fill in: header, one example row, drop-downs, and a 说明 sheet."""
    orgs = list(community.organizations.order_by("kind", "name"))
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = "人员名册"
    notes = workbook.create_sheet("说明")

    example: dict[str, Any] = dict(_EXAMPLE)
    today = timezone.localdate()
    committee = [
        o for o in orgs if o.kind == Organization.Kind.RESIDENTS_COMMITTEE and _org_active(o, today)
    ]
    with translation.override("zh-hans"):
        example["组织"] = (
            committee[0].name if committee else str(Organization.Kind.RESIDENTS_COMMITTEE.label)
        )
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="C00000" if column.required else None)
        cell.fill = header_fill
        value = example.get(column.header)
        sample = keep_as_text(sheet.cell(row=2, column=index, value=value))
        width = 12
        if column.kind == "date":
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
            sample.number_format = "yyyy-mm-dd"
        elif column.kind == "id" or column.field == "phone":
            # Text format, so Excel keeps all 18 digits and leading zeros.
            sheet.column_dimensions[letter].number_format = "@"
            sample.number_format = "@"
            width = 21
        elif column.kind == "organization":
            width = 24
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"

    # 说明: one line per column, then the allowed values, one list per column, which the
    # drop-downs refer to (an inline list is limited to 255 characters; organization names
    # can exceed that).
    notes.append(["列名", "必填", "填写说明", "可选值"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        allowed = _allowed_values(column, orgs)
        notes.append(
            [
                column.header,
                YES if column.required else "",
                str(column.help),
                "、".join(allowed),
            ]
        )
        keep_as_text(notes.cell(row=notes.max_row, column=4))
    notes.append([])
    for line in (
        _("第 1 行为列名,请勿修改;第 2 行为示例,导入前请改为真实信息或删除。"),
        _("每行一位人员及其一项任职;同一人员担任多个职务时写多行,各行的人员信息须一致。"),
        _("日期格式 YYYY-MM-DD;是否类填写“是”或“否”。"),
        _("导入时先检查全部行,有任何错误则不写入任何数据。每次最多 %(n)d 行。") % {"n": MAX_ROWS},
    ):
        notes.append([line])
    for letter, width in (("A", 14), ("B", 6), ("C", 60), ("D", 60)):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2, max_col=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    first_list_column = 6  # F: lists start after the explanation table and a spacer column
    list_index = 0
    for index, column in enumerate(COLUMNS, start=1):
        allowed = _allowed_values(column, orgs)
        if not allowed:
            continue
        list_column = first_list_column + list_index
        list_index += 1
        list_letter = get_column_letter(list_column)
        notes.cell(row=1, column=list_column, value=column.header).font = Font(bold=True)
        for offset, value in enumerate(allowed, start=2):
            keep_as_text(notes.cell(row=offset, column=list_column, value=value))
        notes.column_dimensions[list_letter].width = 16
        validation = DataValidation(
            type="list",
            formula1=f"'说明'!${list_letter}$2:${list_letter}${len(allowed) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("无效的值"),
            error=_("请从下拉列表中选择。"),
        )
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- export ------------------------------------------------------------------------------------


def roster_rows(community: Community, *, as_of: datetime.date, unmask: bool) -> list[list[Any]]:
    """The community's memberships active on ``as_of``, in ROSTER_COLUMNS order.

    One query whatever the size. Phones and ID numbers are masked unless ``unmask``.
    """
    memberships = list(
        Membership.objects.filter(organization__community=community, start_date__lte=as_of)
        .exclude(end_date__lt=as_of)
        .select_related("person", "organization")
    )
    # Sorted here rather than in SQL: Chinese names collate differently on SQLite and PostgreSQL.
    memberships.sort(
        key=lambda m: (
            _KIND_RANK.get(m.organization.kind, len(_KIND_RANK)),
            m.organization.name,
            m.organization.pk,
            _POSITION_RANK.get(m.position, len(_POSITION_RANK)),
            m.person.name,
            m.pk,
        )
    )
    labels = {
        column.header: dict(_choices(column)) for column in COLUMNS if column.kind == "choice"
    }

    def iso(value: datetime.date | None) -> str:
        return value.isoformat() if value else ""

    rows = []
    for m in memberships:
        p = m.person
        rows.append(
            [
                p.name,
                labels["性别"].get(p.gender, p.gender),
                iso(p.birth_date),
                p.ethnicity,
                labels["政治面貌"].get(p.political_status, p.political_status),
                labels["学历"].get(p.education, p.education),
                p.phone if unmask else mask_phone(p.phone),
                p.id_number if unmask else mask_id_number(p.id_number),
                _yes_no(p.lives_in_community),
                _yes_no(p.registered_in_community),
                m.organization.name,
                labels["职务"].get(m.position, m.position),
                iso(m.start_date),
                iso(m.term_ends_on),
                _yes_no(m.full_time),
                labels["产生方式"].get(m.source, m.source),
            ]
        )
    return rows


def roster_export(community: Community, *, as_of: datetime.date, unmask: bool) -> HttpResponse:
    """The roster as a download (xlsx_response guards every cell against formula injection)."""
    rows = roster_rows(community, as_of=as_of, unmask=unmask)
    filename = f"{community.name}-人员名册-{as_of.isoformat()}.xlsx"
    return xlsx_response(filename, [("人员名册", ROSTER_COLUMNS, rows)])
