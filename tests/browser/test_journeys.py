"""What staff and residents do, end to end, in a real browser (Chromium), one journey a test."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from compliance.engine import reevaluate_community
from compliance.models import Status
from divisions.models import Community
from elections.models import Election, ElectionCandidate
from governance.forms import roster_people
from governance.models import Disclosure, MajorMatter, MatterStep, Meeting, Resolution
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
    communities = page.get_by_role("table").filter(
        has=page.get_by_role("columnheader", name="常住户数")
    )  # the reminders above it link to communities too
    communities.get_by_role("link", name=community.name, exact=True).click()
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
    # A result, or blank where a standard does not apply; an exempted one says by whom.
    results = {str(label) for label in Status.labels} | {""}
    for value in {value or "" for row in rows[1:] for value in row[2:]}:
        assert value in results or re.fullmatch(r"(未达标|缺少数据)\(已豁免:.+\)", value), value


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


def test_a_committee_member_records_an_election_and_the_street_certifies_its_announcement(
    demo, page, screenshots
):
    # The demo committee member's community (440402001001) has its 8th round half recorded:
    # it is removed, and the member records that round from the plan on, as a user would.
    community = Community.objects.filter(code__startswith=STREET).order_by("code").first()
    code = community.code
    Election.objects.filter(community=community, certified_on__isnull=True).delete()
    today = timezone.localdate()
    adults = community.people.filter(birth_date__lte=today - datetime.timedelta(days=19 * 366))
    people = list(adults.order_by("pk")[:7])
    # (person, position, nomination, votes): 1 director, 1 deputy and 2 members to elect.
    slate = [
        (people[0], "主任", "选民联名提名", 1500),
        (people[1], "主任", "本人自荐", 480),
        (people[2], "副主任", "选民联名提名", 1300),
        (people[3], "副主任", "组织推荐", 650),
        (people[4], "委员", "选民联名提名", 1400),
        (people[5], "委员", "选民联名提名", 1200),
        (people[6], "委员", "本人自荐", 700),
    ]
    elected = [people[0], people[2], people[4], people[5]]

    login(page, "committee")
    page.goto(f"/c/{code}/")
    page.get_by_role("link", name="选举", exact=True).click()
    page.get_by_role("link", name="登记新选举").click()

    # 1 Plan.
    expect(field(page, "届次")).to_have_value("8")  # the next term after the 7th, proposed
    field(page, "选举类别").select_option(label="换届选举")
    field(page, "选举日").fill(today.isoformat())
    field(page, "选举方式").select_option(label="直接选举")
    field(page, "应选主任").fill("1")
    field(page, "应选副主任").fill("1")
    field(page, "应选委员").fill("2")
    field(page, "选举委员会组成人员").fill("主任 张明;委员 李华、王芳")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("选举计划已登记")
    steps = page.get_by_role("list", name="选举步骤")
    expect(steps.locator('[aria-current="step"]')).to_contain_text("选民登记")
    election_url = page.url

    # 2 Voter list, published 25 days before the day.
    steps.locator('[aria-current="step"]').get_by_role("link", name="去填写").click()
    field(page, "选民名单公布日期").fill((today - datetime.timedelta(days=25)).isoformat())
    field(page, "登记选民数").fill("3200")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("选民名单已登记")

    # 3 Candidates, more than the seats for each position (差额选举).
    for person, position, nomination, _votes in slate:
        page.get_by_role("link", name="登记候选人").click()
        field(page, "候选人").select_option(label=person.name)
        field(page, "竞选职务").select_option(label=position)
        field(page, "提名方式").select_option(label=nomination)
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("status")).to_contain_text("候选人已登记")
    candidates = page.get_by_role("region", name="3 候选人 与 5 计票结果")
    for person, *_rest in slate:
        expect(candidates.get_by_role("link", name=person.name, exact=True)).to_be_visible()

    # 4 Voting: the ballots.
    steps.locator('[aria-current="step"]').get_by_role("link", name="去填写").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("投票:登记选票情况")
    field(page, "发出选票").fill("2100")
    field(page, "收回选票(参加投票)").fill("2050")
    field(page, "有效票").fill("2010")
    field(page, "无效票").fill("40")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("投票情况已登记")

    # 5 Results: the votes typed in; the page tallies as they are typed, the server previews
    # who is elected, then saves and computes it.
    steps.locator('[aria-current="step"]').get_by_role("link", name="去填写").click()
    for person, _position, _nomination, votes in slate:
        page.get_by_label(person.name, exact=True).fill(str(votes))
    expect(page.locator('output[data-total-for="member"]')).to_have_text("3300")

    def tally(person):
        return page.get_by_role("row").filter(has=page.get_by_label(person.name, exact=True))

    expect(tally(people[0])).to_contain_text("达到当选票数")  # more than half of those who voted
    expect(tally(people[1])).to_contain_text("未达当选票数")
    page.get_by_role("button", name="预览当选结果").click()
    preview = page.get_by_role("region", name=re.compile("当选结果为"))
    expect(preview).to_contain_text(f"主任:{people[0].name} 当选")
    expect(preview).to_contain_text(f"委员:{people[4].name}、{people[5].name} 当选")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("当选人已按规则计算")
    for person, *_rest in slate:
        row = candidates.get_by_role("row").filter(
            has=page.get_by_role("link", name=person.name, exact=True)
        )
        expect(row.locator(".badge")).to_have_text("当选" if person in elected else "未当选")
    # Only the street office certifies: the member is offered no such button.
    expect(page.get_by_role("link", name="确认选举结果")).to_have_count(0)
    page.get_by_role("button", name="退出").click()

    # 6 The street office finds the election under way on its elections overview, and
    # certifies it.
    login(page, "street")
    page.get_by_role("link", name="换届选举", exact=True).click()
    under_way = page.get_by_role("region", name="进行中的选举")
    under_way.get_by_role("row").filter(has_text=code).get_by_role(
        "link", name="第 8 届换届选举"
    ).click()
    expect(page).to_have_url(election_url)
    page.get_by_role("link", name="确认选举结果").click()
    expect(page.get_by_role("list").filter(has_text=people[0].name)).to_contain_text(
        f"主任:{people[0].name}(1500 票)"
    )
    expect(field(page, "确认日期")).to_have_value(today.isoformat())
    page.get_by_label("已核对选举程序与计票结果,确认选举有效").check()
    page.get_by_role("button", name="确认选举结果").click()
    expect(page.get_by_role("status")).to_contain_text("选举结果已确认")
    expect(page.get_by_role("heading", level=2)).to_contain_text("已确认")

    # The printable announcement.
    page.get_by_role("link", name="打印选举结果公告").click()
    notice = page.locator("article.announcement")
    expect(notice.get_by_role("heading", level=1)).to_contain_text("第八届换届选举结果公告")
    expect(notice).to_contain_text("参加投票人数过半数,选举有效")
    expect(notice).to_contain_text(f"主任:{people[0].name}")
    expect(notice).to_contain_text(f"副主任:{people[2].name}")
    expect(notice).to_contain_text(f"委员:{people[4].name}、{people[5].name}")
    expect(notice).to_contain_text("经翠香街道办事处确认")
    # Printed, it is the announcement alone: no menu bar, no link back.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation")).to_have_count(0)
    expect(page.get_by_role("link", name="返回")).to_be_hidden()
    expect(notice.get_by_role("heading", level=1)).to_be_visible()
    shoot(page, screenshots, "election-announcement", full_page=True)

    election = Election.objects.get(community=community, certified_on__isnull=False, term_number=8)
    assert election.certified_on == today
    won = election.candidates.filter(outcome=ElectionCandidate.Outcome.ELECTED)
    assert {c.person for c in won} == set(elected)
    assert all(c.membership_id for c in won)  # on the roster now


def test_a_major_matter_goes_through_the_six_steps_in_order_and_out_of_order_is_refused(
    demo, page, screenshots
):
    community = Community.objects.filter(code__startswith=STREET).order_by("code").first()
    code = community.code
    today = timezone.localdate()

    def day(days_ago: int) -> str:
        return (today - datetime.timedelta(days=days_ago)).isoformat()

    def open_matter() -> None:
        """Back to the matter's page (kept open in a tab, say) to record the next step."""
        page.goto(matter_url)

    def next_step(name: str):
        """The matter page offers one step, the next, and nothing else."""
        section = page.get_by_role("region", name=f"登记下一步:{name}")
        expect(section).to_be_visible()
        expect(page.locator("form input[name=step]")).to_have_count(1)
        expect(page.locator("li.list-group-item-primary")).to_have_count(1)
        expect(page.locator("li.list-group-item-primary")).to_contain_text(name)
        return section

    def record_meeting(kind: str, title: str, days_ago: int, entitled: int, attended: int):
        page.get_by_role("link", name="会议与公开", exact=True).click()
        page.get_by_role("link", name="登记会议").click()
        page.get_by_label("会议类别").select_option(label=kind)
        page.get_by_label("会议名称").fill(title)
        page.get_by_label("会议日期").fill(day(days_ago))
        page.get_by_label("应到人数").fill(str(entitled))
        page.get_by_label("实到人数").fill(str(attended))
        page.get_by_label("议题").fill("小区停车场改造方案")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("status")).to_contain_text("会议已保存")

    def publish(title: str, days_ago: int) -> None:
        page.get_by_role("link", name="会议与公开", exact=True).click()
        page.get_by_role("link", name="居务公开", exact=True).click()
        page.get_by_role("link", name="登记公开事项").click()
        page.get_by_label("公开类别").select_option(label="居务公开")
        field(page, "标题").fill(title)
        page.get_by_label("公开内容").fill(f"{title}:小区停车场改造,经居民代表会议表决通过。")
        page.get_by_label("公开日期").fill(day(days_ago))
        page.get_by_label("公示截止日期").fill(day(days_ago - 10))
        page.get_by_label("公开渠道").select_option(label="居务公开栏")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("status")).to_contain_text("公开事项已保存")

    def record_step(label: str, option: str) -> None:
        """Pick the meeting, resolution or disclosure the step links to, and record it."""
        field(page, label).select_option(label=option)
        page.get_by_role("button", name="登记此步骤").click()
        expect(page.get_by_role("status")).to_contain_text("步骤已登记")

    login(page, "committee")
    page.goto(f"/c/{code}/")
    page.get_by_role("link", name="会议与公开", exact=True).click()
    page.get_by_role("link", name="重大事项(四议两公开)").click()
    page.get_by_role("link", name="登记重大事项").click()
    page.get_by_label("事项名称").fill("小区停车场改造")
    page.get_by_label("事项说明").fill("利用公共收益改造小区停车场,增加车位 40 个。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("重大事项已保存")
    page.get_by_role("link", name="小区停车场改造").click()
    matter = MajorMatter.objects.get(community=community, title="小区停车场改造")
    matter_url = page.url

    # 1 The party organization proposes. Jumping ahead (the hidden step changed, as a
    # tampered or stale form would send) is refused.
    next_step("党组织提议")
    page.get_by_label("提议日期").fill(day(30))
    page.get_by_label("提议内容").fill("社区党组织提议改造小区停车场。")
    page.locator("form input[name=step]").evaluate("input => input.value = 'result_published'")
    page.get_by_role("button", name="登记此步骤").click()
    expect(page.locator(".alert-danger")).to_contain_text("请按顺序办理:下一步应为“党组织提议”")
    assert not matter.steps.exists()
    open_matter()  # a fresh form, for the step it offers
    next_step("党组织提议")
    page.get_by_label("提议日期").fill(day(30))
    page.get_by_label("提议内容").fill("社区党组织提议改造小区停车场。")
    page.get_by_role("button", name="登记此步骤").click()
    expect(page.get_by_role("status")).to_contain_text("步骤已登记")

    # 2 The two committees confer: the meeting is recorded first, then linked. A second tab
    # opened before the step was recorded still shows its form: sent later, it is refused.
    next_step("“两委”联席会议商议")
    record_meeting("两委联席会议", "两委联席会议(停车场改造)", 25, 9, 8)
    open_matter()
    stale = page.context.new_page()
    stale.goto(page.url)
    record_step("召开的会议", f"{day(25)} 两委联席会议(停车场改造)")
    field(stale, "召开的会议").select_option(label=f"{day(25)} 两委联席会议(停车场改造)")
    stale.get_by_role("button", name="登记此步骤").click()
    expect(stale.locator(".alert-danger")).to_contain_text("请按顺序办理:下一步应为“党员大会审议”")
    stale.close()
    assert matter.steps.count() == 2

    # 3 The party members' assembly deliberates.
    next_step("党员大会审议")
    record_meeting("党员大会", "党员大会(停车场改造)", 18, 20, 16)
    open_matter()
    record_step("召开的会议", f"{day(18)} 党员大会(停车场改造)")

    # 4 The residents' representatives decide: the meeting, then its resolution.
    next_step("居民(代表)会议决议")
    record_meeting("居民代表会议", "居民代表会议(停车场改造)", 10, 30, 26)
    page.get_by_role("link", name="居民代表会议(停车场改造)").click()
    page.get_by_role("link", name="登记决议").click()
    page.get_by_label("决议事项").fill("同意改造小区停车场")
    field(page, "赞成").fill("22")
    field(page, "反对").fill("3")
    field(page, "弃权").fill("1")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("决议已登记")
    open_matter()
    record_step(
        "居民会议或居民代表会议的决议",
        f"{day(10)} 居民代表会议(停车场改造) · 同意改造小区停车场(通过)",
    )

    # 5 The resolution is published, 6 and later the result of the work.
    next_step("决议公开")
    publish("停车场改造决议公告", 9)
    open_matter()
    record_step("已公开的公开事项", f"{day(9)} 停车场改造决议公告")
    next_step("实施结果公开")
    publish("停车场改造实施结果公示", 0)
    open_matter()
    record_step("已公开的公开事项", f"{today.isoformat()} 停车场改造实施结果公示")

    expect(page.locator(".alert-success:not([role=status])")).to_have_text("六个步骤已全部完成。")
    expect(page.locator("ol.list-group .badge", has_text="已完成")).to_have_count(6)
    expect(page.get_by_role("button", name="登记此步骤")).to_have_count(0)
    shoot(page, screenshots, "matter-six-steps", full_page=True)

    assert list(matter.steps.order_by("date", "pk").values_list("step", flat=True)) == list(
        MatterStep.Step.values
    )
