import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage

from hrprofile.mailers import mailer_from_url

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_smtp_uses_starttls_on_587_by_default():
    assert mailer_from_url("smtp://smtp.example.org") == {
        "BACKEND": SMTP,
        "OPTIONS": {
            "host": "smtp.example.org",
            "port": 587,
            "timeout": 10,
            "use_tls": True,
        },
    }


@pytest.mark.parametrize("value", ["false", "False", "0"])
def test_smtp_tls_can_be_turned_off(value):
    options = mailer_from_url(f"smtp://localhost:25?tls={value}")["OPTIONS"]

    assert (options["port"], options["use_tls"]) == (25, False)


def test_smtp_timeout_from_the_query():
    options = mailer_from_url("smtp://smtp.example.org?timeout=30")["OPTIONS"]

    assert options["timeout"] == 30


def test_smtps_uses_implicit_tls_on_465():
    config = mailer_from_url("smtps://smtp.example.org")

    assert config["BACKEND"] == SMTP
    assert config["OPTIONS"]["port"] == 465
    assert config["OPTIONS"]["use_ssl"] is True
    assert "use_tls" not in config["OPTIONS"]


def test_credentials_are_url_unescaped():
    options = mailer_from_url(
        "smtp://user%40example.org:p%40ss%3Aw%2Frd%23@smtp.example.org:2525"
    )["OPTIONS"]

    assert (options["username"], options["password"]) == (
        "user@example.org",
        "p@ss:w/rd#",
    )
    assert (options["host"], options["port"]) == ("smtp.example.org", 2525)


def test_smtp_without_credentials_sends_none():
    options = mailer_from_url("smtp://smtp.example.org")["OPTIONS"]

    assert "username" not in options
    assert "password" not in options


def test_scheme_is_case_insensitive():
    assert mailer_from_url("SMTP://smtp.example.org")["BACKEND"] == SMTP


def test_console():
    assert mailer_from_url("console://") == {
        "BACKEND": "django.core.mail.backends.console.EmailBackend"
    }


def test_file_writes_to_the_url_path():
    assert mailer_from_url("file:///var/mail/hr%20profile") == {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": "/var/mail/hr profile"},
    }


def test_file_without_a_path_is_refused():
    with pytest.raises(ImproperlyConfigured, match="file://"):
        mailer_from_url("file://")


def test_locmem():
    assert mailer_from_url("locmem://") == {
        "BACKEND": "django.core.mail.backends.locmem.EmailBackend"
    }


@pytest.mark.parametrize("url", ["sendmail://localhost", "smtp.example.org", ""])
def test_unsupported_scheme_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="unsupported scheme"):
        mailer_from_url(url)


@pytest.mark.parametrize("url", ["smtp://", "smtps://:465", "smtp://user:pw@"])
def test_smtp_without_a_host_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="host"):
        mailer_from_url(url)


def test_smtp_options_are_accepted_by_django_mailers(settings):
    url = "smtp://user:pw@smtp.example.org:587?timeout=5"
    settings.MAILERS = {"default": mailer_from_url(url)}

    backend = mail.mailers.default

    assert (backend.host, backend.port, backend.username) == (
        "smtp.example.org",
        587,
        "user",
    )
    assert (backend.use_tls, backend.use_ssl, backend.timeout) == (True, False, 5)


def test_default_mailer_delivers_to_the_outbox_in_tests(mailoutbox):
    message = EmailMessage("Review due", "Body", to=["editor@example.org"])

    sent = mail.mailers.default.send_messages([message])

    assert sent == 1
    assert [m.subject for m in mailoutbox] == ["Review due"]
