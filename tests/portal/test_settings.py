from __future__ import annotations

import subprocess

from tests.conftest import run_python


def _load_settings(**env: str) -> subprocess.CompletedProcess:
    return run_python("-c", "import django; django.setup()", unset={"SECRET_KEY", "DEBUG"}, **env)


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = _load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_starts_in_production_with_a_secret_key():
    result = _load_settings(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="portal.example")
    assert result.returncode == 0, result.stderr


def test_it_uses_a_development_key_only_with_debug_on():
    result = _load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_it_defaults_to_chinese_and_shanghai_time(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert "en" in dict(settings.LANGUAGES)


def test_it_serves_chinese_to_an_english_browser_until_english_is_chosen(client, db):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.headers["Content-Language"] == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert client.get("/login/").headers["Content-Language"] == "en"
