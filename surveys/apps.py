from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("满意度测评")

    # Surveys and their questions belong to the street or bureau that defines them, not to one
    # community: their history is kept (simple_history) and listed with the models that belong
    # to no single community (tests/*/test_access.py). Codes, responses and scores keep no
    # history, so that nothing ties an answer to a code, a time or a person.
