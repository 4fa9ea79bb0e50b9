"""docs/catalogue.md is generated from the catalogue and kept up to date."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from compliance import catalog_doc
from compliance.catalog import DOCUMENTS


def test_it_is_up_to_date_with_the_catalogue():
    assert catalog_doc.PATH.read_text("utf-8") == catalog_doc.render(), (
        "docs/catalogue.md is stale: run manage.py write_catalogue"
    )


def test_it_fails_the_check_when_the_file_is_stale(tmp_path, monkeypatch):
    stale = tmp_path / "catalogue.md"
    stale.write_text("# old\n", "utf-8")
    monkeypatch.setattr("compliance.management.commands.write_catalogue.PATH", stale)
    with pytest.raises(CommandError, match="out of date"):
        call_command("write_catalogue", "--check")
    call_command("write_catalogue")
    assert stale.read_text("utf-8") == catalog_doc.render()
    call_command("write_catalogue", "--check")


def test_it_says_where_every_date_comes_from_or_that_it_cannot_be_sourced():
    text = catalog_doc.render()
    for document in DOCUMENTS:
        assert document["date_note"] and document["date_note"] in text, document["key"]
        if document["status"] != "draft" and document["effective_from"] is None:
            assert "无法溯源" in document["date_note"], document["key"]
    # Placeholder dates are said to be placeholders, not passed off as sourced.
    for key in ("AH", "HB", "GD"):
        assert "无法溯源" in next(d for d in DOCUMENTS if d["key"] == key)["date_note"]


def test_it_lists_each_standard_with_its_dates():
    lines = catalog_doc.render().splitlines()
    row = next(line for line in lines if line.startswith("| N89-08b |"))
    assert "第八条" in row and "1990-01-01" in row and "2018-12-28" in row
    row = next(line for line in lines if line.startswith("| N25-quorum |"))
    assert "意译" in row and "2026-01-01" in row
    row = next(line for line in lines if line.startswith("| CZ-02 |"))
    assert "征求意见稿" in row
