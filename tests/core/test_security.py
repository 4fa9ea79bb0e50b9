"""Security settings, each proven: deploy checks, cookies, throttling, passwords, CSP, uploads."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import zipfile
from io import BytesIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Role
from core.uploads import FileKindValidator, attachment_response, check_upload, sniff
from tests.conftest import DISTRICT, ROOT, STREET, make_record, run_python

CJK = re.compile(r"[\u4e00-\u9fff]")


def production(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py (or python -c) as production would: DEBUG off, its own secret key."""
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests' session, never in production.
    return run_python(
        *args,
        unset={"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"},
        timeout=120,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example",
        **env,
    )


def test_the_deploy_checks_pass_with_production_settings():
    result = production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_cookies_are_secure_and_out_of_reach_of_scripts():
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "X_FRAME_OPTIONS",
    ]
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = production("-c", code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values.pop("X_FRAME_OPTIONS") == "DENY"
    assert values.pop("SECURE_HSTS_SECONDS") >= 31536000
    assert all(values.values()), values


@pytest.mark.django_db
def test_pages_forbid_framing_and_sniffing_and_the_session_cookie_is_http_only(client, make_user):
    user = make_user(Role.STREET, STREET)
    user.set_password("Correct-Horse-42")
    user.save()
    response = client.post(
        reverse("login"), {"username": user.username, "password": "Correct-Horse-42"}
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"]
    page = client.get(reverse("home"))
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"


# --- login throttling (django-axes) --------------------------------------------------------


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_on_that_machine_in_chinese(
    client, make_user, settings
):
    user = make_user(Role.STREET, STREET)
    user.set_password("Correct-Horse-42")
    user.save()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = client.post(reverse("login"), {"username": user.username, "password": "nope"})
        assert wrong.status_code == 200  # the login form again, with its error
    locked = client.post(reverse("login"), {"username": user.username, "password": "nope"})
    assert locked.status_code == 429
    # Even the right password is refused while locked out.
    right = client.post(
        reverse("login"), {"username": user.username, "password": "Correct-Horse-42"}
    )
    assert right.status_code == 429
    html = right.content.decode()
    assert "登录失败次数过多" in html and "15 分钟后再试" in html
    assert "_auth_user_id" not in client.session
    # Another machine is not locked out: the lock is for this user name from this address.
    other = client.post(
        reverse("login"),
        {"username": user.username, "password": "Correct-Horse-42"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 302


@pytest.mark.django_db
def test_a_successful_login_resets_the_count_of_failures(client, make_user, settings):
    user = make_user(Role.STREET, STREET)
    user.set_password("Correct-Horse-42")
    user.save()
    credentials = {"username": user.username, "password": "Correct-Horse-42"}
    for _round in range(3):
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            client.post(reverse("login"), {"username": user.username, "password": "nope"})
        assert client.post(reverse("login"), credentials).status_code == 302
        client.post(reverse("logout"))


# --- passwords -----------------------------------------------------------------------------


def test_the_portal_hashes_passwords_slowly_though_its_tests_do_not():
    """The tests hash with MD5 (tests/conftest.py) to spare a second of CPU per user; the
    portal itself keeps Django's PBKDF2, with at least Django's own count of iterations."""
    from django.conf import global_settings
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.contrib.auth.hashers import get_hasher as hasher_of

    from portal import settings as portal_settings

    hashers = getattr(portal_settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    assert hashers[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert PBKDF2PasswordHasher.iterations >= 1_000_000
    assert hasher_of().algorithm == "md5"  # the tests' own, overridden for the session


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    ["demo-2026", "password1234", "123456789012", "abcdefghijkl", "juweihui2026", "短密码"],
)
def test_weak_passwords_are_refused_in_chinese(make_user, password):
    user = make_user()
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert all(CJK.search(m) for m in refused.value.messages), refused.value.messages


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["Correct-Horse-42", "社区居委会2026年度Ab", "k9#Lm2$pQx7!"])
def test_strong_passwords_are_accepted(make_user, password):
    validate_password(password, make_user())


# --- Content Security Policy ----------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
JS_URL = re.compile(r"javascript:", re.IGNORECASE)
FORBIDDEN = [INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, STYLE_ELEMENT, JS_URL]


def test_no_template_has_inline_script_event_handler_or_style():
    """The policy forbids them; a template that used one would break in the browser."""
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if "email" in path.parts:
            continue  # e-mail is read in a mail client, not served under the policy
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(ROOT)}: {p.pattern}" for p in FORBIDDEN if p.search(text)]
    assert offenders == []


@pytest.mark.django_db
def test_the_main_pages_send_the_policy_and_obey_it(client, make_user, community_in):
    community = community_in(STREET)
    person = make_record("person", community)
    public = [
        reverse("login"),
        reverse("governance:public_search"),
        reverse("governance:public_board", args=[community.code]),
        "/admin/login/",
    ]
    private = [
        reverse("home"),
        reverse("committees:community_list"),
        reverse("division", args=[STREET]),
        reverse("committees:community", args=[community.code]),
        reverse("committees:people", args=[community.code]),
        reverse("committees:person", args=[community.code, person.pk]),
        reverse("committees:person_edit", args=[community.code, person.pk]),
        reverse("committees:person_create", args=[community.code]),
        reverse("facilities:list", args=[community.code]),
        reverse("funding:ledger", args=[community.code]),
        reverse("governance:meetings", args=[community.code]),
        reverse("compliance:community", args=[community.code]),
        reverse("compliance:standard_list"),
        reverse("history", args=[community.code, "committees", "person", person.pk]),
    ]
    for url in public:
        check_policy(client.get(url), url)
    client.force_login(make_user(Role.STREET, STREET))
    for url in private:
        check_policy(client.get(url), url)
    client.force_login(make_user(Role.BUREAU, DISTRICT, is_staff=True, is_superuser=True))
    check_policy(client.get("/admin/"), "/admin/")


def check_policy(response, url: str) -> None:
    assert response.status_code == 200, url
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, url
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    found = [p.pattern for p in FORBIDDEN if p.search(html)]
    assert found == [], (url, found)


# --- uploads --------------------------------------------------------------------------------


def ooxml(folder: str) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<document/>")
    return buffer.getvalue()


SAMPLES = {
    "report.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "photo.PNG": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    "photo.jpeg": b"\xff\xd8\xff\xe0" + b"\x00" * 32,
    "minutes.docx": ooxml("word"),
    "ledger.xlsx": ooxml("xl"),
}
ALL = ("pdf", "jpg", "png", "docx", "xlsx")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_it_accepts_files_whose_content_matches_their_name(name):
    upload = SimpleUploadedFile(name, SAMPLES[name])
    kind = check_upload(upload, ALL)
    assert kind == sniff(upload)
    assert upload.read(4) == SAMPLES[name][:4]  # left at its start for whoever stores it


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.html", b"<script>alert(1)</script>", "不支持的文件类型"),
        ("drawing.svg", b"<svg onload=alert(1)>", "不支持的文件类型"),
        ("setup.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("no-extension", SAMPLES["report.pdf"], "不支持的文件类型"),
        ("report.pdf", b"<html><script>alert(1)</script>", "文件内容与扩展名不符"),
        ("report.pdf", SAMPLES["photo.PNG"], "文件内容与扩展名不符"),
        ("minutes.docx", ooxml("xl"), "文件内容与扩展名不符"),
        ("minutes.docx", b"PK\x03\x04 not really a zip", "文件内容与扩展名不符"),
        ("report.pdf.html", SAMPLES["report.pdf"], "不支持的文件类型"),
        ("empty.pdf", b"", "文件是空的"),
    ],
)
def test_it_refuses_other_types_and_disguised_content_in_chinese(name, content, message):
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile(name, content), ALL)
    assert message in refused.value.messages[0]


def test_it_refuses_files_over_the_size_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = SimpleUploadedFile("report.pdf", SAMPLES["report.pdf"] + b"\x00" * 2000)
    with pytest.raises(ValidationError) as refused:
        check_upload(big, ALL)
    assert "文件过大" in refused.value.messages[0]


def test_the_validator_serves_a_form_field_and_a_migration():
    from django import forms

    class AttachmentForm(forms.Form):
        attachment = forms.FileField(validators=[FileKindValidator({"pdf"})])

    good = AttachmentForm(files={"attachment": SimpleUploadedFile("a.pdf", SAMPLES["report.pdf"])})
    bad = AttachmentForm(files={"attachment": SimpleUploadedFile("a.png", SAMPLES["photo.PNG"])})
    assert good.is_valid() and not bad.is_valid()
    path, args, _kwargs = FileKindValidator(("pdf", "png")).deconstruct()
    assert path == "core.uploads.FileKindValidator" and args == (("pdf", "png"),)


def test_an_upload_is_served_as_a_download_that_no_browser_runs():
    from core.middleware import ContentSecurityPolicyMiddleware

    stored = ContentFile(b"<script>alert(1)</script>", name="x.html")
    response = ContentSecurityPolicyMiddleware(
        lambda request: attachment_response(stored, filename="会议纪要.html")
    )(None)
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E4%BC%9A" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/octet-stream"  # not text/html
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    pdf = attachment_response(ContentFile(SAMPLES["report.pdf"], name="a.pdf"), filename="a.pdf")
    assert pdf["Content-Type"] == "application/pdf"
