"""Import of national statistical division codes from CSV files.

The folder holds up to five files, laid out as the National Bureau of Statistics codes are
published (see README): provinces, cities, areas (counties/districts), streets and
residents' committees. Rows are matched by code, so a second run changes nothing and a renamed
unit is updated in place. Every bad row is reported with its file and line.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from core.models import is_code
from divisions.models import Community, Division
from divisions.signals import divisions_changed


@dataclass(frozen=True)
class LevelSpec:
    filename: str
    level: int | None  # Division.Level, or None for communities
    length: int
    parent_column: str | None
    parent_length: int | None


LEVELS = (
    LevelSpec("provinces.csv", Division.Level.PROVINCE, 2, None, None),
    LevelSpec("cities.csv", Division.Level.CITY, 4, "provinceCode", 2),
    LevelSpec("areas.csv", Division.Level.DISTRICT, 6, "cityCode", 4),
    LevelSpec("streets.csv", Division.Level.STREET, 9, "areaCode", 6),
    LevelSpec("residents_committees.csv", None, 12, "streetCode", 9),
)


@dataclass(frozen=True)
class RowError:
    filename: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}: {self.message}"


@dataclass
class Row:
    code: str
    name: str
    parent_code: str | None


@dataclass
class LevelResult:
    filename: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


@dataclass
class ImportResult:
    levels: list[LevelResult] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    written: bool = False


class ImportAborted(Exception):
    def __init__(self, result: ImportResult):
        super().__init__(
            _("导入已中止:发现 %(n)d 行错误,未写入任何数据。") % {"n": len(result.errors)}
        )
        self.result = result


def _read_rows(path: Path, spec: LevelSpec, known_parents: set[str], errors: list[RowError]):
    """Validate one file. Returns the good rows; appends bad ones to ``errors``."""
    good: dict[str, Row] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"code", "name"} | ({spec.parent_column} if spec.parent_column else set())
        missing -= set(reader.fieldnames or ())
        if missing:
            errors.append(
                RowError(
                    spec.filename, 1, _("缺少列:%(cols)s") % {"cols": ", ".join(sorted(missing))}
                )
            )
            return [], 0
        count = 0
        for line, record in enumerate(reader, start=2):
            count += 1
            code = (record.get("code") or "").strip()
            name = (record.get("name") or "").strip()
            parent = (record.get(spec.parent_column) or "").strip() if spec.parent_column else None

            def bad(message: str, line: int = line) -> None:
                errors.append(RowError(spec.filename, line, message))

            if not is_code(code) or len(code) != spec.length:
                bad(_("代码“%(code)s”应为 %(n)d 位数字。") % {"code": code, "n": spec.length})
                continue
            if not name:
                bad(_("代码 %(code)s 的名称为空。") % {"code": code})
                continue
            if spec.parent_column is not None:
                if not parent:
                    bad(
                        _("代码 %(code)s 缺少上级代码(%(col)s)。")
                        % {"code": code, "col": spec.parent_column}
                    )
                    continue
                if not code.startswith(parent) or len(parent) != spec.parent_length:
                    bad(
                        _("代码 %(code)s 不以上级代码 %(parent)s 开头。")
                        % {"code": code, "parent": parent}
                    )
                    continue
                if parent not in known_parents:
                    bad(
                        _("代码 %(code)s 的上级 %(parent)s 不存在。")
                        % {"code": code, "parent": parent}
                    )
                    continue
            if code in good:
                bad(_("代码 %(code)s 重复出现。") % {"code": code})
                continue
            good[code] = Row(code, name, parent)
    return list(good.values()), count


def validate(directory: Path) -> tuple[dict[str, list[Row]], ImportResult]:
    """Read and check every file without writing anything."""
    result = ImportResult()
    plan: dict[str, list[Row]] = {}
    present = [spec for spec in LEVELS if (directory / spec.filename).is_file()]
    if not present:
        result.errors.append(
            RowError(str(directory), 0, _("目录中没有可导入的 CSV 文件(如 provinces.csv)。"))
        )
        return plan, result
    # Parents may come from this import or already be in the database.
    known = set(Division.objects.values_list("code", flat=True))
    for spec in present:
        rows, count = _read_rows(directory / spec.filename, spec, known, result.errors)
        plan[spec.filename] = rows
        result.levels.append(LevelResult(spec.filename, read=count, skipped=count - len(rows)))
        if spec.level is not None:
            known.update(row.code for row in rows)
    return plan, result


def _apply_divisions(
    spec: LevelSpec,
    rows: list[Row],
    stats: LevelResult,
    batch: int,
    progress: Callable[[int], object],
) -> None:
    level = spec.level
    assert level is not None  # the communities' file goes to _apply_communities
    parent_ids = (
        dict(Division.objects.filter(level=level - 1).values_list("code", "id"))
        if level > Division.Level.PROVINCE
        else {}
    )
    existing = {
        code: (pk, name, parent_id)
        for pk, code, name, parent_id in Division.objects.filter(level=level).values_list(
            "id", "code", "name", "parent_id"
        )
    }
    new, changed = [], []
    for row in rows:
        parent_id = parent_ids.get(row.parent_code) if row.parent_code else None
        if row.code not in existing:
            new.append(Division(code=row.code, name=row.name, level=level, parent_id=parent_id))
        elif existing[row.code][1:] != (row.name, parent_id):
            changed.append(Division(id=existing[row.code][0], name=row.name, parent_id=parent_id))
    _write(Division, new, changed, ["name", "parent"], stats, len(rows), batch, progress)


def _apply_communities(
    rows: list[Row], stats: LevelResult, batch: int, progress: Callable[[int], object]
) -> None:
    street_ids = dict(
        Division.objects.filter(level=Division.Level.STREET).values_list("code", "id")
    )
    existing = {
        code: (pk, name, street_id)
        for pk, code, name, street_id in Community.objects.values_list(
            "id", "code", "name", "street_id"
        )
    }
    new, changed = [], []
    for row in rows:
        assert row.parent_code is not None  # every community's street was checked on reading
        street_id = street_ids[row.parent_code]
        if row.code not in existing:
            new.append(Community(code=row.code, name=row.name, street_id=street_id))
        elif existing[row.code][1:] != (row.name, street_id):
            changed.append(Community(id=existing[row.code][0], name=row.name, street_id=street_id))
    _write(Community, new, changed, ["name", "street"], stats, len(rows), batch, progress)


def _write(model, new, changed, fields, stats, total, batch, progress) -> None:
    for start in range(0, len(new), batch):
        chunk = new[start : start + batch]
        model.objects.bulk_create(chunk, batch_size=batch)
        progress(len(chunk))
    for start in range(0, len(changed), batch):
        chunk = changed[start : start + batch]
        model.objects.bulk_update(chunk, fields, batch_size=batch)
        progress(len(chunk))
    progress(total - len(new) - len(changed))
    stats.created, stats.updated = len(new), len(changed)
    stats.unchanged = total - len(new) - len(changed)


def import_divisions(
    directory: Path,
    *,
    strict: bool = False,
    batch: int = 5000,
    progress: Callable[[int], object] | None = None,
    on_validated: Callable[[ImportResult, int], None] | None = None,
) -> ImportResult:
    """Validate the whole folder, then write the good rows in one transaction.

    With ``strict``, any bad row aborts before anything is written (raises ImportAborted).
    """
    plan, result = validate(directory)
    if strict and result.errors:
        raise ImportAborted(result)
    total = sum(len(rows) for rows in plan.values())
    if on_validated:
        on_validated(result, total)
    tick = progress or (lambda n: None)
    stats = {level.filename: level for level in result.levels}
    with transaction.atomic():
        for spec in LEVELS:
            if spec.filename not in plan:
                continue
            rows = plan[spec.filename]
            if spec.level is None:
                _apply_communities(rows, stats[spec.filename], batch, tick)
            else:
                _apply_divisions(spec, rows, stats[spec.filename], batch, tick)
    # The division pages count communities from the roll-ups: count the new ones in.
    if any(level.created or level.updated for level in result.levels):
        divisions_changed.send(sender=import_divisions, prefix="")
    result.written = True
    return result
