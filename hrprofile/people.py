"""How a person is named wherever the product shows one: pickers, lists,
emails, audit entries and version history."""

from django.conf import settings
from django.db.models import Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim


def may_be_signed_in(request):
    """Whether request can carry a signed-in user: without a session cookie
    nobody is signed in, and knowing it costs no query (anonymous readers'
    requests look up no session and no user)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def display_name(user):
    """A person's full name, else their username."""
    return user.get_full_name() or user.get_username()


# display_name in SQL, to list people in the order their names read.
BY_DISPLAY_NAME = Lower(
    Coalesce(
        NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")),
        "username",
    )
)
