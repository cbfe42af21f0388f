"""The editor's desk on the admin's index ({% load desk %}): the panels are
the offices app's (offices/dashboard.py), the page is the admin site's."""

from django import template

from offices.dashboard import dashboard

register = template.Library()


@register.simple_tag(takes_context=True)
def editor_desk(context):
    """The signed-in editor's desk, or None for staff who see no offices."""
    user = context["request"].user
    if user.has_perm("offices.view_office") or user.has_perm("offices.change_office"):
        return dashboard(user)
    return None
