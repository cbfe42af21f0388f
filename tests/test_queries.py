"""Querysets compiled once (hrprofile.queries): the same rows as the ORM's.

The anonymous profile page reads its office and what the page shows besides
through them; these tests hold them to what the querysets they were compiled
from give, in each language.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q, Value
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver
from django.utils import timezone, translation

from hrprofile.queries import (
    CompiledQuery,
    CompiledTogether,
    fetch_together,
    with_value,
)
from hrprofile.translations import (
    column,
    defer_unread,
    translated_fields,
    unread_columns,
)
from offices.models import PAGE_RELATIONS, ContentVersion, FieldOffice, Office
from offices.views import (
    PROFILE_RELATIONS,
    PUBLISHED_PROFILE,
    PUBLISHED_PROFILE_TOGETHER,
    OfficeDetailView,
)
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    TagFactory,
    ThematicPillarFactory,
)

pytestmark = pytest.mark.django_db


def values(instance):
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
    }


def loaded(instance):
    """The column values an instance was made with (not its deferred ones)."""
    return {
        field.attname: instance.__dict__[field.attname]
        for field in instance._meta.concrete_fields
        if field.attname in instance.__dict__
    }


@pytest.fixture
def office():
    office = OfficeFactory(
        slug="iraq",
        name="UN Human Rights in Iraq",
        name_fr="Le HCDH en Irak",
        pillars=ThematicPillarFactory.create_batch(2),
        tags=[
            TagFactory(name="Alpha", name_fr="Zèbre"),
            TagFactory(name="Beta", name_fr="Abricot"),
        ],
    )
    FieldOfficeFactory(office=office, name="Erbil", position=2)
    FieldOfficeFactory(office=office, name="Baghdad", position=1, is_head_office=True)
    MandateFactory(office=office)
    return office


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_profile_row_is_the_querysets_with_its_annotations(office, language):
    with translation.override(language):
        [compiled] = PUBLISHED_PROFILE.rows("iraq")
        orm = Office.objects.published().with_translation_state().get(slug="iraq")

    assert values(compiled) == values(orm)
    for annotation in ("english_digest", "checked_digest"):
        assert getattr(compiled, annotation, None) == getattr(orm, annotation, None)
    assert compiled.name == orm.name
    assert compiled._state.adding is False


def test_in_english_the_profile_computes_no_digest(office):
    """English is the source: there is no translation to check, so the
    profile's query computes no fingerprint of its text."""
    with translation.override("en"):
        [office] = PUBLISHED_PROFILE.rows("iraq")
        english = str(Office.objects.with_translation_state().query)
        assert office.translation_out_of_date is False
    with translation.override("fr"):
        french = str(Office.objects.with_translation_state().query)

    assert "sha256" not in english
    assert "english_digest" not in office.__dict__
    assert "sha256" in french


def test_a_slug_that_is_not_published_finds_nothing(office):
    OfficeFactory(slug="draft", status=Office.Status.DRAFT)

    assert PUBLISHED_PROFILE.rows("draft") == []
    assert PUBLISHED_PROFILE.rows("nowhere") == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_relations_are_the_prefetched_ones_in_order(office, language):
    with translation.override(language):
        [compiled] = PUBLISHED_PROFILE.rows("iraq")
        PROFILE_RELATIONS.attach(compiled)
        orm = Office.objects.with_page_relations().get(pk=office.pk)

        with CaptureQueriesContext(connection) as queries:
            for name in PAGE_RELATIONS:
                attached = [loaded(row) for row in getattr(compiled, name).all()]
                prefetched = [
                    {column: getattr(row, column) for column in columns}
                    for row, columns in zip(
                        getattr(orm, name).all(), attached, strict=True
                    )
                ]
                assert attached == prefetched, name
                # Without the columns the language never reads (defer_unread).
                for row in getattr(compiled, name).all():
                    assert row.get_deferred_fields() == set(
                        unread_columns(type(row))
                    ), name
            tags = [tag.name for tag in compiled.tags.all()]

    assert queries.captured_queries == []
    # Ordered by the reader's language's names: compiled per language.
    assert tags == (["Abricot", "Zèbre"] if language == "fr" else ["Alpha", "Beta"])


def test_the_attached_relations_still_answer_as_querysets(office):
    [compiled] = PUBLISHED_PROFILE.rows("iraq")
    PROFILE_RELATIONS.attach(compiled)

    with CaptureQueriesContext(connection) as queries:
        field_offices = compiled.field_offices.all()
        assert field_offices.count() == 2
        assert field_offices.exists()
        assert field_offices.first().name == "Baghdad"
        assert [f.name for f in field_offices[:1]] == ["Baghdad"]

    assert queries.captured_queries == []
    # Narrowing them asks the database, with the relation's own condition.
    assert list(compiled.field_offices.filter(name="Erbil")) == [
        FieldOffice.objects.get(name="Erbil")
    ]


def test_a_placeholder_the_query_lost_is_refused():
    query = CompiledQuery(lambda slug: Office.objects.filter(slug="fixed"), str)

    with pytest.raises(ValueError, match="placeholder"):
        query.rows("iraq")


def test_a_query_selecting_related_rows_is_refused(office):
    query = CompiledQuery(
        lambda pk: FieldOffice.objects.select_related("office").filter(office=pk)
    )

    with pytest.raises(ValueError, match="related"):
        query.rows(office.pk)


@pytest.mark.parametrize(
    "build",
    [
        lambda slug: Office.objects.filter(Q(slug=slug) | Q(country=slug)),
        lambda slug: Office.objects.filter(slug=slug, old_slugs__contains=[slug]),
    ],
    ids=["twice", "in an array"],
)
def test_a_value_used_more_than_once_goes_in_every_place(office, build):
    Office.objects.filter(pk=office.pk).update(country="iraq", old_slugs=["iraq"])
    query = CompiledQuery(build, str)

    assert [row.pk for row in query.rows("iraq")] == [office.pk]
    assert query.rows("other") == []


def test_a_value_the_query_transforms_is_refused():
    """Inside a LIKE pattern it could not be swapped: the query would keep
    asking the placeholder."""
    query = CompiledQuery(lambda slug: Office.objects.filter(name__icontains=slug), str)

    with pytest.raises(ValueError, match="whole parameter"):
        query.rows("iraq")


def test_queries_asked_together_give_what_each_gives_alone(office):
    other = OfficeFactory(slug="other")
    FieldOfficeFactory(office=other, name="Elsewhere")
    together = fetch_together(
        [(PUBLISHED_PROFILE, "iraq"), *PROFILE_RELATIONS.queries_for(other.pk)]
    )

    alone = [PUBLISHED_PROFILE.rows("iraq")] + [
        query.rows(other.pk) for query in PROFILE_RELATIONS.queries.values()
    ]
    assert [[values(row) for row in rows] for rows in together] == [
        [values(row) for row in rows] for rows in alone
    ]


def test_an_anonymous_profile_asks_its_seven_queries_as_one_statement(client, office):
    client.get("/en/offices/iraq/")  # connected, compiled
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/offices/iraq/?utm_source=news")

    assert response.status_code == 200
    assert "Baghdad" in response.content.decode()
    # The content version, then the office and its six relations together.
    assert len(queries) == 2
    assert queries[1]["sql"].count("json_agg") == 7


def fill_every_translation(instance, languages):
    """Each translated field: text naming the model, the field and the
    language (and the row), in English and in languages; empty in the others
    (which fall back to English)."""
    model = type(instance).__name__
    for field in translated_fields(type(instance)):
        for language in ("en", *languages):
            text = f"{model}-{field}-{language}-{instance.pk}"
            setattr(instance, column(field, language), text)
    instance.save()


@pytest.mark.parametrize("language", ["en", "ar", "zh-hans", "fr", "ru", "es"])
def test_a_profile_reads_no_column_its_query_left_out(client, office, language):
    """Every translated text the page shows is in the columns asked for (the
    reader's language's and English: defer_unread), in every language: the
    page sends its two statements and nothing more, whether it shows a
    translation or falls back to English."""
    office.closed_on = timezone.localdate() + timezone.timedelta(days=30)
    office.more_info_url = "https://example.org/"
    office.shifts.add(ShiftFactory())
    office.spotlight_populations.add(SpotlightPopulationFactory())
    fill_every_translation(office, ["fr"])
    for relation in PAGE_RELATIONS:
        for row in getattr(office, relation).all():
            fill_every_translation(row, ["fr"])
    path = f"/{language}/offices/iraq/"
    client.get(path)  # connected, compiled

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path + "?utm_source=read")

    assert response.status_code == 200
    assert len(queries) == 2, [query["sql"][:100] for query in queries]
    page = response.content.decode()
    shown = "fr" if language == "fr" else "en"
    for text in [
        "Office-name",
        "Office-profile",
        "Office-achievements",
        "Office-closed_note",
        "Office-more_info_label",
        "Office-partners_and_donors",
        "FieldOffice-name",
        "Mandate-title",
        "ThematicPillar-name",
        "Shift-name",
        "SpotlightPopulation-name",
        "Tag-name",
    ]:
        assert f"{text}-{shown}" in page, text
    if language not in ("en", "fr"):
        assert 'lang="en"' in page


def exact(rows):
    """Each instance's column values, with their types and reprs: what the
    page reads of it."""
    return [
        [
            {
                name: (type(value), repr(value))
                for name, value in row.__dict__.items()
                if name != "_state"
            }
            | {"class": type(row)}
            for row in instances
        ]
        for instances in rows
    ]


@pytest.fixture
def rich_office(office):
    """Every kind of column the profile reads, with NULLs, a date, times,
    an array, markup and quotes, and rows whose order only the ordering's
    last key decides."""
    office.old_slugs = ["irak", "old-iraq"]
    office.closed_on = timezone.localdate()
    office.staff_count = None
    office.profile_ar = 'نص "عربي" <b>'
    office.year_established_note = "It's <script>"
    office.save()
    for name, position in [("Mosul", 3), ("Basra", 1), ("Kirkuk", 2), ("Amara", 1)]:
        FieldOfficeFactory(office=office, name=name, position=position)
    for title in ("Zulu", "alpha", "Écho", "beta"):
        MandateFactory(office=office, title=title, position=1, adopted_on=None)
    return office


@pytest.mark.parametrize("language", ["en", "ar", "zh-hans", "fr", "ru", "es"])
def test_one_statement_gives_exactly_what_the_pipeline_gives(rich_office, language):
    pk = rich_office.pk
    with translation.override(language):
        pipeline = fetch_together(
            [(PUBLISHED_PROFILE, "iraq"), *PROFILE_RELATIONS.queries_for(pk)]
        )
        together = PUBLISHED_PROFILE_TOGETHER.rows("iraq", *[pk] * 6)

    assert exact(together) == exact(pipeline)
    assert [len(rows) for rows in together] == [1, 6, 5, 2, 0, 0, 2]


def test_one_statement_keeps_each_querys_order_not_the_tables(office):
    """Rows inserted in the reverse of their order come back in the query's."""
    for position in range(40, 0, -1):
        FieldOfficeFactory(office=office, name=f"F{position:02}", position=position)

    [_, field_offices, *_] = PUBLISHED_PROFILE_TOGETHER.rows("iraq", *[office.pk] * 6)

    expected = list(office.field_offices.all())
    assert [row.pk for row in field_offices] == [row.pk for row in expected]


def test_nothing_found_is_no_rows(office):
    [found, *relations] = PUBLISHED_PROFILE_TOGETHER.rows("nowhere", *[-1] * 6)

    assert found == []
    assert relations == [[]] * 6


def test_a_column_json_cannot_give_back_exactly_is_refused():
    """A float, a decimal or a UUID would come back as something else than
    psycopg gives: such a query is not asked as part of one statement."""
    query = CompiledQuery(
        lambda slug: Office.objects.annotate(share=Value(0.5)).filter(slug=slug), str
    )
    together = CompiledTogether(query)

    with pytest.raises(ValueError, match="cannot be read"):
        together.rows("iraq")


def test_an_office_that_took_the_slug_since_the_version_gets_its_own_relations(
    rf, office
):
    """The version named one office's key; by the next query another office
    holds the slug. The page shows that office with its own rows."""
    moved = OfficeFactory(slug="moved")
    FieldOfficeFactory(office=moved, name="Somewhere else")
    request = rf.get("/en/offices/iraq/")
    request.user = AnonymousUser()
    view = OfficeDetailView()
    view.setup(request, slug="iraq")
    view.content_version = ContentVersion(
        state="", latest=None, today=timezone.localdate(), page_pk=moved.pk
    )

    found = view.get_object()

    assert found.pk == office.pk
    assert [f.name for f in found.field_offices.all()] == ["Baghdad", "Erbil"]


# ------------------------------------------------- the SQL is the ORM's own
#
# The rows tests above would pass while the compiled SQL drifted from what
# the ORM now writes for the same queryset (a Django upgrade that changes a
# lookup, an ordering, a join), as long as the test data did not tell them
# apart. These compare the statements themselves: the compiled query's, with
# the value swapped in, against the queryset built for that value, for each
# query a page serves through the layer, in languages whose columns differ.

LANGUAGES = ["en", "fr", "ar", "zh-hans"]


def orm_sql(queryset):
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def compiled_sql(query, value):
    compiled = query._get_compiled()
    return compiled["sql"], tuple(
        with_value(compiled["params"], compiled["positions"], value)
    )


def page_queries():
    """(name, CompiledQuery, a value) of every compiled query a page asks."""
    return [
        ("profile", PUBLISHED_PROFILE, "iraq"),
        *(
            (f"profile {name}", query, 12345)
            for name, query in PROFILE_RELATIONS.queries.items()
        ),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("name", "query", "value"),
    page_queries(),
    ids=[name for name, *_ in page_queries()],
)
def test_each_compiled_page_query_is_the_orms_sql(language, name, query, value):
    with translation.override(language):
        assert compiled_sql(query, value) == orm_sql(query.build(value)), name


def test_the_profile_queries_are_the_ones_the_page_would_build(office):
    """The querysets compiled are the page's own: the published office by slug
    as the signed-in view asks it, and each relation as prefetch would read
    it for that office."""
    view_queryset = Office.objects.published().with_translation_state()
    assert orm_sql(PUBLISHED_PROFILE.build("iraq")) == orm_sql(
        defer_unread(view_queryset.filter(slug="iraq"))
    )
    assert set(PROFILE_RELATIONS.queries) == set(PAGE_RELATIONS)
    for name, query in PROFILE_RELATIONS.queries.items():
        assert orm_sql(query.build(office.pk)) == orm_sql(
            defer_unread(getattr(office, name).all())
        ), name


def page_lookups():
    """(URL name, PageLookup) of every view the URL configuration routes to
    that looks its row up through one."""
    found = {}

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                namespace = pattern.namespace
                walk(
                    pattern.url_patterns,
                    f"{prefix}{namespace}:" if namespace else prefix,
                )
                continue
            view = getattr(pattern.callback, "view_class", None) or getattr(
                pattern.callback, "cls", None
            )
            lookup = getattr(view, "page_lookup", None)
            if lookup is not None:
                found[f"{prefix}{pattern.name}"] = lookup

    walk(get_resolver().url_patterns)
    return sorted(found.items())


def test_every_page_lookup_is_found():
    names = [name for name, _ in page_lookups()]

    assert names == [
        "api:office-detail",
        "mandates:pillar",
        "mandates:population",
        "mandates:shift",
        "offices:changes",
        "offices:changes_feed",
        "offices:detail",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_page_lookup_is_the_orms_sql(language):
    """A page's lookup (compiled once per process, whatever the language)
    asks what the ORM would for the slug in the address."""
    for name, lookup in page_lookups():
        with translation.override(language):
            expected = orm_sql(
                lookup.rows()
                .filter(**{lookup.field: "iraq"})
                .order_by()
                .values("pk")[:1]
            )
            sql, params = lookup.sql_with_params("iraq")
        assert (sql, tuple(params)) == expected, name


def test_the_anonymous_profile_sends_the_orms_statements(client, office):
    """What the page sends, as the database log would show it: the ORM's
    statement for each of its querysets, byte for byte."""
    client.get("/en/offices/iraq/")  # compiled
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/offices/iraq/?utm_source=sql")

    assert response.status_code == 200
    sent = [query["sql"] for query in queries.captured_queries]
    expected = [
        PUBLISHED_PROFILE.build("iraq"),
        *(query.build(office.pk) for query in PROFILE_RELATIONS.queries.values()),
    ]
    # One statement: each queryset's rows as the ORM selects, filters and
    # orders them (its SQL from FROM on), with their position in that order.
    [_version, together] = sent
    for queryset in expected:
        statement = connection.ops.compose_sql(*orm_sql(queryset))
        assert statement[statement.index(" FROM ") :] in together


def test_a_prepared_query_is_planned_once_for_every_value(office):
    """The search, asked on one connection more often than the prepare
    threshold, with another text each time: PostgreSQL keeps its one generic
    plan (settings: plan_cache_mode), never planning it again for a value.
    Counted as differences: the connection may have asked it before."""
    from offices.compiled import PUBLISHED_SEARCH

    def plans():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0)"
                " FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%websearch_to_tsquery%"],
            )
            return cursor.fetchone()

    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    generic_before, custom_before = plans()
    for text in ["Erbil", "Baghdad", "Iraq", "rights", "UN", "x", "Mosul", "y"]:
        PUBLISHED_SEARCH.rows(text)
    generic_after, custom_after = plans()

    assert threshold < 8
    assert custom_after == custom_before
    assert generic_after - generic_before >= 8 - threshold


def test_other_languages_compile_the_queries_again(office):
    """A query compiled under other settings.LANGUAGES (a test's) selects
    other columns (defer_unread): it is compiled again once they change."""
    with translation.override("fr"):
        with override_settings(LANGUAGES=[("en", "English"), ("fr", "French")]):
            two = compiled_sql(PUBLISHED_PROFILE, "iraq")
            assert two == orm_sql(PUBLISHED_PROFILE.build("iraq"))
        six = compiled_sql(PUBLISHED_PROFILE, "iraq")
        assert six == orm_sql(PUBLISHED_PROFILE.build("iraq"))

    # With two languages, no other language's column to leave out.
    assert '"name_ar"' in two[0]
    assert '"name_ar"' not in six[0]
