# django-auditlog 3.4.1's own migrations create auditlog_logentry even though
# AUDITLOG_LOGENTRY_MODEL swaps that model for audit.AuditEntry
# (jazzband/django-auditlog#804; later releases mark the model swappable and
# no longer create it). Nothing writes to the table, but its foreign keys to
# auth_user and django_content_type make `flush`, and with it every
# transactional test, fail to truncate those tables. Drop it while it is empty;
# a table that holds entries (auditlog used before the swap) is left alone.

from django.db import migrations

DROP_IF_EMPTY = """
DO $$
BEGIN
    IF to_regclass('auditlog_logentry') IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM auditlog_logentry) THEN
        DROP TABLE auditlog_logentry;
    END IF;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunSQL(DROP_IF_EMPTY, migrations.RunSQL.noop)]
