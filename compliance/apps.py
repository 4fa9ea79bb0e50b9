from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("合规检查")

    def ready(self) -> None:
        # Models are loaded only now: the app's modules that use them are imported here.
        from compliance import catalog_sync, rollups  # noqa: F401  (rollups connects a receiver)

        # Each domain app registers its compliance rules from its own rules.py.
        autodiscover_modules("rules")
        # A freshly migrated database has the whole catalogue (catalog_sync.py says why not a
        # data migration).
        post_migrate.connect(catalog_sync.after_migrate, sender=self)
