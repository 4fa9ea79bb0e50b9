"""The daily digest of what is due (待办), by e-mail, for cron:

    30 7 * * * cd /srv/portal && .venv/bin/python manage.py send_reminders

One message per active user with an e-mail address, an assignment (or superuser status) and
something due; nothing is sent to a user with nothing due.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import reminders
from core.models import Assignment, User


class Command(BaseCommand):
    help = "E-mail each user the digest of what is due soon or overdue in their jurisdiction."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="the day to compute for (YYYY-MM-DD), default today")
        parser.add_argument("--user", action="append", help="only this username (repeatable)")
        parser.add_argument(
            "--dry-run", action="store_true", help="list who would get what, send nothing"
        )

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date: not a date: {options['date']}") from None
        users = (
            User.objects.filter(is_active=True)
            .exclude(email="")
            .filter(Q(is_superuser=True) | Exists(Assignment.objects.filter(user=OuterRef("pk"))))
            .order_by("username")
        )
        if options["user"]:
            users = users.filter(username__in=options["user"])
        base = settings.PORTAL_URL.rstrip("/")
        sent = skipped = 0
        messages = []
        with translation.override(settings.LANGUAGE_CODE):
            for user in users:
                sections = reminders.collect(user, today)
                if not sections:
                    skipped += 1
                    continue
                messages.append(self._message(user, sections, today, base))
                self.stdout.write(
                    f"{user.username} <{user.email}>: "
                    + ", ".join(f"{s.title} {s.count}" for s in sections)
                )
        if not options["dry_run"] and messages:
            with get_connection() as connection:
                sent = connection.send_messages(messages) or 0
        self.stdout.write(
            f"{today}: {len(messages)} digest(s) prepared, {sent} sent, "
            f"{skipped} user(s) with nothing due"
        )

    def _message(self, user: User, sections, today, base: str) -> EmailMultiAlternatives:
        context = {
            "user": user,
            "sections": sections,
            "today": today,
            "base": base,
            "todo_url": base + reverse("supervision:todo"),
        }
        subject = _("【社区居委会规范化管理】%(date)s 待办:%(n)d 项") % {
            "date": today.isoformat(),
            "n": sum(s.count for s in sections),
        }
        message = EmailMultiAlternatives(
            subject,
            render_to_string("supervision/email/digest.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
        message.attach_alternative(
            render_to_string("supervision/email/digest.html", context), "text/html"
        )
        return message
