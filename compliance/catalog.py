"""Catalogue of the policy standards the portal checks, with their sources (pure data).

Transcribed from ``/work/shared/STANDARDS.md`` and the source documents in
``/work/shared/seeds/*.txt``; where the digest and a source document disagree, the source
document wins (each such case is noted in a comment next to the standard).

``DOCUMENTS`` — one dict per source document:

- ``key``: short unique key (``"N18"``, ``"GD"`` …), referenced by ``STANDARDS[*]["document"]``.
- ``title`` / ``issuer``: Chinese title and issuing body as far as the source shows them.
- ``number``: 文号 of *this* document, or ``""`` when it is not known (never guessed).
- ``issued_on``, ``effective_from``, ``effective_to``: ISO date strings or ``None`` (unknown /
  open).  ``effective_to`` is the last day in force, inclusive.
- ``scope_prefixes``: prefixes of the national statistical division codes (2 digits province,
  4 city, 6 county/district, 9 street/town, 12 community); ``""`` means nationwide.
- ``status``: ``"in_force"``, ``"draft"`` (loaded but not applied unless an admin activates it)
  or ``"repealed"``.
- ``source``: the seed file the text was taken from, or a short citation.

``STANDARDS`` — one dict per row of the STANDARDS.md tables:

- ``id``: exactly the id used in STANDARDS.md; ``document``: a ``DOCUMENTS`` key.
- ``article``: article / section of the source (``""`` when unknown).
- ``title``: short Chinese label (at most 40 characters).
- ``quote``: Chinese text of the source.  Seed quotes are copied verbatim, keeping the seeds'
  punctuation (ASCII ``, ; : ( )`` with Chinese ``、。“”``); ``……`` joins two non-adjacent
  passages of the same source.  ``quote_is_paraphrase`` is ``True`` where the original text was
  not available and the quote is a faithful short Chinese paraphrase instead.
- ``rule_key``: ``<area>.<thing>`` naming the evaluator; ``"info"`` rows are informational and
  never produce findings.  ``params``: the evaluator's JSON-serialisable parameters.
- ``level``: ``"community"`` (checked per community) or ``"jurisdiction"`` (an aggregate over
  the communities of a district, city …).
- ``scope_prefixes``, ``effective_from``, ``effective_to``: ``None`` inherits the document's
  value; otherwise overrides it (e.g. GD-13a applies only from 2015-12-31).
- ``date_note`` (documents; standards whose dates differ from their document's): where each
  date comes from, in Chinese, or that it cannot be sourced.  Not written to the database: it
  is published in ``docs/catalogue.md`` (``manage.py write_catalogue``).
- ``is_default``: ``True`` where the text says 一般 / 原则上 (or is otherwise a default or an
  aspiration rather than a hard floor, see the comments): still checked, but a finding must say
  it is a default a local authority may vary.

Number conventions in ``params``:

- Fractions that the text states as fractions (过半数, 三分之一以上, 五分之四以上 …) are stored
  exactly, never as rounded decimals: ``{"numerator": n, "denominator": d, "strict": bool}``
  where ``strict=True`` means "more than" (过半数, 超过) and ``strict=False`` means "at least"
  (以上, 不少于, 不低于 — these include the number itself).  Evaluators compare with integer
  arithmetic, e.g. ``votes * d > n * ballots`` (strict) or ``votes * d >= n * ballots``.
- Percentages that the text states as percentages (50%, 70% …) are decimal strings (``"0.5"``,
  ``"0.70"``), exact when read with ``decimal.Decimal``.  No floats anywhere.
- Money is whole yuan (``int``), areas whole square metres, periods whole months or days.
"""

from __future__ import annotations

import copy

DOCUMENTS: list[dict] = [
    # National law, 1989 text: adopted 1989-12-26, in force 1990-01-01 (第二十三条), replaced by
    # the 2018 amendment on 2018-12-29. The amendment changed only 第八条 (三年 → 五年), so every
    # other clause has the words of N18 (STANDARDS.md; the 2018 decision's text).
    {
        "key": "N89",
        "title": "中华人民共和国城市居民委员会组织法(1989年)",
        "issuer": "全国人民代表大会常务委员会",
        "number": "",
        "issued_on": "1989-12-26",
        "effective_from": "1990-01-01",
        "effective_to": "2018-12-28",
        "scope_prefixes": [""],
        "status": "in_force",
        "source": (
            "法律文本:1989-12-26 第七届全国人大常委会第十一次会议通过,自1990-01-01起施行;"
            "2018-12-29 修正后不再适用;seeds 中无原文,条文按公布文本引用"
        ),
        "date_note": (
            "生效:本法第二十三条“本法自1990年1月1日起施行”;"
            "失效:2018-12-29 修正决定自公布之日起施行,故1989年文本适用至2018-12-28"
        ),
    },
    # National law, 2018 amendment: the 1989 law as amended on 2018-12-29 (term 3 → 5 years).
    # The seeds do not contain the text; the articles are quoted from the official text as
    # published (checked against public reproductions of 第六条 to 第十条).
    {
        "key": "N18",
        "title": "中华人民共和国城市居民委员会组织法(2018年修正)",
        "issuer": "全国人民代表大会常务委员会",
        "number": "",
        "issued_on": "2018-12-29",
        "effective_from": "2018-12-29",
        "effective_to": "2025-12-31",
        "scope_prefixes": [""],
        "status": "in_force",
        "source": (
            "法律文本:1989-12-26 通过,2018-12-29 第十三届全国人大常委会第七次会议修正;"
            "seeds 中无原文,条文按公布文本引用"
        ),
        "date_note": (
            "生效:2018-12-29 第十三届全国人大常委会第七次会议修正决定“自公布之日"
            "起施行”;"
            "失效:2025年修订文本自2026-01-01起施行,故适用至2025-12-3"
            "1"
        ),
    },
    # National law, 2025 revision (7 chapters, 50 articles), in force from 2026-01-01.
    # Only 第三条 was seen verbatim (Xinhua reproduction of 2025-10-28); every other N25 row
    # is a paraphrase of the digest and of official news reports, article unknown.
    {
        "key": "N25",
        "title": "中华人民共和国城市居民委员会组织法(2025年修订)",
        "issuer": "全国人民代表大会常务委员会",
        "number": "",
        "issued_on": "2025-10-28",
        "effective_from": "2026-01-01",
        "effective_to": None,
        "scope_prefixes": [""],
        "status": "in_force",
        "source": (
            "2025-10-28 第十四届全国人大常委会第十八次会议修订,自2026-01-01起施行;"
            "第三条据新华社2025-10-28播发文本的转载核对,其余条款为意译"
        ),
        "date_note": (
            "生效:修订文本规定自2026-01-01起施行(据新华社2025-10-28播发"
            "文本的转载);"
            "通过日期2025-10-28同一来源;"
            "本项目未见原件"
        ),
    },
    # Election model rules: no national urban election regulation exists; the village-committee
    # law (2010 revision as amended 2018-12-29) is the model most provincial urban election rules
    # follow.  Loaded as a nationwide default profile that a province can override.  Dated from
    # the 2010 revision, whose 第六条/第十四条/第十五条 (the clauses quoted) the 2018 amendment left
    # unchanged: it used to start on 2018-12-29, leaving 2010–2018 elections unjudged.
    {
        "key": "EL",
        "title": "居委会选举示范规则(参照中华人民共和国村民委员会组织法2010年修订文本)",
        "issuer": "全国人民代表大会常务委员会",
        "number": "",
        "issued_on": "2010-10-28",
        "effective_from": "2010-10-28",
        "effective_to": None,
        "scope_prefixes": [""],
        "status": "in_force",
        "source": (
            "村民委员会组织法(2010年修订,2018-12-29修正)第六条、第十四条、第十五条;"
            "作为城市居委会选举的全国默认参照,seeds 中无原文"
        ),
        "date_note": (
            "生效:村民委员会组织法2010-10-28修订并自公布之日起施行,所引第六条、第"
            "十四条、第十五条文字自此未变(2018-12-29修正只改任期条款);"
            "作为城市居委会选举的参照不是法定生效日期"
        ),
    },
    # Guangdong: provincial implementing opinions of 粤发〔2011〕17号 (that number is the parent
    # decision's, not this document's), as published by the Zhuhai social work committee.
    {
        "key": "GD",
        "title": "关于加强城市社区居民委员会规范化建设的实施意见",
        "issuer": "广东省(发文机关原文未载明;珠海市社会工作委员会网站刊载)",
        "number": "",
        "issued_on": "2012-09-11",
        "effective_from": "2012-09-11",
        "effective_to": None,
        "scope_prefixes": ["44"],
        "status": "in_force",
        "source": "seeds/000_f48bfafd46e9533d.txt",
        "date_note": (
            "2012-09-11 为珠海市社会工作委员会网站的刊载日期;"
            "原发文日期和施行日期不详,以刊载日代替(无法溯源)"
        ),
    },
    # Shandong: a city's 社区管理办法 under 鲁发〔2012〕22号; the city is not named and the
    # issue date is not given (the copy was posted 2018-07-13), so the dates are left open and
    # the scope is the province; an admin can narrow it.
    {
        "key": "SD",
        "title": "社区管理办法(山东省某市,依据鲁发〔2012〕22号制定)",
        "issuer": "山东省某市(原文未载明市名)",
        "number": "",
        "issued_on": None,
        "effective_from": None,
        "effective_to": None,
        "scope_prefixes": ["37"],
        "status": "in_force",
        "source": "seeds/001_c659f8141721f8b3.txt(转载于2018-07-13,原发布日期不详)",
        "date_note": (
            "原文未载明发布和施行日期(2018-07-13 转载);无法溯源,日期留空:适用不受日期限制"
        ),
    },
    # Baiyin (Gansu): the 2011 self-government plan of 四龙路街道 (白银区), as reproduced for its
    # 十字街社区.  Trial operation started 2011-05-30 (seed, 四(四)).  Scoped to the city as the
    # digest says; strictly it is a street-level plan in 白银区 (620402) — an admin may narrow it.
    {
        "key": "BY",
        "title": "四龙路街道十字街社区居民自治工作实施方案",
        "issuer": "白银市白银区四龙路街道",
        "number": "",
        "issued_on": None,
        "effective_from": "2011-05-30",
        "effective_to": None,
        "scope_prefixes": ["6204"],
        "status": "in_force",
        "source": "seeds/002_ebad0260ace6a96c.txt",
        "date_note": ("2011-05-30 为原文四(四)所载试运行开始日期;发布日期不详"),
    },
    # Chizhou (Anhui): consultation draft drafted by the city civil-affairs bureau, published
    # 2020-07-03.  A draft has no commencement date; it is not applied unless activated.
    {
        "key": "CZ",
        "title": "关于进一步提升城乡社区治理水平的若干意见(征求意见稿)",
        "issuer": "池州市民政局(代拟;池州经济技术开发区网站发布)",
        "number": "",
        "issued_on": "2020-07-03",
        "effective_from": None,
        "effective_to": None,
        "scope_prefixes": ["3417"],
        "status": "draft",
        "source": "seeds/003_c27b6c35cbead82c.txt",
        "date_note": "征求意见稿(2020-07-03 发布):没有施行日期,不适用",
    },
    # Anhui 皖发〔2007〕6号, known only as cited by the 2007 Tunxi (Huangshan) survey.
    {
        "key": "AH",
        "title": "中共安徽省委省政府关于加强和谐社区建设的意见",
        "issuer": "中共安徽省委、安徽省人民政府",
        "number": "皖发〔2007〕6号",
        "issued_on": None,
        "effective_from": "2007-01-01",
        "effective_to": None,
        "scope_prefixes": ["34"],
        "status": "in_force",
        "source": (
            "seeds/004_386bc9d0bc87a91f.txt(屯溪区调研报告转引);"
            "确切发文日期不详,effective_from 2007-01-01 仅为按文号年份取的占位日期"
        ),
        "date_note": (
            "确切发文日期不详(仅见调研报告转引文号);2007-01-01 为按文号年份取的占位日期(无法溯源)"
        ),
    },
    # Hubei 鄂发〔2007〕4号, known only as cited by a county survey in the same seed.
    {
        "key": "HB",
        "title": "中共湖北省委、湖北省人民政府关于深化社区建设推进社区服务的若干意见",
        "issuer": "中共湖北省委、湖北省人民政府",
        "number": "鄂发〔2007〕4号",
        "issued_on": None,
        "effective_from": "2007-01-01",
        "effective_to": None,
        "scope_prefixes": ["42"],
        "status": "in_force",
        "source": (
            "seeds/004_386bc9d0bc87a91f.txt(县政协调查报告转引);"
            "确切发文日期不详,effective_from 2007-01-01 仅为按文号年份取的占位日期"
        ),
        "date_note": (
            "确切发文日期不详(仅见调查报告转引文号);2007-01-01 为按文号年份取的占位日期(无法溯源)"
        ),
    },
    # "National and provincial" 300 m² room standard, as cited by the Tunxi survey; the
    # underlying document is not identified (unverified), so no number and no dates.
    {
        "key": "NAT",
        "title": "国家、省规定的社区办公活动用房300平方米标准(调研报告转引)",
        "issuer": "国家和省有关部门(调研报告未载明具体文件)",
        "number": "",
        "issued_on": None,
        "effective_from": None,
        "effective_to": None,
        "scope_prefixes": [""],
        "status": "in_force",
        "source": "seeds/004_386bc9d0bc87a91f.txt(屯溪区调研报告,2007年;未核实原文件)",
        "date_note": "未查明具体文件,无日期(无法溯源):适用不受日期限制",
    },
    # 14th five-year plan for urban and rural community services (planning period 2021–2025).
    # Indicators reported via provincial plans, not verified at source: quotes are paraphrases.
    # Left open-ended (effective_to None) because no successor plan is loaded.
    {
        "key": "P14",
        "title": "“十四五”城乡社区服务体系建设规划",
        "issuer": "国务院办公厅",
        "number": "国办发〔2021〕56号",
        "issued_on": "2021-12-27",
        "effective_from": "2021-12-27",
        "effective_to": None,
        "scope_prefixes": [""],
        "status": "in_force",
        "source": "国办发〔2021〕56号 主要指标(经各省“十四五”规划转述,未核对原文)",
        "date_note": (
            "2021-12-27 为国办发〔2021〕56号的印发日期(据各省规划转述,未核"
            "对原文);"
            "规划期至2025年,未加载后续规划,故不设截止日期"
        ),
    },
]


STANDARDS: list[dict] = [
    # ------------------------------------------------------------------------------------------
    # N18 — 城市居民委员会组织法 (2018 amendment), until 2025-12-31
    # ------------------------------------------------------------------------------------------
    {
        "id": "N18-06",
        "document": "N18",
        "article": "第六条",
        "title": "社区规模 100–700 户",
        "quote": (
            "居民委员会根据居民居住状况,按照便于居民自治的原则,一般在一百户至七百户的范围内设立。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "community.households_range",
        "params": {"min": 100, "max": 700},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        "id": "N18-07a",
        "document": "N18",
        "article": "第七条",
        "title": "居委会成员 5–9 人",
        "quote": "居民委员会由主任、副主任和委员共五至九人组成。",
        "quote_is_paraphrase": False,
        "rule_key": "committee.size_range",
        "params": {"min": 5, "max": 9},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N18-07b",
        "document": "N18",
        "article": "第七条",
        "title": "多民族居住地区应有少数民族成员",
        "quote": "多民族居住地区,居民委员会中应当有人数较少的民族的成员。",
        "quote_is_paraphrase": False,
        "rule_key": "committee.minority_member",
        "params": {},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N18-08a",
        "document": "N18",
        "article": "第八条",
        "title": "选举方式:全体居民、户代表或小组代表",
        "quote": (
            "居民委员会主任、副主任和委员,由本居住地区全体有选举权的居民"
            "或者由每户派代表选举产生;根据居民意见,"
            "也可以由每个居民小组选举代表二至三人选举产生。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "election.method",
        "params": {
            "allowed": ["direct", "household", "group_representative"],
            "reps_per_group": [2, 3],
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N18-08b",
        "document": "N18",
        "article": "第八条",
        "title": "每届任期五年",
        "quote": "居民委员会每届任期五年,其成员可以连选连任。",
        "quote_is_paraphrase": False,
        "rule_key": "election.term_length",
        "params": {"max_years": 5},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N18-08c",
        "document": "N18",
        "article": "第八条",
        "title": "年满十八周岁有选举权和被选举权",
        "quote": (
            "年满十八周岁的本居住地区居民,不分民族、种族、性别、职业、家庭出身、"
            "宗教信仰、教育程度、财产状况、居住期限,都有选举权和被选举权;"
            "但是,依照法律被剥夺政治权利的人除外。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "election.candidate_age",
        "params": {"min_age": 18},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N18-09",
        "document": "N18",
        "article": "第九条",
        "title": "居民会议过半数出席、出席人过半数通过",
        "quote": (
            "居民会议必须有全体十八周岁以上的居民、户的代表或者居民小组选举的代表的"
            "过半数出席,才能举行。会议的决定,由出席人的过半数通过。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "governance.meeting_quorum",
        # 过半数 = strictly more than one half, for both attendance and votes.
        "params": {
            "attendance": {"numerator": 1, "denominator": 2, "strict": True},
            "votes": {"numerator": 1, "denominator": 2, "strict": True},
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N18-10",
        "document": "N18",
        "article": "第十条",
        "title": "提议召集居民会议的门槛",
        "quote": (
            "有五分之一以上的十八周岁以上的居民、五分之一以上的户"
            "或者三分之一以上的居民小组提议,应当召集居民会议。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "governance.meeting_request_thresholds",
        # Any one of the thresholds obliges the committee to convene a residents' meeting;
        # 以上 includes the fraction itself (strict False).
        "params": {
            "meeting": "residents_meeting",
            "combine": "any",
            "adult_residents": {"numerator": 1, "denominator": 5, "strict": False},
            "households": {"numerator": 1, "denominator": 5, "strict": False},
            "residents_groups": {"numerator": 1, "denominator": 3, "strict": False},
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # Informational: "根据需要" — no checkable floor.
        "id": "N18-13",
        "document": "N18",
        "article": "第十三条",
        "title": "根据需要设人民调解、治安保卫、公共卫生等委员会",
        "quote": "居民委员会根据需要设人民调解、治安保卫、公共卫生等委员会。",
        "quote_is_paraphrase": False,
        "rule_key": "info",
        "params": {},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # Informational.
        "id": "N18-14",
        "document": "N18",
        "article": "第十四条",
        "title": "分设居民小组,小组长由小组推选",
        "quote": "居民委员会可以分设若干居民小组,小组长由居民小组推选。",
        "quote_is_paraphrase": False,
        "rule_key": "info",
        "params": {},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N18-15",
        "document": "N18",
        "article": "第十五条",
        "title": "居民公约经居民会议制定并报备案",
        "quote": (
            "居民公约由居民会议讨论制定,报不设区的市、市辖区的人民政府"
            "或者它的派出机关备案,由居民委员会监督执行。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "governance.covenant_filed",
        "params": {},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N18-16",
        "document": "N18",
        "article": "第十六条",
        "title": "公益事业筹资收支帐目及时公布",
        "quote": (
            "居民委员会办理本居住地区公益事业所需的费用,经居民会议讨论决定,"
            "可以根据自愿原则向居民筹集,也可以向本居住地区的受益单位筹集,"
            "但是必须经受益单位同意;收支帐目应当及时公布,接受居民监督。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "governance.fundraising_disclosed",
        "params": {},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N18-20",
        "document": "N18",
        "article": "第二十条",
        "title": "部门交办工作须经区政府或街道同意(准入)",
        "quote": (
            "市、市辖区的人民政府有关部门,需要居民委员会或者它的下属委员会"
            "协助进行的工作,应当经市、市辖区的人民政府或者它的派出机关同意"
            "并统一安排。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "funding.tasks_approved",
        "params": {},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    # ------------------------------------------------------------------------------------------
    # N25 — 城市居民委员会组织法 (2025 revision), from 2026-01-01.  Only 第三条 verified.
    # ------------------------------------------------------------------------------------------
    {
        "id": "N25-03",
        "document": "N25",
        "article": "第三条",
        "title": "社区规模 1000–3000 户",
        "quote": (
            "居民委员会根据居民居住状况,按照便于居民自治,有利于基层治理的原则,"
            "一般在一千户至三千户的范围内设立,也可以根据实际需要,在适当范围内设立。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "community.households_range",
        "params": {"min": 1000, "max": 3000},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        "id": "N25-term",
        "document": "N25",
        "article": "",
        "title": "每届任期五年",
        "quote": "居民委员会每届任期五年,成员可以连选连任。",
        "quote_is_paraphrase": True,
        "rule_key": "election.term_length",
        "params": {"max_years": 5},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N25-vl",
        "document": "N25",
        "article": "",
        "title": "选民名单于选举日二十日前公布",
        "quote": "登记参加选举的居民名单应当在选举日的二十日以前公布。",
        "quote_is_paraphrase": True,
        "rule_key": "election.voter_list_lead",
        "params": {"days": 20},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N25-cand",
        "document": "N25",
        "article": "",
        "title": "差额选举:候选人多于应选名额",
        "quote": "居民委员会选举实行差额选举,候选人名额应当多于应选名额。",
        "quote_is_paraphrase": True,
        "rule_key": "election.competitive",
        "params": {},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N25-rep",
        "document": "N25",
        "article": "",
        "title": "居民代表占居民代表会议五分之四以上",
        "quote": "居民代表会议由居民委员会成员和居民代表组成,居民代表应当占五分之四以上。",
        "quote_is_paraphrase": True,
        "rule_key": "governance.representatives_share",
        # 五分之四以上: at least 4/5, inclusive.
        "params": {"numerator": 4, "denominator": 5, "strict": False},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N25-mtg",
        "document": "N25",
        "article": "",
        "title": "提议召集会议的门槛(十分之一居民、五分之一代表)",
        "quote": (
            "有十分之一以上的十八周岁以上的居民或者五分之一以上的居民代表提议,应当召集会议。"
        ),
        "quote_is_paraphrase": True,
        "rule_key": "governance.meeting_request_thresholds",
        # The digest does not say which meeting each threshold convenes (probably 1/10 of adult
        # residents → 居民会议, 1/5 of representatives → 居民代表会议); encoded as alternatives.
        "params": {
            "meeting": "residents_or_representatives_meeting",
            "combine": "any",
            "adult_residents": {"numerator": 1, "denominator": 10, "strict": False},
            "representatives": {"numerator": 1, "denominator": 5, "strict": False},
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # Neither the digest nor the reproduction seen gives this clause's words or number; the
        # 2025 revision keeps the residents' meeting and its 过半数 rules (official reports), so
        # the 1989 第九条 rule is carried forward as a paraphrase. Without it a resolution
        # recorded from 2026 would cite N18-09, a clause no longer in force.
        "id": "N25-quorum",
        "document": "N25",
        "article": "",
        "title": "居民会议过半数出席、出席人过半数通过",
        "quote": (
            "居民会议须有全体十八周岁以上的居民、户的代表或者居民小组选举的代表的过半数出席"
            "方可举行,会议的决定由出席人的过半数通过。"
        ),
        "quote_is_paraphrase": True,
        "rule_key": "governance.meeting_quorum",
        "params": {
            "attendance": {"numerator": 1, "denominator": 2, "strict": True},
            "votes": {"numerator": 1, "denominator": 2, "strict": True},
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N25-bodies",
        "document": "N25",
        "article": "",
        "title": "设居民选举委员会、居民代表会议、居务监督委员会",
        "quote": (
            "居民委员会的选举由居民选举委员会主持;设立居民代表会议和居务监督委员会,"
            "居务监督委员会负责监督居务公开等;居民委员会成员接受民主评议。"
        ),
        "quote_is_paraphrase": True,
        "rule_key": "governance.new_bodies",
        "params": {
            "kinds": ["election_committee", "representatives_assembly", "supervision_committee"],
            "democratic_appraisal": True,
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "N25-fund",
        "document": "N25",
        "article": "",
        "title": "委托工作经费由委托部门承担",
        "quote": "有关部门委托居民委员会开展的工作,所需经费由委托部门承担。",
        "quote_is_paraphrase": True,
        "rule_key": "funding.tasks_funded",
        "params": {},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    # ------------------------------------------------------------------------------------------
    # EL — election model rules (村民委员会组织法), nationwide default profile
    # ------------------------------------------------------------------------------------------
    {
        "id": "EL-valid",
        "document": "EL",
        "article": "第十五条",
        "title": "过半数选民投票选举有效",
        "quote": "选举村民委员会,有登记参加选举的村民过半数投票,选举有效;",
        "quote_is_paraphrase": False,
        "rule_key": "election.turnout",
        # 过半数: ballots cast * 2 > registered voters (strict).
        "params": {"numerator": 1, "denominator": 2, "strict": True},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        "id": "EL-win",
        "document": "EL",
        "article": "第十五条",
        "title": "获参加投票者过半数选票始得当选",
        "quote": "候选人获得参加投票的村民过半数的选票,始得当选。",
        "quote_is_paraphrase": False,
        "rule_key": "election.winning_threshold",
        # 过半数: votes * 2 > ballots cast (strict).
        "params": {"numerator": 1, "denominator": 2, "strict": True},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        "id": "EL-rerun",
        "document": "EL",
        "article": "第十五条",
        "title": "另行选举得票不少于三分之一",
        "quote": (
            "当选人数不足应选名额的,不足的名额另行选举。另行选举的,"
            "第一次投票未当选的人员得票多的为候选人,候选人以得票多的当选,"
            "但是所得票数不得少于已投选票数的三分之一。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "election.rerun_threshold",
        # 不得少于三分之一 = at least 1/3, inclusive: the code must test votes * 3 >= ballots.
        # Stored as an exact fraction; a rounded "0.333333" would wrongly reject exactly 1/3.
        "params": {"numerator": 1, "denominator": 3, "strict": False},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        "id": "EL-women",
        "document": "EL",
        "article": "第六条",
        "title": "成员中应当有妇女成员",
        "quote": ("村民委员会成员中,应当有妇女成员,多民族村民居住的村应当有人数较少的民族的成员。"),
        "quote_is_paraphrase": False,
        "rule_key": "committee.women_members",
        "params": {"min": 1},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        "id": "EL-list",
        "document": "EL",
        "article": "第十四条",
        "title": "选民名单于选举日二十日前公布",
        "quote": "登记参加选举的村民名单应当在选举日的二十日以前由村民选举委员会公布。",
        "quote_is_paraphrase": False,
        "rule_key": "election.voter_list_lead",
        "params": {"days": 20},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        "id": "EL-cand",
        "document": "EL",
        "article": "第十五条",
        "title": "候选人名额多于应选名额",
        "quote": "候选人名额应当多于应选名额。",
        "quote_is_paraphrase": False,
        "rule_key": "election.competitive",
        "params": {},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    # ------------------------------------------------------------------------------------------
    # GD — Guangdong 实施意见 (2012), seeds/000
    # ------------------------------------------------------------------------------------------
    {
        "id": "GD-01",
        "document": "GD",
        "article": "一(一)",
        "title": "社区规模 2000–3000 户,一社区一居委会",
        "quote": ("社区人口规模一般为2000—3000户常住居民。……一个社区原则上设立一个社区居委会。"),
        "quote_is_paraphrase": False,
        "rule_key": "community.households_range",
        "params": {"min": 2000, "max": 3000, "committees_per_community": 1},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        "id": "GD-03",
        "document": "GD",
        "article": "一(三)",
        "title": "六类下属委员会及居民小组长、楼栋长",
        "quote": (
            "建立健全社区居委会下属的人民调解、治安保卫、公共卫生、公共福利、计划生育、"
            "群众文体等各类专业委员会。……选齐配强居民小组长、楼(栋)长,"
            "积极开展楼院居民自治。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "organization.required_kinds",
        "params": {
            "kinds": [
                "mediation",
                "security",
                "public_health",
                "public_welfare",
                "family_planning",
                "culture_sports",
            ],
            "group_leaders": True,
            "building_leaders": True,
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # "有条件的社区居委会要…" — only where conditions allow: treated as a default.
        "id": "GD-05",
        "document": "GD",
        "article": "一(五)",
        "title": "一居一站:社区公共服务站",
        "quote": "有条件的社区居委会要按照“一居一站”标准建立社区公共服务站",
        "quote_is_paraphrase": False,
        "rule_key": "organization.exists",
        "params": {"kind": "service_station"},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        # "力争" (strive to) targets: aspirational, so flagged as a default.
        "id": "GD-06a",
        "document": "GD",
        "article": "二(六)",
        "title": "直接选举比例 2015年40%、2020年70%",
        "quote": (
            "力争到2015年社区居委会直接选举比例达到40%,居委会成员属地化比例达到50%;"
            "到2020年社区居委会直接选举比例、属地化比例均达到70%。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "jurisdiction.direct_election_rate",
        "params": {
            "targets": [
                {"from": "2015-12-31", "min": "0.40"},
                {"from": "2020-12-31", "min": "0.70"},
            ],
        },
        "level": "jurisdiction",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        # Same sentence as GD-06a ("力争"), flagged as a default.
        "id": "GD-06b",
        "document": "GD",
        "article": "二(六)",
        "title": "成员属地化比例 2015年50%、2020年70%",
        "quote": (
            "力争到2015年社区居委会直接选举比例达到40%,居委会成员属地化比例达到50%;"
            "到2020年社区居委会直接选举比例、属地化比例均达到70%。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "committee.localization_share",
        "params": {
            "targets": [
                {"from": "2015-12-31", "min": "0.50"},
                {"from": "2020-12-31", "min": "0.70"},
            ],
        },
        "level": "jurisdiction",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        "id": "GD-07",
        "document": "GD",
        "article": "二(七)",
        "title": "重大事务“四议两公开”",
        "quote": (
            "对社区重大事务实行社区党组织提议、社区“两委”联席会议商议、党员大会审议、"
            "居民代表会议或居民会议决议,实行决议公开、实施结果公开。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "governance.major_matter_steps",
        "params": {
            "steps": [
                "proposal",
                "joint_meeting",
                "party_assembly",
                "residents_resolution",
                "resolution_published",
                "result_published",
            ],
            "ordered": True,
            # The text sets no time between steps: 30 days is the portal's default.
            "max_days": 30,
            "portal_default": True,
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "GD-09",
        "document": "GD",
        "article": "二(九)",
        "title": "党务、居务、财务公开;2015年达标率70%",
        "quote": (
            "健全社区党务、居务、财务公开制度,明确公开的内容、程序、时间、方法。"
            "……到2015年,居务公开、民主管理社区达标率达到70%。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "governance.disclosure_cadence",
        # The text sets no interval: max_days 92 (quarterly) is the portal's own default, hence
        # portal_default.  "targets" is the jurisdiction-wide compliance rate (share of
        # communities meeting the disclosure standard), kept here instead of a separate row.
        "params": {
            "categories": ["party", "residents", "finance"],
            "max_days": 92,
            "portal_default": True,
            "targets": [{"from": "2015-12-31", "min": "0.70"}],
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # GD-09's second sentence: a jurisdiction-wide rate, judged from the GD-09 findings.
        "id": "GD-09r",
        "document": "GD",
        "article": "二(九)",
        "title": "居务公开、民主管理社区达标率70%",
        "quote": "到2015年,居务公开、民主管理社区达标率达到70%。",
        "quote_is_paraphrase": False,
        "rule_key": "governance.disclosure_rate",
        "params": {"targets": [{"from": "2015-12-31", "min": "0.70"}]},
        "level": "jurisdiction",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "GD-10a",
        "document": "GD",
        "article": "三(十)",
        "title": "每300户配备1名专职人员",
        "quote": "原则上按照每300户常住人口配备1名专职人员。",
        "quote_is_paraphrase": False,
        "rule_key": "committee.staff_per_households",
        "params": {"households_per_staff": 300},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        # "女性成员应占有一定比例": no number; at least one woman is the checkable minimum.
        "id": "GD-10b",
        "document": "GD",
        "article": "三(十)",
        "title": "居委会一般 5–9 人,女性占一定比例",
        "quote": (
            "社区居委会一般配置5至9人,按照法定条件和程序民主选举产生,其中女性成员应占有一定比例;"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "committee.size_range",
        "params": {"min": 5, "max": 9, "min_women": 1},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        "id": "GD-11",
        "document": "GD",
        "article": "三(十一)",
        "title": "主任每年、其他人员每两年至少培训一次",
        "quote": (
            "基层政府或其派出机关每年至少对社区居委会主任培训一次,"
            "其他成员和专职工作者每两年至少培训一次。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "training.cadence",
        "params": {"director_months": 12, "others_months": 24},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # "力争到2015年,有条件的社区…": aspirational and conditional, flagged as a default.
        "id": "GD-13a",
        "document": "GD",
        "article": "四(十三)",
        "title": "“六个一”设施(2015年起)",
        "quote": (
            "力争到2015年,有条件的社区建有一个公共服务站、文体活动中心、健康计生服务中心、"
            "家庭服务中心、综治信访维稳工作站、小广场或公园。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "facilities.six_ones",
        "params": {
            "kinds": [
                "service_station",
                "culture_sports",
                "health_family_planning",
                "family_service",
                "stability_workstation",
                "square_park",
            ],
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": "2015-12-31",
        "effective_to": None,
        # “力争到2015年”: a target for the end of 2015, so checked from its last day.
        "date_note": "原文“力争到2015年”:按2015年末(2015-12-31)起检查,为本项目的解读",
        "is_default": True,
    },
    {
        # "indoor" = office rooms plus indoor service facilities together.
        "id": "GD-13b",
        "document": "GD",
        "article": "四(十三)",
        "title": "办公及室内服务设施每百户不少于20平方米",
        "quote": "按照社区办公用房和室内服务设施面积每百户不少于20平方米",
        "quote_is_paraphrase": False,
        "rule_key": "facilities.area_per_households",
        "params": {"per_100_households": 20, "measure": "indoor"},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "GD-13c",
        "document": "GD",
        "article": "四(十三)",
        "title": "室外活动场所每百户不少于30平方米",
        "quote": "室外活动场所面积每百户不少于30平方米的标准配套建设。",
        "quote_is_paraphrase": False,
        "rule_key": "facilities.area_per_households",
        "params": {"per_100_households": 30, "measure": "outdoor"},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "GD-17",
        "document": "GD",
        "article": "五(十七)",
        "title": "公共事务“六公开”",
        "quote": (
            "社区办理公共事务,实行服务内容、办事程序、申报材料、办理依据、"
            "办理期限和收费标准“六公开”。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "governance.six_publics",
        "params": {
            "items": ["content", "procedure", "materials", "legal_basis", "time_limit", "fees"],
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "GD-20a",
        "document": "GD",
        "article": "六(二十)",
        "title": "专职人员薪酬不低于上年度当地社会平均工资",
        "quote": ("社区居委会专职工作人员薪酬待遇标准原则上不低于上年度当地社会平均工资水平。"),
        "quote_is_paraphrase": False,
        "rule_key": "funding.pay_vs_benchmark",
        "params": {"benchmark": "local_average_wage_previous_year"},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        # ¥60,000 / ¥30,000 per 1000 households a year = ¥60 / ¥30 per household a year.
        # Pearl River Delta cities per the digest: 广州 深圳 珠海 佛山 江门 肇庆 惠州 东莞 中山.
        "id": "GD-20b",
        "document": "GD",
        "article": "六(二十)",
        "title": "工作经费每千户每年珠三角6万元、其他3万元",
        "quote": (
            "社区居委会工作经费按照社区常住人口户数核定,"
            "珠江三角洲地区每年每千户不少于6万元,其他经济欠发达地区不少于3万元。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "funding.per_households",
        "params": {
            "yuan_per_household": 30,
            "bands": [
                {
                    "prefixes": [
                        "4401",
                        "4403",
                        "4404",
                        "4406",
                        "4407",
                        "4412",
                        "4413",
                        "4419",
                        "4420",
                    ],
                    "yuan_per_household": 60,
                },
            ],
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    # ------------------------------------------------------------------------------------------
    # SD — Shandong city 社区管理办法, seeds/001
    # ------------------------------------------------------------------------------------------
    {
        # "一般按照3000户的规模设置": read, as the digest does, as an upper size (一般).
        "id": "SD-03",
        "document": "SD",
        "article": "第三条",
        "title": "城市社区一般按3000户规模设置",
        "quote": "城市社区一般按照3000户的规模设置。",
        "quote_is_paraphrase": False,
        "rule_key": "community.households_range",
        "params": {"min": None, "max": 3000},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        # Seed says "一般为5-9人" (the digest omits 一般): flagged as a default.
        "id": "SD-08",
        "document": "SD",
        "article": "第八条",
        "title": "社区党组织班子一般 5–9 人",
        "quote": "社区党组织班子成员,……成员职数一般为5-9人。",
        "quote_is_paraphrase": False,
        "rule_key": "party.committee_size",
        "params": {"min": 5, "max": 9},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        # Seed wins: the committee is due when the new area BOTH reaches the community size
        # requirement AND 50% occupancy ("达到社区设置的规模要求,居民入住率达到50%的"),
        # hence the extra "requires_size_met"; an application alone does not satisfy it.
        # (The preceding "一个社区原则上设置一个社区居委会" is not part of this check.)
        "id": "SD-10",
        "document": "SD",
        "article": "第十条",
        "title": "新建住宅区入住率达50%应成立居委会",
        "quote": "新建住宅区达到社区设置的规模要求,居民入住率达到50%的,应成立社区居委会。",
        "quote_is_paraphrase": False,
        "rule_key": "community.committee_when_occupied",
        "params": {"min_occupancy": "0.5", "application_counts": False, "requires_size_met": True},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # Members >= ceil(households / 300), capped at 9; and 5–9 overall (both 一般).
        "id": "SD-11a",
        "document": "SD",
        "article": "第十一条",
        "title": "每300户配1名成员,一般 5–9 人",
        "quote": "社区居委会成员的产生,一般按每300户配备1人确定,社区居委会一般配置5-9人。",
        "quote_is_paraphrase": False,
        "rule_key": "committee.size_range",
        "params": {"min": 5, "max": 9, "households_per_member": 300, "cap": 9},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        "id": "SD-11b",
        "document": "SD",
        "article": "第十一条",
        "title": "直接选举、户代表或居民代表选举",
        "quote": "社区居委会成员可采取直接选举、户代表选举或居民代表选举的方式产生。",
        "quote_is_paraphrase": False,
        "rule_key": "election.method",
        "params": {"allowed": ["direct", "household", "group_representative"]},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # The residents'-group duty ("居住分散相对独立的居民小区应成立居民小组") needs a
        # per-estate fact the portal does not record, so only the three subcommittees are checked.
        "id": "SD-12",
        "document": "SD",
        "article": "第十二条",
        "title": "应设人民调解、治安保卫、公共卫生委员会",
        "quote": (
            "社区居委会应设立人民调解、治安保卫、公共卫生等下属委员会,"
            "社区内居住分散相对独立的居民小区应成立居民小组"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "organization.required_kinds",
        "params": {"kinds": ["mediation", "security", "public_health"]},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "SD-25",
        "document": "SD",
        "article": "第二十五条",
        "title": "每社区一处“一站式”服务大厅",
        "quote": "每个社区要建立一处综合性、多功能的“一站式”社区服务大厅。",
        "quote_is_paraphrase": False,
        "rule_key": "organization.exists",
        "params": {"kind": "service_hall"},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # The seed also covers "旧城区连片改造居民区" (contiguous redevelopment); the portal has
        # no community kind for that, so only new_residential is matched.  "900平方米左右":
        # reported against 900 m² with a ±10% tolerance (the portal's reading of 左右).
        "id": "SD-27a",
        "document": "SD",
        "article": "第二十七条",
        "title": "新建区工作用房≥300㎡,服务设施约900㎡",
        "quote": (
            "新建住宅区和旧城区连片改造居民区的社区工作用房,要按照不低于300平方米标准建设,"
            "社区服务设施面积按照900平方米左右配置并列入规划"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "facilities.min_area",
        "params": {
            "min_m2": 300,
            "measure": "office",
            "applies_to_kinds": ["new_residential"],
            "service_m2": 900,
            "tolerance": "0.10",
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "SD-27b",
        "document": "SD",
        "article": "第二十七条",
        "title": "老城区工作和服务用房不低于150㎡",
        "quote": "老城区、已建成社区工作和服务用房按照不低于150平方米的要求",
        "quote_is_paraphrase": False,
        "rule_key": "facilities.min_area",
        "params": {
            "min_m2": 150,
            "measure": "office_and_service",
            "applies_to_kinds": ["urban", "former_village", "enterprise"],
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # Concerns developers of new estates, hence applies_to_kinds.
        "id": "SD-29",
        "document": "SD",
        "article": "第二十九条",
        "title": "入住一月内无偿移交社区用房",
        "quote": "居民入住一月内,建设单位应将社区办公和服务用房无偿交给所在地街道(镇)管理",
        "quote_is_paraphrase": False,
        "rule_key": "facilities.handover_within",
        "params": {"months": 1, "applies_to_kinds": ["new_residential"]},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # >= max(3‰ of total floor area, 100 m²); new estates only.
        "id": "SD-30",
        "document": "SD",
        "article": "第三十条",
        "title": "物业服务用房≥总建筑面积3‰且≥100㎡",
        "quote": (
            "新建居民小区,建设单位要按照不低于建设工程项目总建筑面积的3‰,"
            "且不少于100平方米的要求配置物业服务用房。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "facilities.property_rooms",
        "params": {"permille": 3, "min_m2": 100, "applies_to_kinds": ["new_residential"]},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # ¥20,000 per 1000 households a year = ¥20 per household; seed says 原则上.
        "id": "SD-31",
        "document": "SD",
        "article": "第三十一条",
        "title": "工作经费每千户每年不少于2万元",
        "quote": "社区工作经费,原则上按每千户每年不少于20000元核拨",
        "quote_is_paraphrase": False,
        "rule_key": "funding.per_households",
        "params": {"yuan_per_household": 20},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        # "定期" sets no interval; the portal reads it as at least once a year.
        "id": "SD-33",
        "document": "SD",
        "article": "第三十三条",
        "title": "街道定期公开社区工作经费使用情况",
        "quote": (
            "街道要将社区工作经费纳入街道财政管理,"
            "并定期向社区居委会和居民公开使用情况,接受居民监督。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "funding.fund_use_disclosed",
        "params": {"per_period": "year"},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    # ------------------------------------------------------------------------------------------
    # BY — Baiyin 四龙路街道 self-government plan (2011), seeds/002.  Sections: 三(一)1 etc.
    # ------------------------------------------------------------------------------------------
    {
        "id": "BY-01",
        "document": "BY",
        "article": "三(一)1",
        "title": "入住率达50%后及时申请成立居委会",
        "quote": (
            "新建住宅区居民入住率达到50%后,及时申请成立社区居委会,在此之前应由相邻社区居委会代管。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "community.committee_when_occupied",
        "params": {"min_occupancy": "0.5", "application_counts": True},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # 超过50名 → 党总支 (strictly more than 50); 50名以下 → 党支部 (50 included).
        # building_branch_about: the "20人左右" building branches, informational.
        "id": "BY-02",
        "document": "BY",
        "article": "三(一)3",
        "title": "党员超过50名设党总支,50名以下设党支部",
        "quote": (
            "社区在册党员超过50名的,建立社区党总支;50名以下的,建立社区党支部;"
            "……以20人左右建立楼宇党支部。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "party.org_kind_by_members",
        "params": {"general_branch_above": 50, "building_branch_about": 20},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "BY-03",
        "document": "BY",
        "article": "三(一)3",
        "title": "居民议事协调会:10名楼栋长+1名社区干部",
        "quote": (
            "在楼栋长中选举产生10名和1名社区干部组成居民议事协调会,"
            "居民议事协调会设置1会长、1名副会长,会长由社区书记担任,"
            "副会长在居民议事协调会成员中推选产生"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "governance.council_composition",
        "params": {
            "building_leaders": 10,
            "community_cadres": 1,
            "chairs": 1,
            "vice_chairs": 1,
            "chair_role": "party_secretary",
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # The seed names the body 民情议事会 in this sentence (same paragraph as the 居民议事
        # 协调会) and says 原则上, which the digest omits: flagged as a default.
        "id": "BY-04",
        "document": "BY",
        "article": "三(一)3",
        "title": "议事会原则上每月不少于一次",
        "quote": "民情议事会由社区书记负责召集和主持,原则上每月不少于一次,也可根据实际临时召开。",
        "quote_is_paraphrase": False,
        "rule_key": "governance.council_monthly",
        "params": {"per_month": 1},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": True,
    },
    {
        "id": "BY-05",
        "document": "BY",
        "article": "三(一)3;四(三)",
        "title": "每栋楼1名楼栋长,名单公示5个工作日",
        "quote": ("每栋楼推选产生1名楼栋长……成员名单在居民小区公示,公示期为5个工作日。"),
        "quote_is_paraphrase": False,
        "rule_key": "governance.building_leaders",
        "params": {"per_building": 1, "publicity_working_days": 5},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "BY-06",
        "document": "BY",
        "article": "三(一)3",
        "title": "楼栋长“八必报”",
        "quote": (
            "做到“八必报”:公共设施损坏必报、背街小巷不洁必报、发现新增孕妇必报、"
            "外来人员流入必报、居民病重住院必报、居民房屋出租必报、有不安全隐患必报、"
            "有不稳定因素必报"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "grassroots.building_reports",
        "params": {
            "categories": [
                "damaged_public_facilities",
                "unclean_back_lanes",
                "new_pregnancies",
                "incoming_non_residents",
                "residents_hospitalized",
                "flats_let",
                "safety_hazards",
                "instability_factors",
            ],
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "BY-07",
        "document": "BY",
        "article": "三(二)1",
        "title": "进入社区事项经街道准入并明确经费保障",
        "quote": (
            "由街道领导集体研究决定,允许进入社区的事项,应明确授权内容、对象、权限、时限和经费保障。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "funding.tasks_approved",
        "params": {"requires_funding": True, "approver": "street_office"},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "BY-08",
        "document": "BY",
        "article": "三(三)1",
        "title": "居民诉求件件有回应、事事有反馈",
        "quote": (
            "建立健全民意收集、限时办理、全程监督、及时反馈等工作制度,"
            "确保“件件有回应、事事有反馈”。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "grassroots.requests_answered",
        "params": {},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    # ------------------------------------------------------------------------------------------
    # CZ — Chizhou draft (2020-07-03), seeds/003.  Sections: 二(二) etc.
    # ------------------------------------------------------------------------------------------
    {
        # Seed wins: the same paragraph also requires funding for tasks the community must
        # assist with by law ("应当为其提供经费和必要工作条件"), hence requires_funding.
        "id": "CZ-02",
        "document": "CZ",
        "article": "二(二)",
        "title": "清单外事项须经县级社区治理领导机构同意",
        "quote": (
            "实行社区工作事项准入制度,完善社区工作事项清单,清单之外事项进入社区"
            "须经县级以上(含县级)社区治理领导机构研究同意,"
            "……依法需要社区协助的工作事项,应当为其提供经费和必要工作条件。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "funding.tasks_approved",
        "params": {
            "task_list_or_approved": True,
            "approver": "county_governance_body",
            "requires_funding": True,
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # Per worker: trained at least once in every 36 months (全部轮训 every three years).
        # The yearly clause obliges the county to organise at least one session a year — a duty
        # of the county, not of each worker — so it is kept under its own name,
        # county_sessions_months, rather than as a per-worker "yearly_months".
        "id": "CZ-05a",
        "document": "CZ",
        "article": "二(五)",
        "title": "社区工作者每三年全部轮训一次",
        "quote": (
            "县(区)每年组织社区工作者能力提升培训不少于一次,每三年对社区工作者全部轮训一次。"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "training.cadence",
        "params": {"months": 36, "county_sessions_months": 12},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # Benchmark: pay of local public-institution management posts of the corresponding grade.
        "id": "CZ-05b",
        "document": "CZ",
        "article": "二(五)",
        "title": "城市社区工作者报酬不低于事业单位对应等级",
        "quote": "城市社区工作者报酬按照不低于当地事业单位管理岗对应等级的职员工资落实",
        "quote_is_paraphrase": False,
        "rule_key": "funding.pay_vs_benchmark",
        "params": {"benchmark": "public_institution_pay"},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # The text sets no interval ("逐步建立"); one survey a year with published results is
        # the digest's / portal's reading.
        "id": "CZ-10",
        "document": "CZ",
        "article": "二(十)",
        "title": "以居民满意度为主要标准评价并公开结果",
        "quote": "逐步建立以社区居民满意度为主要衡量标准的社区治理评价体系和评价结果公开机制。",
        "quote_is_paraphrase": False,
        "rule_key": "governance.satisfaction_survey",
        "params": {"per_period": "year", "results_published": True},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    # ------------------------------------------------------------------------------------------
    # AH / HB / NAT — cited in the surveys of seeds/004
    # ------------------------------------------------------------------------------------------
    {
        # Both bands include 2500 (以下 / 以上): 2500 falls in the stricter ¥30,000 band.
        "id": "AH07",
        "document": "AH",
        "article": "",
        "title": "工作经费:2500户以下2万元、以上3万元",
        "quote": (
            "2500户以下社区每年补贴工作经费不低于2万元,2500户以上社区每年补贴工作经费不低于3万元"
        ),
        "quote_is_paraphrase": False,
        "rule_key": "funding.per_community_bands",
        "params": {
            "bands": [
                {"max_households": 2500, "min_yuan": 20000},
                {"min_households": 2500, "min_yuan": 30000},
            ],
            "overlap": "stricter",
        },
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        "id": "HB07",
        "document": "HB",
        "article": "",
        "title": "服务工作经费每户10元",
        "quote": "各地政府要按照每户10元的标准,落实社区开展服务工作必需经费",
        "quote_is_paraphrase": False,
        "rule_key": "funding.per_households",
        "params": {"yuan_per_household": 10},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # Reported by the survey; the underlying standard is not identified (unverified).
        "id": "NAT-rooms",
        "document": "NAT",
        "article": "",
        "title": "社区办公、活动用房不少于300平方米",
        "quote": "有7个社区居委会办公、活动用房达到或超过了国家、省规定的300平方米标准",
        "quote_is_paraphrase": False,
        "rule_key": "facilities.min_area",
        "params": {"min_m2": 300, "measure": "office_and_service"},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    # ------------------------------------------------------------------------------------------
    # P14 — 十四五 planning indicators (reported, unverified at source)
    # ------------------------------------------------------------------------------------------
    {
        "id": "P14-area",
        "document": "P14",
        "article": "",
        "title": "社区综合服务设施每百户不低于30平方米",
        "quote": "到2025年,城市社区综合服务设施面积每百户居民不低于30平方米。",
        "quote_is_paraphrase": True,
        "rule_key": "facilities.area_per_households",
        "params": {"per_100_households": 30, "measure": "service"},
        "level": "community",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
    {
        # "每万城镇常住人口拥有社区工作者数" is a ratio over a region's urban population, so it
        # is checked as an aggregate over a jurisdiction, not per community.
        "id": "P14-staff",
        "document": "P14",
        "article": "",
        "title": "每万城镇常住人口拥有社区工作者18人",
        "quote": "到2025年,每万城镇常住人口拥有社区工作者达到18人。",
        "quote_is_paraphrase": True,
        "rule_key": "staff.per_population",
        "params": {"per_10000": 18},
        "level": "jurisdiction",
        "scope_prefixes": None,
        "effective_from": None,
        "effective_to": None,
        "is_default": False,
    },
]


# ------------------------------------------------------------------------------------------
# N89 — 城市居民委员会组织法 (1989 text), 1990-01-01 to 2018-12-28
# ------------------------------------------------------------------------------------------
# The 2018 amendment changed only 第八条's term (三年 → 五年): every other N18 clause is the 1989
# text word for word, so the N89 rows are the N18 rows renamed, with the three-year term.
_N89_TERM = {
    "title": "每届任期三年",
    "quote": "居民委员会每届任期三年,其成员可以连选连任。",
    "params": {"max_years": 3},
}


def _n89(row: dict) -> dict:
    version = copy.deepcopy(row)
    version.update(id="N89" + row["id"][3:], document="N89")
    if row["id"] == "N18-08b":
        version.update(copy.deepcopy(_N89_TERM))
    return version


STANDARDS[:0] = [_n89(row) for row in STANDARDS if row["document"] == "N18"]
