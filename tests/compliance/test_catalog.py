"""Structural checks of the policy-standards catalogue (pure data, no database)."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from compliance.catalog import DOCUMENTS, STANDARDS

# Every row id of the tables in STANDARDS.md, in document order.
ALL_IDS = [
    "N18-06", "N18-07a", "N18-07b", "N18-08a", "N18-08b", "N18-08c", "N18-09", "N18-10",
    "N18-13", "N18-14", "N18-15", "N18-16", "N18-20",
    "N25-03", "N25-term", "N25-vl", "N25-cand", "N25-rep", "N25-mtg", "N25-bodies", "N25-fund",
    "EL-valid", "EL-win", "EL-rerun", "EL-women", "EL-list", "EL-cand",
    "GD-01", "GD-03", "GD-05", "GD-06a", "GD-06b", "GD-07", "GD-09", "GD-10a", "GD-10b",
    "GD-11", "GD-13a", "GD-13b", "GD-13c", "GD-17", "GD-20a", "GD-20b",
    "SD-03", "SD-08", "SD-10", "SD-11a", "SD-11b", "SD-12", "SD-25", "SD-27a", "SD-27b",
    "SD-29", "SD-30", "SD-31", "SD-33",
    "BY-01", "BY-02", "BY-03", "BY-04", "BY-05", "BY-06", "BY-07", "BY-08",
    "CZ-02", "CZ-05a", "CZ-05b", "CZ-10",
    "AH07", "HB07", "NAT-rooms",
    "P14-area", "P14-staff",
]  # fmt: skip

# Rows of STANDARDS.md that hold two checks at two levels are split: the portal's own row for the
# jurisdiction aggregate is named after its digest row.
SPLIT_ROWS = {"GD-09r": "GD-09"}

DOCUMENT_KEYS = ["N18", "N25", "EL", "GD", "SD", "BY", "CZ", "AH", "HB", "NAT", "P14"]

# Where the shared sources live; the cross-checks against them skip when they are absent.
SHARED_DIR = Path("/work/shared")

CJK = re.compile(r"[\u4e00-\u9fff]")
RULE_KEY = re.compile(r"^[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z0-9]+)*$")
DOCUMENT_FIELDS = {
    "key", "title", "issuer", "number", "issued_on", "effective_from", "effective_to",
    "scope_prefixes", "status", "source",
}  # fmt: skip
STANDARD_FIELDS = {
    "id", "document", "article", "title", "quote", "quote_is_paraphrase", "rule_key", "params",
    "level", "scope_prefixes", "effective_from", "effective_to", "is_default",
}  # fmt: skip

DOCS = {d["key"]: d for d in DOCUMENTS}
BY_ID = {s["id"]: s for s in STANDARDS}


def _walk(value, path="params"):
    """Yield (path, value) for every node of a params structure."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def _parse(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _effective(standard: dict) -> tuple[date | None, date | None]:
    document = DOCS[standard["document"]]
    start = standard["effective_from"] or document["effective_from"]
    end = standard["effective_to"] or document["effective_to"]
    return _parse(start), _parse(end)


def test_it_lists_every_standard_exactly_once():
    counts = Counter(s["id"] for s in STANDARDS)
    assert [i for i, n in counts.items() if n > 1] == []
    assert len(ALL_IDS) == len(set(ALL_IDS)) == 73
    assert sorted(counts) == sorted(ALL_IDS + list(SPLIT_ROWS))
    assert all(source in ALL_IDS for source in SPLIT_ROWS.values())


def test_it_matches_the_ids_of_the_standards_digest():
    digest = SHARED_DIR / "STANDARDS.md"
    if not digest.exists():
        pytest.skip("STANDARDS.md not available")
    row_id = re.compile(r"^\|\s*([A-Z][A-Z0-9]*(?:-[A-Za-z0-9]+)?)\s*\|", re.MULTILINE)
    ids = row_id.findall(digest.read_text("utf-8"))
    assert sorted(ids) == sorted(ALL_IDS)


def test_it_has_the_expected_documents_with_all_fields():
    keys = [d["key"] for d in DOCUMENTS]
    assert len(keys) == len(set(keys))
    assert sorted(keys) == sorted(DOCUMENT_KEYS)
    for document in DOCUMENTS:
        assert set(document) == DOCUMENT_FIELDS, document["key"]
        assert CJK.search(document["title"]), document["key"]
        assert document["source"], document["key"]
        assert isinstance(document["number"], str), document["key"]
        assert document["status"] in {"in_force", "draft", "repealed"}, document["key"]


def test_it_has_all_fields_on_every_standard():
    for standard in STANDARDS:
        assert set(standard) == STANDARD_FIELDS, standard["id"]
        assert isinstance(standard["article"], str), standard["id"]
        assert isinstance(standard["quote_is_paraphrase"], bool), standard["id"]
        assert isinstance(standard["is_default"], bool), standard["id"]


def test_it_references_existing_documents():
    for standard in STANDARDS:
        assert standard["document"] in DOCS, standard["id"]
    used = {s["document"] for s in STANDARDS}
    assert used == set(DOCS)


def test_it_has_parseable_dates_in_order():
    for document in DOCUMENTS:
        issued = _parse(document["issued_on"])
        start = _parse(document["effective_from"])
        end = _parse(document["effective_to"])
        if start and end:
            assert end >= start, document["key"]
        if issued and end:
            assert end >= issued, document["key"]
    for standard in STANDARDS:
        _parse(standard["effective_from"])
        _parse(standard["effective_to"])
        start, end = _effective(standard)
        if start and end:
            assert end >= start, standard["id"]


def test_it_uses_known_levels():
    for standard in STANDARDS:
        assert standard["level"] in {"community", "jurisdiction"}, standard["id"]
    assert BY_ID["GD-06a"]["level"] == "jurisdiction"
    assert BY_ID["GD-06b"]["level"] == "jurisdiction"


def test_it_loads_chizhou_as_a_draft():
    assert DOCS["CZ"]["status"] == "draft"
    assert DOCS["CZ"]["scope_prefixes"] == ["3417"]
    assert all(d["status"] == "in_force" for k, d in DOCS.items() if k != "CZ")


def test_it_hands_n18_over_to_n25_at_new_year_2026():
    assert DOCS["N18"]["effective_to"] == "2025-12-31"
    assert DOCS["N25"]["effective_from"] == "2026-01-01"
    assert DOCS["N25"]["effective_to"] is None
    for standard in STANDARDS:
        if standard["document"] in {"N18", "N25"}:
            assert standard["effective_from"] is None, standard["id"]
            assert standard["effective_to"] is None, standard["id"]


def test_it_starts_gd_13a_at_the_end_of_2015():
    assert BY_ID["GD-13a"]["effective_from"] == "2015-12-31"


def test_it_scopes_documents_by_division_code_prefixes():
    expected = {
        "N18": [""], "N25": [""], "EL": [""], "NAT": [""], "P14": [""],
        "GD": ["44"], "SD": ["37"], "BY": ["6204"], "CZ": ["3417"], "AH": ["34"], "HB": ["42"],
    }  # fmt: skip
    assert {k: d["scope_prefixes"] for k, d in DOCS.items()} == expected
    for standard in STANDARDS:
        prefixes = standard["scope_prefixes"]
        assert prefixes is None or (
            isinstance(prefixes, list)
            and all(p == "" or (p.isdigit() and len(p) in {2, 4, 6, 9, 12}) for p in prefixes)
        ), standard["id"]


def test_it_quotes_chinese_text_and_labels():
    for standard in STANDARDS:
        assert standard["quote"].strip(), standard["id"]
        assert len(CJK.findall(standard["quote"])) >= 5, standard["id"]
        assert CJK.search(standard["title"]), standard["id"]
        assert 0 < len(standard["title"]) <= 40, standard["id"]


def test_it_quotes_seed_documents_verbatim():
    seeds = SHARED_DIR / "seeds"
    if not seeds.is_dir():
        pytest.skip("seed documents not available")
    checked = 0
    for standard in STANDARDS:
        match = re.match(r"seeds/(\S+?\.txt)", DOCS[standard["document"]]["source"])
        if not match or standard["quote_is_paraphrase"]:
            continue
        text = re.sub(r"\s+", "", (seeds / match.group(1)).read_text("utf-8"))
        for fragment in standard["quote"].split("……"):
            assert re.sub(r"\s+", "", fragment) in text, (standard["id"], fragment)
        checked += 1
    assert checked >= 40


def test_it_uses_rule_keys_in_area_thing_form():
    for standard in STANDARDS:
        rule_key = standard["rule_key"]
        assert rule_key == "info" or RULE_KEY.match(rule_key), standard["id"]
    info = sorted(s["id"] for s in STANDARDS if s["rule_key"] == "info")
    assert info == ["N18-13", "N18-14"]
    assert all(BY_ID[i]["params"] == {} for i in info)


def test_it_has_json_serialisable_params_without_floats():
    for standard in STANDARDS:
        params = standard["params"]
        assert isinstance(params, dict), standard["id"]
        assert json.loads(json.dumps(params)) == params, standard["id"]
        for path, value in _walk(params):
            assert not isinstance(value, float), (standard["id"], path)


def test_it_stores_fractions_as_exact_integer_pairs():
    for standard in STANDARDS:
        for path, value in _walk(standard["params"]):
            if isinstance(value, dict) and ("numerator" in value or "denominator" in value):
                n, d = value.get("numerator"), value.get("denominator")
                assert type(n) is int and type(d) is int, (standard["id"], path)
                assert 0 < n <= d, (standard["id"], path)
                assert isinstance(value.get("strict"), bool), (standard["id"], path)


@pytest.mark.parametrize(
    ("standard_id", "key", "expected"),
    [
        ("EL-valid", None, (1, 2, True)),
        ("EL-win", None, (1, 2, True)),
        ("EL-rerun", None, (1, 3, False)),
        ("N25-rep", None, (4, 5, False)),
        ("N18-09", "attendance", (1, 2, True)),
        ("N18-09", "votes", (1, 2, True)),
        ("N18-10", "adult_residents", (1, 5, False)),
        ("N18-10", "households", (1, 5, False)),
        ("N18-10", "residents_groups", (1, 3, False)),
        ("N25-mtg", "adult_residents", (1, 10, False)),
        ("N25-mtg", "representatives", (1, 5, False)),
    ],
)
def test_it_encodes_the_legal_fractions_exactly(standard_id, key, expected):
    params = BY_ID[standard_id]["params"]
    fraction = params if key is None else params[key]
    assert (fraction["numerator"], fraction["denominator"], fraction["strict"]) == expected
    assert "min_fraction" not in params


def test_it_writes_percentages_as_decimal_strings():
    for standard in STANDARDS:
        for path, value in _walk(standard["params"]):
            leaf = path.rsplit(".", 1)[-1]
            if leaf in {"min_occupancy", "tolerance"} or (leaf == "min" and "targets[" in path):
                assert isinstance(value, str), (standard["id"], path)
                assert Decimal(0) < Decimal(value) <= Decimal(1), (standard["id"], path)
            if leaf == "from":
                date.fromisoformat(value)


def test_it_applies_the_stricter_anhui_band_at_2500():
    bands = BY_ID["AH07"]["params"]["bands"]
    assert BY_ID["AH07"]["params"]["overlap"] == "stricter"
    matching = [
        b for b in bands
        if b.get("min_households", 0) <= 2500 <= b.get("max_households", 10**9)
    ]  # fmt: skip
    assert max(b["min_yuan"] for b in matching) == 30000


def test_it_flags_defaults_where_the_text_says_so():
    for standard in STANDARDS:
        says_default = "一般" in standard["quote"] or "原则上" in standard["quote"]
        if says_default and standard["rule_key"] != "info":
            assert standard["is_default"], standard["id"]
    assert BY_ID["N18-07a"]["is_default"] is False


def test_it_does_not_invent_document_numbers():
    numbered = {k: d["number"] for k, d in DOCS.items() if d["number"]}
    assert numbered == {
        "AH": "皖发〔2007〕6号",
        "HB": "鄂发〔2007〕4号",
        "P14": "国办发〔2021〕56号",
    }
