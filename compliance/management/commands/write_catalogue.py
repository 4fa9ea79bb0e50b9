"""``manage.py write_catalogue``: write docs/catalogue.md from the catalogue (``--check``: only
say whether it is up to date, exit 1 when it is not)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.catalog_doc import PATH, render


class Command(BaseCommand):
    help = "Write docs/catalogue.md (ids, articles, dates in force and their sources)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="fail if the file is stale")

    def handle(self, *args: Any, **options: Any) -> None:
        text = render()
        current = PATH.read_text("utf-8") if PATH.exists() else ""
        if options["check"]:
            if current != text:
                raise CommandError(f"{PATH} is out of date: run manage.py write_catalogue")
            self.stdout.write(f"{PATH} is up to date")
            return
        PATH.write_text(text, "utf-8")
        self.stdout.write(f"wrote {PATH}")
