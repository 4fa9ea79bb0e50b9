from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from compliance import exemptions


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("监督")

    def ready(self) -> None:
        # Models are loaded only now: the selectors that use them are imported here.
        from supervision.selectors import EXEMPTION_SOURCE

        # Rates and exports everywhere learn of the exemptions granted here.
        exemptions.register(EXEMPTION_SOURCE)
