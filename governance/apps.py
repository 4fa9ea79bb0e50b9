from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import audit


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("民主治理")

    def ready(self) -> None:
        # The history page of each community-owned record (core/audit.py).
        audit.register(
            "governance.meeting", "community", tab="governance", back="governance:meetings"
        )
        audit.register(
            "governance.resolution",
            "meeting__community",
            tab="governance",
            back="governance:meetings",
        )
        audit.register(
            "governance.disclosure", "community", tab="governance", back="governance:disclosures"
        )
        audit.register(
            "governance.financeline",
            "disclosure__community",
            tab="governance",
            back="governance:disclosures",
        )
        audit.register(
            "governance.majormatter", "community", tab="governance", back="governance:matters"
        )
        audit.register(
            "governance.matterstep",
            "matter__community",
            tab="governance",
            back="governance:meetings",
        )
        audit.register(
            "governance.covenant", "community", tab="governance", back="governance:covenants"
        )
        audit.register(
            "governance.publicservice", "community", tab="governance", back="governance:services"
        )
        audit.register(
            "governance.meetingattachment",
            "meeting__community",
            tab="governance",
            back="governance:meetings",
        )
        audit.register(
            "governance.disclosureattachment",
            "disclosure__community",
            tab="governance",
            back="governance:meetings",
        )
