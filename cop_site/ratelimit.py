"""Abuse limits: one counter mechanism, in the cache, for every place that limits how often something happens.

A window starts at the first hit of a key and lasts `window` seconds, so a burst cannot straddle a clock
boundary and get twice the limit. The cache must keep a key's expiry on `incr` (local memory and Redis do).

Who a request comes from: the signed-in user, and the client's IP address as django-allauth determines it,
so sign-in limits and ours agree. By default that is REMOTE_ADDR; X-Forwarded-For is never trusted blindly.
Behind a reverse proxy, REMOTE_ADDR is the proxy's, so production sets ALLAUTH_TRUSTED_PROXY_COUNT (or
ALLAUTH_TRUSTED_CLIENT_IP_HEADER) from the environment to match the proxies in front of the site.
"""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied

MINUTE = 60
HOUR = 60 * MINUTE


def hit(key, limit, window):
    """Count one attempt for `key`; False once more than `limit` attempts fall in the current window."""
    cache_key = f"ratelimit:{key}:{window}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: this attempt opens a new window
        cache.set(cache_key, 1, timeout=window)
        count = 1
    return count <= limit


def client_ip(request):
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:  # no address at all (a test client, a broken proxy): one shared bucket
        return "unknown"


def request_keys(request, scope):
    """The keys one request counts against: its IP address, and its user when signed in."""
    keys = [f"{scope}:ip:{client_ip(request)}"]
    if request.user.is_authenticated:
        keys.append(f"{scope}:user:{request.user.pk}")
    return keys


def hit_request(request, scope, limit, window):
    """Count a request per IP address and per user; False when either is over `limit` in `window` seconds."""
    return all([hit(key, limit, window) for key in request_keys(request, scope)])


def hit_user(user, scope, limit, window):
    return hit(f"{scope}:user:{user.pk}", limit, window)
