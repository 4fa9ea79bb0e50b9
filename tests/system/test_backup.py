"""Backup and restore (scripts/backup, scripts/restore): a round trip keeps every table."""

from __future__ import annotations

import datetime
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from core.models import Role
from tests.conftest import ROOT, STREET, make_record
from tests.system.conftest import database_url, postgres_only

pytestmark = pytest.mark.system


def restore_flag(command: str) -> list[str]:
    return ["--restore"] if command == "restore" else []


def run(command: str, file: Path, database_url: str) -> None:
    result = subprocess.run(
        # The project's interpreter, not whatever python3 is first on PATH (CI has no venv
        # there); scripts/restore is `backup --restore`.
        [sys.executable, str(ROOT / "scripts" / "backup"), *restore_flag(command), str(file)],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_sqlite_database_round_trips(tmp_path):
    original, restored, backup = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3", tmp_path / "bk"
    with sqlite3.connect(original) as db:
        db.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, photo BLOB)")
        db.executemany(
            "INSERT INTO person (name, photo) VALUES (?, ?)",
            [("张三", b"\x89PNG\x00"), ("O'Brien 😀", None), ("=1+1", b"")],
        )
    run("backup", backup, f"sqlite:///{original}")
    run("restore", backup, f"sqlite:///{restored}")
    query = "SELECT * FROM person ORDER BY id"
    with sqlite3.connect(original) as a, sqlite3.connect(restored) as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
        assert len(b.execute(query).fetchall()) == 3


def populate(make_user, community_in) -> None:
    """Records of every kind, written through the services, so history rows exist too."""
    from committees.models import Person
    from committees.services import person_save
    from compliance.services import record_delete, record_save
    from core.audit import AUDITED
    from funding.models import Allocation

    clerk = make_user(Role.STREET, STREET)
    community = community_in(STREET)
    for label in AUDITED:
        make_record(label.split(".")[1], community)
    person = person_save(
        actor=clerk,
        person=Person(community=community, name="张三", gender="male", phone="13812345678"),
    )
    person.note = "第二版 <b>&'\""
    person_save(actor=clerk, person=person)
    allocation = record_save(
        actor=clerk,
        instance=Allocation(
            community=community,
            year=2024,
            source="street_finance",
            amount=Decimal("12345.67"),
            received_on=datetime.date(2024, 3, 1),
        ),
        community=community,
    )
    record_delete(actor=clerk, instance=allocation, community=community, reason="重复登记")


def fingerprints(cursor, tables: list[str]) -> dict[str, tuple]:
    """Row count and a digest of every row's text, per table."""
    result = {}
    for table in tables:
        cursor.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), ''))"
            f' FROM "{table}" t'
        )
        result[table] = cursor.fetchone()
    return result


@postgres_only  # pg_dump and pg_restore
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_populated_postgres_database_round_trips_table_by_table(
    make_user, community_in, tmp_path
):
    import psycopg

    populate(make_user, community_in)
    s = connection.settings_dict
    copy = f"{s['NAME']}_restored"
    backup = tmp_path / "portal.dump"
    run("backup", backup, database_url())
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        cursor.execute(f'CREATE DATABASE "{copy}"')
    try:
        run("restore", backup, database_url(copy))
        tables = sorted(connection.introspection.table_names())
        with connection.cursor() as cursor:
            before = fingerprints(cursor, tables)
        with psycopg.connect(
            host=s["HOST"], port=s["PORT"], user=s["USER"], password=s["PASSWORD"], dbname=copy
        ) as restored:
            after = fingerprints(restored.cursor(), tables)
            restored_tables = {
                row[0]
                for row in restored.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            }
        assert restored_tables == set(tables)
        assert after == before
        assert before["funding_allocation"][0] == 2  # one of them deleted (softly)
        assert before["committees_historicalperson"][0] >= 2
        assert before["committees_community"][0] > 200
        # Restoring again over the restored copy (--clean) changes nothing.
        run("restore", backup, database_url(copy))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
