"""Exempted findings: an overlay on the stored findings, for every rate and export.

A finding that fails (non-compliant or no data) while an exemption granted for its community
and standard is in force is *exempted*: tallies count it apart (never as compliant, and not in
the compliance rate either way) and exports mark it with who granted it. Exemptions are granted
in the supervision app, which registers here how to find them, so that the engine does not
depend on it; without a registered source nothing is ever exempted.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import BaseExpression
from django.utils.translation import gettext as _

from compliance.status import Status

EXEMPTIBLE = (Status.NON_COMPLIANT, Status.NO_DATA)


@dataclass(frozen=True)
class ExemptionNote:
    granted_by: str
    expires_on: datetime.date
    reason: str
    code: str = ""  # the community's code

    def __str__(self) -> str:
        return _("已豁免(%(who)s 批准,至 %(until)s)") % {
            "who": self.granted_by or "—",
            "until": self.expires_on.isoformat(),
        }


class ExemptionSource(Protocol):
    def active(self, on: datetime.date) -> QuerySet:
        """Exemptions in force on ``on``, as rows with ``community_id``, ``code`` (the
        community's) and ``standard_id``."""

    def notes(
        self,
        on: datetime.date,
        *,
        prefix: str | None = None,
        community_ids: Iterable[int] | None = None,
    ) -> dict[tuple[int, int], ExemptionNote]:
        """The exemptions in force, by (community id, standard id)."""


_source: ExemptionSource | None = None


def register(source: ExemptionSource | None) -> None:
    global _source
    _source = source


def _exists(on: datetime.date) -> Exists | None:
    if _source is None:
        return None
    return Exists(
        _source.active(on).filter(
            community_id=OuterRef("community_id"), standard_id=OuterRef("standard_id")
        )
    )


def active_codes(on: datetime.date, prefix: str = "") -> QuerySet | None:
    """The community codes under ``prefix`` with an exemption in force (a subquery), or None
    when no source is registered."""
    if _source is None:
        return None
    return _source.active(on).filter(code__startswith=prefix).values("code")


def exempted_q(on: datetime.date) -> Q:
    """Findings (a Finding queryset's rows) that are exempted on ``on``."""
    exists = _exists(on)
    if exists is None:
        return Q(pk__in=[])
    return Q(exists, status__in=EXEMPTIBLE)


def covered(on: datetime.date) -> BaseExpression:
    """An annotation: an exemption in force covers this finding's community and standard
    (whatever its status: combine with ``EXEMPTIBLE``)."""
    exists = _exists(on)
    return Value(False) if exists is None else exists


def notes(
    on: datetime.date,
    *,
    prefix: str | None = None,
    community_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], ExemptionNote]:
    if _source is None:
        return {}
    return _source.notes(on, prefix=prefix, community_ids=community_ids)
