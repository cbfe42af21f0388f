"""Addresses the product writes into pages, emails and feeds."""

from django.conf import settings
from django.urls import reverse


def absolute_url(path):
    """An absolute URL on the public site (SITE_URL): never the Host header,
    which a client or a misconfigured proxy writes."""
    return settings.SITE_URL + path


def admin_change_url(model, pk, *, absolute=False):
    """The admin's change page of the object pk of model (a model or an
    instance); absolute for an email or a calendar feed."""
    opts = model._meta
    path = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
    return absolute_url(path) if absolute else path
