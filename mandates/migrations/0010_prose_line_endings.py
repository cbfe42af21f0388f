"""Mandate summaries with LF line breaks only (hrprofile/prose.py)."""

import django.core.validators
import hrprofile.prose
import hrprofile.validators
from django.db import migrations, models

# Line breaks as LF only (hrprofile/prose.py), before the constraint that
# keeps them so. Plain SQL: no updated_at moves (auto_now is Python's), so
# neither the pages' dates nor the API's updated_since see a change that a
# reader could not see either. Versions (django-reversion) keep their text:
# the History compares line endings normalised.
NORMALISE_LINE_ENDINGS = """
UPDATE mandates_mandate SET
    summary = regexp_replace(summary, E'\\r\\n?', E'\\n', 'g'),
    summary_en = regexp_replace(summary_en, E'\\r\\n?', E'\\n', 'g'),
    summary_ar = regexp_replace(summary_ar, E'\\r\\n?', E'\\n', 'g'),
    summary_zh_hans = regexp_replace(summary_zh_hans, E'\\r\\n?', E'\\n', 'g'),
    summary_fr = regexp_replace(summary_fr, E'\\r\\n?', E'\\n', 'g'),
    summary_ru = regexp_replace(summary_ru, E'\\r\\n?', E'\\n', 'g'),
    summary_es = regexp_replace(summary_es, E'\\r\\n?', E'\\n', 'g')
WHERE summary LIKE E'%\\r%'
    OR summary_en LIKE E'%\\r%'
    OR summary_ar LIKE E'%\\r%'
    OR summary_zh_hans LIKE E'%\\r%'
    OR summary_fr LIKE E'%\\r%'
    OR summary_ru LIKE E'%\\r%'
    OR summary_es LIKE E'%\\r%'
"""


class Migration(migrations.Migration):

    dependencies = [
        ('mandates', '0009_translations'),
        ('offices', '0014_content_stamp'),
    ]

    operations = [
        migrations.AlterField(
            model_name='mandate',
            name='summary',
            field=hrprofile.prose.ProseField(blank=True, help_text='A sentence or two on what it asks of the office.', max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000), hrprofile.validators.validate_prose], verbose_name='summary'),
        ),
        migrations.AlterField(
            model_name='mandate',
            name='summary_ar',
            field=hrprofile.prose.ProseField(blank=True, help_text='A sentence or two on what it asks of the office.', max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000), hrprofile.validators.validate_prose], verbose_name='summary'),
        ),
        migrations.AlterField(
            model_name='mandate',
            name='summary_en',
            field=hrprofile.prose.ProseField(blank=True, help_text='A sentence or two on what it asks of the office.', max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000), hrprofile.validators.validate_prose], verbose_name='summary'),
        ),
        migrations.AlterField(
            model_name='mandate',
            name='summary_es',
            field=hrprofile.prose.ProseField(blank=True, help_text='A sentence or two on what it asks of the office.', max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000), hrprofile.validators.validate_prose], verbose_name='summary'),
        ),
        migrations.AlterField(
            model_name='mandate',
            name='summary_fr',
            field=hrprofile.prose.ProseField(blank=True, help_text='A sentence or two on what it asks of the office.', max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000), hrprofile.validators.validate_prose], verbose_name='summary'),
        ),
        migrations.AlterField(
            model_name='mandate',
            name='summary_ru',
            field=hrprofile.prose.ProseField(blank=True, help_text='A sentence or two on what it asks of the office.', max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000), hrprofile.validators.validate_prose], verbose_name='summary'),
        ),
        migrations.AlterField(
            model_name='mandate',
            name='summary_zh_hans',
            field=hrprofile.prose.ProseField(blank=True, help_text='A sentence or two on what it asks of the office.', max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000), hrprofile.validators.validate_prose], verbose_name='summary'),
        ),
        migrations.RunSQL(NORMALISE_LINE_ENDINGS, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name='mandate',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('summary__contains', '\r'), _negated=True), models.Q(('summary_en__contains', '\r'), _negated=True), models.Q(('summary_ar__contains', '\r'), _negated=True), models.Q(('summary_zh_hans__contains', '\r'), _negated=True), models.Q(('summary_fr__contains', '\r'), _negated=True), models.Q(('summary_ru__contains', '\r'), _negated=True), models.Q(('summary_es__contains', '\r'), _negated=True)), name='mandate_prose_line_endings', violation_error_message='Line breaks are stored as LF only: remove the carriage returns.'),
        ),
    ]
