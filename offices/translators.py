"""Who may translate which office into which language.

Editors who may work on an office translate it into every language. A
translator (the Translators group) translates only what a content manager
assigned: a (translator, office, language) assignment.
"""


def assigned_languages(user, office):
    """The languages user is assigned to translate office (a live office;
    a draft copy counts as its office) into: a frozenset of codes."""
    return frozenset()
