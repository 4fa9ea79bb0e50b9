"""Write the standards catalogue (portal/catalog.py) into the database, by key: idempotent.

Called from a data migration so that a freshly migrated database has every document and
standard. Takes the model classes as arguments so migrations can pass historical models.
"""

from __future__ import annotations

import datetime

from portal.catalog import DOCUMENTS, STANDARDS

LAW_DOCUMENTS = {"N18", "N25"}  # national law binds alongside local policy


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def sync_catalog(document_model, standard_model) -> tuple[int, int]:
    documents = {}
    for doc in DOCUMENTS:
        documents[doc["key"]], _created = document_model.objects.update_or_create(
            key=doc["key"],
            defaults={
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
            },
        )
    for std in STANDARDS:
        standard_model.objects.update_or_create(
            code=std["id"],
            defaults={
                "document": documents[std["document"]],
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
            },
        )
    return len(DOCUMENTS), len(STANDARDS)
