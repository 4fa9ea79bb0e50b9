"""Files kept with meetings and disclosures: checked on the way in, served only as downloads."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance.models import Disclosure, DisclosureAttachment, Meeting, MeetingAttachment
from tests.conftest import OTHER_STREET, STREET

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
PDF = b"%PDF-1.4\n% minutes of the meeting\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def meeting(community) -> Meeting:
    return Meeting.objects.create(
        community=community,
        kind="council",
        title="议事协调会",
        date=TODAY,
        entitled=11,
        attended=9,
    )


def test_it_keeps_a_pdf_with_a_meeting_and_serves_it_as_a_download(street_client, community):
    held = meeting(community)
    url = reverse("governance:meeting_attachment_add", args=[community.code, held.pk])
    response = street_client.post(url, {"file": SimpleUploadedFile("会议纪要.pdf", PDF)})
    assert response.status_code == 302
    attachment = MeetingAttachment.objects.get(meeting=held)
    assert (attachment.name, attachment.size) == ("会议纪要.pdf", len(PDF))
    assert not attachment.file.name.endswith("会议纪要.pdf")  # stored under a random name
    page = street_client.get(reverse("governance:meeting", args=[community.code, held.pk]))
    assert "会议纪要.pdf" in page.content.decode()
    download = street_client.get(
        reverse("governance:meeting_file", args=[community.code, attachment.pk])
    )
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("page.html", b"<script>alert(1)</script>", "不支持的文件类型"),
        ("fake.pdf", b"<script>alert(1)</script>", "文件内容与扩展名不符"),
        ("photo.png", PDF, "文件内容与扩展名不符"),
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "文件过大"),
        ("empty.pdf", b"", "文件"),
    ],
)
def test_it_refuses_a_disallowed_or_oversized_file_in_chinese(
    street_client, community, name, content, message
):
    held = meeting(community)
    url = reverse("governance:meeting_attachment_add", args=[community.code, held.pk])
    response = street_client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not MeetingAttachment.objects.exists()


def test_it_refuses_an_upload_without_a_file(street_client, community):
    held = meeting(community)
    url = reverse("governance:meeting_attachment_add", args=[community.code, held.pk])
    response = street_client.post(url, {})
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_a_published_disclosure_s_file_is_public_and_a_draft_s_is_not(client, community):
    published = Disclosure.objects.create(
        community=community, category="residents", title="公告", content="x", published_on=TODAY
    )
    draft = Disclosure.objects.create(
        community=community, category="residents", title="草稿", content="x"
    )
    shown = DisclosureAttachment.objects.create(
        disclosure=published,
        name="公告.png",
        size=len(PNG),
        file=SimpleUploadedFile("公告.png", PNG),
    )
    hidden = DisclosureAttachment.objects.create(
        disclosure=draft,
        name="草稿附件.png",
        size=len(PNG),
        file=SimpleUploadedFile("草稿.png", PNG),
    )
    board = client.get(reverse("governance:public_board", args=[community.code])).content.decode()
    assert "公告.png" in board and "草稿附件.png" not in board
    ok = client.get(reverse("governance:public_file", args=[community.code, shown.pk]))
    assert ok.status_code == 200 and ok["Content-Type"] == "image/png"
    assert (
        client.get(reverse("governance:public_file", args=[community.code, hidden.pk])).status_code
        == 404
    )
    # A file of this community asked for under another community's code.
    assert (
        client.get(reverse("governance:public_file", args=[STREET + "002", shown.pk])).status_code
        == 404
    )


def test_a_file_outside_the_jurisdiction_is_a_404(street_client, community_in):
    outside = meeting(community_in(OTHER_STREET))
    attachment = MeetingAttachment.objects.create(
        meeting=outside, name="外部.pdf", size=len(PDF), file=SimpleUploadedFile("外部.pdf", PDF)
    )
    url = reverse("governance:meeting_file", args=[outside.community.code, attachment.pk])
    assert street_client.get(url).status_code == 404
    mine = reverse("governance:meeting_file", args=[community_in(STREET).code, attachment.pk])
    assert street_client.get(mine).status_code == 404
