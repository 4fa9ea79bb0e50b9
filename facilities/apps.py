from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import audit


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = _("设施")

    def ready(self) -> None:
        # The history page of each community-owned record (core/audit.py).
        audit.register("facilities.facility", "community", tab="facilities", back="facilities:list")
