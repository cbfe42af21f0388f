# The public pages' content version (offices.models.content_version) follows
# every vocabulary table's updated_at. Existing rows get the time of migrating.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mandates', '0007_editorial'),
    ]

    operations = [
        migrations.AddField(
            model_name=model_name,
            name='updated_at',
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now, verbose_name='updated at'),
            preserve_default=False,
        )
        for model_name in ['shift', 'spotlightpopulation', 'tag', 'thematicpillar']
    ]
