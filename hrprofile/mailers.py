"""Turn an EMAIL_URL into Django 6.1's MAILERS setting."""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}


def mailer_from_url(url: str) -> dict:
    """Return one MAILERS entry for an EMAIL_URL.

    smtp://user:password@host:587  STARTTLS unless ?tls=false
    smtps://user:password@host:465 implicit TLS
    console://                     print messages to stdout
    file:///path/to/dir            write messages to files in that directory
    locmem://                      keep messages in django.core.mail.outbox
    ?timeout=N sets the SMTP timeout in seconds (default 10).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in BACKENDS:
        raise ImproperlyConfigured(
            f"EMAIL_URL: unsupported scheme {parts.scheme!r}; "
            f"use one of {', '.join(sorted(BACKENDS))}."
        )
    config = {"BACKEND": BACKENDS[scheme]}
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured("EMAIL_URL: file:// needs a directory path.")
        config["OPTIONS"] = {"file_path": unquote(parts.path)}
    elif scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured("EMAIL_URL: smtp needs a host name.")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        try:
            options = {
                "host": parts.hostname,
                "port": parts.port or (465 if scheme == "smtps" else 587),
                "timeout": int(query.get("timeout", 10)),
            }
        except ValueError as error:
            raise ImproperlyConfigured(f"EMAIL_URL: {error}.") from None
        if scheme == "smtps":
            options["use_ssl"] = True
        else:
            options["use_tls"] = query.get("tls", "true").lower() not in {"0", "false"}
        if parts.username:
            options["username"] = unquote(parts.username)
            options["password"] = unquote(parts.password or "")
        config["OPTIONS"] = options
    return config
