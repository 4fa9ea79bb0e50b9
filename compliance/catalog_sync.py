"""Write the standards catalogue (compliance/catalog.py) into the database, by key.

Run after every ``migrate`` (post_migrate, compliance/apps.py) and by hand with
``manage.py sync_catalog``. Not a data migration: a migration that imports live code breaks a
fresh ``migrate`` as soon as the catalogue gains a field the old schema lacks.

Idempotent: a row is written only when it differs from the catalogue, so a second run changes
nothing and adds no history. A bureau's own documents and standards (``created_by`` set) are
never touched, even if the catalogue later uses the same key.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from compliance.catalog import DOCUMENTS, STANDARDS
from compliance.models import PolicyDocument, Standard

LAW_DOCUMENTS = {"N89", "N18", "N25"}  # national law binds alongside local policy


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Catalogue keys taken by a bureau's local document or standard: left as the bureau made them.
    skipped: list[str] = field(default_factory=list)


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _document_values(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": doc["title"],
        "issuer": doc["issuer"],
        "number": doc["number"],
        "issued_on": _date(doc["issued_on"]),
        "effective_from": _date(doc["effective_from"]),
        "effective_to": _date(doc["effective_to"]),
        "scope_prefixes": doc["scope_prefixes"],
        "status": doc["status"],
        "tier": "law" if doc["key"] in LAW_DOCUMENTS else "policy",
        "source": doc["source"][:300],
    }


def _standard_values(std: dict[str, Any], document: PolicyDocument) -> dict[str, Any]:
    return {
        "document_id": document.pk,
        "article": std["article"],
        "title": std["title"],
        "quote": std["quote"],
        "quote_is_paraphrase": std["quote_is_paraphrase"],
        "rule_key": std["rule_key"],
        "params": std["params"],
        "level": std["level"],
        "scope_prefixes": std["scope_prefixes"],
        "effective_from": _date(std["effective_from"]),
        "effective_to": _date(std["effective_to"]),
        "is_default": std["is_default"],
    }


def _put(model, existing, lookup: dict[str, Any], values: dict[str, Any], result: SyncResult):
    if existing is None:
        row = model(**lookup, **values)
        row.save()
        result.created += 1
        return row
    if existing.created_by_id is not None:
        result.skipped.append(next(iter(lookup.values())))
        return existing
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if changed:
        for name in changed:
            setattr(existing, name, values[name])
        existing.save()
        result.updated += 1
    else:
        result.unchanged += 1
    return existing


@transaction.atomic
def sync_catalog(using: str = "default") -> SyncResult:
    result = SyncResult()
    documents = {d.key: d for d in PolicyDocument.objects.using(using)}
    standards = {s.code: s for s in Standard.objects.using(using)}
    by_key: dict[str, PolicyDocument] = {}
    for doc in DOCUMENTS:
        by_key[doc["key"]] = _put(
            PolicyDocument,
            documents.get(doc["key"]),
            {"key": doc["key"]},
            _document_values(doc),
            result,
        )
    for std in STANDARDS:
        _put(
            Standard,
            standards.get(std["id"]),
            {"code": std["id"]},
            _standard_values(std, by_key[std["document"]]),
            result,
        )
    return result


def after_migrate(sender: object, using: str = "default", **kwargs: object) -> None:
    """post_migrate receiver (compliance/apps.py)."""
    sync_catalog(using=using)
