import uuid

from auditlog.cid import correlation_id
from auditlog.context import set_extra_data
from auditlog.middleware import AuditlogMiddleware

from audit.models import ip_or_none
from hrprofile.throttle import client_ip


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware, with the client's address and the request's id
    read as the rest of the site reads them.

    auditlog trusts the first X-Forwarded-For address, which any client can
    write; client_ip() trusts only TRUSTED_PROXY_COUNT proxies of ours.
    """

    def __call__(self, request):
        # auditlog would take the correlation id from the client's
        # X-Correlation-ID header: the client's choosing, and one longer than
        # the column fails the request's every entry, a failed login's too.
        # The request log's id (hrprofile/logs.py) ties an entry to its line.
        correlation_id.set(getattr(request, "request_id", None) or uuid.uuid4().hex)
        with set_extra_data(context_data=self.get_extra_data(request)):
            return self.get_response(request)

    @staticmethod
    def _get_remote_addr(request):
        return ip_or_none(client_ip(request))

    @staticmethod
    def _get_remote_port(request):
        # auditlog reads X-Forwarded-Port, which the client can write as well.
        return None
