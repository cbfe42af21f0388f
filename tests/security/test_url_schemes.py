"""Links editors enter open web pages, never run code."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mandates.models import Mandate
from offices.models import Office
from tests.factories import MandateFactory, OfficeFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "ftp://example.org/file",
]
SAFE = ["https://unami.unmissions.org/", "http://example.org/a?b=c", "HTTPS://EX.ORG"]


class OfficeLinkForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = ["more_info_url"]


@pytest.mark.parametrize("url", HOSTILE)
def test_the_form_refuses_other_schemes(url):
    form = OfficeLinkForm(data={"more_info_url": url})

    assert not form.is_valid()
    assert "more_info_url" in form.errors


@pytest.mark.parametrize("url", HOSTILE)
def test_the_model_refuses_other_schemes_for_the_more_information_link(url):
    with pytest.raises(ValidationError) as error:
        OfficeFactory.build(more_info_url=url).full_clean()

    assert "more_info_url" in error.value.message_dict


@pytest.mark.parametrize("url", HOSTILE)
def test_the_model_refuses_other_schemes_for_mandate_links(url):
    mandate = MandateFactory.build(office=OfficeFactory(), url=url)

    with pytest.raises(ValidationError) as error:
        mandate.full_clean()

    assert "url" in error.value.message_dict


@pytest.mark.parametrize("url", [u.strip() for u in HOSTILE if ":" in u[:12]])
def test_the_database_refuses_other_schemes_stored_outside_the_form(url):
    office = OfficeFactory()
    mandate = MandateFactory(office=office)

    with pytest.raises(IntegrityError), transaction.atomic():
        Office.objects.filter(pk=office.pk).update(more_info_url=url)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.filter(pk=mandate.pk).update(url=url)


@pytest.mark.parametrize("url", SAFE)
def test_http_and_https_links_are_accepted_and_rendered(client, url):
    office = OfficeFactory(slug="x", more_info_url=url)
    MandateFactory(office=office, title="Resolution", url=url)
    office.full_clean()

    html = client.get("/en/offices/x/").content.decode()

    assert html.count(f'href="{url.replace("&", "&amp;")}"') == 2


@pytest.mark.parametrize("url", HOSTILE)
def test_templates_never_render_another_scheme(url):
    """Whatever a row holds (say, from before the rule), the page gets no link."""
    assert OfficeFactory.build(more_info_url=url).more_info_link == ""
    assert MandateFactory.build(url=url).link == ""
