"""Synthetic but plausible records on top of real divisions, from a demo to the whole country.

``generate(communities, seed=…, today=…)`` gives every community that has no organization yet a
profile (if none was recorded), a committee, a party organization, subcommittees, groups and
buildings with their leaders, full-time staff, training, a year and more of meetings,
resolutions and disclosures, funds, spending and pay, tasks and rooms; the certified general
election that elected the committee (candidates, ballots, results as the portal computes them),
a residents' covenant, public services with their six publics, and major matters taken step by
step through 四议两公开, linked to the meetings, resolutions and disclosures of their steps.

Deterministic: each community draws from its own ``random.Random(f"{seed}-{code}")``, so the
same seed and date give the same records whatever the batch size, the order of the run or the
other communities in the database. Imperfect on purpose: each community has a "diligence"
drawn once, and every lapse (a committee too small or too large, overdue training, a missing
disclosure, a room too small, funds short of the floor…) is likelier where it is low, so that
every standard has failing communities and the worst communities fail several at once.

Fast: rows are plain tuples with ids assigned here, written per batch of communities with COPY
on PostgreSQL (``compliance.intervals.insert_rows``); no model instances, no signals, no history
rows (generated data has no edit history).
"""

from __future__ import annotations

import datetime
import math
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from committees.models import Membership, Organization, Person, Training
from compliance import rollups
from compliance.intervals import insert_rows
from core.meta import model_field
from divisions.models import Community
from elections.counting import ElectionRules, Entry, compute_outcomes, election_rules
from elections.models import Election, ElectionCandidate
from facilities.models import Facility
from funding.models import Allocation, AssignedTask, Expenditure, StaffPay, WageBenchmark
from governance.models import (
    Attendance,
    Covenant,
    Disclosure,
    FinanceLine,
    MajorMatter,
    MatterStep,
    Meeting,
    PublicService,
    Resolution,
)

BATCH = 1000  # communities per transaction: bounded memory, and progress that survives a stop

Kind = Organization.Kind
Position = Membership.Position

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
    "于杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅琳建国志文海燕晓春雪婷丹辉鹏飞慧莉"
MINORITIES = (
    "壮族",
    "回族",
    "满族",
    "维吾尔族",
    "苗族",
    "彝族",
    "土家族",
    "藏族",
    "蒙古族",
    "侗族",
)
# Provinces where many communities are home to a smaller ethnic group (N18-07b).
MULTI_ETHNIC_PROVINCES = {"15", "45", "46", "52", "53", "54", "62", "63", "64", "65"}
# Pearl River Delta cities: Guangdong's higher funding floor (GD-20b's band).
PRD = ("4401", "4403", "4404", "4406", "4407", "4412", "4413", "4419", "4420")
SUBKINDS = (
    Organization.Subkind.MEDIATION,
    Organization.Subkind.SECURITY,
    Organization.Subkind.PUBLIC_HEALTH,
    Organization.Subkind.PUBLIC_WELFARE,
    Organization.Subkind.FAMILY_PLANNING,
    Organization.Subkind.CULTURE_SPORTS,
    Organization.Subkind.ELDERLY_WOMEN_CHILDREN,
)
EDUCATION = ("senior", "college", "college", "bachelor", "bachelor", "postgraduate")
# Service rooms and their share of a community's service space.
SERVICE_ROOMS = (
    (Facility.Kind.SERVICE_STATION, "社区公共服务站", 0.34),
    (Facility.Kind.CULTURE_SPORTS, "文体活动室", 0.22),
    (Facility.Kind.HEALTH, "卫生计生服务室", 0.12),
    (Facility.Kind.FAMILY_SERVICE, "家庭服务中心", 0.1),
    (Facility.Kind.STABILITY, "综治信访维稳工作站", 0.06),
    (Facility.Kind.ELDERLY_DAYCARE, "老年人日间照料中心", 0.1),
    (Facility.Kind.LIBRARY, "社区图书室", 0.06),
)
TASKS = (
    ("区卫健局", "健康宣传入户"),
    ("区人社局", "就业信息采集"),
    ("区城管局", "垃圾分类督导"),
    ("区应急管理局", "安全隐患排查"),
    ("区统计局", "经济普查入户登记"),
    ("区市场监管局", "食品安全宣传"),
)
RESOLUTIONS = ("同意小区加装电梯方案", "同意社区公益项目安排", "通过居民公约修订")
MAJORITY_RULE = "赞成票超过到会人数的 1/2(N18-09)"
# The major matter (GD-07) a representatives' resolution settles, and matters just proposed.
MATTER_OF = {
    "同意小区加装电梯方案": "小区加装电梯",
    "同意社区公益项目安排": "社区公益项目安排",
    "通过居民公约修订": "居民公约修订",
}
FRESH_MATTERS = (
    "老旧小区改造方案",
    "小区停车管理办法",
    "社区公益金使用方案",
    "小区垃圾分类收集点设置",
)
MATTER_TEXT = "涉及居民切身利益的社区重大事项,按“四议两公开”办理。"
COVENANT = "爱护公共设施,维护环境卫生;邻里互助,文明相处;遵纪守法,移风易俗;依法养犬,文明停车。"
METHODS = (Election.Method.DIRECT, Election.Method.HOUSEHOLD, Election.Method.GROUP_REPRESENTATIVE)
NO_BALLOTS = (None,) * 9  # the four counts of the first round, the re-run's day and four counts
# Public services with their six publics: content, procedure, materials, basis, time, fees.
SERVICES = (
    (
        "居住证申领",
        "居住证受理、发放",
        "申请→社区受理→派出所审核→领证",
        "身份证、居住登记凭证",
        "《居住证暂行条例》",
        "15 个工作日",
        "免费",
    ),
    (
        "高龄津贴申请",
        "80 周岁以上老人高龄津贴",
        "申请→社区初审→街道审核→区民政局审批",
        "身份证、户口簿、银行卡",
        "省高龄老人津贴制度",
        "20 个工作日",
        "免费",
    ),
    (
        "最低生活保障申请",
        "城市居民最低生活保障",
        "申请→入户调查→公示→街道审核→区民政局审批",
        "身份证、户口簿、收入证明",
        "《社会救助暂行办法》",
        "30 个工作日",
        "免费",
    ),
    (
        "生育登记",
        "生育登记服务",
        "申请→社区受理→街道办理",
        "夫妻双方身份证、结婚证",
        "《人口与计划生育法》",
        "即时办结",
        "免费",
    ),
    (
        "残疾人两项补贴申请",
        "困难残疾人生活补贴、重度残疾人护理补贴",
        "申请→社区初审→街道审核→区残联审批",
        "身份证、残疾人证、户口簿",
        "困难残疾人两项补贴制度",
        "20 个工作日",
        "免费",
    ),
    (
        "就业失业登记",
        "就业创业证办理、失业登记",
        "申请→社区受理→街道审核→发证",
        "身份证、户口簿",
        "《就业服务与就业管理规定》",
        "5 个工作日",
        "免费",
    ),
    (
        "居民医保参保登记",
        "城乡居民医疗保险参保登记",
        "申请→社区受理→医保经办机构登记",
        "身份证、户口簿",
        "《社会保险法》",
        "即时办结",
        "按年度缴费标准",
    ),
    (
        "老年人优待证办理",
        "65 周岁以上老年人优待证",
        "申请→社区受理→街道发证",
        "身份证、照片",
        "《老年人权益保障法》",
        "7 个工作日",
        "免费",
    ),
)
GAPS = ("materials", "legal_basis", "time_limit", "fees")  # the items most often left blank
EXPENSES = (
    ("office", "办公用品"),
    ("activities", "社区活动"),
    ("phone_printing", "宣传资料印刷"),
    ("facility_upkeep", "活动室维修"),
    ("staff_subsidies", "网格员补贴"),
)


@dataclass(frozen=True)
class Scale:
    name: str
    default_scope: str  # code prefix ("" = every community in the database)
    description: str


SCALES = {
    "demo": Scale("demo", "440402", "one district (香洲区 in the shipped Zhuhai slice)"),
    "city": Scale("city", "4404", "one city (珠海市, 213 communities)"),
    "national": Scale("national", "", "every community imported (124,650 in the national data)"),
}


class Table:
    """Rows of one model being generated, with ids handed out here (needed before writing, so
    that memberships can point at people and organizations written in the same COPY)."""

    def __init__(self, model: type[models.Model], columns: tuple[str, ...]):
        self.model, self.columns = model, ("id", *columns)
        self.rows: list[tuple] = []
        # _base_manager: the ids of soft-deleted rows are taken too.
        self.next_id = (model._base_manager.aggregate(m=Max("id"))["m"] or 0) + 1
        self.written = 0

    def add(self, *values) -> int:
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, *values))
        return pk

    def flush(self) -> None:
        insert_rows(self.model, self.columns, self.rows)
        self.written += len(self.rows)
        self.rows = []

    def fix_sequence(self) -> None:
        """After explicit ids, the next id Django asks PostgreSQL for must follow them."""
        if connection.vendor != "postgresql" or not self.written:
            return
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"(SELECT MAX(id) FROM {connection.ops.quote_name(table)}))",
                [table],
            )


def tables() -> dict[str, Table]:
    return {
        "organization": Table(
            Organization,
            (
                "community_id",
                "kind",
                "subkind",
                "name",
                "party_member_count",
                "established_on",
                "dissolved_on",
                "note",
            ),
        ),
        "person": Table(
            Person,
            (
                "community_id",
                "name",
                "gender",
                "birth_date",
                "ethnicity",
                "political_status",
                "education",
                "phone",
                "lives_in_community",
                "registered_in_community",
                "id_number",
                "note",
            ),
        ),
        "membership": Table(
            Membership,
            (
                "person_id",
                "organization_id",
                "position",
                "start_date",
                "end_date",
                "end_reason",
                "term_ends_on",
                "full_time",
                "source",
            ),
        ),
        "training": Table(Training, ("person_id", "date", "course", "hours", "organizer")),
        "meeting": Table(
            Meeting,
            (
                "community_id",
                "kind",
                "title",
                "date",
                "held",
                "place",
                "convened_by",
                "entitled",
                "attended",
                "agenda",
                "minutes",
            ),
        ),
        "resolution": Table(
            Resolution,
            (
                "meeting_id",
                "title",
                "text",
                "present",
                "votes_for",
                "votes_against",
                "abstentions",
                "passed",
                "rule",
                "published",
            ),
        ),
        "disclosure": Table(
            Disclosure,
            (
                "community_id",
                "category",
                "title",
                "content",
                "period_start",
                "period_end",
                "published_on",
                "displayed_until",
                "channel",
            ),
        ),
        "finance_line": Table(FinanceLine, ("disclosure_id", "direction", "item", "amount")),
        "allocation": Table(
            Allocation, ("community_id", "year", "source", "amount", "received_on", "note")
        ),
        "expenditure": Table(
            Expenditure,
            ("community_id", "year", "date", "category", "amount", "description", "approved_by"),
        ),
        "staff_pay": Table(StaffPay, ("person_id", "year", "annual_pay")),
        "task": Table(
            AssignedTask,
            (
                "community_id",
                "department",
                "title",
                "legal_basis",
                "assigned_on",
                "in_task_list",
                "approved_by",
                "approved_on",
                "funding",
                "ended_on",
            ),
        ),
        "election": Table(
            Election,
            (
                "community_id",
                "kind",
                "term_number",
                "election_day",
                "method",
                "reps_per_group",
                "seats_director",
                "seats_deputy",
                "seats_member",
                "election_committee_id",
                "election_committee_members",
                "voter_list_published_on",
                "registered_voters",
                "voting_units",
                "ballots_issued",
                "ballots_cast",
                "ballots_valid",
                "ballots_invalid",
                "rerun_day",
                "rerun_ballots_issued",
                "rerun_ballots_cast",
                "rerun_ballots_valid",
                "rerun_ballots_invalid",
                "result_rule",
                "certified_on",
                "certified_by_id",
                "term_starts_on",
                "term_ends_on",
            ),
        ),
        "candidate": Table(
            ElectionCandidate,
            (
                "election_id",
                "person_id",
                "position",
                "nomination",
                "votes",
                "rerun_votes",
                "outcome",
                "membership_id",
            ),
        ),
        "covenant": Table(
            Covenant,
            ("community_id", "title", "text", "adopted_on", "meeting_id", "filed_on", "filed_with"),
        ),
        "public_service": Table(
            PublicService,
            ("community_id", "name", *PublicService.SIX, "published_on", "withdrawn_on"),
        ),
        "matter": Table(MajorMatter, ("community_id", "title", "description")),
        "matter_step": Table(
            MatterStep,
            ("matter_id", "step", "date", "meeting_id", "resolution_id", "disclosure_id", "note"),
        ),
        "attendance": Table(Attendance, ("meeting_id", "person_id")),
        "facility": Table(
            Facility,
            (
                "community_id",
                "kind",
                "name",
                "indoor",
                "area_m2",
                "tenure",
                "annual_rent",
                "address",
                "in_use_since",
                "retired_on",
                "handed_over_on",
                "shared_use",
                "note",
            ),
        ),
    }


# --- small helpers ----------------------------------------------------------------------------


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def months_ago(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` before the month of ``day``."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def yuan(value: float) -> Decimal:
    return Decimal(int(value) if value >= 1 else 1)


def short_name(community_name: str) -> str:
    for suffix in ("社区居民委员会", "社区居委会", "居民委员会", "居委会"):
        if community_name.endswith(suffix):
            return community_name[: -len(suffix)] + "社区"
    return community_name


def average_wage(province: str) -> Decimal:
    """A plausible provincial average wage (yuan a year), fixed per province."""
    rng = random.Random(f"wage-{province}")
    return Decimal(rng.randint(70, 135) * 1000)


# --- one community ----------------------------------------------------------------------------


def profile(rng: random.Random, code: str, today: datetime.date) -> dict:
    """Households from under 100 to over 9,000, as in the source documents."""
    r = rng.random()
    if r < 0.015:
        households = rng.randint(40, 99)
    elif r < 0.03:
        households = rng.randint(9001, 12000)
    else:
        households = int(clamp(rng.lognormvariate(7.5, 0.55), 100, 9000))
    kind = rng.choices(list(Community.Kind), weights=[70, 15, 5, 10])[0]
    values: dict[str, Any] = {
        "households": households,
        "population": int(households * rng.uniform(2.3, 3.2)),
        "kind": kind,
        "established_on": datetime.date(rng.randint(1985, 2020), rng.randint(1, 12), 1),
        "multi_ethnic": rng.random() < (0.3 if code[:2] in MULTI_ETHNIC_PROVINCES else 0.03),
        "occupancy_rate": None,
        "residents_moved_in_on": None,
        "estate_floor_area_m2": None,
    }
    if kind == Community.Kind.NEW_RESIDENTIAL:
        moved_in = today - datetime.timedelta(days=rng.randint(200, 3000))
        values.update(
            established_on=moved_in + datetime.timedelta(days=rng.randint(30, 400)),
            occupancy_rate=Decimal(rng.randint(30, 98)) / 100,
            residents_moved_in_on=moved_in,
            estate_floor_area_m2=Decimal(int(households * rng.uniform(80, 130))),
        )
        if values["established_on"] > today:
            values["established_on"] = today - datetime.timedelta(days=30)
    return values


@dataclass(frozen=True)
class Context:
    """What the governance records of one community build on: its people and meetings."""

    community_id: int
    code: str
    short: str
    street: str
    households: int
    population: int
    lax: float
    place: str
    term_start: datetime.date
    term_ends: datetime.date
    overdue_term: bool
    roster: list[tuple[int, str, int]]  # the committee: (person, position, membership)
    party_people: list[int]
    election_committee: int | None
    assemblies: list[tuple[int, datetime.date, int, str]]  # (meeting, day, resolution, title)
    party_assemblies: list[tuple[int, datetime.date]]
    residents_stop: datetime.date | None  # residents' disclosures stopped from this day


class Builder:
    """Adds the rows of one community to the tables, drawing from the community's own RNG."""

    def __init__(self, t: dict[str, Table], today: datetime.date):
        self.t, self.today = t, today
        self.rules: dict[tuple[str, int], tuple[ElectionRules, str]] = {}

    def person(self, rng, community_id, *, female: float, minority: float, party: float) -> int:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        return self.t["person"].add(
            community_id,
            name,
            "female" if rng.random() < female else "male",
            datetime.date(rng.randint(1962, 1998), rng.randint(1, 12), rng.randint(1, 28)),
            rng.choice(MINORITIES) if rng.random() < minority else "汉族",
            "party_member" if rng.random() < party else "masses",
            rng.choice(EDUCATION),
            f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
            rng.random() < 0.7,
            rng.random() < 0.45,
            "",
            "",
        )

    def membership(
        self, person, org, position, start, *, term=None, full_time=False, source
    ) -> int:
        return self.t["membership"].add(
            person, org, position, start, None, "", term, full_time, source
        )

    def train(self, rng, person: int, overdue: float) -> None:
        """The latest training within a year, or (with ``overdue``) long ago or never."""
        r = rng.random()
        if r < overdue * 0.4:
            return  # never trained
        days = rng.randint(800, 1500) if r < overdue else rng.randint(10, 330)
        self.t["training"].add(
            person,
            self.today - datetime.timedelta(days=days),
            rng.choice(("社区工作业务培训", "居务公开专题培训", "基层治理能力提升班")),
            Decimal(rng.choice((4, 8, 16, 24))),
            rng.choice(("区民政局", "街道办事处", "市民政局")),
        )
        if rng.random() < 0.3:  # an older course too: the register has history
            self.t["training"].add(
                person,
                self.today - datetime.timedelta(days=days + rng.randint(200, 700)),
                "社区工作者岗前培训",
                Decimal(16),
                "区民政局",
            )

    def community(
        self, community_id: int, code: str, name: str, values: dict, seed, street: str = ""
    ) -> None:
        t, today = self.t, self.today
        rng = random.Random(f"{seed}-{code}")
        rng.random()  # the profile drew from its own stream; keep this one independent of it
        diligence = rng.random()
        lax = (1 - diligence) ** 2  # 0 for the best communities, 1 for the worst
        households = values["households"] or 1000
        kind = values["kind"]
        short = short_name(name)
        org = t["organization"]

        # -- organizations and people ---------------------------------------------------------
        no_committee = kind == Community.Kind.NEW_RESIDENTIAL and rng.random() < 0.2
        # The general election of this round: most communities held theirs in spring, some are
        # overdue (their committee is still the one elected five years before, its term over).
        overdue_term = rng.random() < 0.12 + 0.1 * lax
        term_start = datetime.date(today.year, rng.randint(3, 6), rng.randint(1, 28))
        if term_start > today:
            term_start = datetime.date(today.year - 1, term_start.month, term_start.day)
        if overdue_term:
            term_start = term_start.replace(year=term_start.year - 5)
        term_ends = term_start.replace(year=term_start.year + 5)
        female = 0.05 if rng.random() < 0.08 + 0.1 * lax else 0.55
        minority = 0.25 if values["multi_ethnic"] else 0.02
        overdue = 0.005 + 0.1 * lax
        committee_people: list[int] = []
        roster: list[tuple[int, str, int]] = []  # (person, position, membership): the elected
        full_time_committee: list[int] = []
        if not no_committee:
            committee = org.add(
                community_id,
                Kind.RESIDENTS_COMMITTEE,
                "",
                name,
                None,
                values["established_on"],
                None,
                "",
            )
            members = int(clamp(round(rng.gauss(7, 1.55)), 3, 11))
            for i in range(members):
                person = self.person(rng, community_id, female=female, minority=minority, party=0.7)
                committee_people.append(person)
                position = (
                    Position.DIRECTOR
                    if i == 0
                    else Position.DEPUTY_DIRECTOR
                    if i <= 2
                    else Position.MEMBER
                )
                full_time = i <= 2 or rng.random() < 0.5
                if full_time:
                    full_time_committee.append(person)
                roster.append(
                    (
                        person,
                        position,
                        self.membership(
                            person,
                            committee,
                            position,
                            term_start,
                            term=term_ends,
                            full_time=full_time,
                            source=Membership.Source.ELECTED,
                        ),
                    )
                )
                self.train(rng, person, overdue)

        # The party organization: its kind follows its members (BY-02), mostly.
        party_members = max(3, int(households * rng.uniform(0.015, 0.06)))
        party_kind = (
            Kind.PARTY_COMMITTEE
            if party_members > 150
            else Kind.PARTY_GENERAL_BRANCH
            if party_members > 50
            else Kind.PARTY_BRANCH
        )
        if rng.random() < 0.05 + 0.1 * lax:
            party_kind = rng.choice([k for k in Organization.PARTY_KINDS if k != party_kind])
        party = org.add(
            community_id, party_kind, "", short + "党组织", party_members, None, None, ""
        )
        size = {Kind.PARTY_BRANCH: (3, 5), Kind.PARTY_GENERAL_BRANCH: (5, 7)}.get(
            party_kind, (5, 9)
        )
        party_size = rng.randint(*size)
        if party_kind == Kind.PARTY_COMMITTEE and rng.random() < 0.15 + 0.2 * lax:
            party_size = rng.choice((3, 4, 10, 11))  # SD-08's 5–9
        party_people: list[int] = []
        for i in range(party_size):
            # Cross-appointment (交叉任职): the director is often also the secretary.
            if i < len(committee_people) and rng.random() < (0.7 if i == 0 else 0.4):
                person = committee_people[i]
            else:
                person = self.person(rng, community_id, female=0.45, minority=minority, party=1)
            party_people.append(person)
            position = (
                Position.SECRETARY
                if i == 0
                else Position.DEPUTY_SECRETARY
                if i == 1
                else Position.MEMBER
            )
            self.membership(
                person,
                party,
                position,
                term_start,
                term=term_ends,
                source=Membership.Source.ELECTED,
            )

        for subkind in SUBKINDS:
            base = 0.99 if subkind in SUBKINDS[:3] else 0.975
            if rng.random() < base - 0.12 * lax:
                org.add(
                    community_id,
                    Kind.SUBCOMMITTEE,
                    subkind,
                    str(Organization.Subkind(subkind).label),
                    None,
                    None,
                    None,
                    "",
                )
        hall = rng.random() < (0.75 if code.startswith("37") else 0.1)
        station = None
        if rng.random() < 0.96 - 0.15 * lax:
            station = org.add(
                community_id,
                Kind.SERVICE_HALL if hall else Kind.SERVICE_STATION,
                "",
                short + ("一站式服务大厅" if hall else "公共服务站"),
                None,
                None,
                None,
                "",
            )
        # The bodies of the 2025 law, set up with (or before) the 2026 election.
        bodies: dict[str, int] = {}
        for body, label, share in (
            (Kind.ELECTION_COMMITTEE, "居民选举委员会", 0.97),
            (Kind.REPRESENTATIVES_ASSEMBLY, "居民代表会议", 0.98),
            (Kind.SUPERVISION_COMMITTEE, "居务监督委员会", 0.97),
        ):
            if rng.random() < share - 0.15 * lax:
                bodies[body] = org.add(
                    community_id,
                    body,
                    "",
                    short + label,
                    None,
                    term_start - datetime.timedelta(days=60),
                    None,
                    "",
                )
        groups = int(clamp(households // 400, 1, 6))
        buildings = rng.randint(1, 4)
        # A share have no group leaders, or no building leaders, on record (GD-03).
        leaderless = None
        if rng.random() < 0.03 + 0.1 * lax:
            leaderless = rng.choice((Kind.RESIDENTS_GROUP, Kind.BUILDING))
        for kind_, label, count, position in (
            (Kind.RESIDENTS_GROUP, "第%d居民小组", groups, Position.GROUP_LEADER),
            (Kind.BUILDING, "%d号楼", buildings, Position.BUILDING_LEADER),
        ):
            for number in range(1, count + 1):
                group = org.add(community_id, kind_, "", label % number, None, None, None, "")
                if kind_ == leaderless:
                    continue
                leader = self.person(rng, community_id, female=0.5, minority=minority, party=0.4)
                self.membership(
                    leader, group, position, term_start, source=Membership.Source.ELECTED
                )

        # Full-time staff: about one per 300 households (GD-10a), often fewer.
        needed = math.ceil(households / 300)
        staff = max(1, round(needed * rng.lognormvariate(0.12 - 0.25 * lax, 0.22)))
        staff_people = []
        host = station or party
        for _i in range(max(0, staff - len(full_time_committee))):
            person = self.person(rng, community_id, female=0.65, minority=minority, party=0.5)
            staff_people.append(person)
            self.membership(
                person,
                host,
                Position.STAFF,
                today - datetime.timedelta(days=rng.randint(60, 3000)),
                full_time=True,
                source=Membership.Source.RECRUITED,
            )
            self.train(rng, person, overdue)
        # Pay of the full-time people: around the provincial average wage (GD-20a).
        level = rng.gauss(1.12 - 0.12 * lax, 0.08)
        wage = float(average_wage(code[:2]))
        paid = full_time_committee + staff_people
        if rng.random() > 0.03:
            for person in paid:
                t["staff_pay"].add(person, today.year, yuan(wage * level * rng.uniform(0.97, 1.1)))
                if rng.random() < 0.3:
                    t["staff_pay"].add(person, today.year - 1, yuan(wage * level * 0.95))

        # -- meetings and resolutions ----------------------------------------------------------
        meeting = t["meeting"]
        place = short + "议事厅"
        skip = 0.02 + 0.3 * lax
        for back in range(13, 0, -1):  # the council, monthly (BY-04)
            first = months_ago(today, back)
            if rng.random() < skip:
                continue
            meeting.add(
                community_id,
                Meeting.Kind.COUNCIL,
                f"{first.month}月居民议事协调会",
                first + datetime.timedelta(days=rng.randint(4, 24)),
                True,
                place,
                "居委会主任",
                11,
                rng.randint(6, 11),
                "社区月度议事",
                "",
            )
        assemblies: list[tuple[int, datetime.date, int, str]] = []  # (meeting, day, resolution…)
        for back in (10, 4):  # residents' representatives twice a year (N18-09)
            day = months_ago(today, back) + datetime.timedelta(days=rng.randint(0, 25))
            entitled = rng.randint(35, 90)
            if rng.random() < 0.03 + 0.08 * lax:
                attended = rng.randint(entitled // 4, entitled // 2)  # no quorum
            else:
                attended = rng.randint(entitled // 2 + 1, entitled)
            held = meeting.add(
                community_id,
                Meeting.Kind.REPRESENTATIVES,
                "居民代表会议",
                day,
                True,
                place,
                "居委会",
                entitled,
                attended,
                "社区公共事务",
                "",
            )
            votes = rng.randint(attended // 2 + 1, attended)
            passed = True
            if rng.random() < 0.02 + 0.04 * lax:
                votes = rng.randint(attended // 4, attended // 2)  # recorded as passed anyway
            title = rng.choice(RESOLUTIONS)
            resolution = t["resolution"].add(
                held,
                title,
                "",
                attended,
                votes,
                attended - votes,
                0,
                passed,
                MAJORITY_RULE,
                rng.random() < 0.85,
            )
            assemblies.append((held, day, resolution, title))
        if rng.random() < 0.93 - 0.25 * lax:  # a democratic appraisal (N25-bodies)
            day = months_ago(today, rng.randint(1, 10)) + datetime.timedelta(days=10)
            meeting.add(
                community_id,
                Meeting.Kind.APPRAISAL,
                "民主评议会",
                day,
                True,
                place,
                "居务监督委员会",
                60,
                rng.randint(35, 60),
                "民主评议居委会成员",
                "",
            )
        party_assemblies: list[tuple[int, datetime.date]] = []
        for back in (11, 5):  # each a month before a representatives' meeting
            day = months_ago(today, back) + datetime.timedelta(days=rng.randint(0, 25))
            party_assemblies.append(
                (
                    meeting.add(
                        community_id,
                        Meeting.Kind.PARTY_ASSEMBLY,
                        "党员大会",
                        day,
                        True,
                        place,
                        "党组织书记",
                        party_members,
                        rng.randint(party_members // 2 + 1, party_members),
                        "学习与组织生活",
                        "",
                    ),
                    day,
                )
            )

        # -- disclosures: each category once a quarter (GD-09's 92 days) ------------------------
        stops = {c: rng.random() < 0.03 + 0.15 * lax for c in ("party", "residents", "finance")}
        start_q = months_ago(today, (today.month - 1) % 3)  # first day of this quarter
        for back in range(5, 0, -1):
            q_start = months_ago(start_q, 3 * back)
            q_end = months_ago(start_q, 3 * back - 3) - datetime.timedelta(days=1)
            for category, title in (
                ("party", "党务公开"),
                ("residents", "居务公开"),
                ("finance", "财务收支公开"),
            ):
                if stops[category] and back <= 2:
                    continue  # stopped publishing for the last two quarters
                if rng.random() < 0.01:
                    continue
                published = q_end + datetime.timedelta(days=rng.randint(3, 20))
                if published > today:
                    continue
                disclosure = t["disclosure"].add(
                    community_id,
                    category,
                    f"{q_start.year}年第{(q_start.month + 2) // 3}季度{title}",
                    f"{short}{title}事项,请居民监督。",
                    q_start,
                    q_end,
                    published,
                    published + datetime.timedelta(days=30),
                    "board",
                )
                if category == "finance":
                    income = yuan(households * rng.uniform(5, 25))
                    t["finance_line"].add(disclosure, "income", "上级拨付工作经费", income)
                    t["finance_line"].add(
                        disclosure, "spending", "办公及活动支出", yuan(float(income) * 0.8)
                    )

        # -- funds: around the floor that applies here ------------------------------------------
        rate = (
            60
            if code.startswith(PRD)
            else 30
            if code.startswith("44")
            else 20
            if code.startswith("37")
            else 10
            if code.startswith("42")
            else 25
        )
        for year in (today.year - 1, today.year):
            if year == today.year and rng.random() < 0.04 + 0.1 * lax:
                continue  # nothing recorded yet this year
            total = households * rate * rng.lognormvariate(0.18 - 0.2 * lax, 0.22)
            for source, share, month in (
                ("district_finance", 0.6, 2),
                ("street_finance", 0.4, 7),
            ):
                received = datetime.date(year, month, rng.randint(1, 28))
                if received <= today:
                    t["allocation"].add(
                        community_id, year, source, yuan(total * share), received, ""
                    )
            if rng.random() < 0.04:
                t["allocation"].add(
                    community_id,
                    year,
                    "fundraising",
                    yuan(rng.randint(5, 50) * 1000),
                    datetime.date(year, 5, 20),
                    "公益项目募集",
                )
        for back in range(12, 0, -1):
            first = months_ago(today, back)
            category, description = EXPENSES[rng.randrange(len(EXPENSES))]
            t["expenditure"].add(
                community_id,
                first.year,
                first + datetime.timedelta(days=14),
                category,
                yuan(rng.uniform(300, 6000)),
                description,
                "居委会主任",
            )
        for _i in range(rng.choice((0, 0, 1, 1, 2, 3))):
            department, title = TASKS[rng.randrange(len(TASKS))]
            approved = rng.random() < 0.8 - 0.4 * lax
            assigned = months_ago(today, rng.randint(1, 10))
            t["task"].add(
                community_id,
                department,
                title,
                "",
                assigned,
                rng.random() < 0.5,
                "街道办事处" if approved else "",
                assigned if approved else None,
                yuan(rng.randint(2, 20) * 1000) if rng.random() < 0.88 - 0.35 * lax else None,
                None,
            )

        # -- rooms: about 30 m² of service space per 100 households (P14), sometimes less -------
        facility = t["facility"]
        service = households * 0.32 * rng.lognormvariate(0.1 - 0.35 * lax, 0.3)
        since = datetime.date(rng.randint(2005, 2022), rng.randint(1, 12), 1)

        def room(kind_, label, indoor, area, tenure=None):
            tenure = tenure or rng.choice(("owned", "owned", "allocated", "rented", "borrowed"))
            facility.add(
                community_id,
                kind_,
                label,
                indoor,
                Decimal(max(10, int(area))),
                tenure,
                yuan(rng.randint(20, 120) * 1000) if tenure == "rented" else None,
                "",
                since,
                None,
                None,
                rng.random() < 0.3,
                "",
            )

        room(Facility.Kind.OFFICE, "社区办公室", True, rng.uniform(60, 200))
        for room_kind, label, share in SERVICE_ROOMS:
            if rng.random() < 0.985 - 0.15 * lax:
                room(room_kind, label, True, service * share)
        if rng.random() < 0.98 - 0.15 * lax:
            room(
                Facility.Kind.SQUARE_PARK,
                "社区小广场",
                False,
                households * 0.33 * rng.lognormvariate(0.3 - 0.4 * lax, 0.3),
            )
        if kind == Community.Kind.NEW_RESIDENTIAL:
            moved_in = values["residents_moved_in_on"] or today
            facility.add(
                community_id,
                Facility.Kind.OFFICE,
                "开发商移交社区用房",
                True,
                Decimal(rng.randint(150, 400)),
                "developer_free",
                None,
                "",
                moved_in,
                None,
                moved_in + datetime.timedelta(days=rng.choice((10, 20, 25, 45, 90))),
                False,
                "",
            )
            estate = float(values["estate_floor_area_m2"] or households * 100)
            room(
                Facility.Kind.PROPERTY_SERVICE,
                "物业服务用房",
                True,
                max(60, estate * 0.003 * rng.lognormvariate(0.05, 0.3)),
            )
        residents_stop = None
        if stops["residents"]:  # the community stopped publishing two quarters ago
            residents_stop = months_ago(start_q, 6) + datetime.timedelta(days=21)
        c = Context(
            community_id,
            code,
            short,
            street,
            households,
            values["population"] or int(households * 2.6),
            lax,
            place,
            term_start,
            term_ends,
            overdue_term,
            roster,
            party_people,
            bodies.get(Kind.ELECTION_COMMITTEE),
            assemblies,
            party_assemblies,
            residents_stop,
        )
        self.elections(rng, c)
        self.covenant(rng, c)
        self.public_services(rng, c)
        self.major_matters(rng, c)

    # -- elections (EL-*, N25-vl/cand/term, N18-08a/b/c) ---------------------------------------

    def election_rules(self, code: str, day: datetime.date) -> tuple[ElectionRules, str]:
        """The thresholds in force and their cite (frozen with the results, as the election
        pages do), read once per province and year."""
        key = (code[:2], day.year)
        if key not in self.rules:
            rules = election_rules(code, day)
            self.rules[key] = (rules, str(rules.cite)[:200])
        return self.rules[key]

    def elections(self, rng: random.Random, c: Context) -> None:
        """The certified general election that elected the current committee, on the day its
        term started (the re-run's day when there was one), with its candidates, ballots and
        results as the portal computes them, the elected linked to their memberships.

        Lapses, likelier where diligence is low: the voter list published fewer than 20 days
        before (EL-list, N25-vl), no more candidates than seats for some position (EL-cand,
        N25-cand), a seat left vacant without a re-run (EL-rerun), four representatives per
        group (N18-08a); the overdue communities (term over, N25-term) have a new election that
        failed for want of turnout (EL-valid: the latest held, never certified), one being
        prepared, or nothing. A community without a committee has its first election being
        prepared."""
        t, today = self.t, self.today
        members = "主任 " + self.name(rng) + ";委员 " + self.name(rng) + "、" + self.name(rng)
        if not c.roster:
            day = today + datetime.timedelta(days=rng.randint(15, 90))
            published = day - datetime.timedelta(days=rng.randint(20, 30))
            known = published <= today
            t["election"].add(
                c.community_id,
                Election.Kind.GENERAL,
                1,
                day,
                Election.Method.DIRECT,
                None,
                1,
                1,
                rng.randint(3, 5),
                c.election_committee,
                members,
                published if known else None,
                self.voters(rng, c) if known else None,
                None,
                *NO_BALLOTS,
                "",
                None,
                None,
                None,
                None,
            )
            return
        term_number = rng.randint(6, 8) + (0 if c.overdue_term else 1)
        seats = Counter(position for _p, position, _m in c.roster)
        method, reps = self.method(rng, c)
        registered, units = self.electorate(rng, c, method)
        electorate = units or registered
        # The first round, or a re-run (另行选举) for a member who fell short of half.
        rerun_for = None
        if rng.random() < 0.08:
            rerun_for = next(
                (p for p, pos, _m in reversed(c.roster) if pos != Position.DIRECTOR), None
            )
        vacancy = rerun_for is None and rng.random() < 0.02 + 0.06 * c.lax
        if vacancy:  # one seat more than were filled, left empty without a re-run (EL-rerun)
            seats[Position.MEMBER] += 1
        final_day = c.term_start
        day = final_day - datetime.timedelta(days=rng.choice((0, 0, 7, 14)) if rerun_for else 0)
        published = day - datetime.timedelta(days=self.lead(rng, c))
        ballots = self.ballots(rng, electorate, 0.72, 0.95)
        cast, valid = ballots[1], ballots[2]
        tight = rng.random() < 0.04 + 0.15 * c.lax  # 等额: no more candidates than seats
        tight_position = rng.choice(sorted(seats)) if tight and rng.random() < 0.6 else None
        candidates: list[list] = []  # [person, position, nomination, votes, rerun, membership]
        for position in (Position.DIRECTOR, Position.DEPUTY_DIRECTOR, Position.MEMBER):
            if not seats[position]:
                continue
            elected = [(p, m) for p, pos, m in c.roster if pos == position and p != rerun_for]
            losers = [rerun_for] if rerun_for and position == self.position_of(c, rerun_for) else []
            extra = 0 if tight and tight_position in (None, position) else rng.choice((1, 1, 2))
            if vacancy and position == Position.MEMBER:
                extra = max(extra, 1)
            losers += [self.candidate_person(rng, c) for _i in range(extra)]
            used = 0
            for person, membership in elected:
                votes = min(valid, max(int(valid * rng.uniform(0.56, 0.85)), cast // 2 + 1))
                used += votes
                candidates.append(
                    [person, position, self.nomination(rng, method), votes, None, membership]
                )
            room = max(0, valid * seats[position] - used) // max(1, len(losers))
            for person in losers:
                votes = min(int(cast * rng.uniform(0.05, 0.45)), cast // 2, room)
                held = next((m for p, _pos, m in c.roster if p == person), None)
                candidates.append(
                    [person, position, self.nomination(rng, method), votes, None, held]
                )
        rerun: tuple = NO_BALLOTS[5:]
        rerun_day = None
        if rerun_for is not None:
            rerun_day = final_day
            rerun = self.ballots(rng, electorate, 0.6, 0.9)
            rerun_cast, rerun_valid = rerun[1], rerun[2]
            share = rng.uniform(0.45, 0.7)
            mine = [
                row
                for row in candidates
                if row[1] == self.position_of(c, rerun_for) and row[3] * 2 <= cast
            ]
            for row in mine:
                if row[0] == rerun_for:
                    row[4] = max(int(rerun_valid * share), -(-rerun_cast // 3))
                else:
                    row[4] = int(rerun_valid * (1 - share) * rng.uniform(0.1, 0.9) / len(mine))
        rules, cite = self.election_rules(c.code, final_day)
        results = compute_outcomes(
            dict(seats),
            [Entry(i, row[1], row[3], row[4]) for i, row in enumerate(candidates)],
            cast,
            rerun[1] if rerun_for else None,
            rules,
        )
        election = t["election"].add(
            c.community_id,
            Election.Kind.GENERAL,
            term_number,
            day,
            method,
            reps,
            seats[Position.DIRECTOR],
            seats[Position.DEPUTY_DIRECTOR],
            seats[Position.MEMBER],
            c.election_committee,
            members,
            published,
            registered,
            units,
            *ballots,
            rerun_day,
            *rerun,
            cite,
            min(today, final_day + datetime.timedelta(days=rng.randint(1, 12))),
            None,
            final_day,
            c.term_ends,
        )
        for i, (person, position, nomination, votes, rerun_votes, membership) in enumerate(
            candidates
        ):
            outcome = results.outcomes[i]
            t["candidate"].add(
                election,
                person,
                position,
                nomination,
                votes,
                rerun_votes,
                outcome,
                membership if outcome in ElectionCandidate.ELECTED_OUTCOMES else None,
            )
        if c.overdue_term:
            self.next_election(rng, c, term_number + 1, method, reps, seats, members)

    def next_election(
        self,
        rng,
        c: Context,
        term_number: int,
        method: str,
        reps: int | None,
        seats: Counter,
        members: str,
    ) -> None:
        """The election an overdue community has not completed: held but void for want of
        turnout (never certified), being prepared, or not even planned."""
        t, today = self.t, self.today
        r = rng.random()
        lo, hi = c.term_ends - datetime.timedelta(days=20), today - datetime.timedelta(days=3)
        if r < 0.45 and lo <= hi:
            day = lo + datetime.timedelta(days=rng.randint(0, (hi - lo).days))
            registered, units = self.electorate(rng, c, method)
            electorate = units or registered
            cast = max(1, int(electorate * rng.uniform(0.25, 0.49)))
            if cast * 2 > electorate:
                cast = electorate // 2
            issued = min(electorate, cast + rng.randint(0, cast // 20 + 1))
            invalid = rng.randint(0, cast // 60)
            election = t["election"].add(
                c.community_id,
                Election.Kind.GENERAL,
                term_number,
                day,
                method,
                reps,
                seats[Position.DIRECTOR],
                seats[Position.DEPUTY_DIRECTOR],
                seats[Position.MEMBER],
                c.election_committee,
                members,
                day - datetime.timedelta(days=self.lead(rng, c)),
                registered,
                units,
                issued,
                cast,
                cast - invalid,
                invalid,
                *NO_BALLOTS[4:],
                "",
                None,
                None,
                None,
                None,
            )
            # Void: the votes were never counted, so the candidates have none.
            for person, position, _m in c.roster:
                t["candidate"].add(
                    election,
                    person,
                    position,
                    self.nomination(rng, method),
                    None,
                    None,
                    "",
                    None,
                )
            for position, n in seats.items():
                for _i in range(n and rng.choice((1, 2))):
                    t["candidate"].add(
                        election,
                        self.candidate_person(rng, c),
                        position,
                        self.nomination(rng, method),
                        None,
                        None,
                        "",
                        None,
                    )
        elif r < 0.75:
            day = today + datetime.timedelta(days=rng.randint(10, 60))
            published = day - datetime.timedelta(days=rng.randint(20, 30))
            known = published <= today
            t["election"].add(
                c.community_id,
                Election.Kind.GENERAL,
                term_number,
                day,
                method,
                reps,
                seats[Position.DIRECTOR],
                seats[Position.DEPUTY_DIRECTOR],
                seats[Position.MEMBER],
                c.election_committee,
                members,
                published if known else None,
                self.voters(rng, c) if known else None,
                None,
                *NO_BALLOTS,
                "",
                None,
                None,
                None,
                None,
            )

    def name(self, rng: random.Random) -> str:
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))

    def voters(self, rng: random.Random, c: Context) -> int:
        """Registered voters: the adults who registered, about seven in ten residents."""
        return max(30, int(c.population * rng.uniform(0.62, 0.8)))

    def electorate(self, rng: random.Random, c: Context, method: str) -> tuple[int, int | None]:
        registered = self.voters(rng, c)
        if method == Election.Method.HOUSEHOLD:
            return registered, min(registered, max(1, int(c.households * rng.uniform(0.85, 1))))
        if method == Election.Method.GROUP_REPRESENTATIVE:
            return registered, min(registered, rng.randint(30, 120))
        return registered, None

    def method(self, rng: random.Random, c: Context) -> tuple[str, int | None]:
        method = rng.choices(METHODS, weights=(72, 16, 12))[0]
        if method != Election.Method.GROUP_REPRESENTATIVE:
            return method, None
        # The law says two or three per group; now and then four (N18-08a).
        return method, 4 if rng.random() < 0.05 + 0.3 * c.lax else rng.choice((2, 3))

    def lead(self, rng: random.Random, c: Context) -> int:
        """Days between the voter list and election day: 20 or more, except the late ones."""
        if rng.random() < 0.03 + 0.12 * c.lax:
            return rng.randint(7, 19)
        return rng.randint(20, 35)

    @staticmethod
    def ballots(rng: random.Random, electorate: int, low: float, high: float) -> tuple:
        issued = max(1, int(electorate * rng.uniform(low, high)))
        cast = issued - rng.randint(0, issued // 50)
        invalid = rng.randint(0, cast // 60)
        return issued, cast, cast - invalid, invalid

    @staticmethod
    def position_of(c: Context, person: int) -> str:
        return next(pos for p, pos, _m in c.roster if p == person)

    @staticmethod
    def nomination(rng: random.Random, method: str) -> str:
        if method == Election.Method.HOUSEHOLD:
            return rng.choice(("households", "households", "organization"))
        if method == Election.Method.GROUP_REPRESENTATIVE:
            return rng.choice(("representatives", "representatives", "organization"))
        return rng.choice(("voters", "voters", "organization", "self"))

    def candidate_person(self, rng: random.Random, c: Context) -> int:
        """A resident standing without being elected (recorded with the community's people)."""
        return self.person(rng, c.community_id, female=0.5, minority=0.05, party=0.4)

    # -- covenant (N18-15), public services (GD-17), major matters (GD-07) -----------------------

    def assembly(self, rng, c: Context, day: datetime.date, agenda: str, title: str) -> tuple:
        """A quorate representatives' meeting on ``day`` and its passed resolution."""
        entitled = rng.randint(35, 90)
        attended = rng.randint(entitled // 2 + 1, entitled)
        meeting = self.t["meeting"].add(
            c.community_id,
            Meeting.Kind.REPRESENTATIVES,
            "居民代表会议",
            day,
            True,
            c.place,
            "居委会",
            entitled,
            attended,
            agenda,
            "",
        )
        votes = rng.randint(attended // 2 + 1, attended)
        resolution = self.t["resolution"].add(
            meeting, title, "", attended, votes, attended - votes, 0, True, MAJORITY_RULE, True
        )
        return meeting, resolution

    def covenant(self, rng: random.Random, c: Context) -> None:
        """Most communities adopted a covenant at a residents' (representatives') meeting years
        ago and filed it; some never adopted one, some did not file it or left no meeting on
        record (N18-15)."""
        if rng.random() < 0.05 + 0.15 * c.lax:
            return
        today = self.today
        adopted = datetime.date(
            rng.randint(today.year - 9, today.year - 1), rng.randint(1, 12), rng.randint(1, 28)
        )
        meeting = None
        if rng.random() >= 0.02 + 0.06 * c.lax:
            meeting, _resolution = self.assembly(
                rng, c, adopted, "讨论制定居民公约", "通过居民公约"
            )
        filed = rng.random() >= 0.03 + 0.1 * c.lax
        self.t["covenant"].add(
            c.community_id,
            "居民公约",
            COVENANT,
            adopted,
            meeting,
            adopted + datetime.timedelta(days=rng.randint(5, 40)) if filed else None,
            (c.street or "区人民政府") if filed else "",
        )

    def public_services(self, rng: random.Random, c: Context) -> None:
        """Two to five public services with their six publics; in some communities one of them
        leaves an item blank (GD-17); a few list none."""
        if rng.random() < 0.03 + 0.08 * c.lax:
            return
        chosen = rng.sample(SERVICES, rng.randint(2, 5))
        gap = rng.randrange(len(chosen)) if rng.random() < 0.04 + 0.2 * c.lax else None
        for i, (name, *items) in enumerate(chosen):
            if i == gap:
                items[PublicService.SIX.index(rng.choice(GAPS))] = ""
            published = self.today - datetime.timedelta(days=rng.randint(30, 1500))
            withdrawn = None
            if rng.random() < 0.03:  # no longer handled here: out of the rule's view
                withdrawn = published + datetime.timedelta(days=rng.randint(20, 400))
                if withdrawn > self.today:
                    withdrawn = None
            self.t["public_service"].add(c.community_id, name, *items, published, withdrawn)

    def major_matters(self, rng: random.Random, c: Context) -> None:
        """Most representatives' resolutions settle a major matter taken through 四议两公开:
        a proposal, a joint meeting of the two committees (with its attendance list), the
        party assembly held a month before, the resolution, its publication and the result's.
        Some matters stall with their next step waiting far more than 30 days (GD-07), and none
        is published once the community stopped publishing; a few matters are just starting."""
        today = self.today
        for (meeting, day, resolution, title), (party, party_day) in zip(
            c.assemblies, c.party_assemblies, strict=True
        ):
            if rng.random() < 0.3:
                continue  # ordinary business, not a major matter
            subject = MATTER_OF[title]
            joint_day = party_day - datetime.timedelta(days=rng.randint(5, 20))
            proposal_day = joint_day - datetime.timedelta(days=rng.randint(3, 15))
            published = day + datetime.timedelta(days=rng.randint(2, 10))
            result = min(published + datetime.timedelta(days=rng.randint(10, 45)), today)
            steps = 6
            if rng.random() < 0.02 + 0.08 * c.lax:
                steps = rng.randint(1, 5)  # stalled: every step here is months old
            if c.residents_stop is not None:
                if result >= c.residents_stop:
                    steps = min(steps, 5)
                if published >= c.residents_stop:
                    steps = min(steps, 4)
            matter = self.t["matter"].add(c.community_id, subject, MATTER_TEXT)
            add = self.t["matter_step"].add
            add(matter, "proposal", proposal_day, None, None, None, f"社区党组织提议:{subject}。")
            if steps >= 2:
                add(
                    matter,
                    "joint_meeting",
                    joint_day,
                    self.joint_meeting(rng, c, joint_day, subject),
                    None,
                    None,
                    "",
                )
            if steps >= 3:
                add(matter, "party_assembly", party_day, party, None, None, "")
            if steps >= 4:
                add(matter, "residents_resolution", day, meeting, resolution, None, "")
            if steps >= 5:
                add(
                    matter,
                    "resolution_published",
                    published,
                    None,
                    None,
                    self.notice(c, f"关于{subject}的决议公告", published),
                    "",
                )
            if steps >= 6:
                add(
                    matter,
                    "result_published",
                    result,
                    None,
                    None,
                    self.notice(c, f"{subject}实施结果公告", result),
                    "",
                )
        if rng.random() < 0.25 + 0.1 * c.lax:  # one just proposed, or forgotten since
            subject = rng.choice(FRESH_MATTERS)
            stalled = rng.random() < 0.05 + 0.2 * c.lax
            proposal_day = today - datetime.timedelta(
                days=rng.randint(45, 150) if stalled else rng.randint(2, 28)
            )
            matter = self.t["matter"].add(c.community_id, subject, MATTER_TEXT)
            self.t["matter_step"].add(
                matter, "proposal", proposal_day, None, None, None, f"社区党组织提议:{subject}。"
            )

    def joint_meeting(self, rng, c: Context, day: datetime.date, subject: str) -> int:
        """A joint meeting of the two committees, with the list of those present."""
        roster = list(dict.fromkeys([p for p, _pos, _m in c.roster] + c.party_people))
        present = [p for p in roster if rng.random() < 0.88]
        if len(present) * 2 <= len(roster):
            present = roster[: len(roster) // 2 + 1]
        meeting = self.t["meeting"].add(
            c.community_id,
            Meeting.Kind.JOINT,
            "“两委”联席会议",
            day,
            True,
            c.place,
            "党组织书记",
            len(roster),
            len(present),
            f"商议{subject}",
            "",
        )
        for person in present:
            self.t["attendance"].add(meeting, person)
        return meeting

    def notice(self, c: Context, title: str, day: datetime.date) -> int:
        return self.t["disclosure"].add(
            c.community_id,
            "residents",
            title,
            f"{c.short}{title},请居民监督。",
            None,
            None,
            day,
            day + datetime.timedelta(days=15),
            "board",
        )


# --- the run ----------------------------------------------------------------------------------

PROFILE_FIELDS = (
    "households",
    "population",
    "kind",
    "established_on",
    "multi_ethnic",
    "occupancy_rate",
    "residents_moved_in_on",
    "estate_floor_area_m2",
)


def update_profiles(rows: list[tuple]) -> None:
    """Set the profile of many communities: ``rows`` are ``(id, *PROFILE_FIELDS, updated_at)``."""
    if not rows:
        return
    columns = [model_field(Community, f).column for f in (*PROFILE_FIELDS, "updated_at")]
    quote = connection.ops.quote_name
    table = quote(Community._meta.db_table)
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    if connection.vendor != "postgresql":  # SQLite stores aware datetimes as naive UTC text
        adapt = connection.ops.adapt_datetimefield_value
        rows = [(*row[:-1], adapt(row[-1])) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE id = %s",
            [(*row[1:], row[0]) for row in rows],
        )


def wage_benchmarks(codes: Iterable[str], today: datetime.date) -> int:
    """A provincial average wage for last year and this one, where none is recorded."""
    provinces = sorted({code[:2] for code in codes})
    existing = set(
        WageBenchmark.objects.filter(
            code__in=provinces, kind=WageBenchmark.Kind.AVERAGE_WAGE
        ).values_list("code", "year")
    )
    new = [
        WageBenchmark(
            code=province,
            year=year,
            kind=WageBenchmark.Kind.AVERAGE_WAGE,
            annual_amount=average_wage(province) * (Decimal("0.95") if year < today.year else 1),
            source="演示数据(生成)",
        )
        for province in provinces
        for year in (today.year - 1, today.year)
        if (province, year) not in existing
    ]
    WageBenchmark.objects.bulk_create(new)
    return len(new)


def generate(
    communities: QuerySet[Community],
    *,
    seed: int = 1,
    today: datetime.date | None = None,
    batch: int = BATCH,
    progress: Callable[[int], object] | None = None,
) -> Counter:
    """Generate records for the communities that have no organization yet. Returns rows per
    table. Communities with a recorded profile keep it; the others get one."""
    today = today or timezone.localdate()
    ids = list(communities.order_by("code").values_list("id", flat=True))
    counts: Counter = Counter()
    with transaction.atomic():
        codes = communities.values_list("code", flat=True)
        counts["wage_benchmark"] = wage_benchmarks(codes, today)
    t = tables()
    builder = Builder(t, today)
    now = timezone.now()
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        with transaction.atomic():
            done = set(
                Organization.objects.filter(community_id__in=chunk)
                .values_list("community_id", flat=True)
                .distinct()
            )
            rows = Community.objects.filter(id__in=chunk).order_by("code")
            profiles = []
            for community in rows.values("id", "code", "name", "street__name", *PROFILE_FIELDS):
                if community["id"] in done:
                    continue
                values = {f: community[f] for f in PROFILE_FIELDS}
                if community["households"] is None:
                    values = profile(
                        random.Random(f"{seed}-profile-{community['code']}"),
                        community["code"],
                        today,
                    )
                    profiles.append((community["id"], *(values[f] for f in PROFILE_FIELDS), now))
                builder.community(
                    community["id"],
                    community["code"],
                    community["name"],
                    values,
                    seed,
                    community["street__name"] or "",
                )
                counts["community"] += 1
            update_profiles(profiles)
            counts["profile"] += len(profiles)
            for name, table in t.items():
                counts[name] += len(table.rows)
                table.flush()
        if progress:
            progress(len(chunk))
    for table in t.values():
        table.fix_sequence()
    if counts["profile"]:  # the division pages sum households from the roll-ups
        rollups.refresh(rollups.division_prefix(communities.values_list("code", flat=True)))
    return counts
