"""Simulated portal users for scripts/load: street-office clerks reading and writing records.

Each user has its own account (LOAD_USER_PREFIX<n>): it starts with a session made beforehand,
or logs in through the form (LOAD_LOGIN=1, password LOAD_PASSWORD), then mixes reads
(community profile, people, ledger, a history page, the public board, home) with writes:
it records spending on its community's ledger (a tagged description, counted) and edits its own
person record (the note, with the form's version, so optimistic locking is exercised). What each
user successfully wrote is dumped to LOAD_RESULT when locust quits, for scripts/load to compare
with what the database holds.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from datetime import date

from locust import HttpUser, between, events, task

RUN = os.environ.get("LOAD_RUN", "run")
PREFIX = os.environ.get("LOAD_USER_PREFIX", "load-user-")
PASSWORD = os.environ["LOAD_PASSWORD"]
PLAN = json.loads(os.environ["LOAD_PLAN"])  # user number → {"community": code, "person": pk}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="_version" value="([^"]*)"')

numbers = itertools.count()
created: list[str] = []  # descriptions of spending the server confirmed
edits: dict[str, str] = {}  # person pk → the last note the server confirmed


def token(html: str) -> str:
    found = TOKEN.search(html)
    return found.group(1) if found else ""


def saved(response) -> bool:
    """The portal answers a save with a redirect to the record's page (not to the login)."""
    location = response.headers.get("Location", "")
    return response.status_code == 302 and "/login/" not in location


class Clerk(HttpUser):
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        self.number = str(next(numbers) % len(PLAN))
        self.code = PLAN[self.number]["community"]
        self.person = str(PLAN[self.number]["person"])
        self.writes = itertools.count()
        if not os.environ.get("LOAD_LOGIN"):
            self.client.cookies.set("sessionid", PLAN[self.number]["session"])
            return
        page = self.client.get("/login/", name="/login/")
        with self.client.post(
            "/login/",
            {
                "username": f"{PREFIX}{self.number}",
                "password": PASSWORD,
                "csrfmiddlewaretoken": token(page.text),
            },
            allow_redirects=False,
            catch_response=True,
            name="/login/ POST",
        ) as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"login refused: {response.status_code}")

    # --- reads ---------------------------------------------------------------------------

    @task(3)
    def community(self) -> None:
        self.client.get(f"/c/{self.code}/", name="/c/[code]/")

    @task(3)
    def people(self) -> None:
        self.client.get(f"/c/{self.code}/people/", name="/c/[code]/people/")

    @task(3)
    def ledger(self) -> None:
        self.client.get(f"/c/{self.code}/funding/", name="/c/[code]/funding/")

    @task(1)
    def history(self) -> None:
        url = f"/c/{self.code}/history/committees/person/{self.person}/"
        self.client.get(url, name="/c/[code]/history/[model]/[pk]/")

    @task(2)
    def public_board(self) -> None:
        self.client.get(f"/public/{self.code}/", name="/public/[code]/")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="/")

    # --- writes --------------------------------------------------------------------------

    @task(3)
    def record_spending(self) -> None:
        url = f"/c/{self.code}/funding/expenditures/new/"
        form = self.client.get(url, name="/c/[code]/funding/expenditures/new/")
        description = f"load:{RUN}:{self.number}:{next(self.writes)}"
        today = date.today()
        with self.client.post(
            url,
            {
                "csrfmiddlewaretoken": token(form.text),
                "year": today.year,
                "date": today.isoformat(),
                "category": "office",
                "amount": "12.34",
                "description": description,
            },
            allow_redirects=False,
            catch_response=True,
            name="/c/[code]/funding/expenditures/new/ POST",
        ) as response:
            if saved(response):
                created.append(description)
                response.success()
            else:
                response.failure(f"spending not saved: {response.status_code}")

    @task(2)
    def edit_own_person(self) -> None:
        url = f"/c/{self.code}/people/{self.person}/edit/"
        form = self.client.get(url, name="/c/[code]/people/[pk]/edit/")
        version = VERSION.search(form.text)
        note = f"load:{RUN}:{self.number}:{next(self.writes)}"
        with self.client.post(
            url,
            {
                "csrfmiddlewaretoken": token(form.text),
                "_version": version.group(1) if version else "",
                "name": f"负载测试{self.number}",
                "gender": "female",
                "ethnicity": "汉族",
                "political_status": "masses",
                "note": note,
            },
            allow_redirects=False,
            catch_response=True,
            name="/c/[code]/people/[pk]/edit/ POST",
        ) as response:
            if saved(response):
                edits[self.person] = note
                response.success()
            else:
                response.failure(f"edit not saved: {response.status_code}")


@events.quitting.add_listener
def dump(environment, **_kwargs) -> None:
    total = environment.stats.total
    result = {
        "created": created,
        "edits": edits,
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": round(total.total_rps, 1),
        "p50_ms": total.get_response_time_percentile(0.5),
        "p95_ms": total.get_response_time_percentile(0.95),
        "max_ms": round(total.max_response_time or 0),
        "errors": [
            {"name": e.name, "method": e.method, "error": str(e.error), "count": e.occurrences}
            for e in environment.stats.errors.values()
        ],
        "by_name": {
            f"{s.method} {s.name}": {
                "requests": s.num_requests,
                "failures": s.num_failures,
                "p50_ms": s.get_response_time_percentile(0.5),
                "p95_ms": s.get_response_time_percentile(0.95),
            }
            for s in environment.stats.entries.values()
        },
    }
    with open(os.environ["LOAD_RESULT"], "w", encoding="utf-8") as out:
        json.dump(result, out, ensure_ascii=False, indent=1)
