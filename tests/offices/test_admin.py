import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from offices.admin import OfficeAdmin
from offices.models import FieldOffice, Office, ReviewRecord
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ReviewRecordFactory,
    TagFactory,
    ThematicPillarFactory,
    UserFactory,
)
from tests.support import (
    SIGNED_IN_QUERIES,
    VerifiedClient,
    add_office_data,
    add_rows,
    change_url,
    form_data,
    populate,
)

CHANGELIST = reverse("admin:offices_office_changelist")
ADD = reverse("admin:offices_office_add")
SCHEDULE = reverse("admin:offices_office_review_schedule")


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def listed(response):
    """Names of the offices on a changelist page."""
    return sorted(office.name for office in response.context["cl"].result_list)


def test_admin_site_has_the_product_title(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert "UN Human Rights profiles" in html
    assert "Django administration" not in html


# Changelist


def test_changelist_shows_next_review_state(admin_client):
    OfficeFactory(name="Never", last_reviewed=None)
    OfficeFactory(name="Late", last_reviewed=datetime.date(2020, 1, 31))
    OfficeFactory(name="Gone", closed_on=datetime.date(2023, 8, 31))
    OfficeFactory(name="Going", closed_on=days_ago(-30), last_reviewed=None)

    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    content = response.content.decode()
    assert "<strong>Never reviewed</strong>" in content
    assert "<strong>Overdue since Jan. 31, 2021</strong>" in content
    assert "Closed – not due" in content
    # Closing later: still readable as closing, and (closed_on set) not due.
    assert "Closing – not due" in content


def test_changelist_sorts_by_next_review_never_reviewed_first(admin_client):
    OfficeFactory(name="Later", last_reviewed=days_ago(10))
    OfficeFactory(name="Sooner", last_reviewed=days_ago(300))
    OfficeFactory(name="Never", last_reviewed=None)
    column = 1 + OfficeAdmin.list_display.index("next_review")

    response = admin_client.get(CHANGELIST, {"o": column})

    names = [office.name for office in response.context["cl"].result_list]
    assert names == ["Never", "Sooner", "Later"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Iraq", "UN Human Rights in Iraq"),
        ("Kurdistan", "UN Human Rights in Iraq"),
        ("UNAMI", "UN Human Rights in Iraq"),
        ("Erbil", "UN Human Rights in Iraq"),
        ("Bogotá", "UN Human Rights in Colombia"),
    ],
)
def test_search_by_name_country_host_mission_and_field_office(
    admin_client, query, found
):
    iraq = OfficeFactory(
        name="UN Human Rights in Iraq", country="Kurdistan Iraq", host_mission="UNAMI"
    )
    FieldOfficeFactory(office=iraq, name="Erbil")
    colombia = OfficeFactory(name="UN Human Rights in Colombia", country="Colombia")
    FieldOfficeFactory(office=colombia, name="Bogotá")

    response = admin_client.get(CHANGELIST, {"q": query})

    assert listed(response) == [found]


def test_search_matching_several_field_offices_lists_office_once(admin_client):
    office = OfficeFactory(name="UN Human Rights in Iraq")
    FieldOfficeFactory(office=office, name="Erbil")
    FieldOfficeFactory(office=office, name="Erbil North")

    response = admin_client.get(CHANGELIST, {"q": "Erbil"})

    assert listed(response) == ["UN Human Rights in Iraq"]
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"region__exact": "americas"}, ["Colombia"]),
        ({"region__exact": "mena"}, ["Iraq"]),
        ({"engagement_type__exact": "political_mission"}, ["Iraq"]),
        ({"engagement_type__exact": "country_office"}, ["Colombia"]),
        ({"status__exact": "draft"}, ["Colombia"]),
        ({"status__exact": "published"}, ["Iraq"]),
    ],
)
def test_choice_filters(admin_client, params, found):
    OfficeFactory(
        name="Iraq",
        region=Office.Region.MIDDLE_EAST_NORTH_AFRICA,
        engagement_type=Office.EngagementType.POLITICAL_MISSION,
        status=Office.Status.PUBLISHED,
    )
    OfficeFactory(
        name="Colombia",
        region=Office.Region.AMERICAS,
        engagement_type=Office.EngagementType.COUNTRY_OFFICE,
        status=Office.Status.DRAFT,
    )

    response = admin_client.get(CHANGELIST, params)

    assert listed(response) == found


def test_pillar_filter(admin_client):
    accountability, development = ThematicPillarFactory.create_batch(2)
    OfficeFactory(name="Iraq", pillars=[accountability])
    OfficeFactory(name="Tunisia", pillars=[accountability, development])

    response = admin_client.get(CHANGELIST, {"pillars__id__exact": development.pk})

    assert listed(response) == ["Tunisia"]


@pytest.mark.parametrize(
    ("state", "found"),
    [
        ("overdue", ["Never", "Overdue"]),
        ("due_soon", ["Due soon"]),
        ("up_to_date", ["Deferred", "Up to date"]),
        ("never", ["Never"]),
        ("closed", ["Closed"]),
    ],
)
def test_review_state_filter(admin_client, state, found):
    OfficeFactory(name="Overdue", last_reviewed=days_ago(400))
    OfficeFactory(name="Due soon", last_reviewed=days_ago(355))
    OfficeFactory(name="Up to date", last_reviewed=days_ago(30))
    OfficeFactory(name="Never", last_reviewed=None)
    OfficeFactory(
        name="Deferred",
        last_reviewed=days_ago(400),
        deferred_until=timezone.localdate() + datetime.timedelta(days=60),
    )
    # Long overdue if it were open: closed presences are never due.
    OfficeFactory(name="Closed", last_reviewed=days_ago(800), closed_on=days_ago(100))

    response = admin_client.get(CHANGELIST, {"review": state})

    assert listed(response) == found


@pytest.mark.parametrize(
    "other",
    [
        {"closed_on": days_ago(100)},
        {"closed_on": days_ago(-30)},
        {"deferred_until": days_ago(-60)},
    ],
    ids=["closed", "closing", "first-review-deferred"],
)
def test_never_reviewed_filter_lists_only_offices_due_for_a_first_review(
    admin_client, other
):
    OfficeFactory(name="Never", last_reviewed=None)
    OfficeFactory(name="Other", last_reviewed=None, **other)

    response = admin_client.get(CHANGELIST, {"review": "never"})

    assert listed(response) == ["Never"]


def test_date_hierarchy_on_last_reviewed(admin_client):
    OfficeFactory(name="Iraq", last_reviewed=datetime.date(2021, 5, 1))
    OfficeFactory(name="Syria", last_reviewed=datetime.date(2022, 9, 1))

    response = admin_client.get(CHANGELIST, {"last_reviewed__year": 2021})

    assert listed(response) == ["Iraq"]


# Add and change pages


def test_add_with_field_offices_and_mandate_creates_them(admin_client):
    data = form_data(admin_client.get(ADD))
    data.update(
        name="UN Human Rights in Iraq",
        slug="iraq",
        country="Iraq",
        country_code="IQ",
        region="mena",
        engagement_type="political_mission",
        host_mission="UNAMI",
        year_established=2003,
    )
    add_rows(
        data,
        "field_offices",
        {"name": "Baghdad", "is_head_office": "on", "position": 0},
        {"name": "Erbil", "position": 1},
    )
    add_rows(
        data,
        "mandates",
        {
            "kind": "security_council",
            "title": "Security Council resolution 2522 (2020)",
            "symbol": "S/RES/2522 (2020)",
            "adopted_on": "2020-05-29",
            "position": 0,
        },
    )

    response = admin_client.post(ADD, data)

    assert response.status_code == 302, response.context["errors"]
    office = Office.objects.get(slug="iraq")
    assert [(f.name, f.is_head_office) for f in office.field_offices.all()] == [
        ("Baghdad", True),
        ("Erbil", False),
    ]
    assert office.mandates.get().symbol == "S/RES/2522 (2020)"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"year_established": 1944}, "greater than or equal to 1945"),
        (
            {"year_established": timezone.localdate().year + 1},
            "less than or equal to",
        ),
        ({"name": ""}, "This field is required."),
        ({"profile": "Null\x00byte"}, "Null characters are not allowed."),
        ({"closed_on": "2002-12-31"}, "before the year it was established"),
    ],
)
def test_bad_office_field_rerenders_and_saves_nothing(admin_client, change, error):
    data = add_office_data(admin_client)
    data.update(change)
    add_rows(data, "field_offices", {"name": "Baghdad", "position": 0})

    response = admin_client.post(ADD, data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Office.objects.count() == 0
    assert FieldOffice.objects.count() == 0


def test_closing_date_to_come_is_accepted(admin_client):
    closing = timezone.localdate() + datetime.timedelta(days=60)
    data = add_office_data(admin_client)
    data["closed_on"] = closing.isoformat()

    response = admin_client.post(ADD, data)

    assert response.status_code == 302
    assert Office.objects.get().closed_on == closing


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        (
            [
                {"name": "Baghdad", "is_head_office": "on", "position": 0},
                {"name": "Erbil", "is_head_office": "on", "position": 1},
            ],
            "Tick “head office” for one field office only.",
        ),
        (
            [{"name": "Erbil", "position": 0}, {"name": "Erbil", "position": 1}],
            # The English name (modeltranslation's name_en input).
            "Please correct the duplicate data for name_en.",
        ),
    ],
    ids=["two-head-offices", "duplicate-names"],
)
def test_bad_field_office_rows_rerender_and_save_nothing(admin_client, rows, error):
    data = add_office_data(admin_client)
    add_rows(data, "field_offices", *rows)

    response = admin_client.post(ADD, data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Office.objects.count() == 0
    assert FieldOffice.objects.count() == 0


# Offices edited through the form here are new ones (status draft), edited in
# place until first published; a published office is edited through its
# draft copy (tests/editorial/test_admin.py), with the same form.
DRAFT = Office.Status.DRAFT


def test_change_page_renders_inlines_and_history(admin_client):
    office = OfficeFactory()
    FieldOfficeFactory(office=office, name="Baghdad")
    MandateFactory(office=office, title="Security Council resolution 2522 (2020)")
    ReviewRecordFactory(
        office=office,
        reviewed_by=UserFactory(username="amina"),
        reviewed_on=datetime.date(2021, 5, 1),
        note="Checked the staff numbers",
    )

    response = admin_client.get(change_url(office))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Baghdad" in content
    assert "Security Council resolution 2522 (2020)" in content
    assert "Review history" in content
    assert "Checked the staff numbers" in content
    assert "amina" in content


def test_change_moves_head_office_in_one_submission(admin_client):
    office = OfficeFactory(status=DRAFT)
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    FieldOfficeFactory(office=office, name="Erbil")
    data = form_data(admin_client.get(change_url(office)))
    data["field_offices-0-is_head_office"] = False
    data["field_offices-1-is_head_office"] = True

    response = admin_client.post(change_url(office), data)

    assert response.status_code == 302
    assert office.field_offices.get(is_head_office=True).name == "Erbil"


def test_change_form_cannot_set_review_dates_without_history(admin_client):
    office = OfficeFactory(status=DRAFT, last_reviewed=datetime.date(2021, 5, 1))
    data = form_data(admin_client.get(change_url(office)))
    data["last_reviewed"] = "2026-01-01"
    data["deferred_until"] = "2030-01-01"

    response = admin_client.post(change_url(office), data)

    assert response.status_code == 302
    office.refresh_from_db()
    assert (office.last_reviewed, office.deferred_until) == (
        datetime.date(2021, 5, 1),
        None,
    )


def test_change_with_second_head_office_saves_nothing(admin_client):
    office = OfficeFactory(name="UN Human Rights in Iraq", status=DRAFT)
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    data = form_data(admin_client.get(change_url(office)))
    data["name"] = "Renamed"
    add_rows(
        data, "field_offices", {"name": "Erbil", "is_head_office": "on", "position": 1}
    )

    response = admin_client.post(change_url(office), data)

    assert response.status_code == 200
    assert "Tick “head office” for one field office only." in (
        response.content.decode()
    )
    office.refresh_from_db()
    assert office.name == "UN Human Rights in Iraq"
    assert office.field_offices.count() == 1


def test_view_on_site_redirects_to_public_page(admin_client):
    office = OfficeFactory(slug="iraq")
    url = reverse(
        "admin:view_on_site",
        args=[ContentType.objects.get_for_model(Office).pk, office.pk],
    )

    assert url in admin_client.get(change_url(office)).content.decode()
    response = admin_client.get(url)

    assert response.status_code == 302
    assert response["Location"].endswith("/en/offices/iraq/")


# Actions


def run_action(client, action, offices, **extra):
    return client.post(
        CHANGELIST,
        {
            "action": action,
            "_selected_action": [office.pk for office in offices],
            **extra,
        },
    )


def test_mark_reviewed_action_records_reviews(admin_client, admin_user):
    iraq = OfficeFactory(last_reviewed=datetime.date(2021, 5, 1))
    syria = OfficeFactory(last_reviewed=None)
    untouched = OfficeFactory(last_reviewed=None)

    response = run_action(admin_client, "mark_reviewed", [iraq, syria])

    assert response.status_code == 302
    assert messages_of(response) == ["2 offices marked as reviewed today."]
    today = timezone.localdate()
    assert set(Office.objects.filter(last_reviewed=today)) == {iraq, syria}
    assert set(
        ReviewRecord.objects.filter(
            reviewed_by=admin_user, reviewed_on=today, kind="reviewed"
        ).values_list("office", flat=True)
    ) == {iraq.pk, syria.pk}
    untouched.refresh_from_db()
    assert untouched.last_reviewed is None


def test_publish_action_counts_only_changed_offices(admin_client):
    draft = OfficeFactory(status=Office.Status.DRAFT)
    published = OfficeFactory(status=Office.Status.PUBLISHED)

    response = run_action(admin_client, "publish", [draft, published], post="yes")

    assert messages_of(response) == ["1 office published."]
    draft.refresh_from_db()
    assert draft.status == Office.Status.PUBLISHED


def test_move_to_draft_action(admin_client):
    iraq, syria = OfficeFactory.create_batch(2, status=Office.Status.PUBLISHED)
    other = OfficeFactory(status=Office.Status.PUBLISHED)

    response = run_action(admin_client, "move_to_draft", [iraq, syria], post="yes")

    assert messages_of(response) == ["2 offices moved to draft."]
    assert set(Office.objects.filter(status=Office.Status.DRAFT)) == {iraq, syria}
    other.refresh_from_db()
    assert other.status == Office.Status.PUBLISHED


@pytest.mark.parametrize(
    ("action", "status", "outcome", "button"),
    [
        ("publish", Office.Status.DRAFT, "Goes on the public site at", "Yes, publish"),
        (
            "move_to_draft",
            Office.Status.PUBLISHED,
            "answers “Page not found”",
            "Yes, move to draft",
        ),
    ],
)
def test_publishing_actions_ask_first_saying_what_the_public_will_see(
    admin_client, action, status, outcome, button
):
    office = OfficeFactory(name="UN Human Rights in Chad", slug="chad", status=status)
    untouched = OfficeFactory(name="UN Human Rights in Mali")
    recorded = AuditEntry.objects.count()

    page = run_action(admin_client, action, [office, untouched])

    assert page.status_code == 200
    assert page.templates[0].name == (
        "admin/offices/office/publication_confirmation.html"
    )
    content = page.content.decode()
    assert outcome in content
    assert "/en/offices/chad/" in content
    assert "UN Human Rights in Mali" in content
    assert f'<input type="submit" value="{button}">' in content
    assert f'name="_selected_action" value="{office.pk}"' in content
    assert 'name="post" value="yes"' in content
    assert f'name="action" value="{action}"' in content
    office.refresh_from_db()
    assert office.status == status
    assert AuditEntry.objects.count() == recorded

    confirmed = run_action(admin_client, action, [office], post="yes")

    assert confirmed.status_code == 302
    office.refresh_from_db()
    assert office.status != status


# Review button, deferral and schedule (issue 4)


def mark_reviewed_url(office):
    return reverse("admin:offices_office_mark_reviewed", args=[office.pk])


def defer_url(office):
    return reverse("admin:offices_office_defer_review", args=[office.pk])


def test_change_page_has_review_buttons(admin_client):
    office = OfficeFactory()

    content = admin_client.get(change_url(office)).content.decode()

    assert f'action="{mark_reviewed_url(office)}"' in content
    assert f'href="{defer_url(office)}"' in content


def test_mark_reviewed_button_records_review_with_note(admin_client, admin_user):
    office = OfficeFactory(last_reviewed=datetime.date(2021, 5, 1))

    response = admin_client.post(
        mark_reviewed_url(office), {"note": "Staff numbers updated"}
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(office)
    assert messages_of(response) == [f"“{office}” is marked as reviewed today."]
    office.refresh_from_db()
    assert office.last_reviewed == timezone.localdate()
    record = office.review_records.get()
    assert (record.kind, record.reviewed_by, record.note) == (
        "reviewed",
        admin_user,
        "Staff numbers updated",
    )


def test_mark_reviewed_button_refuses_get(admin_client):
    office = OfficeFactory(last_reviewed=None)

    response = admin_client.get(mark_reviewed_url(office))

    assert response.status_code == 405
    assert not ReviewRecord.objects.exists()


def test_mark_reviewed_button_needs_csrf_token(admin_user):
    client = VerifiedClient(enforce_csrf_checks=True)
    client.force_login(admin_user)
    office = OfficeFactory(last_reviewed=None)

    response = client.post(mark_reviewed_url(office))

    assert response.status_code == 403
    assert not ReviewRecord.objects.exists()


def test_defer_review_records_deferral(admin_client, admin_user):
    office = OfficeFactory(last_reviewed=datetime.date(2021, 5, 1))
    until = timezone.localdate() + datetime.timedelta(days=90)

    assert admin_client.get(defer_url(office)).status_code == 200
    response = admin_client.post(
        defer_url(office),
        {"until": until.isoformat(), "reason": "Waiting for the new resolution"},
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(office)
    office.refresh_from_db()
    assert office.deferred_until == until
    assert office.last_reviewed == datetime.date(2021, 5, 1)
    record = office.review_records.get()
    assert (record.kind, record.deferred_until, record.note, record.reviewed_by) == (
        "deferred",
        until,
        "Waiting for the new resolution",
        admin_user,
    )


@pytest.mark.parametrize(
    ("until_days", "reason", "error"),
    [
        (-1, "Waiting for the new resolution", "Choose a date after today."),
        (0, "Waiting for the new resolution", "Choose a date after today."),
        (30, "", "This field is required."),
        (30, "   ", "This field is required."),
        (None, "Waiting for the new resolution", "This field is required."),
    ],
)
def test_defer_review_bad_input_changes_nothing(
    admin_client, until_days, reason, error
):
    office = OfficeFactory(last_reviewed=datetime.date(2021, 5, 1))
    until = (
        ""
        if until_days is None
        else (timezone.localdate() + datetime.timedelta(days=until_days)).isoformat()
    )

    response = admin_client.post(defer_url(office), {"until": until, "reason": reason})

    assert response.status_code == 200
    assert error in response.content.decode()
    office.refresh_from_db()
    assert office.deferred_until is None
    assert not ReviewRecord.objects.exists()


def test_review_schedule_lists_open_offices_due_first_with_reviewers(admin_client):
    amina = UserFactory(username="amina", first_name="Amina", last_name="Said")
    OfficeFactory(name="Later", last_reviewed=days_ago(10), reviewers=[amina])
    OfficeFactory(name="Overdue", last_reviewed=days_ago(400))
    OfficeFactory(name="Never", last_reviewed=None)
    OfficeFactory(name="Closed", last_reviewed=None, closed_on=days_ago(5))

    response = admin_client.get(SCHEDULE)

    assert response.status_code == 200
    names = [office.name for office, _ in response.context["rows"]]
    assert names == ["Never", "Overdue", "Later"]
    content = response.content.decode()
    assert "Amina Said" in content
    assert "No reviewer" in content
    assert "<strong>Never reviewed</strong>" in content
    assert "Overdue since" in content


@pytest.mark.parametrize("page", ["admin:index", "admin:offices_office_changelist"])
def test_review_schedule_is_linked(admin_client, page):
    assert f'href="{SCHEDULE}"' in admin_client.get(reverse(page)).content.decode()


def test_review_schedule_needs_view_permission(client, db):
    client.force_login(UserFactory())

    assert client.get(SCHEDULE).status_code == 403
    assert f'href="{SCHEDULE}"' not in client.get("/admin/").content.decode()


# Row-level permission


def test_limited_editor_lists_only_offices_they_review(client, limited_editor):
    OfficeFactory(name="Mine", reviewers=[limited_editor])
    OfficeFactory(name="Theirs")
    client.force_login(limited_editor)

    assert listed(client.get(CHANGELIST)) == ["Mine"]
    schedule = client.get(SCHEDULE)
    assert [office.name for office, _ in schedule.context["rows"]] == ["Mine"]


def test_limited_editor_edits_own_office(client, limited_editor):
    office = OfficeFactory(name="Mine", status=DRAFT, reviewers=[limited_editor])
    client.force_login(limited_editor)
    data = form_data(client.get(change_url(office)))
    data["name"] = "Renamed"

    response = client.post(change_url(office), data)

    assert response.status_code == 302
    office.refresh_from_db()
    assert office.name == "Renamed"


@pytest.mark.parametrize("url", [change_url, mark_reviewed_url, defer_url])
def test_limited_editor_cannot_reach_another_office(client, limited_editor, url):
    theirs = OfficeFactory(name="Theirs", last_reviewed=None)
    client.force_login(limited_editor)

    response = client.post(url(theirs), {"name": "Hijacked", "note": "x"})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert "Perhaps it was deleted?" in messages_of(response)[0]
    theirs.refresh_from_db()
    assert (theirs.name, theirs.last_reviewed) == ("Theirs", None)
    assert not ReviewRecord.objects.exists()


def test_editor_with_edit_all_permission_sees_every_office(client, staff_user):
    OfficeFactory(name="Iraq")
    OfficeFactory(name="Syria")
    client.force_login(staff_user)

    assert listed(client.get(CHANGELIST)) == ["Iraq", "Syria"]


def test_limited_editor_becomes_reviewer_of_office_they_add(client, limited_editor):
    client.force_login(limited_editor)

    response = client.post(ADD, add_office_data(client))

    assert response.status_code == 302
    assert list(Office.objects.get(slug="iraq").reviewers.all()) == [limited_editor]


# The review history


def test_review_record_admin_is_read_only(admin_client):
    record = ReviewRecordFactory(note="Checked")

    response = admin_client.get(reverse("admin:offices_reviewrecord_changelist"))

    assert "Checked" in response.content.decode()
    assert (
        admin_client.get(reverse("admin:offices_reviewrecord_add")).status_code == 403
    )
    change = admin_client.post(
        reverse("admin:offices_reviewrecord_change", args=[record.pk]), {"note": "x"}
    )
    assert change.status_code == 403
    record.refresh_from_db()
    assert record.note == "Checked"


# Query counts: the same bound at two data sizes


@pytest.mark.parametrize("size", [2, 30])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        (CHANGELIST, 8 + SIGNED_IN_QUERIES),
        # The schedule, its reviewers, and the calendar feed of the user.
        (SCHEDULE, 5 + SIGNED_IN_QUERIES),
        (reverse("admin:offices_reviewrecord_changelist"), 7 + SIGNED_IN_QUERIES),
    ],
)
def test_changelist_query_count_is_constant(
    admin_client, django_assert_max_num_queries, size, url, queries
):
    populate(size)

    with django_assert_max_num_queries(queries):
        response = admin_client.get(url)

    assert response.status_code == 200


def test_limited_editor_changelist_query_count_is_constant(
    client, limited_editor, django_assert_max_num_queries
):
    populate(30)
    OfficeFactory.create_batch(3, reviewers=[limited_editor])
    client.force_login(limited_editor)

    with django_assert_max_num_queries(10 + SIGNED_IN_QUERIES):
        response = client.get(CHANGELIST)

    assert response.context["cl"].result_count == 3


def office_with(size, **kwargs):
    """An office with `size` of everything its change page lists."""
    office = OfficeFactory(
        pillars=ThematicPillarFactory.create_batch(size),
        tags=TagFactory.create_batch(size),
        **kwargs,
    )
    FieldOfficeFactory.create_batch(size, office=office)
    MandateFactory.create_batch(size, office=office)
    ReviewRecordFactory.create_batch(size, office=office)
    return office


# Session and user, the office, the initial values of its five many-to-many
# fields, three inlines, five lists of choices, and the content type of "View
# on site" (cached after a first use). Then a permission lookup (user and
# groups) for all but a superuser, and one row-level check for a limited
# editor, however many inlines and buttons ask. A limited editor sees the
# reviewers as names (one query) instead of choosing them (two). A published
# office's page shows its content instead of editing it (no choices to list).
# The translation checks and the publication request are one query each.
@pytest.mark.parametrize("status", [DRAFT, Office.Status.PUBLISHED])
@pytest.mark.parametrize("size", [1, 30])
@pytest.mark.parametrize(
    ("user", "queries"),
    [
        ("admin_user", 18 + SIGNED_IN_QUERIES),
        ("staff_user", 20 + SIGNED_IN_QUERIES),
        ("limited_editor", 20 + SIGNED_IN_QUERIES),
    ],
)
def test_change_page_query_count_is_constant(
    client, request, django_assert_max_num_queries, size, user, queries, status
):
    user = request.getfixturevalue(user)
    office = office_with(size, reviewers=[user], status=status)
    client.force_login(user)

    with django_assert_max_num_queries(queries):
        response = client.get(change_url(office))

    assert response.status_code == 200


# Hostile or stale input: a clear error or a sensible result, never a server error.


def test_stale_page_saved_after_another_editor_moved_the_head_office(admin_client):
    # Moved outside the form (the edit counter is unchanged): another editor's
    # save through the form is a conflict (tests/editorial/test_admin.py).
    office = OfficeFactory(name="UN Human Rights in Iraq", status=DRAFT)
    baghdad = FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    erbil = FieldOfficeFactory(office=office, name="Erbil")
    data = form_data(admin_client.get(change_url(office)))
    # Meanwhile another editor makes Erbil the head office.
    FieldOffice.objects.filter(pk=baghdad.pk).update(is_head_office=False)
    FieldOffice.objects.filter(pk=erbil.pk).update(is_head_office=True)
    data["name"] = "Renamed"

    response = admin_client.post(change_url(office), data)

    assert response.status_code == 302
    office.refresh_from_db()
    assert office.name == "Renamed"
    # The last submission wins, as for every other field on the page.
    assert office.field_offices.get(is_head_office=True) == baghdad


@pytest.mark.parametrize("value", ["abc", "1\x00"])
def test_tampered_tag_id_rerenders_with_an_error(admin_client, value):
    office = OfficeFactory(name="UN Human Rights in Iraq", status=DRAFT)
    data = form_data(admin_client.get(change_url(office)))
    data.update(name="Renamed", tags=[value])

    response = admin_client.post(change_url(office), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["tags"]
    office.refresh_from_db()
    assert office.name == "UN Human Rights in Iraq"


def test_add_page_ignores_bad_initial_tag_ids(admin_client):
    tag = TagFactory(name="Elections")

    response = admin_client.get(ADD, {"tags": f"abc,{tag.pk}"})

    assert response.status_code == 200
    assert "Elections" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        CHANGELIST + "?region__exact=%00",
        CHANGELIST + "?name__icontains=a%00",
        reverse("admin:offices_reviewrecord_changelist") + "?note=%00",
        reverse("admin:auth_user_changelist") + "?username=%00",
        reverse("admin:auth_group_changelist") + "?name=%00",
    ],
)
def test_changelist_filter_with_null_character_is_an_invalid_lookup(admin_client, url):
    response = admin_client.get(url)

    assert response.status_code == 302
    assert response.url.endswith("?e=1")


def autocomplete_tags(client, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "offices",
            "model_name": "office",
            "field_name": "tags",
            "term": term,
        },
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_autocomplete_ignores_null_characters_in_the_term(admin_client):
    TagFactory(name="Elections")
    TagFactory(name="Water")

    assert autocomplete_tags(admin_client, "Elec\x00") == ["Elections"]


def test_autocomplete_lists_tags_by_name(admin_client):
    # Created out of order: the page of results must not follow the table's.
    for name in ["Zoning", "Elections", "Migration"]:
        TagFactory(name=name)

    assert autocomplete_tags(admin_client, "") == ["Elections", "Migration", "Zoning"]


def test_action_on_tampered_ids_changes_nothing(admin_client):
    office = OfficeFactory(status=Office.Status.DRAFT)

    response = admin_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [office.pk, "abc"]}
    )

    assert response.status_code == 302
    assert messages_of(response) == [
        "Items must be selected in order to perform actions on them. "
        "No items have been changed."
    ]
    office.refresh_from_db()
    assert office.status == Office.Status.DRAFT
