"""What a publisher scheduled: Office.scheduled_fingerprint.

editorial.schedule() records the draft's content fingerprint with its
publish_at; publish_scheduled publishes the draft only while it matches.
Like publish_at, the column is editorial bookkeeping: writing it alone moves
no office's stamp (the trigger function of 0017_office_stamp is redefined
with the column in its list of bookkeeping columns).

A schedule set before this migration has no fingerprint, so nothing says
what was approved: publish_scheduled cancels it (and tells the publisher)
instead of publishing it.
"""

from importlib import import_module

from django.db import migrations, models

stamp = import_module("offices.migrations.0017_office_stamp")


def office_row_function(bookkeeping):
    array = "ARRAY[{}]::text[]".format(", ".join(f"'{c}'" for c in bookkeeping))
    return stamp.OFFICE_ROW.replace(
        "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"
    ).replace(stamp.BOOKKEEPING_ARRAY, array)


class Migration(migrations.Migration):
    dependencies = [
        ("offices", "0017_office_stamp"),
    ]

    operations = [
        migrations.AddField(
            model_name="office",
            name="scheduled_fingerprint",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text=(
                    "The content the publisher scheduled (SHA-256); a draft "
                    "that no longer matches is not published."
                ),
                max_length=64,
                verbose_name="scheduled fingerprint",
            ),
        ),
        migrations.RunSQL(
            office_row_function([*stamp.BOOKKEEPING, "scheduled_fingerprint"]),
            reverse_sql=office_row_function(stamp.BOOKKEEPING),
        ),
    ]
