"""What every main page owes staff and residents, checked in Chromium: usable 375 px wide,
no serious accessibility problem (axe-core), empty lists that say what to do next, money,
areas and dates written the Chinese way. The screenshots of the README are taken here."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from core.models import Role
from divisions.models import Community
from governance.models import Disclosure, MajorMatter, Meeting
from tests.browser.conftest import accessibility_problems, expect, login, overflow, shoot
from tests.conftest import STREET

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _main_pages(
    code: str, meeting: int, matter: int, board: str
) -> dict[str | None, list[tuple[str, str | None]]]:
    """(url, screenshot name) by the user who opens them; None is a resident, not logged in."""
    community = f"/c/{code}"
    return {
        "street": [
            ("/", "dashboard"),  # a street office's home is its street's dashboard
            (f"{community}/", "community"),
            (f"{community}/people/", "people"),
            (f"{community}/meetings/", "meetings"),
            (f"{community}/meetings/{meeting}/", None),
            (f"{community}/disclosures/", None),
            (f"{community}/matters/", None),
            (f"{community}/matters/{matter}/", None),
            (f"{community}/services/", None),
            (f"{community}/covenants/", None),
            (f"{community}/facilities/", "facilities"),
            (f"{community}/funding/", "funding"),
            (f"{community}/tasks/", None),
            (f"{community}/training/", None),
            (f"{community}/compliance/", "compliance"),
            (f"{community}/edit/", None),
            (f"{community}/meetings/new/", None),
            (f"{community}/disclosures/new/", None),
            (f"{community}/facilities/new/", None),
            (f"/d/{STREET}/facilities/", None),
            (f"/d/{STREET}/funding/", None),
            (f"/d/{STREET}/report/", None),
            ("/communities/", None),
            ("/standards/", None),
            ("/standards/GD-01/", None),
            ("/no-such-page/", None),
        ],
        "committee": [("/", None)],  # a committee member's home: their community and reminders
        "district": [("/", None), ("/benchmarks/", None)],
        None: [
            ("/login/", None),
            ("/public/", None),
            (f"/public/?q={Community.objects.get(code=code).name[:2]}", None),
            (f"/public/{board}/", "public-board"),
        ],
    }


def test_the_main_pages_fit_a_phone_and_pass_the_accessibility_check(
    demo, page, phone, screenshots
):
    code = Community.objects.filter(code__startswith=STREET).order_by("code").first().code
    meeting = Meeting.objects.filter(community__code=code, resolutions__isnull=False).first()
    matter = MajorMatter.objects.filter(community__code=code).first()
    today = timezone.localdate()
    board = (  # a board with something on display, finances included
        Disclosure.objects.filter(
            category=Disclosure.Category.FINANCE,
            community__code__startswith=STREET,
            displayed_until__gte=today,
        )
        .order_by("community__code")
        .values_list("community__code", flat=True)
        .first()
    )
    too_wide: dict[str, list[str]] = {}
    inaccessible: dict[str, list[str]] = {}
    for user, pages in _main_pages(code, meeting.pk, matter.pk, board).items():
        for tab in (page, phone):
            tab.context.clear_cookies()
            if user:
                login(tab, user)
        for url, screenshot in pages:
            page.goto(url)
            if problems := accessibility_problems(page):
                inaccessible[f"{user} {url}"] = problems
            if screenshot:
                shoot(page, screenshots, screenshot)
            phone.goto(url)
            if problems := overflow(phone):
                too_wide[f"{user} {url}"] = problems
    assert too_wide == {}, "wider than a 375 px phone"
    assert inaccessible == {}, "serious or critical problems found by axe-core"


EMPTY_STATE_ADVICE = {
    "people/": "先“新增组织”",
    "meetings/": "点击“登记会议”",
    "disclosures/": "登记后,已公开的事项会出现在社区公开栏",
    "matters/": "点击“登记重大事项”",
    "services/": "点击“登记服务事项”",
    "covenants/": "点击“登记居民公约”",
    "facilities/": "点击“登记设施用房”",
    "funding/": "点击“登记拨付”",
    "tasks/": "就在这里登记",
    "training/": "点击“登记培训”",
    "compliance/": "保存一次社区概况",
}


def test_every_empty_list_says_what_to_do_next(zhuhai, make_user, page):
    community = Community.objects.filter(code__startswith=STREET).order_by("code").first()
    login(page, make_user(Role.STREET, STREET).username, "x")
    silent = {}
    for tab, advice in EMPTY_STATE_ADVICE.items():
        page.goto(f"/c/{community.code}/{tab}")
        said = " ".join(page.locator(".alert-info").all_inner_texts())
        if advice not in said:
            silent[tab] = said or "(no advice at all)"
    assert silent == {}


def test_money_areas_counts_and_dates_read_the_chinese_way(demo, page):
    code = Community.objects.filter(code__startswith=STREET).order_by("code").first().code
    login(page, "street")
    page.goto(f"/c/{code}/funding/")
    money = re.compile(r"¥\d{1,3}(,\d{3})*\.\d{2}")
    expect(page.locator(".stat").first).to_have_text(money)
    expect(page.locator("tbody .num").first).to_have_text(money)
    page.goto(f"/c/{code}/facilities/")
    expect(page.locator(".stat").first).to_have_text(re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)? m²$"))
    page.goto(f"/c/{code}/")
    profile = page.locator("dl.profile")
    expect(profile).to_contain_text(re.compile(r"\d{1,3}(,\d{3})+ 户"))  # 2,380 户, not 2380
    expect(profile).to_contain_text(re.compile(r"\d{4}年\d{1,2}月\d{1,2}日"))
    page.goto(f"/c/{code}/meetings/")
    expect(page.locator("tbody td").first).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
