from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("平台与权限")

    def ready(self) -> None:
        # What is due (待办) comes from each app's reminders.py (core/reminders.py is the registry).
        autodiscover_modules("reminders")
