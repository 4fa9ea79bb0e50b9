"""The four verdicts of the engine: shared by the models, the rules and every page."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    COMPLIANT = "compliant", _("达标")
    NON_COMPLIANT = "non_compliant", _("未达标")
    NO_DATA = "no_data", _("缺少数据")
    NOT_APPLICABLE = "not_applicable", _("不适用")
