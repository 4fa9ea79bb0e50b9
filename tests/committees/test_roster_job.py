"""A large roster upload is imported by a worker: the request answers at once with the job's
page, which shows the counts or, as the upload page does, each row's error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from committees.models import Membership, Organization, Person
from core.models import Role
from jobs.models import Job
from tests.committees.test_roster import id_number, row, xlsx
from tests.conftest import STREET
from tests.jobs.test_jobs import work_off_the_queue

# The worker (db_worker, run in-process) closes a connection that is not in autocommit before
# each task, as it must between tasks: on PostgreSQL that is the test's own transaction, so these
# tests commit for real and the tables are flushed after each.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def community(community_in):
    community = community_in(STREET)
    Organization.objects.create(
        community=community, kind=Organization.Kind.RESIDENTS_COMMITTEE, name="翠香社区居民委员会"
    )
    return community


@pytest.fixture
def signed_in(client, make_user, community):
    user = make_user(Role.COMMITTEE, community.code)
    client.force_login(user)
    return user


def upload(client, community, file):
    url = reverse("committees:roster_import", args=[community.code])
    return client.post(url, {"file": file})


def test_a_large_roster_is_imported_by_a_worker(client, signed_in, community, settings):
    settings.ROSTER_JOB_BYTES = 0  # every file counts as large
    response = upload(
        client,
        community,
        xlsx(
            [
                row(),
                row(
                    姓名="王五", 职务="主任", 出生日期="1990-01-01", 身份证号=id_number("19900101")
                ),
            ]
        ),
    )
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.scope_code, job.user, job.state) == (
        "roster_import",
        community.code,
        signed_in,
        "queued",
    )
    assert job.upload and Person.objects.count() == 0

    work_off_the_queue()

    job.refresh_from_db()
    assert job.state == "done" and job.summary["memberships_created"] == 2
    assert Membership.objects.filter(organization__community=community).count() == 2
    assert not job.upload  # the personal data is not kept once the job ended
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "新增任职数" in page


def test_the_job_page_lists_each_rows_error_and_nothing_is_imported(
    client, signed_in, community, settings
):
    settings.ROSTER_JOB_BYTES = 0
    upload(client, community, xlsx([row(姓名="")]))
    work_off_the_queue()
    job = Job.objects.get()
    assert job.state == "failed" and "处错误" in job.error
    assert job.summary["row_errors"][0]["row"] == 2
    assert Person.objects.count() == 0
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "姓名" in page and "<td>2</td>" in page


def test_a_second_upload_while_one_is_queued_is_refused_beside_the_field(
    client, signed_in, community, settings
):
    settings.ROSTER_JOB_BYTES = 0
    upload(client, community, xlsx([row()]))
    response = upload(client, community, xlsx([row()]))
    assert response.status_code == 200
    assert "名单导入正在进行" in response.content.decode()
    assert Job.objects.count() == 1


def test_a_small_roster_is_still_imported_in_the_request(client, signed_in, community):
    response = upload(client, community, xlsx([row()]))
    assert response["Location"] == reverse("committees:people", args=[community.code])
    assert Job.objects.count() == 0 and Membership.objects.count() == 1
