"""Translated profiles (django-modeltranslation), checked translations and
search in every language.

As mandates' 0009_translations: a column per language for each translated
field, the existing text copied into the English one, and a trigger keeping
the original column equal to the English (so the unique constraints, trigram
indexes and the search that read it keep their meaning).

The search triggers of 0011_search_document are rebuilt: besides the English
vector (unchanged), SearchDocument holds one vector per other language, of
that language's own text only, with its PostgreSQL configuration ("simple"
for Chinese). They now also follow changes of the per-language columns.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import hrprofile.validators
import offices.models
from importlib import import_module
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q

SEARCH_0011 = import_module("offices.migrations.0011_search_document")
MANDATES_0009 = import_module("mandates.migrations.0009_translations")

# table -> translated fields (as in offices/translation.py when written)
TRANSLATED = {
    "office": [
        "name",
        "year_established_note",
        "profile",
        "more_info_label",
        "field_offices_note",
        "coverage_note",
        "achievements",
        "partners_and_donors",
        "closed_note",
    ],
    "fieldoffice": ["name", "note"],
}

# Language -> (column suffix, full-text configuration); English is "vector".
LANGUAGES = {
    "ar": ("ar", "arabic"),
    "zh-hans": ("zh_hans", "simple"),
    "fr": ("fr", "french"),
    "ru": ("ru", "russian"),
    "es": ("es", "spanish"),
}


def copy_to_english(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("offices", model_name)
        for field in fields:
            english = f"{field}_en"
            model.objects.filter(
                Q(**{f"{english}__isnull": True}) | Q(**{english: ""})
            ).update(**{english: F(field)})


def _vector(suffix, config):
    """One language's weighted vector of an office, as in 0011's English one."""
    return f"""
        setweight(
            to_tsvector('{config}'::regconfig, COALESCE(office.name_{suffix}, '')),
            'A'
        )
        || setweight(
            to_tsvector(
                '{config}'::regconfig,
                COALESCE(
                    (
                        SELECT string_agg(
                            field_office.name_{suffix}, ' ' ORDER BY field_office.id
                        )
                        FROM offices_fieldoffice field_office
                        WHERE field_office.office_id = office.id
                    ),
                    ''
                )
                || ' '
                || COALESCE(
                    (
                        SELECT string_agg(mandate.title_{suffix}, ' ' ORDER BY mandate.id)
                        FROM mandates_mandate mandate
                        WHERE mandate.office_id = office.id
                    ),
                    ''
                )
            ),
            'B'
        )
        || setweight(
            to_tsvector('{config}'::regconfig, COALESCE(office.profile_{suffix}, '')),
            'C'
        )"""


VECTOR_COLUMNS = ", ".join(f"vector_{suffix}" for suffix, _config in LANGUAGES.values())

REFRESH_FUNCTION = f"""
CREATE FUNCTION offices_search_refresh(office_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- As in 0011: wait for another transaction refreshing the same offices.
    PERFORM 1 FROM offices_searchdocument
    WHERE office_id = ANY (office_ids)
    ORDER BY office_id
    FOR UPDATE;

    INSERT INTO offices_searchdocument (office_id, vector, {VECTOR_COLUMNS})
    SELECT
        office.id,
        setweight(
            to_tsvector(
                'english'::regconfig,
                COALESCE(office.name, '') || ' ' || COALESCE(office.country, '')
            ),
            'A'
        )
        || setweight(
            to_tsvector(
                'english'::regconfig,
                COALESCE(
                    (
                        SELECT string_agg(
                            field_office.name, ' ' ORDER BY field_office.id
                        )
                        FROM offices_fieldoffice field_office
                        WHERE field_office.office_id = office.id
                    ),
                    ''
                )
                || ' '
                || COALESCE(
                    (
                        SELECT string_agg(mandate.title, ' ' ORDER BY mandate.id)
                        FROM mandates_mandate mandate
                        WHERE mandate.office_id = office.id
                    ),
                    ''
                )
            ),
            'B'
        )
        || setweight(
            to_tsvector('english'::regconfig, COALESCE(office.profile, '')), 'C'
        ),
        {",".join(_vector(suffix, config) for suffix, config in LANGUAGES.values())}
    FROM offices_office office
    WHERE office.id = ANY (office_ids)
    ON CONFLICT (office_id) DO UPDATE SET
        vector = EXCLUDED.vector,
        {", ".join(f"vector_{suffix} = EXCLUDED.vector_{suffix}" for suffix, _c in LANGUAGES.values())};
END
$$
"""

SEARCHED = ["name", "country", "profile"] + [
    f"{field}_{suffix}"
    for field in ["name", "profile"]
    for suffix in ["en", *(suffix for suffix, _c in LANGUAGES.values())]
]

OFFICE_UPDATE_TRIGGER = f"""
CREATE TRIGGER offices_office_search_update
AFTER UPDATE OF {", ".join(SEARCHED)} ON offices_office
FOR EACH ROW
WHEN (
    {" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in SEARCHED)}
)
EXECUTE FUNCTION offices_office_search()
"""

SEARCH_FORWARD = [
    "DROP TRIGGER offices_office_search_update ON offices_office",
    "DROP FUNCTION offices_search_refresh(bigint[])",
    REFRESH_FUNCTION,
    OFFICE_UPDATE_TRIGGER,
]
SEARCH_BACKWARD = [
    "DROP TRIGGER offices_office_search_update ON offices_office",
    "DROP FUNCTION offices_search_refresh(bigint[])",
    SEARCH_0011.REFRESH_FUNCTION,
    SEARCH_0011.OFFICE_TRIGGERS[1],
]


class Migration(migrations.Migration):

    dependencies = [
        ('mandates', '0009_translations'),
        ('offices', '0011_search_document'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TranslationCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(choices=offices.models.translation_language_choices, help_text='The language of the translation checked.', max_length=16, verbose_name='language')),
                ('checked_at', models.DateTimeField(help_text='When the translation was last checked against the English.', verbose_name='checked at')),
                ('english_digest', models.CharField(help_text='A fingerprint of the English text at the time of the check.', max_length=32, verbose_name='English text checked against')),
            ],
            options={
                'verbose_name': 'translation check',
                'verbose_name_plural': 'translation checks',
                'ordering': ['office', 'language'],
            },
        ),
        migrations.AlterModelOptions(
            name='fieldoffice',
            options={'ordering': ['office', '-is_head_office', 'position', 'name', 'name_en'], 'verbose_name': 'field office', 'verbose_name_plural': 'field offices'},
        ),
        migrations.AlterModelOptions(
            name='office',
            options={'ordering': ['name', 'name_en'], 'permissions': [('edit_all_offices', 'Can edit every office, not only their own'), ('publish_office', 'Can publish and unpublish offices'), ('revert_office', 'Can revert offices to an earlier version')], 'verbose_name': 'office', 'verbose_name_plural': 'offices'},
        ),
        migrations.AddField(
            model_name='fieldoffice',
            name='name_ar',
            field=models.CharField(help_text='e.g. "Erbil".', max_length=100, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='city'),
        ),
        migrations.AddField(
            model_name='fieldoffice',
            name='name_en',
            field=models.CharField(help_text='e.g. "Erbil".', max_length=100, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='city'),
        ),
        migrations.AddField(
            model_name='fieldoffice',
            name='name_es',
            field=models.CharField(help_text='e.g. "Erbil".', max_length=100, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='city'),
        ),
        migrations.AddField(
            model_name='fieldoffice',
            name='name_fr',
            field=models.CharField(help_text='e.g. "Erbil".', max_length=100, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='city'),
        ),
        migrations.AddField(
            model_name='fieldoffice',
            name='name_ru',
            field=models.CharField(help_text='e.g. "Erbil".', max_length=100, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='city'),
        ),
        migrations.AddField(
            model_name='fieldoffice',
            name='name_zh_hans',
            field=models.CharField(help_text='e.g. "Erbil".', max_length=100, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='city'),
        ),
        migrations.AddField(
            model_name='fieldoffice',
            name='note_ar',
            field=models.CharField(blank=True, help_text='e.g. "Lebanon (restricted physical access to Syria)".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note'),
        ),
        migrations.AddField(
            model_name='fieldoffice',
            name='note_en',
            field=models.CharField(blank=True, help_text='e.g. "Lebanon (restricted physical access to Syria)".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note'),
        ),
        migrations.AddField(
            model_name='fieldoffice',
            name='note_es',
            field=models.CharField(blank=True, help_text='e.g. "Lebanon (restricted physical access to Syria)".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note'),
        ),
        migrations.AddField(
            model_name='fieldoffice',
            name='note_fr',
            field=models.CharField(blank=True, help_text='e.g. "Lebanon (restricted physical access to Syria)".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note'),
        ),
        migrations.AddField(
            model_name='fieldoffice',
            name='note_ru',
            field=models.CharField(blank=True, help_text='e.g. "Lebanon (restricted physical access to Syria)".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note'),
        ),
        migrations.AddField(
            model_name='fieldoffice',
            name='note_zh_hans',
            field=models.CharField(blank=True, help_text='e.g. "Lebanon (restricted physical access to Syria)".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note'),
        ),
        migrations.AddField(
            model_name='office',
            name='achievements_ar',
            field=models.TextField(blank=True, help_text='One achievement per line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='achievements'),
        ),
        migrations.AddField(
            model_name='office',
            name='achievements_en',
            field=models.TextField(blank=True, help_text='One achievement per line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='achievements'),
        ),
        migrations.AddField(
            model_name='office',
            name='achievements_es',
            field=models.TextField(blank=True, help_text='One achievement per line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='achievements'),
        ),
        migrations.AddField(
            model_name='office',
            name='achievements_fr',
            field=models.TextField(blank=True, help_text='One achievement per line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='achievements'),
        ),
        migrations.AddField(
            model_name='office',
            name='achievements_ru',
            field=models.TextField(blank=True, help_text='One achievement per line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='achievements'),
        ),
        migrations.AddField(
            model_name='office',
            name='achievements_zh_hans',
            field=models.TextField(blank=True, help_text='One achievement per line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='achievements'),
        ),
        migrations.AddField(
            model_name='office',
            name='closed_note_ar',
            field=models.CharField(blank=True, help_text='For example "mandate ended February 2023".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on the closure'),
        ),
        migrations.AddField(
            model_name='office',
            name='closed_note_en',
            field=models.CharField(blank=True, help_text='For example "mandate ended February 2023".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on the closure'),
        ),
        migrations.AddField(
            model_name='office',
            name='closed_note_es',
            field=models.CharField(blank=True, help_text='For example "mandate ended February 2023".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on the closure'),
        ),
        migrations.AddField(
            model_name='office',
            name='closed_note_fr',
            field=models.CharField(blank=True, help_text='For example "mandate ended February 2023".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on the closure'),
        ),
        migrations.AddField(
            model_name='office',
            name='closed_note_ru',
            field=models.CharField(blank=True, help_text='For example "mandate ended February 2023".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on the closure'),
        ),
        migrations.AddField(
            model_name='office',
            name='closed_note_zh_hans',
            field=models.CharField(blank=True, help_text='For example "mandate ended February 2023".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on the closure'),
        ),
        migrations.AddField(
            model_name='office',
            name='coverage_note_ar',
            field=models.CharField(blank=True, help_text='For a regional presence: the countries it covers.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='countries covered'),
        ),
        migrations.AddField(
            model_name='office',
            name='coverage_note_en',
            field=models.CharField(blank=True, help_text='For a regional presence: the countries it covers.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='countries covered'),
        ),
        migrations.AddField(
            model_name='office',
            name='coverage_note_es',
            field=models.CharField(blank=True, help_text='For a regional presence: the countries it covers.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='countries covered'),
        ),
        migrations.AddField(
            model_name='office',
            name='coverage_note_fr',
            field=models.CharField(blank=True, help_text='For a regional presence: the countries it covers.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='countries covered'),
        ),
        migrations.AddField(
            model_name='office',
            name='coverage_note_ru',
            field=models.CharField(blank=True, help_text='For a regional presence: the countries it covers.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='countries covered'),
        ),
        migrations.AddField(
            model_name='office',
            name='coverage_note_zh_hans',
            field=models.CharField(blank=True, help_text='For a regional presence: the countries it covers.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='countries covered'),
        ),
        migrations.AddField(
            model_name='office',
            name='field_offices_note_ar',
            field=models.CharField(blank=True, help_text='Shown with the field offices, e.g. "Bogotá and nine sub-offices".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on field offices'),
        ),
        migrations.AddField(
            model_name='office',
            name='field_offices_note_en',
            field=models.CharField(blank=True, help_text='Shown with the field offices, e.g. "Bogotá and nine sub-offices".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on field offices'),
        ),
        migrations.AddField(
            model_name='office',
            name='field_offices_note_es',
            field=models.CharField(blank=True, help_text='Shown with the field offices, e.g. "Bogotá and nine sub-offices".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on field offices'),
        ),
        migrations.AddField(
            model_name='office',
            name='field_offices_note_fr',
            field=models.CharField(blank=True, help_text='Shown with the field offices, e.g. "Bogotá and nine sub-offices".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on field offices'),
        ),
        migrations.AddField(
            model_name='office',
            name='field_offices_note_ru',
            field=models.CharField(blank=True, help_text='Shown with the field offices, e.g. "Bogotá and nine sub-offices".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on field offices'),
        ),
        migrations.AddField(
            model_name='office',
            name='field_offices_note_zh_hans',
            field=models.CharField(blank=True, help_text='Shown with the field offices, e.g. "Bogotá and nine sub-offices".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on field offices'),
        ),
        migrations.AddField(
            model_name='office',
            name='more_info_label_ar',
            field=models.CharField(blank=True, help_text='For example "More information on the work carried out by the UNAMI office."', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='more information link text'),
        ),
        migrations.AddField(
            model_name='office',
            name='more_info_label_en',
            field=models.CharField(blank=True, help_text='For example "More information on the work carried out by the UNAMI office."', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='more information link text'),
        ),
        migrations.AddField(
            model_name='office',
            name='more_info_label_es',
            field=models.CharField(blank=True, help_text='For example "More information on the work carried out by the UNAMI office."', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='more information link text'),
        ),
        migrations.AddField(
            model_name='office',
            name='more_info_label_fr',
            field=models.CharField(blank=True, help_text='For example "More information on the work carried out by the UNAMI office."', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='more information link text'),
        ),
        migrations.AddField(
            model_name='office',
            name='more_info_label_ru',
            field=models.CharField(blank=True, help_text='For example "More information on the work carried out by the UNAMI office."', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='more information link text'),
        ),
        migrations.AddField(
            model_name='office',
            name='more_info_label_zh_hans',
            field=models.CharField(blank=True, help_text='For example "More information on the work carried out by the UNAMI office."', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='more information link text'),
        ),
        migrations.AddField(
            model_name='office',
            name='name_ar',
            field=models.CharField(help_text='The page title, for example "UN Human Rights in Iraq".', max_length=200, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='office',
            name='name_en',
            field=models.CharField(help_text='The page title, for example "UN Human Rights in Iraq".', max_length=200, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='office',
            name='name_es',
            field=models.CharField(help_text='The page title, for example "UN Human Rights in Iraq".', max_length=200, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='office',
            name='name_fr',
            field=models.CharField(help_text='The page title, for example "UN Human Rights in Iraq".', max_length=200, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='office',
            name='name_ru',
            field=models.CharField(help_text='The page title, for example "UN Human Rights in Iraq".', max_length=200, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='office',
            name='name_zh_hans',
            field=models.CharField(help_text='The page title, for example "UN Human Rights in Iraq".', max_length=200, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='office',
            name='partners_and_donors_ar',
            field=models.TextField(blank=True, help_text='Shown as written; separate paragraphs with a blank line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='partners and donors'),
        ),
        migrations.AddField(
            model_name='office',
            name='partners_and_donors_en',
            field=models.TextField(blank=True, help_text='Shown as written; separate paragraphs with a blank line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='partners and donors'),
        ),
        migrations.AddField(
            model_name='office',
            name='partners_and_donors_es',
            field=models.TextField(blank=True, help_text='Shown as written; separate paragraphs with a blank line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='partners and donors'),
        ),
        migrations.AddField(
            model_name='office',
            name='partners_and_donors_fr',
            field=models.TextField(blank=True, help_text='Shown as written; separate paragraphs with a blank line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='partners and donors'),
        ),
        migrations.AddField(
            model_name='office',
            name='partners_and_donors_ru',
            field=models.TextField(blank=True, help_text='Shown as written; separate paragraphs with a blank line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='partners and donors'),
        ),
        migrations.AddField(
            model_name='office',
            name='partners_and_donors_zh_hans',
            field=models.TextField(blank=True, help_text='Shown as written; separate paragraphs with a blank line.', max_length=5000, null=True, validators=[django.core.validators.MaxLengthValidator(5000), hrprofile.validators.validate_prose], verbose_name='partners and donors'),
        ),
        migrations.AddField(
            model_name='office',
            name='profile_ar',
            field=models.TextField(blank=True, help_text='The Profile section. Separate paragraphs with a blank line.', max_length=20000, null=True, validators=[django.core.validators.MaxLengthValidator(20000), hrprofile.validators.validate_prose], verbose_name='profile'),
        ),
        migrations.AddField(
            model_name='office',
            name='profile_en',
            field=models.TextField(blank=True, help_text='The Profile section. Separate paragraphs with a blank line.', max_length=20000, null=True, validators=[django.core.validators.MaxLengthValidator(20000), hrprofile.validators.validate_prose], verbose_name='profile'),
        ),
        migrations.AddField(
            model_name='office',
            name='profile_es',
            field=models.TextField(blank=True, help_text='The Profile section. Separate paragraphs with a blank line.', max_length=20000, null=True, validators=[django.core.validators.MaxLengthValidator(20000), hrprofile.validators.validate_prose], verbose_name='profile'),
        ),
        migrations.AddField(
            model_name='office',
            name='profile_fr',
            field=models.TextField(blank=True, help_text='The Profile section. Separate paragraphs with a blank line.', max_length=20000, null=True, validators=[django.core.validators.MaxLengthValidator(20000), hrprofile.validators.validate_prose], verbose_name='profile'),
        ),
        migrations.AddField(
            model_name='office',
            name='profile_ru',
            field=models.TextField(blank=True, help_text='The Profile section. Separate paragraphs with a blank line.', max_length=20000, null=True, validators=[django.core.validators.MaxLengthValidator(20000), hrprofile.validators.validate_prose], verbose_name='profile'),
        ),
        migrations.AddField(
            model_name='office',
            name='profile_zh_hans',
            field=models.TextField(blank=True, help_text='The Profile section. Separate paragraphs with a blank line.', max_length=20000, null=True, validators=[django.core.validators.MaxLengthValidator(20000), hrprofile.validators.validate_prose], verbose_name='profile'),
        ),
        migrations.AddField(
            model_name='office',
            name='year_established_note_ar',
            field=models.CharField(blank=True, help_text='Shown beside the year, e.g. "preceded by a smaller monitoring presence from 2013".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on the year established'),
        ),
        migrations.AddField(
            model_name='office',
            name='year_established_note_en',
            field=models.CharField(blank=True, help_text='Shown beside the year, e.g. "preceded by a smaller monitoring presence from 2013".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on the year established'),
        ),
        migrations.AddField(
            model_name='office',
            name='year_established_note_es',
            field=models.CharField(blank=True, help_text='Shown beside the year, e.g. "preceded by a smaller monitoring presence from 2013".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on the year established'),
        ),
        migrations.AddField(
            model_name='office',
            name='year_established_note_fr',
            field=models.CharField(blank=True, help_text='Shown beside the year, e.g. "preceded by a smaller monitoring presence from 2013".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on the year established'),
        ),
        migrations.AddField(
            model_name='office',
            name='year_established_note_ru',
            field=models.CharField(blank=True, help_text='Shown beside the year, e.g. "preceded by a smaller monitoring presence from 2013".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on the year established'),
        ),
        migrations.AddField(
            model_name='office',
            name='year_established_note_zh_hans',
            field=models.CharField(blank=True, help_text='Shown beside the year, e.g. "preceded by a smaller monitoring presence from 2013".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='note on the year established'),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='vector_ar',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, verbose_name='search vector (Arabic)'),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='vector_es',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, verbose_name='search vector (Spanish)'),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='vector_fr',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, verbose_name='search vector (French)'),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='vector_ru',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, verbose_name='search vector (Russian)'),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='vector_zh_hans',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, verbose_name='search vector (Chinese)'),
        ),
        migrations.AddIndex(
            model_name='fieldoffice',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('name_ar'), name='gin_trgm_ops'), fastupdate=False, name='fieldoffice_name_ar_trgm'),
        ),
        migrations.AddIndex(
            model_name='fieldoffice',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('name_zh_hans'), name='gin_trgm_ops'), fastupdate=False, name='fieldoffice_name_zh_hans_trgm'),
        ),
        migrations.AddIndex(
            model_name='fieldoffice',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('name_fr'), name='gin_trgm_ops'), fastupdate=False, name='fieldoffice_name_fr_trgm'),
        ),
        migrations.AddIndex(
            model_name='fieldoffice',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('name_ru'), name='gin_trgm_ops'), fastupdate=False, name='fieldoffice_name_ru_trgm'),
        ),
        migrations.AddIndex(
            model_name='fieldoffice',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('name_es'), name='gin_trgm_ops'), fastupdate=False, name='fieldoffice_name_es_trgm'),
        ),
        migrations.AddIndex(
            model_name='office',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('name_ar'), name='gin_trgm_ops'), fastupdate=False, name='office_name_ar_trgm'),
        ),
        migrations.AddIndex(
            model_name='office',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('name_zh_hans'), name='gin_trgm_ops'), fastupdate=False, name='office_name_zh_hans_trgm'),
        ),
        migrations.AddIndex(
            model_name='office',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('name_fr'), name='gin_trgm_ops'), fastupdate=False, name='office_name_fr_trgm'),
        ),
        migrations.AddIndex(
            model_name='office',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('name_ru'), name='gin_trgm_ops'), fastupdate=False, name='office_name_ru_trgm'),
        ),
        migrations.AddIndex(
            model_name='office',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('name_es'), name='gin_trgm_ops'), fastupdate=False, name='office_name_es_trgm'),
        ),
        migrations.AddIndex(
            model_name='searchdocument',
            index=django.contrib.postgres.indexes.GinIndex(fastupdate=False, fields=['vector_ar'], name='searchdocument_vector_ar'),
        ),
        migrations.AddIndex(
            model_name='searchdocument',
            index=django.contrib.postgres.indexes.GinIndex(fastupdate=False, fields=['vector_zh_hans'], name='searchdocument_vector_zh_hans'),
        ),
        migrations.AddIndex(
            model_name='searchdocument',
            index=django.contrib.postgres.indexes.GinIndex(fastupdate=False, fields=['vector_fr'], name='searchdocument_vector_fr'),
        ),
        migrations.AddIndex(
            model_name='searchdocument',
            index=django.contrib.postgres.indexes.GinIndex(fastupdate=False, fields=['vector_ru'], name='searchdocument_vector_ru'),
        ),
        migrations.AddIndex(
            model_name='searchdocument',
            index=django.contrib.postgres.indexes.GinIndex(fastupdate=False, fields=['vector_es'], name='searchdocument_vector_es'),
        ),
        migrations.AddConstraint(
            model_name='fieldoffice',
            constraint=models.UniqueConstraint(fields=('office', 'name_ar'), name='fieldoffice_unique_name_per_office-ar', violation_error_message='This office already has a field office with that name.'),
        ),
        migrations.AddConstraint(
            model_name='fieldoffice',
            constraint=models.UniqueConstraint(fields=('office', 'name_zh_hans'), name='fieldoffice_unique_name_per_office-zh-hans', violation_error_message='This office already has a field office with that name.'),
        ),
        migrations.AddConstraint(
            model_name='fieldoffice',
            constraint=models.UniqueConstraint(fields=('office', 'name_en'), name='fieldoffice_unique_name_per_office-en', violation_error_message='This office already has a field office with that name.'),
        ),
        migrations.AddConstraint(
            model_name='fieldoffice',
            constraint=models.UniqueConstraint(fields=('office', 'name_fr'), name='fieldoffice_unique_name_per_office-fr', violation_error_message='This office already has a field office with that name.'),
        ),
        migrations.AddConstraint(
            model_name='fieldoffice',
            constraint=models.UniqueConstraint(fields=('office', 'name_ru'), name='fieldoffice_unique_name_per_office-ru', violation_error_message='This office already has a field office with that name.'),
        ),
        migrations.AddConstraint(
            model_name='fieldoffice',
            constraint=models.UniqueConstraint(fields=('office', 'name_es'), name='fieldoffice_unique_name_per_office-es', violation_error_message='This office already has a field office with that name.'),
        ),
        migrations.AddField(
            model_name='translationcheck',
            name='checked_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='checked by'),
        ),
        migrations.AddField(
            model_name='translationcheck',
            name='office',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='translation_checks', to='offices.office', verbose_name='office'),
        ),
        migrations.AddConstraint(
            model_name='translationcheck',
            constraint=models.UniqueConstraint(fields=('office', 'language'), name='translationcheck_once_per_language', violation_error_message='This translation already has a check recorded.'),
        ),
        migrations.AddConstraint(
            model_name='translationcheck',
            constraint=models.CheckConstraint(condition=models.Q(('language__in', ['ar', 'zh-hans', 'fr', 'ru', 'es'])), name='translationcheck_language_valid', violation_error_message='Choose a valid language.'),
        ),
        migrations.RunPython(copy_to_english, migrations.RunPython.noop),
        *(
            migrations.RunSQL(
                MANDATES_0009.mirror_sql(f"offices_{model_name}", fields),
                reverse_sql=MANDATES_0009.drop_mirror_sql(f"offices_{model_name}"),
            )
            for model_name, fields in TRANSLATED.items()
        ),
        migrations.RunSQL(SEARCH_FORWARD, reverse_sql=SEARCH_BACKWARD),
        migrations.RunSQL([SEARCH_0011.FILL], reverse_sql=migrations.RunSQL.noop),
    ]
