import functools
import uuid

from auditlog import get_logentry_model
from auditlog.cid import correlation_id
from auditlog.context import _set_extra_data, auditlog_value
from auditlog.middleware import AuditlogMiddleware
from django.db.models.signals import pre_save

from audit.models import ip_or_none
from hrprofile.people import may_be_signed_in
from hrprofile.throttle import client_ip

# The one receiver of every request's context (AuditMiddleware): auditlog's
# own middleware connects a receiver on each request and disconnects it after,
# which empties the cache of pre_save's receivers for every model each time.
SIGNAL_DUID = ("audit.middleware", "request")


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware, with the client's address and the request's id
    read as the rest of the site reads them.

    auditlog trusts the first X-Forwarded-For address, which any client can
    write; client_ip() trusts only TRUSTED_PROXY_COUNT proxies of ours.

    What an entry records of the request is set once per request, for one
    receiver connected once per process; the address is read only when an
    entry is written, and the actor is looked up only when a session cookie
    could name one: an anonymous reader's request costs no user lookup.
    """

    def __init__(self, get_response=None):
        super().__init__(get_response)
        pre_save.connect(
            functools.partial(_set_extra_data, signal_duid=SIGNAL_DUID),
            sender=get_logentry_model(),
            dispatch_uid=SIGNAL_DUID,
            weak=False,
        )

    def __call__(self, request):
        # auditlog would take the correlation id from the client's
        # X-Correlation-ID header: the client's choosing, and one longer than
        # the column fails the request's every entry, a failed login's too.
        # The request log's id (hrprofile/logs.py) ties an entry to its line.
        correlation_id.set(getattr(request, "request_id", None) or uuid.uuid4().hex)
        token = auditlog_value.set(self.get_extra_data(request))
        try:
            return self.get_response(request)
        finally:
            auditlog_value.reset(token)

    def get_extra_data(self, request):
        return {
            # auditlog calls a callable value when it writes an entry.
            "remote_addr": functools.partial(self._get_remote_addr, request),
            "remote_port": None,
            "actor": self._get_actor(request),
            "signal_duid": SIGNAL_DUID,
        }

    @staticmethod
    def _get_actor(request):
        if not may_be_signed_in(request):
            return None
        return AuditlogMiddleware._get_actor(request)

    @staticmethod
    def _get_remote_addr(request):
        return ip_or_none(client_ip(request))

    @staticmethod
    def _get_remote_port(request):
        # auditlog reads X-Forwarded-Port, which the client can write as well.
        return None
