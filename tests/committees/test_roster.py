from __future__ import annotations

import datetime
import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from committees.forms import MembershipForm, PersonForm
from committees.models import Membership, Organization, Person
from committees.roster import (
    MAX_ROWS,
    ROSTER_COLUMNS,
    import_roster,
    roster_export,
    roster_rows,
    roster_template,
    validate_roster,
)
from committees.services import membership_save, person_save
from core.validators import ID_CHECK, ID_WEIGHTS
from tests.conftest import OTHER_STREET, STREET

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 1, 15)


def id_number(birth: str, seq: str = "001") -> str:
    """A checksum-valid ID number for a birth date written YYYYMMDD."""
    body = f"440402{birth}{seq}"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def row(**cells) -> dict:
    """A valid row; keyword arguments override cells (use the Chinese headers via **{...})."""
    base = {
        "姓名": "李四",
        "性别": "女",
        "出生日期": "1985-01-01",
        "民族": "汉族",
        "政治面貌": "中共党员",
        "学历": "大专",
        "联系电话": "13912345678",
        "身份证号": id_number("19850101"),
        "居住在本社区": "是",
        "户籍在本社区": "否",
        "组织": "翠香社区居民委员会",
        "职务": "委员",
        "任职日期": "2021-06-01",
        "本届任期届满": "2026-06-01",
        "专职": "是",
        "产生方式": "选举产生",
    }
    base.update(cells)
    return base


def xlsx(rows: list, header=ROSTER_COLUMNS, name: str = "roster.xlsx") -> SimpleUploadedFile:
    """An upload built in memory; a row is a dict by header, a list of cells, or None (blank)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for cells in rows:
        if cells is None:
            sheet.append([])
        elif isinstance(cells, dict):
            sheet.append([cells.get(h) for h in header])
        else:
            sheet.append(list(cells))
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def counts() -> tuple[int, int]:
    return Person.objects.count(), Membership.objects.count()


def errors(check) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in check.errors]


@pytest.fixture
def community(community_in):
    community = community_in(STREET)
    Organization.objects.create(
        community=community, kind=Organization.Kind.RESIDENTS_COMMITTEE, name="翠香社区居民委员会"
    )
    Organization.objects.create(
        community=community, kind=Organization.Kind.PARTY_BRANCH, name="翠香社区党支部"
    )
    return community


@pytest.fixture
def actor(make_user):
    return make_user()


def committee(community) -> Organization:
    return community.organizations.get(kind=Organization.Kind.RESIDENTS_COMMITTEE)


def register(actor, community, name: str, position: str, *, birth="19700101", seq="009", **extra):
    """A person and a current membership of the residents' committee, through the services."""
    person = person_save(
        actor=actor,
        person=Person(
            community=community,
            name=name,
            gender=Person.Gender.MALE,
            birth_date=datetime.datetime.strptime(birth, "%Y%m%d").date(),
            id_number=id_number(birth, seq),
            phone="13800001111",
            **extra,
        ),
    )
    membership_save(
        actor=actor,
        membership=Membership(
            person=person,
            organization=committee(community),
            position=position,
            start_date=datetime.date(2021, 6, 1),
        ),
    )
    return person


# --- template ---------------------------------------------------------------------------------


def test_it_builds_a_template_with_header_example_notes_and_dropdowns(community):
    workbook = load_workbook(BytesIO(roster_template(community)))
    assert workbook.sheetnames == ["人员名册", "说明"]
    sheet, notes = workbook["人员名册"], workbook["说明"]
    assert [c.value for c in sheet[1]] == list(ROSTER_COLUMNS)
    example = dict(zip(ROSTER_COLUMNS, [c.value for c in sheet[2]], strict=True))
    assert example["组织"] == "翠香社区居民委员会"
    assert example["职务"] == "主任"
    assert sheet.max_row == 2
    explained = {r[0]: r for r in notes.iter_rows(min_row=2, max_col=4, values_only=True) if r[0]}
    assert set(ROSTER_COLUMNS) <= set(explained)
    assert "翠香社区党支部" in explained["组织"][3]
    assert "社区居民委员会" in explained["组织"][3]  # the kind label works: one active committee
    assert explained["性别"][3] == "男、女"
    # Drop-downs for every choice, yes/no and organization column, over the data rows.
    covered = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        for cell_range in validation.sqref.ranges:
            covered[cell_range.min_col] = (validation.formula1, cell_range.max_row)
    dropdowns = {ROSTER_COLUMNS[col - 1] for col in covered}
    assert dropdowns == {
        "性别",
        "政治面貌",
        "学历",
        "居住在本社区",
        "户籍在本社区",
        "组织",
        "职务",
        "专职",
        "产生方式",
    }
    formula, last_row = covered[ROSTER_COLUMNS.index("职务") + 1]
    assert last_row == MAX_ROWS + 1
    referenced = formula.split("!")[1].replace("$", "").split(":")
    values = [c.value for c in notes[referenced[0] : referenced[1]] for c in c]
    assert values[:3] == ["主任", "副主任", "委员"]


def test_it_round_trips_the_template(community, actor):
    workbook = load_workbook(BytesIO(roster_template(community)))
    sheet = workbook.active
    column = {header: i + 1 for i, header in enumerate(ROSTER_COLUMNS)}
    sheet.cell(2, column["姓名"], "王五")
    sheet.cell(2, column["出生日期"], datetime.date(1975, 3, 12))
    sheet.cell(2, column["身份证号"], id_number("19750312", "002"))
    buffer = BytesIO()
    workbook.save(buffer)

    check = import_roster(actor=actor, community=community, file=buffer.getvalue())

    assert check.errors == []
    assert (check.people_created, check.people_reused, check.memberships_created) == (1, 0, 1)
    person = Person.objects.get(name="王五")
    assert person.community == community
    assert person.id_number == "44040219750312002X"
    assert (person.gender, person.political_status, person.education) == (
        "male",
        "party_member",
        "bachelor",
    )
    assert person.lives_in_community and person.registered_in_community
    membership = person.memberships.get()
    assert membership.organization == committee(community)
    assert membership.position == Membership.Position.DIRECTOR
    assert membership.start_date == datetime.date(2021, 6, 1)
    assert membership.term_ends_on == datetime.date(2026, 6, 1)
    assert membership.full_time and membership.source == Membership.Source.ELECTED
    # Written through the services: history records who did it.
    assert person.history.get().history_user == actor
    assert membership.history.get().history_user == actor


def test_it_refuses_the_untouched_example_row(community, actor):
    check = import_roster(actor=actor, community=community, file=roster_template(community))
    assert [(e.row, e.column) for e in check.errors] == [(2, "身份证号")]
    assert "示例" in check.errors[0].message
    assert counts() == (0, 0)


# --- bad cells ----------------------------------------------------------------------------------

FUTURE = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()

BAD_CELLS = [
    ("姓名", "", "该字段是必填项。"),
    ("姓名", "   ", "该字段是必填项。"),
    ("性别", "男性", "“男性”不是有效的性别,可填写:男、女。"),
    ("性别", None, "该字段是必填项。"),
    ("出生日期", "1985-13-01", "输入一个有效的日期。"),
    ("出生日期", FUTURE, "出生日期不能晚于今天。"),
    ("出生日期", "1985-01-02", "出生日期与身份证号中的出生日期不一致。"),
    ("民族", "汉", "“汉”不是国家标准(GB/T 3304)中的民族名称。请填写民族全称"),
    ("民族", "火星族", "“火星族”不是国家标准(GB/T 3304)中的民族名称。"),  # issue 20
    ("政治面貌", "党员", "“党员”不是有效的政治面貌"),
    ("学历", "博士", "“博士”不是有效的学历"),
    ("联系电话", "12345", "请输入 11 位手机号,或带区号的固定电话(如 0756-1234567)。"),
    ("身份证号", "44040219850101001", "身份证号应为 18 位"),
    ("身份证号", "440402198501010010", "身份证号校验位不正确,请核对。"),
    ("身份证号", 440402198501010000, "身份证号被 Excel 存成了数字"),
    ("居住在本社区", "Y", "请填写“是”或“否”。"),
    ("户籍在本社区", "1", "请填写“是”或“否”。"),
    ("组织", "不存在的组织", "本社区没有名为“不存在的组织”的组织。可填写:"),
    ("组织", "社区党委", "本社区没有在册的社区党委"),
    ("组织", None, "该字段是必填项。"),
    ("职务", "队长", "“队长”不是有效的职务"),
    ("职务", None, "该字段是必填项。"),
    ("任职日期", None, "该字段是必填项。"),
    ("任职日期", "2021.6.1", "输入一个有效的日期。"),
    ("本届任期届满", "2020-01-01", "任期届满日期应晚于任职日期。"),
    ("专职", "兼职", "请填写“是”或“否”。"),
    ("产生方式", "抽签", "“抽签”不是有效的产生方式"),
]


@pytest.mark.parametrize(("column", "value", "message"), BAD_CELLS)
def test_it_reports_a_bad_cell_with_its_row_and_column_and_writes_nothing(
    community, actor, column, value, message
):
    good = row(姓名="赵六", 出生日期="1990-07-21", 身份证号=id_number("19900721", "002"))
    upload = xlsx([good, None, row(**{column: value})])  # row 3 is blank: skipped, still counted
    before = counts()

    check = import_roster(actor=actor, community=community, file=upload)

    assert [(e.row, e.column) for e in check.errors] == [(4, column)]
    assert check.errors[0].message.startswith(message)
    assert not check.written
    assert counts() == before


def test_its_messages_are_the_ones_the_browser_forms_give(community):
    person = PersonForm({"name": "x", "gender": "male", "phone": "12345", "id_number": "123"})
    membership = MembershipForm(
        {
            "person": "",
            "organization": committee(community).pk,
            "position": "member",
            "start_date": "2021-06-01",
            "term_ends_on": "2020-01-01",
        },
        community=community,
    )
    assert not person.is_valid() and not membership.is_valid()
    upload = xlsx([row(联系电话="12345", 身份证号="123", 本届任期届满="2020-01-01")])
    found = {e.column: e.message for e in validate_roster(community, upload).errors}
    assert found == {
        "联系电话": person.errors["phone"][0],
        "身份证号": person.errors["id_number"][0],
        "本届任期届满": membership.errors["term_ends_on"][0],
    }


def test_it_reports_every_bad_row_of_the_file_at_once(community, actor):
    upload = xlsx(
        [
            row(性别="?"),
            row(姓名="赵六", 出生日期="1990-07-21", 身份证号=id_number("19900721", "002")),
            row(姓名="钱七", 出生日期="1968-11-05", 身份证号=id_number("19681105", "002"), 职务=""),
        ]
    )
    check = import_roster(actor=actor, community=community, file=upload)
    assert [(e.row, e.column) for e in check.errors] == [(2, "性别"), (4, "职务")]
    assert counts() == (0, 0)


def test_it_rejects_unknown_duplicated_and_missing_columns(community):
    header = [h for h in ROSTER_COLUMNS if h != "职务"] + ["备注", "姓名"]
    check = validate_roster(community, xlsx([], header=header))
    assert errors(check) == [
        (1, "备注", check.errors[0].message),
        (1, "姓名", "“姓名”列出现了两次。"),
        (1, "职务", "缺少必填的“职务”列。"),
    ]
    assert check.errors[0].message.startswith("无法识别的列“备注”。")


def test_it_accepts_a_sheet_with_only_the_required_columns(community, actor):
    header = ["姓名", "性别", "组织", "职务", "任职日期"]
    upload = xlsx([["孙八", "男", "社区党支部", "书记", datetime.datetime(2022, 3, 1)]], header)
    check = import_roster(actor=actor, community=community, file=upload)
    assert check.errors == []
    person = Person.objects.get(name="孙八")
    # Absent columns take the model defaults.
    assert (person.ethnicity, person.political_status, person.birth_date) == (
        "汉族",
        "masses",
        None,
    )
    membership = person.memberships.get()
    assert membership.organization.name == "翠香社区党支部"
    assert membership.start_date == datetime.date(2022, 3, 1)
    assert membership.source == Membership.Source.ELECTED and not membership.full_time


def test_it_accepts_excel_date_and_number_cells(community, actor):
    upload = xlsx(
        [
            row(
                出生日期=datetime.datetime(1985, 1, 1),
                任职日期=datetime.date(2021, 6, 1),
                联系电话=13912345678,
            )
        ]
    )
    check = import_roster(actor=actor, community=community, file=upload)
    assert check.errors == []
    person = Person.objects.get()
    assert (person.birth_date, person.phone) == (datetime.date(1985, 1, 1), "13912345678")


def test_it_asks_for_a_name_when_several_organizations_share_the_kind(community):
    Organization.objects.create(
        community=community, kind=Organization.Kind.RESIDENTS_COMMITTEE, name="第二居委会"
    )
    check = validate_roster(community, xlsx([row(组织="社区居民委员会")]))
    assert errors(check) == [
        (
            2,
            "组织",
            "本社区有 2 个社区居民委员会,请填写组织名称:第二居委会、翠香社区居民委员会。",
        )
    ]


def test_a_dissolved_organization_does_not_count_for_the_kind_label(community):
    Organization.objects.create(
        community=community,
        kind=Organization.Kind.RESIDENTS_COMMITTEE,
        name="旧居委会",
        established_on=datetime.date(2000, 1, 1),
        dissolved_on=datetime.date(2010, 1, 1),
    )
    check = validate_roster(community, xlsx([row(组织="社区居民委员会")]))
    assert check.errors == []
    assert check.rows[0].membership.organization.name == "翠香社区居民委员会"


def test_it_does_not_accept_an_organization_of_another_community(community, community_in):
    other = community_in(OTHER_STREET)
    Organization.objects.create(
        community=other, kind=Organization.Kind.OWNERS_COMMITTEE, name="别处业委会"
    )
    check = validate_roster(community, xlsx([row(组织="别处业委会")]))
    assert [(e.row, e.column) for e in check.errors] == [(2, "组织")]


# --- people and memberships across rows ---------------------------------------------------------


def test_it_lets_one_person_hold_several_posts_in_one_file(community, actor):
    """书记、主任一肩挑: one row per post, the person is created once."""
    upload = xlsx([row(职务="主任"), row(职务="副主任", 组织="翠香社区党支部")])
    check = import_roster(actor=actor, community=community, file=upload)
    assert check.errors == []
    assert counts() == (1, 2)
    assert (check.people_created, check.memberships_created) == (1, 2)


def test_it_rejects_rows_of_one_person_that_disagree_or_repeat_a_post(community, actor):
    no_id = {"身份证号": None, "出生日期": "1990-07-21"}
    upload = xlsx(
        [
            row(),
            row(性别="男", 组织="翠香社区党支部"),  # same ID number as row 2, another gender
            row(姓名="赵六", **no_id),
            row(姓名="赵六", **no_id),  # same person, same post as row 4
            row(
                姓名="赵六",
                出生日期="1990-07-21",
                身份证号=id_number("19900721", "002"),
                职务="副主任",
            ),
        ]
    )
    check = import_roster(actor=actor, community=community, file=upload)
    assert errors(check) == [
        (3, "身份证号", "与第 2 行是同一人员,但两行的人员信息不一致,请核对。"),
        (5, "职务", "与第 4 行重复:同一人员在同一组织的同一职务只写一行。"),
    ]
    assert counts() == (0, 0)


def test_same_name_and_birth_date_with_different_id_numbers_are_two_people(community, actor):
    upload = xlsx(
        [
            row(姓名="周九", 出生日期="1985-01-01", 身份证号=id_number("19850101", "001")),
            row(姓名="周九", 出生日期="1985-01-01", 身份证号=id_number("19850101", "002")),
        ]
    )
    check = import_roster(actor=actor, community=community, file=upload)
    assert check.errors == []
    assert Person.objects.filter(name="周九").count() == 2


def test_it_rejects_two_directors_of_one_organization_in_a_file(community, actor):
    upload = xlsx(
        [
            row(职务="主任"),
            row(姓名="赵六", 出生日期="1990-07-21", 身份证号=id_number("19900721", "002")),
            row(
                姓名="钱七",
                出生日期="1968-11-05",
                身份证号=id_number("19681105", "002"),
                职务="主任",
            ),
        ]
    )
    check = import_roster(actor=actor, community=community, file=upload)
    assert errors(check) == [
        (4, "职务", "该组织在这段时间已有主任(李四,第 2 行),同一时间只能有一位主任。")
    ]
    assert counts() == (0, 0)


def test_a_director_of_each_organization_is_fine(community, actor):
    upload = xlsx(
        [
            row(职务="主任"),
            row(
                姓名="赵六",
                出生日期="1990-07-21",
                身份证号=id_number("19900721", "002"),
                组织="翠香社区党支部",
                职务="主任",
            ),
        ]
    )
    assert import_roster(actor=actor, community=community, file=upload).errors == []


def test_it_rejects_a_director_when_the_organization_already_has_one(community, actor):
    register(actor, community, "陈主任", Membership.Position.DIRECTOR)
    before = counts()
    check = import_roster(actor=actor, community=community, file=xlsx([row(职务="主任")]))
    assert errors(check) == [
        (2, "职务", "该组织在这段时间已有主任(陈主任),同一时间只能有一位主任。")
    ]
    assert counts() == before


def test_it_reuses_an_existing_person_by_id_number_and_by_name_and_birth_date(community, actor):
    known = register(actor, community, "陈委员", Membership.Position.MEMBER, note="老同志")
    unknown_id = person_save(
        actor=actor,
        person=Person(
            community=community, name="吴十", gender="female", birth_date=datetime.date(1992, 2, 3)
        ),
    )
    before = counts()
    upload = xlsx(
        [
            # Only a few cells: empty ones keep what is registered.
            {
                "姓名": "陈委员",
                "身份证号": known.id_number,
                "联系电话": "13700002222",
                "组织": "翠香社区党支部",
                "职务": "书记",
                "任职日期": "2022-01-01",
            },
            {
                "姓名": "吴十",
                "出生日期": "1992-02-03",
                "身份证号": id_number("19920203", "002"),
                "组织": "社区居民委员会",
                "职务": "委员",
                "任职日期": "2022-01-01",
            },
        ],
    )
    check = import_roster(actor=actor, community=community, file=upload)
    assert check.errors == []
    assert (check.people_created, check.people_reused, check.people_updated) == (0, 2, 2)
    assert check.memberships_created == 2
    assert counts() == (before[0], before[1] + 2)
    known.refresh_from_db()
    assert (known.phone, known.note, known.gender) == ("13700002222", "老同志", "male")
    assert known.memberships.count() == 2
    unknown_id.refresh_from_db()
    assert unknown_id.id_number == id_number("19920203", "002")  # filled in from the file


def test_it_rejects_a_post_the_existing_person_already_holds(community, actor):
    known = register(actor, community, "陈委员", Membership.Position.MEMBER)
    upload = xlsx(
        [
            {
                "姓名": "陈委员",
                "身份证号": known.id_number,
                "性别": "男",
                "组织": "社区居民委员会",
                "职务": "委员",
                "任职日期": "2023-01-01",
            }
        ]
    )
    check = validate_roster(community, upload)
    assert errors(check) == [(2, "职务", "此人在这段时间已在该组织担任这一职务。")]


def test_it_rejects_an_id_number_registered_under_another_name(community, actor):
    known = register(actor, community, "陈委员", Membership.Position.MEMBER)
    check = validate_roster(
        community, xlsx([row(姓名="陈伟源", 身份证号=known.id_number, 出生日期=None)])
    )
    assert errors(check) == [
        (2, "身份证号", "该身份证号在本社区登记的姓名是“陈委员”,与本行姓名不符,请核对。")
    ]


def test_two_rows_that_find_the_same_registered_person_are_one_person(community, actor):
    known = register(actor, community, "陈委员", Membership.Position.MEMBER)
    by_id = row(姓名="陈委员", 身份证号=known.id_number, 出生日期=None, 组织="翠香社区党支部")
    by_name = row(姓名="陈委员", 身份证号=None, 出生日期="1970-01-01", 职务="副主任")
    check = validate_roster(community, xlsx([by_id, by_name]))
    assert check.errors == []
    import_roster(actor=actor, community=community, file=xlsx([by_id, by_name]))
    assert Person.objects.filter(name="陈委员").count() == 1
    assert Membership.objects.filter(person=known).count() == 3


def test_it_asks_for_an_id_number_when_two_registered_people_match(community, actor):
    for _ in range(2):
        person_save(
            actor=actor,
            person=Person(
                community=community,
                name="吴十",
                gender="female",
                birth_date=datetime.date(1992, 2, 3),
            ),
        )
    check = validate_roster(
        community, xlsx([row(姓名="吴十", 出生日期="1992-02-03", 身份证号=None)])
    )
    assert errors(check) == [
        (2, "姓名", "本社区已登记 2 位同名且出生日期相同的人员,请填写身份证号以便区分。")
    ]


def test_it_rejects_an_id_number_registered_in_another_community(community, community_in, actor):
    other = community_in(OTHER_STREET)
    person_save(
        actor=actor,
        person=Person(
            community=other, name="外社区", gender="male", id_number=id_number("19850101")
        ),
    )
    check = validate_roster(community, xlsx([row()]))
    assert errors(check) == [(2, "身份证号", "该身份证号已登记。")]


# --- unreadable and oversized files -------------------------------------------------------------


def truncated_xlsx() -> bytes:
    data = xlsx([row()]).read()
    return data[: len(data) // 2]


def zip_without_workbook() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        "姓名,性别\n张三,男\n".encode(),
        b"",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,  # an old .xls (OLE2)
        "truncated",
        "zip",
    ],
)
def test_it_reports_an_unreadable_file_as_one_clear_error(community, actor, content):
    content = {"truncated": truncated_xlsx, "zip": zip_without_workbook}.get(
        content, lambda: content
    )()
    check = import_roster(
        actor=actor, community=community, file=SimpleUploadedFile("r.xlsx", content)
    )
    assert len(check.errors) == 1
    assert (check.errors[0].row, check.errors[0].column) == (0, "")
    assert check.errors[0].message.startswith("无法读取该文件。请上传 Excel 工作簿(.xlsx)")
    assert counts() == (0, 0)


def test_it_refuses_more_than_the_row_limit(community, actor):
    rows = [row(姓名=f"人{i}", 身份证号=None, 出生日期=None) for i in range(MAX_ROWS + 1)]
    check = import_roster(actor=actor, community=community, file=xlsx(rows))
    assert errors(check) == [(0, "", "表格超过 2000 行数据,请分批导入,每次最多 2000 行。")]
    assert counts() == (0, 0)


def test_it_refuses_a_file_over_the_size_limit(community):
    upload = SimpleUploadedFile("big.xlsx", b"PK" + b"\x00" * (5 * 1024 * 1024))
    assert errors(validate_roster(community, upload)) == [
        (0, "", "文件超过 5 MB,请删除多余内容或分批导入。")
    ]


def test_it_reports_a_sheet_without_people(community):
    assert errors(validate_roster(community, xlsx([None, None]))) == [
        (0, "", "表格中没有人员数据。")
    ]


# --- export -------------------------------------------------------------------------------------


def test_it_exports_the_current_roster_masked_and_in_order(community, actor):
    register(actor, community, "乙委员", Membership.Position.MEMBER, birth="19750312", seq="002")
    director = register(actor, community, "甲主任", Membership.Position.DIRECTOR)
    deputy = register(
        actor, community, "丙副主任", Membership.Position.DEPUTY_DIRECTOR, birth="19681105"
    )
    branch = community.organizations.get(kind=Organization.Kind.PARTY_BRANCH)
    membership_save(
        actor=actor,
        membership=Membership(
            person=director,
            organization=branch,
            position=Membership.Position.SECRETARY,
            start_date=datetime.date(2021, 6, 1),
        ),
    )
    # Ended before the date: not on the roster.
    membership_save(
        actor=actor,
        membership=Membership(
            person=deputy,
            organization=branch,
            position=Membership.Position.MEMBER,
            start_date=datetime.date(2018, 1, 1),
            end_date=datetime.date(2020, 12, 31),
            end_reason="换届",
        ),
    )

    masked = roster_rows(community, as_of=TODAY, unmask=False)
    column = {h: i for i, h in enumerate(ROSTER_COLUMNS)}
    assert [(r[column["组织"]], r[column["职务"]], r[0]) for r in masked] == [
        ("翠香社区居民委员会", "主任", "甲主任"),
        ("翠香社区居民委员会", "副主任", "丙副主任"),
        ("翠香社区居民委员会", "委员", "乙委员"),
        ("翠香社区党支部", "书记", "甲主任"),
    ]
    first = dict(zip(ROSTER_COLUMNS, masked[0], strict=True))
    assert first["联系电话"] == "138****1111"
    assert first["身份证号"] == director.id_number[:3] + "*" * 11 + director.id_number[-4:]
    assert (first["性别"], first["出生日期"], first["任职日期"]) == (
        "男",
        "1970-01-01",
        "2021-06-01",
    )
    unmasked = dict(
        zip(ROSTER_COLUMNS, roster_rows(community, as_of=TODAY, unmask=True)[0], strict=True)
    )
    assert (unmasked["联系电话"], unmasked["身份证号"]) == ("13800001111", director.id_number)
    # Before the memberships started, nobody was on the roster.
    assert roster_rows(community, as_of=datetime.date(2021, 5, 31), unmask=False) == []

    response = roster_export(community, as_of=TODAY, unmask=False)
    sheet = load_workbook(BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(ROSTER_COLUMNS)
    assert values[1][column["联系电话"]] == "138****1111"
    assert director.id_number not in str(values)


def test_the_export_never_writes_a_formula(community, actor):
    register(actor, community, '=HYPERLINK("http://x","点我")', Membership.Position.MEMBER)
    response = roster_export(community, as_of=TODAY, unmask=True)
    cell = load_workbook(BytesIO(response.content)).active["A2"]
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://x","点我")'


def test_the_export_and_its_reimport_agree(community, actor, community_in):
    """An unmasked export is a valid roster: imported elsewhere it gives the same rows."""
    register(actor, community, "甲主任", Membership.Position.DIRECTOR)
    other = community_in(OTHER_STREET)
    Organization.objects.create(
        community=other, kind=Organization.Kind.RESIDENTS_COMMITTEE, name="翠香社区居民委员会"
    )
    exported = roster_rows(community, as_of=TODAY, unmask=True)
    Person.objects.filter(community=community).update(id_number="")  # the ID is unique nationwide
    check = import_roster(actor=actor, community=other, file=xlsx(exported))
    assert check.errors == []
    assert roster_rows(other, as_of=TODAY, unmask=True) == exported


def test_the_export_uses_the_same_number_of_queries_for_3_and_for_30_members(community):
    def add_members(n: int) -> None:
        for _ in range(n):
            i = Person.objects.count()
            person = Person.objects.create(
                community=community, name=f"成员{i:02d}", gender="female"
            )
            Membership.objects.create(
                person=person,
                organization=committee(community),
                position=Membership.Position.MEMBER,
                start_date=datetime.date(2021, 6, 1),
            )

    def export_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = roster_export(community, as_of=TODAY, unmask=False)
        assert load_workbook(BytesIO(response.content)).active.max_row == Person.objects.count() + 1
        return len(queries)

    add_members(3)
    few = export_queries()
    add_members(27)
    assert export_queries() == few == 1


# --- issue 20: a row naming a registered member without an ID number ---------------------------


def test_it_imports_a_row_naming_a_registered_member_without_id_number_as_that_member(
    community, actor, street_client
):
    known = person_save(
        actor=actor,
        person=Person(
            community=community, name="吴十", gender="female", birth_date=datetime.date(1992, 2, 3)
        ),
    )
    before = counts()
    # By name only (no ID number, no birth date), and a second post of a newcomer whose first
    # row gave the birth date and the second did not.
    upload = xlsx(
        [
            row(姓名="吴十", 身份证号=None, 出生日期=None),
            row(姓名="赵六", 身份证号=None, 出生日期="1980-03-04", 组织="翠香社区党支部"),
            row(姓名="赵六", 身份证号=None, 出生日期=None, 职务="副主任"),
        ]
    )
    response = street_client.post(
        f"/c/{community.code}/roster/import/", {"file": upload}, follow=True
    )
    assert response.status_code == 200
    assert "名单已导入" in response.content.decode()
    assert Person.objects.filter(community=community, name="吴十").count() == 1
    assert Person.objects.filter(community=community, name="赵六").count() == 1
    assert known.memberships.count() == 1
    assert counts() == (before[0] + 1, before[1] + 3)


def test_it_asks_which_one_when_a_name_alone_fits_two_registered_people(community, actor):
    for birth in (datetime.date(1992, 2, 3), datetime.date(1960, 1, 1)):
        person_save(
            actor=actor,
            person=Person(community=community, name="吴十", gender="female", birth_date=birth),
        )
    check = validate_roster(community, xlsx([row(姓名="吴十", 出生日期=None, 身份证号=None)]))
    assert errors(check) == [
        (2, "姓名", "本社区已登记 2 位名为“吴十”的人员,请填写身份证号或出生日期以便区分。")
    ]


def test_it_refuses_a_group_leader_row_in_the_residents_committee(community, street_client):
    before = counts()
    response = street_client.post(
        f"/c/{community.code}/roster/import/",
        {"file": xlsx([row(职务="居民小组长"), row(姓名="钱七", 身份证号=None, 职务="楼栋长")])},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "居民小组长只能在“居民小组”类组织中任职" in page
    assert "楼栋长只能在“楼栋”类组织中任职" in page
    assert counts() == before


def test_the_template_says_where_group_and_building_leaders_go(community):
    notes = load_workbook(BytesIO(roster_template(community)))["说明"]
    help_of = {row[0]: row[2] for row in notes.iter_rows(min_row=2, max_col=3, values_only=True)}
    assert "居民小组长只能填在“居民小组”类组织的行中" in help_of["职务"]
