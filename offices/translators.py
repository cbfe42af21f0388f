"""Who may translate which office into which language.

Editors who may work on an office translate it into every language. A
translator (the Translators group) translates only what a content manager
assigned: a (translator, office, language) assignment (TranslationAssignment).
"""

from offices.models import TranslationAssignment

# Where a user's assignments are kept once read: on the user object, which
# lives as long as its request.
CACHE_ATTRIBUTE = "_translation_assignments"


def assignments(user):
    """{office pk: frozenset of language codes} of the assignments that
    count for user (TranslationAssignmentQuerySet.held_by): one query, the
    first time in a request."""
    if not (user.is_authenticated and user.is_active):
        return {}
    cached = getattr(user, CACHE_ATTRIBUTE, None)
    if cached is None:
        found = {}
        rows = TranslationAssignment.objects.held_by(user).values_list(
            "office_id", "language"
        )
        for office_id, language in rows:
            found.setdefault(office_id, set()).add(language)
        cached = {pk: frozenset(codes) for pk, codes in found.items()}
        setattr(user, CACHE_ATTRIBUTE, cached)
    return cached


def assigned_languages(user, office):
    """The languages user is assigned to translate office (a live office;
    a draft copy counts as its office) into: a frozenset of codes."""
    if office is None:
        return frozenset()
    return assignments(user).get(office.draft_of_id or office.pk, frozenset())


def is_assigned(user, office):
    """Whether user translates office (or the office of this draft copy)
    into some language."""
    return bool(assigned_languages(user, office))
