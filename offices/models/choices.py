"""The fixed vocabularies of offices' models: regions, kinds of presence, statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA_PACIFIC = "asia_pacific", _("Asia Pacific")
    EUROPE_CENTRAL_ASIA = "europe_central_asia", _("Europe and Central Asia")
    MIDDLE_EAST_NORTH_AFRICA = "mena", _("Middle East and North Africa")


class EngagementType(models.TextChoices):
    COUNTRY_OFFICE = "country_office", _("Country Office")
    STAND_ALONE_OFFICE = "stand_alone_office", _("Stand-alone Office")
    REGIONAL_OFFICE = "regional_office", _("Regional Office")
    REGIONAL_CENTRE = "regional_centre", _("Regional Centre")
    PEACE_MISSION = "peace_mission", _("Human Rights Component of a Peace Mission")
    POLITICAL_MISSION = (
        "political_mission",
        _("Human rights office within a political mission"),
    )
    HUMAN_RIGHTS_ADVISER = (
        "human_rights_adviser",
        _("Human Rights Adviser to a UN Country Team"),
    )
    OTHER = "other", _("Other type of presence")


class OfficeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting publication")
    RETURNED = "returned", _("Sent back")


class ReviewKind(models.TextChoices):
    REVIEWED = "reviewed", _("Reviewed")
    DEFERRED = "deferred", _("Deferred")


class ReminderKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Escalation")
