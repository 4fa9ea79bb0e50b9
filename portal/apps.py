from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("平台与权限")

    def ready(self) -> None:
        # Each app registers its compliance rules from its own rules.py.
        autodiscover_modules("rules")
        # …and what is due (待办) from its reminders.py (portal/reminders.py).
        autodiscover_modules("reminders")
