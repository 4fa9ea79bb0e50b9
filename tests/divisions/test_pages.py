"""divisions/pages.py: the shared edit page's checks."""

from __future__ import annotations

from django import forms

from divisions.pages import refuse_control_characters


class _Form(forms.Form):
    title = forms.CharField()
    note = forms.CharField(required=False)
    place = forms.CharField(required=False)


def test_it_refuses_control_characters_in_every_field_that_has_them():
    form = _Form({"title": "会议\x1b", "note": "正常", "place": "\x07二楼"})
    assert form.is_valid()
    assert refuse_control_characters(form)
    assert set(form.errors) == {"title", "place"}
    assert "控制字符" in form.errors["title"][0]
    assert form.cleaned_data == {"note": "正常"}


def test_it_keeps_tabs_and_line_breaks():
    form = _Form({"title": "一\t二", "note": "第一行\r\n第二行"})
    assert form.is_valid()
    assert not refuse_control_characters(form)
    assert not form.errors
