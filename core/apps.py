from django import forms
from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from core.validators import validate_no_control_characters


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("平台与权限")

    def ready(self) -> None:
        # What is due (待办) comes from each app's reminders.py (core/reminders.py is the registry).
        autodiscover_modules("reminders")
        # Control characters are refused by every text field of every form (issue 19): Django's
        # CharField has no default validators of its own, its subclasses with their own (e-mail,
        # URL, slug) refuse them anyway.
        forms.CharField.default_validators = [validate_no_control_characters]
