"""The index's own queries, compiled once per process and language.

As the profile's (hrprofile.queries): building and compiling a queryset costs
more Python than PostgreSQL takes to answer it. Only the SQL is kept, never a
row: every render asks the database again (a new term is in the choices as
soon as it is saved). Each query's SQL depends on the active language alone
(modeltranslation's columns, ReaderOrder's collation).
"""

from hrprofile.queries import PLACEHOLDERS, CompiledQuery, fetch_together
from hrprofile.translations import defer_unread
from mandates.models import Shift, SpotlightPopulation, ThematicPillar
from offices.models import Office, OfficeStatus


def _vocabulary(model):
    # Every term, in the vocabulary's order (Meta.ordering). The exclusion
    # of an id no row has is CompiledQuery's placeholder: the query has no
    # value of its own. Instances, not values_list(): a name falls back to
    # another language as the model's descriptor says.
    return CompiledQuery(lambda pk: model.objects.exclude(pk=pk))


VOCABULARIES = [_vocabulary(m) for m in (ThematicPillar, Shift, SpotlightPopulation)]


def vocabulary_choices():
    """The (slug, name) of each vocabulary's terms (pillars, shifts,
    populations), as model.objects.values_list("slug", "name") gives them:
    three queries asked in one round trip."""
    placeholder = PLACEHOLDERS[int]
    return [
        [(term.slug, term.name) for term in terms]
        for terms in fetch_together([(query, placeholder) for query in VOCABULARIES])
    ]


# The index unfiltered, as an anonymous reader sees it: the published
# offices (Office.objects.published(), the status its value) with their
# field office count, by region and name. As the profile's, its rows and the
# search's leave out the translation columns the reader's language never
# reads (defer_unread).
PUBLISHED_INDEX = CompiledQuery(
    lambda status: defer_unread(
        Office.objects.live()
        .filter(status=status)
        .with_field_office_count()
        .in_reader_order("region")
    ),
    value_type=str,
)


def published_index():
    """The offices of OfficeFilterForm().filter(Office.objects.published())
    with nothing asked: the same instances, in the same order."""
    return PUBLISHED_INDEX.rows(OfficeStatus.PUBLISHED.value)


# A search, nothing else asked, as an anonymous reader sees it: the
# published offices the text finds, best first (OfficeQuerySet.search()),
# with their field office count. The SQL is the same whatever the text; the
# text is a whole parameter (the full-text queries) or the middle of a LIKE
# pattern (the substring matches). Building and compiling the search cost
# some 4 ms of Python, running it a few tenths.
PUBLISHED_SEARCH = CompiledQuery(
    lambda text: defer_unread(
        Office.objects.published().filtered(q=text).with_field_office_count()
    ),
    value_type=str,
    like_patterns=True,
)


def published_search(text):
    """The offices of OfficeFilterForm({"q": text}).filter(
    Office.objects.published()): the same instances, in the same order."""
    return PUBLISHED_SEARCH.rows(text)


def _mapped_offices(status):
    # modeltranslation's only() takes "name" for every language's column;
    # defer_unread() leaves those the reader's language does not read.
    return defer_unread(
        Office.objects.live()
        .filter(status=status)
        .exclude(country_code="")
        .only("slug", "country_code", "status", "closed_on", "name")
    )


# Every office the map can show (offices.map.render.mapped_offices()): the
# published ones with a country, with only the columns the map reads, its
# names in the reader's language and English.
MAPPED_OFFICES = CompiledQuery(_mapped_offices, value_type=str)
