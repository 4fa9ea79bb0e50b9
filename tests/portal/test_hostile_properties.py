"""Property-based hostile input (hypothesis): numbers, dates and text the forms never saw.

For any value in any field of the main forms: never a 500; when refused, an error in Chinese
and not one row written anywhere; whatever is shown again — the form, the list, the public
board, an Excel export — shows markup escaped and formulas defused.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from core.exports import FORMULA_STARTS
from core.locking import FIELD
from core.models import Role
from divisions.models import Community
from funding.models import Allocation, Expenditure
from tests.conftest import STREET, fingerprint

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
MARK = "<b data-x=1>"  # markup that must never come back unescaped
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# (form, the page that lists what it saves)
FORMS = {
    "committees:community_edit": "committees:community",
    "committees:person_create": "committees:people",
    "facilities:create": "facilities:list",
    "funding:allocation_create": "funding:ledger",
    "funding:expenditure_create": "funding:ledger",
    "funding:task_create": "funding:tasks",
    "governance:meeting_create": "governance:meetings",
    "governance:disclosure_create": "governance:disclosures",
}

hostile_text = st.one_of(
    st.text(max_size=300),
    st.builds(lambda a, b: f"{a}{MARK}{b}", st.text(max_size=30), st.text(max_size=30)),
    st.sampled_from(["=1+1", "@SUM(A1)", "'; DROP TABLE x; --", "\u202e\u0000", "😀" * 80]),
)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.text(max_size=20),
)
dates = st.one_of(
    st.dates().map(datetime.date.isoformat),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(["2024-02-30", "0000-01-01", "9999-12-31", "2024-13-01", "昨天"]),
    st.text(max_size=12),
)


def value_for(field: forms.Field) -> st.SearchStrategy[str]:
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "", "false", "是", MARK])
    if isinstance(field, forms.DateField):
        return dates
    if isinstance(field, forms.DecimalField | forms.IntegerField | forms.FloatField):
        return numbers
    if isinstance(field, forms.ModelChoiceField):
        pks = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:5]]
        return st.one_of(st.sampled_from(pks or [""]), numbers)
    if isinstance(field, forms.ChoiceField):
        valid = [str(key) for key, _label in field.choices if key != ""]
        return st.one_of(st.sampled_from(valid or [""]), hostile_text)
    return hostile_text


@pytest.fixture
def clerk(make_user, community_in) -> tuple[Client, Community]:
    client = Client()
    client.force_login(make_user(Role.STREET, STREET))
    return client, community_in(STREET)


def check_refusal(response) -> None:
    form = response.context["form"]
    assert form.errors, "a 200 after POST means the form was refused"
    for messages in form.errors.values():
        for message in messages:
            assert CJK.search(message), f"not in Chinese: {message!r}"


@pytest.mark.parametrize("route", sorted(FORMS))
def test_no_value_in_any_field_breaks_a_form_or_slips_through(clerk, route):
    client, community = clerk
    url = reverse(route, args=[community.code])
    page = client.get(url)
    fields = page.context["form"].fields
    version = page.context.get("version")

    @PROPERTY
    @given(st.fixed_dictionaries({name: value_for(field) for name, field in fields.items()}))
    def submit(data):
        if version is not None:
            data[FIELD] = client.get(url).context["version"]
        before = fingerprint()
        response = client.post(url, data)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            check_refusal(response)
            assert fingerprint() == before, "a refused form wrote something"
            assert MARK not in response.content.decode()
        else:
            listing = client.get(reverse(FORMS[route], args=[community.code]))
            assert listing.status_code == 200
            assert MARK not in listing.content.decode()

    submit()


@PROPERTY
@given(amount=numbers)
def test_an_amount_is_saved_exactly_or_refused(clerk, amount):
    """Money is Decimal yuan: kept to the cent as typed, or refused — never rounded."""
    client, community = clerk
    data = {
        "year": "2024",
        "source": "street_finance",
        "amount": amount,
        "received_on": "2024-03-01",
    }
    response = client.post(reverse("funding:allocation_create", args=[community.code]), data)
    try:
        typed = Decimal(amount.strip())
        acceptable = typed.is_finite() and Decimal("0.01") <= typed <= Decimal("100000000")
        acceptable = acceptable and typed == typed.quantize(Decimal("0.01"))
    except ArithmeticError:
        acceptable = False
    if acceptable:
        assert response.status_code == 302
        saved = Allocation.objects.filter(community=community).latest("pk")
        assert saved.amount == typed
        saved.delete()
    else:
        assert response.status_code == 200
        check_refusal(response)


@PROPERTY
@given(year=st.integers(min_value=1990, max_value=2110), day=st.dates())
def test_a_spending_date_outside_its_year_or_in_the_future_is_refused(clerk, year, day):
    client, community = clerk
    data = {
        "year": str(year),
        "date": day.isoformat(),
        "category": "office",
        "amount": "10",
        "description": "纸张",
    }
    response = client.post(reverse("funding:expenditure_create", args=[community.code]), data)
    today = datetime.date.today()
    if 2000 <= year <= 2100 and day.year == year and day <= today:
        assert response.status_code == 302
        Expenditure.objects.filter(community=community).delete()
    else:
        assert response.status_code == 200
        check_refusal(response)


@PROPERTY
@given(text=hostile_text)
def test_exports_never_hold_a_formula_and_keep_the_text(clerk, text):
    client, community = clerk
    assume(text.strip() and "\x00" not in text)  # NUL: refused by forms and by PostgreSQL
    Expenditure.objects.create(
        community=community,
        year=2024,
        date=datetime.date(2024, 3, 1),
        category="office",
        amount=Decimal("10"),
        description=text[:200],
        approved_by=text[:50],
    )
    Community.objects.filter(pk=community.pk).update(name=text[:100])
    exports = [
        reverse("funding:ledger_export", args=[community.code]) + "?year=2024",
        reverse("committees:community_export"),
    ]
    try:
        for url in exports:
            response = client.get(url)
            assert response.status_code == 200
            for sheet in load_workbook(BytesIO(response.content)):
                for row in sheet.iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", (url, cell.value)
                        if isinstance(cell.value, str):
                            assert cell.value[:1] not in FORMULA_STARTS, (url, cell.value)
    finally:
        Expenditure.objects.filter(community=community).delete()


@PROPERTY
@given(title=hostile_text, content=hostile_text)
def test_the_public_board_shows_published_text_escaped(clerk, title, content):
    from governance.models import Disclosure

    client, community = clerk
    assume(title.strip() and content.strip() and "\x00" not in title + content)
    Disclosure.objects.create(
        community=community,
        category="residents",
        title=f"{title[:150]}{MARK}",
        content=f"{MARK}{content}",
        published_on=datetime.date(2024, 3, 1),
    )
    try:
        html = Client().get(reverse("governance:public_board", args=[community.code])).content
        assert MARK.encode() not in html
        assert b"&lt;b data-x=1&gt;" in html
    finally:
        Disclosure.objects.filter(community=community).delete()


def test_the_roster_template_keeps_formula_like_names_as_text(clerk):
    from committees.models import Organization

    client, community = clerk
    Organization.objects.create(
        community=community, kind="residents_committee", name='=HYPERLINK("http://x","点我")'
    )
    url = reverse("committees:roster_template", args=[community.code])
    workbook = load_workbook(BytesIO(client.get(url).content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert any(cell.value == '=HYPERLINK("http://x","点我")' for cell in cells)
