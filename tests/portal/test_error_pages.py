"""Issue 20, bug 6: with DEBUG on (``make run``) a 404 or a 500 is the portal's Chinese page."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_it_shows_the_portal_404_for_an_unknown_address_with_debug_on(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "找不到页面" in html
    assert "Page not found" not in html and "URLconf" not in html


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_it_shows_the_portal_404_for_a_record_a_view_does_not_find_with_debug_on(street_client):
    response = street_client.get("/c/999999999999/compliance/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "找不到页面" in html
    assert "Page not found" not in html and "Raised by" not in html


@pytest.mark.django_db
@override_settings(DEBUG=True, ROOT_URLCONF="tests.portal.error_urls")
def test_it_shows_the_portal_500_for_a_failing_view_with_debug_on():
    response = Client(raise_request_exception=False).get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出错" in html
    assert "Traceback" not in html and "RuntimeError" not in html


@pytest.mark.django_db
@override_settings(DEBUG=False, ROOT_URLCONF="tests.portal.error_urls")
def test_it_shows_the_portal_500_in_chinese_with_debug_off():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()


@pytest.mark.django_db
@override_settings(DEBUG=True, DEBUG_ERROR_PAGES=True)
def test_it_keeps_the_technical_pages_for_a_developer_who_asks(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "URLconf" in response.content.decode()
