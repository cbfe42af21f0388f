"""Translated vocabulary and mandates (django-modeltranslation).

Adds a column per language to each translated field, copies the existing
text into the English one (what modeltranslation's update_translation_fields
command does; backwards there is nothing to copy, the original column holds
the English already), and keeps the original column equal to the English text with
a trigger: modeltranslation would otherwise write into it whichever language
was active at the last save, while the unique constraints and the search
written for it expect the English.
"""

import django.core.validators
import hrprofile.validators
from django.db import migrations, models
from django.db.models import F, Q

# table -> translated fields (as in mandates/translation.py when written)
TRANSLATED = {
    "mandate": ["title", "summary"],
    "thematicpillar": ["name", "description"],
    "shift": ["name", "description"],
    "spotlightpopulation": ["name", "description"],
    "tag": ["name"],
}


def copy_to_english(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("mandates", model_name)
        for field in fields:
            english = f"{field}_en"
            model.objects.filter(
                Q(**{f"{english}__isnull": True}) | Q(**{english: ""})
            ).update(**{english: F(field)})


def mirror_sql(table, fields):
    """A BEFORE trigger: table's original columns take the English text."""
    assignments = "\n".join(
        f"    NEW.{field} := COALESCE(NULLIF(NEW.{field}_en, ''), NEW.{field});"
        for field in fields
    )
    return [
        f"""
CREATE FUNCTION {table}_mirror_english() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
{assignments}
    RETURN NEW;
END
$$
""",
        f"""
CREATE TRIGGER {table}_mirror_english
BEFORE INSERT OR UPDATE ON {table}
FOR EACH ROW EXECUTE FUNCTION {table}_mirror_english()
""",
    ]


def drop_mirror_sql(table):
    return [
        f"DROP TRIGGER {table}_mirror_english ON {table}",
        f"DROP FUNCTION {table}_mirror_english()",
    ]


class Migration(migrations.Migration):

    dependencies = [
        ('mandates', '0008_updated_at'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='shift',
            options={'ordering': ['position', 'name', 'name_en'], 'verbose_name': 'shift', 'verbose_name_plural': 'shifts'},
        ),
        migrations.AlterModelOptions(
            name='spotlightpopulation',
            options={'ordering': ['position', 'name', 'name_en'], 'verbose_name': 'spotlight population', 'verbose_name_plural': 'spotlight populations'},
        ),
        migrations.AlterModelOptions(
            name='tag',
            options={'ordering': ['name', 'name_en'], 'verbose_name': 'tag', 'verbose_name_plural': 'tags'},
        ),
        migrations.AlterModelOptions(
            name='thematicpillar',
            options={'ordering': ['position', 'name', 'name_en'], 'verbose_name': 'thematic pillar', 'verbose_name_plural': 'thematic pillars'},
        ),
        migrations.AddField(
            model_name='mandate',
            name='summary_ar',
            field=models.TextField(blank=True, help_text='A sentence or two on what it asks of the office.', max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000), hrprofile.validators.validate_prose], verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='mandate',
            name='summary_en',
            field=models.TextField(blank=True, help_text='A sentence or two on what it asks of the office.', max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000), hrprofile.validators.validate_prose], verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='mandate',
            name='summary_es',
            field=models.TextField(blank=True, help_text='A sentence or two on what it asks of the office.', max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000), hrprofile.validators.validate_prose], verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='mandate',
            name='summary_fr',
            field=models.TextField(blank=True, help_text='A sentence or two on what it asks of the office.', max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000), hrprofile.validators.validate_prose], verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='mandate',
            name='summary_ru',
            field=models.TextField(blank=True, help_text='A sentence or two on what it asks of the office.', max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000), hrprofile.validators.validate_prose], verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='mandate',
            name='summary_zh_hans',
            field=models.TextField(blank=True, help_text='A sentence or two on what it asks of the office.', max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000), hrprofile.validators.validate_prose], verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='mandate',
            name='title_ar',
            field=models.CharField(help_text='For example "Security Council resolution 2522 (2020)".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='title'),
        ),
        migrations.AddField(
            model_name='mandate',
            name='title_en',
            field=models.CharField(help_text='For example "Security Council resolution 2522 (2020)".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='title'),
        ),
        migrations.AddField(
            model_name='mandate',
            name='title_es',
            field=models.CharField(help_text='For example "Security Council resolution 2522 (2020)".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='title'),
        ),
        migrations.AddField(
            model_name='mandate',
            name='title_fr',
            field=models.CharField(help_text='For example "Security Council resolution 2522 (2020)".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='title'),
        ),
        migrations.AddField(
            model_name='mandate',
            name='title_ru',
            field=models.CharField(help_text='For example "Security Council resolution 2522 (2020)".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='title'),
        ),
        migrations.AddField(
            model_name='mandate',
            name='title_zh_hans',
            field=models.CharField(help_text='For example "Security Council resolution 2522 (2020)".', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='title'),
        ),
        migrations.AddField(
            model_name='shift',
            name='description_ar',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='shift',
            name='description_en',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='shift',
            name='description_es',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='shift',
            name='description_fr',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='shift',
            name='description_ru',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='shift',
            name='description_zh_hans',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='shift',
            name='name_ar',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='shift',
            name='name_en',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='shift',
            name='name_es',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='shift',
            name='name_fr',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='shift',
            name='name_ru',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='shift',
            name='name_zh_hans',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='spotlightpopulation',
            name='description_ar',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='spotlightpopulation',
            name='description_en',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='spotlightpopulation',
            name='description_es',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='spotlightpopulation',
            name='description_fr',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='spotlightpopulation',
            name='description_ru',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='spotlightpopulation',
            name='description_zh_hans',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='spotlightpopulation',
            name='name_ar',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='spotlightpopulation',
            name='name_en',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='spotlightpopulation',
            name='name_es',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='spotlightpopulation',
            name='name_fr',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='spotlightpopulation',
            name='name_ru',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='spotlightpopulation',
            name='name_zh_hans',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='tag',
            name='name_ar',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='tag',
            name='name_en',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='tag',
            name='name_es',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='tag',
            name='name_fr',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='tag',
            name='name_ru',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='tag',
            name='name_zh_hans',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='thematicpillar',
            name='description_ar',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='thematicpillar',
            name='description_en',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='thematicpillar',
            name='description_es',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='thematicpillar',
            name='description_fr',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='thematicpillar',
            name='description_ru',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='thematicpillar',
            name='description_zh_hans',
            field=models.CharField(blank=True, help_text='One line, as shown under the name on profile pages.', max_length=255, null=True, validators=[hrprofile.validators.validate_single_line], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='thematicpillar',
            name='name_ar',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='thematicpillar',
            name='name_en',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='thematicpillar',
            name='name_es',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='thematicpillar',
            name='name_fr',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='thematicpillar',
            name='name_ru',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.AddField(
            model_name='thematicpillar',
            name='name_zh_hans',
            field=models.CharField(max_length=100, null=True, unique=True, validators=[hrprofile.validators.validate_single_line], verbose_name='name'),
        ),
        migrations.RunPython(copy_to_english, migrations.RunPython.noop),
        *(
            migrations.RunSQL(
                mirror_sql(f"mandates_{model_name}", fields),
                reverse_sql=drop_mirror_sql(f"mandates_{model_name}"),
            )
            for model_name, fields in TRANSLATED.items()
        ),
    ]
