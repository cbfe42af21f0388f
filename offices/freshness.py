"""Translation freshness: is each translation of a profile still the English?

A translation is checked against the English text by an editor ("mark
checked"), which records a TranslationCheck with the English text then and
its fingerprint (Office.english_text, english_fingerprint; the same computed
in SQL by OfficeQuerySet.with_english_digest). Once the English changes, the
fingerprint differs and the translation is out of date until someone checks
it again; a check recorded before the text was kept needs a re-check. The
admin's list filters, the change page, the review schedule, the desk, the
public page's notice and the review reminders (`--translations`) all read
it from here or from the queryset methods. docs/translations.md.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse, translate_url
from django.utils import timezone
from django.utils.translation import gettext

from audit.models import AuditEntry
from hrprofile.links import absolute_url, admin_change_url
from hrprofile.translations import SOURCE_LANGUAGE, column, translated_fields
from offices.models import (
    NEEDS_CHECK,
    TEXT_ROWS,
    Office,
    TranslationCheck,
    TranslationState,
    TranslationStatus,
    english_fingerprint,
)

TEXT_RELATIONS = [rows.relation for rows in TEXT_ROWS]


def translation_languages():
    """(code, name) of every language but English, in LANGUAGES order."""
    return [(c, n) for c, n in settings.LANGUAGES if c != SOURCE_LANGUAGE]


def language_name(code):
    return str(dict(settings.LANGUAGES)[code])


def mark_translation_checked(office, language, *, by):
    """Record that office's translation into language matches its English
    text as it is now, keeping that text; one audit entry. Returns the
    TranslationCheck.

    A draft copy's check is the draft's own: it vouches for the draft's
    English, which the public does not read yet. Publishing the draft
    records it on the live office if the English published is the one it was
    made against (editorial.publish); its audit entry is filed under the live
    office, whose trail outlives the draft."""
    if language not in dict(translation_languages()):
        raise ValueError(f"not a translation language: {language!r}")
    with transaction.atomic():
        # Locked: an edit of the English cannot come between reading the
        # text and recording the check against it.
        current = (
            Office.objects.select_for_update(of=("self",))
            .prefetch_related(*TEXT_RELATIONS)
            .get(pk=office.pk)
        )
        text = current.english_text()
        check, _created = TranslationCheck.objects.update_or_create(
            office=office,
            language=language,
            defaults={
                "checked_at": timezone.now(),
                "checked_by": by,
                "english_digest": english_fingerprint(text),
                "english_text": dict(text),
            },
        )
        # The page's notice changes: the database moves the office's
        # updated_at with its check (offices migration 0017_office_stamp).
        live = office.draft_of if office.draft_of_id else office
        if live is office:
            message = gettext(
                "Checked the %(language)s translation against the English text."
            )
            data = {"translation_checked": language}
        else:
            message = gettext(
                "Checked the %(language)s translation against the English text "
                "of the draft."
            )
            data = {"translation_checked": language, "draft": office.pk}
        AuditEntry.objects.record(
            AuditEntry.Action.UPDATE,
            live,
            actor=by,
            office_id=live.pk,
            message=message % {"language": language_name(language)},
            data=data,
        )
    return check


def translation_status(office, language, english=None):
    """The TranslationStatus of office's translation into language: one
    query (the checks), given office.english_text() as english or reading it.

    A draft copy is judged by its own check if it has one, else by its live
    office's, each against the draft's English: what changed in the draft
    since the translation was last checked counts."""
    english = office.english_text() if english is None else english
    checks = {
        check.office_id: check
        for check in TranslationCheck.objects.filter(
            office__in=[pk for pk in (office.pk, office.draft_of_id) if pk],
            language=language,
        ).select_related("checked_by")
    }
    check = checks.get(office.pk) or checks.get(office.draft_of_id)
    state = TranslationState.of(
        translated=office.has_translation(language),
        checked_digest=check and check.english_digest,
        english_digest=english_fingerprint(english),
    )
    return TranslationStatus(language, state, check)


def _checked_column(language):
    return "checked_digest_" + language.replace("-", "_")


def with_translation_checks(offices):
    """offices annotated with english_digest and, per language, the digest its
    translation was last checked against: one query however many languages."""
    return offices.with_english_digest().annotate(
        **{
            _checked_column(code): Subquery(
                TranslationCheck.objects.filter(
                    office=OuterRef("pk"), language=code
                ).values("english_digest")[:1]
            )
            for code, _name in translation_languages()
        }
    )


def translation_states(office):
    """{language: TranslationState} of office, loaded through
    with_translation_checks, for every language but English."""
    return {
        code: TranslationState.of(
            translated=office.has_translation(code),
            checked_digest=getattr(office, _checked_column(code)),
            english_digest=office.english_digest,
        )
        for code, _name in translation_languages()
    }


@dataclass(frozen=True)
class OutdatedTranslation:
    """One office's out-of-date translation, as a digest or a page lists it."""

    office: Office
    language: str
    state: TranslationState
    admin_url: str
    public_url: str

    @property
    def language_name(self):
        return language_name(self.language)

    @property
    def translate_url(self):
        """The language's translation view (absolute, for emails as well):
        where the translation is checked and updated; the office's draft's,
        through a redirect, if it has one."""
        return absolute_url(
            reverse(
                "admin:offices_office_translate", args=[self.office.pk, self.language]
            )
        )


@dataclass(frozen=True)
class LanguageGroup:
    """A language's out-of-date translations: a digest's section."""

    language: str
    items: tuple

    @property
    def language_name(self):
        return language_name(self.language)


def group_by_language(items):
    """LanguageGroups of OutdatedTranslations, in LANGUAGES order."""
    groups = []
    for code, _name in translation_languages():
        found = tuple(item for item in items if item.language == code)
        if found:
            groups.append(LanguageGroup(code, found))
    return groups


def outdated_translations(offices):
    """Every out-of-date translation of these live offices, office by office.

    One query (two with the caller's prefetches): the offices are annotated
    here, and only those translated into some language are read.
    """
    translated = Q()
    for code, _name in translation_languages():
        for field in translated_fields(Office):
            translated |= Q(**{f"{column(field, code)}__gt": ""})
    return outdated_items(with_translation_checks(offices.filter(translated)))


def outdated_items(offices):
    """OutdatedTranslations of offices loaded through with_translation_checks."""
    found = []
    for office in offices:
        admin_url = admin_change_url(office, office.pk, absolute=True)
        for code, state in translation_states(office).items():
            if state not in NEEDS_CHECK:
                continue
            found.append(
                OutdatedTranslation(
                    office=office,
                    language=code,
                    state=state,
                    admin_url=admin_url,
                    public_url=settings.SITE_URL
                    + translate_url(office.get_absolute_url(), code),
                )
            )
    return found


def reviewer_translation_groups(offices):
    """{email: [LanguageGroup]}: each reviewer's offices' out-of-date
    translations, for the review reminders' --translations section."""
    by_email = {}
    items = outdated_translations(offices.prefetch_related("reviewers"))
    for item in items:
        for user in item.office.reviewers.all():
            if user.email and user.is_active:
                by_email.setdefault(user.email, []).append(item)
    return {email: group_by_language(found) for email, found in by_email.items()}
