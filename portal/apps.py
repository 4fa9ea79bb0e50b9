from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The project: settings, URLs, the home page and the division dashboards."""

    name = "portal"
    verbose_name = _("门户")
