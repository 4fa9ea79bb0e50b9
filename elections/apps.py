from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import audit


class ElectionsConfig(AppConfig):
    name = "elections"
    verbose_name = _("换届选举")

    def ready(self) -> None:
        # The history page of each community-owned record (core/audit.py).
        audit.register(
            "elections.election", "community", tab="elections", back="elections:elections"
        )
        audit.register(
            "elections.electioncandidate",
            "election__community",
            tab="elections",
            back="elections:elections",
        )
