from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("监督")

    def ready(self) -> None:
        from compliance import exemptions
        from supervision.selectors import EXEMPTION_SOURCE

        # Rates and exports everywhere learn of the exemptions granted here.
        exemptions.register(EXEMPTION_SOURCE)
