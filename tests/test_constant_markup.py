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


def test_language_prefix_pattern_follows_the_languages_setting(script_prefix):
    from hrprofile.i18n import alternate_paths, language_links, path_in

    assert path_in("fr", "/en/offices/iraq/?a=1") == "/fr/offices/iraq/?a=1"
    with override_settings(LANGUAGES=[("en", "English"), ("pt", "Português")]):
        # "pt" is a prefix only once it is one of the languages.
        assert path_in("en", "/pt/offices/") == "/en/offices/"
        assert [code for code, _ in alternate_paths("/pt/x/")] == [
            "en",
            "pt",
            "x-default",
        ]
    assert path_in("en", "/pt/offices/") == "/en/pt/offices/"
    script_prefix("/hr/")
    with translation.override("ar"):
        links = language_links("/hr/en/offices/iraq/")
    urls = {link["code"]: link["url"] for link in links}
    assert urls["ar"] == "/hr/ar/offices/iraq/"
    assert urls["zh-hans"] == "/hr/zh-hans/offices/iraq/"
    assert {link["code"]: link["is_bidi"] for link in links}["ar"] is True
    assert [link["code"] for link in links if link["is_current"]] == ["ar"]


def test_item_tags_escape_and_translate_as_the_loops_did():
    import datetime

    from mandates.models import Mandate
    from offices.models import FieldOffice
    from offices.templatetags.profile_items import field_office_items, mandate_items

    field_office = FieldOffice(
        name="A & B", name_en="A & B", note="<n>", note_en="<n>", is_head_office=True
    )
    mandate = Mandate(
        kind=Mandate.Kind.THEMATIC,
        title="T <1>",
        title_en="T <1>",
        url="https://example.org/?a=1&b=2",
        symbol="S/1 & 2",
        adopted_on=datetime.date(2020, 5, 29),
        integrated_in=2019,
        summary='"s"',
        summary_en='"s"',
    )
    with translation.override("en"):
        items = field_office_items([field_office])
        assert items == (
            '\n                <li><span>A &amp; B</span> <span class="label">'
            "(head office)</span>, <bdi>&lt;n&gt;</bdi></li>\n              "
        )
        markup = mandate_items([mandate])
        assert '<a href="https://example.org/?a=1&amp;b=2">T &lt;1&gt;</a>' in markup
        assert "<bdi>S/1 &amp; 2</bdi>" in markup
        assert 'Adopted on <time datetime="2020-05-29">29 May 2020</time>' in markup
        assert "<li>Thematic mandate, integrated in 2019</li>" in markup
        assert "<p>&quot;s&quot;</p>" in markup
    with translation.override("ar"):
        markup = mandate_items([mandate])
        # Arabic has no text of its own: English, marked as such.
        assert '<p class="mandate__title" lang="en" dir="ltr">' in markup
        assert "Adopted on" not in markup
