from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from demo.committees import ZHUHAI_DIR
from divisions.imports import ImportAborted, import_divisions
from divisions.models import Community, Division

pytestmark = pytest.mark.django_db

HEADERS = {
    "provinces.csv": "code,name",
    "cities.csv": "code,name,provinceCode",
    "areas.csv": "code,name,cityCode,provinceCode",
    "streets.csv": "code,name,areaCode,provinceCode,cityCode",
    "residents_committees.csv": "code,name,streetCode,provinceCode,cityCode,areaCode",
}
GOOD = {
    "provinces.csv": ['44,"广东省"'],
    "cities.csv": ['4404,"珠海市",44'],
    "areas.csv": ['440402,"香洲区",4404,44'],
    "streets.csv": ['440402001,"翠香街道",440402,44,4404'],
    "residents_committees.csv": [
        "440402001001,甲社区居委会,440402001,44,4404,440402",
        "440402001002,乙社区居委会,440402001,44,4404,440402",
    ],
}


def write(
    folder: Path,
    extra: dict[str, list[str]] | None = None,
    replace: dict[str, list[str]] | None = None,
) -> Path:
    folder.mkdir(exist_ok=True)
    for name, header in HEADERS.items():
        rows = (replace or {}).get(name, GOOD[name]) + (extra or {}).get(name, [])
        (folder / name).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return folder


def counts() -> tuple[int, int]:
    return Division.objects.count(), Community.objects.count()


def test_it_imports_every_level_with_parent_links(tmp_path):
    result = import_divisions(write(tmp_path / "d"))
    assert not result.errors
    assert counts() == (4, 2)
    community = Community.objects.get(code="440402001001")
    assert community.street.code == "440402001"
    assert community.street.parent.parent.parent.code == "44"


def test_it_changes_nothing_when_run_twice(tmp_path):
    folder = write(tmp_path / "d")
    import_divisions(folder)
    before = list(Community.objects.values_list("id", "code", "name", "street_id"))
    result = import_divisions(folder)
    assert counts() == (4, 2)
    assert list(Community.objects.values_list("id", "code", "name", "street_id")) == before
    assert all(level.created == 0 and level.updated == 0 for level in result.levels)


def test_it_updates_a_renamed_unit_instead_of_duplicating_it(tmp_path):
    import_divisions(write(tmp_path / "a"))
    pk = Community.objects.get(code="440402001001").pk
    renamed = write(
        tmp_path / "b",
        replace={
            "residents_committees.csv": [
                "440402001001,甲社区新名居委会,440402001,44,4404,440402",
                "440402001002,乙社区居委会,440402001,44,4404,440402",
            ],
            "streets.csv": ['440402001,"翠香街道(新)",440402,44,4404'],
        },
    )
    result = import_divisions(renamed)
    assert counts() == (4, 2)
    assert Community.objects.get(pk=pk).name == "甲社区新名居委会"
    assert Division.objects.get(code="440402001").name == "翠香街道(新)"
    assert {lv.filename: lv.updated for lv in result.levels}["residents_committees.csv"] == 1


def test_it_keeps_profile_data_when_reimporting(tmp_path):
    folder = write(tmp_path / "d")
    import_divisions(folder)
    Community.objects.filter(code="440402001001").update(households=1234)
    import_divisions(folder)
    assert Community.objects.get(code="440402001001").households == 1234


BAD_ROWS = [
    ("residents_committees.csv", "44040200100,短代码居委会,440402001,44,4404,440402", "应为 12 位"),
    ("residents_committees.csv", "44040200100X,字母居委会,440402001,44,4404,440402", "应为 12 位"),
    (
        "residents_committees.csv",
        "440402009001,错位居委会,440402001,44,4404,440402",
        "不以上级代码",
    ),
    ("residents_committees.csv", "440499001001,孤儿居委会,440499001,44,4404,440499", "不存在"),
    ("residents_committees.csv", "440402001003,,440402001,44,4404,440402", "名称为空"),
    ("residents_committees.csv", "440402001003,   ,440402001,44,4404,440402", "名称为空"),
    ("residents_committees.csv", "440402001001,重复居委会,440402001,44,4404,440402", "重复"),
    ("streets.csv", '440403001,"无上级街道",440403,44,4404', "不存在"),
    ("cities.csv", '4504,"错省市",44', "不以上级代码"),
    ("areas.csv", '440402,"",4404,44', "名称为空"),
]


@pytest.mark.parametrize(("filename", "row", "message"), BAD_ROWS)
def test_it_reports_each_kind_of_bad_row_with_file_and_line(tmp_path, filename, row, message):
    folder = write(tmp_path / "d", extra={filename: [row]})
    line = len(GOOD[filename]) + 2  # header is line 1
    result = import_divisions(folder)
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.filename, error.line) == (filename, line)
    assert message in error.message
    assert str(error).startswith(f"{filename}:{line}:")
    assert counts() == (4, 2)  # the good rows were imported, the bad one skipped


@pytest.mark.parametrize(("filename", "row", "message"), BAD_ROWS)
def test_it_writes_nothing_in_strict_mode_when_a_row_is_bad(tmp_path, filename, row, message):
    folder = write(tmp_path / "d", extra={filename: [row]})
    with pytest.raises(ImportAborted) as aborted:
        import_divisions(folder, strict=True)
    assert message in aborted.value.result.errors[0].message
    assert counts() == (0, 0)


def test_it_skips_the_children_of_a_skipped_parent(tmp_path):
    folder = write(tmp_path / "d", replace={"streets.csv": ['440402001,"",440402,44,4404']})
    result = import_divisions(folder)
    files = sorted(e.filename for e in result.errors)
    assert files == ["residents_committees.csv", "residents_committees.csv", "streets.csv"]
    assert Community.objects.count() == 0


def test_it_reports_a_missing_column(tmp_path):
    folder = write(tmp_path / "d")
    (folder / "cities.csv").write_text("code,name\n4404,珠海市\n", encoding="utf-8")
    result = import_divisions(folder)
    assert any("provinceCode" in e.message and e.filename == "cities.csv" for e in result.errors)


def test_it_accepts_a_parent_already_in_the_database(tmp_path):
    import_divisions(write(tmp_path / "a"))
    only_communities = tmp_path / "b"
    only_communities.mkdir()
    (only_communities / "residents_committees.csv").write_text(
        HEADERS["residents_committees.csv"]
        + "\n440402001009,丙社区居委会,440402001,44,4404,440402\n",
        encoding="utf-8",
    )
    assert not import_divisions(only_communities).errors
    assert Community.objects.filter(code="440402001009").exists()


def test_the_command_prints_a_summary_and_the_bad_rows(tmp_path):
    folder = write(
        tmp_path / "d",
        extra={"residents_committees.csv": ["440402001003,,440402001,44,4404,440402"]},
    )
    out, err = StringIO(), StringIO()
    call_command("import_divisions", str(folder), "--no-progress", stdout=out, stderr=err)
    assert "residents_committees.csv:4:" in err.getvalue()
    assert "新增 2" in out.getvalue()
    assert "跳过 1" in out.getvalue()


def test_the_command_aborts_in_strict_mode(tmp_path):
    folder = write(tmp_path / "d", extra={"streets.csv": ['440402002,"",440402,44,4404']})
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command(
            "import_divisions",
            str(folder),
            "--strict",
            "--no-progress",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert counts() == (0, 0)


def test_the_command_refuses_a_folder_that_does_not_exist(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_divisions", str(tmp_path / "nope"), stdout=StringIO())


def test_it_imports_the_shipped_zhuhai_slice(tmp_path):
    folder = tmp_path / "zh"
    shutil.copytree(ZHUHAI_DIR, folder)
    result = import_divisions(folder)
    assert not result.errors
    assert Community.objects.count() == 213
    assert Division.objects.filter(level=Division.Level.DISTRICT).count() == 3
