from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import audit


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("经费")

    def ready(self) -> None:
        # The history page of each community-owned record (core/audit.py).
        audit.register("funding.allocation", "community", tab="funding", back="funding:ledger")
        audit.register("funding.expenditure", "community", tab="funding", back="funding:ledger")
        audit.register(
            "funding.staffpay", "person__community", tab="funding", back="funding:ledger"
        )
        audit.register("funding.assignedtask", "community", tab="funding", back="funding:tasks")
