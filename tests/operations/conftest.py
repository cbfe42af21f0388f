import pytest

from tests.servers import Relay, database_address


@pytest.fixture(scope="module")
def committed(django_db_setup, django_db_blocker):
    """Rows other processes can read: made outside any test transaction,
    removed when the module is done, with what the servers wrote meanwhile
    (sessions, audit entries, failed logins, versions), and the removals the
    database records when the module's offices are deleted."""
    from axes.models import AccessFailureLog
    from django.contrib.sessions.models import Session
    from reversion.models import Revision

    from audit.models import AuditEntry
    from offices.models import OfficeRemoval

    created = []

    def make(factory, **fields):
        with django_db_blocker.unblock():
            row = factory(**fields)
        created.append(row)
        return row

    yield make
    with django_db_blocker.unblock():
        for row in reversed(created):
            type(row).objects.filter(pk=row.pk).delete()
        for model in (AuditEntry, Session, AccessFailureLog, Revision, OfficeRemoval):
            model.objects.all().delete()


@pytest.fixture(scope="module")
def relay():
    """A TCP relay to the test database, which a test closes or silences to
    take the database away from the servers it started."""
    relay = Relay(database_address())
    yield relay
    relay.close()
