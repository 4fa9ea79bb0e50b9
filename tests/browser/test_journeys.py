"""What staff and residents do, end to end, in a real browser (Chromium), one journey a test.

Journeys 3 (an election to the printed announcement) and 4 (a major matter through the six
"四议两公开" steps) come with those pages.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from committees.models import Community
from governance.forms import roster_people
from governance.models import Disclosure, Meeting, Resolution
from portal.compliance import reevaluate_community
from tests.browser.conftest import accessibility_problems, expect, login, overflow, shoot
from tests.conftest import DISTRICT, STREET

# Transactional (the live server reads what the test wrote); serialized rollback brings back
# the standards catalogue that a data migration loaded, after each test's flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def field(page, label: str):
    """The input labelled exactly ``label`` (a required field's label ends with crispy's "*")."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))


def finding_row(page, standard_code: str):
    return page.locator("table.findings tbody tr").filter(
        has=page.get_by_role("link", name=standard_code, exact=True)
    )


def test_a_street_officer_follows_a_missing_record_to_its_form_and_the_finding_turns_compliant(
    demo, page
):
    community = Community.objects.filter(code__startswith=STREET).order_by("code")[2]
    Community.objects.filter(pk=community.pk).update(households=None)
    community.refresh_from_db()
    reevaluate_community(community)

    login(page, "street")
    # The street's dashboard is the home page; its table of communities leads down to each one.
    expect(page.get_by_role("heading", level=1)).to_contain_text("翠香街道")
    # The row of the community in the street's table (reminders above also name communities).
    page.get_by_role("row").filter(has_text=community.code).get_by_role(
        "link", name=community.name, exact=True
    ).click()
    expect(page).to_have_url(re.compile(rf"/c/{community.code}/$"))
    expect(page.locator("dl.profile")).to_contain_text("未填报")

    page.get_by_role("link", name="合规", exact=True).click()
    row = finding_row(page, "GD-01")
    expect(row.locator(".badge").first).to_have_text("缺少数据")
    row.get_by_role("link", name="去填写:常住户数").click()

    expect(page).to_have_url(re.compile(rf"/c/{community.code}/edit/$"))
    page.get_by_label("常住户数").fill("2500")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("社区概况已保存")
    expect(page.locator("dl.profile")).to_contain_text("2,500 户")

    page.get_by_role("link", name="合规", exact=True).click()
    row = finding_row(page, "GD-01")
    expect(row.locator(".badge").first).to_have_text("达标")
    expect(row).to_contain_text("2,500 户")


def test_a_committee_member_records_a_meeting_and_its_resolution_on_a_phone(
    demo, phone, screenshots
):
    community = Community.objects.filter(code__startswith=STREET).order_by("code").first()
    code = community.code
    today = timezone.localdate()
    # The two committees sit at a joint meeting: everyone on them but one attends.
    roster = list(roster_people(community, Meeting.Kind.JOINT, today).order_by("pk"))
    present, absent = roster[:-1], roster[-1]
    problems: dict[str, list[str]] = {}

    def check_width(step: str) -> None:
        if found := overflow(phone):
            problems[step] = found

    login(phone, "committee")
    check_width("home")
    phone.get_by_role("main").get_by_role("link").first.click()  # the card of their community
    expect(phone).to_have_url(re.compile(rf"/c/{code}/$"))
    phone.get_by_role("link", name="会议与公开").click()
    check_width("meetings")
    phone.get_by_role("link", name="登记会议").click()

    phone.get_by_label("会议类别").select_option(label="两委联席会议")
    phone.get_by_label("会议名称").fill("十一月两委联席会议")
    phone.get_by_label("会议日期").fill(today.isoformat())
    expect(phone.get_by_label("已召开")).to_be_checked()
    phone.get_by_label("应到人数").fill(str(len(roster)))
    for person in present:  # the attendance list; the count follows from it
        phone.locator(f'input[name="attendees"][value="{person.pk}"]').check()
    phone.get_by_label("议题").fill("讨论冬季防火安全检查安排")
    check_width("meeting form")
    shoot(phone, screenshots, "phone-meeting-form", full_page=True)
    phone.get_by_role("button", name="保存").click()

    expect(phone.get_by_role("status")).to_contain_text("会议已保存")
    row = phone.locator("tbody tr", has_text="十一月两委联席会议")
    expect(row).to_contain_text(f"{len(roster)}/{len(present)}")
    expect(row).to_contain_text("过半数")
    check_width("meetings with the new one")
    row.get_by_role("link", name="十一月两委联席会议").click()

    phone.get_by_role("link", name="登记决议").click()
    phone.get_by_label("决议事项").fill("开展冬季防火安全检查")
    field(phone, "赞成").fill(str(len(present) - 1))
    field(phone, "反对").fill("1")
    field(phone, "弃权").fill("0")
    phone.get_by_label("已公开").check()
    phone.get_by_role("button", name="保存").click()

    expect(phone.get_by_role("status")).to_contain_text("决议已登记")
    resolution = phone.locator("tbody tr", has_text="开展冬季防火安全检查")
    expect(resolution).to_contain_text(f"{len(present) - 1}/1/0")
    expect(resolution).to_contain_text("通过")
    check_width("meeting with its resolution")
    shoot(phone, screenshots, "phone-meeting", full_page=True)

    meeting = Meeting.objects.get(community=community, title="十一月两委联席会议")
    assert (meeting.entitled, meeting.attended, meeting.held) == (len(roster), len(present), True)
    attendees = set(meeting.attendance.values_list("person", flat=True))
    assert attendees == {p.pk for p in present} and absent.pk not in attendees
    assert Resolution.objects.get(meeting=meeting).passed
    assert problems == {}, f"wider than the phone: {problems}"


def test_a_resident_finds_the_board_by_name_and_reads_a_disclosure(demo, page):
    today = timezone.localdate()
    disclosure = (
        Disclosure.objects.filter(
            category=Disclosure.Category.FINANCE,
            community__code__startswith=STREET,
            published_on__lte=today,
            displayed_until__gte=today,
        )
        .select_related("community__street")
        .order_by("community__code")
        .first()
    )
    community = disclosure.community
    words = community.name.removesuffix("居民委员会").removesuffix("居委会").removesuffix("社区")

    page.goto("/")  # not logged in: the portal asks to log in, and offers the public board
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_role("link", name="居务公开栏").click()
    page.get_by_role("searchbox").fill(words)
    page.get_by_role("button", name="查找").click()
    page.get_by_role("listitem").filter(has_text=community.street.name).get_by_role(
        "link", name=community.name, exact=True
    ).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(community.name)
    current = page.get_by_role("region", name="正在公示")
    article = current.locator("article").filter(has_text=disclosure.title)
    expect(article.get_by_role("heading")).to_contain_text(disclosure.title)
    expect(article).to_contain_text(disclosure.content)
    expect(article).to_contain_text(disclosure.published_on.strftime("%Y年%-m月%-d日"))
    amount = disclosure.lines.order_by("pk").first().amount
    expect(article).to_contain_text(f"¥{amount:,.2f}")
    # Only published records appear, and nothing personal.
    expect(page.get_by_role("link", name="退出")).to_have_count(0)


def test_a_bureau_downloads_the_compliance_excel_and_it_opens_with_its_sheets(demo, page, tmp_path):
    login(page, "district")
    expect(page.get_by_role("heading", level=1)).to_contain_text("香洲区")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出合规矩阵").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    workbook = load_workbook(path)
    # The demo has exemptions, so a third sheet lists who granted them.
    assert workbook.sheetnames == ["合规矩阵", "标准说明", "豁免"]
    rows = list(workbook["合规矩阵"].iter_rows(values_only=True))
    assert rows[0][:2] == ("社区代码", "社区")
    assert {row[0] for row in rows[1:]} == set(
        Community.objects.filter(code__startswith=DISTRICT).values_list("code", flat=True)
    )
    standards = rows[0][2:]
    assert "GD-01" in standards
    assert {row[0] for row in workbook["标准说明"].iter_rows(min_row=2, values_only=True)} == set(
        standards
    )
    assert {value for row in rows[1:] for value in row[2:]} <= {"达标", "未达标", "缺少数据", ""}


def test_bad_input_shows_a_chinese_error_beside_the_field_and_keeps_what_was_typed(
    demo, page, screenshots
):
    code = Community.objects.filter(code__startswith=STREET).order_by("code").first().code
    before = Meeting.objects.count()
    login(page, "street")
    page.goto(f"/c/{code}/meetings/new/")
    page.get_by_label("会议类别").select_option(label="居民代表会议")
    page.get_by_label("会议名称").fill("居民代表会议(加装电梯)")
    page.get_by_label("会议日期").fill(timezone.localdate().isoformat())
    page.get_by_label("应到人数").fill("30")
    page.get_by_label("实到人数").fill("45")
    page.get_by_label("议题").fill("小区加装电梯方案表决")
    page.get_by_role("button", name="保存").click()

    attended = page.get_by_label("实到人数")
    expect(attended).to_have_class(re.compile(r"\bis-invalid\b"))
    error = page.locator("#id_attended ~ .invalid-feedback, #id_attended + .invalid-feedback")
    expect(error).to_have_text("实到人数不能超过应到人数(30 人)。")
    # Beside the field: just below it, in the same column.
    field_box, error_box = attended.bounding_box(), error.bounding_box()
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 20
    assert abs(error_box["x"] - field_box["x"]) < 5

    expect(page.get_by_label("会议类别")).to_have_value("representatives_meeting")
    expect(page.get_by_label("会议名称")).to_have_value("居民代表会议(加装电梯)")
    expect(page.get_by_label("应到人数")).to_have_value("30")
    expect(attended).to_have_value("45")
    expect(page.get_by_label("议题")).to_have_value("小区加装电梯方案表决")
    assert Meeting.objects.count() == before
    assert accessibility_problems(page) == []
    shoot(page, screenshots, "form-error")
