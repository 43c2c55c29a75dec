"""What every email the site sends shares: the domain it names itself by, and stable Message-IDs."""

from urllib.parse import urlsplit

from django.conf import settings


def site_domain():
    return urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"


def stable_message_id(*parts):
    """The same for every attempt at sending one email, so a copy sent twice after a crash can be recognised."""
    return f"<{'-'.join(str(part) for part in parts)}@{site_domain()}>"
