"""The database under contention: how long a request waits for a lock, and how a wait that ran out is answered.

On PostgreSQL every connection sets ``lock_timeout`` (settings: DATABASE_LOCK_TIMEOUT_MS, 5 seconds by default), so a
request that needs a row another transaction holds (a long moderation job, a migration, a stuck session) gives up
instead of piling up workers. What it was doing is rolled back whole. Posting turns that into a form error that
keeps the text (communities.services); anything else gets BusyDatabaseMiddleware's 503 page.
"""

from django.db import OperationalError
from django.shortcuts import render

LOCK_NOT_AVAILABLE = "55P03"   # PostgreSQL's SQLSTATE for a lock_timeout that ran out
RETRY_AFTER_SECONDS = 5


def lock_wait_exceeded(error):
    """Whether `error` is the database giving up waiting for a lock another transaction holds."""
    return isinstance(error, OperationalError) and getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE


class BusyDatabaseMiddleware:
    """A request that timed out waiting for a lock gets a clear 503 (nothing was saved) instead of a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not lock_wait_exceeded(exception):
            return None
        response = render(request, "503.html", {"was_saving": request.method == "POST"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
