"""The memos of what depends only on code, settings and the language: term and
office addresses from a memoised pattern (hrprofile.links) and {% constant %}
markup. Each must change with the language and the script prefix, and never
keep anything of the page."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix
from django.utils import translation

from hrprofile.links import constant_url, slug_url


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    clear_script_prefix()


@pytest.mark.parametrize(
    "name",
    ["offices:detail", "mandates:pillar", "mandates:shift", "mandates:population"],
)
def test_slug_url_is_reverse_in_each_language_and_script_prefix(name, script_prefix):
    seen = set()
    for prefix in ["/", "/hr/"]:
        script_prefix(prefix)
        for language in ["en", "fr", "ar", "zh-hans"]:
            with translation.override(language):
                url = slug_url(name, "iraq-2_x")
                assert url == reverse(name, kwargs={"slug": "iraq-2_x"})
                assert url.startswith(f"{prefix}{language}/")
                seen.add(url)
    assert len(seen) == 8


def test_slug_url_leaves_other_slugs_to_reverse():
    # A slug the pattern refuses is refused as reverse() refuses it, never
    # put into the address as it is.
    with translation.override("en"), pytest.raises(NoReverseMatch):
        slug_url("offices:detail", "café/x")


def test_constant_url_changes_with_language_and_script_prefix(script_prefix):
    with translation.override("fr"):
        assert constant_url("offices:index") == "/fr/offices/"
    with translation.override("ru"):
        assert constant_url("offices:index") == "/ru/offices/"
        script_prefix("/hr/")
        assert constant_url("offices:index") == "/hr/ru/offices/"


CHROME = Template(
    "{% load hrprofile i18n %}[{{ secret }}]{% constant %}"
    "{% translate 'Field presences' %} {% url 'offices:index' %} <{{ secret }}>"
    "{% endconstant %}"
)


def test_constant_markup_per_language_and_script_prefix(script_prefix):
    with translation.override("en"):
        english = CHROME.render(Context({"secret": "a"}))
        assert english == "[a]Field presences /en/offices/ <>"
        # The page's variables never reach the memoised markup.
        assert (
            CHROME.render(Context({"secret": "b"}))
            == "[b]Field presences /en/offices/ <>"
        )
    with translation.override("fr"):
        french = CHROME.render(Context({"secret": "a"}))
        assert french.startswith("[a]")
        assert "/fr/offices/" in french and french != english
    script_prefix("/hr/")
    with translation.override("en"):
        assert CHROME.render(Context()) == "[]Field presences /hr/en/offices/ <>"


def test_constant_markup_forgotten_when_settings_change():
    template = Template(
        "{% load hrprofile static %}{% constant %}{% static 'x.css' %}{% endconstant %}"
    )
    with override_settings(STATIC_URL="/one/"):
        assert template.render(Context()) == "/one/x.css"
    with override_settings(STATIC_URL="/two/"):
        assert template.render(Context()) == "/two/x.css"


def test_constant_takes_no_arguments():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load hrprofile %}{% constant x %}{% endconstant %}")
