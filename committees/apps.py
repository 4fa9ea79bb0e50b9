from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import audit


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = _("社区与组织")

    def ready(self) -> None:
        # The history page of each community-owned record (core/audit.py).
        audit.register(
            "committees.organization", "community", tab="people", back="committees:people"
        )
        audit.register("committees.person", "community", tab="people", back="committees:people")
        audit.register(
            "committees.membership",
            "organization__community",
            tab="people",
            back="committees:people",
        )
        audit.register(
            "committees.training", "person__community", tab="people", back="committees:people"
        )
        audit.register(
            "committees.qualification", "person__community", tab="people", back="committees:people"
        )
