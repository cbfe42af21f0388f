"""Translation checks that keep their English text; prose with LF line breaks only."""

import django.core.validators
import hrprofile.prose
import hrprofile.validators
from django.conf import settings
from django.db import migrations, models

# Checks recorded so far kept no English text, and their fingerprints joined
# the fields in an order that changed with each process: none can be trusted
# as "up to date". Each becomes "needs a re-check" (an empty fingerprint,
# TranslationState.NEEDS_RECHECK), never silently upgraded.
LEGACY_CHECKS = "UPDATE offices_translationcheck SET english_digest = ''"

# Line breaks as LF only (hrprofile/prose.py), before the constraint that
# keeps them so. Plain SQL: no updated_at moves (auto_now is Python's), so
# neither the pages' dates nor the API's updated_since see a change that a
# reader could not see either. Versions (django-reversion) keep their text:
# the History compares line endings normalised.
NORMALISE_LINE_ENDINGS = """
UPDATE offices_office SET
    profile = regexp_replace(profile, E'\\r\\n?', E'\\n', 'g'),
    profile_en = regexp_replace(profile_en, E'\\r\\n?', E'\\n', 'g'),
    profile_ar = regexp_replace(profile_ar, E'\\r\\n?', E'\\n', 'g'),
    profile_zh_hans = regexp_replace(profile_zh_hans, E'\\r\\n?', E'\\n', 'g'),
    profile_fr = regexp_replace(profile_fr, E'\\r\\n?', E'\\n', 'g'),
    profile_ru = regexp_replace(profile_ru, E'\\r\\n?', E'\\n', 'g'),
    profile_es = regexp_replace(profile_es, E'\\r\\n?', E'\\n', 'g'),
    achievements = regexp_replace(achievements, E'\\r\\n?', E'\\n', 'g'),
    achievements_en = regexp_replace(achievements_en, E'\\r\\n?', E'\\n', 'g'),
    achievements_ar = regexp_replace(achievements_ar, E'\\r\\n?', E'\\n', 'g'),
    achievements_zh_hans = regexp_replace(achievements_zh_hans, E'\\r\\n?', E'\\n', 'g'),
    achievements_fr = regexp_replace(achievements_fr, E'\\r\\n?', E'\\n', 'g'),
    achievements_ru = regexp_replace(achievements_ru, E'\\r\\n?', E'\\n', 'g'),
    achievements_es = regexp_replace(achievements_es, E'\\r\\n?', E'\\n', 'g'),
    partners_and_donors = regexp_replace(partners_and_donors, E'\\r\\n?', E'\\n', 'g'),
    partners_and_donors_en = regexp_replace(partners_and_donors_en, E'\\r\\n?', E'\\n', 'g'),
    partners_and_donors_ar = regexp_replace(partners_and_donors_ar, E'\\r\\n?', E'\\n', 'g'),
    partners_and_donors_zh_hans = regexp_replace(partners_and_donors_zh_hans, E'\\r\\n?', E'\\n', 'g'),
    partners_and_donors_fr = regexp_replace(partners_and_donors_fr, E'\\r\\n?', E'\\n', 'g'),
    partners_and_donors_ru = regexp_replace(partners_and_donors_ru, E'\\r\\n?', E'\\n', 'g'),
    partners_and_donors_es = regexp_replace(partners_and_donors_es, E'\\r\\n?', E'\\n', 'g')
WHERE profile LIKE E'%\\r%'
    OR profile_en LIKE E'%\\r%'
    OR profile_ar LIKE E'%\\r%'
    OR profile_zh_hans LIKE E'%\\r%'
    OR profile_fr LIKE E'%\\r%'
    OR profile_ru LIKE E'%\\r%'
    OR profile_es LIKE E'%\\r%'
    OR achievements LIKE E'%\\r%'
    OR achievements_en LIKE E'%\\r%'
    OR achievements_ar LIKE E'%\\r%'
    OR achievements_zh_hans LIKE E'%\\r%'
    OR achievements_fr LIKE E'%\\r%'
    OR achievements_ru LIKE E'%\\r%'
    OR achievements_es LIKE E'%\\r%'
    OR partners_and_donors LIKE E'%\\r%'
    OR partners_and_donors_en LIKE E'%\\r%'
    OR partners_and_donors_ar LIKE E'%\\r%'
    OR partners_and_donors_zh_hans LIKE E'%\\r%'
    OR partners_and_donors_fr LIKE E'%\\r%'
    OR partners_and_donors_ru LIKE E'%\\r%'
    OR partners_and_donors_es LIKE E'%\\r%'
"""


class Migration(migrations.Migration):

    dependencies = [
        ('mandates', '0010_prose_line_endings'),
        ('offices', '0014_content_stamp'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='translationcheck',
            name='english_text',
            field=models.JSONField(blank=True, editable=False, help_text='The English text at the time of the check, field by field; empty for a check recorded before the text was kept.', null=True, verbose_name='English text checked against'),
        ),
        migrations.AlterField(
            model_name='office',
            name='achievements',
            field=hrprofile.prose.ProseField(blank=True, help_text='One achievement per line.', max_length=5000, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='achievements'),
        ),
        migrations.AlterField(
            model_name='office',
            name='achievements_ar',
            field=hrprofile.prose.ProseField(blank=True, help_text='One achievement per line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='achievements'),
        ),
        migrations.AlterField(
            model_name='office',
            name='achievements_en',
            field=hrprofile.prose.ProseField(blank=True, help_text='One achievement per line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='achievements'),
        ),
        migrations.AlterField(
            model_name='office',
            name='achievements_es',
            field=hrprofile.prose.ProseField(blank=True, help_text='One achievement per line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='achievements'),
        ),
        migrations.AlterField(
            model_name='office',
            name='achievements_fr',
            field=hrprofile.prose.ProseField(blank=True, help_text='One achievement per line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='achievements'),
        ),
        migrations.AlterField(
            model_name='office',
            name='achievements_ru',
            field=hrprofile.prose.ProseField(blank=True, help_text='One achievement per line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='achievements'),
        ),
        migrations.AlterField(
            model_name='office',
            name='achievements_zh_hans',
            field=hrprofile.prose.ProseField(blank=True, help_text='One achievement per line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='achievements'),
        ),
        migrations.AlterField(
            model_name='office',
            name='partners_and_donors',
            field=hrprofile.prose.ProseField(blank=True, help_text='Shown as written; separate paragraphs with a blank line.', max_length=5000, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='partners and donors'),
        ),
        migrations.AlterField(
            model_name='office',
            name='partners_and_donors_ar',
            field=hrprofile.prose.ProseField(blank=True, help_text='Shown as written; separate paragraphs with a blank line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='partners and donors'),
        ),
        migrations.AlterField(
            model_name='office',
            name='partners_and_donors_en',
            field=hrprofile.prose.ProseField(blank=True, help_text='Shown as written; separate paragraphs with a blank line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='partners and donors'),
        ),
        migrations.AlterField(
            model_name='office',
            name='partners_and_donors_es',
            field=hrprofile.prose.ProseField(blank=True, help_text='Shown as written; separate paragraphs with a blank line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='partners and donors'),
        ),
        migrations.AlterField(
            model_name='office',
            name='partners_and_donors_fr',
            field=hrprofile.prose.ProseField(blank=True, help_text='Shown as written; separate paragraphs with a blank line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='partners and donors'),
        ),
        migrations.AlterField(
            model_name='office',
            name='partners_and_donors_ru',
            field=hrprofile.prose.ProseField(blank=True, help_text='Shown as written; separate paragraphs with a blank line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='partners and donors'),
        ),
        migrations.AlterField(
            model_name='office',
            name='partners_and_donors_zh_hans',
            field=hrprofile.prose.ProseField(blank=True, help_text='Shown as written; separate paragraphs with a blank line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='partners and donors'),
        ),
        migrations.AlterField(
            model_name='office',
            name='profile',
            field=hrprofile.prose.ProseField(blank=True, help_text='The Profile section. Separate paragraphs with a blank line.', max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000), hrprofile.validators.validate_prose], verbose_name='profile'),
        ),
        migrations.AlterField(
            model_name='office',
            name='profile_ar',
            field=hrprofile.prose.ProseField(blank=True, help_text='The Profile section. Separate paragraphs with a blank line.', max_length=20000, null=True, validators=[django.core.validators.MaxLengthValidator(20000), hrprofile.validators.validate_prose], verbose_name='profile'),
        ),
        migrations.AlterField(
            model_name='office',
            name='profile_en',
            field=hrprofile.prose.ProseField(blank=True, help_text='The Profile section. Separate paragraphs with a blank line.', max_length=20000, null=True, validators=[django.core.validators.MaxLengthValidator(20000), hrprofile.validators.validate_prose], verbose_name='profile'),
        ),
        migrations.AlterField(
            model_name='office',
            name='profile_es',
            field=hrprofile.prose.ProseField(blank=True, help_text='The Profile section. Separate paragraphs with a blank line.', max_length=20000, null=True, validators=[django.core.validators.MaxLengthValidator(20000), hrprofile.validators.validate_prose], verbose_name='profile'),
        ),
        migrations.AlterField(
            model_name='office',
            name='profile_fr',
            field=hrprofile.prose.ProseField(blank=True, help_text='The Profile section. Separate paragraphs with a blank line.', max_length=20000, null=True, validators=[django.core.validators.MaxLengthValidator(20000), hrprofile.validators.validate_prose], verbose_name='profile'),
        ),
        migrations.AlterField(
            model_name='office',
            name='profile_ru',
            field=hrprofile.prose.ProseField(blank=True, help_text='The Profile section. Separate paragraphs with a blank line.', max_length=20000, null=True, validators=[django.core.validators.MaxLengthValidator(20000), hrprofile.validators.validate_prose], verbose_name='profile'),
        ),
        migrations.AlterField(
            model_name='office',
            name='profile_zh_hans',
            field=hrprofile.prose.ProseField(blank=True, help_text='The Profile section. Separate paragraphs with a blank line.', max_length=20000, null=True, validators=[django.core.validators.MaxLengthValidator(20000), hrprofile.validators.validate_prose], verbose_name='profile'),
        ),
        migrations.AlterField(
            model_name='translationcheck',
            name='english_digest',
            field=models.CharField(blank=True, help_text='A fingerprint of the English text at the time of the check (Office.english_text); empty for a check that needs a re-check.', max_length=64, verbose_name='fingerprint of the English text'),
        ),
        migrations.RunSQL(NORMALISE_LINE_ENDINGS, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name='office',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('profile__contains', '\r'), _negated=True), models.Q(('profile_en__contains', '\r'), _negated=True), models.Q(('profile_ar__contains', '\r'), _negated=True), models.Q(('profile_zh_hans__contains', '\r'), _negated=True), models.Q(('profile_fr__contains', '\r'), _negated=True), models.Q(('profile_ru__contains', '\r'), _negated=True), models.Q(('profile_es__contains', '\r'), _negated=True), models.Q(('achievements__contains', '\r'), _negated=True), models.Q(('achievements_en__contains', '\r'), _negated=True), models.Q(('achievements_ar__contains', '\r'), _negated=True), models.Q(('achievements_zh_hans__contains', '\r'), _negated=True), models.Q(('achievements_fr__contains', '\r'), _negated=True), models.Q(('achievements_ru__contains', '\r'), _negated=True), models.Q(('achievements_es__contains', '\r'), _negated=True), models.Q(('partners_and_donors__contains', '\r'), _negated=True), models.Q(('partners_and_donors_en__contains', '\r'), _negated=True), models.Q(('partners_and_donors_ar__contains', '\r'), _negated=True), models.Q(('partners_and_donors_zh_hans__contains', '\r'), _negated=True), models.Q(('partners_and_donors_fr__contains', '\r'), _negated=True), models.Q(('partners_and_donors_ru__contains', '\r'), _negated=True), models.Q(('partners_and_donors_es__contains', '\r'), _negated=True)), name='office_prose_line_endings', violation_error_message='Line breaks are stored as LF only: remove the carriage returns.'),
        ),
        migrations.RunSQL(LEGACY_CHECKS, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name='translationcheck',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('english_digest', ''), ('english_text__isnull', True)), models.Q(('english_text__isnull', False), models.Q(('english_digest', ''), _negated=True)), _connector='OR'), name='translationcheck_text_and_digest', violation_error_message='A check records the English text and its fingerprint together.'),
        ),
    ]
