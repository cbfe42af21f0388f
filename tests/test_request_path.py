"""The cheaper path of a request (issue 25): what it skips for an anonymous
reader, and what it still does for everyone else.

The speed itself is measured by bench/profile_path.py and bench/pages.py,
never here.
"""

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import override

from audit.middleware import AuditMiddleware
from audit.models import AuditEntry
from hrprofile import urls as root_urls
from hrprofile.middleware import LazyMessageMiddleware, PolicyMiddleware
from hrprofile.templatetags.hrprofile import display
from offices.models import Office, Region
from tests.factories import OfficeFactory, UserFactory

NONCE_PAGE = "/test-nonce/"


def page_with_nonce(request):
    return HttpResponse(f"<script nonce='{request._csp_nonce}'></script>")


urlpatterns = [*root_urls.urlpatterns, path(NONCE_PAGE[1:], page_with_nonce)]


def test_the_policy_without_nonce_is_built_once_and_a_nonce_still_gets_its_own():
    middleware = PolicyMiddleware(lambda request: HttpResponse())
    factory = RequestFactory()
    plain = [middleware(factory.get("/")) for _ in range(2)]
    assert plain[0]["Content-Security-Policy"] == plain[1]["Content-Security-Policy"]
    assert "nonce-" not in plain[0]["Content-Security-Policy"]

    with_nonce = PolicyMiddleware(lambda request: HttpResponse(str(request._csp_nonce)))
    policies = [with_nonce(factory.get("/")) for _ in range(2)]
    nonces = [response.content.decode() for response in policies]
    assert nonces[0] != nonces[1]
    for response, nonce in zip(policies, nonces, strict=True):
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    # And the one without a nonce is as before, after them.
    assert (
        middleware(factory.get("/"))["Content-Security-Policy"]
        == (plain[0]["Content-Security-Policy"])
    )


def test_the_policy_follows_the_settings_it_is_built_from():
    middleware = PolicyMiddleware(lambda request: HttpResponse())
    factory = RequestFactory()
    before = middleware(factory.get("/"))["Content-Security-Policy"]
    with override_settings(SECURE_CSP={"default-src": ["'none'"]}):
        assert middleware(factory.get("/"))["Content-Security-Policy"] == (
            "default-src 'none'"
        )
    assert middleware(factory.get("/"))["Content-Security-Policy"] == before


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_page_that_renders_its_nonce_is_answered_with_it(client):
    response = client.get(NONCE_PAGE)
    nonce = response.content.decode().split("'")[1]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_the_messages_storage_is_made_only_when_used():
    factory = RequestFactory()
    unused = factory.get("/")
    middleware = LazyMessageMiddleware(lambda request: HttpResponse())
    middleware(unused)
    assert unused._messages._wrapped is empty

    def add_one(request):
        messages.info(request, "Saved.")
        return HttpResponse()

    used = factory.get("/")
    used.session = {}
    response = LazyMessageMiddleware(add_one)(used)
    # Stored as Django's middleware stores it: in the messages cookie.
    assert "messages" in response.cookies


@pytest.mark.django_db
def test_an_anonymous_read_looks_up_no_user_for_the_audit_trail():
    request = RequestFactory().get("/")

    def user_looked_up():
        raise AssertionError("the user was looked up")

    request.user = SimpleLazyObject(user_looked_up)
    seen = {}

    def view(request):
        from auditlog.context import auditlog_value

        seen.update(auditlog_value.get())
        return HttpResponse()

    AuditMiddleware(view)(request)
    assert seen["actor"] is None


@pytest.mark.django_db
def test_an_entry_written_during_a_request_names_its_actor_and_address():
    user = UserFactory()
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.9")
    request.COOKIES["sessionid"] = "x"
    request.user = user

    def view(request):
        OfficeFactory(name="Written in a request")
        return HttpResponse()

    AuditMiddleware(view)(request)
    entry = AuditEntry.objects.order_by("pk").last()
    assert entry.actor == user
    assert entry.remote_addr == "198.51.100.9"
    # After the request, nothing of it is left for a later write.
    OfficeFactory(name="Written after")
    later = AuditEntry.objects.order_by("pk").last()
    assert later.actor is None
    assert later.remote_addr is None


def test_display_gives_the_label_in_the_active_language():
    office = Office(region=Region.AFRICA, engagement_type="no-such-type")
    assert display(office, "region") == office.get_region_display()
    with override("fr"):
        assert str(display(office, "region")) == office.get_region_display()
    # A value without a label is shown as it is, as Django's does.
    assert display(office, "engagement_type") == "no-such-type"
