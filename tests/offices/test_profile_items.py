"""The profile's focus areas, footer and paragraphs as the tags and filters
write them (offices.templatetags.profile_items, hrprofile's elements): hostile
text escaped, English shown in a translation's place marked lang="en" (and
dir="ltr" on a right-to-left page), every label translated."""

import datetime

from django.template import Context, Template
from django.utils import translation

from mandates.models import Shift, SpotlightPopulation, Tag, ThematicPillar
from offices.models import Office
from offices.templatetags.profile_items import profile_footer, term_lists

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def pillar():
    return ThematicPillar(
        slug="accountability",
        name_en=HOSTILE,
        name_fr="Redevabilité",
        description_en='"d"',
    )


def test_term_lists_write_each_list_under_its_heading():
    shift = Shift(slug="prevention", name="Prevention", name_en="Prevention")
    with translation.override("en"):
        markup = term_lists([pillar()], [shift], [])
    assert markup == (
        '\n        \n          <div id="pillars">'
        "\n            <h3>Thematic pillars</h3>"
        '\n            <ul class="terms">'
        f'\n              <li><a href="/en/pillars/accountability/">{ESCAPED}</a>'
        ' <span class="terms__description">&quot;d&quot;</span></li>'
        "\n            </ul>\n          </div>\n        "
        '\n        \n          <div id="shifts">'
        "\n            <h3>Shifts</h3>"
        '\n            <ul class="terms terms--inline">'
        '\n              <li><a href="/en/shifts/prevention/">Prevention</a></li>'
        "\n            </ul>\n          </div>\n        "
        "\n        "
    )


def test_term_lists_mark_english_and_translate_headings():
    population = SpotlightPopulation(slug="youth", name="Youth", name_en="Youth")
    with translation.override("fr"):
        markup = term_lists([pillar()], [], [population])
    assert "<h3>Piliers thématiques</h3>" in markup
    assert '<a href="/fr/pillars/accountability/">Redevabilité</a>' in markup
    # No French description: the English one, marked.
    assert '<span class="terms__description" lang="en">&quot;d&quot;' in markup
    assert '<a href="/fr/populations/youth/" lang="en">Youth</a>' in markup
    assert 'id="shifts"' not in markup
    with translation.override("ar"):
        markup = term_lists([], [], [population])
    assert '<a href="/ar/populations/youth/" lang="en" dir="ltr">Youth</a>' in markup


def office(**fields):
    return Office(
        slug="iraq",
        name="Iraq",
        name_en="Iraq",
        status=Office.Status.PUBLISHED,
        **fields,
    )


def test_profile_footer_escapes_and_marks_english():
    tags = [Tag(name=HOSTILE, name_en=HOSTILE), Tag(name="Élections", name_fr="É")]
    footer = office(
        last_reviewed=datetime.date(2021, 5, 1),
        more_info_url='https://example.org/?a=1&b="2"',
        more_info_label=HOSTILE,
        more_info_label_en=HOSTILE,
    )
    with translation.override("en"):
        markup = profile_footer(footer, tags)
    assert markup == (
        '\n      <div class="profile__footer">'
        "\n        "
        '\n          <p id="last-reviewed">Last reviewed: '
        '<time datetime="2021-05">May 2021</time></p>\n        '
        "\n        "
        '\n          <p id="changes-link"><a href="/en/offices/iraq/changes/">'
        "What changed in this profile</a></p>\n        "
        "\n        "
        '\n          <div id="tags">\n            <h2>Tags</h2>'
        f'\n            <ul class="tags"><li>{ESCAPED}</li><li>Élections</li></ul>'
        "\n          </div>\n        "
        "\n        "
        '\n          <p id="more-info">'
        '<a href="https://example.org/?a=1&amp;b=&quot;2&quot;">'
        f"{ESCAPED}</a></p>\n        "
        "\n      </div>\n    "
    )
    with translation.override("ar"):
        markup = profile_footer(footer, tags)
    assert f'<li lang="en" dir="ltr">{ESCAPED}</li>' in markup
    assert (
        '<a href="https://example.org/?a=1&amp;b=&quot;2&quot;" lang="en" dir="ltr">'
        f"{ESCAPED}</a>"
    ) in markup
    assert 'href="/ar/offices/iraq/changes/"' in markup


def test_profile_footer_default_label_and_nothing_to_show():
    with translation.override("fr"):
        markup = profile_footer(office(more_info_url="https://example.org/"), [])
    # The translation as the template wrote it, unescaped.
    assert ">Plus d'informations</a>" in markup
    assert 'id="tags"' not in markup
    assert 'id="last-reviewed"' not in markup
    draft = office()
    draft.status = Office.Status.DRAFT
    with translation.override("en"):
        assert profile_footer(draft, []) == ""
        assert 'id="changes-link"' not in profile_footer(draft, [Tag(name="T")])


def test_elements_escape_each_value():
    markup = Template('{% load hrprofile %}{{ values|elements:"p" }}').render(
        Context({"values": [HOSTILE, "a & b"]})
    )
    assert markup == f"<p>{ESCAPED}</p><p>a &amp; b</p>"
