from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import audit


class GrassrootsConfig(AppConfig):
    name = "grassroots"
    verbose_name = _("民情与网格")

    def ready(self) -> None:
        # The history page of each community-owned record (core/audit.py).
        for model in ("grid", "visit", "request"):
            audit.register(
                f"grassroots.{model}", "community", tab="grassroots", back="grassroots:requests"
            )
        audit.register(
            "grassroots.gridworker", "grid__community", tab="grassroots", back="grassroots:grids"
        )
