from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import audit


class DivisionsConfig(AppConfig):
    name = "divisions"
    verbose_name = _("行政区划与社区")

    def ready(self) -> None:
        # The history page of each community-owned record (core/audit.py).
        audit.register("divisions.community", None, tab="profile", back="committees:community")
